"""Credentials flxd obtains itself (OAuth access tokens), kept in the hub database, encrypted.

Why the database and not a file: several flxd nodes share one PostgreSQL database, and every
node must be able to use a connection's token; a file would live on one machine only. The key
comes from the environment (`FLXD_SECRET_KEY`, or `[daemon] secret_key_env`/`secret_key_file`),
never from the database, so a copy of the database alone reveals no token.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
import os
import secrets
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from cryptography.fernet import Fernet, InvalidToken
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.kdf.hkdf import HKDF

from flxd.config import Config
from flxd.errors import AuthError, ConfigError, ConfigProblem, StoreError
from flxd.store import Database, Tx, db_time, parse_db_time

__all__ = [
    "DEFAULT_KEY_ENV",
    "ConnectionCredentials",
    "PendingAuth",
    "UndecryptableCredentials",
    "Vault",
]

DEFAULT_KEY_ENV = "FLXD_SECRET_KEY"


class UndecryptableCredentials(StoreError):
    """Stored credentials were sealed with another key than the one this process has."""


class Vault:
    """Encrypts and decrypts with a key derived from the operator's secret (Fernet: AES + HMAC)."""

    def __init__(self, secret: str) -> None:
        if len(secret) < 16:
            raise ValueError("the secret key must be at least 16 characters (32+ random ones)")
        try:
            key = secret.encode()
            Fernet(key)
        except ValueError:
            derived = HKDF(
                algorithm=hashes.SHA256(), length=32, salt=None, info=b"flxd credentials v1"
            ).derive(secret.encode())
            key = base64.urlsafe_b64encode(derived)
        self._fernet = Fernet(key)
        self._derive_key = HKDF(
            algorithm=hashes.SHA256(), length=32, salt=None, info=b"flxd derived secrets v1"
        ).derive(secret.encode())

    @classmethod
    def from_environ(
        cls, secret: str | None, environ: Mapping[str, str] | None = None
    ) -> Vault | None:
        """The configured key, else `$FLXD_SECRET_KEY`, else None (OAuth cannot be used)."""
        value = secret or (os.environ if environ is None else environ).get(DEFAULT_KEY_ENV)
        return cls(value) if value else None

    @classmethod
    def for_config(cls, config: Config, environ: Mapping[str, str] | None = None) -> Vault | None:
        """The vault of this config: `[daemon] secret_key_env`/`secret_key_file`, else
        `$FLXD_SECRET_KEY`, else None; ConfigError when the key is too short to be one."""
        key = config.daemon.secret_key
        try:
            return cls.from_environ(key.get_secret_value() if key is not None else None, environ)
        except ValueError as exc:
            where = "daemon.secret_key_*" if key is not None else DEFAULT_KEY_ENV
            raise ConfigError([ConfigProblem(where, str(exc))]) from None

    def derive(self, purpose: str) -> str:
        """A stable secret for `purpose` (e.g. a webhook's shared header), the same on every
        node with the same key, and unrelated to the key itself."""
        return (
            base64.urlsafe_b64encode(
                hmac.new(self._derive_key, purpose.encode(), hashlib.sha256).digest()
            )
            .decode()
            .rstrip("=")
        )

    def seal(self, data: Mapping[str, Any]) -> str:
        return self._fernet.encrypt(json.dumps(dict(data)).encode()).decode()

    def open(self, token: str) -> dict[str, Any]:
        try:
            value = json.loads(self._fernet.decrypt(token.encode()))
        except InvalidToken:
            raise UndecryptableCredentials(
                "the stored token cannot be decrypted with this key: it was stored with "
                f"another {DEFAULT_KEY_ENV} (or [daemon] secret_key_*); set that one again, "
                "or approve the connection again (flxd connections add NAME)"
            ) from None
        if not isinstance(value, dict):
            raise StoreError("stored credentials are not an object")
        return value


_NO_KEY = (
    f"no secret key to keep OAuth tokens with: set {DEFAULT_KEY_ENV} "
    "(32+ random characters, the same on every node)"
)


@dataclass(frozen=True, slots=True)
class ConnectionCredentials:
    """One connection's stored credentials (handed to its channel as a service)."""

    connection: str
    db: Database | None
    vault: Vault | None

    async def get(self) -> dict[str, Any] | None:
        if self.db is None:
            return None
        async with self.db.transaction() as tx:
            row = await tx.fetchrow(
                "SELECT ciphertext FROM credentials WHERE connection = ?", self.connection
            )
        if row is None:
            return None
        if self.vault is None:
            raise AuthError(_NO_KEY)
        return self.vault.open(row["ciphertext"])

    async def put(self, tx: Tx, data: Mapping[str, Any], now: datetime) -> None:
        if self.vault is None:
            raise AuthError(_NO_KEY)
        await tx.execute(
            "INSERT INTO credentials (connection, ciphertext, updated_at) VALUES (?, ?, ?) "
            "ON CONFLICT (connection) DO UPDATE SET ciphertext = excluded.ciphertext, "
            "updated_at = excluded.updated_at",
            self.connection,
            self.vault.seal(data),
            db_time(now),
        )


@dataclass(frozen=True, slots=True)
class PendingAuth:
    """An approval flxd started and now waits for (the `state` travels through the channel)."""

    state: str
    connection: str
    channel: str
    expires_at: datetime

    @classmethod
    async def start(
        cls, tx: Tx, connection: str, channel: str, now: datetime, lifetime: timedelta
    ) -> PendingAuth:
        state = secrets.token_urlsafe(24)
        expires = now + lifetime
        await tx.execute("DELETE FROM pending_auth WHERE connection = ?", connection)
        await tx.execute(
            "INSERT INTO pending_auth (state, connection, channel, created_at, expires_at) "
            "VALUES (?, ?, ?, ?, ?)",
            state,
            connection,
            channel,
            db_time(now),
            db_time(expires),
        )
        return cls(state, connection, channel, expires)

    @classmethod
    async def pending(cls, tx: Tx, channel: str, now: datetime) -> list[PendingAuth]:
        rows = await tx.fetch(
            "SELECT * FROM pending_auth WHERE channel = ? AND expires_at > ?", channel, db_time(now)
        )
        return [
            cls(r["state"], r["connection"], r["channel"], parse_db_time(r["expires_at"]))  # type: ignore[arg-type]
            for r in rows
        ]

    async def consume(self, tx: Tx) -> bool:
        """Use the approval up; False if someone else already did (a replayed callback)."""
        return await tx.execute("DELETE FROM pending_auth WHERE state = ?", self.state) == 1
