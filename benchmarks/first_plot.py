"""Time from Run All to the first picture, per notebook (kernel side).

    python benchmarks/first_plot.py [notebooks/01_gradient_descent.ipynb ...]

Runs each notebook with nbclient (as Run All does, one cell after another) and prints the time
from the first cell's start to the end of the first cell that shows a picture (a PNG, a GIF
in markdown does not count) or an explorer. Goal: <= 1 s. The browser adds its own rendering
time on top; the kernel is what the package controls.
"""

import sys
from datetime import datetime
from pathlib import Path

import nbformat
from nbclient import NotebookClient

ROOT = Path(__file__).resolve().parents[1]


def _t(stamp):
    return datetime.fromisoformat(stamp.replace("Z", "+00:00"))


def first_picture_seconds(path):
    nb = nbformat.read(path, as_version=4)
    NotebookClient(nb, timeout=300, kernel_name="python3", record_timing=True,
                   resources={"metadata": {"path": str(path.parent)}}).execute()
    code = [c for c in nb.cells if c.cell_type == "code"]
    start = _t(code[0].metadata["execution"]["iopub.execute_input"])
    for cell in code:
        kinds = {k for o in cell.outputs for k in o.get("data", {})}
        if "image/png" in kinds or "application/vnd.gradclip.explorer+json" in kinds:
            end = _t(cell.metadata["execution"]["shell.execute_reply"])
            return (end - start).total_seconds()
    return None


def main(paths):
    paths = [Path(p) for p in paths] or sorted((ROOT / "notebooks").glob("*.ipynb"))
    for p in paths:
        s = first_picture_seconds(p)
        shown = "no picture" if s is None else f"{s:5.2f} s"
        print(f"{p.name:42s} first picture after {shown}")


if __name__ == "__main__":
    main(sys.argv[1:])
