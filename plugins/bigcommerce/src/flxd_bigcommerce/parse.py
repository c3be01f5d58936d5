"""BigCommerce's values at the boundary: dates into aware UTC datetimes, money into Decimal.

Anything malformed raises RecordError naming the field, so the operation skips that record and
goes on with the page.
"""

from __future__ import annotations

import email.utils
import re
from collections.abc import Mapping
from datetime import UTC, datetime
from decimal import Decimal, InvalidOperation
from typing import Any

from flxd.plugin import RecordError

__all__ = [
    "format_v2_date",
    "format_v3_date",
    "money",
    "objects",
    "parse_date",
    "shown",
    "text",
    "whole",
]

INT64 = 2**63 - 1
"""The largest integer both hub databases store."""
MAX_DIGITS = 15
MAX_DECIMALS = 20
"""Amounts are stored as exact decimal strings: at most 15 digits before the point and 20 after
it (`1e-300` written out is 302 characters, `1e999999999` a gigabyte)."""
_WHOLE = re.compile(r"[+-]?[0-9]{1,19}")
# NUL ends a string in C (PostgreSQL refuses it); a lone surrogate is not UTF-8 at all.
_UNSTORABLE = re.compile("[\x00\ud800-\udfff]")


def shown(value: Any) -> str:
    """A value for an error message, cut short (a hostile field may be megabytes long)."""
    quoted = repr(value)  # repr escapes NUL and unpaired surrogates
    return quoted if len(quoted) <= 60 else quoted[:57] + "..."


def parse_date(value: Any, field: str) -> datetime:
    """ISO-8601 (V3: `2018-08-24T14:41:00+00:00`) or RFC-2822 (V2: `Tue, 20 Nov 2012 00:00:00
    +0000`) into an aware UTC datetime. A value without an offset is refused, not guessed."""
    if not isinstance(value, str) or not value.strip():
        raise RecordError(f"{field}: expected a date, got {shown(value)}")
    text = value.strip()
    try:
        if text[:4].isdigit():
            parsed = datetime.fromisoformat(text.replace("Z", "+00:00"))
        else:
            parsed = email.utils.parsedate_to_datetime(text)
        if parsed.tzinfo is None:
            raise RecordError(f"{field}: {shown(value)} has no time zone")
        # Year 1 at +14:00 is before year 1 in UTC: OverflowError, as for any out-of-range date.
        return parsed.astimezone(UTC)
    except (ValueError, TypeError, IndexError, OverflowError):
        raise RecordError(f"{field}: {shown(value)} is not a date") from None


def text(value: Any, field: str) -> str | None:
    """A text field: None or blank is None, a whole number is written as text. Anything else,
    and text the hub could not keep as it is (NUL, an unpaired surrogate), is refused. The
    message names the field, never the value (it may be a customer's personal data)."""
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
    """A list of JSON objects (None or absent: none). Anything else is refused, and so is a
    list with something other than an object in it: leaving that out would store the record
    without a part of it."""
    if value is None:
        return []
    if not isinstance(value, list):
        raise RecordError(f"{field}: expected a list, got {type(value).__name__}")
    for n, item in enumerate(value):
        if not isinstance(item, Mapping):
            raise RecordError(f"{field}[{n}]: expected an object, got {type(item).__name__}")
    return value


def format_v3_date(moment: datetime) -> str:
    """A full timestamp with offset: V3 fills in a date-only filter with the current time."""
    return moment.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%S+00:00")


def format_v2_date(moment: datetime) -> str:
    """RFC-2822 in UTC, as V2 writes dates itself."""
    return email.utils.format_datetime(moment.astimezone(UTC))


def money(value: Any, field: str, *, required: bool = True) -> Decimal | None:
    """A price: V2 sends strings ("225.0000"), V3 numbers; both become exact Decimals."""
    if value is None or value == "":
        if required:
            raise RecordError(f"{field}: missing")
        return None
    if isinstance(value, bool) or not isinstance(value, str | int | float | Decimal):
        raise RecordError(f"{field}: expected an amount, got {type(value).__name__}")
    try:
        amount = Decimal(str(value).strip())
    except (InvalidOperation, ValueError):
        raise RecordError(f"{field}: {shown(value)} is not an amount") from None
    if not amount.is_finite():
        raise RecordError(f"{field}: {shown(value)} is not an amount")
    # Compared without arithmetic: abs() of 1E+999999999 overflows the decimal context.
    exponent = amount.as_tuple().exponent
    too_long = isinstance(exponent, int) and exponent < -MAX_DECIMALS
    if amount.adjusted() >= MAX_DIGITS or too_long:
        raise RecordError(f"{field}: {shown(value)} is out of range for an amount")
    return amount


def whole(value: Any, field: str, *, minimum: int | None = None, maximum: int | None = None) -> int:
    """An integer field (ids, quantities); floats with a fraction, booleans, digits other than
    0-9 and numbers the hub cannot store (past 64 bits) are refused."""
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
    if maximum is not None and value > maximum:
        raise RecordError(f"{field}: {shown(value)} is above {maximum}")
    if not -INT64 - 1 <= value <= INT64:
        raise RecordError(f"{field}: {shown(value)} is out of range")
    return value
