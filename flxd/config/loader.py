"""Find, read and validate flxd.toml: every problem reported with its key path, all at once."""

from __future__ import annotations

import difflib
import os
import re
import tomllib
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Protocol, TypeVar

from pydantic import BaseModel, ValidationError

from flxd.config.models import (
    AdminSettings,
    ConnectionSettings,
    DaemonSettings,
    LoggingSettings,
    OperationSettings,
    TypedSettings,
)
from flxd.config.unresolved import UnresolvedSecret
from flxd.errors import ConfigError, ConfigProblem
from flxd.operation import RUN_ORDER, Operation

__all__ = [
    "Config",
    "ConnectionConfig",
    "TypedTable",
    "find_config",
    "load_config",
    "parse_config",
]

DEFAULT_LOCATIONS = (Path("flxd.toml"), Path("/etc/flxd/flxd.toml"))
M = TypeVar("M", bound=BaseModel)
_TABLE_NAME = re.compile(r"^[A-Za-z0-9][A-Za-z0-9_-]{0,62}$")


@dataclass(frozen=True, slots=True, kw_only=True)
class ConnectionConfig:
    name: str
    channel: str
    settings: ConnectionSettings
    operations: Mapping[Operation, OperationSettings]
    """Every operation the channel supports, with defaults where the file has no table."""

    def enabled_operations(self) -> list[Operation]:
        return [op for op in RUN_ORDER if op in self.operations and self.operations[op].enabled]


@dataclass(frozen=True, slots=True, kw_only=True)
class TypedTable:
    """A `[sinks.NAME]` or `[feeds.NAME]` table: its name, its `type`, its validated settings."""

    name: str
    type: str
    settings: TypedSettings


@dataclass(frozen=True, slots=True, kw_only=True)
class Config:
    path: Path | None
    daemon: DaemonSettings
    admin: AdminSettings
    logging: LoggingSettings
    connections: Mapping[str, ConnectionConfig] = field(default_factory=dict)
    sinks: Mapping[str, TypedTable] = field(default_factory=dict)
    feeds: Mapping[str, TypedTable] = field(default_factory=dict)

    @property
    def database_url(self) -> str:
        if self.daemon.database is None:
            return f"sqlite:///{self.daemon.state_dir / 'flxd.db'}"
        url = self.daemon.database
        if url.startswith("sqlite:///") and not url.startswith("sqlite:////"):
            relative = Path(url.removeprefix("sqlite:///"))
            base = self.path.parent if self.path is not None else Path.cwd()
            return f"sqlite:///{(base / relative)}"
        return url

    def secret_values(self) -> list[str]:
        """Every secret in the config, so log redaction can mask them wherever they appear."""
        found = [s for c in self.connections.values() for s in c.settings.secrets()]
        found += [s for s in (self.admin.token, self.daemon.secret_key) if s is not None]
        return [
            value
            for s in found
            if not isinstance(s, UnresolvedSecret) and (value := s.get_secret_value())
        ]


class ChannelTableType(Protocol):
    """What validates a `[connections.NAME]` table: a registered channel type."""

    @property
    def connection_settings(self) -> type[ConnectionSettings]: ...

    @property
    def operation_settings(self) -> Mapping[Operation, type[OperationSettings]]: ...


class TypedTableType(Protocol):
    """What validates a `[sinks.NAME]` or `[feeds.NAME]` table: a registered sink or feed type."""

    @property
    def settings(self) -> type[TypedSettings]: ...


T_co = TypeVar("T_co", covariant=True)


class TableTypes(Protocol[T_co]):
    def get(self, name: str) -> T_co | None: ...

    def names(self) -> list[str]: ...


class Registries(Protocol):
    """What the loader needs from the plugin host: the registered table types. The config
    layer knows no plugin: the registry drives validation through this."""

    @property
    def channels(self) -> TableTypes[ChannelTableType]: ...

    @property
    def sinks(self) -> TableTypes[TypedTableType]: ...

    @property
    def feeds(self) -> TableTypes[TypedTableType]: ...


def find_config(explicit: str | os.PathLike[str] | None, environ: Mapping[str, str]) -> Path:
    """`--config`, then `$FLXD_CONFIG`, then ./flxd.toml, then /etc/flxd/flxd.toml."""
    if explicit:
        return Path(explicit)
    if environ.get("FLXD_CONFIG"):
        return Path(environ["FLXD_CONFIG"])
    for candidate in DEFAULT_LOCATIONS:
        if candidate.is_file():
            return candidate
    looked = ", ".join(str(p) for p in DEFAULT_LOCATIONS)
    raise ConfigError(
        [
            ConfigProblem(
                "", f"no config file: pass --config PATH or set FLXD_CONFIG (looked at {looked})"
            )
        ]
    )


