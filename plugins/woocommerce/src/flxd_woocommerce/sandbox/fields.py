"""WordPress's `_fields` (rest_filter_response_fields): an answer cut down to the fields a
client asks for, `a,b` or nested `a.b`, for every item of a list. Any REST answer takes it;
it is a global parameter, in no route's arguments."""

from __future__ import annotations

from typing import Any

__all__ = ["filter_fields"]


def _wanted(value: str) -> list[list[str]]:
    return [part.strip().split(".") for part in value.split(",") if part.strip()]


def _pick(item: Any, paths: list[list[str]]) -> Any:
    if not isinstance(item, dict):
        return item
    picked: dict[str, Any] = {}
    for path in paths:
        head, rest = path[0], path[1:]
        if head not in item:
            continue
        if not rest:
            picked[head] = item[head]
        elif isinstance(item[head], dict):
            inner = _pick(item[head], [rest])
            existing = picked.get(head)
            picked[head] = {**existing, **inner} if isinstance(existing, dict) else inner
    # WordPress keeps the answer's own order of fields.
    return {k: picked[k] for k in item if k in picked}


def filter_fields(data: Any, fields: Any) -> Any:
    """`data` with only the fields `_fields` names (unchanged when it names none)."""
    if not isinstance(fields, str) or not fields.strip():
        return data
    paths = _wanted(fields)
    if isinstance(data, list):
        return [_pick(item, paths) for item in data]
    return _pick(data, paths)
