"""A results folder named on the command line, and its ``manifest.json``, read one way.

``report``, ``experiment run`` and ``sensitivity --refine`` take a results folder, given as
the folder or as its ``manifest.json``; the engine's store reads the same manifest when a
batch resumes. A manifest that is missing, unreadable, not JSON or not a JSON object is
refused with one line naming the file (:class:`~sqm_sim.config.ConfigError`).
"""

from __future__ import annotations

import json
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


def recorded_experiment(folder: str | Path) -> tuple[dict[str, Any], Path, dict[str, Any]]:
    """(the experiment data, the folder its relative paths are read from, the manifest)
    recorded in a results folder, so that the same experiment can run again."""
    manifest = read_manifest(folder)
    data, base_dir = manifest.get("experiment"), manifest.get("experiment_dir", ".")
    path = results_folder(folder) / MANIFEST_NAME
    if not isinstance(data, dict) or not data or not isinstance(base_dir, str):
        raise ConfigError(f"{path} records no experiment to run again")
    return dict(data), Path(base_dir), manifest
