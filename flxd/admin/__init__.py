"""The admin HTTP server: health, readiness, Prometheus metrics, the status page, the admin API,
and the routes plugins register (OAuth callbacks, webhooks). `serve_admin` attaches it to a
daemon (flxd.admin.attach)."""
