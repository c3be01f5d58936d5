"""Only commands that write create a hub, and they say so; a state_dir that cannot be created
is a config problem, found by check-config."""

from __future__ import annotations

from pathlib import Path

import pytest

from flxd.hub.location import state_dir_problem
from tests.commands.cli import MEMORY_TOKEN, flxd, memory_config

ENV = {"SHOP1_TOKEN": MEMORY_TOKEN}


@pytest.mark.parametrize(
    "args",
    [
        ("status",),
        ("runs",),
        ("listings", "list"),
        ("listings", "show", "X"),
        ("listings", "export"),
        ("listings", "pause", "X"),
        ("orders", "list"),
        ("orders", "show", "1"),
        ("orders", "export"),
        ("orders", "ship", "1", "--tracking", "T1"),
    ],
)
def test_a_command_that_reads_creates_no_hub(tmp_path: Path, args: tuple[str, ...]) -> None:
    config = memory_config(tmp_path)
    result = flxd(config, *args, env=ENV)
    assert result.code == 1
    assert result.err.startswith(f"flxd: no hub at {tmp_path}/state/flxd.db yet: ")
    assert "Traceback" not in result.err
    assert not (tmp_path / "state").exists()


def test_the_first_command_that_writes_says_it_creates_a_new_empty_hub(tmp_path: Path) -> None:
    config = memory_config(tmp_path)
    feed = tmp_path / "feed.csv"
    feed.write_text("sku,price\nMUG-1,4.50\n")
    first = flxd(config, "listings", "upsert", str(feed), env=ENV)
    assert first.code == 0
    assert first.err == f"flxd: creating a new, empty hub at {tmp_path}/state/flxd.db\n"
    again = flxd(config, "listings", "upsert", str(feed), env=ENV)
    assert again.code == 0 and "creating" not in again.err
    assert flxd(config, "listings", "list", env=ENV).code == 0


def test_run_once_says_it_creates_a_new_empty_hub(tmp_path: Path) -> None:
    config = memory_config(tmp_path)
    first = flxd(config, "run", "--once", env=ENV)
    assert first.code == 0, first
    assert f"flxd: creating a new, empty hub at {tmp_path}/state/flxd.db\n" in first.err
    assert "creating" not in flxd(config, "run", "--once", env=ENV).err


def test_a_state_dir_that_cannot_be_created_fails_check_config_and_every_command(
    tmp_path: Path,
) -> None:
    config = memory_config(tmp_path, extra="")
    config.write_text(config.read_text().replace("state_dir = 'state'", "state_dir = '/proc/x/y'"))
    checked = flxd(config, "check-config", env=ENV)
    assert checked.code == 2
    assert "  daemon.state_dir: cannot create /proc/x/y: No such file or directory" in checked.err
    feed = tmp_path / "feed.csv"
    feed.write_text("sku,price\nMUG-1,4.50\n")
    for args in (("run", "--once"), ("listings", "upsert", str(feed))):
        result = flxd(config, *args, env=ENV)
        assert result.code == 2, (args, result)
        assert "daemon.state_dir: cannot create /proc/x/y" in result.err
        assert "Traceback" not in result.err and "creating" not in result.err
    assert flxd(config, "listings", "list", env=ENV).err.startswith("flxd: no hub at /proc/x/y/")


def test_state_dir_problems(tmp_path: Path) -> None:
    assert state_dir_problem(tmp_path / "a" / "b") is None
    assert not (tmp_path / "a").exists()  # looking created nothing
    (tmp_path / "file").write_text("")
    assert state_dir_problem(tmp_path / "file") == f"{tmp_path}/file is not a directory"
    assert state_dir_problem(tmp_path / "file" / "x") == (
        f"cannot create {tmp_path}/file/x: {tmp_path}/file is not a directory"
    )


def test_orders_explain_answers_without_a_hub_and_creates_none(tmp_path: Path) -> None:
    config = memory_config(tmp_path)
    result = flxd(config, "orders", "explain", "shop1", "1", env=ENV)
    assert result.code == 1  # not imported
    assert result.out.startswith("shop1 #1: not imported\n")
    assert "last get_orders run  never" in result.out
    assert not (tmp_path / "state").exists()
