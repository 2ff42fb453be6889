"""Layer 5, the command line: ``sqm-sim`` and its subcommands (one module per family)."""

import sys

try:  # loading the command line takes a few tenths of a second: Ctrl-C may land here
    from .main import main
except KeyboardInterrupt:
    print("sqm-sim: interrupted", file=sys.stderr)
    raise SystemExit(130) from None

__all__ = ["main"]
