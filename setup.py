"""Build hook for the optional compiled model (everything else is in ``pyproject.toml``).

By default the package is pure Python and this file adds nothing. With ``SQM_SIM_COMPILE=1``
the modules of ``sqm_sim/models`` (the per-order code: customers, calendar, production,
distribution, ...) are compiled to C extension modules by mypyc, from the same source and
type hints. The compiled model computes the same numbers bit for bit (the same floating
point operations in the same order; ``tests/run/test_compiled_build.py``) at about half the
CPU time per order (README, "Performance"). mypyc comes with mypy and needs a C compiler and
Python's headers; build without isolation, so that it uses the mypy already installed::

    python -m pip install "setuptools>=77" "mypy>=1.11"
    SQM_SIM_COMPILE=1 python -m pip install --no-build-isolation .

``make compiled`` builds it into ``.compiled/`` beside the development install.
"""

from __future__ import annotations

import os
from pathlib import Path

from setuptools import setup

PURE_PYTHON_MODELS = frozenset({"__init__.py", "random_streams.py"})
"""Model modules left to the interpreter: the package's ``__init__`` and the random streams,
whose draws are ``next`` on a chain of lists already (a ``functools.partial`` subclass,
which mypyc cannot compile)."""

COMPILE_VARIABLE = "SQM_SIM_COMPILE"


def compiled_modules() -> list[str]:
    """The model's source files that the compiled build compiles, in name order."""
    models = Path(__file__).resolve().parent / "sqm_sim" / "models"
    return sorted(
        f"sqm_sim/models/{path.name}"
        for path in models.glob("*.py")
        if path.name not in PURE_PYTHON_MODELS
    )


def extension_modules() -> list[object]:
    """mypyc's extension modules if ``SQM_SIM_COMPILE=1``, else none (pure Python)."""
    flag = os.environ.get(COMPILE_VARIABLE, "0")
    if flag not in {"0", "1"}:
        raise SystemExit(f"{COMPILE_VARIABLE}={flag!r}: must be 1 (compile the model) or 0")
    if flag == "0":
        return []
    try:
        from mypyc.build import mypycify
    except ImportError:
        raise SystemExit(
            f"{COMPILE_VARIABLE}=1 needs mypyc (part of mypy) in the build environment: "
            "pip install 'mypy>=1.11', then build with --no-build-isolation"
        ) from None
    return list(mypycify(compiled_modules(), opt_level="3"))


if __name__ == "__main__":  # as setuptools runs it (tests import it to read the list)
    setup(ext_modules=extension_modules())
