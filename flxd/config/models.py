"""The settings models of flxd's own config sections, and the bases plugins extend."""

from __future__ import annotations

import re
import ssl
from pathlib import Path
from typing import Literal

from pydantic import Field, SecretStr, field_validator, model_validator

from flxd.config.types import Duration, EnvSecret, FileSecret, RelativePath, StrictModel

__all__ = [
    "AdminSettings",
    "ConnectionSettings",
    "DaemonSettings",
    "LoggingSettings",
    "OperationSettings",
    "TypedSettings",
    "split_listen",
]


_SCHEMA = re.compile(r"^[A-Za-z_][A-Za-z0-9_]{0,62}$")


class DaemonSettings(StrictModel):
    """`[daemon]`: where state lives and how the daemon paces itself."""

    state_dir: RelativePath = Path("state")
    database: str | None = Field(
        default=None, description="sqlite:///path (default: state_dir/flxd.db) or postgresql://…"
    )
    grace_period: Duration = 30.0
    max_concurrent_runs: int = Field(default=32, ge=1, le=4096)
    jitter: float = Field(default=0.1, ge=0.0, le=0.5, description="fraction of each interval")
    node_id: str | None = None
    database_schema: str | None = Field(
        default=None, description="PostgreSQL only: the schema holding flxd's tables"
    )
    lease_period: Duration = 15.0
    """PostgreSQL only: how long a node's claim on a connection lasts without a heartbeat; a
    dead node's connections move to the others within about this long."""
    secret_key_env: EnvSecret | None = None
    secret_key_file: FileSecret | None = None
    """Encrypts credentials flxd obtains itself (OAuth tokens); default: $FLXD_SECRET_KEY."""

    @model_validator(mode="after")
    def _one_key(self) -> DaemonSettings:
        if self.secret_key_env is not None and self.secret_key_file is not None:
            raise ValueError("set only one of secret_key_env and secret_key_file")
        if self.database_schema is not None and not (self.database or "").startswith("postgres"):
            raise ValueError("database_schema needs a PostgreSQL database (database = ...)")
        return self

    @property
    def secret_key(self) -> SecretStr | None:
        return self.secret_key_env or self.secret_key_file

    @field_validator("database_schema")
    @classmethod
    def _schema_name(cls, value: str | None) -> str | None:
        if value is not None and not _SCHEMA.match(value):
            raise ValueError(f"{value!r}: letters, digits and '_' (up to 63), not a digit first")
        return value

    @field_validator("lease_period")
    @classmethod
    def _sane_period(cls, value: float) -> float:
        if value < 1:
            raise ValueError("lease_period must be at least 1 second")
        return value

    @field_validator("database")
    @classmethod
    def _known_scheme(cls, value: str | None) -> str | None:
        if value is not None and not value.startswith(
            ("sqlite://", "postgresql://", "postgres://")
        ):
            raise ValueError(f"{value!r}: expected sqlite:///PATH or postgresql://…")
        return value


_LISTEN = re.compile(r"^(?P<host>\[[0-9a-fA-F:]+\]|[^:\s]+):(?P<port>\d{1,5})$")


def split_listen(value: str) -> tuple[str, int]:
    """`HOST:PORT` (`[::1]:8786` for IPv6) as (host, port); ValueError says what is wrong.
    Port 0 asks the system for a free port."""
    match = _LISTEN.match(value)
    if match is None or not 0 <= int(match.group("port")) <= 65535:
        raise ValueError(f"{value!r}: expected HOST:PORT, e.g. 127.0.0.1:8786")
    return match.group("host").strip("[]"), int(match.group("port"))


class AdminSettings(StrictModel):
    """`[admin]`: the local HTTP server (health, metrics, OAuth callback, webhooks)."""

    enabled: bool = True
    listen: str = "127.0.0.1:8786"
    token_env: EnvSecret | None = None
    token_file: FileSecret | None = None
    public_url: str | None = None
    ready_ignores_reauth: bool = False
    """/readyz stays 200 while a connection waits for re-authentication."""

    @field_validator("listen")
    @classmethod
    def _host_port(cls, value: str) -> str:
        split_listen(value)
        return value

    @model_validator(mode="after")
    def _one_token(self) -> AdminSettings:
        if self.token_env is not None and self.token_file is not None:
            raise ValueError("set only one of token_env and token_file")
        return self

    @property
    def token(self) -> SecretStr | None:
        return self.token_env if self.token_env is not None else self.token_file

    @property
    def url(self) -> str:
        """Where others reach the admin server: `public_url`, else http://listen."""
        return (self.public_url or f"http://{self.listen}").rstrip("/")


class LoggingSettings(StrictModel):
    """`[logging]`."""

    level: Literal["debug", "info", "warning", "error"] = "info"
    format: Literal["auto", "json", "console"] = "auto"


class TypedSettings(StrictModel):
    """Base of plugin-provided tables picked by a key (`channel = …` or `type = …`)."""


class OperationSettings(StrictModel):
    """`[connections.NAME.<operation>]`: every operation has these; channels add their own keys."""

    enabled: bool = False
    interval: Duration = Field(default=300.0)

    @field_validator("interval")
    @classmethod
    def _sane_interval(cls, value: float) -> float:
        if value < 1:
            raise ValueError("interval must be at least 1 second")
        return value


class ConnectionSettings(TypedSettings):
    """`[connections.NAME]`: every connection has these; channels add their own keys.

    The `channel` key picks the model and is not part of it; operation sub-tables are validated
    by the channel's operation models.
    """

    enabled: bool = True
    max_concurrency: int = Field(default=3, ge=1, le=64, description="requests in flight per store")
    request_timeout: Duration = 30.0
    ca_file: RelativePath | None = None
    """Certificates (PEM) to trust for the store's HTTPS instead of the system's, e.g. a
    self-hosted store with a certificate of its own authority."""

    @field_validator("ca_file")
    @classmethod
    def _readable_certificates(cls, value: Path | None) -> Path | None:
        if value is not None:
            try:
                ssl.create_default_context(cafile=str(value))
            except (OSError, ssl.SSLError) as exc:
                raise ValueError(f"{value}: no certificates to trust there ({exc})") from None
        return value

    def secrets(self) -> list[SecretStr]:
        """Every secret this connection holds (for log redaction and credential fingerprints)."""
        found: list[SecretStr] = []
        for name in type(self).model_fields:
            value = getattr(self, name)
            if isinstance(value, SecretStr):
                found.append(value)
        return found
