"""BigCommerce's V3 filter grammar over in-memory records.

``attr=value``, ``attr:in=a,b``, ``attr:not_in=``, ``attr:min``/``:max`` (inclusive),
``attr:greater``/``:less`` (exclusive), ``attr:like`` (substring) -- D:QP#L7-19. Each endpoint
declares which attributes it filters on and their kinds; parameters it does not know are ignored,
as BigCommerce ignores them.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal
from typing import Any, Generic, Literal, TypeVar

from flxd_bigcommerce.sandbox.dates import DateParseError, parse_filter_date
from flxd_bigcommerce.sandbox.errors import ApiError

__all__ = ["Field", "FilterSet", "compile_filters"]

R = TypeVar("R")
Kind = Literal["int", "decimal", "str", "istr", "bool", "date", "enum"]
_OPERATORS = ("", "in", "not_in", "min", "max", "greater", "less", "like")


@dataclass(frozen=True, slots=True)
class Field(Generic[R]):
    """A filterable attribute: its kind and how to read it from a record."""

    kind: Kind
    get: Callable[[R], Any]


@dataclass(frozen=True, slots=True)
class FilterSet(Generic[R]):
    predicates: tuple[Callable[[R], bool], ...]

    def __bool__(self) -> bool:
        return bool(self.predicates)

    def __call__(self, record: R) -> bool:
        return all(predicate(record) for predicate in self.predicates)


def _convert(kind: Kind, raw: str, name: str, now: datetime) -> Any:
    try:
        if kind == "int":
            return int(raw)
        if kind == "decimal":
            return Decimal(raw)
        if kind == "bool":
            if raw.lower() not in ("true", "false", "1", "0"):
                raise ValueError(raw)
            return raw.lower() in ("true", "1")
        if kind == "date":
            return parse_filter_date(raw, now=now)
        if kind == "istr":
            return raw.casefold()
        return raw
    except (ValueError, ArithmeticError, DateParseError):
        raise ApiError.invalid({name: f"The filter value {raw!r} is not valid"}) from None


def _predicate(field: Field[R], op: str, raw: str, name: str, now: datetime) -> Callable[[R], bool]:
    get, kind = field.get, field.kind

    def fold(value: Any) -> Any:
        return value.casefold() if kind == "istr" and isinstance(value, str) else value

    if op in ("in", "not_in"):
        wanted = {_convert(kind, part, name, now) for part in raw.split(",") if part != ""}
        if op == "in":
            return lambda r: fold(get(r)) in wanted
        return lambda r: fold(get(r)) not in wanted
    if op == "like":
        needle = raw.casefold()
        return lambda r: needle in str(get(r)).casefold()
    value = _convert(kind, raw, name, now)
    if op == "":
        return lambda r: fold(get(r)) == value
    if op == "min":
        return lambda r: get(r) is not None and get(r) >= value
    if op == "max":
        return lambda r: get(r) is not None and get(r) <= value
    if op == "greater":
        return lambda r: get(r) is not None and get(r) > value
    return lambda r: get(r) is not None and get(r) < value


def compile_filters(
    query: Mapping[str, str], fields: Mapping[str, Field[R]], *, now: datetime
) -> FilterSet[R]:
    predicates: list[Callable[[R], bool]] = []
    for name, raw in query.items():
        attr, _, op = name.partition(":")
        field = fields.get(attr)
        if field is None or op not in _OPERATORS:
            continue
        if field.kind in ("bool", "enum") and op not in ("", "in", "not_in"):
            continue
        predicates.append(_predicate(field, op, raw, name, now))
    return FilterSet(tuple(predicates))
