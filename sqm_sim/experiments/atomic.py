"""Writing a file of a results folder atomically: a temporary file in the same folder, then
a rename over the target. A reader (or a process killed mid-write) sees the old file or the
new one, never a torn one, and a symlink planted at the target is replaced, not written
through."""

from __future__ import annotations

import contextlib
import os
from collections.abc import Iterator
from pathlib import Path
from typing import TYPE_CHECKING

if TYPE_CHECKING:  # pandas loads with the data, not with the command line
    import pandas as pd


@contextlib.contextmanager
def replacing(path: Path) -> Iterator[Path]:
    """A temporary path to write; on success it replaces ``path`` (fsync'd first), on
    failure it is removed."""
    path.parent.mkdir(parents=True, exist_ok=True)
    temporary = path.with_name(f".{path.name}.{os.getpid()}.tmp")
    try:
        yield temporary
        with temporary.open("rb") as handle:
            os.fsync(handle.fileno())
        os.replace(temporary, path)
    finally:
        temporary.unlink(missing_ok=True)


def writer_alive(temporary: Path) -> bool:
    """Whether the process that is writing ``temporary`` (a name made by
    :func:`replacing`: ``.NAME.PID.tmp``) still runs; False for a name of another form."""
    pid = temporary.name.rsplit(".", 2)[-2] if temporary.name.count(".") >= 2 else ""
    if not pid.isdigit() or int(pid) == os.getpid():
        return False
    try:
        os.kill(int(pid), 0)
    except ProcessLookupError:
        return False
    except PermissionError:  # alive, another user's
        return True
    return True


def write_bytes(path: Path, data: bytes) -> None:
    """Write ``data`` to ``path`` atomically."""
    with replacing(path) as temporary:
        temporary.write_bytes(data)


def write_text(path: Path, text: str) -> None:
    """Write ``text`` (UTF-8) to ``path`` atomically."""
    write_bytes(path, text.encode("utf-8"))


def write_frame(frame: pd.DataFrame, path: Path) -> str:
    """Write ``frame`` to ``path`` atomically: Parquet, or CSV for a ``.csv`` path. Returns
    the hex SHA-256 of the bytes written (for a results folder's part index)."""
    from .parts import digest

    with replacing(path) as temporary:
        if path.suffix == ".csv":
            frame.to_csv(temporary, index=False)
        else:
            frame.to_parquet(temporary, index=False)
        return digest(temporary)
