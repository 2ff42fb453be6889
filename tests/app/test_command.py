"""``sqm-sim app`` on the command line: its options and a clear message without the extra."""

from __future__ import annotations

import pytest

import sqm_sim.cli.app as app_command
from sqm_sim.app.server import address
from sqm_sim.cli import main
from sqm_sim.cli.main import build_parser


def test_the_page_binds_this_machine_only_unless_told():
    args = build_parser().parse_args(["app"])
    assert (args.host, args.port) == ("127.0.0.1", 8080)
    args = build_parser().parse_args(["app", "--host", "0.0.0.0", "--port", "9000"])
    assert (args.host, args.port) == ("0.0.0.0", 9000)


@pytest.mark.parametrize("port", ["0", "70000"])
def test_a_bad_port_is_refused(port, capsys):
    with pytest.raises(SystemExit) as exit_:
        build_parser().parse_args(["app", "--port", port])
    assert exit_.value.code == 2
    assert f"port must be 1..65535, got {port}" in capsys.readouterr().err


def test_without_the_app_extra_the_command_says_what_to_install(monkeypatch, capsys):
    monkeypatch.setattr(app_command.importlib.util, "find_spec", lambda name: None)
    assert main(["app"]) == 2
    assert "pip install 'sqm_sim[app]'" in capsys.readouterr().err


def test_the_printed_address_is_one_a_browser_takes():
    assert address("127.0.0.1", 8080) == "http://127.0.0.1:8080/"
    assert address("::1", 8080) == "http://[::1]:8080/"