def load_config(
    path: Path,
    registries: Registries,
    environ: Mapping[str, str] | None = None,
    *,
    defer_secrets: bool = False,
) -> Config:
    """Read and validate `path`. With `defer_secrets`, a secret that cannot be read is a
    placeholder rather than a problem (see flxd.config.secrets)."""
    try:
        text = path.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as exc:
        raise ConfigError(
            [ConfigProblem("", f"cannot read the file: {exc}")], source=str(path)
        ) from None
    return parse_config(
        text,
        source=str(path),
        base_dir=path.resolve().parent,
        registries=registries,
        environ=os.environ if environ is None else environ,
        path=path.resolve(),
        defer_secrets=defer_secrets,
    )


def parse_config(
    text: str,
    *,
    registries: Registries,
    source: str = "<config>",
    base_dir: Path | None = None,
    environ: Mapping[str, str] | None = None,
    path: Path | None = None,
    defer_secrets: bool = False,
) -> Config:
    try:
        raw = tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        raise ConfigError([ConfigProblem("", f"not valid TOML: {exc}")], source=source) from None
    context = {
        "base_dir": base_dir or Path.cwd(),
        "environ": os.environ if environ is None else environ,
        "defer_secrets": defer_secrets,
    }
    v = _Validator(context)
    # TOML lets "\u0000" through; no path, name or token flxd hands on may carry one.
    for where in _nul_values(raw):
        v.problem(where, "contains a NUL character (\\u0000)")

    known = {"daemon", "admin", "logging", "connections", "sinks", "feeds"}
    for key in raw:
        if key not in known:
            v.problem(key, "unknown section" + _did_you_mean(key, known))
    daemon = v.model(DaemonSettings, raw.get("daemon", {}), "daemon")
    admin = v.model(AdminSettings, raw.get("admin", {}), "admin")
    logging = v.model(LoggingSettings, raw.get("logging", {}), "logging")
    connections = {
        name: conn
        for name, table in v.tables(raw, "connections")
        if (conn := _connection(v, name, table, registries)) is not None
    }
    sinks = dict(_typed_tables(v, raw, "sinks", registries.sinks))
    feeds = dict(_typed_tables(v, raw, "feeds", registries.feeds))
    if v.problems:
        raise ConfigError(v.problems, source=source)
    assert daemon is not None and admin is not None and logging is not None
    return Config(
        path=path,
        daemon=daemon,
        admin=admin,
        logging=logging,
        connections=connections,
        sinks=sinks,
        feeds=feeds,
    )


def _nul_values(value: object, where: str = "") -> Iterable[str]:
    if isinstance(value, str):
        if "\x00" in value:
            yield where
    elif isinstance(value, dict):
        for key, item in value.items():
            yield from _nul_values(item, f"{where}.{key}" if where else str(key))
    elif isinstance(value, list):
        for n, item in enumerate(value):
            yield from _nul_values(item, f"{where}[{n}]")


def _connection(
    v: _Validator, name: str, table: dict[str, Any], registries: Registries
) -> ConnectionConfig | None:
    where = f"connections.{name}"
    channel_name = table.pop("channel", None)
    if not isinstance(channel_name, str):
        known = ", ".join(registries.channels.names()) or "none installed"
        v.problem(f"{where}.channel", f"missing or not a string (channels: {known})")
        return None
    channel = registries.channels.get(channel_name)
    if channel is None:
        names = registries.channels.names()
        hint = _did_you_mean(channel_name, names) or f" (installed: {', '.join(names) or 'none'})"
        v.problem(f"{where}.channel", f"unknown channel {channel_name!r}{hint}")
        _check_without_channel(v, name, table, registries, _closest(channel_name, names))
        return None
    op_tables = {key: table.pop(key) for key in list(table) if key in set(Operation)}
    operations: dict[Operation, OperationSettings] = {}
    for op, model in channel.operation_settings.items():
        op_table = op_tables.pop(op.value, {})
        if not isinstance(op_table, dict):
            v.problem(f"{where}.{op.value}", "expected a table")
            continue
        op_settings = v.model(model, op_table, f"{where}.{op.value}")
        if op_settings is not None:
            operations[op] = op_settings
    for op_name in op_tables:
        v.problem(f"{where}.{op_name}", f"channel {channel_name!r} does not support {op_name}")
    settings = v.model(channel.connection_settings, table, where)
    if settings is None or len(operations) != len(channel.operation_settings):
        return None
    return ConnectionConfig(
        name=name, channel=channel_name, settings=settings, operations=operations
    )


