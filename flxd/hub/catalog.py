"""The hub catalog: listings and their variants, written by upserts that log every change
(flxd.hub.changes) in the same transaction; reads are in flxd.hub.lookup."""

from __future__ import annotations

import json
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, replace
from datetime import datetime
from decimal import Decimal
from typing import Any, TypeVar

from flxd.hub.changes import COUNTER, Change, ChangeBatch, ChangeLog
from flxd.hub.lookup import LISTING_COLUMNS, VARIANT_COLUMNS, CatalogLookup, pairs_from_json
from flxd.hub.model import (
    ListingStatus,
    Pairs,
    Presence,
    VariantUpdate,
    sku_key,
)
from flxd.store import Row, Tx, db_money, db_time
from flxd.store.inlists import chunked

__all__ = ["COUNTER", "Catalog", "Change", "ChangeBatch", "UpsertResult"]

_VARIANT_FIELDS = ("upc", "mpn", "gtin", "price", "quantity", "options", "attributes")

T = TypeVar("T")


@dataclass(slots=True)
class UpsertResult:
    created: int = 0
    updated: int = 0
    unchanged: int = 0
    listings_created: int = 0


class Catalog(CatalogLookup):
    """Catalog operations inside one transaction: the lookups, and writes that log changes."""

    def __init__(self, tx: Tx, now: datetime) -> None:
        super().__init__(tx)
        self._now = db_time(now)
        self._changes = ChangeLog(tx, now)

    # ---- writing -------------------------------------------------------------------------

    async def upsert(
        self, updates: Iterable[VariantUpdate], *, new_status: ListingStatus = ListingStatus.ACTIVE
    ) -> UpsertResult:
        """Create or update variants by master SKU; only real changes reach the change log."""
        result = UpsertResult()
        for chunk in chunked(updates):
            await self._upsert_chunk(chunk, new_status, result)
        return result

    async def _upsert_chunk(
        self, chunk: Sequence[VariantUpdate], new_status: ListingStatus, result: UpsertResult
    ) -> None:
        # The change log's counter before any variant or listing row (see Tx.lock_counter).
        await self._changes.lock()
        merged: dict[str, VariantUpdate] = {}
        for update in chunk:
            key = sku_key(update.sku)
            merged[key] = _merge(merged[key], update) if key in merged else update
        existing = {
            row["sku_key"]: row
            for row in await self._fetch_in(
                f"SELECT {VARIANT_COLUMNS}, sku_key FROM variants WHERE sku_key IN", list(merged)
            )
        }
        targets = {
            key: (u.parent or u.sku.strip())
            for key, u in merged.items()
            if u.parent or key not in existing
        }
        listings = await self._ensure_listings(merged, targets, new_status, result)

        now = self._now
        inserts: list[tuple[Any, ...]] = []
        updates: list[tuple[Any, ...]] = []
        changes: list[tuple[int, int | None, str]] = []  # (listing_id, variant_id, fields)
        for key, u in merged.items():
            row = existing.get(key)
            if row is None:
                listing_id = listings[targets[key]]
                inserts.append((listing_id, u.sku.strip(), key, *_columns(u, None)))
                continue
            fields = [f for f in _VARIANT_FIELDS if _differs(getattr(u, f), row[f], f)]
            listing_id = listings[targets[key]] if key in targets else row["listing_id"]
            if listing_id != row["listing_id"]:
                fields.append("listing")
            if not fields:
                result.unchanged += 1
                continue
            # The SKU keeps the spelling it was created with; case differences are no change.
            updates.append((listing_id, *_columns(u, row), row["id"]))
            changes.append((listing_id, row["id"], ",".join(fields)))
            result.updated += 1

        if inserts:
            await self._tx.executemany(
                "INSERT INTO variants (listing_id, sku, sku_key, upc, mpn, gtin, price, "
                "quantity, options, attributes, seq, created_at, updated_at) "
                "VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, 0, ?, ?)",
                [(*row, now, now) for row in inserts],
            )
            created = await self._fetch_in(
                "SELECT id, listing_id FROM variants WHERE sku_key IN", [r[2] for r in inserts]
            )
            changes.extend((r["listing_id"], r["id"], "created") for r in created)
            result.created += len(inserts)
        if updates:
            await self._tx.executemany(
                "UPDATE variants SET listing_id = ?, upc = ?, mpn = ?, gtin = ?, "
                "price = ?, quantity = ?, options = ?, attributes = ?, updated_at = ? WHERE id = ?",
                [(*row[:-1], now, row[-1]) for row in updates],
            )
        await self._log(changes)

    async def _ensure_listings(
        self,
        merged: dict[str, VariantUpdate],
        targets: dict[str, str],
        new_status: ListingStatus,
        result: UpsertResult,
    ) -> dict[str, int]:
        """Listing ids by key for every target listing, creating missing ones; applies
        listing-level fields (name, description) where an update states them."""
        wanted: dict[str, VariantUpdate] = {}
        for key, target in targets.items():
            update = merged[key]
            prior = wanted.get(target)
            wanted[target] = update if prior is None else _merge(prior, update)
        rows = {
            r["key"]: r
            for r in await self._fetch_in(
                f"SELECT {LISTING_COLUMNS} FROM listings WHERE key IN", list(wanted)
            )
        }
        missing = [k for k in wanted if k not in rows]
        if missing:
            await self._tx.executemany(
                "INSERT INTO listings (key, name, description, status, presence, seq, created_at, "
                "updated_at) VALUES (?, ?, ?, ?, 'listed', 0, ?, ?)",
                [
                    (
                        k,
                        wanted[k].listing_name,
                        wanted[k].description,
                        new_status.value,
                        self._now,
                        self._now,
                    )
                    for k in missing
                ],
            )
            result.listings_created += len(missing)
            for r in await self._fetch_in(
                f"SELECT {LISTING_COLUMNS} FROM listings WHERE key IN", missing
            ):
                rows[r["key"]] = r
        changed: list[tuple[int, int | None, str]] = []
        for key, update in wanted.items():
            row = rows[key]
            if key in missing:
                continue
            fields = [
                f
                for f, column in (("listing_name", "name"), ("description", "description"))
                if getattr(update, f) is not None and getattr(update, f) != row[column]
            ]
            if fields:
                await self._tx.execute(
                    "UPDATE listings SET name = COALESCE(?, name), "
                    "description = COALESCE(?, description), updated_at = ? WHERE id = ?",
                    update.listing_name,
                    update.description,
                    self._now,
                    row["id"],
                )
                changed.append((row["id"], None, ",".join(fields)))
        await self._log(changed)
        return {key: row["id"] for key, row in rows.items()}

    async def set_status(
        self, skus: Sequence[str], status: ListingStatus
    ) -> tuple[list[str], list[str]]:
        """Pause or unpause the listings these SKUs (variant SKUs or listing keys) belong to.
        Returns (listing keys changed, SKUs not found)."""
        return await self._set_listing_column("status", status.value, skus)

    async def set_presence(
        self, skus: Sequence[str], presence: Presence, *, only_from: Presence | None = None
    ) -> tuple[list[str], list[str]]:
        """Hide, unhide, delist or relist whole listings. `only_from` restricts the change to
        listings currently in that state (unhide acts only on hidden listings)."""
        return await self._set_listing_column("presence", presence.value, skus, only_from)

    async def _set_listing_column(
        self, column: str, value: str, skus: Sequence[str], only_from: Presence | None = None
    ) -> tuple[list[str], list[str]]:
        await self._changes.lock()
        found = await self.resolve_listings(skus)
        unknown = [s for s in skus if s not in found]
        changed: list[tuple[int, str]] = []
        for listing_id, key, current in {(r["id"], r["key"], r[column]) for r in found.values()}:
            if current == value or (only_from is not None and current != only_from.value):
                continue
            await self._tx.execute(
                f"UPDATE listings SET {column} = ?, updated_at = ? WHERE id = ?",
                value,
                self._now,
                listing_id,
            )
            changed.append((listing_id, key))
        await self._log([(listing_id, None, column) for listing_id, _ in changed])
        return sorted(key for _, key in changed), unknown

    # ---- the change log ------------------------------------------------------------------

    async def _log(self, changes: Sequence[tuple[int, int | None, str]]) -> None:
        await self._changes.record(changes)

    async def changes_since(self, seq: int, limit: int = 1000) -> ChangeBatch:
        return await self._changes.since(seq, limit)

    async def last_seq(self) -> int:
        return await self._changes.last_seq()

    async def repeats(self, items: Sequence[tuple[int, int | None]], field: str) -> list[int]:
        """How many `field` changes in a row each (listing id, variant id) has had lately."""
        return await self._changes.repeats(items, field)

    async def mark_changed(self, items: Sequence[tuple[int, int | None]], field: str) -> None:
        """Log a change for these (listing id, variant id or None) without changing data, so the
        next sync compares them with what each channel has (e.g. after a new link)."""
        await self._log([(listing_id, variant_id, field) for listing_id, variant_id in items])


