"""Results folders as the report reads them, and the registry of the kinds it knows.

A results folder is recognised by its ``manifest.json``: each :class:`ResultsKind` has a
``detect(manifest, path)`` test and a ``build(folder)`` that returns the report's
sections. The first kind whose test passes wins. Built in: ``run`` (``sqm-sim run --out``,
see :mod:`sqm_sim.report.run_files`) and ``experiment`` (``compare``, ``search``, ``experiment
run``, see :mod:`sqm_sim.experiments.store`). A new kind of results (e.g. a sensitivity
analysis) adds its own builder with :func:`register_kind`, in a module listed in
:data:`KIND_MODULES` so that it is registered before a folder is read.
"""

from __future__ import annotations

import importlib
import json
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pandas as pd

from ..config import ConfigError
from ..experiments.manifest import read_manifest
from .html import Section


class NotAResultsFolderError(ConfigError):
    """The folder given to the report holds no results it can read."""


@dataclass(frozen=True)
class ResultsFolder:
    """A results folder: its ``path``, ``kind`` (a registered :class:`ResultsKind` name)
    and parsed ``manifest.json``."""

    path: Path
    kind: str
    manifest: dict[str, Any]

    def json(self, name: str) -> Any:
        """A JSON file of the folder, parsed (one-line error if torn or unreadable)."""
        try:
            return json.loads((self.path / name).read_text(encoding="utf-8"))
        except (OSError, ValueError) as exc:
            raise self._damaged(name, exc) from None

    def parquet(self, name: str) -> pd.DataFrame:
        """A Parquet file or folder of parts of the folder (empty if absent)."""
        target = self.path / name
        if not target.exists() or (target.is_dir() and not any(target.glob("*.parquet"))):
            return pd.DataFrame()
        if target.is_dir():
            self._check_parts(name, target)
        try:
            return pd.read_parquet(target)
        except (OSError, ValueError) as exc:  # ArrowInvalid is a ValueError
            raise self._damaged(name, exc) from None

    def _check_parts(self, name: str, folder: Path) -> None:
        """Refuse a part whose bytes differ from the SHA-256 the manifest records (damage
        that can leave a Parquet file readable, with wrong numbers). Parts the manifest
        does not list are left to the Parquet reader."""
        from ..experiments.parts import INDEX_KEY, check_part, part_key

        index = self.manifest.get(INDEX_KEY)
        if not isinstance(index, dict):
            return
        for part in sorted(folder.glob("part-*.parquet")):
            recorded = index.get(part_key(part))
            if recorded is None:
                continue
            problem = check_part(part, recorded).problem
            if problem is not None:
                raise self._damaged(f"{name}/{part.name}", ValueError(problem))

    def _damaged(self, name: str, exc: Exception) -> NotAResultsFolderError:
        reason = str(exc).splitlines()[0] if str(exc) else type(exc).__name__
        return NotAResultsFolderError(
            f"{self.path / name} is damaged or incomplete ({reason}); rerun the command "
            "that wrote the folder (it resumes)"
        )


@dataclass(frozen=True)
class ResultsKind:
    """A kind of results folder: ``name``; ``expected`` (what such a folder holds, for
    error messages); ``detect(manifest, path)``; ``title(folder)``, the report's title;
    ``intro(folder)``, a short "what is this" paragraph; ``build(folder)``, its sections."""

    name: str
    expected: str
    detect: Callable[[dict[str, Any], Path], bool]
    title: Callable[[ResultsFolder], str]
    intro: Callable[[ResultsFolder], str]
    build: Callable[[ResultsFolder], list[Section]]


KINDS: dict[str, ResultsKind] = {}
"""Registered kinds by name, in the order they are tried."""

KIND_MODULES = (
    "sqm_sim.report.run_sections",
    "sqm_sim.report.exploration_sections",  # before experiment: its folders look alike
    "sqm_sim.report.experiment_sections",
    "sqm_sim.report.sensitivity_sections",
    "sqm_sim.report.roi_sections",
    "sqm_sim.report.calibration_sections",
)
"""Modules that register the kinds of results the report can read."""


def register_kind(kind: ResultsKind) -> ResultsKind:
    """Add (or replace) a kind of results folder; returns it."""
    KINDS[kind.name] = kind
    return kind


def load_kinds() -> dict[str, ResultsKind]:
    """Import :data:`KIND_MODULES` (registering their kinds) and return the registry."""
    for module in KIND_MODULES:
        importlib.import_module(module)
    return KINDS


def open_results(path: str | Path) -> tuple[ResultsFolder, ResultsKind]:
    """The results folder at ``path`` and its kind; :class:`NotAResultsFolderError` (a one-line
    message naming the folder and what was expected) if it is none of the known kinds."""
    folder = Path(path)
    kinds = load_kinds()
    expected = "; or ".join(kind.expected for kind in kinds.values())
    if not folder.is_dir():
        raise NotAResultsFolderError(f"{folder} is not a folder; expected {expected}")
    try:
        manifest = read_manifest(folder)
    except ConfigError as exc:  # missing, not UTF-8, not JSON, not a JSON object
        raise NotAResultsFolderError(f"{exc}; expected {expected}") from None
    for kind in kinds.values():
        if kind.detect(manifest, folder):
            return ResultsFolder(folder, kind.name, manifest), kind
    raise NotAResultsFolderError(
        f"{folder} holds results of an unknown or unfinished kind; expected {expected}"
    )
