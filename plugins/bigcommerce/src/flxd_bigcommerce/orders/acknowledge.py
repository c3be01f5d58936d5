"""Telling BigCommerce that flxd has an order: move it to a status, or write an order metafield.

An order is acknowledged once, after it is stored (its hub row says `pending` until settled).
V2 has no conditional update, so before moving orders to the acknowledgement status flxd asks,
in one request per page, which of them changed since they were read (`min_date_modified` at the
page's newest `date_modified`: any later change is stamped at or after it). An order whose status
someone else changed is not overwritten: it is settled as a conflict, counted, logged and sent to
sinks as `order.acknowledge_conflict`. One that already has the acknowledgement status needs no
write. What is left is written concurrently, within the connection's request limit; metafields
go many orders a request (`metafield_batch`).

A write whose outcome is unknown (the connection dropped) leaves the order pending; the next run
looks first (`catch_up`): the order already in the target status, or the metafield already
there, means it was done.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Sequence
from datetime import UTC, datetime, timedelta

from flxd.plugin import (
    AckState,
    HubWriter,
    PermanentError,
    RunContext,
    TransientError,
    settle_acknowledgements,
    task_group,
)
from flxd_bigcommerce.client import BigCommerceClient
from flxd_bigcommerce.config import GetOrdersSettings
from flxd_bigcommerce.errors import MissingScope, NotFound
from flxd_bigcommerce.orders.mapping import status_of
from flxd_bigcommerce.orders.metafield_batch import BATCH_PART, MetafieldBatches
from flxd_bigcommerce.orders.outcome import AckCandidate, Outcome
from flxd_bigcommerce.parse import format_v2_date
from flxd_bigcommerce.statuses import STATUS_NAMES

__all__ = ["AckCandidate", "Acknowledger", "Outcome", "decide_changed", "record_outcomes"]

_CATCH_UP = 10
"""Earlier runs' pending orders settled (and committed) at a time: a process that keeps being
stopped half-way through the catch-up still gets further each time (found by issue 9's crash
test: with 100, every restart looked at the same orders again and settled none)."""
_CLOCK_MARGIN = timedelta(seconds=2)  # /v2/time and date_modified have whole seconds


def _named(status: int) -> str:
    return f"{status} {STATUS_NAMES.get(status, '?')}"


def decide_changed(imported: int, current: int, target: int | None) -> Outcome | None:
    """An order still to be acknowledged whose status is `current` now. None: unchanged, go on;
    otherwise it needs no write (already in the target) or must not get one (a conflict)."""
    if current == imported:
        return None
    if target is not None and current == target:
        return Outcome(AckState.DONE, f"already in status {_named(target)}", current)
    return Outcome(
        AckState.CONFLICT,
        f"status changed from {_named(imported)} to {_named(current)} on BigCommerce before "
        "acknowledgement; not overwritten",
        current,
        conflict=True,
    )


async def record_outcomes(
    hub: HubWriter, ctx: RunContext, settled: Sequence[tuple[AckCandidate, Outcome]]
) -> None:
    """Settle orders' acknowledgements in the hub (inside the caller's transaction)."""
    await settle_acknowledgements(hub, ctx, "BigCommerce", settled)
    await hub.orders.set_statuses(
        [
            (c.order_id, str(o.status), o.status_name or STATUS_NAMES.get(o.status))
            for c, o in settled
            if o.status is not None and o.status != c.status
        ]
    )


class Acknowledger:
    def __init__(
        self, client: BigCommerceClient, ctx: RunContext, settings: GetOrdersSettings
    ) -> None:
        self._client = client
        self._ctx = ctx
        self._settings = settings
        self.by_status = settings.acknowledge == "status"
        self.target: int | None = settings.acknowledge_status if self.by_status else None
        self._parallel = max(1, ctx.connection_settings.max_concurrency)
        self._offset: timedelta | None = None
        self._offset_known = False
        self._batches = None
        self._held: list[AckCandidate] = []
        """Stored orders waiting for a full metafield batch (pending in the hub meanwhile)."""
        if not self.by_status:
            self._batches = MetafieldBatches(
                client, ctx, settings.metafield_namespace, settings.metafield_key
            )

    # ---- newly imported orders -------------------------------------------------------------

    async def after_import(
        self, candidates: Sequence[AckCandidate], read_at: datetime | None = None
    ) -> None:
        """Acknowledge orders just stored from one page, read by one request sent at `read_at`
        (this machine's clock). Metafields go out in full batches; `flush` sends the rest."""
        if self._batches is not None:
            self._held.extend(candidates)
            full = len(self._held) // self._batches.size * self._batches.size
            if full:
                todo, self._held = self._held[:full], self._held[full:]
                await self._by_metafield(todo)
            return
        outcomes: dict[int, Outcome] = {}
        todo = list(candidates)
        if self.by_status and todo:
            todo = [c for c in todo if not self._already(c, outcomes)]
            changed = await self._changed_since(todo, read_at)
            for c in todo:
                if c.channel_order_id in changed:
                    decided = decide_changed(c.status, changed[c.channel_order_id], self.target)
                    if decided is not None:
                        outcomes[c.order_id] = decided
            todo = [c for c in todo if c.order_id not in outcomes]
        await self._write(todo, outcomes)
        await self._settle(candidates, outcomes)

    async def flush(self) -> None:
        """Acknowledge the orders held back for a fuller batch."""
        if self._held:
            todo, self._held = self._held, []
            await self._by_metafield(todo)

    async def _by_metafield(self, todo: Sequence[AckCandidate]) -> None:
        outcomes: dict[int, Outcome] = {}
        await self._write(todo, outcomes)
        await self._settle(todo, outcomes)

    def _already(self, c: AckCandidate, outcomes: dict[int, Outcome]) -> bool:
        if c.status != self.target:
            return False
        outcomes[c.order_id] = Outcome(AckState.DONE, f"already in status {_named(c.status)}")
        return True

    async def _changed_since(
        self, todo: Sequence[AckCandidate], read_at: datetime | None
    ) -> dict[int, int]:
        """channel order id -> status, for those of `todo` modified since they were read."""
        stamps = [c.modified for c in todo if c.modified is not None]
        if not stamps:
            return {}
        # A change after the read is stamped at or after the newest date on the page, and at
        # or after the read itself in the store's clock; the later bound asks for fewer orders
        # (a first run reads old orders while others keep changing).
        since = max(stamps)
        offset = await self._store_clock_offset() if read_at is not None else None
        if read_at is not None and offset is not None:
            since = max(since, read_at + offset - _CLOCK_MARGIN)
        ids = [c.channel_order_id for c in todo]
        params: dict[str, str | int] = {
            # One second early: the bound may be exclusive (API.md §13).
            "min_date_modified": format_v2_date(since - timedelta(seconds=1)),
            "min_id": min(ids),
            "max_id": max(ids),
            "sort": "id:asc",
        }
        wanted = set(ids)
        found: dict[int, int] = {}
        async for page in self._client.v2_pages("/orders", params):
            for raw in page:
                order_id = raw.get("id")
                if order_id in wanted:
                    found[int(order_id)] = status_of(raw)
        return found

    async def _store_clock_offset(self) -> timedelta | None:
        """The store's clock minus this machine's, measured once per run (None: unknown)."""
        if self._offset_known:
            return self._offset
        self._offset_known = True
        sent = self._ctx.clock.now()
        try:
            answer = await self._client.get("v2", "/time")
        except (MissingScope, PermanentError):
            return None
        received = self._ctx.clock.now()
        seconds = answer.get("time") if isinstance(answer, dict) else None
        if isinstance(seconds, int | float) and not isinstance(seconds, bool):
            # The store's whole second fell somewhere between sending and receiving.
            self._offset = datetime.fromtimestamp(seconds, UTC) - sent - (received - sent)
        return self._offset

    # ---- earlier runs' orders --------------------------------------------------------------

    async def catch_up(self) -> None:
        """Settle orders left pending by earlier runs (a crash, an unknown outcome)."""
        after = 0
        while not self._ctx.stopping:
            async with self._ctx.transaction() as hub:
                pending = await hub.orders.pending_acknowledgements(
                    self._ctx.connection, after_id=after, limit=_CATCH_UP
                )
            if not pending:
                return
            await self._settle_pending(
                [
                    AckCandidate(p.order_id, int(p.channel_order_id), int(p.status_code))
                    for p in pending
                ]
            )
            after = pending[-1].order_id

    async def _settle_pending(self, candidates: Sequence[AckCandidate]) -> None:
        outcomes: dict[int, Outcome] = {}
        todo: list[AckCandidate] = []

        async def look(c: AckCandidate) -> None:
            decided = await self._look(c)
            if decided is None:
                todo.append(c)
            else:
                outcomes[c.order_id] = decided

        await self._each(candidates, look)
        await self._write(todo, outcomes)
        await self._settle(candidates, outcomes)

    async def _look(self, c: AckCandidate) -> Outcome | None:
        """Is this order's acknowledgement already there, or in the way of someone else's?"""
        try:
            if self.by_status:
                raw = await self._client.get("v2", f"/orders/{c.channel_order_id}")
                current = status_of(raw if isinstance(raw, dict) else {})
                return decide_changed(c.status, current, self.target)
            found = await self._client.get(
                "v3",
                f"/orders/{c.channel_order_id}/metafields",
                {
                    "namespace": self._settings.metafield_namespace,
                    "key": self._settings.metafield_key,
                },
            )
        except NotFound:
            return Outcome(AckState.FAILED, "the order no longer exists on BigCommerce")
        data = found.get("data") if isinstance(found, dict) else None
        if data:
            return Outcome(AckState.DONE, f"metafield {self._metafield_name} already there")
        return None

    # ---- writing ---------------------------------------------------------------------------

    @property
    def _metafield_name(self) -> str:
        return f"{self._settings.metafield_namespace}.{self._settings.metafield_key}"

    async def _write(self, todo: Sequence[AckCandidate], outcomes: dict[int, Outcome]) -> None:
        if self._batches is not None:
            outcomes.update(await self._batches.write(todo))
            return

        async def one(c: AckCandidate) -> None:
            try:
                outcome = await self._write_one(c)
            except NotFound:
                outcome = Outcome(AckState.FAILED, "the order no longer exists on BigCommerce")
            except PermanentError as exc:
                outcome = Outcome(AckState.FAILED, f"BigCommerce refused it: {exc}")
            except TransientError as exc:
                # It may or may not have landed: stays pending, and the next run looks first.
                self._ctx.count("ack_deferred")
                self._ctx.log.warning(
                    "acknowledgement outcome unknown; the next run checks",
                    order=c.channel_order_id,
                    error=str(exc),
                )
                return
            outcomes[c.order_id] = outcome

        await self._each(todo, one)

    async def _write_one(self, c: AckCandidate) -> Outcome:
        """Move one order to the acknowledgement status (metafields go in batches)."""
        assert self.target is not None
        # Irreversible: a late write from a node that lost the connection could overwrite a
        # status someone set since; core confirms the lease right before it leaves.
        answer = await self._client.request(
            "PUT",
            "v2",
            f"/orders/{c.channel_order_id}",
            body={"status_id": self.target},
            plan={
                "action": "acknowledge",
                "order": c.channel_order_id,
                "status_from": c.status,
                "status_to": self.target,
            },
            irreversible=True,
        )
        name = answer.data.get("status") if isinstance(answer.data, dict) else None
        return Outcome(
            AckState.DONE,
            f"status {_named(c.status)} -> {_named(self.target)}",
            self.target,
            name if isinstance(name, str) else None,
        )

    async def _settle(
        self, candidates: Sequence[AckCandidate], outcomes: dict[int, Outcome]
    ) -> None:
        settled = [c for c in candidates if c.order_id in outcomes]
        if not settled:
            return
        async with self._ctx.transaction() as hub:
            await record_outcomes(hub, self._ctx, [(c, outcomes[c.order_id]) for c in settled])
            if self._batches is not None and self._batches.learned is not None:
                # The batch size learned is kept for the connection's later runs.
                hub.set_cursor(str(self._batches.learned), part=BATCH_PART)
                self._batches.learned = None

    async def _each(
        self, items: Sequence[AckCandidate], work: Callable[[AckCandidate], Awaitable[None]]
    ) -> None:
        """`work` on every item, at most as many at once as the connection allows requests."""
        queue = iter(items)

        async def worker() -> None:
            for item in queue:  # one iterator shared by the workers: each item once
                await work(item)

        async with task_group() as tg:
            for _ in range(min(self._parallel, len(items))):
                tg.start_soon(worker)
