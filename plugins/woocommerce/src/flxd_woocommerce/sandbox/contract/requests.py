"""Requests against the route index of ``_index.md``: parsing it, applying the errata, checking
a request log the way WordPress checks requests, and comparing a store's declared schemas."""

from __future__ import annotations

import json
import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from functools import cache
from pathlib import Path
from typing import Any

from flxd_woocommerce.sandbox.contract.documents import docs_dir
from flxd_woocommerce.sandbox.contract.errata import INDEX_ERRATA
from flxd_woocommerce.sandbox.requestlog import LoggedRequest, RequestLog
from flxd_woocommerce.sandbox.schema.args import CORE_ORDER_STATUSES
from flxd_woocommerce.sandbox.schema.wpvalidate import Schema, validate

__all__ = ["IndexRoute", "RouteIndex", "schema_differences"]

_ORDERS = "/wc/v3/orders"


@dataclass(frozen=True, slots=True)
class IndexRoute:
    pattern: str
    regex: re.Pattern[str]
    endpoints: tuple[tuple[tuple[str, ...], dict[str, Schema]], ...]

    def args_for(self, method: str) -> dict[str, Schema] | None:
        for methods, args in self.endpoints:
            if method in methods:
                return args
        return None


def _without_docs(schema: Any) -> Any:
    """A schema without its prose (``description``, ``context``); property names are kept."""
    if not isinstance(schema, Mapping):
        return schema
    cleaned: dict[str, Any] = {}
    for key, value in schema.items():
        if key in ("description", "context"):
            continue
        if key == "properties" and isinstance(value, Mapping):
            cleaned[key] = {name: _without_docs(v) for name, v in value.items()}
        else:
            cleaned[key] = _without_docs(value) if isinstance(value, Mapping) else value
    return cleaned


class RouteIndex:
    """The ``wc/v3`` routes of ``_index.md`` with :data:`INDEX_ERRATA` applied."""

    def __init__(self, routes: Mapping[str, Any]) -> None:
        found = []
        for pattern, route in routes.items():
            endpoints = tuple(
                (
                    tuple(e["methods"]),
                    # PHP encodes an empty args array as a JSON list.
                    {name: _without_docs(arg) for name, arg in dict(e.get("args") or {}).items()},
                )
                for e in route["endpoints"]
            )
            found.append(IndexRoute(pattern, re.compile(f"^{pattern}$", re.I), endpoints))
        self.routes = tuple(found)

    @classmethod
    def load(cls, path: Path | None = None) -> RouteIndex:
        return _load_index(path or docs_dir() / "_index.md")

    def route(self, rest_route: str) -> IndexRoute | None:
        for route in self.routes:
            if route.regex.match(rest_route):
                return route
        return None

    def args(
        self, pattern: str, method: str, custom_statuses: Iterable[str] = ()
    ) -> dict[str, Schema] | None:
        """A route's arguments for ``method`` as WooCommerce really has them (index + errata)."""
        route = next((r for r in self.routes if r.pattern == pattern), None)
        base = route.args_for(method) if route else None
        if base is None:
            return None
        args = dict(base)
        if INDEX_ERRATA.get((pattern, _canonical(pattern, method))):
            args.update(INDEX_ERRATA[(pattern, _canonical(pattern, method))][1])
        return self._with_statuses(pattern, method, args, list(custom_statuses))

    @staticmethod
    def _with_statuses(
        pattern: str, method: str, args: dict[str, Schema], custom: list[str]
    ) -> dict[str, Schema]:
        if not pattern.startswith(_ORDERS) or "status" not in args or "/notes" in pattern:
            return args
        statuses = [*CORE_ORDER_STATUSES, *custom]
        if method == "GET" and pattern == _ORDERS:
            items = {"type": "string", "enum": ["any", "trash", *statuses]}
            args["status"] = {"type": "array", "items": items, "default": "any"}
        else:
            args["status"] = {**args["status"], "enum": statuses}
        return args

    def problems(self, entry: LoggedRequest, custom_statuses: Iterable[str] = ()) -> list[str]:
        """What is wrong with one logged request by the index (empty when nothing)."""
        rest_route = entry.rest_route or ""
        if not rest_route.startswith("/wc/v3/") or entry.status in (0, 499):
            return []
        route = self.route(rest_route)
        args = self.args(route.pattern, entry.method, custom_statuses) if route else None
        if route is None or args is None:
            return [f"{entry.method} {rest_route} is not a route of WooCommerce's index"]
        match = route.regex.match(rest_route)
        url = match.groupdict() if match else {}
        body = entry.body if isinstance(entry.body, Mapping) else {}
        params = {**url, **entry.query, **(body if entry.method != "GET" else {})}
        found = _check(args, params, "")
        if route.pattern.endswith("/batch") and isinstance(entry.body, Mapping):
            found += self._batch_items(route.pattern[: -len("/batch")], entry.body, custom_statuses)
        return found

    def _batch_items(
        self, collection: str, body: Mapping[str, Any], custom: Iterable[str]
    ) -> list[str]:
        found: list[str] = []
        create = self.args(collection, "POST", custom) or {}
        update = self.args(collection + r"/(?P<id>[\d]+)", "PUT", custom) or {}
        for section, args in (("create", create), ("update", update)):
            items = body.get(section) or []
            for index, item in enumerate(items if isinstance(items, list) else []):
                if not isinstance(item, Mapping):
                    found.append(f"{section}[{index}] is not an object")
                    continue
                found += _check(args, item, f"{section}[{index}]: ")
        for index, item_id in enumerate(body.get("delete") or []):
            if validate(item_id, {"type": "integer"}, "id") is not None:
                found.append(f"delete[{index}] is not an id")
        return found

    def check_log(
        self, log: RequestLog | Iterable[LoggedRequest], custom_statuses: Iterable[str] = ()
    ) -> list[str]:
        statuses = list(custom_statuses)
        return [f"{e.describe()}: {p}" for e in log for p in self.problems(e, statuses)]

    def assert_valid(
        self, log: RequestLog | Iterable[LoggedRequest], custom_statuses: Iterable[str] = ()
    ) -> None:
        """Raise AssertionError listing every logged request the index would refuse."""
        problems = self.check_log(log, custom_statuses)
        if problems:
            raise AssertionError(
                f"{len(problems)} request(s) break WooCommerce's route index:\n"
                + "\n".join(problems)
            )


