"""Timing checks that hold on a busy machine (issue 15).

A fixed limit measured on a quiet machine fails for the wrong reason when other work
shares the cores. The tests here instead (1) wait for an observable event rather than a
fixed sleep (a run finished, a part on disk, the workers started) and (2) bound the time
they check by a calibration measured in the same test, on the same machine at the same
moment, never looser than a floor and never above a cap set well below the behaviour the
test exists to exclude (Ctrl-C taking 20 s, waiting for whole chunks).
"""

from __future__ import annotations

import time
from collections.abc import Callable


def calibrated_bound(calibration_s: float, factor: float, floor_s: float, cap_s: float) -> float:
    """``factor`` times a calibration measured in the same test, at least ``floor_s`` and
    at most ``cap_s`` seconds."""
    return min(cap_s, max(floor_s, factor * calibration_s))


def wait_until(condition: Callable[[], object], timeout_s: float, poll_s: float = 0.05) -> float:
    """Poll ``condition`` until it is true; return the time (``time.perf_counter``) it
    became so. AssertionError after ``timeout_s`` seconds."""
    deadline = time.perf_counter() + timeout_s
    while time.perf_counter() < deadline:
        if condition():
            return time.perf_counter()
        time.sleep(poll_s)
    raise AssertionError(f"not seen within {timeout_s} s")


def cpu_seconds(pid: int) -> float:
    """CPU time (user + system, seconds) process ``pid`` has used so far (Linux /proc);
    0.0 once it is gone. Unlike wall time, it does not stretch on a busy machine."""
    import os
    from pathlib import Path

    try:
        fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    except OSError:
        return 0.0
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")
