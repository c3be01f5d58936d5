"""Value types for config files: durations, secrets, and the strict model base.

Plugins build their connection and operation settings from these, so every flxd config
speaks the same dialect ("5m", `*_env`, `*_file`) and rejects unknown keys.
"""

from __future__ import annotations

import math
import os
import re
import stat
from pathlib import Path
from typing import Annotated, Any

from pydantic import BaseModel, BeforeValidator, ConfigDict, SecretStr, ValidationInfo

from flxd.config.unresolved import UnresolvedSecret

__all__ = [
    "Duration",
    "EnvSecret",
    "FileSecret",
    "RelativePath",
    "StrictModel",
    "parse_duration",
    "pick_secret",
]


class StrictModel(BaseModel):
    """Base of every settings model: unknown keys are errors, values are immutable."""

    model_config = ConfigDict(
        extra="forbid", frozen=True, validate_default=True, use_attribute_docstrings=True
    )


MAX_DURATION = 10 * 366 * 86400.0
_DURATION_PART = re.compile(r"(\d+(?:\.\d+)?)(ms|s|m|h|d)")
_UNIT_SECONDS = {"ms": 0.001, "s": 1.0, "m": 60.0, "h": 3600.0, "d": 86400.0}


def parse_duration(value: object) -> float:
    """Seconds from a number of seconds or a string such as "90s", "5m", "1h30m", "2d"."""
    if isinstance(value, bool):
        raise ValueError('expected a duration such as 30, "30s", "5m" or "1h"')
    if isinstance(value, int | float):
        seconds = float(value)
    elif isinstance(value, str):
        text = value.strip().replace(" ", "")
        pos, seconds = 0, 0.0
        for match in _DURATION_PART.finditer(text):
            if match.start() != pos:
                break
            seconds += float(match.group(1)) * _UNIT_SECONDS[match.group(2)]
            pos = match.end()
        if not text or pos != len(text):
            raise ValueError(
                f'{value.strip()!r} is not a duration (examples: 30, "30s", "5m", "1h30m")'
            )
    else:
        raise ValueError('expected a duration such as 30, "30s", "5m" or "1h"')
    if not math.isfinite(seconds):
        raise ValueError(f'{value!r} is not a duration (a number of seconds, or e.g. "5m")')
    if seconds < 0:
        raise ValueError("a duration cannot be negative")
    if seconds > MAX_DURATION:
        # Timers and timedelta overflow long before infinity; nothing flxd waits for is this long.
        raise ValueError("a duration cannot be longer than 10 years")
    return seconds


Duration = Annotated[float, BeforeValidator(parse_duration)]
"""Seconds, written as a number or as "30s", "5m", "1h30m", "2d"."""


def _base_dir(info: ValidationInfo) -> Path:
    context = info.context or {}
    base = context.get("base_dir")
    return Path(base) if base is not None else Path.cwd()


def _relative_path(value: object, info: ValidationInfo) -> Path:
    if not isinstance(value, str | Path) or not str(value):
        raise ValueError("expected a path")
    path = Path(value).expanduser()
    return path if path.is_absolute() else _base_dir(info) / path


RelativePath = Annotated[Path, BeforeValidator(_relative_path)]
"""A path; a relative one is taken relative to the config file's directory."""


def _environ(info: ValidationInfo) -> Any:
    context = info.context or {}
    return context.get("environ", os.environ)


def _unavailable(reason: str, info: ValidationInfo) -> SecretStr:
    """A secret this process cannot have: a problem, or a placeholder when the loader defers
    secrets (see flxd.config.secrets)."""
    if (info.context or {}).get("defer_secrets"):
        return UnresolvedSecret(reason)
    raise ValueError(reason)


def _secret_from_env(value: object, info: ValidationInfo) -> SecretStr:
    if not isinstance(value, str) or not value:
        raise ValueError("expected the name of an environment variable")
    secret = _environ(info).get(value)
    if secret is None or not secret.strip():
        return _unavailable(f"environment variable {value} is not set or empty", info)
    return SecretStr(secret.strip())


def _secret_from_file(value: object, info: ValidationInfo) -> SecretStr:
    path = _relative_path(value, info)
    try:
        mode = path.stat().st_mode
    except OSError as exc:
        return _unavailable(f"cannot read {path}: {exc.strerror}", info)
    if not stat.S_ISREG(mode):
        raise ValueError(f"{path} is not a regular file")
    if mode & 0o077:
        # A secret that others on the machine can read is already leaked; refuse it loudly.
        raise ValueError(
            f"{path} is readable by group/others (mode {stat.S_IMODE(mode):04o}); "
            f"run: chmod 600 {path}"
        )
    try:
        secret = path.read_text(encoding="utf-8").strip()
    except OSError as exc:
        return _unavailable(f"cannot read {path}: {exc.strerror}", info)
    except UnicodeDecodeError as exc:
        raise ValueError(f"cannot read {path}: {exc}") from None
    if not secret:
        return _unavailable(f"{path} is empty", info)
    return SecretStr(secret)


EnvSecret = Annotated[SecretStr, BeforeValidator(_secret_from_env)]
"""A secret read from the environment variable this key names (`*_env = "VAR"`)."""

FileSecret = Annotated[SecretStr, BeforeValidator(_secret_from_file)]
"""A secret read from the file this key names (`*_file = "path"`); refused if others can read it."""


def pick_secret(name: str, env: SecretStr | None, file: SecretStr | None) -> SecretStr:
    """The one secret of a `{name}_env` / `{name}_file` pair; ValueError unless exactly one is."""
    if env is not None and file is not None:
        raise ValueError(f"set only one of {name}_env and {name}_file")
    secret = env if env is not None else file
    if secret is None:
        raise ValueError(f"missing secret: set {name}_env or {name}_file")
    return secret