def _canonical(pattern: str, method: str) -> str:
    """The method the errata are filed under: POST for creates and batches, PUT for updates."""
    if method in ("GET", "DELETE"):
        return method
    return "PUT" if "(?P<id>" in pattern and not pattern.endswith("/batch") else "POST"


def schema_differences(
    index: RouteIndex,
    endpoints: Iterable[tuple[str, tuple[str, ...], Mapping[str, Schema]]],
    custom_statuses: Iterable[str] = (),
) -> list[str]:
    """Where a store's declared arguments (``route, methods, args``) disagree with the index:
    an argument it does not have, or a different type, enum, bound, format or requirement."""
    statuses = list(custom_statuses)
    found: list[str] = []
    for route, methods, args in endpoints:
        if not route.startswith("/wc/v3"):
            continue
        for method in methods:
            documented = index.args(route, method, statuses)
            if documented is None:
                found.append(f"{method} {route}: not in the index")
                continue
            for name, schema in args.items():
                if name not in documented:
                    found.append(f"{method} {route}: {name} is not in the index")
                else:
                    found += _compare(schema, documented[name], f"{method} {route} {name}")
    return found


def _compare(mine: Schema, theirs: Schema, where: str) -> list[str]:
    found = []
    for keyword in ("type", "minimum", "maximum", "format", "required"):
        if keyword in mine and mine[keyword] != theirs.get(
            keyword, False if keyword == "required" else None
        ):
            found.append(
                f"{where}: {keyword} {mine[keyword]!r} where the index has {theirs.get(keyword)!r}"
            )
    if "enum" in mine and sorted(mine["enum"]) != sorted(theirs.get("enum") or []):
        found.append(f"{where}: enum {mine['enum']} where the index has {theirs.get('enum')}")
    if isinstance(mine.get("items"), Mapping) and isinstance(theirs.get("items"), Mapping):
        found += _compare(mine["items"], theirs["items"], f"{where}[]")
    mine_props, their_props = mine.get("properties"), theirs.get("properties")
    if isinstance(mine_props, Mapping) and isinstance(their_props, Mapping):
        for name, schema in mine_props.items():
            if name in their_props and "type" in schema:
                found += _compare(schema, their_props[name], f"{where}.{name}")
    return found


def _check(args: Mapping[str, Schema], params: Mapping[str, Any], prefix: str) -> list[str]:
    found = [
        f"{prefix}missing required parameter {name}"
        for name, schema in args.items()
        if schema.get("required") and params.get(name) is None
    ]
    for name, schema in args.items():
        value = params.get(name)
        if value is not None:
            problem = validate(value, schema, name)
            if problem is not None:
                found.append(
                    f"{prefix}{problem if problem.startswith(name) else f'{name}: {problem}'}"
                )
    return found


@cache
def _load_index(path: Path) -> RouteIndex:
    text = path.read_text(encoding="utf-8")
    match = re.search(r"```json\n(.*?)\n```", text, re.S)
    if match is None:
        raise ValueError(f"{path}: no JSON route index found")
    return RouteIndex(json.loads(match.group(1))["routes"])
