"""Checks against WooCommerce's published REST documents, for the sandbox's own tests and for
the tests of any client run against it.

The documents live outside the repository, in ``../shared/woocommerce/docs`` relative to the
repository root (``FLXD_SHARED_DIR`` overrides ``../shared``); they are read there, never
copied. Two checks:

- :class:`RouteIndex` parses the JSON route index of ``_index.md`` (every route, its methods and
  its arguments' schemas) and checks requests against it the way WordPress checks them. Use it
  on a store's request log to prove a client sent nothing WooCommerce would refuse::

      index = RouteIndex.load()
      index.assert_valid(sandbox.requests("shop1"))

  Batch items, which WordPress itself does not check, are checked against the single-item
  route's arguments.
- :class:`DocumentedFields` parses the property tables of ``_products.md``,
  ``_product-variations.md``, ``_orders.md``, ``_order-notes.md`` and ``_webhooks.md`` and
  checks an answer for fields the documents do not have and values of the wrong type.

The index is older than the tables and than WooCommerce itself. :data:`INDEX_ERRATA` and
:data:`ANSWER_DEVIATIONS` list every place where the sandbox (and WooCommerce) differ from it,
each with its source; nothing else is allowed.
"""

from __future__ import annotations

import json
import os
import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from functools import cache
from pathlib import Path
from typing import Any

from flxd_woocommerce.sandbox.requestlog import LoggedRequest, RequestLog
from flxd_woocommerce.sandbox.schema.args import CORE_ORDER_STATUSES
from flxd_woocommerce.sandbox.schema.wpvalidate import Schema, validate

__all__ = [
    "ANSWER_DEVIATIONS",
    "INDEX_ERRATA",
    "DocumentedFields",
    "RouteIndex",
    "docs_dir",
    "missing_reason",
    "require_docs",
    "schema_differences",
]

REPO_ROOT = Path(__file__).resolve().parents[5]
_DATE = {"type": "string", "format": "date-time"}
_PRODUCTS = "/wc/v3/products"
_VARIATIONS = r"/wc/v3/products/(?P<product_id>[\d]+)/variations"
_ORDERS = "/wc/v3/orders"
_STOCK = {"type": "string", "enum": ["instock", "outofstock", "onbackorder"]}
_STATUS = {"type": "string", "enum": ["draft", "pending", "private", "publish"]}
_GTIN = {"type": "string"}
_PAGING = {
    "page": {"type": "integer", "default": 1, "minimum": 1},
    "per_page": {"type": "integer", "default": 10, "minimum": 1, "maximum": 100},
    "after": _DATE,
    "before": _DATE,
}
_MODIFIED = {
    "modified_after": _DATE,
    "modified_before": _DATE,
    "dates_are_gmt": {"type": "boolean"},
}

INDEX_ERRATA: dict[tuple[str, str], tuple[str, dict[str, Any]]] = {
    (_PRODUCTS, "GET"): (
        "page/per_page bounds: WP_REST_Controller::get_collection_params; date formats: "
        "WooCommerce's collection params; modified_*, dates_are_gmt, stock_status: the "
        "_products.md parameter table; global_unique_id: WooCommerce 9.2+",
        {**_PAGING, **_MODIFIED, "stock_status": _STOCK, "global_unique_id": _GTIN},
    ),
    (_VARIATIONS, "GET"): (
        "as for products (the variations controller inherits them); stock_status: the "
        "_product-variations.md parameter table",
        {**_PAGING, **_MODIFIED, "stock_status": _STOCK},
    ),
    (_ORDERS, "GET"): (
        "status is an array with trash (the _orders.md parameter table; custom statuses join "
        "its enum, WooCommerce builds it from wc_get_order_statuses); modified_*, dates_are_gmt: "
        "the parameter table",
        {**_PAGING, **_MODIFIED},
    ),
    ("/wc/v3/webhooks", "GET"): ("page/per_page bounds and date formats, as above", _PAGING),
    (_PRODUCTS, "POST"): (
        "stock_status: the _products.md property table (the index still has in_stock); "
        "global_unique_id: WooCommerce 9.2+",
        {"stock_status": _STOCK, "global_unique_id": _GTIN},
    ),
    (_VARIATIONS, "POST"): (
        "status and stock_status: the _product-variations.md property table; "
        "global_unique_id: WooCommerce 9.2+",
        {"status": _STATUS, "stock_status": _STOCK, "global_unique_id": _GTIN},
    ),
    (r"/wc/v3/orders/(?P<order_id>[\d]+)/notes", "POST"): (
        "added_by_user: the _order-notes.md property table",
        {"added_by_user": {"type": "boolean", "default": False}},
    ),
    (r"/wc/v3/orders/(?P<id>[\d]+)", "GET"): (
        "dp: the _orders.md retrieve parameters (an integer, as the list's dp)",
        {"dp": {"type": "integer", "default": 2}},
    ),
}
# The same additions apply to the update and batch forms of those routes.
for _create, _single in (
    (_PRODUCTS, r"/wc/v3/products/(?P<id>[\d]+)"),
    (_VARIATIONS, _VARIATIONS + r"/(?P<id>[\d]+)"),
):
    _reason, _args = INDEX_ERRATA[(_create, "POST")]
    INDEX_ERRATA[(_single, "PUT")] = (_reason, _args)
    INDEX_ERRATA[(_create + "/batch", "POST")] = (_reason, _args)

