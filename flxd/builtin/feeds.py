"""The built-in `file` feed: a supplier's CSV or JSON Lines file (or a drop folder of them)
upserted into the hub on an interval.

- `path` names a file: it is read whenever it changed since the last run (size or mtime); it
  stays where it is, since suppliers overwrite it in place.
- `path` names a folder: every `*.csv`, `*.jsonl`, `*.ndjson` in it (not hidden, not `*.tmp`
  or `*.part`, so upload under another name and rename) is read in name order, each in its own
  transaction, then moved to `processed_dir` with a timestamp prefix.

Rows go through `flxd.hub.files.listings` (the parser of `flxd listings upsert`): a bad row is
reported with its line number and left out, the good rows land; rows that change nothing make
no change-log entry. A file that cannot be read at all (unknown column) writes nothing; in a
drop folder it is moved aside too, with a `.errors.txt` report beside it.
"""

from __future__ import annotations

import shutil
from collections.abc import Mapping
from functools import partial
from pathlib import Path
from typing import Literal

import anyio
from pydantic import Field, field_validator

from flxd.config import Duration, RelativePath, TypedSettings
from flxd.hub.files.listings import (
    COLUMNS,
    FileRejected,
    ParsedFile,
    parse_listing_file,
)
from flxd.hub.listing_keys import upsert_file
from flxd.plugin.context import FeedServices
from flxd.plugin.hookspecs import hookimpl
from flxd.plugin.registry import FeedType, Registrar

__all__ = ["FileFeed", "FileFeedSettings"]

_SUFFIXES = (".csv", ".jsonl", ".ndjson")
_IGNORED = (".tmp", ".part", ".partial")


class FileFeedSettings(TypedSettings):
    path: RelativePath
    """A CSV/JSONL file, or a drop folder of them."""
    interval: Duration = Field(default=300.0, ge=1)
    format: Literal["csv", "jsonl"] | None = None
    """Default: by file extension."""
    mapping: dict[str, str] = Field(default_factory=dict)
    """The file's column names -> flxd's (`{"Artikelnummer" = "sku", "Bestand" = "quantity"}`)."""
    processed_dir: RelativePath | None = None
    """Drop folders: where read files go (default: `processed` inside the folder)."""

    @field_validator("mapping")
    @classmethod
    def _known_columns(cls, value: dict[str, str]) -> dict[str, str]:
        unknown = sorted(set(value.values()) - set(COLUMNS))
        if unknown:
            raise ValueError(
                f"maps to unknown column(s) {', '.join(unknown)} (known: {', '.join(COLUMNS)})"
            )
        return value


class FileFeed:
    def __init__(self, settings: FileFeedSettings) -> None:
        self.settings = settings
        self._seen: tuple[int, int] | None = None  # (size, mtime) of the single file last read

    async def run(self, services: FeedServices) -> Mapping[str, int]:
        path = self.settings.path
        counts: dict[str, int] = {}
        if path.is_dir():
            for file in _drop_files(path):
                problems = await self._read(file, services, counts)
                self._move_aside(file, problems, services)
            return counts
        try:
            stat = path.stat()
        except FileNotFoundError:
            services.log.warning("feed file not found", path=str(path))
            return counts
        signature = (stat.st_size, stat.st_mtime_ns)
        if signature != self._seen:
            await self._read(path, services, counts)
            self._seen = signature
        return counts

    async def _read(self, file: Path, services: FeedServices, counts: dict[str, int]) -> list[str]:
        """Upsert the file's good rows; returns what was wrong with it, line by line."""
        read = partial(
            parse_listing_file, file, format=self.settings.format, mapping=self.settings.mapping
        )
        try:
            parsed: ParsedFile = await anyio.to_thread.run_sync(read)
        except FileRejected as exc:
            services.log.error("feed file rejected; nothing from it was written", reason=str(exc))
            _add(counts, "files_rejected", 1)
            return [f"{exc}; nothing was written"]
        if parsed.empty is not None:
            services.log.warning("feed file has no rows", file=file.name, reason=parsed.empty)
        async with services.db.transaction() as tx:
            result = await upsert_file(tx, services.clock.now(), parsed)
        for problem in parsed.problems:
            services.log.warning(
                "feed row rejected", file=file.name, line=problem.line, reason=problem.message
            )
        _add(counts, "files", 1)
        _add(counts, "rows", parsed.rows)
        _add(counts, "created", result.created)
        _add(counts, "updated", result.updated)
        _add(counts, "unchanged", result.unchanged)
        _add(counts, "rejected", len(parsed.problems))
        return [f"{file.name}: {problem}" for problem in parsed.problems]

    def _move_aside(self, file: Path, problems: list[str], services: FeedServices) -> None:
        target_dir = self.settings.processed_dir or file.parent / "processed"
        target_dir.mkdir(parents=True, exist_ok=True)
        stamp = services.clock.now().strftime("%Y%m%dT%H%M%SZ")
        target = target_dir / f"{stamp}-{file.name}"
        shutil.move(file, target)
        if problems:
            report = target.with_name(target.name + ".errors.txt")
            report.write_text("\n".join(problems) + "\n", encoding="utf-8")
        services.log.info("feed file processed", file=file.name, moved_to=str(target))


def _drop_files(folder: Path) -> list[Path]:
    return sorted(
        entry
        for entry in folder.iterdir()
        if entry.is_file()
        and not entry.name.startswith(".")
        and entry.suffix.lower() in _SUFFIXES
        and not entry.name.lower().endswith(_IGNORED)
    )


def _add(counts: dict[str, int], key: str, n: int) -> None:
    counts[key] = counts.get(key, 0) + n


@hookimpl
def flxd_register_feeds(register: Registrar[FeedType]) -> None:
    register(
        FeedType(
            name="file",
            description="upsert listings from a CSV/JSONL file or a drop folder, on an interval",
            settings=FileFeedSettings,
            create=FileFeed,
        )
    )