def _check_without_channel(
    v: _Validator, name: str, table: dict[str, Any], registries: Registries, guess: str | None
) -> None:
    """The rest of a connection whose channel is unknown, so that one typo does not hide the
    table's other problems: as the channel it most likely means, else the keys every channel
    has (and operation tables of operations that exist)."""
    if guess is not None:
        _connection(v, name, {**table, "channel": guess}, registries)
        return
    where = f"connections.{name}"
    for key, value in table.items():
        if key in set(Operation):
            if isinstance(value, dict):
                v.model(OperationSettings, value, f"{where}.{key}", known_keys_only=True)
            else:
                v.problem(f"{where}.{key}", "expected a table")
    settings = {k: value for k, value in table.items() if k not in set(Operation)}
    v.model(ConnectionSettings, settings, where, known_keys_only=True)


def _typed_tables(
    v: _Validator, raw: dict[str, Any], section: str, registry: TableTypes[TypedTableType]
) -> Iterable[tuple[str, TypedTable]]:
    for name, table in v.tables(raw, section):
        kind = table.pop("type", None)
        entry = registry.get(kind) if isinstance(kind, str) else None
        if entry is None or not isinstance(kind, str):
            known = registry.names()
            hint = _did_you_mean(str(kind), known) if isinstance(kind, str) else ""
            v.problem(
                f"{section}.{name}.type",
                f"unknown type {kind!r}{hint} (available: {', '.join(known) or 'none'})",
            )
            continue
        settings = v.model(entry.settings, table, f"{section}.{name}")
        if settings is not None:
            yield name, TypedTable(name=name, type=kind, settings=settings)


class _Validator:
    """Collects problems across the whole file instead of stopping at the first."""

    def __init__(self, context: dict[str, Any]) -> None:
        self.context = context
        self.problems: list[ConfigProblem] = []

    def problem(self, path: str, message: str) -> None:
        self.problems.append(ConfigProblem(path, message))

    def tables(self, raw: dict[str, Any], section: str) -> Iterable[tuple[str, dict[str, Any]]]:
        value = raw.get(section, {})
        if not isinstance(value, dict):
            self.problem(section, "expected a table")
            return
        for name, table in value.items():
            if not _TABLE_NAME.match(name):
                self.problem(
                    f"{section}.{name}", "bad name: use letters, digits, '-' and '_' (up to 63)"
                )
            elif not isinstance(table, dict):
                self.problem(f"{section}.{name}", "expected a table")
            else:
                yield name, dict(table)

    def model(
        self, model: type[M], data: object, where: str, *, known_keys_only: bool = False
    ) -> M | None:
        """`data` validated as `model`, or None with its problems recorded; with
        `known_keys_only`, keys the model does not know are not problems (a table checked
        for what can be checked without its real model)."""
        if not isinstance(data, dict):
            self.problem(where, "expected a table")
            return None
        try:
            return model.model_validate(data, context=self.context)
        except ValidationError as exc:
            for error in exc.errors():
                if not (known_keys_only and error["type"] == "extra_forbidden"):
                    self.problems.append(_problem(model, error, where))
            return None


def _problem(model: type[BaseModel], error: Any, where: str) -> ConfigProblem:
    loc = [part for part in error["loc"] if not isinstance(part, str) or not _is_union_tag(part)]
    path = where
    for part in loc:
        path += f"[{part}]" if isinstance(part, int) else f".{part}"
    kind = error["type"]
    if kind == "extra_forbidden":
        hint = _did_you_mean(str(loc[-1]), model.model_fields) if len(loc) == 1 else ""
        return ConfigProblem(path, "unknown key" + hint)
    if kind == "missing":
        return ConfigProblem(path, "missing required key")
    ctx = error.get("ctx") or {}
    if kind in ("value_error", "assertion_error") and "error" in ctx:
        return ConfigProblem(path, str(ctx["error"]))
    return ConfigProblem(path, f"{error['msg']} (got {error.get('input')!r})")


def _is_union_tag(part: str) -> bool:
    # pydantic puts the tried member types into loc for unions ("str", "function-before[...]").
    return "[" in part or part in {"str", "int", "float", "bool", "list", "dict"}


def _closest(word: str, choices: Iterable[str]) -> str | None:
    close = difflib.get_close_matches(word, list(choices), n=1, cutoff=0.6)
    return close[0] if close else None


def _did_you_mean(word: str, choices: Iterable[str]) -> str:
    close = _closest(word, choices)
    return f" (did you mean {close!r}?)" if close else ""
