"""The change log: every hub change bumps the change sequence and is logged in the same
transaction, so `sync_listings` can push exactly what changed since its cursor."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import datetime

from flxd.store import Tx, db_time

__all__ = ["COUNTER", "Change", "ChangeBatch", "ChangeLog"]

COUNTER = "change_seq"
MAX_TRACKED_REPEATS = 50
"""`repeats` looks back this far at most."""


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


class ChangeLog:
    """The change log inside one transaction."""

    def __init__(self, tx: Tx, now: datetime) -> None:
        self._tx = tx
        self._now = db_time(now)

    async def lock(self) -> None:
        """Serialise writers: changes are logged in commit order."""
        await self._tx.lock_counter(COUNTER)

    async def record(self, changes: Sequence[tuple[int, int | None, str]]) -> None:
        """Log (listing id, variant id or None, fields) and stamp the rows with their seq."""
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

    async def since(self, seq: int, limit: int = 1000) -> ChangeBatch:
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

    async def repeats(self, items: Sequence[tuple[int, int | None]], field: str) -> list[int]:
        """For each (listing id, variant id or None): how many `field` entries were logged for
        it since its last other entry (e.g. how many runs in a row sent it again)."""
        counts = []
        for listing_id, variant_id in items:
            same = "variant_id IS NULL" if variant_id is None else f"variant_id = {int(variant_id)}"
            rows = await self._tx.fetch(
                f"SELECT fields FROM change_log WHERE listing_id = ? AND {same} "
                "ORDER BY seq DESC LIMIT ?",
                listing_id,
                MAX_TRACKED_REPEATS,
            )
            run = 0
            for row in rows:
                if row["fields"] != field:
                    break
                run += 1
            counts.append(run)
        return counts
