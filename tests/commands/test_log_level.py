"""Commands log at warning and above, so their own output (progress, tables) stays readable;
the daemon logs at `[logging] level`."""

from __future__ import annotations

from pathlib import Path

from tests.commands.cli import MEMORY_TOKEN, flxd, memory_config

ENV = {"SHOP1_TOKEN": MEMORY_TOKEN}


def test_run_once_shows_progress_without_info_log_lines(tmp_path: Path) -> None:
    config = memory_config(tmp_path, extra="[logging]\nlevel = 'debug'\n")
    quiet = flxd(config, "run", "--once", env=ENV)
    assert quiet.code == 0, quiet
    lines = [line for line in quiet.err.splitlines() if "creating a new" not in line]
    assert lines and all(line.startswith("[") and "/5] shop1/" in line for line in lines), lines
    assert "[1/5] shop1/import_listings: ok in " in quiet.err

    told = flxd(config, "--log-level", "info", "run", "--once", env=ENV)
    assert '"event": "run finished"' in told.err


def test_errors_are_still_logged(tmp_path: Path) -> None:
    config = memory_config(tmp_path)
    result = flxd(config, "run", "--once", "shop1", "get_orders", env={"SHOP1_TOKEN": "wrong"})
    assert result.code == 1
    assert '"event": "connection needs re-authentication; its runs are paused"' in result.err
