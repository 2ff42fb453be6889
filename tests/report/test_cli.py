"""``sqm-sim report``: writes the page; refuses folders that hold no results."""

from __future__ import annotations

import json

from sqm_sim.cli import main


def test_report_command_writes_the_html_file(compare_dir, tmp_path, capsys):
    out = tmp_path / "page.html"
    assert main(["report", str(compare_dir), "--out", str(out)]) == 0
    assert out.read_text(encoding="utf-8").startswith("<!DOCTYPE html>")
    assert str(out) in capsys.readouterr().out


def test_report_goes_into_the_results_folder_by_default(run_dir):
    assert main(["report", str(run_dir)]) == 0
    assert "sqm_sim run" in (run_dir / "report.html").read_text(encoding="utf-8")


def test_a_folder_without_results_is_refused_in_one_line(tmp_path, capsys):
    assert main(["report", str(tmp_path)]) == 2
    error = capsys.readouterr().err.strip()
    assert len(error.splitlines()) == 1
    assert str(tmp_path) in error
    assert "no manifest.json" in error
    assert "sqm-sim run --out" in error
    assert "sqm-sim compare" in error


def test_an_unknown_manifest_is_refused(tmp_path, capsys):
    (tmp_path / "manifest.json").write_text(json.dumps({"something": "else"}))
    assert main(["report", str(tmp_path)]) == 2
    error = capsys.readouterr().err
    assert "unknown or unfinished kind" in error
    assert str(tmp_path) in error


def test_a_missing_folder_is_refused(tmp_path, capsys):
    missing = tmp_path / "nowhere"
    assert main(["report", str(missing)]) == 2
    assert f"{missing} is not a folder" in capsys.readouterr().err
