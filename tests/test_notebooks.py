"""The teaching notebooks in ``notebooks/`` run top to bottom without error and draw charts.

Each notebook is executed in a fresh kernel (nbclient) whose working directory is a
temporary folder; the executed copy is discarded, so the committed notebooks stay without
outputs. One test per notebook, so pytest-xdist spreads them over workers.
"""

from __future__ import annotations

import sys
from pathlib import Path

import nbformat
import pytest
from jupyter_client.kernelspec import KernelSpecManager
from nbclient import NotebookClient

NOTEBOOK_DIR = Path(__file__).resolve().parent.parent / "notebooks"
NOTEBOOKS = sorted(NOTEBOOK_DIR.glob("*.ipynb"))
KERNEL = "python3"


def test_the_nine_notebooks_are_there():
    assert [path.stem[:2] for path in NOTEBOOKS] == [f"{n:02d}" for n in range(1, 10)]


def test_kernel_is_this_python():
    """``python3`` is this interpreter's ipykernel: its spec runs plain ``python``, which
    jupyter_client replaces by ``sys.executable`` (a spec naming another Python, e.g. a
    user-level kernelspec, would run the notebooks outside this environment)."""
    spec = KernelSpecManager().get_kernel_spec(KERNEL)
    assert spec.argv[0] in {"python", "python3", sys.executable}, (
        f"kernel '{KERNEL}' ({spec.resource_dir}) runs {spec.argv[0]}, not {sys.executable}"
    )


@pytest.mark.slow
@pytest.mark.parametrize("path", NOTEBOOKS, ids=[path.stem for path in NOTEBOOKS])
def test_notebook_runs(path: Path, tmp_path: Path):
    notebook = nbformat.read(path, as_version=4)
    code = [cell for cell in notebook.cells if cell.cell_type == "code"]
    assert not any(cell.get("outputs") for cell in code), f"{path.name}: clear its outputs"
    client = NotebookClient(
        notebook, timeout=120, kernel_name=KERNEL, resources={"metadata": {"path": str(tmp_path)}}
    )
    client.execute()  # raises CellExecutionError, with the cell and traceback, on an error
    outputs = [output for cell in code for output in cell.outputs]
    assert not [output for output in outputs if output.get("output_type") == "error"]
    assert any("image/png" in output.get("data", {}) for output in outputs), (
        f"{path.name} draws no chart"
    )
