"""The status page of one node among several: who holds each connection, and every node."""

from __future__ import annotations

from datetime import UTC, datetime

from flxd.admin.page import render_page
from flxd.admin.status import ConnectionView, QuotaView, StatusView
from flxd.cluster.leasebook import NodeRow
from flxd.hub.health import ConnectionHealth


def connection(name: str, owner: str | None) -> ConnectionView:
    return ConnectionView(
        name=name,
        channel="bigcommerce",
        enabled=True,
        health=ConnectionHealth.ACTIVE,
        health_reason=None,
        quota=QuotaView(requests=0, throttled=0, waited_s=0.0, left=None, limit=None),
        operations=(),
        owner=owner,
    )


def test_the_page_says_which_node_holds_what() -> None:
    view = StatusView(
        generated_at=datetime(2026, 1, 1, tzinfo=UTC),
        node="n1",
        version="0.1.0",
        draining=False,
        connections=(connection("a", "n1"), connection("b", "n2"), connection("c", None)),
        recent_errors=(),
        backlog={},
        nodes=(NodeRow("n1", 0.4, True), NodeRow("n2", 1.2, True), NodeRow("<n3>", 95.0, False)),
    )
    html = render_page(view)
    assert 'data-connection="a" data-health="active" data-owner="n1">' in html
    assert "on node n2" in html and "no node holds it" in html
    assert '<section id="nodes">' in html
    assert "<tr><td>n1</td><td>live</td><td>0.4 s ago</td><td>1</td></tr>" in html
    assert "<tr><td>&lt;n3&gt;</td><td>gone</td><td>95 s ago</td><td>0</td></tr>" in html
