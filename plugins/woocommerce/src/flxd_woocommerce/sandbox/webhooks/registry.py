"""The webhooks of one store and their life cycle: CRUD as ``/wc/v3/webhooks`` does it, and
the failure rule: a delivery answered 2xx/301/302 resets the failure count, anything else
(or no answer) counts; after 5 consecutive failures the webhook is ``disabled`` and delivers
nothing until it is edited back to ``active`` (WooCommerce's documents say 5; its
``failed_delivery`` lets two more through before disabling — the sandbox follows the
documents)."""

from __future__ import annotations

from collections.abc import Mapping
from datetime import datetime
from typing import Any

from flxd_woocommerce.sandbox.errors import WpError
from flxd_woocommerce.sandbox.ids import IdSequence
from flxd_woocommerce.sandbox.webhooks.records import Webhook, valid_delivery_url, valid_topic

__all__ = ["MAX_FAILURES", "WebhookRegistry"]

MAX_FAILURES = 5


def _invalid(what: str, message: str) -> WpError:
    return WpError(400, f"woocommerce_rest_shop_webhook_invalid_{what}", message)


class WebhookRegistry:
    def __init__(self, ids: IdSequence) -> None:
        self.ids = ids
        self.hooks: dict[int, Webhook] = {}

    def get(self, webhook_id: int) -> Webhook:
        hook = self.hooks.get(webhook_id)
        if hook is None:
            raise LookupError(f"no webhook {webhook_id}")
        return hook

    def matching(self, topic: str) -> list[Webhook]:
        return [h for h in self.hooks.values() if h.topic == topic and h.status == "active"]

    def create(self, params: Mapping[str, Any], now: datetime) -> Webhook:
        topic = str(params.get("topic") or "").strip().lower()
        if not topic or not valid_topic(topic):
            raise _invalid("topic", "Webhook topic is required and must be valid.")
        url = str(params.get("delivery_url") or "")
        if not url or not valid_delivery_url(url):
            raise _invalid(
                "delivery_url",
                "Webhook delivery URL must be a valid URL starting with http:// or https://.",
            )
        hook_id = self.ids.next("webhook")
        hook = Webhook(
            id=hook_id,
            name=str(params.get("name") or f"Webhook created on {now:%B %d, %Y @ %I:%M %p}"),
            status=str(params.get("status") or "active"),
            topic=topic,
            delivery_url=url,
            secret=str(params["secret"]),
            created=now,
            modified=now,
        )
        self.hooks[hook.id] = hook
        return hook

    def update(self, hook: Webhook, params: Mapping[str, Any], now: datetime) -> Webhook:
        if params.get("topic"):
            topic = str(params["topic"]).strip().lower()
            if not valid_topic(topic):
                raise _invalid("topic", "Webhook topic must be valid.")
            hook.topic = topic
        if params.get("delivery_url"):
            url = str(params["delivery_url"])
            if not valid_delivery_url(url):
                raise _invalid(
                    "delivery_url",
                    "Webhook delivery URL must be a valid URL starting with http:// or https://.",
                )
            hook.delivery_url = url
        if params.get("secret"):
            hook.secret = str(params["secret"])
        if params.get("status"):
            # The failure count is not reset: a re-activated webhook is disabled again by its
            # next failure, until a success resets the count (as WooCommerce does).
            hook.status = str(params["status"])
        if params.get("name"):
            hook.name = str(params["name"])
        hook.modified = now
        return hook

    def delete(self, hook: Webhook) -> Webhook:
        del self.hooks[hook.id]
        return hook

    def record_outcome(self, webhook_id: int, success: bool) -> None:
        hook = self.hooks.get(webhook_id)
        if hook is None:
            return
        if success:
            hook.failure_count = 0
            return
        hook.failure_count += 1
        if hook.failure_count >= MAX_FAILURES:
            hook.status = "disabled"

    def load(self, hooks: list[Webhook]) -> None:
        self.hooks = {h.id: h for h in hooks}
