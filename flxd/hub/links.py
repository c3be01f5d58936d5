"""Links between hub variants and channel items, inside one transaction.

A link is what a connection remembers about one hub variant's counterpart: the product and
variant ids on the channel, its state there (listed, hidden, delisted, missing, failed) and the
price and quantity last accepted. Import writes links, publish creates them, sync reads and
updates them; every method here works on many links in one round trip.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from decimal import Decimal
from typing import Any

from flxd.hub.model import Link, LinkState
from flxd.store import Row, Tx, db_money, db_time, parse_db_money
from flxd.store.inlists import execute_in, fetch_in

__all__ = ["LIVE_STATES", "Links", "link_from_row"]

LIVE_STATES = frozenset({LinkState.LISTED, LinkState.HIDDEN})
"""States in which the channel item exists and flxd pushes to it."""

_UPSERT = (
    "INSERT INTO links (connection, variant_id, listing_id, product_ref, variant_ref, "
    "state, pushed_price, pushed_quantity, error, stock_ref, updated_at) "
    "VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?) "
    "ON CONFLICT (connection, variant_id) DO UPDATE SET listing_id = excluded.listing_id, "
    "product_ref = excluded.product_ref, variant_ref = excluded.variant_ref, "
    "state = excluded.state, pushed_price = excluded.pushed_price, "
    "pushed_quantity = excluded.pushed_quantity, error = excluded.error, "
    "stock_ref = excluded.stock_ref, updated_at = excluded.updated_at"
)


class Links:
    def __init__(self, tx: Tx, now: datetime) -> None:
        self._tx = tx
        self._now = db_time(now)

    async def save(self, links: Sequence[Link]) -> None:
        """Tie hub variants to channel items, replacing each variant's earlier tie on the
        same connection."""
        if not links:
            return
        await self._tx.executemany(
            _UPSERT,
            [
                (
                    link.connection,
                    link.variant_id,
                    link.listing_id,
                    link.product_ref,
                    link.variant_ref,
                    link.state.value,
                    db_money(link.pushed_price),
                    link.pushed_quantity,
                    link.error,
                    link.stock_ref,
                    self._now,
                )
                for link in links
            ],
        )

    async def remove(self, connection: str, variant_ids: Sequence[int]) -> None:
        """Forget these variants' links on the connection."""
        await execute_in(
            self._tx,
            "DELETE FROM links WHERE connection = ? AND variant_id IN",
            variant_ids,
            connection,
        )

    async def mark(
        self,
        connection: str,
        variant_ids: Sequence[int],
        *,
        state: LinkState | None = None,
        error: str | None = None,
    ) -> None:
        """Set these links' error (None clears it) and, if given, their state."""
        await execute_in(
            self._tx,
            "UPDATE links SET state = COALESCE(?, state), error = ?, updated_at = ? "
            "WHERE connection = ? AND variant_id IN",
            variant_ids,
            state.value if state is not None else None,
            error,
            self._now,
            connection,
        )

    async def set_listing_state(
        self, connection: str, listing_id: int, state: LinkState, *, error: str | None = None
    ) -> None:
        """Set the state of every link of a listing on a connection (listings act as a whole)."""
        await self._tx.execute(
            "UPDATE links SET state = ?, error = ?, updated_at = ? "
            "WHERE connection = ? AND listing_id = ?",
            state.value,
            error,
            self._now,
            connection,
            listing_id,
        )

    async def record_pushed(
        self, connection: str, pushed: Sequence[tuple[int, Decimal | None, int | None]]
    ) -> None:
        """Remember the (variant_id, price, quantity) last accepted by the channel."""
        await self._tx.executemany(
            "UPDATE links SET pushed_price = ?, pushed_quantity = ?, error = NULL, updated_at = ? "
            "WHERE connection = ? AND variant_id = ?",
            [(db_money(p), q, self._now, connection, vid) for vid, p, q in pushed],
        )

    async def correct_pushed(
        self,
        connection: str,
        *,
        prices: Sequence[tuple[int, Decimal | None]] = (),
        quantities: Sequence[tuple[int, int | None]] = (),
    ) -> None:
        """What the channel was found to have (reconciliation), in place of what was pushed:
        (variant_id, value), None for "unknown, send again". Errors are left as they are."""
        if prices:
            await self._tx.executemany(
                "UPDATE links SET pushed_price = ?, updated_at = ? "
                "WHERE connection = ? AND variant_id = ?",
                [(db_money(p), self._now, connection, vid) for vid, p in prices],
            )
        if quantities:
            await self._tx.executemany(
                "UPDATE links SET pushed_quantity = ?, updated_at = ? "
                "WHERE connection = ? AND variant_id = ?",
                [(q, self._now, connection, vid) for vid, q in quantities],
            )

    async def for_listings(self, connection: str, listing_ids: Sequence[int]) -> list[Link]:
        """Every link of these hub listings."""
        return await self._fetch("listing_id", connection, listing_ids)

    async def locate_stock(
        self, connection: str, variant_ids: Sequence[int], stock_ref: str | None
    ) -> None:
        """Record where these variants' stock lives on the channel (see `Link.stock_ref`)."""
        await execute_in(
            self._tx,
            "UPDATE links SET stock_ref = ?, updated_at = ? WHERE connection = ? AND variant_id IN",
            variant_ids,
            stock_ref,
            self._now,
            connection,
        )

    async def for_products(self, connection: str, product_refs: Sequence[str]) -> list[Link]:
        """Every link to these channel products."""
        return await self._fetch("product_ref", connection, product_refs)

    async def for_variants(self, connection: str, variant_ids: Sequence[int]) -> list[Link]:
        """The links of these hub variants."""
        return await self._fetch("variant_id", connection, variant_ids)

    async def publishable(
        self, connection: str, *, after_id: int = 0, limit: int = 100, changed_after: int | None
    ) -> list[int]:
        """Ids of active, listed listings with nothing live on the connection, in id order:
        never published, delisted and since relisted, or refused earlier (`failed`) and
        changed after change sequence `changed_after` (None: retry every refused one).

        A listing whose product was deleted on the channel behind flxd's back (`missing`) is
        not published again by itself: delist and relist it to do that.
        """
        retry = "1 = 1"
        if changed_after is not None:
            retry = (
                "l.seq > ? OR EXISTS "
                "(SELECT 1 FROM variants v WHERE v.listing_id = l.id AND v.seq > ?)"
            )
        args: list[Any] = [after_id, connection, connection]
        if changed_after is not None:
            args += [changed_after, changed_after]
        rows = await self._tx.fetch(
            "SELECT l.id FROM listings l WHERE l.id > ? AND l.status = 'active' "
            "AND l.presence = 'listed' AND NOT EXISTS (SELECT 1 FROM links k "
            "WHERE k.connection = ? AND k.listing_id = l.id "
            "AND k.state IN ('listed', 'hidden', 'missing')) "
            "AND (NOT EXISTS (SELECT 1 FROM links k WHERE k.connection = ? "
            f"AND k.listing_id = l.id AND k.state = 'failed') OR {retry}) "
            "ORDER BY l.id LIMIT ?",
            *args,
            limit,
        )
        return [int(r["id"]) for r in rows]

    async def _fetch(self, column: str, connection: str, values: Sequence[Any]) -> list[Link]:
        rows = await fetch_in(
            self._tx,
            f"SELECT * FROM links WHERE connection = ? AND {column} IN",
            values,
            connection,
        )
        return [link_from_row(r) for r in rows]


def link_from_row(row: Row) -> Link:
    return Link(
        connection=row["connection"],
        variant_id=row["variant_id"],
        listing_id=row["listing_id"],
        product_ref=row["product_ref"],
        variant_ref=row["variant_ref"],
        state=LinkState(row["state"]),
        pushed_price=parse_db_money(row["pushed_price"]),
        pushed_quantity=row["pushed_quantity"],
        error=row["error"],
        stock_ref=row["stock_ref"],
    )
