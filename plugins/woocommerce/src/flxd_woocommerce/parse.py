"""WooCommerce's values at the boundary: dates into aware UTC datetimes, money into Decimal.

WooCommerce gives every date twice, in the site's time without an offset (`date_modified`)
and in GMT without an offset (`date_modified_gmt`); flxd reads the GMT one only. It takes
date filters the same way: a time without an offset with `dates_are_gmt=true` is GMT (a time
*with* an offset is converted to the site's time whatever `dates_are_gmt` says, so flxd never
sends one). Money comes as strings ("12.50"), an empty string when there is none.

Anything malformed raises RecordError naming the field (never its value where that may be a
customer's personal data), so the operation skips that record and goes on.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from datetime import UTC, datetime
from decimal import Decimal, InvalidOperation
from typing import Any

from flxd.plugin import RecordError

__all__ = ["format_gmt", "gmt_date", "money", "objects", "shown", "text", "whole"]

INT64 = 2**63 - 1
MAX_DIGITS = 15
MAX_DECIMALS = 20
_WHOLE = re.compile(r"[+-]?[0-9]{1,19}")
_GMT = re.compile(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d")
_UNSTORABLE = re.compile("[\x00\ud800-\udfff]")


def shown(value: Any) -> str:
    """A value for an error message, cut short (a hostile field may be megabytes long)."""
    quoted = repr(value)
    return quoted if len(quoted) <= 60 else quoted[:57] + "..."


def gmt_date(value: Any, field: str, *, required: bool = True) -> datetime | None:
    """A `*_gmt` date (`2025-01-15T12:00:00`, GMT without an offset) as aware UTC."""
    if value is None and not required:
        return None
    if not isinstance(value, str) or not _GMT.fullmatch(value.strip()):
        raise RecordError(f"{field}: expected a GMT date (YYYY-MM-DDTHH:MM:SS), got {shown(value)}")
    try:
        return datetime.fromisoformat(value.strip()).replace(tzinfo=UTC)
    except ValueError:
        raise RecordError(f"{field}: {shown(value)} is not a date") from None


def format_gmt(moment: datetime) -> str:
    """A date filter's value: GMT without an offset, to go with `dates_are_gmt=true`."""
    return moment.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%S")


def text(value: Any, field: str) -> str | None:
    """A text field: None or blank is None, a whole number is written as text. Anything else,
    and text the hub could not keep (NUL, an unpaired surrogate), is refused."""
    if value is None:
        return None
    if isinstance(value, int) and not isinstance(value, bool):
        return str(value)
    if not isinstance(value, str):
        raise RecordError(f"{field}: expected text, got {type(value).__name__}")
    if _UNSTORABLE.search(value):
        raise RecordError(f"{field}: contains NUL or an unpaired surrogate")
    return value.strip() or None


def objects(value: Any, field: str) -> list[Mapping[str, Any]]:
    """A list of JSON objects (None: none); anything else, or a list holding anything but
    objects, is refused (leaving a part out would store the record without it)."""
    if value is None:
        return []
    if not isinstance(value, list):
        raise RecordError(f"{field}: expected a list, got {type(value).__name__}")
    for n, item in enumerate(value):
        if not isinstance(item, Mapping):
            raise RecordError(f"{field}[{n}]: expected an object, got {type(item).__name__}")
    return value


def money(value: Any, field: str, *, required: bool = False) -> Decimal | None:
    """An amount ("12.50", or a number): an exact Decimal; "" or None is no amount."""
    if value is None or value == "":
        if required:
            raise RecordError(f"{field}: missing")
        return None
    if isinstance(value, bool) or not isinstance(value, str | int | float):
        raise RecordError(f"{field}: expected an amount, got {type(value).__name__}")
    try:
        amount = Decimal(str(value).strip())
    except (InvalidOperation, ValueError):
        raise RecordError(f"{field}: {shown(value)} is not an amount") from None
    if not amount.is_finite():
        raise RecordError(f"{field}: {shown(value)} is not an amount")
    exponent = amount.as_tuple().exponent
    too_long = isinstance(exponent, int) and exponent < -MAX_DECIMALS
    if amount.adjusted() >= MAX_DIGITS or too_long:
        raise RecordError(f"{field}: {shown(value)} is out of range for an amount")
    return amount


def whole(value: Any, field: str, *, minimum: int | None = None) -> int:
    """An integer field (ids, quantities); floats with a fraction, booleans and numbers past 64
    bits are refused."""
    if isinstance(value, bool):
        raise RecordError(f"{field}: expected a whole number, got {value!r}")
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    if isinstance(value, str) and _WHOLE.fullmatch(value.strip()):
        value = int(value.strip())
    if not isinstance(value, int):
        raise RecordError(f"{field}: expected a whole number, got {shown(value)}")
    if minimum is not None and value < minimum:
        raise RecordError(f"{field}: {shown(value)} is below {minimum}")
    if not -INT64 - 1 <= value <= INT64:
        raise RecordError(f"{field}: {shown(value)} is out of range")
    return value
