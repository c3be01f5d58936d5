"""The hub catalog: listings, variants, the change log, and links to channel items.

Every change bumps the change sequence and appends to the change log in the same transaction,
so `sync_listings` can push exactly what changed since its cursor.
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass, field, replace
from datetime import datetime
from decimal import Decimal
from itertools import islice
from typing import Any, TypeVar

from flxd.hub.model import (
    Listing,
    ListingStatus,
    Pairs,
    Presence,
    Variant,
    VariantUpdate,
    sku_key,
)
from flxd.store import Row, Tx, db_money, db_time, parse_db_money

__all__ = ["COUNTER", "Catalog", "Change", "ChangeBatch", "UpsertResult"]

COUNTER = "change_seq"
CHUNK = 500
_VARIANT_FIELDS = ("upc", "mpn", "gtin", "price", "quantity", "options", "attributes")
_VARIANT_COLUMNS = "id, listing_id, sku, upc, mpn, gtin, price, quantity, options, attributes, seq"
_LISTING_COLUMNS = "id, key, name, description, status, presence, seq"

T = TypeVar("T")


@dataclass(slots=True)
class UpsertResult:
    created: int = 0
    updated: int = 0
    unchanged: int = 0
    listings_created: int = 0


@dataclass(frozen=True, slots=True)
class Change:
    seq: int
    listing_id: int
    variant_id: int | None
    fields: tuple[str, ...]


@dataclass(frozen=True, slots=True)
class ChangeBatch:
    """Changes after a cursor, in order; `last_seq` is where the cursor goes once pushed."""

    last_seq: int
    changes: tuple[Change, ...] = field(default=())

    @property
    def listing_ids(self) -> list[int]:
        return sorted({c.listing_id for c in self.changes})


class Catalog:
    """Catalog operations inside one transaction."""

    def __init__(self, tx: Tx, now: datetime) -> None:
        self._tx = tx
        self._now = db_time(now)

    # ---- writing -------------------------------------------------------------------------

    async def upsert(
        self, updates: Iterable[VariantUpdate], *, new_status: ListingStatus = ListingStatus.ACTIVE
    ) -> UpsertResult:
        """Create or update variants by master SKU; only real changes reach the change log."""
        result = UpsertResult()
        for chunk in _batched(updates, CHUNK):
            await self._upsert_chunk(chunk, new_status, result)
        return result

    async def _upsert_chunk(
        self, chunk: Sequence[VariantUpdate], new_status: ListingStatus, result: UpsertResult
    ) -> None:
        # The change log's counter before any variant or listing row (see Tx.lock_counter).
        await self._tx.lock_counter(COUNTER)
        merged: dict[str, VariantUpdate] = {}
        for update in chunk:
            key = sku_key(update.sku)
            merged[key] = _merge(merged[key], update) if key in merged else update
        existing = {
            row["sku_key"]: row
            for row in await self._fetch_in(
                f"SELECT {_VARIANT_COLUMNS}, sku_key FROM variants WHERE sku_key IN", list(merged)
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
                f"SELECT {_LISTING_COLUMNS} FROM listings WHERE key IN", list(wanted)
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
                f"SELECT {_LISTING_COLUMNS} FROM listings WHERE key IN", missing
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
        await self._tx.lock_counter(COUNTER)
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

    async def _log(self, changes: Sequence[tuple[int, int | None, str]]) -> None:
        if not changes:
            return
        first = await self._tx.next_values(COUNTER, len(changes))
        rows = [(first + i, lid, vid, f, self._now) for i, (lid, vid, f) in enumerate(changes)]
        await self._tx.executemany(
            "INSERT INTO change_log (seq, listing_id, variant_id, fields, at) "
            "VALUES (?, ?, ?, ?, ?)",
            rows,
        )
        variant_seqs = [(seq, vid) for seq, _, vid, _, _ in rows if vid is not None]
        listing_seqs = {lid: seq for seq, lid, vid, _, _ in rows if vid is None}
        if variant_seqs:
            await self._tx.executemany("UPDATE variants SET seq = ? WHERE id = ?", variant_seqs)
        if listing_seqs:
            await self._tx.executemany(
                "UPDATE listings SET seq = ? WHERE id = ?",
                [(seq, lid) for lid, seq in listing_seqs.items()],
            )

    # ---- reading -------------------------------------------------------------------------

    async def changes_since(self, seq: int, limit: int = 1000) -> ChangeBatch:
        rows = await self._tx.fetch(
            "SELECT seq, listing_id, variant_id, fields FROM change_log "
            "WHERE seq > ? ORDER BY seq LIMIT ?",
            seq,
            limit,
        )
        if not rows:
            return ChangeBatch(last_seq=seq)
        return ChangeBatch(
            last_seq=rows[-1]["seq"],
            changes=tuple(
                Change(r["seq"], r["listing_id"], r["variant_id"], tuple(r["fields"].split(",")))
                for r in rows
            ),
        )

    async def last_seq(self) -> int:
        return int(await self._tx.fetchval("SELECT value FROM counters WHERE name = ?", COUNTER))

    async def variants_by_sku(self, skus: Iterable[str]) -> dict[str, Variant]:
        """Hub variants by master SKU, keyed by `sku_key` (SKUs match regardless of case)."""
        rows = await self._fetch_in(
            f"SELECT {_VARIANT_COLUMNS}, sku_key FROM variants WHERE sku_key IN",
            list({sku_key(s) for s in skus}),
        )
        return {r["sku_key"]: _variant(r) for r in rows}

    async def variant_ids(self, skus: Iterable[str]) -> dict[str, tuple[int, int]]:
        """(variant id, listing id) by `sku_key`: `variants_by_sku` without the variant data."""
        rows = await self._fetch_in(
            "SELECT sku_key, id, listing_id FROM variants WHERE sku_key IN",
            list({sku_key(s) for s in skus}),
        )
        return {r["sku_key"]: (int(r["id"]), int(r["listing_id"])) for r in rows}

    async def listing_keys(self, ids: Iterable[int]) -> dict[int, str]:
        rows = await self._fetch_in("SELECT id, key FROM listings WHERE id IN", list(set(ids)))
        return {int(r["id"]): str(r["key"]) for r in rows}

    async def listings_by_key(self, keys: Iterable[str]) -> dict[str, int]:
        """Ids of the listings with these keys (the ones that exist)."""
        rows = await self._fetch_in("SELECT id, key FROM listings WHERE key IN", list(set(keys)))
        return {str(r["key"]): int(r["id"]) for r in rows}

    async def mark_changed(self, items: Sequence[tuple[int, int | None]], field: str) -> None:
        """Log a change for these (listing id, variant id or None) without changing data, so the
        next sync compares them with what each channel has (e.g. after a new link)."""
        await self._log([(listing_id, variant_id, field) for listing_id, variant_id in items])

    async def resolve_listings(self, skus: Sequence[str]) -> dict[str, Row]:
        """Listing rows for SKUs that are either a variant's SKU or a listing key."""
        found: dict[str, Row] = {}
        keys = {sku_key(s): s for s in skus}
        for row in await self._fetch_in(
            f"SELECT v.sku_key AS lookup, l.{_LISTING_COLUMNS.replace(', ', ', l.')} "
            "FROM variants v JOIN listings l ON l.id = v.listing_id WHERE v.sku_key IN",
            list(keys),
        ):
            found[keys[row["lookup"]]] = row
        rest = [s for s in skus if s not in found]
        for row in await self._fetch_in(
            f"SELECT {_LISTING_COLUMNS} FROM listings WHERE key IN", rest
        ):
            found[row["key"]] = row
        return found

    async def listing(self, sku: str) -> Listing | None:
        found = await self.resolve_listings([sku])
        if sku not in found:
            return None
        listings = await self.listings_by_id([found[sku]["id"]])
        return listings.get(found[sku]["id"])

    async def listings_by_id(self, ids: Sequence[int]) -> dict[int, Listing]:
        rows = await self._fetch_in(f"SELECT {_LISTING_COLUMNS} FROM listings WHERE id IN", ids)
        return await self._with_variants(rows)

    async def listings(
        self, *, after_id: int = 0, limit: int = 100, status: ListingStatus | None = None
    ) -> list[Listing]:
        sql = f"SELECT {_LISTING_COLUMNS} FROM listings WHERE id > ?"
        args: list[Any] = [after_id]
        if status is not None:
            sql += " AND status = ?"
            args.append(status.value)
        rows = await self._tx.fetch(sql + " ORDER BY id LIMIT ?", *args, limit)
        by_id = await self._with_variants(rows)
        return [by_id[r["id"]] for r in rows]

    async def unlinked_listings(
        self, connection: str, *, after_id: int = 0, limit: int = 100
    ) -> list[Listing]:
        """Active, listed listings with no variant linked on this connection (for publishing)."""
        rows = await self._tx.fetch(
            f"SELECT {_LISTING_COLUMNS} FROM listings l WHERE id > ? AND status = 'active' "
            "AND presence = 'listed' AND NOT EXISTS (SELECT 1 FROM links k "
            "WHERE k.connection = ? AND k.listing_id = l.id) ORDER BY id LIMIT ?",
            after_id,
            connection,
            limit,
        )
        by_id = await self._with_variants(rows)
        return [by_id[r["id"]] for r in rows]

    async def count(self) -> tuple[int, int]:
        """(listings, variants) in the hub."""
        listings = await self._tx.fetchval("SELECT count(*) FROM listings")
        variants = await self._tx.fetchval("SELECT count(*) FROM variants")
        return int(listings), int(variants)

    async def _with_variants(self, rows: Sequence[Row]) -> dict[int, Listing]:
        variants: dict[int, list[Variant]] = {}
        for row in await self._fetch_in(
            f"SELECT {_VARIANT_COLUMNS} FROM variants WHERE listing_id IN", [r["id"] for r in rows]
        ):
            variants.setdefault(row["listing_id"], []).append(_variant(row))
        return {
            r["id"]: Listing(
                id=r["id"],
                key=r["key"],
                name=r["name"],
                description=r["description"],
                status=ListingStatus(r["status"]),
                presence=Presence(r["presence"]),
                seq=r["seq"],
                variants=tuple(sorted(variants.get(r["id"], ()), key=lambda v: v.id)),
            )
            for r in rows
        }

    async def _fetch_in(self, sql: str, values: Sequence[Any], *prefix: Any) -> list[Row]:
        """`sql` ends with `IN`; runs it for `values` in chunks the drivers accept."""
        found: list[Row] = []
        for chunk in _batched(values, CHUNK):
            marks = ", ".join("?" * len(chunk))
            found.extend(await self._tx.fetch(f"{sql} ({marks})", *prefix, *chunk))
        return found


