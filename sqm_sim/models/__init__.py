"""SimPy components of the simulated company, one module per part of the world."""

from .world import World, build_world

__all__ = ["World", "build_world"]
