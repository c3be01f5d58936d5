"""Dates the way WordPress handles them: a site timezone, naive ``YYYY-MM-DDTHH:MM:SS`` strings
in the site's time and in GMT, ``rest_parse_date`` validation, and the query bounds of
``WP_Date_Query``.

How a list filter such as ``modified_after`` is applied (WP_Date_Query::build_mysql_datetime,
then a strict ``>``/``<`` on a second-resolution column):

- the column is the site-local one (``post_modified``) unless ``dates_are_gmt`` is true, then
  the GMT one (``post_modified_gmt``);
- a value without an offset is taken as written, in the column's own time;
- a value *with* an offset (``Z``, ``+02:00``) is converted to the **site's** time first,
  whichever column it is compared with. With ``dates_are_gmt=true`` on a site that is not at
  UTC that shifts the bound by the site's offset; send naive GMT times with
  ``dates_are_gmt=true``, or offset times without it.
"""

from __future__ import annotations

import re
from datetime import UTC, datetime, timedelta, timezone, tzinfo
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

__all__ = [
    "REST_DATE",
    "gmt_text",
    "local_text",
    "parse_rest_date",
    "parse_timezone",
    "query_bound",
    "utc_offset_hours",
    "whole_seconds",
]

# rest_parse_date's pattern: a full date and time, optional fraction and offset.
REST_DATE = re.compile(
    r"^(\d{4})-(\d{2})-(\d{2})[Tt ](\d{2}):(\d{2}):(\d{2})(\.\d+)?(Z|z|[+-]\d{2}(?::?\d{2})?)?$"
)
_OFFSET = re.compile(r"^([+-])(\d{2}):?(\d{2})$")


def parse_timezone(text: str) -> tzinfo:
    """``UTC``, a fixed offset (``-03:00``) or an IANA name; ValueError otherwise."""
    if text.upper() in ("UTC", "Z", "GMT"):
        return UTC
    match = _OFFSET.match(text)
    if match:
        sign, hours, minutes = match.groups()
        delta = timedelta(hours=int(hours), minutes=int(minutes))
        if delta >= timedelta(hours=15):
            raise ValueError(f"offset {text!r} is out of range")
        return timezone(-delta if sign == "-" else delta)
    try:
        return ZoneInfo(text)
    except (ZoneInfoNotFoundError, ValueError):
        raise ValueError(f"unknown timezone {text!r} (use UTC, +HH:MM or an IANA name)") from None


def whole_seconds(moment: datetime) -> datetime:
    """WordPress stores dates to the second."""
    return moment.replace(microsecond=0)


def local_text(moment: datetime, site_tz: tzinfo) -> str:
    """``date_created`` and friends: the site's wall-clock time, no offset."""
    return moment.astimezone(site_tz).strftime("%Y-%m-%dT%H:%M:%S")


def gmt_text(moment: datetime) -> str:
    """``date_created_gmt`` and friends: GMT, no offset."""
    return moment.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%S")


def utc_offset_hours(site_tz: tzinfo, at: datetime) -> float:
    offset = at.astimezone(site_tz).utcoffset() or timedelta(0)
    return offset.total_seconds() / 3600


def parse_rest_date(text: str, site_tz: tzinfo, *, gmt: bool = False) -> datetime | None:
    """A client-sent date as an aware UTC datetime, or None when ``rest_parse_date`` would
    refuse it. Without an offset it is site time (or GMT when ``gmt``)."""
    naive = _naive_or_aware(text)
    if naive is None:
        return None
    if naive.tzinfo is None:
        naive = naive.replace(tzinfo=UTC if gmt else site_tz)
    return whole_seconds(naive.astimezone(UTC))


def query_bound(text: str, site_tz: tzinfo) -> datetime | None:
    """The naive wall-clock bound WP_Date_Query compares a column with (see module doc)."""
    parsed = _naive_or_aware(text)
    if parsed is None:
        return None
    if parsed.tzinfo is not None:
        parsed = parsed.astimezone(site_tz).replace(tzinfo=None)
    return whole_seconds(parsed)


def _naive_or_aware(text: str) -> datetime | None:
    match = REST_DATE.match(text)
    if match is None:
        return None
    year, month, day, hour, minute, second, fraction, offset = match.groups()
    try:
        moment = datetime(
            int(year),
            int(month),
            int(day),
            int(hour),
            int(minute),
            int(second),
            int((fraction or ".0")[1:7].ljust(6, "0")),
        )
    except ValueError:
        return None
    if offset is None:
        return moment
    if offset in ("Z", "z"):
        return moment.replace(tzinfo=UTC)
    sign = -1 if offset[0] == "-" else 1
    digits = offset[1:].replace(":", "")
    hours, minutes = int(digits[:2]), int(digits[2:] or "0")
    return moment.replace(tzinfo=timezone(sign * timedelta(hours=hours, minutes=minutes)))
