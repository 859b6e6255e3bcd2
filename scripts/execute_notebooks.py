"""Re-execute notebooks in place so their stored outputs are current.

    python scripts/execute_notebooks.py                 # every notebook in notebooks/
    python scripts/execute_notebooks.py notebooks/01_gradient_descent.ipynb

nbval compares against the stored outputs, and skips cells that have none, so notebooks are
committed executed. Each cell has a timeout (notebook executors can stall after widget cells).
"""

import argparse
import sys
from pathlib import Path

import nbformat
from nbclient import NotebookClient

ROOT = Path(__file__).resolve().parents[1]
WIDGET_VIEW = "application/vnd.jupyter.widget-view+json"
STORED_PICTURE = "image/png"


def execute(path, timeout=300):
    nb = nbformat.read(path, as_version=4)
    client = NotebookClient(
        nb, timeout=timeout, kernel_name="python3", resources={"metadata": {"path": str(path.parent)}}
    )
    client.execute()
    for cell in nb.cells:
        if cell.cell_type == "code":
            # widget state would pin model ids that change every run
            cell.metadata.pop("execution", None)
            for out in cell.get("outputs", []):
                data = out.get("data", {})
                # a saved widget view has no model until the notebook runs again: JupyterLab
                # would show "model not found" instead of the stored picture beside it
                if WIDGET_VIEW in data and STORED_PICTURE in data:
                    del data[WIDGET_VIEW]
    nb.metadata.pop("widgets", None)
    nbformat.write(nb, path)
    size = path.stat().st_size / 1e6
    print(f"executed {path.relative_to(ROOT)} ({size:.2f} MB)")
    return size


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("paths", nargs="*", type=Path)
    parser.add_argument("--timeout", type=int, default=300, help="seconds per cell")
    args = parser.parse_args(argv)
    paths = args.paths or sorted((ROOT / "notebooks").glob("[0-9][0-9]_*.ipynb"))
    for p in paths:
        execute(p.resolve(), args.timeout)
    return 0


if __name__ == "__main__":
    sys.exit(main())
