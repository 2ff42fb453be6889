"""A customer's journey: pick one customer of a traced run and tell what happened to them.

Reads the journeys table of ``simulate(config, seed, trace_customers=True)`` (one row per
event with the satisfaction and expectation right after it, see
:mod:`sqm_sim.models.journeys`). :func:`pick_customer` finds a customer by id or by what
happened to them; :func:`journey_of` cuts their events into *episodes* (a delivery problem,
what the customer did about it, the outcome and the repurchase decision that followed);
:func:`story` tells it in one paragraph. Pure functions; the page only shows them.
"""

from __future__ import annotations

from dataclasses import dataclass

import pandas as pd

from ..models.units import DAYS_PER_MONTH

PICKS: dict[str, str] = {
    "defect": "a customer who had a defect",
    "won_back": "a customer who complained and was won back",
    "left": "a customer who left",
}
"""The customers the page offers besides an id, by key."""

PROBLEM_WORDS = {
    "defective": "a defective unit",
    "damaged": "a damaged unit",
    "late": "a late delivery",
}
"""How the story names each thing wrong with a delivery (the trace's ``delivery`` detail)."""

OUTCOME_WORDS = {
    "resolved fast": "was resolved fast",
    "resolved slowly": "was resolved slowly",
    "unresolved": "got no resolution",
}
"""How the story names each complaint outcome (the trace's ``closed`` detail)."""


