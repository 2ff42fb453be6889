"""Layer 5, the command line: ``sqm-sim`` and its subcommands (one module per family)."""

from .main import main

__all__ = ["main"]
