"""Reading a company's monthly history: good files, and one clear error per bad one."""

from __future__ import annotations

import math

import pytest

from sqm_sim.cli import main
from sqm_sim.config import ConfigError
from sqm_sim.experiments.history import MIN_HISTORY_MONTHS, OBSERVED, read_history

GOOD = "month,complaints,retention_rate_annual,revenue\n" + "".join(
    f"{m},{m % 3},0.8{m},{1000 * m}.5\n" for m in range(1, 8)
)


def write(tmp_path, text, name="history.csv"):
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return path


def test_a_good_history_is_read_by_month(tmp_path):
    history = read_history(write(tmp_path, GOOD))
    assert history.months == 7
    assert history.columns == ["complaints", "retention_rate_annual", "revenue"]
    assert list(history.table.index) == list(range(1, 8))
    assert history.table.loc[3, "revenue"] == 3000.5
    assert history.table.loc[7, "retention_rate_annual"] == pytest.approx(0.87)


def test_calendar_months_are_accepted_across_a_year_end(tmp_path):
    rows = ["2025-10", "2025-11", "2025-12", "2026-01", "2026-02", "2026-03"]
    text = "month,complaints\n" + "".join(f"{month},1\n" for month in rows)
    assert read_history(write(tmp_path, text)).months == 6


def test_every_observed_column_maps_to_a_model_column():
    from sqm_sim.run.catalogue import CATALOGUE

    names = {kpi.name for kpi in CATALOGUE}
    assert {observed.model_column for observed in OBSERVED.values()} <= names


def with_line(line_number: int, replacement: str) -> str:
    lines = GOOD.splitlines()
    lines[line_number - 1] = replacement
    return "\n".join(lines) + "\n"


@pytest.mark.parametrize(
    ("text", "words"),
    [
        (
            GOOD.replace("complaints", "complaint", 1),
            ["line 1", "unknown column 'complaint'", "did you mean 'complaints'"],
        ),
        (with_line(4, "4,1,0.8,100"), ["line 4", "month 4 does not follow"]),
        (with_line(4, "2,1,0.8,100"), ["line 4", "month 2 repeats"]),
        (with_line(3, "2,-1,0.8,100"), ["line 3 (month 2)", "'complaints' = -1 is negative"]),
        (
            with_line(3, "2,1.5,0.8,100"),
            ["line 3 (month 2)", "'complaints' = 1.5 is not a whole count"],
        ),
        (
            with_line(5, "4,1,85,100"),
            ["line 5 (month 4)", "'retention_rate_annual' = 85", "a percentage"],
        ),
        (
            "month,complaints,revenue\n" + "".join(f"{m},,{m}\n" for m in range(1, 8)),
            ["column 'complaints' is blank in every row", "leave the column out"],
        ),
        (
            GOOD.replace("\n2,2,", "\n2,,").replace("\n5,2,", "\n5,,"),
            ["column 'complaints' has 5 observed month(s) (2 blank)", "at least 6"],
        ),
        (with_line(2, "1,x,0.8,100"), ["line 2 (month 1)", "'complaints' = 'x' is not a number"]),
        (with_line(2, "1,1,0.8"), ["line 2", "3 cells for 4 columns"]),
        (
            "month,complaints\n1,1\n2,1\n3,2\n",
            ["3 month(s) of history", f"at least {MIN_HISTORY_MONTHS}"],
        ),
        (GOOD.replace("month,", "period,", 1), ["line 1", "no 'month' column"]),
    ],
)
def test_a_bad_history_is_one_error_naming_column_and_line(tmp_path, text, words):
    with pytest.raises(ConfigError) as caught:
        read_history(write(tmp_path, text))
    for word in words:
        assert word in str(caught.value)


def test_the_command_line_refuses_a_bad_history_with_exit_2(tmp_path, capsys):
    from sqm_sim.scenarios.profiles import PROFILE_TEMPLATE

    data = write(tmp_path, with_line(3, "2,-4,0.8,100"))
    code = main(
        ["calibrate", str(PROFILE_TEMPLATE), "--data", str(data), "--out", str(tmp_path / "o")]
    )
    err = capsys.readouterr().err
    assert code == 2
    assert err.count("\n") == 1
    assert "'complaints' = -4" in err
    assert "line 3" in err
    assert not (tmp_path / "o").exists()


def test_a_blank_cell_is_a_month_not_observed(tmp_path):
    history = read_history(write(tmp_path, with_line(3, "2,,0.82,2000.5")))
    assert history.months == 7
    assert math.isnan(history.table.loc[2, "complaints"])
    assert history.table.loc[2, "revenue"] == 2000.5
    observed = history.observed()
    assert observed["complaints"].tolist() == [True, False, True, True, True, True, True]
    assert observed["revenue"].all()
