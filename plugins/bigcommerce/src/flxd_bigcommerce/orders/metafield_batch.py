"""Acknowledging orders by metafield, many orders a request: `POST /v3/orders/metafields`.

BigCommerce states no maximum for that batch (API.md §9.7, §13). flxd starts at FIRST_BATCH and
halves the size whenever the store answers 413, or 422 saying too many, and keeps the size it
learned per connection (the get_orders cursor part `metafield_batch`), so later runs do not ask
too much again.

The batch creates what it can: a 200 created them all; a 422 lists the created ones in `data`
and one error per failed item (D:OV3 `MetaFieldCollectionResponsePartialSuccess_POST_PUT`). An
item the answer does not account for stays pending, like a write whose outcome is unknown: the
next run looks for its metafield first (`Acknowledger.catch_up`).
"""

from __future__ import annotations

import json
from collections.abc import Mapping, Sequence
from typing import Any

from flxd.plugin import AckState, PermanentError, RunContext, TransientError
from flxd_bigcommerce.client import BigCommerceClient
from flxd_bigcommerce.errors import ApiProblem, Invalid, TooLarge
from flxd_bigcommerce.orders.outcome import AckCandidate, Outcome

__all__ = ["BATCH_PART", "FIRST_BATCH", "MetafieldBatches"]

BATCH_PART = "metafield_batch"
FIRST_BATCH = 50
PATH = "/orders/metafields"


class _TooMany(Exception):
    pass


def _says_too_many(exc: ApiProblem) -> bool:
    if isinstance(exc, TooLarge):
        return True
    text = " ".join([exc.title, *exc.fields.values(), exc.body.decode("utf-8", "replace")])
    return isinstance(exc, Invalid) and "too many" in text.lower()


class MetafieldBatches:
    def __init__(self, client: BigCommerceClient, ctx: RunContext, namespace: str, key: str):
        self._client = client
        self._ctx = ctx
        self._namespace = namespace
        self._key = key
        saved = ctx.cursor(BATCH_PART) or ""
        self.size = int(saved) if saved.isdigit() and int(saved) > 0 else FIRST_BATCH
        self.learned: int | None = None
        """A size learned in this run, still to be saved with the next settled orders."""

    @property
    def name(self) -> str:
        return f"{self._namespace}.{self._key}"

    async def write(self, todo: Sequence[AckCandidate]) -> dict[int, Outcome]:
        """Outcomes by hub order id; an order without one stays pending."""
        outcomes: dict[int, Outcome] = {}
        queue = list(todo)
        while queue:
            size = self.size
            chunk, queue = queue[:size], queue[size:]
            try:
                outcomes.update(await self._post(chunk))
            except _TooMany:
                if size == 1:
                    why = "BigCommerce refused a batch of one metafield as too many"
                    outcomes.update({c.order_id: Outcome(AckState.FAILED, why) for c in chunk})
                    continue
                # Another page's batch may have halved it already: never grow it back here.
                self.size = min(self.size, max(1, size // 2))
                self.learned = self.size
                self._ctx.count("ack_batch_halved")
                self._ctx.log.info("order metafield batch too large; halved", size=self.size)
                queue = chunk + queue
        return outcomes

    def _item(self, c: AckCandidate) -> dict[str, Any]:
        return {
            "resource_id": c.channel_order_id,
            "permission_set": "read",
            "namespace": self._namespace,
            "key": self._key,
            "value": json.dumps({"hub_order_id": c.order_id, "connection": self._ctx.connection}),
            "description": "Imported by flxd",
        }

    async def _post(self, chunk: Sequence[AckCandidate]) -> dict[int, Outcome]:
        plan = [
            {"action": "acknowledge", "order": c.channel_order_id, "metafield": self.name}
            for c in chunk
        ]
        try:
            # Irreversible: see Acknowledger._write_one.
            response = await self._client.request(
                "POST",
                "v3",
                PATH,
                body=[self._item(c) for c in chunk],
                plan=plan,
                irreversible=True,
            )
        except (Invalid, TooLarge) as exc:
            if _says_too_many(exc):
                raise _TooMany from exc
            return self._partial(chunk, exc.body, str(exc))
        except TransientError as exc:
            self._ctx.count("ack_deferred", len(chunk))
            self._ctx.log.warning(
                "acknowledgement outcome unknown; the next run checks",
                orders=len(chunk),
                error=str(exc),
            )
            return {}
        except PermanentError as exc:
            refused = Outcome(AckState.FAILED, f"BigCommerce refused it: {exc}")
            return {c.order_id: refused for c in chunk}
        if response.planned:
            return {c.order_id: Outcome(AckState.DONE, f"metafield {self.name}") for c in chunk}
        return self._partial(chunk, response.body, "")

    def _partial(
        self, chunk: Sequence[AckCandidate], body: bytes, refused: str
    ) -> dict[int, Outcome]:
        """What an answer says of each item: created, refused (by index), or not said."""
        try:
            answer: Any = json.loads(body) if body else {}
        except ValueError:
            answer = {}
        by_channel = {c.channel_order_id: c for c in chunk}
        outcomes: dict[int, Outcome] = {}
        data = answer.get("data") if isinstance(answer, dict) else None
        for item in data if isinstance(data, list) else ():
            resource = item.get("resource_id") if isinstance(item, dict) else None
            c = by_channel.get(resource) if isinstance(resource, int) else None
            if c is not None:
                outcomes[c.order_id] = Outcome(AckState.DONE, f"metafield {self.name}")
        errors = answer.get("errors") if isinstance(answer, dict) else None
        for error in errors if isinstance(errors, list) else ():
            if isinstance(error, Mapping):
                for index, why in _indexed(error):
                    if 0 <= index < len(chunk) and chunk[index].order_id not in outcomes:
                        outcomes[chunk[index].order_id] = self._refused(error, why)
        if refused and not outcomes:
            # Nothing in the answer says which item it refused: all of them, as far as flxd can
            # tell (the next run's catch-up finds any that were created after all).
            failed = Outcome(AckState.FAILED, f"BigCommerce refused it: {refused}")
            return {c.order_id: failed for c in chunk}
        return outcomes

    def _refused(self, error: Mapping[str, Any], why: str) -> Outcome:
        status = error.get("status")
        if status == 409:
            return Outcome(AckState.DONE, f"metafield {self.name} already there")
        if status == 404:
            return Outcome(AckState.FAILED, "the order no longer exists on BigCommerce")
        return Outcome(AckState.FAILED, f"BigCommerce refused it: {status} {why}".strip())


def _indexed(error: Mapping[str, Any]) -> list[tuple[int, str]]:
    """(item index, message) of one batch error (`errors: {"<index>": "<message>"}`)."""
    details = error.get("errors")
    if not isinstance(details, Mapping):
        return []
    found = []
    for key, message in details.items():
        head = str(key).split(".", 1)[0]
        if head.isdigit():
            found.append((int(head), str(message)))
    return found
