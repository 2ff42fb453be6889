"""Checking where a command will write, before it runs anything.

A results folder (``--out DIR``) or a report file (``--out FILE``) that cannot be written is
found out at once, with one line naming the option, the path and the reason — not after
minutes of simulation, and never as a traceback. The check creates nothing: it writes and
removes one empty probe file in the nearest folder that already exists.
"""

from __future__ import annotations

import os
import tempfile
from pathlib import Path

from ..config import ConfigError
from ..experiments.manifest import MANIFEST_NAME, read_manifest


def _nearest_existing(path: Path) -> Path:
    """``path`` itself or its closest ancestor that exists."""
    for candidate in (path, *path.parents):
        if candidate.exists():
            return candidate
    return Path.cwd()


def _probe(folder: Path, option: str, target: Path) -> None:
    """Write and remove an empty file in ``folder``; ConfigError if that fails."""
    try:
        handle, name = tempfile.mkstemp(prefix=".sqm-sim-probe-", dir=folder)
        os.close(handle)
        os.unlink(name)
    except OSError as exc:
        reason = exc.strerror or type(exc).__name__
        raise ConfigError(f"{option} {target}: cannot write in {folder} ({reason})") from None


def _check_writable_folder(folder: Path, option: str, target: Path) -> None:
    existing = _nearest_existing(folder.absolute())
    if not existing.is_dir():
        where = "it is a file" if existing == target.absolute() else f"{existing} is a file"
        raise ConfigError(f"{option} {target} is not a folder ({where})")
    _probe(existing, option, target)


def check_folder(path: str | Path | None, option: str = "--out") -> None:
    """Refuse a results folder that is a file, lies below a file or cannot be written."""
    if path is not None:
        _check_writable_folder(Path(path), option, Path(path))


def check_run_folder(path: str | Path | None, config_hash: str, seed: int, overwrite: bool) -> None:
    """A folder holds one result: refuse to write a run into a folder holding an
    experiment, or holding another run (another configuration or seed) unless
    ``overwrite``. The same run again is fine."""
    if path is None or not (Path(path) / MANIFEST_NAME).is_file():
        return
    folder = Path(path)
    manifest = read_manifest(folder)
    if "experiment_id" in manifest or "config_hash" not in manifest:
        raise ConfigError(
            f"--out {folder} holds the results of an experiment, not of one run; "
            "choose another folder"
        )
    if manifest.get("config_hash") == config_hash and manifest.get("seeds") == [seed]:
        return
    if not overwrite:
        raise ConfigError(
            f"--out {folder} holds another run (scenario '{manifest.get('scenario')}', "
            f"seeds {manifest.get('seeds')}); give --overwrite to replace it, or choose "
            "another folder"
        )


def check_file(path: str | Path | None, option: str = "--out") -> None:
    """Refuse an output file that is a folder, or whose folder cannot be written."""
    if path is None:
        return
    target = Path(path)
    if target.is_dir():
        raise ConfigError(f"{option} {target} is a folder; give the path of a file")
    _check_writable_folder(target.absolute().parent, option, target)
