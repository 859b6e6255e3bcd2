"""Navigation links (previous / contents / next) in every notebook, made by scripts/make_nav.py."""

import importlib.util
import re
from pathlib import Path

import nbformat
import pytest

ROOT = Path(__file__).resolve().parents[1]
NOTEBOOKS = sorted((ROOT / "notebooks").glob("*.ipynb"))

_spec = importlib.util.spec_from_file_location("make_nav", ROOT / "scripts" / "make_nav.py")
make_nav = importlib.util.module_from_spec(_spec)
_spec.loader.exec_module(make_nav)


@pytest.mark.parametrize("path", NOTEBOOKS, ids=lambda p: p.stem)
def test_notebook_has_current_navigation(path):
    assert re.fullmatch(r"\d\d_[a-z0-9_]+\.ipynb", path.name), \
        f"{path.name}: notebooks are named NN_snake_case.ipynb so they sort in learning order"
    found = make_nav.problems(paths=[path])
    assert not found, found.get(path)


def test_contents_page_exists():
    assert (ROOT / "notebooks" / make_nav.CONTENTS).exists()


def _folder(tmp_path, names):
    for i, name in enumerate(names):
        nb = nbformat.v4.new_notebook(cells=[
            nbformat.v4.new_markdown_cell(f"# {name[:2]} · Title {i}: subtitle\n\ntext"),
            nbformat.v4.new_code_cell("1 + 1"),
        ])
        nbformat.write(nb, tmp_path / name)
    return tmp_path


def test_links_order_and_idempotence(tmp_path):
    folder = _folder(tmp_path, ["00_start_here.ipynb", "01_a.ipynb", "02_b.ipynb"])
    assert len(make_nav.problems(folder)) == 3
    assert len(make_nav.write(make_nav.notebooks(folder), folder)) == 3
    before = {p.name: p.read_bytes() for p in folder.iterdir()}
    assert make_nav.write(make_nav.notebooks(folder), folder) == []       # nothing to change
    assert {p.name: p.read_bytes() for p in folder.iterdir()} == before   # byte for byte
    assert make_nav.problems(folder) == {}

    cells = nbformat.read(folder / "01_a.ipynb", as_version=4).cells
    assert [c.metadata.get("gradclip") for c in cells] == ["nav", None, None, "nav"]
    top = cells[0].source
    assert "[← 00 · Title 0](00_start_here.ipynb)" in top
    assert "[Contents](00_start_here.ipynb)" in top
    assert "[02 · Title 2 →](02_b.ipynb)" in top
    assert cells[-1].source.endswith(top.split("\n")[0])
    first = nbformat.read(folder / "00_start_here.ipynb", as_version=4).cells[0].source
    assert "←" not in first and "Contents" not in first
    last = nbformat.read(folder / "02_b.ipynb", as_version=4).cells[0].source
    assert "→" not in last


def test_new_notebook_makes_neighbours_stale(tmp_path):
    folder = _folder(tmp_path, ["00_start_here.ipynb", "01_a.ipynb"])
    make_nav.write(make_nav.notebooks(folder), folder)
    _folder(folder, ["02_b.ipynb"])
    stale = {p.name for p in make_nav.problems(folder)}
    assert stale == {"01_a.ipynb", "02_b.ipynb"}
    make_nav.write(make_nav.notebooks(folder), folder)
    assert make_nav.problems(folder) == {}
    # an edited nav cell is stale too
    nb = nbformat.read(folder / "01_a.ipynb", as_version=4)
    nb.cells[0].source += " extra"
    nbformat.write(nb, folder / "01_a.ipynb")
    assert set(make_nav.problems(folder)) == {folder / "01_a.ipynb"}


def test_check_mode_exit_code(tmp_path, monkeypatch, capsys):
    folder = _folder(tmp_path, ["00_start_here.ipynb", "01_a.ipynb"])
    monkeypatch.setattr(make_nav, "NOTEBOOKS", folder)
    assert make_nav.main(["--check"]) == 1
    assert "navigation cells missing" in capsys.readouterr().err
    assert make_nav.main([]) == 0
    assert make_nav.main(["--check"]) == 0
    with pytest.raises(SystemExit):
        make_nav.main([str(ROOT / "README.md")])
