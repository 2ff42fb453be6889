"""Signals and system errors while a command runs, each as one line and an exit status.

``kill PID`` (or a scheduler ending a job) stops a batch the way Ctrl-C does: the finished
runs kept, one line, exit status 130, no worker left behind. A full disk is one line and
exit status :data:`DISK_FULL`; another system error (a path that cannot be written) one
line and exit status 2.
"""

from __future__ import annotations

import contextlib
import errno
import signal
import sys
import threading
from collections.abc import Iterator
from typing import Any

DISK_FULL = 3
"""Exit status when the disk (or the quota) is full: free space and rerun to resume."""


def report_os_error(exc: OSError, out: object | None) -> int:
    """Say what failed in one line; the exit status."""
    where = exc.filename or out
    if exc.errno in (errno.ENOSPC, errno.EDQUOT):
        place = f" while writing {out}" if out else ""
        print(
            f"sqm-sim: error: no space left on the device{place}; free space and rerun the "
            "same command to resume (finished runs are kept)",
            file=sys.stderr,
        )
        return DISK_FULL
    reason = exc.strerror or type(exc).__name__
    print(f"sqm-sim: error: {reason}" + (f": {where}" if where else ""), file=sys.stderr)
    return 2


def _interrupt(signum: int, frame: Any) -> None:
    raise KeyboardInterrupt


@contextlib.contextmanager
def terminate_as_interrupt() -> Iterator[None]:
    """Within the block, SIGTERM raises KeyboardInterrupt (main thread only; the previous
    handler is restored after)."""
    if threading.current_thread() is not threading.main_thread():
        yield
        return
    previous = signal.signal(signal.SIGTERM, _interrupt)
    try:
        yield
    finally:
        signal.signal(signal.SIGTERM, previous)
