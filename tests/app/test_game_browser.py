"""The class game in a real browser: games are separate, teams of one game share its
leaderboard (with the numbers of the replayed runs), a year over budget shows the command
line's message, and a team plays to the debrief."""

from __future__ import annotations

import re
from collections.abc import Iterator

import pytest
from playwright.sync_api import Browser, Page, expect

import sqm_sim
from sqm_sim.app.game import YearDecision, shipped_game, team_config
from sqm_sim.config import ConfigError
from sqm_sim.report.numbers import number
from tests.app.browser import RUN_TIMEOUT_MS, shoot

pytestmark = pytest.mark.browser


class Tabs:
    """Browser tabs, each in its own context (its own cookies and storage: another
    browser), with their console errors."""

    def __init__(self, browser: Browser) -> None:
        self.browser = browser
        self.contexts: list = []
        self.errors: list[str] = []

    def open(self, address: str, width: int = 1280) -> Page:
        context = self.browser.new_context(viewport={"width": width, "height": 900})
        self.contexts.append(context)
        tab = context.new_page()
        tab.on("console", lambda m: self.errors.append(m.text) if m.type == "error" else None)
        tab.on("pageerror", lambda error: self.errors.append(str(error)))
        tab.goto(address)
        return tab


@pytest.fixture
def tabs(browser) -> Iterator[Tabs]:
    opened = Tabs(browser)
    yield opened
    for context in opened.contexts:
        context.close()
    assert opened.errors == [], f"console errors: {opened.errors}"


def start_game(tabs: Tabs, server) -> Page:
    tab = tabs.open(server[0] + "game")
    tab.get_by_test_id("new-game").click()
    tab.wait_for_url(re.compile(r"/game/[0-9a-f]{8}$"))
    return tab


def join(tab: Page, team: str) -> None:
    tab.get_by_test_id("team-name").fill(team)
    tab.get_by_test_id("join").click()
    expect(tab.get_by_test_id("year")).to_have_text("Year 1 of 3: your decisions")


def play(tab: Page, initiatives: tuple[str, ...], next_year: str) -> None:
    for name in initiatives:
        tab.get_by_test_id(f"pick-{name}").click()
    tab.get_by_test_id("play").click()
    expect(tab.get_by_test_id("year")).to_contain_text(next_year, timeout=RUN_TIMEOUT_MS)


def board_row(tab: Page, team: str):
    return (
        tab.get_by_test_id("leaderboard")
        .locator("tbody tr")
        .filter(has=tab.get_by_role("cell", name=team, exact=True))
    )


def profit_after(team: str, decisions: list[YearDecision]) -> str:
    """The cumulative profit the leaderboard should show: the replayed run's."""
    result = sqm_sim.simulate(team_config(shipped_game(), team, decisions), shipped_game().seed)
    return number(result.summary["profit"], "currency")


def year_one(initiatives: tuple[str, ...]) -> YearDecision:
    prevention, inspection = shipped_game().start_values()  # the form's defaults
    return YearDecision(initiatives, prevention, inspection)


@pytest.mark.slow  # browser, 7-12 s
def test_two_teams_of_one_game_share_its_leaderboard(tabs, server):
    red = start_game(tabs, server)
    join(red, "Red")
    play(red, ("qa_system",), "Year 2")
    blue = tabs.open(red.url, width=800)
    join(blue, "Blue")
    play(blue, ("service_desk",), "Year 2")
    expected = {
        "Red": profit_after("Red", [year_one(("qa_system",))]),
        "Blue": profit_after("Blue", [year_one(("service_desk",))]),
    }
    for tab in (red, blue):  # each sees both teams (the other's within the refresh)
        for team, profit in expected.items():
            expect(board_row(tab, team).locator("td:nth-child(3)")).to_have_text(
                profit, timeout=RUN_TIMEOUT_MS
            )
    ranks = {
        team: board_row(red, team).locator("td:nth-child(1)").inner_text() for team in expected
    }
    assert sorted(ranks.values()) == ["1", "2"]
    by_profit = sorted(expected, key=lambda t: -float(expected[t].replace(",", "")))
    assert ranks[by_profit[0]] == "1"
    expect(red.get_by_test_id("years")).to_contain_text("qa_system")
    expect(red.get_by_test_id("years")).not_to_contain_text("service_desk")
    shoot(red, "game")
    shoot(blue, "game_second_team")


@pytest.mark.slow  # browser, 7-12 s
def test_two_browsers_with_their_own_games_do_not_see_each_other(tabs, server):
    first = start_game(tabs, server)
    second = start_game(tabs, server)
    assert first.url != second.url
    join(first, "Alpha")
    join(second, "Omega")
    play(first, (), "Year 2")
    expect(board_row(first, "Alpha")).to_have_count(1)
    second.wait_for_timeout(1500)  # longer than the leaderboard's refresh
    expect(second.get_by_test_id("leaderboard")).to_be_hidden()
    expect(second.get_by_text("No team has played a year yet.")).to_be_visible()
    expect(second.get_by_test_id("year")).to_have_text("Year 1 of 3: your decisions")
    assert "Alpha" not in second.content()


@pytest.mark.slow  # browser, 7-12 s
def test_a_year_over_budget_shows_the_command_lines_message(tabs, server):
    tab = start_game(tabs, server)
    join(tab, "Green")
    everything = shipped_game().menu_names
    with pytest.raises(ConfigError) as refused:
        team_config(shipped_game(), "Green", [year_one(everything)])
    play(tab, everything, "Year 1")
    expect(tab.get_by_test_id("game-error")).to_have_text(
        str(refused.value), timeout=RUN_TIMEOUT_MS
    )
    expect(tab.get_by_test_id("game-error")).to_contain_text("over its budget of 40,000")
    expect(tab.get_by_test_id("year")).to_have_text("Year 1 of 3: your decisions")
    assert "Traceback" not in tab.content()
    shoot(tab, "game_over_budget")


def test_an_unknown_game_says_so(tabs, server):
    tab = tabs.open(server[0] + "game/nosuchgame")
    expect(tab.get_by_text("There is no game 'nosuchgame' on this server")).to_be_visible()


@pytest.mark.slow
def test_a_team_plays_every_year_to_the_debrief(tabs, server):
    tab = start_game(tabs, server)
    join(tab, "Red")
    play(tab, ("qa_system",), "Year 2")
    play(tab, ("capability_project",), "Year 3")
    play(tab, (), "All 3 years played")
    tab.get_by_test_id("debrief").click()
    game = shipped_game()
    decisions = [year_one(("qa_system",)), year_one(("capability_project",)), year_one(())]
    npv = sqm_sim.simulate(team_config(game, "Red", decisions), game.seed).summary["npv"]
    text = tab.get_by_test_id("debrief-text")
    expect(text).to_contain_text("affordable portfolios) finds", timeout=3 * RUN_TIMEOUT_MS)
    expect(text).to_contain_text(f"team Red {number(npv, 'currency')}")
    expect(tab.get_by_test_id("board-year")).to_be_visible()
    shoot(tab, "game_debrief")
