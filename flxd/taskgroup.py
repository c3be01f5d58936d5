"""Exception groups, unwrapped once for all of flxd.

anyio wraps whatever a task raises in an ExceptionGroup. flxd decides what an error means by
its type (an AuthError pauses the connection, a RecordError is skipped, a FencedError stops the
run), so a group must give way to the error that decides: `decisive` picks it (auth first, then
a lost lease, then any other real error; cancellations last), and `task_group` raises it in
place of the group.
"""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

import anyio
from anyio.abc import TaskGroup

from flxd.errors import AuthError, FencedError

__all__ = ["decisive", "leaves", "task_group"]


def leaves(group: BaseExceptionGroup[BaseException]) -> list[BaseException]:
    """Every error inside (nested) groups, in order."""
    found: list[BaseException] = []
    for error in group.exceptions:
        if isinstance(error, BaseExceptionGroup):
            found += leaves(error)
        else:
            found.append(error)
    return found


def decisive(group: BaseExceptionGroup[BaseException]) -> BaseException:
    """The error in a (nested) group that decides what happens next."""
    found = leaves(group)
    for kind in (AuthError, FencedError, Exception):
        for error in found:
            if isinstance(error, kind):
                return error
    return found[0]


@asynccontextmanager
async def task_group() -> AsyncIterator[TaskGroup]:
    """anyio's task group, raising the decisive error itself rather than a group of it."""
    try:
        async with anyio.create_task_group() as tg:
            yield tg
    except BaseExceptionGroup as group:
        raise decisive(group) from group
