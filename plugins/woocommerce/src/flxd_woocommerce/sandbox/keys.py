"""REST API keys of one store: consumer key and secret, the key's permissions (``read``,
``write``, ``read_write``) and the OAuth nonces it has used."""

from __future__ import annotations

import hashlib
from dataclasses import dataclass, field
from datetime import datetime
from typing import Literal

from flxd_woocommerce.sandbox.ids import IdSequence

__all__ = ["PERMISSIONS", "ApiKey", "KeyPermission", "KeyRing"]

KeyPermission = Literal["read", "write", "read_write"]
PERMISSIONS: tuple[KeyPermission, ...] = ("read", "write", "read_write")
_READS = frozenset({"GET", "HEAD"})
_WRITES = frozenset({"POST", "PUT", "PATCH", "DELETE"})


@dataclass(slots=True, kw_only=True)
class ApiKey:
    key_id: int
    user_id: int = 1
    description: str
    permissions: KeyPermission
    consumer_key: str
    consumer_secret: str
    nonces: dict[int, str] = field(default_factory=dict)
    """Used OAuth nonces by timestamp, as WooCommerce keeps them (one per second)."""
    last_access: datetime | None = None

    def refusal(self, method: str) -> str | None:
        """Why this key may not make a ``method`` request (WooCommerce's wording), or None."""
        if method in _READS:
            ok = self.permissions in ("read", "read_write")
            return None if ok else "The API key provided does not have read permissions."
        if method in _WRITES:
            ok = self.permissions in ("write", "read_write")
            return None if ok else "The API key provided does not have write permissions."
        return None if method == "OPTIONS" else "Unknown request method."


def _hash40(*parts: object) -> str:
    return hashlib.sha1(":".join(str(p) for p in parts).encode()).hexdigest()


class KeyRing:
    """Keys are generated like ``wc_rand_hash()`` (40 hex digits behind ``ck_``/``cs_``),
    reproducibly from the sandbox seed, the store and the key's id."""

    def __init__(self, ids: IdSequence, seed: int, store: str) -> None:
        self.ids = ids
        self.seed = seed
        self.store = store
        self.keys: dict[int, ApiKey] = {}

    def create(self, permissions: str = "read_write", description: str = "") -> ApiKey:
        if permissions not in PERMISSIONS:
            raise ValueError(f"permissions must be one of {', '.join(PERMISSIONS)}")
        key_id = self.ids.next("key")
        key = ApiKey(
            key_id=key_id,
            description=description or f"Key {key_id}",
            permissions=permissions,
            consumer_key="ck_" + _hash40(self.seed, self.store, "ck", key_id),
            consumer_secret="cs_" + _hash40(self.seed, self.store, "cs", key_id),
        )
        self.keys[key_id] = key
        return key

    def by_consumer_key(self, consumer_key: str) -> ApiKey | None:
        for key in self.keys.values():
            if key.consumer_key == consumer_key:
                return key
        return None

    def revoke(self, key_id: int) -> ApiKey:
        key = self.keys.pop(key_id, None)
        if key is None:
            raise LookupError(f"no API key {key_id}")
        return key

    def add(self, key: ApiKey) -> None:
        self.keys[key.key_id] = key
