"""The package's layers, read from its imports: no module imports a layer above its own.

docs/architecture.md draws these layers; this test keeps the drawing true. Every import
counts: at the top of a module, inside a function (lazy), and the lazy package exports
(``_EXPORTS`` / ``lazy_exports`` tables of module names)."""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

import sqm_sim

PACKAGE = Path(sqm_sim.__file__).parent

ORDER: dict[str, tuple[int, int]] = {
    "sqm_sim._exports": (1, 0),
    "sqm_sim.config": (1, 1),
    "sqm_sim.scenarios": (1, 2),
    "sqm_sim.portfolios": (1, 2),
    "sqm_sim.models": (2, 0),
    "sqm_sim.run": (3, 0),
    "sqm_sim.experiments": (4, 0),
    "sqm_sim.sensitivity": (4, 1),
    "sqm_sim": (5, 0),
    "sqm_sim.plots": (5, 1),
    "sqm_sim.report": (5, 2),
    "sqm_sim.cli": (5, 3),
    "sqm_sim.app": (5, 3),
}
"""(layer, place within the layer) of each part: 1 configuration and shipped data,
2 model, 3 one run, 4 many runs, 5 the user's side: the Python API (``sqm_sim`` itself,
lazy exports of the public names), charts, reports and the command line. A module may
import its own part and parts placed lower, never one placed higher."""

UPWARD_ALLOWED = {
    ("sqm_sim.config.model", "sqm_sim.models.initiatives"),
    ("sqm_sim.config.rules", "sqm_sim.run.catalogue"),
}
"""The imports that run up, and only lazily (inside a function): the configuration's
validation judges a portfolio with the model's own lever arithmetic, and a decision
rule's KPI against the KPI catalogue (pure data) (see docs/architecture.md)."""


def part_of(module: str) -> str:
    """The part of ``module``: the longest name in :data:`ORDER` that it starts with."""
    return max((p for p in ORDER if module == p or module.startswith(p + ".")), key=len)


def module_name(path: Path) -> str:
    parts = list(path.relative_to(PACKAGE.parent).with_suffix("").parts)
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


def imports(path: Path) -> list[tuple[str, bool]]:
    """``(imported module, lazily)`` for every import of ``sqm_sim`` in the file."""
    name = module_name(path)
    package = name.split(".") if path.name == "__init__.py" else name.split(".")[:-1]
    found: list[tuple[str, bool]] = []

    def relative(level: int, module: str | None) -> list[str]:
        base = package[: len(package) - (level - 1)]
        return [".".join([*base, *module.split(".")])] if module else [".".join(base)]

    def visit(node: ast.AST, lazy: bool) -> None:
        for child in ast.iter_child_nodes(node):
            if isinstance(child, ast.ImportFrom):
                if child.level:
                    targets = relative(child.level, child.module)
                    if child.module is None:  # from .. import x: x may be a module
                        targets = [f"{targets[0]}.{alias.name}" for alias in child.names]
                else:
                    targets = [child.module or ""]
                found.extend((t, lazy) for t in targets if t.split(".")[0] == "sqm_sim")
            elif isinstance(child, ast.Import):
                found.extend(
                    (alias.name, lazy) for alias in child.names if alias.name.startswith("sqm_sim")
                )
            elif isinstance(child, ast.Dict) and _is_export_table(node, child):
                for value in child.values:
                    if isinstance(value, ast.Constant) and str(value.value).startswith("."):
                        found.extend((t, True) for t in relative(1, str(value.value)[1:]))
            inner = isinstance(child, ast.FunctionDef | ast.AsyncFunctionDef | ast.Lambda)
            visit(child, lazy or inner)

    visit(ast.parse(path.read_text(encoding="utf-8")), False)
    return found


def _is_export_table(parent: ast.AST, table: ast.Dict) -> bool:
    """A table of lazy exports: assigned to ``_EXPORTS`` or passed to ``lazy_exports``."""
    if isinstance(parent, ast.Assign):
        return any(isinstance(t, ast.Name) and t.id == "_EXPORTS" for t in parent.targets)
    if isinstance(parent, ast.AnnAssign):
        return isinstance(parent.target, ast.Name) and parent.target.id == "_EXPORTS"
    if isinstance(parent, ast.Call):
        return isinstance(parent.func, ast.Name) and parent.func.id == "lazy_exports"
    return False


FILES = sorted(PACKAGE.rglob("*.py"))


def test_every_module_belongs_to_a_part():
    assert len(FILES) > 50
    for path in FILES:
        assert part_of(module_name(path)) in ORDER, path


@pytest.mark.parametrize("path", FILES, ids=lambda p: str(p.relative_to(PACKAGE)))
def test_no_module_imports_a_layer_above_its_own(path: Path):
    source = module_name(path)
    upward = []
    for target, lazy in imports(path):
        if part_of(target) == part_of(source):
            continue
        if ORDER[part_of(target)] > ORDER[part_of(source)]:
            allowed = lazy and any(
                source == a and (target == b or target.startswith(b + "."))
                for a, b in UPWARD_ALLOWED
            )
            if not allowed:
                upward.append(f"{source} -> {target}" + (" (lazy)" if lazy else ""))
    assert not upward, f"imports that run up the layers: {upward}"


def test_the_reader_sees_relative_top_level_lazy_and_exported_imports():
    """The test above could pass by reading nothing: check what it reads on known files."""
    model = dict(imports(PACKAGE / "config" / "model.py"))
    assert model["sqm_sim.models.initiatives"] is True  # lazy, inside a method
    assert model["sqm_sim.config.errors"] is False  # top level, relative
    face = dict(imports(PACKAGE / "__init__.py"))
    assert face["sqm_sim.run"] is True  # a lazy export
    cli = dict(imports(PACKAGE / "cli" / "main.py"))
    assert "sqm_sim.__version__" in cli  # from .. import __version__
    assert part_of("sqm_sim.__version__") == "sqm_sim"
    assert part_of("sqm_sim.models.initiatives") == "sqm_sim.models"
