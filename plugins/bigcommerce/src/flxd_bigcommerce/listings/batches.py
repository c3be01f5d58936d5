"""Channel writes of a sync, sent through BigCommerce's batch endpoints.

- `delete`: `DELETE /v3/catalog/products?id:in=…`, 250 ids (D:PROD#L656-662);
- `products`: `PUT /v3/catalog/products` (a product's price, availability), 10 (D:PROD#L149-152);
- `variants`: `PUT /v3/catalog/variants` (a variant's price), 50 (D:VAR#L1246-1258);
- `stock`: `PUT /v3/inventory/adjustments/absolute`, 2,000 items (D:INV#L54).

A batch BigCommerce refuses as a whole (a product deleted behind flxd's back makes the batch a
404 or 422) is not retried blindly: one read finds which of its products still exist (and how
they track stock), the others are reported missing, and the rest is sent again, halved until
the refused items are alone. A variant's stock on a product that tracks stock by product
cannot be set (422); for those the product's stock is set to the total of its variants.
Every write here is idempotent (absolute values), so sending an item twice is harmless.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from typing import Any, Literal

from flxd.plugin import ListingChange
from flxd_bigcommerce.client import MAX_PAGE, BigCommerceClient
from flxd_bigcommerce.errors import ApiProblem, BadRequest, Conflict, Invalid, NotFound
from flxd_bigcommerce.limits import INVENTORY_BATCH, PAGE_LIMIT, PRODUCTS_BATCH, VARIANTS_BATCH
from flxd_bigcommerce.policy import problem_details

__all__ = ["BATCH_SIZES", "KINDS", "BatchSender", "Delivery", "Kind", "Write"]

Kind = Literal["delete", "products", "variants", "stock"]
KINDS: tuple[Kind, ...] = ("delete", "products", "variants", "stock")
"""The order pending writes are flushed in: nothing is pushed to a product about to go."""
BATCH_SIZES: dict[Kind, int] = {
    "delete": PAGE_LIMIT,  # 250 ids, the same bound as a page
    "products": PRODUCTS_BATCH,
    "variants": VARIANTS_BATCH,
    "stock": INVENTORY_BATCH,
}
_REFUSED = (NotFound, Conflict, Invalid, BadRequest)
_GONE_WORDS = ("not found", "does not exist")


@dataclass(slots=True)
class Write:
    """One item of a batch: the planned changes it carries to one target."""

    kind: Kind
    target: tuple[str, int]
    """What the item writes to: ("id", product or variant id), ("variant_id" | "product_id", id)."""
    product_id: int
    linked: tuple[int, ...]
    """Every hub variant linked to this product (all are missing if the product is)."""
    body: dict[str, Any] = field(default_factory=dict)
    changes: list[ListingChange] = field(default_factory=list)
    product_stock: int | None = None
    """Stock by variant: the total of the product's variants, for a product that turns out to
    track stock by product."""

    def merge(self, newer: Write) -> None:
        """Fold a later write to the same target into this one (one item per target)."""
        self.body.update(newer.body)
        self.changes += newer.changes
        if newer.product_stock is not None:
            self.product_stock = newer.product_stock

    @property
    def plans(self) -> list[dict[str, Any]]:
        """What a dry run reports instead of sending this item."""
        return [change.describe() for change in self.changes]


@dataclass(slots=True)
class Delivery:
    taken: list[Write] = field(default_factory=list)
    missing: list[Write] = field(default_factory=list)
    """Items whose product is no longer on the store."""
    gone: list[tuple[Write, str]] = field(default_factory=list)
    """Items whose own target (a variant) is no longer there."""
    refused: list[tuple[Write, str]] = field(default_factory=list)
    again: list[tuple[Write, str]] = field(default_factory=list)
    """Items a 207 names as not saved: sent again by the next run."""
    partial: list[tuple[Write, str]] = field(default_factory=list)
    """The last request's items a 207 named (taken over by `_took`)."""
    by_product: set[int] = field(default_factory=set)
    """Products whose stock was set as the total of their variants (tracked by product)."""
    requests: int = 0


