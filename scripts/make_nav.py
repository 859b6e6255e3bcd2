"""Insert previous / contents / next links as the first and last cell of every notebook.

    python scripts/make_nav.py                          # every notebook in notebooks/
    python scripts/make_nav.py notebooks/00_start_here.ipynb
    python scripts/make_nav.py --check                  # exit 1 if a notebook's links are stale

The links are two markdown cells marked with ``metadata.gradclip == "nav"``; running the script
again replaces them, so it is idempotent. The order is the file names' order in notebooks/;
"contents" is 00_start_here.ipynb. Titles come from each notebook's first ``# `` heading (up to a colon).
"""

import argparse
import re
import sys
from pathlib import Path

import nbformat

ROOT = Path(__file__).resolve().parents[1]
NOTEBOOKS = ROOT / "notebooks"
CONTENTS = "00_start_here.ipynb"
MARK = "nav"


def notebooks(folder=None):
    """The collection's notebooks in learning order (``NN_name.ipynb``)."""
    return sorted(Path(folder or NOTEBOOKS).glob("[0-9][0-9]_*.ipynb"))


def title(path):
    """The notebook's first level-1 heading up to any colon, or its file name."""
    nb = nbformat.read(path, as_version=4)
    for cell in nb.cells:
        if cell.cell_type == "markdown" and not is_nav(cell):
            m = re.search(r"^#\s+(.+?)\s*$", cell.source, flags=re.M)
            if m:
                return m.group(1).split(":")[0].strip()
    return path.stem


def is_nav(cell):
    return cell.get("metadata", {}).get("gradclip") == MARK


def nav_markdown(path, order, titles, bottom=False):
    """The navigation line for ``path`` given the ordered list of notebook names."""
    name = path.name
    i = order.index(name)
    parts = []
    if i > 0:
        parts.append(f"[← {titles[order[i - 1]]}]({order[i - 1]})")
    if name != CONTENTS:
        parts.append(f"[Contents]({CONTENTS})")
    if i + 1 < len(order):
        parts.append(f"[{titles[order[i + 1]]} →]({order[i + 1]})")
    line = " | ".join(parts)
    return f"---\n{line}" if bottom else f"{line}\n\n---"


def with_nav(nb, path, order, titles):
    """A copy of the cell list with fresh navigation cells first and last."""
    cells = [c for c in nb.cells if not is_nav(c)]
    top = nbformat.v4.new_markdown_cell(nav_markdown(path, order, titles), metadata={"gradclip": MARK})
    bottom = nbformat.v4.new_markdown_cell(nav_markdown(path, order, titles, bottom=True),
                                           metadata={"gradclip": MARK})
    old = [c for c in nb.cells if is_nav(c)]
    if len(old) >= 2 and old[0].get("id") and old[-1].get("id"):
        # keep the cell ids, so re-running the script leaves an unchanged file byte for byte
        top["id"], bottom["id"] = old[0]["id"], old[-1]["id"]
    return [top, *cells, bottom]


def _signature(cells):
    return [(c.cell_type, c.source, dict(c.get("metadata", {}))) for c in cells]


def problems(folder=None, paths=None):
    """``{path: message}`` for every notebook whose navigation cells are missing or stale."""
    all_paths = notebooks(folder)
    order = [p.name for p in all_paths]
    titles = {p.name: title(p) for p in all_paths}
    out = {}
    for path in paths or all_paths:
        path = Path(path)
        nb = nbformat.read(path, as_version=4)
        expected = with_nav(nb, path, order, titles)
        if _signature(nb.cells) != _signature(expected):
            navs = [c for c in nb.cells if is_nav(c)]
            what = "missing" if not navs else "stale or misplaced"
            out[path] = f"{path.name}: navigation cells {what}; run python scripts/make_nav.py"
    return out


def write(paths, folder=None):
    """Insert or refresh the navigation cells of ``paths``; return the files that changed."""
    all_paths = notebooks(folder)
    order = [p.name for p in all_paths]
    titles = {p.name: title(p) for p in all_paths}
    changed = []
    for path in paths:
        path = Path(path)
        nb = nbformat.read(path, as_version=4)
        cells = with_nav(nb, path, order, titles)
        if _signature(nb.cells) != _signature(cells):
            nb.cells = cells
            nbformat.write(nb, path)
            changed.append(path)
    return changed


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("paths", nargs="*", type=Path, help="notebooks (default: all in notebooks/)")
    parser.add_argument("--check", action="store_true", help="only report; exit 1 when stale")
    args = parser.parse_args(argv)
    paths = [p.resolve() for p in args.paths] or notebooks()
    known = [q.resolve() for q in notebooks()]
    for p in paths:
        if p not in known:
            parser.error(f"{p} is not a numbered notebook in {NOTEBOOKS}")
    if args.check:
        found = problems(paths=paths)
        for message in found.values():
            print(message, file=sys.stderr)
        return 1 if found else 0
    for p in write(paths):
        print(f"navigation updated: {p.name}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
