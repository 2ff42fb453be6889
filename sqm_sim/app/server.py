"""Serving the classroom page: ``sqm-sim app`` calls :func:`serve`."""

from __future__ import annotations

import sys

DEFAULT_HOST = "127.0.0.1"
DEFAULT_PORT = 8080


def address(host: str, port: int) -> str:
    """The page's address as a browser takes it (IPv6 hosts in brackets)."""
    shown = f"[{host}]" if ":" in host else host
    return f"http://{shown}:{port}/"


def serve(host: str = DEFAULT_HOST, port: int = DEFAULT_PORT) -> None:
    """Serve the page until interrupted; print its address once it answers."""
    from nicegui import app, ui

    from .game_page import game_play, game_start
    from .page import classroom

    def announce() -> None:
        print(f"sqm-sim app: the classroom page is at {address(host, port)} (Ctrl+C stops it)")
        sys.stdout.flush()

    app.on_startup(announce)
    ui.page("/game", title="sqm_sim class game")(game_start)
    ui.page("/game/{game_id}", title="sqm_sim class game")(game_play)
    ui.run(
        classroom,
        host=host,
        port=port,
        title="sqm_sim classroom",
        reload=False,
        show=False,
        show_welcome_message=False,
        uvicorn_logging_level="warning",
        reconnect_timeout=10.0,
    )
