"""The settings each channel's connections take, as `flxd connections add --help` shows them."""

from __future__ import annotations

import types
import typing
from collections.abc import Iterable
from pathlib import PurePath
from typing import Any

from pydantic import BaseModel, SecretStr
from pydantic.fields import FieldInfo

from flxd.config.types import parse_duration
from flxd.plugin.registry import ChannelType

__all__ = ["describe_channels"]


def describe_channels(channels: Iterable[ChannelType]) -> str:
    """One block per channel: each setting as a `--flag VALUE`, whether it is required or its
    default, and the first line of what it is for."""
    blocks: list[str] = []
    for channel in channels:
        rows = [
            (f"--{name.replace('_', '-')} {value}", _note(field))
            for name, field in channel.connection_settings.model_fields.items()
            if (value := _value(name, field)) is not None
        ]
        width = max((len(flag) for flag, _ in rows), default=0)
        lines = [f"settings of a {channel.name} connection ({channel.description}):"]
        lines += [f"  {flag.ljust(width)}  {note}".rstrip() for flag, note in rows]
        blocks.append("\n".join(lines))
    if not blocks:
        return "no channel plugin is installed (flxd plugins)"
    blocks.append(
        "Secrets are never given on the command line: *-env names an environment variable, "
        "*-file a file only its owner can read (mode 0600)."
    )
    return "\n\n".join(blocks)


def _value(name: str, field: FieldInfo) -> str | None:
    """How the value of a setting is written, or None for one `--key value` cannot give."""
    inner = [m for a in _annotated(field.annotation) for m in a.__metadata__]
    validators = [*field.metadata, *inner]
    if any(getattr(m, "func", None) is parse_duration for m in validators):
        return "DURATION"
    kinds = [a for a in _members(field.annotation) if a is not type(None)]
    if len(kinds) != 1:
        return None
    kind = kinds[0]
    if typing.get_origin(kind) is typing.Literal:
        return "|".join(str(v) for v in typing.get_args(kind))
    if kind is SecretStr or (isinstance(kind, type) and issubclass(kind, SecretStr)):
        return "VAR" if name.endswith("_env") else "PATH"
    if kind is bool:
        return "true|false"
    if kind is int:
        return "N"
    if kind is float:
        return "NUMBER"
    if isinstance(kind, type) and issubclass(kind, PurePath):
        return "PATH"
    if kind is str:
        return "TEXT"
    if isinstance(kind, type) and issubclass(kind, BaseModel):
        return None  # a table: written in the config file
    return "VALUE"


def _annotated(annotation: Any) -> list[Any]:
    """The Annotated types in `annotation` (also inside `X | None`)."""
    parts = typing.get_args(annotation) if _is_union(annotation) else (annotation,)
    return [p for p in parts if typing.get_origin(p) is typing.Annotated]


def _is_union(annotation: Any) -> bool:
    return typing.get_origin(annotation) in (typing.Union, types.UnionType)


def _members(annotation: Any) -> list[Any]:
    annotation = _unwrap(annotation)
    if _is_union(annotation):
        return [_unwrap(a) for a in typing.get_args(annotation)]
    return [annotation]


def _unwrap(annotation: Any) -> Any:
    while typing.get_origin(annotation) is typing.Annotated:
        annotation = typing.get_args(annotation)[0]
    return annotation


def _note(field: FieldInfo) -> str:
    if field.is_required():
        head = "required"
    elif field.default is None:
        head = ""
    else:
        default = field.default
        head = f"default: {str(default).lower() if isinstance(default, bool) else default}"
    about = (field.description or "").strip().split("\n")[0]
    return "; ".join(part for part in (head, about) if part)
