"""Saving and loading sandbox state (``--state FILE``): every store's records, id sequences,
tokens and webhooks as one JSON document, written atomically. Quota windows, counters and
delivery logs are run-time only and start afresh."""

from __future__ import annotations

import os
import tempfile
from dataclasses import dataclass
from pathlib import Path

from pydantic import TypeAdapter

from flxd_bigcommerce.sandbox.auth import ApiToken
from flxd_bigcommerce.sandbox.catalog.records import CustomField, Option, Product, Variant
from flxd_bigcommerce.sandbox.metafields import Metafield
from flxd_bigcommerce.sandbox.orders.records import Order, Shipment
from flxd_bigcommerce.sandbox.webhooks import Hook

__all__ = ["SandboxSnapshot", "StoreSnapshot", "load_snapshot", "save_snapshot"]

FORMAT_VERSION = 1


@dataclass(frozen=True, slots=True, kw_only=True)
class StoreSnapshot:
    hash: str
    store_id: int
    ids: dict[str, int]
    products: tuple[Product, ...]
    variants: tuple[Variant, ...]
    options: tuple[Option, ...]
    custom_fields: tuple[CustomField, ...]
    orders: tuple[Order, ...]
    shipments: tuple[Shipment, ...]
    metafields: tuple[Metafield, ...]
    hooks: tuple[Hook, ...]
    tokens: tuple[ApiToken, ...]


@dataclass(frozen=True, slots=True, kw_only=True)
class SandboxSnapshot:
    version: int
    seed: int
    stores: tuple[StoreSnapshot, ...]


_ADAPTER = TypeAdapter(SandboxSnapshot)


def save_snapshot(snapshot: SandboxSnapshot, path: Path) -> None:
    """Write atomically: a crash mid-save leaves the previous state file intact."""
    path.parent.mkdir(parents=True, exist_ok=True)
    data = _ADAPTER.dump_json(snapshot)
    fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", dir=path.parent)
    try:
        with os.fdopen(fd, "wb") as handle:
            handle.write(data)
            handle.flush()
            os.fsync(handle.fileno())
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise


def load_snapshot(path: Path) -> SandboxSnapshot:
    snapshot = _ADAPTER.validate_json(path.read_bytes())
    if snapshot.version != FORMAT_VERSION:
        raise ValueError(f"{path}: sandbox state format {snapshot.version} is not {FORMAT_VERSION}")
    return snapshot
