"""The class game's logic: a year's continuation is a replay from month 0 whose history is
the earlier year's run bit for bit; decisions act from their year's first month; bad
decisions are refused with the command line's message; games keep their own teams; the
leaderboard ranks by cumulative profit; the debrief names the search's best portfolio."""

from __future__ import annotations

import contextlib
import dataclasses
import io
import math
from itertools import combinations

import numpy as np
import pandas as pd
import pytest
import tomli_w

import sqm_sim
from sqm_sim.app.game import (
    GAME_FILE,
    MONTHS_PER_YEAR,
    YearDecision,
    find_game,
    load_game_settings,
    new_game,
    shipped_game,
    team_config,
    team_portfolio,
)
from sqm_sim.cli import main
from sqm_sim.config import ConfigError

TERMINAL = "discounted_profit_with_equity"
"""The one column whose last month carries the terminal customer equity: it depends on
where the run ends, so only its earlier months are history."""

YEARS = (
    YearDecision(("qa_system",), 500.0, 0.3),
    YearDecision(("capability_project",), 3000.0, 0.5),
    YearDecision(("service_desk",), 1000.0, 0.2),
)


@pytest.fixture(scope="module")
def played():
    """One team that has played the shipped game's three years."""
    game = new_game()
    team = game.join("Red")
    for decision in YEARS:
        game.decide(team, decision)
    return game, team


def test_the_shipped_game_loads_and_is_the_quick_baseline():
    settings = shipped_game()
    assert (settings.scenario, settings.size, settings.years) == ("baseline", "quick", 3)
    assert settings.base().simulation.horizon_months == 36
    assert settings.base().portfolio.initiatives == ()
    assert len(settings.menu_names) == 5


def test_replayed_history_up_to_each_year_is_the_earlier_years_run(played):
    _, team = played
    assert team.years_played == 3
    for year in (1, 2):
        earlier = team.runs[year - 1].timeseries.reset_index(drop=True)
        later = team.runs[year].timeseries.reset_index(drop=True)
        months = MONTHS_PER_YEAR * year
        assert len(earlier) == months
        assert len(later) == months + MONTHS_PER_YEAR
        history = later.iloc[:months]
        for column in earlier.columns:
            last = months - 1 if column == TERMINAL else months
            pd.testing.assert_series_equal(
                earlier[column].iloc[:last], history[column].iloc[:last], check_exact=True
            )
        # the replay is a fresh run of its config from month 0, not a continued one
        fresh = sqm_sim.simulate(team_config(shipped_game(), "Red", YEARS[: year + 1]), 1)
        pd.testing.assert_frame_equal(fresh.timeseries, team.runs[year].timeseries)


def test_initiatives_start_in_their_years_first_month(played):
    _, team = played
    spend = team.runs[2].timeseries["initiative_spend"].to_numpy()
    qa, capability, desk = (shipped_game().menu[i] for i in (1, 0, 4))
    # year 1: the QA system's one-off cost over its 4 months, then its running cost
    assert spend[:4] == pytest.approx(qa["one_off_cost"] / 4 + qa["recurring_cost_per_month"])
    assert spend[4:12] == pytest.approx(qa["recurring_cost_per_month"])
    # year 2 adds the capability project from month 12 (0-based), year 3 the desk
    running = qa["recurring_cost_per_month"]
    assert spend[12] == pytest.approx(
        running + capability["one_off_cost"] / 6 + capability["recurring_cost_per_month"]
    )
    running += capability["recurring_cost_per_month"]
    assert spend[18:24] == pytest.approx(running)
    assert spend[24] == pytest.approx(running + desk["one_off_cost"] / 3)


def test_a_later_years_prevention_and_inspection_act_from_its_first_month():
    game = new_game()
    team = game.join("Blue")
    game.decide(team, YearDecision((), 0.0, 0.2))
    run = game.decide(team, YearDecision((), 1000.0, 0.6)).timeseries
    prevention = run["prevention_cost"].to_numpy()
    assert (prevention[:12] == 0.0).all()
    assert (prevention[12:] == 1000.0).all()
    # each unit is inspected with probability = coverage: the year's share within 4 sd
    for months, coverage in ((slice(0, 12), 0.2), (slice(12, 24), 0.6)):
        produced = run["units_produced"].iloc[months].sum()
        share = run["units_inspected"].iloc[months].sum() / produced
        assert abs(share - coverage) < 4 * math.sqrt(coverage * (1 - coverage) / produced)


