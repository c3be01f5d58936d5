"""Signing requests the two ways WooCommerce authenticates a REST API key.

- Over HTTPS: HTTP Basic, the consumer key as user name and the secret as password.
- Over plain HTTP WooCommerce ignores Basic (it would travel in clear) and checks OAuth 1.0a
  "one-legged" signatures instead: `oauth_consumer_key`, `oauth_timestamp`, `oauth_nonce`,
  `oauth_signature_method` and `oauth_signature` in the query, the signature an HMAC-SHA256
  (key: the consumer secret and "&") of the method, the URL without its query, and every query
  parameter sorted and percent-encoded (RFC 3986). WooCommerce signs with the site's own
  address (its "home URL"), so the connection's `url` must be exactly that address. A nonce is
  accepted once and a timestamp only within 15 minutes of the site's clock: every attempt,
  retries included, is signed anew (core calls the signer right before each one leaves).
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import secrets
from collections.abc import Callable, Mapping
from datetime import datetime
from urllib.parse import parse_qsl, quote, urlsplit, urlunsplit

from flxd.plugin import RequestSigner, Signature

__all__ = ["basic_header", "oauth1_signer", "signature_base"]


def basic_header(key: str, secret: str) -> dict[str, str]:
    token = base64.b64encode(f"{key}:{secret}".encode()).decode()
    return {"Authorization": f"Basic {token}"}


def _enc(text: str) -> str:
    return quote(text, safe="-._~")


def signature_base(method: str, url: str, params: Mapping[str, str]) -> str:
    """The string OAuth 1.0a signs: the URL's own query parameters count with `params`."""
    parts = urlsplit(url)
    pairs = dict(parse_qsl(parts.query, keep_blank_values=True))
    pairs.update(params)
    base_url = urlunsplit((parts.scheme.lower(), parts.netloc.lower(), parts.path, "", ""))
    normalized = "&".join(
        f"{k}={v}" for k, v in sorted((_enc(k), _enc(v)) for k, v in pairs.items())
    )
    return "&".join((method.upper(), _enc(base_url), _enc(normalized)))


def oauth1_signer(
    key: str,
    secret: str,
    now: Callable[[], datetime],
    nonce: Callable[[], str] = lambda: secrets.token_hex(16),
) -> RequestSigner:
    """A signer adding a fresh OAuth 1.0a signature (HMAC-SHA256) to each attempt."""

    def sign(method: str, url: str, params: Mapping[str, str | int]) -> Signature:
        oauth = {
            "oauth_consumer_key": key,
            "oauth_nonce": nonce(),
            "oauth_signature_method": "HMAC-SHA256",
            "oauth_timestamp": str(int(now().timestamp())),
        }
        query = {k: str(v) for k, v in params.items()}
        base = signature_base(method, url, {**query, **oauth})
        mac = hmac.new(f"{secret}&".encode(), base.encode(), hashlib.sha256).digest()
        return Signature(params={**oauth, "oauth_signature": base64.b64encode(mac).decode()})

    return sign
