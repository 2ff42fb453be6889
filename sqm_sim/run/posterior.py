"""One parameter set of a calibrated configuration's posterior, chosen by the run's seed."""

from __future__ import annotations

import numpy as np

from ..config import Config
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
