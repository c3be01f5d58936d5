"""Task groups whose failure is the error that happened, not an ExceptionGroup around it.

The runner decides what a run's error means by its type (an AuthError pauses the connection, a
RecordError is skipped, …); anyio wraps whatever a task raises in an ExceptionGroup, which would
hide that type. The first real error is raised instead; the others were caused by it or are
cancellations.
"""

from __future__ import annotations

from collections.abc import AsyncIterator, Awaitable, Callable, Iterable
from contextlib import asynccontextmanager
from typing import TypeVar

import anyio
from anyio.abc import TaskGroup

__all__ = ["each", "task_group"]

T = TypeVar("T")


def _first(group: BaseExceptionGroup[BaseException]) -> BaseException:
    cancelled = anyio.get_cancelled_exc_class()
    for error in group.exceptions:
        found = _first(error) if isinstance(error, BaseExceptionGroup) else error
        if not isinstance(found, cancelled):
            return found
    return group.exceptions[0]


@asynccontextmanager
async def task_group() -> AsyncIterator[TaskGroup]:
    try:
        async with anyio.create_task_group() as tg:
            yield tg
    except BaseExceptionGroup as group:
        raise _first(group) from group


async def each(items: Iterable[T], work: Callable[[T], Awaitable[None]], *, at_once: int) -> None:
    """`work` on every item, at most `at_once` at a time (the connection's limiter decides how
    many requests actually leave together)."""
    queue = iter(list(items))

    async def worker() -> None:
        for item in queue:  # one iterator shared by the workers: each item once
            await work(item)

    async with task_group() as tg:
        for _ in range(max(1, at_once)):
            tg.start_soon(worker)
