"""Secrets a command does not need: loaded as placeholders, demanded where a store is contacted.

`flxd status` or `flxd listings list` read the hub only; they must work on a machine (or as a
user) where a connection's token variable is not set. So commands load the config with
`defer_secrets`: a secret that cannot be had (an unset or empty variable, a missing, unreadable
or empty file) becomes an `UnresolvedSecret` instead of a problem, and each command asks, with
`require_secrets`, for the secrets of what it is about to contact. A secret file that others
can read stays an error everywhere: that is a mistake whatever the command.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from typing import Any

from pydantic import BaseModel

from flxd.config.loader import Config
from flxd.config.unresolved import UnresolvedSecret
from flxd.errors import ConfigError, ConfigProblem

__all__ = ["UnresolvedSecret", "require_secrets", "unresolved_secrets"]


def unresolved_secrets(config: Config) -> list[ConfigProblem]:
    """Every secret `config` names but could not read, with its key path."""
    tables: list[tuple[str, BaseModel]] = [("daemon", config.daemon), ("admin", config.admin)]
    tables += [(f"connections.{n}", c.settings) for n, c in config.connections.items()]
    tables += [(f"sinks.{n}", t.settings) for n, t in config.sinks.items()]
    tables += [(f"feeds.{n}", t.settings) for n, t in config.feeds.items()]
    return [
        ConfigProblem(path, secret.reason)
        for where, model in tables
        for path, secret in _walk(model, where)
    ]


def require_secrets(config: Config, within: Iterable[str]) -> None:
    """Raise ConfigError naming every secret under the key paths `within` (e.g.
    "connections.shop1", "daemon"; "" for all) that could not be read."""
    prefixes = tuple(within)
    missing = [
        p
        for p in unresolved_secrets(config)
        if any(p.path == w or p.path.startswith(f"{w}.") or not w for w in prefixes)
    ]
    if missing:
        raise ConfigError(missing, source=str(config.path or "<config>"))


def _walk(model: BaseModel, where: str) -> Iterator[tuple[str, UnresolvedSecret]]:
    for name in type(model).model_fields:
        value: Any = getattr(model, name)
        if isinstance(value, UnresolvedSecret):
            yield f"{where}.{name}", value
        elif isinstance(value, BaseModel):
            yield from _walk(value, f"{where}.{name}")
