"""A results folder named on the command line, and its ``manifest.json``, read one way.

``report``, ``experiment run`` and ``sensitivity --refine`` take a results folder, given as
the folder or as its ``manifest.json``; the engine's store reads the same manifest when a
batch resumes. A manifest that is missing, unreadable, not JSON or not a JSON object is
refused with one line naming the file (:class:`~sqm_sim.config.ConfigError`).
"""

from __future__ import annotations

import json
import os
from pathlib import Path
from typing import Any

from ..config import ConfigError

MANIFEST_NAME = "manifest.json"
"""File name of a results folder's manifest."""


def results_folder(path: str | Path) -> Path:
    """The folder a results-folder argument names: ``path`` itself, or its parent when
    ``path`` is a ``manifest.json`` file."""
    given = Path(path)
    if given.name == MANIFEST_NAME and given.is_file():
        return given.parent
    return given


def read_manifest(folder: str | Path) -> dict[str, Any]:
    """The parsed ``manifest.json`` of ``folder``, which must be a JSON object."""
    path = results_folder(folder) / MANIFEST_NAME
    try:
        manifest = json.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        raise ConfigError(f"{path.parent} is not a results folder (no {MANIFEST_NAME})") from None
    except (OSError, UnicodeDecodeError, json.JSONDecodeError) as exc:
        raise ConfigError(f"unreadable manifest {path}: {exc}") from None
    if not isinstance(manifest, dict):
        kind = type(manifest).__name__
        raise ConfigError(f"{path} is not a manifest (a JSON {kind}, not an object)")
    return manifest


def experiment_dir_entry(base_dir: Path, out: Path) -> str:
    """The manifest's ``experiment_dir``: the folder an experiment's relative paths are read
    from, written relative to the results folder ``out`` (``"../specs"``), so that the
    manifest names no local absolute path and a project folder holding both can move."""
    return Path(os.path.relpath(base_dir.resolve(), out.resolve())).as_posix()


def recorded_experiment(folder: str | Path) -> tuple[dict[str, Any], Path, dict[str, Any]]:
    """(the experiment data, the folder its relative paths are read from, the manifest)
    recorded in a results folder, so that the same experiment can run again.
    ``experiment_dir`` is relative to the results folder (absolute in manifests written
    before it was; those are read as they are); without one, the working directory."""
    manifest = read_manifest(folder)
    data, base_dir = manifest.get("experiment"), manifest.get("experiment_dir", ".")
    path = results_folder(folder) / MANIFEST_NAME
    if not isinstance(data, dict) or not data or not isinstance(base_dir, str):
        raise ConfigError(f"{path} records no experiment to run again")
    if "experiment_dir" in manifest and not Path(base_dir).is_absolute():
        return dict(data), results_folder(folder) / base_dir, manifest
    return dict(data), Path(base_dir), manifest