def month_of(day: float) -> int:
    """The month (1, 2, ...) that contains ``day`` (days since the start)."""
    return int(day // DAYS_PER_MONTH) + 1


@dataclass(frozen=True)
class Episode:
    """A delivery problem or a cancelled order, and what followed up to the decision.

    ``problem``: the trace's ``delivery`` detail (``defective``, ``late+damaged``...) or
    ``cancelled``; ``voice``: ``claim``, ``complaint`` or None (kept silent); ``outcome``:
    the ``closed`` detail or None; ``decision``: ``stayed``, ``left`` or None (the run ended
    first), on ``decision_day`` (days since the start); satisfaction (0-1 scale) just
    before the problem and after its last event."""

    day: float
    problem: str
    voice: str | None
    outcome: str | None
    decision: str | None
    decision_day: float | None
    satisfaction_before: float
    satisfaction_after: float


@dataclass(frozen=True)
class Journey:
    """One customer's events (rows of the journeys table, in order) and their episodes."""

    customer_id: int
    segment: str
    events: pd.DataFrame
    episodes: tuple[Episode, ...]
    horizon_months: int

    @property
    def joined_day(self) -> float:
        """Day the customer joined (0 for the customers the company starts with)."""
        return float(self.events["day"].iloc[0])

    @property
    def left_day(self) -> float | None:
        """Day the customer left, None if still a customer at the end."""
        left = self.events.loc[self.events["event"] == "left", "day"]
        return None if left.empty else float(left.iloc[0])

    @property
    def deliveries(self) -> int:
        """Deliveries the customer received."""
        return int((self.events["event"] == "delivery").sum())


def _problem_customers(journeys: pd.DataFrame, word: str) -> pd.Series:
    """Customer ids with a delivery whose detail names ``word``, by the day of the first."""
    rows = journeys[
        (journeys["event"] == "delivery") & journeys["detail"].str.contains(word, regex=False)
    ]
    return rows.groupby("customer_id")["day"].min().sort_values(kind="stable")


def _leavers(journeys: pd.DataFrame) -> set[int]:
    return set(journeys.loc[journeys["event"] == "left", "customer_id"].astype(int))


def pick_customer(journeys: pd.DataFrame, pick: str | int) -> int:
    """The id of the customer ``pick`` names: an id of the run, or a key of :data:`PICKS`.

    ``defect``: the first customer to receive a defective unit; ``won_back``: the first
    whose complaint or claim was resolved and who then bought again, preferring one still a
    customer at the end; ``left``: the first to leave right after a problem (kept silent,
    or a complaint), else the first to leave. ValueError (one line) when there is none."""
    if isinstance(pick, int) or str(pick).isdigit():
        customer = int(pick)
        ids = journeys["customer_id"]
        if not (ids == customer).any():
            raise ValueError(
                f"customer {customer}: not in this run (allowed: 0 to {int(ids.max())})"
            )
        return customer
    if pick not in PICKS:
        raise ValueError(f"pick = {pick!r}: allowed a customer id or one of {', '.join(PICKS)}")
    decisions = journeys[journeys["event"].isin(["stayed", "left"])]
    if pick == "defect":
        found = list(_problem_customers(journeys, "defective").index)
    elif pick == "won_back":
        won = decisions[
            (decisions["event"] == "stayed") & decisions["detail"].str.startswith("resolved")
        ]
        first = won.groupby("customer_id")["day"].min().sort_values(kind="stable")
        leavers = _leavers(journeys)
        found = sorted(first.index, key=lambda c: (c in leavers, first[c]))
    else:
        left = decisions[decisions["event"] == "left"].sort_values("day", kind="stable")
        after_problem = left[left["detail"] != "no problem"]
        found = list(after_problem["customer_id"]) + list(left["customer_id"])
    if not found:
        raise ValueError(f"this run has no {PICKS[pick].removeprefix('a ')}")
    return int(found[0])


def _episodes(events: pd.DataFrame) -> tuple[Episode, ...]:
    episodes: list[Episode] = []
    current: dict | None = None
    before = float(events["satisfaction"].iloc[0])
    for row in events.itertuples(index=False):
        event, detail = str(row.event), str(row.detail)
        starts = (event == "delivery" and detail != "ok") or event == "cancelled"
        if starts and current is None:
            current = {
                "day": float(row.day),
                "problem": "cancelled" if event == "cancelled" else detail,
                "voice": None,
                "outcome": None,
                "decision": None,
                "decision_day": None,
                "satisfaction_before": before,
            }
        elif current is not None and event in ("claim", "complaint"):
            current["voice"] = current["voice"] or event
        elif current is not None and event == "closed":
            current["outcome"] = detail
        if current is not None and event in ("stayed", "left"):
            current["decision"] = event
            current["decision_day"] = float(row.day)
            episodes.append(Episode(**current, satisfaction_after=float(row.satisfaction)))
            current = None
        before = float(row.satisfaction)
    if current is not None:
        episodes.append(Episode(**current, satisfaction_after=before))
    return tuple(episodes)


def journey_of(journeys: pd.DataFrame, customer_id: int, horizon_months: int) -> Journey:
    """Customer ``customer_id``'s journey in a run of ``horizon_months`` months."""
    events = journeys[journeys["customer_id"] == customer_id].reset_index(drop=True)
    if events.empty:
        raise ValueError(f"customer {customer_id}: not in this run")
    joined = events[events["event"] == "joined"]
    segment = str(joined["detail"].iloc[0]) if not joined.empty else "unknown segment"
    return Journey(customer_id, segment, events, _episodes(events), horizon_months)


def _problem_words(problem: str) -> str:
    if problem == "cancelled":
        return "had an order cancelled"
    parts = problem.split("+")
    words = PROBLEM_WORDS.get(parts[0], parts[0])
    if len(parts) > 1:
        words += f" ({' and '.join(parts[1:])} too)"
    return f"received {words}"


def _episode_words(episode: Episode) -> str:
    words = [f"{_problem_words(episode.problem)} in month {month_of(episode.day)}"]
    if episode.voice is None:
        words.append("kept silent")
    else:
        words.append("claimed" if episode.voice == "claim" else "complained")
        if episode.outcome is not None:
            words.append(OUTCOME_WORDS.get(episode.outcome, episode.outcome))
    if episode.decision == "stayed":
        words.append("stayed")
    elif episode.decision == "left":
        words.append(f"left in month {month_of(episode.decision_day or episode.day)}")
    change = f"satisfaction {episode.satisfaction_before:.2f} → {episode.satisfaction_after:.2f}"
    return f"{', '.join(words)} ({change})"


MAX_EPISODES_TOLD = 4
"""Problems the story tells one by one; the rest are counted."""


def story(journey: Journey) -> str:
    """One paragraph: who, when they joined, each problem and what followed, how it ended."""
    events = journey.events
    segment = journey.segment.replace("_", "-")
    joined = (
        "was a customer from the start"
        if journey.joined_day == 0
        else f"joined in month {month_of(journey.joined_day)}"
    )
    parts = [f"Customer {journey.customer_id} ({segment}) {joined}"]
    told = journey.episodes[:MAX_EPISODES_TOLD]
    parts += [_episode_words(episode) for episode in told]
    more = len(journey.episodes) - len(told)
    if more:
        parts.append(f"had {more} more problem{'s' if more > 1 else ''}")
    first, last = float(events["satisfaction"].iloc[0]), float(events["satisfaction"].iloc[-1])
    left = journey.left_day
    problems = len(journey.episodes)
    count = journey.deliveries
    summary = f"{count} deliver{'y' if count == 1 else 'ies'}, " + (
        f"{problems} with a problem" if problems else "none with a problem"
    )
    if left is not None and journey.episodes and journey.episodes[-1].decision == "left":
        ending = ""  # the last problem's episode says so
    elif left is not None:
        ending = f"left in month {month_of(left)}"
    else:
        ending = f"was still a customer at the end of month {journey.horizon_months}"
    text = "; ".join(parts)
    if ending:
        text += f"; and {ending}" if len(parts) > 1 else f" and {ending}"
    return (
        f"{text}. In all: {summary}; satisfaction {first:.2f} → {last:.2f}, "
        f"expectation {float(events['expectation'].iloc[0]):.2f} → "
        f"{float(events['expectation'].iloc[-1]):.2f} (1 = a flawless delivery of a product "
        "at the market's standard; a demanding customer's expectation can exceed it)."
    )
