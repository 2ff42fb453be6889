"""One parameter set of a calibrated configuration's posterior, chosen by the run's seed."""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from typing import Any

import numpy as np

from ..config import Config
from ..config.posterior import PosteriorSettings
from ..models.random_streams import RandomStreams

POSTERIOR_STREAM = "posterior"
"""Name of the random stream that picks a run's parameter set: a stream of its own, so the
model's streams keep their numbers (common random numbers across configurations)."""


def draw_index(weights: tuple[float, ...], seed: int) -> int:
    """Index of the parameter set a run with ``seed`` uses: one draw by weight from the
    seed's ``posterior`` stream (the same index in every configuration with these weights)."""
    probabilities = np.asarray(weights, dtype=float)
    probabilities = probabilities / probabilities.sum()
    rng = RandomStreams(seed).generator(POSTERIOR_STREAM)
    return int(rng.choice(len(probabilities), p=probabilities))


def drawn_config(config: Config, seed: int) -> Config:
    """``config`` with the parameter set of its posterior that ``seed`` draws applied (and
    no posterior left); ``config`` itself if it carries none."""
    posterior = config.posterior
    if posterior is None:
        return config
    row = posterior.draws[draw_index(posterior.weights, seed)]
    plain = config.model_copy(update={"posterior": None})
    return plain.with_overrides(dict(zip(posterior.parameters, row, strict=True)))


def _posterior_of(config: Config | Mapping[str, Any]) -> tuple[str, PosteriorSettings | None]:
    """A configuration's name and posterior (a :class:`Config` or its dict, as manifests
    store it)."""
    if isinstance(config, Config):
        return config.name, config.posterior
    table = config.get("posterior")
    return str(config.get("name", "?")), (
        PosteriorSettings.model_validate(table) if table else None
    )


def uncertainty_note(configs: Iterable[Config | Mapping[str, Any]], seeds: Sequence[int]) -> str:
    """One sentence saying what the intervals of runs of ``configs`` on ``seeds`` cover:
    parameter uncertainty too (a calibrated profile: one posterior draw per seed, how many
    distinct parameter sets that made, from which profile), or simulation noise only."""
    calibrated: dict[str, PosteriorSettings] = {}
    plain: list[str] = []
    for config in configs:
        name, posterior = _posterior_of(config)
        if posterior is None:
            plain.append(name)
        else:
            calibrated.setdefault(name, posterior)
    if not calibrated:
        return (
            "intervals cover simulation noise only: every run uses the scenario's parameter "
            "values, so their uncertainty is not included"
        )
    parts = []
    for name, posterior in calibrated.items():
        distinct = len({draw_index(posterior.weights, seed) for seed in seeds})
        draws = f"{len(seeds)} posterior draw{'s' if len(seeds) != 1 else ''}, one per seed"
        parts.append(
            f"{draws} ({distinct} distinct of the {len(posterior.draws)} parameter sets of "
            f"{', '.join(posterior.parameters)}), from the calibrated profile '{name}'"
        )
    note = "intervals include parameter uncertainty: " + "; ".join(parts)
    others = sorted(set(plain) - set(calibrated))
    if others:
        note += f"; runs of {', '.join(others)} cover simulation noise only"
    return note
