"""``sqm-sim app``: the classroom page in a local browser (the optional ``app`` extra)."""

from __future__ import annotations

import argparse
import importlib.util

from ..config import ConfigError


def _port(text: str) -> int:
    value = int(text)
    if not 1 <= value <= 65535:
        raise argparse.ArgumentTypeError(f"port must be 1..65535, got {value}")
    return value


def cmd_app(args: argparse.Namespace) -> int:
    if importlib.util.find_spec("nicegui") is None:
        raise ConfigError(
            "the classroom page needs the 'app' extra: pip install 'sqm_sim[app]' (NiceGUI)"
        )
    from ..app.server import serve

    serve(args.host, args.port)
    return 0


def register(commands: argparse._SubParsersAction) -> None:
    """Add the ``app`` command to the command line."""
    parser = commands.add_parser(
        "app",
        help="start the classroom page (what-if sliders and lessons) in a local browser",
        description="Serve the classroom page: scenario and portfolio pickers, sliders, "
        "lessons; each run side by side with the scenario as shipped on the same seeds.",
    )
    parser.add_argument(
        "--host", default="127.0.0.1", help="address to bind (default 127.0.0.1: this machine)"
    )
    parser.add_argument("--port", type=_port, default=8080, help="port (default 8080)")
    parser.set_defaults(handler=cmd_app)
