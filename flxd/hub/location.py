"""Where the hub lives, and whether it is there yet.

A hub that is not where the config says is news: a mistyped `state_dir`, or a command run
from another directory. So only commands that write create a hub, and they say so; commands
that only read refuse rather than create an empty one (after which `run --once` would import
everything again into the wrong place).
"""

from __future__ import annotations

import os
import tempfile
from pathlib import Path
from urllib.parse import urlsplit, urlunsplit

from flxd.config import Config
from flxd.errors import ConfigError, ConfigProblem, FlxdError

__all__ = ["HubMissing", "create_state_dir", "hub_location", "sqlite_path", "state_dir_problem"]


class HubMissing(FlxdError):
    """A command that only reads found no hub where the config points."""

    def __init__(self, config: Config) -> None:
        super().__init__(
            f"no hub at {hub_location(config)} yet: nothing has run against this config "
            f"({config.path or 'no file'}), or its [daemon] state_dir/database points "
            "somewhere else than intended; a command that writes (flxd run --once, "
            "flxd listings upsert) creates it"
        )


def sqlite_path(config: Config) -> Path | None:
    """The hub's file, when the hub is SQLite."""
    url = config.database_url
    return Path(url.removeprefix("sqlite:///")) if url.startswith("sqlite:///") else None


def hub_location(config: Config) -> str:
    """The hub's file, or its database URL without the password."""
    path = sqlite_path(config)
    if path is not None:
        return str(path)
    parts = urlsplit(config.database_url)
    host = parts.hostname or ""
    if parts.port:
        host += f":{parts.port}"
    if parts.username:
        host = f"{parts.username}@{host}"
    return urlunsplit((parts.scheme, host, parts.path, "", ""))


def state_dir_problem(path: Path) -> str | None:
    """Why flxd (as this user) could not use `path` as its state directory, or None."""
    if path.exists():
        if not path.is_dir():
            return f"{path} is not a directory"
        if not os.access(path, os.W_OK | os.X_OK):
            return f"{path} is not writable by this user"
        return None
    parent = path.parent
    while not parent.exists() and parent != parent.parent:
        parent = parent.parent
    if not parent.is_dir():
        return f"cannot create {path}: {parent} is not a directory"
    if not os.access(parent, os.W_OK | os.X_OK):
        return f"cannot create {path}: {parent} is not writable by this user"
    try:
        # Permissions do not tell it all (/proc, a read-only mount): try, and leave nothing.
        os.rmdir(tempfile.mkdtemp(prefix=".flxd-check-", dir=parent))
    except OSError as exc:
        return f"cannot create {path}: {exc.strerror}"
    return None


def create_state_dir(config: Config) -> None:
    """Create the state directory (for the owner alone); ConfigError saying why it cannot be."""
    path = config.daemon.state_dir
    try:
        path.mkdir(parents=True, exist_ok=True, mode=0o700)
    except OSError as exc:
        raise ConfigError(
            [ConfigProblem("daemon.state_dir", f"cannot create {path}: {exc.strerror}")],
            source=str(config.path or ""),
        ) from None
