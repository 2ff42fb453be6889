"""Named, independent random streams drawn in blocks.

Every stochastic mechanism draws from its own stream, derived from the run's master seed
and the stream's *name* (not from the order in which streams are created). Two runs with
the same seed therefore give each mechanism the same numbers even when other mechanisms
are switched on or off: this is what makes common-random-number comparisons sharp.

Streams pre-draw numbers in numpy blocks and hand them out as Python floats, so the model
never pays for a numpy scalar call per event.
"""

from __future__ import annotations

import functools
import itertools
import math
import zlib
from collections.abc import Callable

import numpy as np

from ..config import DurationDistribution

BLOCK_SIZE = 2048


def stream_seed(master_seed: int, name: str) -> np.random.SeedSequence:
    """The seed sequence of stream ``name``: a child of ``master_seed`` keyed by the name."""
    return np.random.SeedSequence(master_seed, spawn_key=(zlib.crc32(name.encode()),))


class BlockDraws(functools.partial):
    """An endless supply of floats from ``draw_block(rng, n)``, fetched ``block`` at a time.

    Calling it returns the next number of the stream. It is ``next`` bound to a chain of the
    blocks (as Python lists), so that a draw runs no Python code except once per block."""

    __slots__ = ()

    def __new__(
        cls,
        rng: np.random.Generator,
        draw_block: Callable[[np.random.Generator, int], np.ndarray],
        block: int = BLOCK_SIZE,
    ) -> BlockDraws:
        blocks = (draw_block(rng, block).tolist() for _ in itertools.repeat(None))
        return super().__new__(cls, next, itertools.chain.from_iterable(blocks))


class RandomStreams:
    """Factory of named streams for one replication (one master seed)."""

    def __init__(self, seed: int) -> None:
        if not isinstance(seed, int) or isinstance(seed, bool) or seed < 0:
            raise ValueError(f"seed = {seed!r}: must be a non-negative integer")
        self.seed = seed

    def generator(self, name: str) -> np.random.Generator:
        """A numpy generator private to stream ``name``."""
        return np.random.Generator(np.random.PCG64(stream_seed(self.seed, name)))

    def uniform(self, name: str) -> BlockDraws:
        """Uniform(0, 1) draws of stream ``name``."""
        return BlockDraws(self.generator(name), lambda rng, n: rng.random(n))

    def normal(self, name: str) -> BlockDraws:
        """Standard normal draws of stream ``name``."""
        return BlockDraws(self.generator(name), lambda rng, n: rng.standard_normal(n))

    def duration(self, name: str, spec: DurationDistribution, scale: float = 1.0) -> BlockDraws:
        """Draws of a duration distribution; ``scale`` converts its unit (e.g. minutes->days)."""
        return BlockDraws(self.generator(name), duration_block(spec, scale))

    def residual_duration(self, name: str, spec: DurationDistribution) -> BlockDraws:
        """Draws of the equilibrium residual time of a renewal process with gaps ``spec``."""
        return BlockDraws(self.generator(name), residual_block(spec))


def _lognormal_parameters(mean: float, cv: float) -> tuple[float, float]:
    sigma = math.sqrt(math.log1p(cv**2))
    return math.log(mean) - sigma**2 / 2.0, sigma


def duration_block(
    spec: DurationDistribution, scale: float = 1.0
) -> Callable[[np.random.Generator, int], np.ndarray]:
    """Block sampler ``(rng, n) -> array`` of a duration with mean ``spec.mean * scale``."""
    mean = spec.mean * scale
    cv = spec.effective_cv
    if spec.kind == "deterministic":
        return lambda rng, n: np.full(n, mean)
    if spec.kind == "exponential":
        return lambda rng, n: rng.exponential(mean, n)
    if spec.kind == "gamma":
        shape = 1.0 / cv**2
        return lambda rng, n: rng.gamma(shape, mean / shape, n)
    mu, sigma = _lognormal_parameters(mean, cv)
    return lambda rng, n: rng.lognormal(mu, sigma, n)


def residual_block(spec: DurationDistribution) -> Callable[[np.random.Generator, int], np.ndarray]:
    """Block sampler of the time to the next renewal seen from a random instant.

    The equilibrium residual life is U * L, with U uniform(0, 1) and L the length-biased
    gap (density x f(x) / mean). Length-biasing maps gamma(k, theta) to gamma(k + 1, theta)
    and lognormal(mu, sigma) to lognormal(mu + sigma^2, sigma); exponential gaps have
    exponential residuals (memorylessness). Starting customers this way makes the order
    stream stationary from time 0, with no warm-up dip.
    """
    mean, cv = spec.mean, spec.effective_cv
    if spec.kind == "deterministic":
        return lambda rng, n: mean * rng.random(n)
    if spec.kind == "exponential":
        return lambda rng, n: rng.exponential(mean, n)
    if spec.kind == "gamma":
        shape = 1.0 / cv**2
        return lambda rng, n: rng.random(n) * rng.gamma(shape + 1.0, mean / shape, n)
    mu, sigma = _lognormal_parameters(mean, cv)
    return lambda rng, n: rng.random(n) * rng.lognormal(mu + sigma**2, sigma, n)
