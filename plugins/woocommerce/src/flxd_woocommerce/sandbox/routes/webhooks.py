"""``/wc/v3/webhooks`` (list, create), ``.../{id}`` (get, update, delete with ``force=true``)
and ``.../batch``. Creating one sends the ``webhook_id=N`` ping to its URL before answering,
whatever the outcome; the secret is never shown back. An unknown id is 400 "ID is invalid." on
read and update (WooCommerce's webhook controller), 404 on delete."""

from __future__ import annotations

from typing import Any

from flxd_woocommerce.sandbox.errors import WpError
from flxd_woocommerce.sandbox.listing import date_window, id_filters, order_rows
from flxd_woocommerce.sandbox.routes.batch import run_batch
from flxd_woocommerce.sandbox.routes.common import CONTEXT, FORCE, ID, created, forced, listed
from flxd_woocommerce.sandbox.routes.endpoint import Call, Endpoint, RestResponse
from flxd_woocommerce.sandbox.schema.args import (
    batch_args,
    webhook_create_args,
    webhook_list_args,
    webhook_update_args,
)
from flxd_woocommerce.sandbox.site import Site
from flxd_woocommerce.sandbox.webhooks.records import Webhook

__all__ = ["ENDPOINTS", "webhook_json"]

BASE = "/wc/v3/webhooks"
ONE = BASE + r"/(?P<id>[\d]+)"


def webhook_json(hook: Webhook, site: Site) -> dict[str, Any]:
    return {
        "id": hook.id,
        "name": hook.name,
        "status": hook.status,
        "topic": hook.topic,
        "resource": hook.resource,
        "event": hook.event,
        "hooks": hook.hooks,
        "delivery_url": hook.delivery_url,
        "date_created": site.local(hook.created),
        "date_created_gmt": site.gmt(hook.created),
        "date_modified": site.local(hook.modified),
        "date_modified_gmt": site.gmt(hook.modified),
        "_links": site.links(f"{BASE}/{hook.id}", BASE),
    }


def _hook(call: Call, hook_id: int, *, missing_status: int = 400) -> Webhook:
    hook = call.store.hooks.hooks.get(hook_id)
    if hook is None:
        message = "ID is invalid." if missing_status == 400 else "Invalid ID."
        raise WpError(missing_status, "woocommerce_rest_shop_webhook_invalid_id", message)
    return hook


async def list_(call: Call) -> RestResponse:
    status = call.params.get("status", "all")
    window, ids = date_window(call.params, call.site.timezone), id_filters(call.params)
    needle = str(call.params.get("search") or "").casefold()
    rows = [
        h
        for h in call.store.hooks.hooks.values()
        if (status == "all" or h.status == status)
        and window(h)
        and ids(h)
        and needle in h.name.casefold()
    ]
    keys = {"date": lambda h: h.created, "id": lambda h: h.id, "title": lambda h: h.name}
    rows = order_rows(rows, call.params, {**keys, "slug": keys["title"]})
    return listed(call, rows, lambda h: webhook_json(h, call.site), BASE)


async def _create(call: Call, params: dict[str, Any]) -> dict[str, Any]:
    if params.get("id"):
        raise WpError(
            400, "woocommerce_rest_shop_webhook_exists", "Cannot create existing shop_webhook."
        )
    hook = call.store.hooks.create(params, call.now)
    if call.sandbox.config.webhooks:
        await call.sandbox.send_ping(call.store, hook.id)
    return webhook_json(hook, call.site)


async def create(call: Call) -> RestResponse:
    data = await _create(call, call.params)
    return created(call, data, f"{BASE}/{data['id']}")


async def get(call: Call) -> RestResponse:
    return RestResponse(webhook_json(_hook(call, call.int_param("id")), call.site))


async def _update(call: Call, params: dict[str, Any]) -> dict[str, Any]:
    hook = _hook(call, int(params.get("id") or 0))
    return webhook_json(call.store.hooks.update(hook, params, call.now), call.site)


async def update(call: Call) -> RestResponse:
    return RestResponse(await _update(call, call.params))


async def _delete(call: Call, hook_id: int, force: bool) -> dict[str, Any]:
    if not force:
        raise WpError(
            501, "woocommerce_rest_trash_not_supported", "Webhooks do not support trashing."
        )
    hook = _hook(call, hook_id, missing_status=404)
    data = webhook_json(hook, call.site)
    call.store.hooks.delete(hook)
    return data


async def delete(call: Call) -> RestResponse:
    return RestResponse(await _delete(call, call.int_param("id"), forced(call)))


async def batch(call: Call) -> RestResponse:
    return await run_batch(
        call,
        create_args=webhook_create_args(),
        update_args=webhook_update_args(),
        create=lambda params: _create(call, params),
        update=lambda params: _update(call, params),
        delete=lambda item_id: _delete(call, item_id, True),
    )


ENDPOINTS = (
    Endpoint(BASE, ("GET",), list_, "list", lambda s: webhook_list_args()),
    Endpoint(BASE, ("POST",), create, "create", lambda s: webhook_create_args()),
    Endpoint(ONE, ("GET",), get, "view", lambda s: {"id": ID, "context": CONTEXT}),
    Endpoint(ONE, ("POST", "PUT", "PATCH"), update, "edit", lambda s: webhook_update_args()),
    Endpoint(ONE, ("DELETE",), delete, "delete", lambda s: {"id": ID, **FORCE}),
    Endpoint(
        BASE + "/batch",
        ("POST", "PUT", "PATCH"),
        batch,
        "batch",
        lambda s: batch_args(webhook_update_args()),
    ),
)
