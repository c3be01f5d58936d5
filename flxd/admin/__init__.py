"""The admin HTTP server: health, readiness, Prometheus metrics, the status page, the admin API,
and the routes plugins register (OAuth callbacks, webhooks)."""

from flxd.admin.auth import TOKEN_ENV, resolve_token
from flxd.admin.server import AdminServer, build_app
from flxd.admin.state import AdminState

__all__ = ["TOKEN_ENV", "AdminServer", "AdminState", "build_app", "resolve_token"]