def _merge(old: VariantUpdate, new: VariantUpdate) -> VariantUpdate:
    """Later statements win, field by field; unstated fields keep the earlier value."""
    stated = {f: getattr(new, f) for f in new.__dataclass_fields__ if getattr(new, f) is not None}
    return replace(old, **stated)


def _pairs_json(pairs: Pairs) -> str:
    return json.dumps([list(p) for p in pairs], ensure_ascii=False)


def _differs(new: Any, stored: Any, name: str) -> bool:
    if new is None:
        return False
    if name == "price":
        return stored is None or Decimal(stored) != new
    if name in ("options", "attributes"):
        return pairs_from_json(stored) != tuple(new)
    return bool(new != stored)


def _columns(u: VariantUpdate, row: Row | None) -> tuple[Any, ...]:
    """The stored columns upc … attributes after applying `u`."""

    def pick(name: str, encode: Any = None) -> Any:
        value = getattr(u, name)
        if value is None:
            return row[name] if row is not None else None
        return encode(value) if encode else value

    options = pick("options", _pairs_json) or "[]"
    attributes = pick("attributes", _pairs_json) or "[]"
    return (
        pick("upc"),
        pick("mpn"),
        pick("gtin"),
        pick("price", db_money),
        pick("quantity"),
        options,
        attributes,
    )
