"""Built-in event sinks: `jsonl` appends every hub event to a file, one JSON object per line."""

from __future__ import annotations

import json
import os
from pathlib import Path

import anyio

from flxd.config import RelativePath, TypedSettings
from flxd.hub.outbox import Event
from flxd.plugin.context import SinkServices
from flxd.plugin.hookspecs import hookimpl
from flxd.plugin.registry import Registrar, SinkType


class JsonlSinkSettings(TypedSettings):
    path: RelativePath
    topics: list[str] | None = None
    """Only these topics (default: every event)."""


class JsonlSink:
    """Appends events and fsyncs before acknowledging, so a crash never loses an acknowledged one
    (a crash before the acknowledgement may repeat events: consumers dedupe by `id`)."""

    def __init__(self, settings: JsonlSinkSettings, services: SinkServices) -> None:
        self._path = settings.path
        self._topics = None if settings.topics is None else frozenset(settings.topics)

    async def deliver(self, events: list[Event]) -> None:
        lines = [
            json.dumps(e.as_dict(), ensure_ascii=False, sort_keys=True) + "\n"
            for e in events
            if self._topics is None or e.topic in self._topics
        ]
        if lines:
            await anyio.to_thread.run_sync(self._append, "".join(lines))

    def _append(self, text: str) -> None:
        self._path.parent.mkdir(parents=True, exist_ok=True)
        with Path(self._path).open("a", encoding="utf-8") as handle:
            handle.write(text)
            handle.flush()
            os.fsync(handle.fileno())

    async def aclose(self) -> None:
        return None


@hookimpl
def flxd_register_sinks(register: Registrar[SinkType]) -> None:
    register(
        SinkType(
            name="jsonl",
            description="append hub events to a JSON Lines file",
            settings=JsonlSinkSettings,
            create=JsonlSink,
        )
    )
