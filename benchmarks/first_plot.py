"""Time from Run All to the first picture, per notebook (kernel side).

    python benchmarks/first_plot.py [--repeat 3] [--no-bytecode] [notebooks/01_gradient_descent.ipynb ...]

Runs each notebook with nbclient (as Run All does, one cell after another) and prints the time
from the first cell's start to the end of the first cell that shows a picture (a PNG, a GIF
in markdown does not count) or an explorer; with ``--repeat`` the best and the median of
several fresh kernels. Goal: <= 1 s. The browser adds its own rendering time on top; the
kernel is what the package controls.

Python caches compiled modules (``__pycache__``) on the first import, so on a learner's
machine every Run All after the first one starts from bytecode. Some machines switch that
cache off (``PYTHONDONTWRITEBYTECODE=1``); by default this script compiles the package first
and lets the kernels use the cache, as a learner's kernel does. ``--no-bytecode`` measures
the first Run All after an install instead (every module of the package compiled on import).
"""

import argparse
import compileall
import os
import statistics
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


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("notebooks", nargs="*")
    parser.add_argument("--repeat", type=int, default=1)
    parser.add_argument("--no-bytecode", action="store_true",
                        help="compile every module on import (the first Run All after an install)")
    args = parser.parse_args(argv)
    if args.no_bytecode:
        os.environ["PYTHONDONTWRITEBYTECODE"] = "1"
        for cache in (ROOT / "gradclip").rglob("__pycache__"):
            for f in cache.glob("*.pyc"):
                f.unlink()
    else:
        os.environ.pop("PYTHONDONTWRITEBYTECODE", None)
        compileall.compile_dir(ROOT / "gradclip", quiet=1)
    paths = [Path(p) for p in args.notebooks] or sorted((ROOT / "notebooks").glob("*.ipynb"))
    for p in paths:
        runs = [first_picture_seconds(p) for _ in range(args.repeat)]
        if None in runs:
            print(f"{p.name:42s} no picture")
            continue
        extra = (f" (median {statistics.median(runs):.2f} s of {len(runs)})"
                 if len(runs) > 1 else "")
        print(f"{p.name:42s} first picture after {min(runs):5.2f} s{extra}", flush=True)


if __name__ == "__main__":
    main()
