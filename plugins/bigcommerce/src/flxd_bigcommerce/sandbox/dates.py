"""Date formats at the API boundary.

Catalog V3 writes ISO-8601 with an offset and whole seconds (``2018-08-24T14:41:00+00:00``);
Orders V2 writes RFC-2822 in UTC (``Tue, 20 Nov 2012 00:00:00 +0000``) and accepts either form in
its filters. Inside the sandbox every datetime is aware UTC.
"""

from __future__ import annotations

import re
from datetime import UTC, datetime, time
from email.utils import format_datetime, parsedate_to_datetime

__all__ = [
    "DateParseError",
    "format_iso",
    "format_rfc2822",
    "parse_filter_date",
    "whole_seconds",
]

_DATE_ONLY = re.compile(r"^\d{4}-\d{2}-\d{2}$")
_UNIX = re.compile(r"^\d{9,11}$")


class DateParseError(ValueError):
    """A date filter value is in no format BigCommerce accepts."""


def whole_seconds(moment: datetime) -> datetime:
    """BigCommerce stores second resolution; sub-second parts never reach a client."""
    return moment.astimezone(UTC).replace(microsecond=0)


def format_iso(moment: datetime) -> str:
    return whole_seconds(moment).isoformat()


def format_rfc2822(moment: datetime) -> str:
    # format_datetime writes "+0000" for aware UTC datetimes (usegmt would write "GMT").
    return format_datetime(whole_seconds(moment))


def parse_filter_date(value: str, *, now: datetime) -> datetime:
    """Parse a ``date_modified:min``-style filter value into aware UTC.

    Accepts ISO-8601 (a missing offset means UTC), RFC-2822 and Unix seconds. A date without a
    time gets the current time of day appended, as BigCommerce documents for V3 date filters
    (D:PROD#L9890-9893) -- which is why clients must always send full timestamps.
    """
    text = value.strip()
    if not text:
        raise DateParseError("empty date")
    if _UNIX.match(text):
        return datetime.fromtimestamp(int(text), UTC)
    if _DATE_ONLY.match(text):
        day = datetime.fromisoformat(text).date()
        return datetime.combine(day, time(now.hour, now.minute, now.second), UTC)
    try:
        parsed = datetime.fromisoformat(text.replace("Z", "+00:00"))
    except ValueError:
        try:
            parsed = parsedate_to_datetime(text)
        except (TypeError, ValueError) as exc:
            raise DateParseError(f"not an ISO-8601 or RFC-2822 date: {value!r}") from exc
    if parsed.tzinfo is None:
        parsed = parsed.replace(tzinfo=UTC)
    return parsed.astimezone(UTC)
