"""structlog setup: JSON when not on a terminal (journald), readable console on a TTY, and a
redaction step that keeps secrets out of every line."""

from __future__ import annotations

import logging
import re
import sys
from collections.abc import Iterable, MutableMapping
from typing import Any, TextIO

import structlog

__all__ = ["Redactor", "configure_logging"]

_SECRET_KEY = re.compile(r"(token|secret|password|passwd|authorization|api[_-]?key|cookie)", re.I)
# Things that look like credentials wherever they appear: bearer tokens, long opaque strings
# in key=value pairs, and the X-Auth-Token header.
_SECRET_VALUE = re.compile(
    r"(?i)(bearer\s+|x-auth-token['\"]?\s*[:=]\s*['\"]?|(?:access_token|client_secret|token)"
    r"['\"]?\s*[:=]\s*['\"]?)([A-Za-z0-9._~+/=-]{8,})"
)
REDACTED = "[redacted]"


class Redactor:
    """A structlog processor: masks values under secret-looking keys, known secret values
    anywhere, and token-shaped substrings."""

    def __init__(self, secrets: Iterable[str] = ()) -> None:
        self._secrets: set[str] = set()
        self.add(secrets)

    def add(self, secrets: Iterable[str]) -> None:
        self._secrets.update(s for s in secrets if len(s) >= 4)

    def __call__(
        self, _: Any, __: str, event: MutableMapping[str, Any]
    ) -> MutableMapping[str, Any]:
        for key, value in list(event.items()):
            if _SECRET_KEY.search(key) and value is not None and not isinstance(value, bool | int):
                event[key] = REDACTED
            elif isinstance(value, str):
                event[key] = self.scrub(value)
            elif isinstance(value, BaseException):
                event[key] = self.scrub(repr(value))
        return event

    def scrub(self, text: str) -> str:
        for secret in self._secrets:
            if secret in text:
                text = text.replace(secret, REDACTED)
        return _SECRET_VALUE.sub(lambda m: m.group(1) + REDACTED, text)


_redactor = Redactor()


def configure_logging(
    *,
    level: str = "info",
    format: str = "auto",
    stream: TextIO | None = None,
    secrets: Iterable[str] = (),
) -> Redactor:
    """Configure structlog for the process; returns the redactor so reloads can add secrets."""
    stream = stream or sys.stderr
    _redactor.add(secrets)
    as_json = format == "json" or (format == "auto" and not stream.isatty())
    renderer: Any = (
        structlog.processors.JSONRenderer()
        if as_json
        else structlog.dev.ConsoleRenderer(colors=stream.isatty())
    )
    processors: list[Any] = [
        structlog.contextvars.merge_contextvars,
        structlog.processors.add_log_level,
        structlog.processors.TimeStamper(fmt="iso", utc=True),
        structlog.processors.format_exc_info,  # before redaction, so tracebacks are scrubbed too
        _redactor,
        renderer,
    ]
    structlog.configure(
        processors=processors,
        wrapper_class=structlog.make_filtering_bound_logger(getattr(logging, level.upper())),
        logger_factory=structlog.PrintLoggerFactory(file=stream),
        cache_logger_on_first_use=False,
    )
    return _redactor
