"""Connection leases on PostgreSQL: several identical nodes share the connections, each one in
exactly one node at a time, and a dead or stalled node's connections move within about one
lease period. (SQLite has one node, which holds everything: no LeaseManager, no lease traffic.)

A heartbeat every third of the lease period, in one transaction:

1. the node says it is alive (`nodes.seen_ms`) and renews the leases it holds, each under the
   epoch it claimed it with; one it cannot renew was taken over: its runs are cancelled at once;
2. the fair share is the connections over the nodes seen within one period, rounded up; below
   it, the node claims free or expired leases (`FOR UPDATE SKIP LOCKED`, so nodes never wait
   on each other), each claim bumping the epoch that fences the previous holder's writes;
3. above it, the node hands the extra ones back: no new runs start there, running ones finish
   their page and commit, then the lease is released for another node to claim.

Between heartbeats the node wakes when a lease held elsewhere is due to expire, so a dead
node's connections are claimed as soon as its leases run out rather than up to a heartbeat
later. Every expiry is judged by the database's clock; the nodes' clocks are used only to
measure how long ago they sent a renewal (monotonic), so skew between hosts does not matter.

A lease not renewed within the period as the node itself measures it (a stall, an unreachable
database) lapses at once: its writes are refused locally while the node asks the database; if
that does not renew it within a third of a period more, the lease is dropped and its runs
cancelled. Daemon-wide duties that must run on one node (delivering the outbox to sinks) are
leases too, held by whichever node finds them free.
"""

from __future__ import annotations

import math
import uuid
from collections.abc import Iterable, Sequence
from datetime import datetime
from typing import Protocol

import anyio
import structlog
from anyio.abc import TaskGroup, TaskStatus

from flxd.clock import Clock
from flxd.cluster.fencing import Fence, Tenure, TenureState
from flxd.cluster.held import HeldLeases, LeaseStats
from flxd.cluster.leasebook import LeaseBook
from flxd.store import Database, Tx

__all__ = ["OUTBOX", "LeaseListener", "LeaseManager", "LeaseStats"]

log = structlog.get_logger("flxd.cluster.leases")

OUTBOX = "~outbox"
"""The duty of delivering hub events to sinks ('~' cannot start a connection's name)."""


class LeaseListener(Protocol):
    """What happens to runs when leases come and go (the daemon wires its runner here)."""

    def lease_lost(self, connection: str, why: str) -> None:
        """The lease is gone: cancel the connection's runs now."""

    def lease_claimed(self, name: str) -> None:
        """A lease (or a duty) came to this node."""

    async def hand_over(self, connection: str) -> None:
        """Stop starting runs of the connection and wait for its running ones to finish."""

    def busy(self, connection: str) -> bool:
        """Whether a run of the connection is under way (idle ones are handed over first)."""


class _NoListener:
    def lease_lost(self, connection: str, why: str) -> None:
        return None

    def lease_claimed(self, name: str) -> None:
        return None

    async def hand_over(self, connection: str) -> None:
        return None

    def busy(self, connection: str) -> bool:
        return False


