"""Rows that name a listing by its key where a variant's SKU belongs.

A listing with variants TEE-S and TEE-M has the key TEE. A row `sku=TEE` (a "parent row", as
some marketplaces' files have) is not one of its variants: upserted, it would become a new,
option-less variant TEE of that listing, which no channel can place beside the others (and
whose SKU would clash with the product's own). Such rows are refused, with the reason.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime

from flxd.hub.catalog import Catalog, UpsertResult
from flxd.hub.files.listings import ParsedFile, RowProblem
from flxd.hub.model import VariantUpdate, sku_key
from flxd.store import Tx

__all__ = ["listing_key_rows", "upsert_file"]


async def upsert_file(tx: Tx, now: datetime, parsed: ParsedFile) -> UpsertResult:
    """Upsert a parsed listing file's rows, except those naming a listing by its key, which
    join `parsed.problems` (in line order)."""
    refused = await listing_key_rows(tx, now, parsed.updates)
    parsed.problems += [RowProblem(parsed.lines[i], why) for i, why in refused.items()]
    parsed.problems.sort(key=lambda p: p.line)
    kept = [u for i, u in enumerate(parsed.updates) if i not in refused]
    return await Catalog(tx, now).upsert(kept)


async def listing_key_rows(
    tx: Tx, now: datetime, updates: Sequence[VariantUpdate]
) -> dict[int, str]:
    """The index of each update whose SKU is the key of a listing that has (or, in the same
    file, gets) other variants, and would become a new variant of it -> why it is refused."""
    own_key = {
        i: u.sku.strip()
        for i, u in enumerate(updates)
        if (u.parent or u.sku).strip() == u.sku.strip()
    }
    if not own_key:
        return {}
    catalog = Catalog(tx, now)
    known = await catalog.variant_ids(own_key.values())
    own_key = {i: key for i, key in own_key.items() if sku_key(key) not in known}
    if not own_key:
        return {}
    # Other variants of those listings: in the hub, and in this file.
    siblings: dict[str, list[str]] = {key: [] for key in own_key.values()}
    ids = await catalog.listings_by_key(siblings)
    for listing in (await catalog.listings_by_id(list(ids.values()))).values():
        siblings[listing.key] += [v.sku for v in listing.variants]
    for u in updates:
        target = (u.parent or u.sku).strip()
        if target in siblings and sku_key(u.sku) != sku_key(target):
            siblings[target].append(u.sku.strip())
    return {
        i: _reason(key, list(dict.fromkeys(siblings[key])))
        for i, key in own_key.items()
        if siblings[key]
    }


def _reason(key: str, others: list[str]) -> str:
    shown = ", ".join(others[:3]) + (", …" if len(others) > 3 else "")
    return (
        f"sku: {key} is the key of listing {key} (variants {shown}), not a variant's SKU: a row "
        f"changes the variant its SKU names; a new variant needs its own SKU, with parent "
        f"{key} and its options"
    )
