"""`flxd run --once NAME import_listings --reconcile`: the reconciliation pass, run now."""

from __future__ import annotations

from pathlib import Path

from tests.commands.cli import MEMORY_TOKEN, flxd, memory_config


def test_reconcile_runs_the_pass_of_import_listings(tmp_path: Path) -> None:
    config = memory_config(tmp_path)
    env = {"SHOP1_TOKEN": MEMORY_TOKEN}
    assert flxd(config, "run", "--once", "shop1", "import_listings", env=env).code == 0
    result = flxd(config, "run", "--once", "shop1", "import_listings", "--reconcile", env=env)
    assert result.code == 0, result.err
    [row] = [line for line in result.out.splitlines() if line.startswith("shop1")]
    assert row.split()[1:4] == ["import_listings", "--reconcile", "ok"]
    assert "reconcile_checked=6 reconcile_drifted=0" in row  # 3 products of 2 variants
    alone = flxd(config, "run", "--once", "shop1", "--reconcile", env=env)
    assert alone.code == 0 and "import_listings --reconcile" in alone.out


def test_reconcile_is_a_pass_of_import_listings_only(tmp_path: Path) -> None:
    config = memory_config(tmp_path)
    env = {"SHOP1_TOKEN": MEMORY_TOKEN}
    wrong = flxd(config, "run", "--once", "shop1", "get_orders", "--reconcile", env=env)
    assert wrong.code == 2 and "--reconcile is a pass of import_listings" in wrong.err
    daemon = flxd(config, "run", "--reconcile", env=env)
    assert daemon.code == 2 and "need --once" in daemon.err
