"""Telling WooCommerce that flxd has an order: move it to a status, or set an order meta field.

An order is acknowledged once, after it is stored (its hub row says `pending` until settled),
through `/orders/batch` (100 orders a request). A freshly read page is written at once: the
time between reading an order and writing its acknowledgement is the time to store the page
(WooCommerce has no conditional update, so no client can close that window). An order read
again while still pending, or left pending by an earlier run (a crash, a server error on that
item), is looked at first: one whose status someone else changed is not overwritten but
settled as a conflict (counted, logged, sent to sinks as `order.acknowledge_conflict`); one
already in the acknowledgement status, or with the meta field, needs no write.
"""

from __future__ import annotations

import json
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from flxd.plugin import AckState, HubWriter, RunContext, settle_acknowledgements
from flxd_woocommerce.client import MAX_BATCH, MAX_PAGE, BatchItem, WooClient
from flxd_woocommerce.config import GetOrdersSettings
from flxd_woocommerce.statuses import label_of

__all__ = ["AckCandidate", "Acknowledger", "Outcome", "decide"]

_CATCH_UP = 100
_GONE = frozenset({"woocommerce_rest_shop_order_invalid_id"})


@dataclass(frozen=True, slots=True)
class AckCandidate:
    order_id: int
    """The hub's id."""
    channel_order_id: int
    status: str
    """The status the order was imported in."""


@dataclass(frozen=True, slots=True)
class Outcome:
    state: AckState
    note: str
    status: str | None = None
    """The order's status on WooCommerce now, when known."""
    conflict: bool = False


def decide(candidate: AckCandidate, current: str, target: str | None) -> Outcome | None:
    """An order still to be acknowledged whose status is `current` now. None: unchanged, go on;
    otherwise it needs no write (already in the target) or must not get one (a conflict)."""
    if current == candidate.status:
        return None
    if target is not None and current == target:
        return Outcome(AckState.DONE, f"already in status {target}", current)
    return Outcome(
        AckState.CONFLICT,
        f"status changed from {candidate.status} to {current} on WooCommerce before "
        "acknowledgement; not overwritten",
        current,
        conflict=True,
    )


