"""The progress bar: drawn on a terminal, silent otherwise or with quiet."""

from __future__ import annotations

import io

from sqm_sim.experiments import progress


class FakeTerminal(io.StringIO):
    def isatty(self) -> bool:
        return True


def test_bar_shows_done_total_rate_on_a_terminal(monkeypatch):
    terminal = FakeTerminal()
    monkeypatch.setattr(progress.sys, "stderr", terminal)
    assert progress.show_progress()
    bar = progress.progress_bar(5, done=2, description="runs")
    bar.update(1)
    bar.close()
    text = terminal.getvalue()
    assert "3/5" in text
    assert "run/s" in text


def test_bar_is_silent_when_quiet_or_not_a_terminal(monkeypatch):
    terminal = FakeTerminal()
    monkeypatch.setattr(progress.sys, "stderr", terminal)
    bar = progress.progress_bar(5, quiet=True)
    bar.update(5)
    bar.close()
    assert terminal.getvalue() == ""
    pipe = io.StringIO()
    monkeypatch.setattr(progress.sys, "stderr", pipe)
    assert not progress.show_progress()
