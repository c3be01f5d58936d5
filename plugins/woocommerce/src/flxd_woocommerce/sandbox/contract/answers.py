"""Answers against the property tables of the resource documents."""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass
from functools import cache
from pathlib import Path
from typing import Any

from flxd_woocommerce.sandbox.contract.documents import docs_dir
from flxd_woocommerce.sandbox.contract.errata import ANSWER_DEVIATIONS, NULLABLE

__all__ = ["DocumentedFields", "Field"]

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
        if item is None and (spec.type == "date-time" or name in NULLABLE):
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
