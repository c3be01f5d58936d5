"""Requests the store makes itself (webhook deliveries and pings, the approval flow's key POST)
and which destinations it accepts.

WordPress sends them with ``wp_safe_remote_*``, whose ``wp_http_validate_url`` accepts only
``http``/``https`` URLs without credentials, refuses hosts in 127.0.0.0/8, 10.0.0.0/8,
172.16.0.0/12, 192.168.0.0/16 and 0.0.0.0/8 unless they are the site's own host, and allows
no port but 80, 443 and 8080 (or the site's own port on its own host). Certificates are
verified. The ``"wordpress"`` policy applies exactly that; ``"loopback"`` (the default) also
lets loopback hosts through on any port, so local test receivers work.
"""

from __future__ import annotations

import ipaddress
import ssl
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import urlsplit

import aiohttp

from flxd_woocommerce.sandbox.config import OutboundPolicy

__all__ = ["Outbound", "OutboundResult"]

_SAFE_PORTS = (80, 443, 8080)
_PRIVATE = tuple(
    ipaddress.ip_network(n)
    for n in ("127.0.0.0/8", "10.0.0.0/8", "172.16.0.0/12", "192.168.0.0/16", "0.0.0.0/8")
)


@dataclass(frozen=True, slots=True)
class OutboundResult:
    status: int | None
    """The HTTP status, or None when no answer came back."""
    error: str = ""
    body: bytes = b""


def _loopback(host: str) -> bool:
    if host == "localhost":
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


def _private(host: str) -> bool:
    name = "127.0.0.1" if host == "localhost" else host
    try:
        address = ipaddress.ip_address(name)
    except ValueError:
        return False  # a name: WordPress would resolve it; the sandbox does not
    return address.version == 4 and any(address in network for network in _PRIVATE)


class Outbound:
    def __init__(
        self, *, policy: OutboundPolicy, verify_tls: bool, cafile: Path | None, timeout_s: float
    ) -> None:
        self.policy: OutboundPolicy = policy
        self.verify_tls = verify_tls
        self.cafile = cafile
        self.timeout_s = timeout_s
        self._trusted: list[str] = []
        self._session: aiohttp.ClientSession | None = None

    def trust(self, pem: str) -> None:
        """Trust one more certificate (a test receiver's self-signed one)."""
        self._trusted.append(pem)

    def ssl_context(self) -> ssl.SSLContext | bool:
        if not self.verify_tls:
            return False
        context = ssl.create_default_context(cafile=str(self.cafile) if self.cafile else None)
        for pem in self._trusted:
            context.load_verify_locations(cadata=pem)
        return context

    def refusal(self, url: str, home_url: str) -> str | None:
        """Why ``wp_http_validate_url`` would refuse ``url`` (None when it is acceptable)."""
        parts = urlsplit(url)
        if parts.scheme not in ("http", "https") or not parts.hostname:
            return "A valid URL was not provided."
        if parts.username or parts.password:
            return "A valid URL was not provided."
        host = parts.hostname
        home = urlsplit(home_url)
        same_host = home.hostname is not None and host.lower() == home.hostname.lower()
        try:
            port = parts.port
        except ValueError:
            return "A valid URL was not provided."
        if self.policy == "loopback" and _loopback(host):
            return None
        if _private(host) and not same_host:
            return "A valid URL was not provided."
        if port is None or port in _SAFE_PORTS or (same_host and port == home.port):
            return None
        return "A valid URL was not provided."

    async def start(self) -> None:
        if self._session is None:
            timeout = aiohttp.ClientTimeout(total=self.timeout_s)
            self._session = aiohttp.ClientSession(timeout=timeout)

    async def close(self) -> None:
        if self._session is not None:
            await self._session.close()
            self._session = None

    async def post(
        self,
        url: str,
        body: bytes,
        headers: dict[str, str],
        *,
        home_url: str,
        allow_redirects: bool = False,
    ) -> OutboundResult:
        refusal = self.refusal(url, home_url)
        if refusal is not None:
            return OutboundResult(status=None, error=refusal)
        await self.start()
        assert self._session is not None
        try:
            async with self._session.post(
                url,
                data=body,
                headers=headers,
                ssl=self.ssl_context(),
                allow_redirects=allow_redirects,
            ) as response:
                return OutboundResult(status=response.status, body=await response.read())
        except (aiohttp.ClientError, TimeoutError, OSError, ssl.SSLError) as exc:
            return OutboundResult(status=None, error=f"{type(exc).__name__}: {exc}")
