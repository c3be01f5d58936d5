"""Standard streams that may be closed: a command run with `>&-`, or piped into `head`.

A command's output is for whoever reads it; when nobody does (the reader went away, or there
never was one), the command stops quietly rather than with a traceback.
"""

from __future__ import annotations

import os
import sys

__all__ = ["EXIT_READER_GONE", "guard_standard_streams", "reader_gone"]

EXIT_READER_GONE = 141
"""What a shell reports for a command its pipe's reader stopped (128 + SIGPIPE)."""


def guard_standard_streams() -> None:
    """Give a closed standard descriptor (0, 1 or 2) /dev/null, and Python a stream for it.

    Otherwise the next file flxd opens (the hub database) would get descriptor 1, and what
    the command prints would be written into it."""
    for fd, flags in ((0, os.O_RDONLY), (1, os.O_WRONLY), (2, os.O_WRONLY)):
        try:
            os.fstat(fd)
        except OSError:
            null = os.open(os.devnull, flags)  # the lowest free descriptor: this one
            if null != fd:
                os.dup2(null, fd)
                os.close(null)
    if sys.stdout is None:
        sys.stdout = open(1, "w", encoding="utf-8", closefd=False)  # noqa: SIM115
    if sys.stderr is None:
        sys.stderr = open(2, "w", encoding="utf-8", closefd=False)  # noqa: SIM115


def reader_gone() -> int:
    """After a BrokenPipeError: point the broken streams at /dev/null, so what is still
    buffered (and Python's flush at exit) goes nowhere instead of raising again."""
    for stream in (sys.stdout, sys.stderr):
        try:
            stream.flush()
        except (BrokenPipeError, ValueError):
            null = os.open(os.devnull, os.O_WRONLY)
            os.dup2(null, stream.fileno())
            os.close(null)
    return EXIT_READER_GONE
