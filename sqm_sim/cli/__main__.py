"""``python -m sqm_sim.cli``: the same as the ``sqm-sim`` command."""

import sys

from .main import main

sys.exit(main())