class LeaseManager:
    """One node's leases. `balance=True` (the daemon): take a fair share of `configure`d
    connections and hand extras back. `balance=False` (`run --once`): hold only what `claim`
    got, and never count as a node in anyone's fair share."""

    def __init__(
        self,
        db: Database,
        clock: Clock,
        *,
        node: str,
        period: float,
        balance: bool = True,
        listener: LeaseListener | None = None,
    ) -> None:
        self.db = db
        self.clock = clock
        self.node = node
        self.period = period
        self.interval = period / 3
        self._period_ms = int(period * 1000)
        self._balance = balance
        self._wanted: tuple[str, ...] = ()
        self._duties: tuple[str, ...] = (OUTBOX,) if balance else ()
        self._rows: frozenset[str] = frozenset()
        self._lock = anyio.Lock()
        self._beat_now = anyio.Event()
        self._changed = anyio.Event()
        self._next_beat = self.interval
        self._tg: TaskGroup | None = None
        self._failing = False
        self._instance = uuid.uuid4().hex
        self._registered = False
        self._twin = False
        self.stats = LeaseStats()
        self._listener: LeaseListener = listener or _NoListener()
        self._held = HeldLeases(clock, node=node, period_ms=self._period_ms, stats=self.stats)

    # ---- what the runner and the channels ask ----------------------------------------------

    def configure(self, connections: Iterable[str]) -> None:
        """The connections to share out (the enabled ones of the config); on start and reload."""
        self._wanted = tuple(sorted(set(connections)))

    @property
    def view(self) -> HeldLeases:
        """What this node holds, as it sees it (what runs and requests ask)."""
        return self._held

    def holds(self, name: str) -> bool:
        return self._held.holds(name)

    def held(self) -> list[str]:
        return self._held.held()

    def fence(self, connection: str) -> Fence | None:
        return self._held.fence(connection)

    def admit(self, connection: str) -> None:
        self._held.admit(connection)

    # ---- the heartbeat -----------------------------------------------------------------------

    async def serve(self, *, task_status: TaskStatus[None] = anyio.TASK_STATUS_IGNORED) -> None:
        """Heartbeat until cancelled. The first beat happens before `started`, so a node holds
        its leases (as many as it can claim yet) before it reports itself ready."""
        async with anyio.create_task_group() as tg:
            self._tg = tg
            await self._beat_guarded()
            task_status.started()
            tg.start_soon(self._watch)
            while True:
                self._beat_now = anyio.Event()
                with anyio.move_on_after(self._next_beat):
                    await self._beat_now.wait()
                await self._beat_guarded()

    async def _beat_guarded(self) -> None:
        try:
            with anyio.fail_after(self.period):
                await self.beat()
        except Exception as exc:  # the database may be away; the watcher drops stale leases
            self._next_beat = self.interval
            if not self._failing:
                self._failing = True
                log.error("lease heartbeat failing", node=self.node, error=repr(exc))
            return
        if self._failing:
            self._failing = False
            log.info("lease heartbeat recovered", node=self.node)

    async def beat(self) -> None:
        """One heartbeat: renew, then (balancing) claim up to the fair share or shed extras."""
        async with self._lock:
            sent, claimed_at = self.clock.monotonic(), self.clock.now()
            mine = {t.connection: t for t in self._held if t.state is not TenureState.LOST}
            async with self.db.transaction() as tx:
                book = self._book(tx)
                now = await book.now()
                added = await self._ensure_rows(book, (*self._wanted, *self._duties))
                live = 1
                if self._balance:
                    self._notice_twin(await book.register(now, self._instance))
                    live = max(1, await book.live_nodes(now))
                renewed = await book.renew(now, list(mine.values()))
                wanted = set(self._wanted)
                target = math.ceil(len(self._wanted) / live)
                claimed: dict[str, tuple[int, str | None]] = {}
                if self._balance:
                    keeping = [n for n in renewed if n in wanted and not mine[n].shedding]
                    if len(keeping) < target:
                        free = [n for n in self._wanted if n not in mine]
                        claimed = await book.claim(now, free, target - len(keeping))
                    duties = [d for d in self._duties if d not in mine]
                    if duties:
                        claimed |= await book.claim(now, duties, len(duties))
                upcoming = await book.next_expiry(now, (*self._wanted, *self._duties))
            self._rows |= added
            self.stats.live_nodes = live
            for name, tenure in mine.items():
                if name in renewed:
                    tenure.deadline = sent + self.period
                    if tenure.state is TenureState.LAPSED:
                        tenure.state = TenureState.HELD
                        log.info("lease renewed after a lapse", connection=name, epoch=tenure.epoch)
                else:
                    self._lose(name, "another node holds it now")
            for name, (epoch, previous) in claimed.items():
                self._held.put(Tenure(name, epoch, sent + self.period))
                self.stats.claimed += 1
                log.info("lease claimed", connection=name, epoch=epoch, previous_owner=previous)
            shed = self._extras(target) if self._balance else []
            self._next_beat = self.interval
            if upcoming is not None:
                # Wake just after the next foreign lease runs out, so a dead node's
                # connections move as soon as they can.
                self._next_beat = min(self.interval, (upcoming - now) / 1000 + 0.05)
            self._changed.set()
        moved = [n for n in claimed if not n.startswith("~")]
        if moved:
            await self._abandon_runs(moved, claimed_at)
        for name in claimed:
            self._listener.lease_claimed(name)
        for tenure in shed:
            if self._tg is not None:
                self._tg.start_soon(self._shed, tenure)
            else:  # a beat driven by hand (tests): hand over before returning
                await self._shed(tenure)

    async def claim(self, names: Sequence[str]) -> dict[str, str | None]:
        """`run --once`: claim these connections if free; returns the holder of each one that
        could not be claimed (None: momentarily locked by a node's heartbeat)."""
        async with self._lock:
            self._wanted = tuple(sorted(set(self._wanted) | set(names)))
            sent, claimed_at = self.clock.monotonic(), self.clock.now()
            async with self.db.transaction() as tx:
                book = self._book(tx)
                now = await book.now()
                added = await self._ensure_rows(book, names)
                wanted = [n for n in names if n not in self._held]
                claimed = await book.claim(now, wanted, len(wanted))
                holders = await book.holders([n for n in wanted if n not in claimed])
            self._rows |= added
            for name, (epoch, previous) in claimed.items():
                self._held.put(Tenure(name, epoch, sent + self.period))
                self.stats.claimed += 1
                log.info("lease claimed", connection=name, epoch=epoch, previous_owner=previous)
            self._changed.set()
        if claimed:
            await self._abandon_runs(list(claimed), claimed_at)
        return holders

    async def release_all(self) -> None:
        """Clean shutdown: hand every lease back (and leave the fair share) at once."""
        with anyio.CancelScope(shield=True), anyio.move_on_after(10):
            held = [t for t in self._held if t.state is not TenureState.LOST]
            await self._release(held)
            if self._balance:
                try:
                    async with self.db.transaction() as tx:
                        await self._book(tx).leave()
                except Exception as exc:  # it drops out of the fair share a period later
                    log.error("cannot leave the node table", error=repr(exc))

    # ---- the parts ---------------------------------------------------------------------------

    def _book(self, tx: Tx) -> LeaseBook:
        return LeaseBook(tx, node=self.node, period_ms=self._period_ms)

    def _notice_twin(self, previous: str | None) -> None:
        """Another process heartbeating under this node id overwrites the instance between two
        of this one's beats: both would claim the same leases back and forth (fenced, but
        churning). Said once, until it stops."""
        twin = self._registered and previous not in (None, self._instance)
        if twin and not self._twin:
            log.error(
                "another flxd process heartbeats with this node id; give each its own "
                "[daemon] node_id",
                node=self.node,
            )
        self._twin, self._registered = twin, True

    async def _ensure_rows(self, book: LeaseBook, names: Sequence[str]) -> frozenset[str]:
        """Rows for names not seen yet; the caller remembers them once its transaction commits."""
        missing = frozenset(n for n in names if n not in self._rows)
        await book.ensure(sorted(missing))
        return missing

    async def _abandon_runs(self, names: Sequence[str], claimed_at: datetime) -> None:
        async with self.db.transaction() as tx:
            count = await self._book(tx).fail_stale_runs(names, self.clock.now(), claimed_at)
        if count:
            log.warning("runs of a previous holder marked failed", count=count, node=self.node)

    async def _release(self, tenures: Sequence[Tenure]) -> None:
        if not tenures:
            return
        try:
            async with self.db.transaction() as tx:
                await self._book(tx).release(tenures)
        except Exception as exc:  # the database is away: the leases simply expire
            log.error("cannot release leases; they expire instead", error=repr(exc))
        finally:
            # Released or not (then it simply expires), this node no longer uses them.
            for tenure in tenures:
                if self._held.get(tenure.connection) is tenure:
                    self._held.pop(tenure.connection)
                    tenure.state = TenureState.LOST
                    self.stats.released += 1
                    log.info("lease released", connection=tenure.connection, epoch=tenure.epoch)
            self._changed.set()

    def _extras(self, target: int) -> list[Tenure]:
        """Mark the leases over the fair share (and those no longer configured) for handing
        over; returns them."""
        wanted = set(self._wanted)
        active = [
            t.connection
            for t in self._held
            if t.state is TenureState.HELD and not t.shedding and not t.connection.startswith("~")
        ]
        extras = [n for n in active if n not in wanted]  # removed from the config
        kept = sorted((n for n in active if n in wanted), key=lambda n: (self._listener.busy(n), n))
        extras += kept[: max(0, len(kept) - target)]  # idle ones first: they move at once
        shed = []
        for name in extras:
            tenure = self._held.get(name)
            assert tenure is not None
            tenure.shedding = True
            shed.append(tenure)
            log.info("handing a lease over for balance", connection=name, epoch=tenure.epoch)
        return shed

    async def _shed(self, tenure: Tenure) -> None:
        try:
            await self._listener.hand_over(tenure.connection)
        finally:
            with anyio.CancelScope(shield=True):
                async with self._lock:
                    # Lapsed (a renewal late, being asked about) is still ours to hand back;
                    # skipping it would keep it shedding, and held, for good.
                    if tenure.state is not TenureState.LOST:
                        await self._release([tenure])

    def _lose(self, name: str, why: str) -> None:
        tenure = self._held.pop(name)
        if tenure is None:
            return
        tenure.state = TenureState.LOST
        self.stats.lost += 1
        log.warning("lease lost", connection=name, epoch=tenure.epoch, reason=why)
        self._listener.lease_lost(name, why)

    async def _watch(self) -> None:
        while True:
            self._changed = anyio.Event()
            wait = self.check_deadlines()
            with anyio.move_on_after(wait):
                await self._changed.wait()

    def check_deadlines(self) -> float:
        """Lapse leases not renewed in time, drop those still not renewed a third of a period
        later; returns the seconds until the next deadline."""
        now = self.clock.monotonic()
        soonest = self.interval
        lapsed = False
        for tenure in self._held:
            if tenure.state is TenureState.HELD:
                if now < tenure.deadline:
                    soonest = min(soonest, tenure.deadline - now)
                    continue
                tenure.state = TenureState.LAPSED
                lapsed = True
                log.warning(
                    "lease not renewed in time; asking the database",
                    connection=tenure.connection,
                    epoch=tenure.epoch,
                )
            give_up = tenure.deadline + self.interval
            if now >= give_up:
                self._lose(tenure.connection, "not renewed within a lease period")
            else:
                soonest = min(soonest, give_up - now)
        if lapsed:
            self._beat_now.set()
        return max(soonest, 0.01)
