"""A request's arguments as ``WP_REST_Request`` assembles and checks them.

Sources, highest precedence first: the JSON body (only when sent as ``application/json``; a
JSON body sent as anything else is silently not read), a form body, the query string, the URL
(``/products/(?P<id>...)``), then the route's defaults. A ``null`` is the same as absent.
Required arguments missing: 400 ``rest_missing_callback_param``; values breaking their schema:
400 ``rest_invalid_param`` naming each. Arguments the route does not declare are passed on
unchecked, as WordPress passes them.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from flxd_woocommerce.sandbox.errors import WpError
from flxd_woocommerce.sandbox.schema.wpvalidate import Schema, sanitize, validate

__all__ = ["Arguments", "collect", "invalid_params", "item_problems", "parse_json_body"]


@dataclass(frozen=True, slots=True)
class Arguments:
    params: dict[str, Any]
    """Every argument the handler sees: declared ones sanitized, defaults filled in."""
    provided: frozenset[str]
    """Names the request itself carried (not defaults)."""


def parse_json_body(raw: bytes, content_type: str) -> Any:
    """The JSON body, None when there is none or it is not sent as JSON; 400
    ``rest_invalid_json`` when it does not parse."""
    if content_type != "application/json" or not raw.strip():
        return None
    try:
        return json.loads(raw)
    except (ValueError, UnicodeDecodeError) as exc:
        raise WpError(
            400,
            "rest_invalid_json",
            "Invalid JSON body passed.",
            {"json_error_code": 4, "json_error_message": f"Syntax error ({exc})"},
        ) from None


def invalid_params(problems: Mapping[str, str]) -> WpError:
    details = {
        name: {
            "code": "rest_invalid_date" if message == "Invalid date." else "rest_invalid_param",
            "message": message,
            "data": None,
        }
        for name, message in problems.items()
    }
    return WpError(
        400,
        "rest_invalid_param",
        f"Invalid parameter(s): {', '.join(problems)}",
        {"params": dict(problems), "details": details},
    )


def collect(
    args: Mapping[str, Schema],
    *,
    method: str,
    url: Mapping[str, str],
    query: Mapping[str, Any],
    form: Mapping[str, Any],
    body: Any,
) -> Arguments:
    """Merge the sources, check them against ``args`` and sanitize; raises :class:`WpError`."""
    sources: list[Mapping[str, Any]] = [query, url]
    if method != "GET":
        json_params = body if isinstance(body, Mapping) else {}
        sources = [json_params, form, query, url]
    merged: dict[str, Any] = {}
    for source in reversed(sources):
        merged.update({k: v for k, v in source.items() if v is not None})
    provided = frozenset(merged)
    missing = [n for n, s in args.items() if s.get("required") and merged.get(n) is None]
    if missing:
        raise WpError(
            400,
            "rest_missing_callback_param",
            f"Missing parameter(s): {', '.join(missing)}",
            {"params": missing},
        )
    problems: dict[str, str] = {}
    for name, schema in args.items():
        if name in merged:
            problem = validate(merged[name], schema, name)
            if problem is not None:
                problems[name] = problem
            else:
                merged[name] = sanitize(merged[name], schema)
        elif "default" in schema:
            merged[name] = schema["default"]
    if problems:
        raise invalid_params(problems)
    return Arguments(params=merged, provided=provided)


def item_problems(args: Mapping[str, Schema], item: Any, where: str) -> list[str]:
    """What WordPress would say of one batch item sent alone (batch items themselves are not
    checked by WordPress; the store logs these, it does not refuse them)."""
    if not isinstance(item, Mapping):
        return [f"{where} is not an object"]
    found = []
    for name, schema in args.items():
        value = item.get(name)
        if value is not None:
            problem = validate(value, schema, name)
            if problem is not None:
                found.append(f"{where}: {problem}")
    return found
