"""What to run: cells (labelled configurations) crossed with seeds.

A *cell* is one configuration with labels that say what it is (``scenario``, ``portfolio``,
or the values of design parameters). A *plan* runs every cell with the same seeds, so every
comparison between cells is on common random numbers. Every run has a deterministic id
computed from its cell name, its configuration's fingerprint and its seed: rerunning a plan
finds the runs already on disk, and a changed configuration gets new ids.
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from functools import cached_property
from typing import Any

from ..config import Config, ConfigError
from ..config.errors import MAX_LISTED, repeated

LabelValue = str | int | float | bool

# columns of the per-run table that cell labels must not shadow
RESERVED_COLUMNS = frozenset(
    {"run_id", "cell", "seed", "config_hash", "status", "error", "traceback", "elapsed_s"}
)


def run_id(cell: str, config_hash: str, seed: int) -> str:
    """Deterministic id of one run: 16 hex digits of SHA-256 over (cell, config hash, seed)."""
    key = f"{cell}\x1f{config_hash}\x1f{seed}"
    return hashlib.sha256(key.encode()).hexdigest()[:16]


MAX_RUNS = 1_000_000
"""Most runs one experiment may plan (cells x seeds): more than a day of one core even at
the smallest run size, and a manifest of tens of megabytes. Larger requests are refused
before anything is built (a billion replications exhausted memory building the seeds)."""


def check_run_count(runs: int, what: str) -> None:
    """Refuse a request of more than :data:`MAX_RUNS` runs (``what`` names the request)."""
    if runs > MAX_RUNS:
        raise ConfigError(f"{what}: at most {MAX_RUNS:,} runs per experiment")


def seed_range(first_seed: int, replications: int) -> list[int]:
    """The seeds ``first_seed, first_seed + 1, ...``: one per replication (the count is
    checked against :data:`MAX_RUNS` before the list is built)."""
    if replications < 1:
        raise ConfigError(f"replications = {replications}: at least 1 replication is needed")
    if first_seed < 0:
        raise ConfigError(f"first seed = {first_seed}: seeds are non-negative integers")
    check_run_count(replications, f"replications = {replications}")
    return list(range(first_seed, first_seed + replications))


@dataclass(frozen=True)
class Cell:
    """One configuration of an experiment: a unique ``name``, descriptive ``labels`` (they
    become columns of the results tables) and the validated ``config``."""

    name: str
    labels: Mapping[str, LabelValue]
    config: Config = field(compare=False, repr=False)

    @cached_property
    def config_hash(self) -> str:
        """The fingerprint of the resolved configuration."""
        return self.config.fingerprint()


@dataclass(frozen=True)
class RunTask:
    """One run to do: its id, cell name, config fingerprint and seed."""

    run_id: str
    cell: str
    config_hash: str
    seed: int


class Plan:
    """Cells x seeds. Cell names must be unique; labels must not use reserved column names."""

    def __init__(self, cells: Sequence[Cell], seeds: Sequence[int]) -> None:
        if not cells:
            raise ConfigError("the experiment has no cells to run (empty design)")
        if not seeds:
            raise ConfigError("the experiment has no seeds (replications must be at least 1)")
        check_run_count(len(cells) * len(seeds), f"{len(cells)} cells x {len(seeds)} seeds")
        names = [cell.name for cell in cells]
        twice = repeated(names)
        if twice:
            raise ConfigError(f"cell names must be unique, repeated: {twice[:MAX_LISTED]}")
        for cell in cells:
            clash = RESERVED_COLUMNS.intersection(cell.labels)
            if clash:
                raise ConfigError(f"cell '{cell.name}': label(s) {sorted(clash)} are reserved")
        if len(set(seeds)) != len(seeds):
            raise ConfigError("seeds must be distinct")
        self.cells = list(cells)
        self.seeds = [int(seed) for seed in seeds]

    def with_seeds(self, seeds: Sequence[int]) -> Plan:
        """The same cells with other seeds."""
        return Plan(self.cells, seeds)

    @cached_property
    def cell_by_name(self) -> dict[str, Cell]:
        """Cells by name."""
        return {cell.name: cell for cell in self.cells}

    @cached_property
    def configs(self) -> dict[str, dict[str, Any]]:
        """Resolved configurations as plain data, by fingerprint."""
        return {cell.config_hash: cell.config.to_dict() for cell in self.cells}

    @cached_property
    def label_names(self) -> list[str]:
        """Every label name used by a cell, in first-seen order."""
        names: dict[str, None] = {}
        for cell in self.cells:
            names.update(dict.fromkeys(cell.labels))
        return list(names)

    def tasks(self) -> Iterator[RunTask]:
        """Every run of the plan, cell by cell, seeds in order."""
        for cell in self.cells:
            for seed in self.seeds:
                yield RunTask(
                    run_id(cell.name, cell.config_hash, seed), cell.name, cell.config_hash, seed
                )

    @property
    def size(self) -> int:
        """Number of runs: cells x seeds."""
        return len(self.cells) * len(self.seeds)

    def describe(self) -> dict[str, Any]:
        """Cells (name, labels, config hash) and seeds, for the manifest."""
        return {
            "cells": [
                {"cell": c.name, "labels": dict(c.labels), "config_hash": c.config_hash}
                for c in self.cells
            ],
            "seeds": self.seeds,
        }
