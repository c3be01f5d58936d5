"""The status page: one HTML document, no script, refreshed by the browser every few seconds.

Everything shown is escaped; times are rendered relative to the moment the page was made
("12 s ago", "in 4 min"), with the exact UTC time in the tooltip.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from datetime import datetime
from html import escape

from aiohttp import web

from flxd.admin.state import STATE
from flxd.admin.status import ConnectionView, OperationView, StatusView, gather_status
from flxd.cluster.leasebook import NodeRow
from flxd.hub.health import ConnectionHealth
from flxd.runs.journal import RunRecord

__all__ = ["REFRESH_SECONDS", "render_page", "status_page"]

REFRESH_SECONDS = 10

_STYLE = """
body{font:14px/1.45 system-ui,-apple-system,"Segoe UI",sans-serif;margin:0;color:#1d2433;
background:#f4f6fa}
header{background:#1d2433;color:#fff;padding:14px 24px}
header h1{margin:0;font-size:20px;display:inline-block;margin-right:16px}
header .meta{color:#b9c2d6;display:inline-block}
main{padding:16px 24px;max-width:1200px}
section{background:#fff;border:1px solid #dde2ec;border-radius:8px;padding:12px 16px;
margin-bottom:16px}
h2{font-size:16px;margin:0 0 6px}
.channel{color:#5b6478;font-weight:normal;font-size:13px;margin-left:6px}
.quota,.reason,.empty{color:#5b6478;margin:4px 0 8px}
table{border-collapse:collapse;width:100%}
th,td{text-align:left;padding:5px 8px;border-top:1px solid #edf0f5;vertical-align:top}
th{font-size:12px;text-transform:uppercase;letter-spacing:.04em;color:#5b6478;border-top:0}
td.error{font-family:ui-monospace,monospace;font-size:12px;word-break:break-word}
.badge{display:inline-block;border-radius:10px;padding:0 8px;font-size:12px;font-weight:600;
background:#e4e8f0;color:#39414f}
.ok,.active{background:#d8f3df;color:#17622e}
.partial,.awaiting_approval{background:#fdf0cf;color:#7a5200}
.failed,.needs_reauth{background:#fbdcdc;color:#8b1c1c}
.running{background:#dbe8fd;color:#1a4c9c}
.off{color:#9aa3b5}
.banner{background:#fdf0cf;color:#7a5200;padding:8px 24px}
"""


async def status_page(request: web.Request) -> web.Response:
    """`GET /`: the page (see render_page for the document)."""
    view = await gather_status(request.app[STATE])
    return web.Response(
        text=render_page(view),
        content_type="text/html",
        headers={
            # No script at all, styles inline only; never framed; the URL never leaves as referrer.
            "Content-Security-Policy": (
                "default-src 'none'; style-src 'unsafe-inline'; frame-ancestors 'none'"
            ),
            "Referrer-Policy": "no-referrer",
            "X-Content-Type-Options": "nosniff",
        },
    )


def render_page(view: StatusView) -> str:
    now = view.generated_at
    parts = [
        "<!doctype html>",
        '<html lang="en"><head><meta charset="utf-8">',
        f'<meta http-equiv="refresh" content="{REFRESH_SECONDS}">',
        '<meta name="viewport" content="width=device-width, initial-scale=1">',
        f"<title>flxd · {escape(view.node)}</title><style>{_STYLE}</style></head><body>",
        "<header><h1>flxd</h1>",
        f'<span class="meta">node {escape(view.node)} · version {escape(view.version)} · '
        f"updated {now:%H:%M:%S} UTC · refreshes every {REFRESH_SECONDS} s</span></header>",
    ]
    if view.draining:
        parts.append('<div class="banner">Shutting down: running operations are finishing.</div>')
    parts.append("<main>")
    if not view.connections:
        parts.append(
            '<section><p class="empty">No connections configured. Add a '
            "<code>[connections.NAME]</code> table to the config and reload (SIGHUP).</p></section>"
        )
    parts.extend(_connection(c, now, view.node) for c in view.connections)
    parts.append(_nodes(view.nodes, view.connections))
    parts.append(_errors(view.recent_errors, now))
    parts.append(_sinks(view.backlog))
    parts.append("</main></body></html>")
    return "\n".join(parts)


def _connection(conn: ConnectionView, now: datetime, node: str) -> str:
    name = escape(conn.name)
    health = conn.health.value
    owner = (
        ""
        if conn.owner == node
        else f' <span class="badge">on node {escape(conn.owner)}</span>'
        if conn.owner
        else ' <span class="badge">no node holds it</span>'
    )
    title = (
        f'<h2>{name}<span class="channel">{escape(conn.channel)}</span> '
        f'<span class="badge {health}">{escape(health.replace("_", " "))}</span>'
        + ("" if conn.enabled else ' <span class="badge">disabled</span>')
        + owner
        + "</h2>"
    )
    reason = (
        f'<p class="reason">{escape(conn.health_reason)}</p>'
        if conn.health_reason and conn.health is not ConnectionHealth.ACTIVE
        else ""
    )
    q = conn.quota
    quota = f"{q.left} of {q.limit} left in the window" if q.limit is not None else "not reported"
    usage = (
        f'<p class="quota">API requests {q.requests} · 429s {q.throttled} · '
        f"waited {q.waited_s:.1f} s · quota {quota}</p>"
    )
    rows = "".join(_operation(op, now) for op in conn.operations)
    table = (
        "<table><thead><tr><th>operation</th><th>last run</th><th>outcome</th><th>counts</th>"
        f"<th>next run</th><th>lag</th></tr></thead><tbody>{rows}</tbody></table>"
    )
    return (
        f'<section class="connection" data-connection="{name}" data-health="{health}" '
        f'data-owner="{escape(conn.owner or "")}">'
        f"{title}{reason}{usage}{table}</section>"
    )


def _nodes(nodes: Iterable[NodeRow], connections: Iterable[ConnectionView]) -> str:
    """Several nodes on one database: each node, when it was last heard of, what it holds."""
    nodes = list(nodes)
    if not nodes:
        return ""
    held: dict[str, int] = {}
    for conn in connections:
        if conn.owner:
            held[conn.owner] = held.get(conn.owner, 0) + 1
    rows = "".join(
        f"<tr><td>{escape(n.node)}</td><td>{'live' if n.live else 'gone'}</td>"
        f"<td>{_span(max(0.0, n.seen_s_ago))} ago</td><td>{held.get(n.node, 0)}</td></tr>"
        for n in nodes
    )
    return (
        '<section id="nodes"><h2>Nodes</h2><table><thead><tr><th>node</th><th>state</th>'
        f"<th>last heartbeat</th><th>connections</th></tr></thead><tbody>{rows}</tbody></table>"
        "</section>"
    )


def _operation(op: OperationView, now: datetime) -> str:
    run = op.last_run
    outcome = "running" if op.running else (run.outcome.value if run else "never")
    badge = f'<span class="badge {outcome}">{escape(outcome.replace("_", " "))}</span>'
    last = _ago(run.started_at, now) if run else "—"
    counts = " ".join(f"{escape(k)}={v}" for k, v in sorted(run.counts.items())) if run else ""
    if not op.enabled:
        next_run = '<span class="off">not enabled</span>'
    elif op.next_run is not None:
        next_run = _until(op.next_run, now) + f" (every {_span(op.interval_s)})"
    else:
        next_run = "—"
    lag = _span(op.lag_s) if op.lag_s is not None else "—"
    return (
        f'<tr data-operation="{escape(op.operation)}" data-outcome="{escape(outcome)}">'
        f"<td>{escape(op.operation)}</td><td>{last}</td><td>{badge}</td>"
        f"<td>{counts or '—'}</td><td>{next_run}</td><td>{lag}</td></tr>"
    )


def _errors(runs: Iterable[RunRecord], now: datetime) -> str:
    rows = "".join(
        f"<tr><td>{_ago(r.started_at, now)}</td><td>{escape(r.connection)}</td>"
        f"<td>{escape(r.operation)}</td>"
        f'<td><span class="badge {r.outcome.value}">{escape(r.outcome.value)}</span></td>'
        f'<td class="error">{escape(r.error or "")}</td></tr>'
        for r in runs
    )
    body = (
        "<table><thead><tr><th>when</th><th>connection</th><th>operation</th><th>outcome</th>"
        f"<th>error</th></tr></thead><tbody>{rows}</tbody></table>"
        if rows
        else '<p class="empty">None.</p>'
    )
    return f'<section id="errors"><h2>Recent errors</h2>{body}</section>'


def _sinks(backlog: Mapping[str, int]) -> str:
    if not backlog:
        return ""
    rows = "".join(
        f"<tr><td>{escape(name)}</td><td>{n}</td></tr>" for name, n in sorted(backlog.items())
    )
    return (
        '<section id="sinks"><h2>Event sinks</h2><table><thead><tr><th>sink</th>'
        f"<th>undelivered events</th></tr></thead><tbody>{rows}</tbody></table></section>"
    )


def _ago(moment: datetime, now: datetime) -> str:
    seconds = (now - moment).total_seconds()
    text = "just now" if seconds < 1 else f"{_span(seconds)} ago"
    return f'<span title="{moment:%Y-%m-%d %H:%M:%S} UTC">{text}</span>'


def _until(moment: datetime, now: datetime) -> str:
    seconds = (moment - now).total_seconds()
    text = "now" if seconds < 1 else f"in {_span(seconds)}"
    return f'<span title="{moment:%Y-%m-%d %H:%M:%S} UTC">{text}</span>'


def _span(seconds: float) -> str:
    if seconds < 10:
        return f"{seconds:.1f} s"
    if seconds < 120:
        return f"{seconds:.0f} s"
    if seconds < 7200:
        return f"{seconds / 60:.0f} min"
    if seconds < 172800:
        return f"{seconds / 3600:.1f} h"
    return f"{seconds / 86400:.1f} d"
