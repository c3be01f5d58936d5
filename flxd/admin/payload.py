"""Request bodies: JSON objects validated into models, or a 400 that names every bad field."""

from __future__ import annotations

import difflib
import json
from typing import Any, TypeVar

from aiohttp import web
from pydantic import BaseModel, ConfigDict, ValidationError

__all__ = ["Payload", "bad_request", "read_payload"]


class Payload(BaseModel):
    """Base of request bodies: unknown fields are errors (a typo must not be silently ignored)."""

    model_config = ConfigDict(extra="forbid", frozen=True)


P = TypeVar("P", bound=Payload)


def bad_request(problems: list[tuple[str, str]]) -> web.HTTPBadRequest:
    """400 with `{"error": "field: message; …", "problems": [{"field", "message"}, …]}`."""
    summary = "; ".join(f"{where}: {message}" for where, message in problems)
    body = {
        "error": summary,
        "problems": [{"field": where, "message": message} for where, message in problems],
    }
    return web.HTTPBadRequest(text=json.dumps(body), content_type="application/json")


async def read_payload(request: web.Request, model: type[P]) -> P:
    text = await request.text()
    if not text.strip():
        raise bad_request([("body", "empty; expected a JSON object")])
    try:
        raw = json.loads(text)
    except ValueError as exc:
        raise bad_request([("body", f"not valid JSON: {exc}")]) from None
    if not isinstance(raw, dict):
        raise bad_request([("body", f"expected a JSON object, got {type(raw).__name__}")])
    try:
        return model.model_validate(raw)
    except ValidationError as exc:
        raise bad_request([_problem(model, error) for error in exc.errors()]) from None


def _problem(model: type[BaseModel], error: Any) -> tuple[str, str]:
    where = ""
    for part in error["loc"]:
        where += f"[{part}]" if isinstance(part, int) else (f".{part}" if where else str(part))
    where = where or "body"
    kind = error["type"]
    if kind == "extra_forbidden":
        close = difflib.get_close_matches(str(error["loc"][-1]), list(_fields(model, error)), n=1)
        return where, "unknown field" + (f" (did you mean {close[0]!r}?)" if close else "")
    if kind == "missing":
        return where, "required"
    return where, str(error["msg"])


def _fields(model: type[BaseModel], error: Any) -> list[str]:
    # The model the unknown key sits in: follow the path through nested models.
    current: Any = model
    for part in error["loc"][:-1]:
        if isinstance(part, int):
            continue
        annotation = current.model_fields[part].annotation
        inner = getattr(annotation, "__args__", (annotation,))
        current = next((a for a in inner if isinstance(a, type) and issubclass(a, BaseModel)), None)
        if current is None:
            return []
    return list(current.model_fields)
