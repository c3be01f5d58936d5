"""``/wc/v3/orders/{order_id}/notes`` (list, create) and ``.../{id}`` (get, delete with
``force=true``). A note is a comment: adding one does not move the order's ``date_modified``
and fires no webhook. ``customer_note: true`` is a note to the customer (WooCommerce emails
it); ``type`` lists ``customer`` or ``internal`` notes only."""

from __future__ import annotations

from flxd_woocommerce.sandbox.errors import WpError
from flxd_woocommerce.sandbox.orders.records import Note, Order
from flxd_woocommerce.sandbox.orders.render import note_json
from flxd_woocommerce.sandbox.routes.common import CONTEXT, FORCE, ID, created, forced
from flxd_woocommerce.sandbox.routes.endpoint import Call, Endpoint, RestResponse
from flxd_woocommerce.sandbox.schema.args import note_create_args

__all__ = ["ENDPOINTS"]

BASE = r"/wc/v3/orders/(?P<order_id>[\d]+)/notes"
ONE = BASE + r"/(?P<id>[\d]+)"
_TYPES = {"type": "string", "enum": ["any", "customer", "internal"], "default": "any"}


def _order(call: Call) -> Order:
    order = call.store.orders.orders.get(call.int_param("order_id"))
    if order is None:
        raise WpError(404, "woocommerce_rest_order_invalid_id", "Invalid order ID.")
    return order


def _note(call: Call, order: Order) -> Note:
    note = call.store.orders.notes.get(call.int_param("id"))
    if note is None or note.order_id != order.id:
        raise WpError(404, "woocommerce_rest_invalid_id", "Invalid resource ID.")
    return note


async def list_(call: Call) -> RestResponse:
    order = _order(call)
    kind = call.params.get("type", "any")
    notes = [
        n
        for n in call.store.orders.notes_of(order.id)
        if kind == "any" or n.customer_note == (kind == "customer")
    ]
    return RestResponse([note_json(n, call.site) for n in notes])


async def create(call: Call) -> RestResponse:
    order = _order(call)
    note = call.store.orders.add_note(
        order,
        str(call.params["note"]),
        customer_note=bool(call.params.get("customer_note", False)),
        added_by_user=bool(call.params.get("added_by_user", False)),
        now=call.now,
    )
    return created(call, note_json(note, call.site), f"/wc/v3/orders/{order.id}/notes/{note.id}")


async def get(call: Call) -> RestResponse:
    return RestResponse(note_json(_note(call, _order(call)), call.site))


async def delete(call: Call) -> RestResponse:
    note = _note(call, _order(call))
    if not forced(call):
        # WooCommerce's order notes controller really says "Webhooks" here.
        raise WpError(
            501, "woocommerce_rest_trash_not_supported", "Webhooks do not support trashing."
        )
    data = note_json(note, call.site)
    del call.store.orders.notes[note.id]
    return RestResponse(data)


ENDPOINTS = (
    Endpoint(
        BASE,
        ("GET",),
        list_,
        "list",
        lambda s: {"order_id": ID, "context": CONTEXT, "type": _TYPES},
    ),
    Endpoint(BASE, ("POST",), create, "create", lambda s: note_create_args()),
    Endpoint(ONE, ("GET",), get, "view", lambda s: {"id": ID, "order_id": ID, "context": CONTEXT}),
    Endpoint(ONE, ("DELETE",), delete, "delete", lambda s: {"id": ID, "order_id": ID, **FORCE}),
)
