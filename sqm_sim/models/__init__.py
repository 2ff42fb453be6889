"""SimPy components of the simulated company, one module per part of the world.

Exports are lazy: the configuration's validation imports :mod:`.initiatives` (pure
arithmetic, no SimPy), which must not pull in the whole world."""

from .._exports import lazy_exports

__all__ = ["World", "build_world"]
__getattr__, __dir__ = lazy_exports(__name__, {"World": ".world", "build_world": ".world"})
