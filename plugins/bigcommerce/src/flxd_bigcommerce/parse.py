"""BigCommerce's values at the boundary: dates into aware UTC datetimes, money into Decimal.

Anything malformed raises RecordError naming the field, so the operation skips that record and
goes on with the page.
"""

from __future__ import annotations

import email.utils
from datetime import UTC, datetime
from decimal import Decimal, InvalidOperation
from typing import Any

from flxd.errors import RecordError

__all__ = ["format_v2_date", "format_v3_date", "money", "parse_date", "whole"]


def parse_date(value: Any, field: str) -> datetime:
    """ISO-8601 (V3: `2018-08-24T14:41:00+00:00`) or RFC-2822 (V2: `Tue, 20 Nov 2012 00:00:00
    +0000`) into an aware UTC datetime. A value without an offset is refused, not guessed."""
    if not isinstance(value, str) or not value.strip():
        raise RecordError(f"{field}: expected a date, got {value!r}")
    text = value.strip()
    try:
        if text[:4].isdigit():
            parsed = datetime.fromisoformat(text.replace("Z", "+00:00"))
        else:
            parsed = email.utils.parsedate_to_datetime(text)
    except (ValueError, TypeError, IndexError):
        raise RecordError(f"{field}: {value!r} is not a date") from None
    if parsed.tzinfo is None:
        raise RecordError(f"{field}: {value!r} has no time zone")
    return parsed.astimezone(UTC)


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
    except InvalidOperation:
        raise RecordError(f"{field}: {value!r} is not an amount") from None
    if not amount.is_finite():
        raise RecordError(f"{field}: {value!r} is not an amount")
    return amount


def whole(value: Any, field: str, *, minimum: int | None = None, maximum: int | None = None) -> int:
    """An integer field (ids, quantities); floats with a fraction and booleans are refused."""
    if isinstance(value, bool):
        raise RecordError(f"{field}: expected a whole number, got {value!r}")
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    if isinstance(value, str) and value.strip().lstrip("-").isdigit():
        value = int(value.strip())
    if not isinstance(value, int):
        raise RecordError(f"{field}: expected a whole number, got {value!r}")
    if minimum is not None and value < minimum:
        raise RecordError(f"{field}: {value} is below {minimum}")
    if maximum is not None and value > maximum:
        raise RecordError(f"{field}: {value} is above {maximum}")
    return value
