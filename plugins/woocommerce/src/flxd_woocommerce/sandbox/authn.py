"""Who is calling: WooCommerce's REST authentication, step by step.

1. Over HTTPS only, Basic: ``consumer_key``/``consumer_secret`` query parameters when both are
   there, else the ``Authorization: Basic`` header. An unknown key is not an error yet (the
   request goes on unauthenticated and the route refuses it with
   ``woocommerce_rest_cannot_view``/...); a known key with the wrong secret is 401
   ``woocommerce_rest_authentication_error`` "Consumer secret is invalid.".
2. Otherwise OAuth 1.0a (see :mod:`oauth1`); over plain HTTP it is the only way in, so Basic
   credentials over HTTP are ignored and the request is refused as unauthenticated.
3. Once known, the key's permissions decide the method: a ``read`` key's write is 401
   ``woocommerce_rest_authentication_error`` "The API key provided does not have write
   permissions." (and a ``write`` key's read likewise), before the route is even matched.
"""

from __future__ import annotations

import base64
import binascii
from collections.abc import Mapping
from dataclasses import dataclass

from flxd_woocommerce.sandbox import oauth1
from flxd_woocommerce.sandbox.errors import WpError
from flxd_woocommerce.sandbox.keys import ApiKey, KeyRing
from flxd_woocommerce.sandbox.php import QueryValue

__all__ = ["AuthResult", "Credentials", "authenticate", "permission_error"]


@dataclass(frozen=True, slots=True)
class Credentials:
    """What a request carries that authentication looks at."""

    method: str
    path: str
    query: Mapping[str, QueryValue]
    form: Mapping[str, QueryValue]
    authorization: str


@dataclass(frozen=True, slots=True)
class AuthResult:
    key: ApiKey | None = None
    scheme: str | None = None
    """``basic``, ``basic-query`` or ``oauth1`` when a key authenticated."""
    error: WpError | None = None


def _auth_error(message: str) -> WpError:
    return WpError(401, "woocommerce_rest_authentication_error", message)


def _basic_pair(creds: Credentials) -> tuple[str, str, str] | None:
    key, secret = creds.query.get("consumer_key"), creds.query.get("consumer_secret")
    if isinstance(key, str) and isinstance(secret, str) and key and secret:
        return key, secret, "basic-query"
    if creds.authorization.startswith("Basic "):
        try:
            decoded = base64.b64decode(creds.authorization[6:].strip(), validate=True).decode()
        except (binascii.Error, UnicodeDecodeError):
            return None
        user, _, password = decoded.partition(":")
        if user and password:
            return user, password, "basic"
    return None


def _oauth_base_url(path: str, home_url: str) -> str:
    home_path = "/" + home_url.split("://", 1)[-1].partition("/")[2].strip("/") + "/"
    rest = path[len(home_path) :] if path.startswith(home_path) else path.lstrip("/")
    return home_url + (f"/{rest}" if rest else "")


def _oauth(creds: Credentials, keys: KeyRing, home_url: str, now: int) -> AuthResult:
    params: dict[str, QueryValue] = {**creds.query, **creds.form}
    params.update(oauth1.header_params(creds.authorization.strip()))
    missing = [name for name in oauth1.REQUIRED if not params.get(name)]
    if len(missing) == len(oauth1.REQUIRED):
        return AuthResult()
    if missing:
        noun = "parameter" if len(missing) == 1 else "parameters"
        return AuthResult(
            error=WpError(
                401,
                "woocommerce_rest_authentication_missing_parameter",
                f"Missing OAuth {noun} {', '.join(missing)}",
            )
        )
    key = keys.by_consumer_key(str(params["oauth_consumer_key"]))
    if key is None:
        return AuthResult(error=_auth_error("Consumer key is invalid."))
    given = str(params.pop("oauth_signature")).replace(" ", "+")
    method = str(params["oauth_signature_method"])
    base = oauth1.base_string(creds.method, _oauth_base_url(creds.path, home_url), params)
    expected = oauth1.signature(base, key.consumer_secret, method)
    if expected is None:
        return AuthResult(error=_auth_error("Invalid signature - signature method is invalid."))
    if expected != oauth1.unquote_signature(given):
        return AuthResult(
            error=_auth_error("Invalid signature - provided signature does not match.")
        )
    try:
        timestamp = int(str(params["oauth_timestamp"]))
    except ValueError:
        return AuthResult(error=_auth_error("Invalid timestamp."))
    refusal = oauth1.check_nonce(key.nonces, timestamp, str(params["oauth_nonce"]), now)
    if refusal is not None:
        return AuthResult(error=_auth_error(refusal))
    return AuthResult(key=key, scheme="oauth1")


def authenticate(
    creds: Credentials, keys: KeyRing, *, https: bool, home_url: str, now: int
) -> AuthResult:
    if https:
        pair = _basic_pair(creds)
        if pair is not None:
            consumer_key, secret, scheme = pair
            key = keys.by_consumer_key(consumer_key)
            if key is not None:
                if key.consumer_secret != secret:
                    # The error sticks even if OAuth parameters follow and check out.
                    return AuthResult(error=_auth_error("Consumer secret is invalid."))
                return AuthResult(key=key, scheme=scheme)
    return _oauth(creds, keys, home_url, now)


def permission_error(key: ApiKey, method: str) -> WpError | None:
    refusal = key.refusal(method)
    return None if refusal is None else _auth_error(refusal)
