"""``POST /.../batch`` as WooCommerce's ``batch_items`` runs it: ``create``, ``update`` and
``delete`` (ids) together at most 100 items (more: 413
``woocommerce_rest_request_entity_too_large``), each item through the same code as a single
request, each failure reported in place as ``{"id": ..., "error": {"code", "message",
"data"}}`` while the others go through. Deletes are forced. WordPress checks nothing of the
items; the store logs what their schema would refuse (see :mod:`requestlog`) without refusing.
In ``pessimistic`` some items fail on their own with a database error and are not applied.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Mapping
from typing import Any

from flxd_woocommerce.sandbox.errors import WpError
from flxd_woocommerce.sandbox.routes.endpoint import Args, Call, RestResponse
from flxd_woocommerce.sandbox.schema.request import invalid_params, item_problems
from flxd_woocommerce.sandbox.schema.wpvalidate import sanitize, validate

__all__ = ["BATCH_LIMIT", "run_batch"]

BATCH_LIMIT = 100
ItemWrite = Callable[[dict[str, Any]], Awaitable[Any]]
ItemDelete = Callable[[int], Awaitable[Any]]
_CHAOS = {
    "create": WpError(500, "db_insert_error", "Could not insert post into the database."),
    "update": WpError(500, "db_update_error", "Could not update post in the database."),
    "delete": WpError(500, "db_delete_error", "Could not delete post from the database."),
}

_REFUSED = WpError(
    400,
    "rest_invalid_param",
    "Invalid parameter(s): regular_price",
    {"params": {"regular_price": "regular_price is not valid."}},
)


def _prepared(item: Mapping[str, Any], args: Args, *, creating: bool) -> dict[str, Any]:
    """The item as the handler sees it: valid values sanitized, others passed as sent (the
    handler's setters coerce them), schema defaults for a create."""
    params: dict[str, Any] = {}
    if creating:
        params.update({k: s["default"] for k, s in args.items() if "default" in s})
    for name, value in item.items():
        if value is None:
            continue
        schema = args.get(name)
        ok = schema is not None and validate(value, schema, name) is None
        params[name] = sanitize(value, schema) if schema is not None and ok else value
    return params


def _failure(item_id: Any, error: WpError) -> dict[str, Any]:
    data = {"status": error.status, **error.data}
    return {"id": item_id, "error": {"code": error.code, "message": error.message, "data": data}}


async def run_batch(
    call: Call,
    *,
    create_args: Args,
    update_args: Args,
    create: ItemWrite,
    update: ItemWrite,
    delete: ItemDelete,
) -> RestResponse:
    body = call.body if isinstance(call.body, Mapping) else {}
    given = {name: body.get(name) for name in ("create", "update", "delete") if body.get(name)}
    wrong = {n: f"{n} is not of type array." for n, v in given.items() if not isinstance(v, list)}
    if wrong:
        raise invalid_params(wrong)
    sections: dict[str, list[Any]] = {n: list(v) for n, v in given.items() if isinstance(v, list)}
    total = sum(len(v) for v in sections.values())
    if total > BATCH_LIMIT:
        raise WpError(
            413,
            "woocommerce_rest_request_entity_too_large",
            f"Unable to accept more than {BATCH_LIMIT} items for this request.",
        )
    for index, item in enumerate(sections.get("create", [])):
        call.entry.problems += item_problems(create_args, item, f"create[{index}]")
    for index, item in enumerate(sections.get("update", [])):
        call.entry.problems += item_problems(update_args, item, f"update[{index}]")
    answer: dict[str, list[Any]] = {}
    for item in sections.get("create", []):
        answer.setdefault("create", []).append(
            await _one(call, "create", 0, item, create_args, create)
        )
    for item in sections.get("update", []):
        item_id = item.get("id") if isinstance(item, Mapping) else None
        answer.setdefault("update", []).append(
            await _one(call, "update", item_id, item, update_args, update)
        )
    for raw_id in sections.get("delete", []):
        try:
            item_id = int(raw_id)
        except (TypeError, ValueError):
            item_id = 0
        if item_id == 0:
            continue
        if call.store.batch_item_fails():
            answer.setdefault("delete", []).append(_failure(item_id, _CHAOS["delete"]))
            continue
        try:
            answer.setdefault("delete", []).append(await delete(item_id))
        except WpError as error:
            answer.setdefault("delete", []).append(_failure(item_id, error))
    return RestResponse(answer)


async def _one(
    call: Call, section: str, item_id: Any, item: Any, args: Args, write: ItemWrite
) -> Any:
    if not isinstance(item, Mapping):
        return _failure(item_id, WpError(400, "rest_invalid_param", "An item is not an object."))
    if call.store.batch_item_fails():
        return _failure(item_id, _CHAOS[section])
    if section == "update" and item_id in call.store.refused_ids:
        return _failure(item_id, _REFUSED)
    try:
        return await write(_prepared(item, args, creating=section == "create"))
    except WpError as error:
        return _failure(item_id, error)
