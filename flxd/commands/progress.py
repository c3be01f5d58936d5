"""Progress of long CLI commands, on standard error so standard output stays the result
(a table, or JSON for scripts).

On a terminal: a live display (rich) that disappears when done, with log lines printed above it.
Otherwise (a pipe, a CI log, journald): one plain line per step, nothing that redraws.
"""

from __future__ import annotations

import sys
from collections.abc import Iterator
from contextlib import contextmanager
from typing import TextIO, cast

from rich.console import Console
from rich.file_proxy import FileProxy
from rich.progress import (
    BarColumn,
    Progress,
    SpinnerColumn,
    TaskID,
    TextColumn,
    TimeElapsedColumn,
)

from flxd.runs.summary import RunKey, RunProgress, RunSummary

__all__ = ["PlainRunProgress", "RichRunProgress", "RunProgress", "run_progress"]


def _describe(summary: RunSummary) -> str:
    counts = " ".join(f"{k}={v}" for k, v in sorted(summary.counts.items()))
    text = f"{summary.outcome.value} in {summary.duration:.2f} s"
    return text + (f" ({counts})" if counts else "")


class PlainRunProgress:
    def __init__(self, total: int, stream: TextIO) -> None:
        self.log_stream = stream
        self._stream = stream
        self._total = total
        self._started = 0
        self._numbers: dict[RunKey, int] = {}

    def started(self, key: RunKey) -> None:
        self._started += 1
        self._numbers[key] = self._started
        self._line(key, "started")

    def finished(self, summary: RunSummary) -> None:
        self._line(summary.key, _describe(summary))

    def _line(self, key: RunKey, text: str) -> None:
        self._stream.write(f"[{self._numbers.get(key, '?')}/{self._total}] {key}: {text}\n")
        self._stream.flush()


class RichRunProgress:
    def __init__(self, total: int, stream: TextIO) -> None:
        console = Console(file=stream)
        # A file-like object that prints through the console, above the live display.
        self.log_stream = cast(TextIO, FileProxy(console, stream))
        self.display = Progress(
            SpinnerColumn(),
            TextColumn("{task.description}"),
            BarColumn(bar_width=30),
            TextColumn("{task.fields[done]}"),  # "1/3" on the overall row only
            TimeElapsedColumn(),
            console=console,
            transient=True,
        )
        self._total = total
        self._done = 0
        self._overall = self.display.add_task("runs", total=total, done=f"0/{total}")
        self._tasks: dict[RunKey, TaskID] = {}

    def started(self, key: RunKey) -> None:
        self._tasks[key] = self.display.add_task(f"  {key}", total=None, done="")

    def finished(self, summary: RunSummary) -> None:
        task = self._tasks.pop(summary.key, None)
        if task is not None:
            self.display.remove_task(task)
        self._done += 1
        self.display.update(self._overall, advance=1, done=f"{self._done}/{self._total}")


@contextmanager
def run_progress(total: int, stream: TextIO | None = None) -> Iterator[RunProgress]:
    """The progress display that suits `stream` (default: standard error)."""
    stream = stream if stream is not None else sys.stderr
    if not stream.isatty():
        yield PlainRunProgress(total, stream)
        return
    progress = RichRunProgress(total, stream)
    with progress.display:
        yield progress