class BatchSender:
    def __init__(self, client: BigCommerceClient, *, location_id: int) -> None:
        self.client = client
        self.location_id = location_id

    async def send(self, kind: Kind, writes: Sequence[Write]) -> Delivery:
        """Send one batch (at most BATCH_SIZES[kind] items) and sort out a refusal."""
        delivery = Delivery()
        try:
            await self._request(kind, writes, delivery)
        except _REFUSED:
            tracking = await self._tracking({w.product_id for w in writes}, delivery)
            delivery.missing += [w for w in writes if w.product_id not in tracking]
            rest = [w for w in writes if w.product_id in tracking]
            if kind == "stock":
                rest = _by_product(rest, tracking, delivery)
            await self._halve(kind, rest, delivery)
        else:
            _took(writes, delivery)
        return delivery

    async def _halve(self, kind: Kind, writes: Sequence[Write], delivery: Delivery) -> None:
        if not writes:
            return
        try:
            await self._request(kind, writes, delivery)
        except _REFUSED as exc:
            if len(writes) > 1:
                middle = len(writes) // 2
                await self._halve(kind, writes[:middle], delivery)
                await self._halve(kind, writes[middle:], delivery)
                return
            message = _message(exc)
            if isinstance(exc, NotFound) or any(w in message.lower() for w in _GONE_WORDS):
                delivery.gone.append((writes[0], message))
            else:
                delivery.refused.append((writes[0], message))
        else:
            _took(writes, delivery)

    async def _request(self, kind: Kind, writes: Sequence[Write], delivery: Delivery) -> None:
        delivery.requests += 1
        plan = [entry for w in writes for entry in w.plans]
        # Absolute values, so a write is harmless twice; but one sent late by a node that lost
        # the connection could put back an older price after the new holder sent a newer one:
        # `irreversible` has core confirm the lease right before it leaves.
        if kind == "delete":
            ids = ",".join(str(w.target[1]) for w in writes)
            await self.client.request(
                "DELETE",
                "v3",
                "catalog/products",
                params={"id:in": ids},
                plan=plan,
                irreversible=True,
            )
        elif kind == "stock":
            items = [{"location_id": self.location_id, **w.body} for w in writes]
            await self.client.request(
                "PUT",
                "v3",
                "inventory/adjustments/absolute",
                body={"reason": "flxd sync_listings", "items": items},
                plan=plan,
                irreversible=True,
            )
        else:
            path = "catalog/products" if kind == "products" else "catalog/variants"
            response = await self.client.request(
                "PUT", "v3", path, body=[w.body for w in writes], plan=plan, irreversible=True
            )
            if response.status == 207:
                # Saved in part (API.md §5, §13): not expected for price and availability
                # alone, but where it comes, the items it names were not saved.
                delivery.partial = _named_items(response.body, writes)

    async def _tracking(self, product_ids: Iterable[int], delivery: Delivery) -> dict[int, str]:
        """How each of these products still on the store tracks stock (one read per 250)."""
        wanted = sorted(product_ids)
        found: dict[int, str] = {}
        for start in range(0, len(wanted), MAX_PAGE):
            chunk = wanted[start : start + MAX_PAGE]
            params = {"id:in": ",".join(map(str, chunk)), "include_fields": "id,inventory_tracking"}
            # Paged on `meta.pagination`, not on the chunk fitting one page (API.md §5).
            async for page in self.client.v3_pages("catalog/products", params):
                delivery.requests += 1
                for item in page.items:
                    if isinstance(item.get("id"), int):
                        found[item["id"]] = str(item.get("inventory_tracking") or "none")
        return found


def _took(writes: Sequence[Write], delivery: Delivery) -> None:
    """A batch answered 2xx: every item is taken but those a 207 named."""
    named = {id(w) for w, _ in delivery.partial}
    delivery.again += delivery.partial
    delivery.partial = []
    delivery.taken += [w for w in writes if id(w) not in named]


def _named_items(body: bytes, writes: Sequence[Write]) -> list[tuple[Write, str]]:
    """The items of a 207's `errors` (`"<id>.<field>": message`); all of them if it names
    none flxd can place, since then nothing says which were saved."""
    _title, fields = problem_details(body)
    by_id = {w.target[1]: w for w in writes}
    named: dict[int, tuple[Write, list[str]]] = {}
    for key, message in fields.items():
        head = key.split(".", 1)[0]
        write = by_id.get(int(head)) if head.isdigit() else None
        if write is not None:
            named.setdefault(id(write), (write, []))[1].append(f"{key}: {message}")
    if not named:
        why = "; ".join(f"{k}: {v}" for k, v in fields.items()) or "207 without details"
        return [(w, f"saved in part: {why}") for w in writes]
    return [(w, "saved in part: " + "; ".join(m)) for w, m in named.values()]


def _by_product(writes: list[Write], tracking: dict[int, str], delivery: Delivery) -> list[Write]:
    """Variant stock items of products tracked by product, folded into one product item each
    (the total of the product's variants in the hub)."""
    out: list[Write] = []
    folded: dict[int, Write] = {}
    for write in writes:
        if write.target[0] != "variant_id" or tracking.get(write.product_id) != "product":
            out.append(write)
            continue
        product = folded.get(write.product_id)
        if product is None:
            product = Write(
                "stock", ("product_id", write.product_id), write.product_id, write.linked
            )
            folded[write.product_id] = product
            out.append(product)
            delivery.by_product.add(write.product_id)
        product.merge(write)
        product.body = {"product_id": write.product_id, "quantity": write.product_stock or 0}
    return out


def _message(exc: ApiProblem) -> str:
    detail = "; ".join(f"{k}: {v}" for k, v in sorted(exc.fields.items()))
    return f"{exc.status} {exc.title}" + (f" ({detail})" if detail else "")
