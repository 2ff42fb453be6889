"""Which row of a start-customer table each customer present at month 0 takes.

The ``count`` month-0 customers are dealt the table's ``rows`` like cards from a deck
shuffled once: one random permutation of the rows (from the run's own
``start_customers`` stream, so the same configuration and seed deal the same rows),
gone through in order, again from its top as often as needed. Every row goes to
``count // rows`` or one more customers: a table of exactly ``count`` rows gives each of
its customers once; a pooled table larger than ``count`` gives a sample without
replacement, different for every seed.
"""

from __future__ import annotations

import numpy as np

START_STREAM = "start_customers"
"""Name of the random stream that shuffles the rows: a stream of its own, so that no other
stream's numbers move (runs without a table draw nothing from it)."""


def dealt_rows(rows: int, count: int, rng: np.random.Generator) -> list[int]:
    """The row of each of ``count`` customers (see the module docstring)."""
    deck = rng.permutation(rows).tolist()
    return [deck[i % rows] for i in range(count)]
