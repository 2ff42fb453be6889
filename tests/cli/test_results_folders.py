"""A results folder holds one result (issue 15): a different run is refused unless
``--overwrite`` is given, an experiment is not mixed into a run folder (nor a run into an
experiment folder), no stale report is left beside new data, and files are replaced
atomically, never written through a planted symlink."""

from __future__ import annotations

import json

from sqm_sim.cli import main
from tests.experiments.conftest import TINY

SHORT = ["--set", "simulation.horizon_months=3", "--set", "market.initial_customers=200"]
SERIAL = ["--backend", "serial", "--quiet"]
TINY_SETS = [arg for key, value in TINY.items() for arg in ("--set", f"{key}={value}")]


def manifest(folder) -> dict:
    return json.loads((folder / "manifest.json").read_text())


def refused(capsys, *needles: str) -> None:
    err = capsys.readouterr().err
    assert "Traceback" not in err
    assert len(err.strip().splitlines()) == 1, err
    for needle in needles:
        assert needle in err, err


def test_a_different_run_is_refused_without_overwrite(tmp_path, capsys):
    folder = tmp_path / "baseline"
    assert main(["run", "baseline", *SHORT, "--out", str(folder)]) == 0
    assert main(["report", str(folder)]) == 0
    before = manifest(folder)
    capsys.readouterr()
    assert main(["run", "premium", *SHORT, "--seed", "7", "--out", str(folder)]) == 2
    refused(capsys, "--overwrite", str(folder))
    assert manifest(folder) == before
    assert (folder / "report.html").is_file()


def test_overwrite_replaces_the_run_and_drops_the_stale_report(tmp_path, capsys):
    folder = tmp_path / "baseline"
    assert main(["run", "baseline", *SHORT, "--out", str(folder)]) == 0
    assert main(["report", str(folder)]) == 0
    args = ["run", "premium", *SHORT, "--seed", "7", "--out", str(folder), "--overwrite"]
    assert main(args) == 0
    assert manifest(folder)["seeds"] == [7]
    assert manifest(folder)["scenario"] == "premium"
    assert not (folder / "report.html").exists()


def test_the_same_run_again_needs_no_overwrite(tmp_path, capsys):
    folder = tmp_path / "baseline"
    assert main(["run", "baseline", *SHORT, "--out", str(folder)]) == 0
    assert main(["run", "baseline", *SHORT, "--out", str(folder)]) == 0


def test_an_experiment_is_not_mixed_into_a_run_folder(tmp_path, capsys):
    folder = tmp_path / "run"
    assert main(["run", "baseline", *SHORT, "--out", str(folder)]) == 0
    capsys.readouterr()
    args = ["compare", "baseline", "--replications", "2", *TINY_SETS, *SERIAL]
    assert main([*args, "--out", str(folder)]) == 2
    refused(capsys, str(folder))
    assert not (folder / "runs").exists()


def test_a_run_is_not_mixed_into_an_experiment_folder(tmp_path, capsys):
    folder = tmp_path / "cmp"
    args = ["compare", "baseline", "--replications", "2", *TINY_SETS, *SERIAL]
    assert main([*args, "--out", str(folder)]) == 0
    before = manifest(folder)
    capsys.readouterr()
    assert main(["run", "baseline", *SHORT, "--out", str(folder), "--overwrite"]) == 2
    refused(capsys, str(folder))
    assert manifest(folder) == before


def test_a_planted_symlink_is_replaced_not_written_through(tmp_path, capsys):
    folder = tmp_path / "run"
    folder.mkdir()
    elsewhere = tmp_path / "elsewhere.txt"
    elsewhere.write_text("keep me")
    (folder / "report.md").symlink_to(elsewhere)
    (folder / "summary.json").symlink_to(elsewhere)
    assert main(["run", "baseline", *SHORT, "--out", str(folder)]) == 0
    assert elsewhere.read_text() == "keep me"
    assert not (folder / "report.md").is_symlink()
    assert "## Key results" in (folder / "report.md").read_text()
    assert list(folder.glob("*.tmp")) == []


def _plant(folder, names, target) -> None:
    folder.mkdir(parents=True, exist_ok=True)
    for name in names:
        (folder / name).symlink_to(target)


def test_roi_and_sensitivity_files_are_not_written_through_symlinks(tmp_path, capsys):
    from tests.cli.test_portfolios import SMALL

    elsewhere = tmp_path / "elsewhere.txt"
    elsewhere.write_text("keep me")
    roi = tmp_path / "roi"
    _plant(roi, ["roi.csv"], elsewhere)
    args = ["roi", "baseline", *SMALL, "--portfolio", "process_first", "--replications", "2"]
    assert main([*args, "--out", str(roi)]) == 0
    space = tmp_path / "space.toml"
    space.write_text('[[parameters]]\nkey = "finance.unit_price"\nlow = 100.0\nhigh = 140.0\n')
    sens = tmp_path / "sens"
    _plant(sens, ["report.md", "sensitivity.json", "indices.csv"], elsewhere)
    small = ["--set", "simulation.horizon_months=3", "--backend", "serial", "--quiet"]
    args = ["sensitivity", "--method", "morris", "--n", "2", "--space", str(space), *small]
    assert main([*args, "--out", str(sens)]) == 0
    assert elsewhere.read_text() == "keep me"
    for path in [roi / "roi.csv", sens / "report.md", sens / "sensitivity.json"]:
        assert not path.is_symlink(), path
        assert path.stat().st_size > 0


def test_report_of_a_folder_with_a_torn_file_is_one_line(tmp_path, capsys):
    folder = tmp_path / "cmp"
    args = ["compare", "baseline", "--replications", "2", *TINY_SETS, *SERIAL]
    assert main([*args, "--out", str(folder)]) == 0
    (folder / "results.json").write_bytes(b"")  # what a kill mid-write used to leave
    capsys.readouterr()
    assert main(["report", str(folder)]) == 2
    refused(capsys, "results.json", "rerun")