ANSWER_DEVIATIONS: dict[tuple[str, str], str] = {
    ("Product", "global_unique_id"): "string; GTIN/UPC/EAN/ISBN, WooCommerce 9.2+",
    ("Product variation", "global_unique_id"): "string; GTIN/UPC/EAN/ISBN, WooCommerce 9.2+",
    ("Product - Attributes", "option"): (
        "string; a variation seen through /products (a sku search, a product.* webhook) has "
        "{id, name, option} attributes"
    ),
    ("Product variation", "shipping_class_id"): "integer; the table says string, WooCommerce "
    "answers its get_shipping_class_id() integer",
    ("Order - Line items", "price"): "number; the table says string, WooCommerce's own examples "
    "and code give a number",
    ("*", "meta_data.value"): "any JSON; WooCommerce stores arrays and objects too (the Shipment "
    "Tracking extension's items, for one)",
}
_NULLABLE = frozenset({"stock_quantity", "image"})


def shared_dir() -> Path:
    override = os.environ.get("FLXD_SHARED_DIR")
    return Path(override) if override else REPO_ROOT.parent / "shared"


def docs_dir() -> Path:
    return shared_dir() / "woocommerce" / "docs"


def missing_reason() -> str | None:
    where = docs_dir() / "_index.md"
    if not where.is_file():
        return (
            f"WooCommerce's REST documents are not at {where.parent} (set FLXD_SHARED_DIR to the "
            "directory holding woocommerce/docs): contract checks skipped"
        )
    return None


def require_docs() -> Path:
    """For tests: the documents' directory; fails under ``CI=true`` when they are missing,
    skips with the reason otherwise."""
    import pytest

    reason = missing_reason()
    if reason is not None:
        if os.environ.get("CI") == "true":
            pytest.fail(reason)
        pytest.skip(reason)
    return docs_dir()


# ---------------------------------------------------------------- requests


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


# ----------------------------------------------------------------- answers

_TABLE_HEADING = re.compile(r"^#{2,3} (.+?) properties #{2,3}$")
_ROW = re.compile(r"^\|\s*`([a-z_0-9]+)`\s*\|\s*([a-z-]+)\s*\|(.*)\|\s*$")
_LINK = re.compile(r"\(#([a-z0-9-]+)\)")
_DATE_VALUE = re.compile(r"^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}$")
_DOCS = ("_products.md", "_product-variations.md", "_orders.md", "_order-notes.md", "_webhooks.md")


@dataclass(frozen=True, slots=True)
class Field:
    type: str
    table: str | None
    """The nested table (``Order - Billing``) the description links to, if any."""


def _anchor(title: str) -> str:
    return re.sub(r"[^a-z0-9]+", "-", f"{title} properties".lower()).strip("-")


class DocumentedFields:
    """Property tables by title (``Product``, ``Order - Line items``...)."""

    def __init__(self, tables: Mapping[str, Mapping[str, Field]]) -> None:
        self.tables = dict(tables)

    @classmethod
    def load(cls, folder: Path | None = None) -> DocumentedFields:
        return _load_fields(folder or docs_dir())

    def problems(self, table: str, value: Any, where: str = "") -> list[str]:
        """Fields the table does not have and values of the wrong type, in ``value``."""
        if table not in self.tables:
            raise LookupError(f"no documented table {table!r}")
        if not isinstance(value, Mapping):
            return [f"{where or table}: not an object"]
        found: list[str] = []
        for name, item in value.items():
            if name == "_links":
                continue
            path = f"{where}.{name}" if where else name
            spec = self.tables[table].get(name)
            if spec is None:
                if (table, name) not in ANSWER_DEVIATIONS:
                    found.append(f"{path}: not a documented field of {table}")
                continue
            found += self._typed(table, name, spec, item, path)
        return found

    def _typed(self, table: str, name: str, spec: Field, item: Any, path: str) -> list[str]:
        if (table, name) in ANSWER_DEVIATIONS or (name == "value" and table.endswith("Meta data")):
            return []
        if item is None and (spec.type == "date-time" or name in _NULLABLE):
            return []
        checks = {
            "integer": lambda v: isinstance(v, int) and not isinstance(v, bool),
            "string": lambda v: isinstance(v, str),
            "boolean": lambda v: isinstance(v, bool),
            "array": lambda v: isinstance(v, list),
            "object": lambda v: isinstance(v, dict),
            "date-time": lambda v: isinstance(v, str) and bool(_DATE_VALUE.match(v)),
            "number": lambda v: isinstance(v, int | float) and not isinstance(v, bool),
        }
        check = checks.get(spec.type)
        if check is not None and not check(item):
            return [f"{path}: {item!r} is not a documented {spec.type}"]
        if spec.table is None or spec.table not in self.tables:
            return []
        if isinstance(item, Mapping):
            return self.problems(spec.table, item, path)
        found: list[str] = []
        for index, child in enumerate(item if isinstance(item, list) else []):
            if isinstance(child, Mapping):
                found += self.problems(spec.table, child, f"{path}[{index}]")
        return found


@cache
def _load_fields(folder: Path) -> DocumentedFields:
    tables: dict[str, dict[str, Field]] = {}
    anchors: dict[str, str] = {}
    for name in _DOCS:
        current: str | None = None
        for line in (folder / name).read_text(encoding="utf-8").splitlines():
            heading = _TABLE_HEADING.match(line.strip())
            if heading:
                current = heading.group(1)
                tables[current] = {}
                anchors[_anchor(current)] = current
                continue
            if line.startswith("#"):
                current = None
            row = _ROW.match(line.strip()) if current else None
            if row and current:
                link = _LINK.search(row.group(3))
                tables[current][row.group(1)] = Field(row.group(2), link.group(1) if link else None)
    resolved = {
        title: {
            field: Field(spec.type, anchors.get(spec.table) if spec.table else None)
            for field, spec in fields.items()
        }
        for title, fields in tables.items()
    }
    return DocumentedFields(resolved)
