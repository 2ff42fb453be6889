"""The ``[start_customers]`` table: a CSV beside the profile, read when it is loaded, and
one clear error naming the file, line, column and value for each kind of bad input."""

from __future__ import annotations

from pathlib import Path

import pytest

from sqm_sim import load_scenario
from sqm_sim.config import ConfigError
from sqm_sim.scenarios.profiles import load_profile

HEADER = "segment,satisfaction,expectation,standard"
GOOD = [
    "quality_driven,0.9,0.95,0.05",
    "price_driven,0.3,0.8,-0.1",
]


def _profile(folder: Path, lines: list[str], customers: int = 2) -> Path:
    (folder / "start.csv").write_text("\n".join(lines) + "\n", encoding="utf-8")
    profile = folder / "company.toml"
    profile.write_text(
        f'[market]\ninitial_customers = {customers}\n\n[start_customers]\nfile = "start.csv"\n',
        encoding="utf-8",
    )
    return profile


def _error(folder: Path, lines: list[str]) -> str:
    with pytest.raises(ConfigError) as caught:
        load_scenario(_profile(folder, lines))
    return str(caught.value)


def test_the_file_beside_the_profile_is_read_into_the_configuration(tmp_path):
    rows = [f"{HEADER},complaints,contract,renewal_in_days", *[f"{g},1,1,12.5" for g in GOOD]]
    profile = _profile(tmp_path, rows)
    table = load_scenario(profile).start_customers
    assert table is not None
    assert table.file == "start.csv"
    assert table.segment == ("quality_driven", "price_driven")
    assert table.satisfaction == (0.9, 0.3)
    assert table.expectation == (0.95, 0.8)
    assert table.standard == (0.05, -0.1)
    assert (table.complaints, table.contract, table.renewal_in_days) == (
        (1, 1),
        (1, 1),
        (12.5,) * 2,
    )
    # the profile loader reads it too; the configuration holds the rows, not the path only
    assert load_profile(profile).config.start_customers == table


def test_a_resolved_configuration_round_trips_without_the_file(tmp_path):
    """A table holding its rows (as a run's config.toml writes it) is not read again."""
    config = load_scenario(_profile(tmp_path, [HEADER, *GOOD]))
    (tmp_path / "start.csv").unlink()
    written = tmp_path / "config.toml"
    written.write_text(config.to_toml(), encoding="utf-8")
    again = load_scenario(written)
    assert again.start_customers == config.start_customers
    assert again.fingerprint() == config.fingerprint()


def test_a_profile_without_the_table_has_none():
    assert load_scenario("baseline").start_customers is None
    assert "start_customers" not in load_scenario("baseline").to_dict()


@pytest.mark.parametrize(
    ("lines", "says"),
    [
        (
            ["segment,satisfaction,expectation", "quality_driven,0.9,0.95"],
            "missing column standard",
        ),
        ([f"{HEADER},colour", f"{GOOD[0]},red"], "unknown column 'colour'"),
        (
            [HEADER, GOOD[0], "vip,0.5,0.9,0.0"],
            "start.csv line 3, column segment = 'vip': not a "
            "segment of this configuration (allowed: price_driven, quality_driven)",
        ),
        (
            [HEADER, "quality_driven,1.5,0.9,0.0"],
            "start.csv line 2, column satisfaction = 1.5: outside 0 to 1",
        ),
        (
            [HEADER, GOOD[0], "quality_driven,nan,0.9,0.0"],
            "start.csv line 3, column satisfaction = nan: not a number (NaN)",
        ),
        ([HEADER, "quality_driven,0.5,-0.2,0.0"], "column expectation = -0.2: below 0"),
        (
            [HEADER, "quality_driven,0.5,,0.0"],
            "start.csv line 2, column expectation: a blank cell; give a number",
        ),
        ([HEADER, "quality_driven,high,0.9,0.0"], "'high' is not a number"),
        ([HEADER], "start.csv holds no customers"),
        ([], "start.csv is empty"),
        ([HEADER, "quality_driven,0.5"], "start.csv line 2: 2 cells for 4 columns"),
        (
            [f"{HEADER},complaints", f"{GOOD[0]},1.5"],
            "column complaints = '1.5': give a whole number",
        ),
        ([f"{HEADER},contract", f"{GOOD[0]},1"], "contract and renewal_in_days go together"),
        (
            [f"{HEADER},contract,renewal_in_days", f"{GOOD[0]},2,30"],
            "column contract = 2: outside 0 to 1",
        ),
    ],
)
def test_bad_input_is_one_clear_error_naming_file_line_column_and_value(tmp_path, lines, says):
    message = _error(tmp_path, lines)
    assert says in message
    assert "company.toml" in message  # the profile that names the file


def test_a_missing_file_is_named(tmp_path):
    profile = _profile(tmp_path, [HEADER, *GOOD])
    (tmp_path / "start.csv").unlink()
    with pytest.raises(ConfigError, match=r"start\.csv not found"):
        load_scenario(profile)


def test_an_inline_table_is_checked_by_row(small_config):
    with pytest.raises(ConfigError, match=r"start_customers\.satisfaction row 2 = 1\.2: outside"):
        small_config.with_overrides(
            {
                "start_customers": {
                    "segment": ["price_driven"] * 2,
                    "satisfaction": [0.5, 1.2],
                    "expectation": [0.9, 0.9],
                    "standard": [0.0, 0.0],
                }
            }
        )
    with pytest.raises(ConfigError, match="one value per customer"):
        small_config.with_overrides(
            {
                "start_customers": {
                    "segment": ["price_driven"],
                    "satisfaction": [0.5, 0.6],
                    "expectation": [0.9, 0.9],
                    "standard": [0.0, 0.0],
                }
            }
        )


def test_the_command_line_says_it_in_one_line_and_exits_2(tmp_path, capsys):
    from sqm_sim.cli import main

    profile = _profile(tmp_path, [HEADER, "quality_driven,1.5,0.9,0.0"])
    assert main(["run", str(profile), "--seed", "1"]) == 2
    err = capsys.readouterr().err
    assert "start.csv line 2, column satisfaction = 1.5: outside 0 to 1" in err
    assert "Traceback" not in err
