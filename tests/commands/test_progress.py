"""Progress of `flxd run --once`: a live display on a terminal, plain lines otherwise, always on
standard error so standard output stays the summary (or JSON)."""

from __future__ import annotations

import io
import json
import os
import pty
import subprocess
import sys
from pathlib import Path

from flxd.commands.progress import PlainRunProgress, RichRunProgress, run_progress
from flxd.operation import Operation
from flxd.runs.journal import RunOutcome
from flxd.runs.summary import RunKey, RunSummary
from tests.daemon.test_lifecycle import ENV, config_text

KEY = RunKey("shop1", Operation.GET_ORDERS)


class FakeTerminal(io.StringIO):
    def isatty(self) -> bool:
        return True


def test_plain_lines_when_not_a_terminal() -> None:
    out = io.StringIO()
    with run_progress(2, out) as progress:
        assert isinstance(progress, PlainRunProgress)
        progress.started(KEY)
        progress.finished(
            RunSummary(
                key=KEY,
                trigger="once",
                outcome=RunOutcome.OK,
                counts={"imported": 3},
                duration=0.5,
            )
        )
    assert out.getvalue().splitlines() == [
        "[1/2] shop1/get_orders: started",
        "[1/2] shop1/get_orders: ok in 0.50 s (imported=3)",
    ]


def test_a_live_display_on_a_terminal_with_log_lines_above_it() -> None:
    out = FakeTerminal()
    with run_progress(1, out) as progress:
        assert isinstance(progress, RichRunProgress)
        progress.started(KEY)
        progress.display.refresh()
        progress.log_stream.write("a log line\n")
        progress.finished(RunSummary(key=KEY, trigger="once", outcome=RunOutcome.OK))
    text = out.getvalue()
    assert "shop1/get_orders" in text and "a log line" in text
    assert "\x1b[" in text  # drawn with terminal control sequences


def test_run_once_reports_progress_on_stderr_and_keeps_stdout_json(tmp_path: Path) -> None:
    config = tmp_path / "flxd.toml"
    config.write_text(config_text(tmp_path / "state"))
    result = subprocess.run(
        [sys.executable, "-m", "flxd", "--config", str(config), "run", "--once", "--json"],
        capture_output=True,
        text=True,
        env={**os.environ, **ENV},
        timeout=60,
        check=False,
    )
    assert result.returncode == 0, result.stderr
    assert len(json.loads(result.stdout)["runs"]) == 2
    progress = [line for line in result.stderr.splitlines() if line.startswith("[")]
    assert progress[0] == "[1/2] mem/import_listings: started"
    assert progress[-1].startswith("[2/2] mem/get_orders: ok in ")
    assert progress[-1].endswith("s (imported=5)")


def test_run_once_on_a_terminal(tmp_path: Path) -> None:
    config = tmp_path / "flxd.toml"
    config.write_text(config_text(tmp_path / "state"))
    main, terminal = pty.openpty()
    # Info lines asked for, to see them printed above the live display.
    command = [sys.executable, "-m", "flxd", "--config", str(config), "--log-level", "info"]
    proc = subprocess.Popen(
        [*command, "run", "--once"],
        stdout=subprocess.PIPE,
        stderr=terminal,
        env={**os.environ, **ENV, "TERM": "xterm-256color", "COLUMNS": "120"},
        text=True,
    )
    os.close(terminal)
    seen = b""
    while True:
        try:
            chunk = os.read(main, 65536)  # blocks until output; EIO once the child has closed it
        except OSError:
            break
        if not chunk:
            break
        seen += chunk
    os.close(main)
    stdout, _ = proc.communicate(timeout=60)
    assert proc.returncode == 0
    assert "mem         get_orders       ok" in stdout  # the summary table, untouched
    text = seen.decode(errors="replace")
    assert "runs" in text and "run finished" in text  # the live display and the log above it
    assert "[1/2]" not in text  # no plain lines on a terminal
