"""A secret the config names but this process could not read (see flxd.config.secrets)."""

from __future__ import annotations

from pydantic import SecretStr

from flxd.errors import ConfigError, ConfigProblem

__all__ = ["UnresolvedSecret"]


class UnresolvedSecret(SecretStr):
    """A secret the config names but this process could not read. Its value cannot be used:
    asking for it raises ConfigError with the reason, so nothing is ever sent with an empty
    credential."""

    def __init__(self, reason: str) -> None:
        super().__init__("")
        self.reason = reason

    def get_secret_value(self) -> str:
        raise ConfigError([ConfigProblem("", self.reason)])

    def __eq__(self, other: object) -> bool:
        return isinstance(other, UnresolvedSecret) and other.reason == self.reason

    def __hash__(self) -> int:
        return hash(self.reason)
