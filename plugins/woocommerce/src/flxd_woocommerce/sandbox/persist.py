"""Saving and loading sandbox state (``--state FILE``): every store's settings, keys, records,
id sequences and webhooks as one JSON document, written atomically. Counters, request logs,
capacity, faults and delivery logs are run-time only and start afresh."""

from __future__ import annotations

import os
import tempfile
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

from pydantic import TypeAdapter

from flxd_woocommerce.sandbox.catalog.records import Product, Variation
from flxd_woocommerce.sandbox.keys import ApiKey
from flxd_woocommerce.sandbox.orders.records import Note, Order
from flxd_woocommerce.sandbox.webhooks.records import Webhook

if TYPE_CHECKING:
    from flxd_woocommerce.sandbox.store import Store

__all__ = [
    "FORMAT_VERSION",
    "SandboxSnapshot",
    "StoreSnapshot",
    "load_snapshot",
    "restore_store",
    "save_snapshot",
    "take_snapshot",
]

FORMAT_VERSION = 1


@dataclass(frozen=True, slots=True, kw_only=True)
class StoreSnapshot:
    name: str
    ids: dict[str, int]
    behaviour: str
    permalinks: bool
    shipment_tracking: bool
    approval: str
    custom_statuses: dict[str, str]
    keys: tuple[ApiKey, ...]
    products: tuple[Product, ...]
    variations: tuple[Variation, ...]
    orders: tuple[Order, ...]
    notes: tuple[Note, ...]
    hooks: tuple[Webhook, ...]


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


def take_snapshot(stores: Iterable[Store], seed: int) -> SandboxSnapshot:
    return SandboxSnapshot(
        version=FORMAT_VERSION,
        seed=seed,
        stores=tuple(
            StoreSnapshot(
                name=store.name,
                ids=store.ids.state(),
                behaviour=store.behaviour,
                permalinks=store.site.permalinks,
                shipment_tracking=store.shipment_tracking,
                approval=store.approval,
                custom_statuses=dict(store.statuses.custom),
                keys=tuple(store.keys.keys.values()),
                products=tuple(store.catalog.products.values()),
                variations=tuple(store.catalog.variations.values()),
                orders=tuple(store.orders.orders.values()),
                notes=tuple(store.orders.notes.values()),
                hooks=tuple(store.hooks.hooks.values()),
            )
            for store in stores
        ),
    )


def restore_store(store: Store, saved: StoreSnapshot) -> None:
    """Fill a freshly made store (with the saved id sequences) from its snapshot."""
    store.behaviour = saved.behaviour
    store.site.permalinks = saved.permalinks
    store.shipment_tracking = saved.shipment_tracking
    store.approval = saved.approval
    store.statuses.custom.update(saved.custom_statuses)
    for key in saved.keys:
        store.keys.add(key)
    store.catalog.load(list(saved.products), list(saved.variations))
    store.orders.load(list(saved.orders), list(saved.notes))
    store.hooks.load(list(saved.hooks))
