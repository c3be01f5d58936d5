"""OAuth 1.0a "one-legged" signatures as WooCommerce checks them (class-wc-rest-authentication):
the parameters are ``$_GET`` and ``$_POST`` merged with those of an ``Authorization: OAuth``
header; the signature base string is the method, the *home URL* plus the request path (not the
Host a client used; for ``/?rest_route=`` that is the home URL without a trailing slash), and
the parameters sorted by raw name, each ``name=value`` pair percent-encoded (RFC 3986) after
its parts were. HMAC-SHA1 or HMAC-SHA256 with key ``consumer_secret + "&"``; the timestamp
within 15 minutes of the store's clock; a nonce not used by the key within those 15 minutes.
The request body is never signed.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import re
from collections.abc import Mapping
from urllib.parse import unquote

from flxd_woocommerce.sandbox.php import QueryValue, rawurlencode

__all__ = [
    "REQUIRED",
    "WINDOW_S",
    "base_string",
    "check_nonce",
    "header_params",
    "signature",
    "unquote_signature",
]

REQUIRED = (
    "oauth_consumer_key",
    "oauth_timestamp",
    "oauth_nonce",
    "oauth_signature",
    "oauth_signature_method",
)
WINDOW_S = 15 * 60
_HEADER_PARAM = re.compile(r'(oauth_[a-z_-]*)=(:?"([^"]*)"|([^,]*))')


def header_params(header: str) -> dict[str, str]:
    """The ``oauth_*`` parameters of an ``Authorization: OAuth ...`` header."""
    if not header.startswith("OAuth "):
        return {}
    found: dict[str, str] = {}
    for match in _HEADER_PARAM.finditer(header):
        name, _, quoted, bare = match.groups()
        found[name] = unquote(quoted if quoted else bare)
    return found


def _pairs(params: Mapping[str, QueryValue], prefix: str = "") -> list[str]:
    pairs: list[str] = []
    # Only the top level is sorted (uksort); nested arrays keep their order.
    names = list(params) if prefix else sorted(params, key=lambda k: k.encode())
    for raw_key in names:
        value = params[raw_key]
        key = rawurlencode(raw_key)
        if prefix:
            key = f"{prefix}%5B{key}%5D"
        if isinstance(value, list):
            pairs += _pairs({str(i): v for i, v in enumerate(value)}, key)
        elif isinstance(value, dict):
            pairs += _pairs(value, key)
        else:
            pairs.append(rawurlencode(f"{key}={rawurlencode(value)}"))
    return pairs


def base_string(method: str, url: str, params: Mapping[str, QueryValue]) -> str:
    """The string WooCommerce signs; ``params`` without ``oauth_signature``."""
    return f"{method.upper()}&{rawurlencode(url)}&{'%26'.join(_pairs(params))}"


def signature(base: str, consumer_secret: str, method: str) -> str | None:
    """Base64 HMAC of ``base``; None for a method other than HMAC-SHA1 / HMAC-SHA256."""
    algorithms = {"HMAC-SHA1": hashlib.sha1, "HMAC-SHA256": hashlib.sha256}
    digest = algorithms.get(method)
    if digest is None:
        return None
    mac = hmac.new(f"{consumer_secret}&".encode(), base.encode(), digest)
    return base64.b64encode(mac.digest()).decode()


def check_nonce(used: dict[int, str], timestamp: int, nonce: str, now: int) -> str | None:
    """WooCommerce's timestamp and nonce rules; records the nonce. Returns the refusal."""
    if timestamp < now - WINDOW_S or timestamp > now + WINDOW_S:
        return "Invalid timestamp."
    if nonce in used.values():
        return "Invalid nonce - nonce has already been used."
    used[timestamp] = nonce
    for stamp in [s for s in used if s < now - WINDOW_S]:
        del used[stamp]
    return None


def unquote_signature(given: str) -> str:
    """``rawurldecode`` of a signature whose ``+`` survived as such."""
    return unquote(given)