def _batched(items: Iterable[T], size: int) -> Iterator[list[T]]:
    iterator = iter(items)
    while chunk := list(islice(iterator, size)):
        yield chunk


def _merge(old: VariantUpdate, new: VariantUpdate) -> VariantUpdate:
    """Later statements win, field by field; unstated fields keep the earlier value."""
    stated = {f: getattr(new, f) for f in new.__dataclass_fields__ if getattr(new, f) is not None}
    return replace(old, **stated)


def _pairs_json(pairs: Pairs) -> str:
    return json.dumps([list(p) for p in pairs], ensure_ascii=False)


def _pairs(text: str) -> Pairs:
    return tuple((str(n), str(v)) for n, v in json.loads(text))


def _differs(new: Any, stored: Any, name: str) -> bool:
    if new is None:
        return False
    if name == "price":
        return stored is None or Decimal(stored) != new
    if name in ("options", "attributes"):
        return _pairs(stored) != tuple(new)
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


def _variant(row: Row) -> Variant:
    return Variant(
        id=row["id"],
        listing_id=row["listing_id"],
        sku=row["sku"],
        upc=row["upc"],
        mpn=row["mpn"],
        gtin=row["gtin"],
        price=parse_db_money(row["price"]),
        quantity=row["quantity"],
        options=_pairs(row["options"]),
        attributes=_pairs(row["attributes"]),
        seq=row["seq"],
    )
