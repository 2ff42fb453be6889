"""Voice and loyalty as TARP tabulated them, from simulated customer journeys.

TARP's studies for the US Office of Consumer Affairs (1979, 1986) asked customers who had
had a problem whether they would buy again, by what they did about it: kept silent,
complained and got no resolution, got it resolved slowly, or resolved quickly. The same
table from a simulation: every repurchase decision in the journeys
(:mod:`sqm_sim.models.journeys`) by what preceded it, with the share that stayed and its
Wilson interval. A decision after a complaint by a customer who had complained before is
its own row ("(repeat)"): the recovery paradox holds, if at all, only for a first failure.
Stays of contract customers whose contract was not up yet (context "... (under contract)")
were not choices and are left out.
"""

from __future__ import annotations

from collections.abc import Iterable

import pandas as pd

from ..models.journeys import NO_PROBLEM, OUTCOMES, REPEAT, SILENT
from .intervals import wilson_interval

CONTEXTS: tuple[str, ...] = (
    SILENT,
    OUTCOMES[False, False],
    OUTCOMES[True, False],
    OUTCOMES[True, True],
    NO_PROBLEM,
    *(OUTCOMES[key] + REPEAT for key in ((False, False), (True, False), (True, True))),
)
"""Rows of the table: TARP's order (silent, unresolved, slow, fast), then no problem, then
the outcomes of repeat complaints."""


def tarp_table(
    journeys: pd.DataFrame | Iterable[pd.DataFrame], confidence: float = 0.95
) -> pd.DataFrame:
    """Repurchase decisions by what preceded them: one row per context in :data:`CONTEXTS`
    with ``decisions``, ``stayed``, ``stay_share`` and its Wilson interval
    (``ci_low``, ``ci_high``; NaN where there was no decision). ``journeys`` is one run's
    journeys table or several, pooled."""
    frames = [journeys] if isinstance(journeys, pd.DataFrame) else list(journeys)
    decisions = pd.concat(
        [
            frame.loc[frame["event"].isin(["stayed", "left"]), ["event", "detail"]]
            for frame in frames
        ]
    )
    stayed = (decisions["event"] == "stayed").groupby(decisions["detail"]).agg(["size", "sum"])
    rows = []
    for context in CONTEXTS:
        total, kept = (int(v) for v in stayed.loc[context]) if context in stayed.index else (0, 0)
        if total:
            low, high = wilson_interval(kept, total, confidence)
        else:
            low = high = float("nan")
        rows.append(
            {
                "context": context,
                "decisions": total,
                "stayed": kept,
                "stay_share": kept / total if total else float("nan"),
                "ci_low": low,
                "ci_high": high,
            }
        )
    return pd.DataFrame(rows)
