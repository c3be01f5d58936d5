"""flxd's errors, named by what happens next (the Singer SDK's lesson).

Only the runner catches broadly; everything else lets these travel up to it.
"""

from __future__ import annotations

__all__ = [
    "AuthError",
    "ChannelError",
    "ConfigError",
    "ConfigProblem",
    "FencedError",
    "FlxdError",
    "PermanentError",
    "PluginError",
    "RateLimited",
    "RecordError",
    "StoreError",
    "TransientError",
    "UsageError",
]

from dataclasses import dataclass


class FlxdError(Exception):
    """Base of every error flxd raises on purpose."""


@dataclass(frozen=True, slots=True)
class ConfigProblem:
    """One problem in a config file: where it is (a key path) and what is wrong."""

    path: str
    message: str

    def __str__(self) -> str:
        return f"{self.path}: {self.message}" if self.path else self.message


class ConfigError(FlxdError):
    """The config is invalid. Carries every problem found, not just the first."""

    def __init__(self, problems: list[ConfigProblem], *, source: str = "") -> None:
        self.problems = problems
        self.source = source
        head = f"{source}: " if source else ""
        lines = "\n".join(f"  {p}" for p in problems)
        super().__init__(f"{head}{len(problems)} problem(s) in the config\n{lines}")


class UsageError(FlxdError):
    """The command line asks for something that does not exist (an unknown connection, …)."""


class PluginError(FlxdError):
    """A plugin is broken: it cannot load, implements an unknown hook, or registers bad things."""


class StoreError(FlxdError):
    """The hub database failed or is in a state flxd cannot work with."""


class FencedError(StoreError):
    """A write was refused because this node no longer holds the connection's lease."""


class ChannelError(FlxdError):
    """Something went wrong talking to a channel."""


class TransientError(ChannelError):
    """Worth retrying later: 5xx, timeouts, dropped connections.

    `sent` is False when the request certainly never reached the server (connection refused),
    which makes even a non-idempotent write safe to retry. `kind` names the failure in log
    lines (`server_error`, `timeout`, `dropped`, `invalid_json`, ...), so an operator can tell
    an outage from a flaky network at a glance, and every failure is counted once.
    """

    kind: str = "transient"

    def __init__(self, message: str, *, sent: bool = True, kind: str | None = None) -> None:
        super().__init__(message)
        self.sent = sent
        if kind is not None:
            self.kind = kind


class RateLimited(TransientError):
    """The channel asked us to slow down. `retry_after` is None when it did not say for how long."""

    def __init__(self, message: str, *, retry_after: float | None = None) -> None:
        # A 429 means the server refused the request before doing anything. Without a wait the
        # platform is under load rather than our quota spent: a different thing to alert on.
        kind = "rate_limited" if retry_after is not None else "rate_limited_bare"
        super().__init__(message, sent=False, kind=kind)
        self.retry_after = retry_after


class AuthError(ChannelError):
    """Credentials missing, revoked or short of a scope: pause the connection until re-auth."""


class PermanentError(ChannelError):
    """Retrying will not help: fail this run and report why."""


class RecordError(ChannelError):
    """One record is bad: skip it, count it, go on with the rest."""

    def __init__(self, message: str, *, record: str = "") -> None:
        super().__init__(message)
        self.record = record