def test_over_budget_is_refused_with_the_command_lines_message(tmp_path):
    game = new_game()
    team = game.join("Green")
    everything = YearDecision(shipped_game().menu_names, 0.0, 0.2)
    with pytest.raises(ConfigError) as refused:
        game.decide(team, everything)
    assert team.years_played == 0
    assert team.decisions == []
    # a year of everything: one-off costs, 12 months of running costs, and the training
    # hours (operators * trained share * hours * cost per hour)
    menu = shipped_game().menu
    operators = shipped_game().base().workforce.operators
    spend = (
        sum(
            item.get("one_off_cost", 0.0) + 12 * item.get("recurring_cost_per_month", 0.0)
            for item in menu
        )
        + operators * 0.5 * 40.0 * 12.0
    )
    budget = (
        f"portfolio 'team Green' spends {spend:,.0f} in year 1 (months 1-12), over its "
        "budget of 40,000 per year"
    )
    assert budget in str(refused.value)
    # the same config on the command line: the same sentence, exit 2
    market = tmp_path / "market.toml"
    market.write_text(shipped_game().base().to_toml())
    portfolio = tmp_path / "team.toml"
    portfolio.write_text(tomli_w.dumps(team_portfolio(shipped_game(), "Green", [everything])))
    stderr = io.StringIO()
    with contextlib.redirect_stderr(stderr):
        code = main(
            [
                "run",
                str(market),
                "--portfolio",
                str(portfolio),
                "--set",
                "simulation.horizon_months=12",
            ]
        )
    assert code == 2
    assert budget in stderr.getvalue()


def test_bad_decisions_and_names_are_refused_by_name():
    game = new_game()
    team = game.join("Teal")
    with pytest.raises(ConfigError, match=r"initiative 'magic' is not on the game's menu"):
        game.decide(team, YearDecision(("magic",), 0.0, 0.2))
    with pytest.raises(ConfigError, match=r"quality\.inspection_coverage"):
        game.decide(team, YearDecision((), 0.0, 1.5))
    with pytest.raises(ConfigError, match=r"team name '': allowed 1-24"):
        game.join("  ")
    with pytest.raises(ConfigError, match="team name"):
        game.join("<script>")
    assert team.years_played == 0
    assert team.decisions == []
    game.decide(team, YearDecision(("operator_training",), 0.0, 0.2))
    assert team.years_played == 1


def test_the_game_ends_after_its_years(played):
    game, team = played
    with pytest.raises(ConfigError, match="has played all 3 years"):
        game.decide(team, YEARS[0])


def test_games_keep_their_own_teams_and_one_game_shares_its_leaderboard():
    first, second = new_game(), new_game()
    assert first.id != second.id
    assert find_game(first.id) is first
    assert find_game("nope") is None
    a, b = first.join("A"), first.join("B")
    first.decide(a, YearDecision((), 0.0, 0.2))
    first.decide(b, YearDecision(("service_desk",), 0.0, 0.2))
    second.decide(second.join("C"), YearDecision((), 0.0, 0.2))
    board = first.leaderboard(1)
    assert {line.team for line in board} == {"A", "B"}
    assert [line.team for line in second.leaderboard(1)] == ["C"]
    assert first.join("A") is a  # rejoining by name plays on as the same team
    # ranked by cumulative profit = the sum of the monthly profits, most first
    profits = [line.values["profit"] for line in board]
    assert profits == sorted(profits, reverse=True)
    assert [line.rank for line in board] == [1, 2]
    for line in board:
        team = first.teams[line.team]
        assert line.values["profit"] == pytest.approx(team.runs[0].timeseries["profit"].sum())
    assert first.leaderboard(2) == []  # nobody has played year 2


def test_equal_profits_share_a_rank():
    game = new_game()
    for name in ("X", "Y"):
        game.decide(game.join(name), YearDecision((), 0.0, 0.2))
    board = game.leaderboard(1)
    assert board[0].values == board[1].values  # same decisions, same seed: same run
    assert [line.rank for line in board] == [1, 1]


def test_the_debrief_names_the_best_affordable_portfolio_by_brute_force(tmp_path):
    game_file = tmp_path / "game.toml"
    text = GAME_FILE.read_text().replace("years = 3", "years = 1")
    game_file.write_text(text)
    full = load_game_settings(game_file)
    settings = dataclasses.replace(full, menu=(full.menu[1], full.menu[4]))  # qa, desk
    game = new_game(settings)
    team = game.join("Solo")
    game.decide(team, YearDecision(("qa_system",), 2000.0, 0.2))
    debrief = game.debrief()
    # brute force: every subset fits the budget here; the best NPV on the game's seed
    npv = {}
    for size in range(3):
        for chosen in combinations(settings.menu, size):
            name = "+".join(sorted(str(item["name"]) for item in chosen)) or "none"
            config = settings.base().with_overrides(
                {"portfolio": {"name": name, "budget_per_year": 40000.0, "initiatives": chosen}}
            )
            npv[name] = sqm_sim.simulate(config, settings.seed).summary["npv"]
    assert debrief.evaluated == 4
    assert debrief.method == "exhaustive"
    assert debrief.best_portfolio == max(npv, key=npv.__getitem__)
    assert debrief.best_npv == pytest.approx(max(npv.values()))
    assert debrief.teams == {"Solo": team.runs[-1].summary["npv"]}
    assert np.isfinite(debrief.best_npv)


def test_a_wrong_game_file_is_refused_by_name(tmp_path):
    bad = tmp_path / "game.toml"
    bad.write_text(GAME_FILE.read_text().replace("years = 3", "years = 0"))
    with pytest.raises(ConfigError, match=r"years = 0 \(allowed: 1 <= years <= 10\)"):
        load_game_settings(bad)
    bad.write_text(
        GAME_FILE.read_text().replace('name = "qa_system"', 'name = "qa_system"\nstart_month = 3')
    )
    with pytest.raises(ConfigError, match="'qa_system' has a start_month"):
        load_game_settings(bad)
