"""The command line next to running nodes: `run --once` leaves alone what a node holds, and
`flxd status` says which node holds which connection."""

from __future__ import annotations

import json
import sys
from pathlib import Path

import anyio
import pytest

from flxd.cluster.leases import LeaseManager
from flxd.testing import FakeClock
from tests.scaleout.conftest import DSN, OpenNode


def config(tmp_path: Path, schema: str) -> Path:
    path = tmp_path / "flxd.toml"
    text = (
        f'[daemon]\nstate_dir = "{tmp_path / "state"}"\ndatabase = "{DSN}"\n'
        f'database_schema = "{schema}"\nnode_id = "cli"\n[admin]\nenabled = false\n'
    )
    for name in ("shop1", "shop2"):
        text += (
            f'[connections.{name}]\nchannel = "memory"\nstore = "{schema}-{name}"\n'
            'token_env = "MEMORY_TOKEN"\nseed_orders = 3\n'
            f"[connections.{name}.get_orders]\nenabled = true\n"
        )
    path.write_text(text)
    return path


@pytest.mark.asyncio
async def test_run_once_skips_what_a_node_holds_and_status_shows_the_owners(
    tmp_path: Path, schema: str, open_node: OpenNode, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("MEMORY_TOKEN", "memory-token")
    path = config(tmp_path, schema)

    node = LeaseManager(await open_node(), FakeClock(), node="a", period=15.0)
    node.configure(["shop1"])
    await node.beat()
    assert node.held() == ["shop1"]

    async def flxd(*args: str) -> tuple[int, str]:
        done = await anyio.run_process(
            [sys.executable, "-m", "flxd", "--config", str(path), *args], check=False
        )
        return done.returncode, done.stdout.decode()

    code, out = await flxd("run", "--once", "--json")
    assert code == 1, out
    runs = {r["key"]["connection"]: r for r in json.loads(out)["runs"]}
    assert runs["shop1"]["outcome"] == "skipped"
    assert runs["shop1"]["error"] == "node a holds the connection's lease"
    assert runs["shop2"]["outcome"] == "ok" and runs["shop2"]["counts"]["imported"] == 3

    code, out = await flxd("status", "--json")
    status = json.loads(out)
    owners = {r["connection"]: r["node"] for r in status["connections"]}
    assert owners == {"shop1": "a", "shop2": None}  # run --once handed shop2 back
    assert status["nodes"] == [
        {"node": "a", "live": True, "seen_s_ago": status["nodes"][0]["seen_s_ago"],
         "connections": 1, "outbox": True},
    ]  # fmt: skip
    code, table = await flxd("status")
    assert "NODE" in table.splitlines()[0] and " a " in table.splitlines()[1]