class Acknowledger:
    def __init__(self, client: WooClient, ctx: RunContext, settings: GetOrdersSettings) -> None:
        self._client = client
        self._ctx = ctx
        self._settings = settings
        self.target = settings.acknowledge_status if settings.acknowledge == "status" else None

    async def after_import(self, candidates: Sequence[AckCandidate]) -> None:
        """Acknowledge orders just stored from a page read moments ago."""
        outcomes: dict[int, Outcome] = {}
        todo = []
        for c in candidates:
            if self.target is not None and c.status == self.target:
                outcomes[c.order_id] = Outcome(AckState.DONE, f"already in status {c.status}")
            else:
                todo.append(c)
        await self._write(todo, outcomes)
        await self._settle(candidates, outcomes)

    async def catch_up(self) -> None:
        """Settle orders left pending by earlier runs: look, then write what is still due."""
        after = 0
        while not self._ctx.stopping:
            async with self._ctx.transaction() as hub:
                pending = await hub.orders.pending_acknowledgements(
                    self._ctx.connection, after_id=after, limit=_CATCH_UP
                )
            if not pending:
                return
            candidates = [
                AckCandidate(p.order_id, int(p.channel_order_id), p.status_code) for p in pending
            ]
            current = await self._current([c.channel_order_id for c in candidates])
            outcomes: dict[int, Outcome] = {}
            todo = []
            for c in candidates:
                found = current.get(c.channel_order_id)
                decided = self._look(c, found)
                if decided is None:
                    todo.append(c)
                else:
                    outcomes[c.order_id] = decided
            await self._write(todo, outcomes)
            await self._settle(candidates, outcomes)
            after = pending[-1].order_id

    def _look(self, c: AckCandidate, found: Mapping[str, Any] | None) -> Outcome | None:
        if found is None:
            return Outcome(AckState.FAILED, "the order no longer exists on WooCommerce")
        if self.target is None:
            meta = found.get("meta_data")
            keys = (
                {m.get("key") for m in meta if isinstance(m, dict)}
                if isinstance(meta, list)
                else set()
            )
            if self._settings.meta_key in keys:
                return Outcome(AckState.DONE, f"meta field {self._settings.meta_key} already there")
            return None
        status = found.get("status")
        return decide(c, status, self.target) if isinstance(status, str) else None

    async def _current(self, ids: Sequence[int]) -> dict[int, Mapping[str, Any]]:
        """These orders as WooCommerce has them now (missing ones are gone)."""
        found: dict[int, Mapping[str, Any]] = {}
        for start in range(0, len(ids), MAX_PAGE):
            chunk = ids[start : start + MAX_PAGE]
            page = await self._client.list_page(
                "orders",
                {
                    "include": ",".join(map(str, chunk)),
                    "status": "any",
                    "per_page": MAX_PAGE,
                    "_fields": "id,status,meta_data",
                },
            )
            for item in page.items:
                if isinstance(item, dict) and isinstance(item.get("id"), int):
                    found[item["id"]] = item
        return found

    def _body(self, c: AckCandidate) -> dict[str, Any]:
        if self.target is not None:
            return {"id": c.channel_order_id, "status": self.target}
        value = json.dumps({"hub_order_id": c.order_id, "connection": self._ctx.connection})
        return {
            "id": c.channel_order_id,
            "meta_data": [{"key": self._settings.meta_key, "value": value}],
        }

    def _plan(self, c: AckCandidate) -> dict[str, Any]:
        if self.target is not None:
            return {
                "action": "acknowledge",
                "order": c.channel_order_id,
                "status_from": c.status,
                "status_to": self.target,
            }
        return {
            "action": "acknowledge",
            "order": c.channel_order_id,
            "meta": self._settings.meta_key,
        }

    async def _write(self, todo: Sequence[AckCandidate], outcomes: dict[int, Outcome]) -> None:
        for start in range(0, len(todo), MAX_BATCH):
            chunk = todo[start : start + MAX_BATCH]
            # Irreversible: a late write from a node that lost the connection could overwrite a
            # status someone set since; core confirms the lease right before it leaves.
            answer = await self._client.batch(
                "orders",
                update=[self._body(c) for c in chunk],
                plan=[self._plan(c) for c in chunk],
                irreversible=True,
            )
            if answer is None:  # a dry run
                continue
            for c, item in zip(chunk, answer["update"], strict=True):
                outcome = self._outcome(c, item)
                if outcome is not None:
                    outcomes[c.order_id] = outcome

    def _outcome(self, c: AckCandidate, item: BatchItem) -> Outcome | None:
        if item.ok:
            assert item.data is not None
            status = item.data.get("status")
            if self.target is not None:
                return Outcome(
                    AckState.DONE,
                    f"status {c.status} -> {self.target}",
                    status if isinstance(status, str) else self.target,
                )
            return Outcome(AckState.DONE, f"meta field {self._settings.meta_key}")
        if item.status >= 500:
            # Not saved: stays pending, and the next run looks first.
            self._ctx.count("ack_deferred")
            self._ctx.log.warning(
                "acknowledgement not saved; the next run tries again",
                order=c.channel_order_id,
                error=f"{item.code}: {item.message}",
            )
            return None
        if item.code in _GONE:
            return Outcome(AckState.FAILED, "the order no longer exists on WooCommerce")
        return Outcome(AckState.FAILED, f"WooCommerce refused it: {item.code}: {item.message}")

    async def _settle(
        self, candidates: Sequence[AckCandidate], outcomes: dict[int, Outcome]
    ) -> None:
        settled = [(c, outcomes[c.order_id]) for c in candidates if c.order_id in outcomes]
        if settled:
            async with self._ctx.transaction() as hub:
                await self.record(hub, settled)

    async def record(self, hub: HubWriter, settled: Sequence[tuple[AckCandidate, Outcome]]) -> None:
        """Settle orders' acknowledgements in the hub (inside the caller's transaction)."""
        ctx = self._ctx
        await settle_acknowledgements(hub, ctx, "WooCommerce", settled)
        await hub.orders.set_statuses(
            [
                (c.order_id, o.status, label_of(o.status))
                for c, o in settled
                if o.status is not None and o.status != c.status
            ]
        )
