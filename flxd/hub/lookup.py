"""Reading the hub catalog: listings with their variants, by id, key or SKU."""

from __future__ import annotations

import json
from collections.abc import Iterable, Sequence
from typing import Any

from flxd.hub.model import Listing, ListingStatus, Pairs, Presence, Variant, sku_key
from flxd.store import Row, Tx, parse_db_money
from flxd.store.inlists import fetch_in

__all__ = [
    "LISTING_COLUMNS",
    "VARIANT_COLUMNS",
    "CatalogLookup",
    "pairs_from_json",
    "variant_from_row",
]

VARIANT_COLUMNS = "id, listing_id, sku, upc, mpn, gtin, price, quantity, options, attributes, seq"
LISTING_COLUMNS = "id, key, name, description, status, presence, seq"


class CatalogLookup:
    """Catalog reads inside one transaction."""

    def __init__(self, tx: Tx) -> None:
        self._tx = tx

    async def variants_by_sku(self, skus: Iterable[str]) -> dict[str, Variant]:
        """Hub variants by master SKU, keyed by `sku_key` (SKUs match regardless of case)."""
        rows = await self._fetch_in(
            f"SELECT {VARIANT_COLUMNS}, sku_key FROM variants WHERE sku_key IN",
            list({sku_key(s) for s in skus}),
        )
        return {r["sku_key"]: variant_from_row(r) for r in rows}

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

    async def resolve_listings(self, skus: Sequence[str]) -> dict[str, Row]:
        """Listing rows for SKUs that are either a variant's SKU or a listing key."""
        found: dict[str, Row] = {}
        keys = {sku_key(s): s for s in skus}
        for row in await self._fetch_in(
            f"SELECT v.sku_key AS lookup, l.{LISTING_COLUMNS.replace(', ', ', l.')} "
            "FROM variants v JOIN listings l ON l.id = v.listing_id WHERE v.sku_key IN",
            list(keys),
        ):
            found[keys[row["lookup"]]] = row
        rest = [s for s in skus if s not in found]
        for row in await self._fetch_in(
            f"SELECT {LISTING_COLUMNS} FROM listings WHERE key IN", rest
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
        rows = await self._fetch_in(f"SELECT {LISTING_COLUMNS} FROM listings WHERE id IN", ids)
        return await self._with_variants(rows)

    async def listings(
        self, *, after_id: int = 0, limit: int = 100, status: ListingStatus | None = None
    ) -> list[Listing]:
        sql = f"SELECT {LISTING_COLUMNS} FROM listings WHERE id > ?"
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
            f"SELECT {LISTING_COLUMNS} FROM listings l WHERE id > ? AND status = 'active' "
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
            f"SELECT {VARIANT_COLUMNS} FROM variants WHERE listing_id IN", [r["id"] for r in rows]
        ):
            variants.setdefault(row["listing_id"], []).append(variant_from_row(row))
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

    async def _fetch_in(self, sql: str, values: Sequence[Any]) -> list[Row]:
        return await fetch_in(self._tx, sql, values)


def variant_from_row(row: Row) -> Variant:
    return Variant(
        id=row["id"],
        listing_id=row["listing_id"],
        sku=row["sku"],
        upc=row["upc"],
        mpn=row["mpn"],
        gtin=row["gtin"],
        price=parse_db_money(row["price"]),
        quantity=row["quantity"],
        options=pairs_from_json(row["options"]),
        attributes=pairs_from_json(row["attributes"]),
        seq=row["seq"],
    )


def pairs_from_json(text: str) -> Pairs:
    """Options or attributes as stored: a JSON list of [name, value]."""
    return tuple((str(n), str(v)) for n, v in json.loads(text))
