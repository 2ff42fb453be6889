"""SimPy components of the simulated company, one module per part of the world.

Exports are lazy: the configuration's validation imports :mod:`.initiatives` (pure
arithmetic, no SimPy), which must not pull in the whole world."""

from importlib.machinery import EXTENSION_SUFFIXES

from .._exports import lazy_exports

__all__ = ["World", "build_name", "build_world", "is_compiled"]
__getattr__, __dir__ = lazy_exports(__name__, {"World": ".world", "build_world": ".world"})


def is_compiled() -> bool:
    """Whether this process runs the model compiled by mypyc (built with
    ``SQM_SIM_COMPILE=1``, see ``setup.py``) rather than from its Python source: the same
    numbers bit for bit, in about half the CPU time."""
    from . import customers

    return customers.__file__ is not None and customers.__file__.endswith(tuple(EXTENSION_SUFFIXES))


def build_name() -> str:
    """Which build of the model this process runs, in words: "compiled (mypyc)" or
    "Python source" (:func:`is_compiled`; manifests and benchmarks report it)."""
    return "compiled (mypyc)" if is_compiled() else "Python source"
