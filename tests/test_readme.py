"""The README stays true: its commands are the ones CI runs, every notebook is on the learning
path, every built figure is in the gallery, every linked file exists, every module is in the
layout."""

import re
from pathlib import Path

from gradclip import figures

ROOT = Path(__file__).resolve().parents[1]
README = (ROOT / "README.md").read_text(encoding="utf-8")


def _section(title):
    start = README.index(f"## {title}\n")
    end = README.find("\n## ", start + 1)
    return README[start:end if end > 0 else None]


def test_install_and_test_commands_are_the_ones_ci_runs():
    ci = (ROOT / ".ci" / "run").read_text().replace(" -q ", " ")  # CI runs pip quietly
    for command in ("python -m pip install -r requirements.txt", "python -m pytest"):
        assert command in _section("Three commands")
        assert re.search(rf"^{re.escape(command)}$", ci, re.M), command


def test_every_notebook_is_on_the_learning_path():
    path = _section("Learning path")
    for nb in sorted((ROOT / "notebooks").glob("*.ipynb")):
        assert f"(notebooks/{nb.name})" in path, f"{nb.name} missing from the learning path"


def test_every_figure_is_in_the_gallery():
    gallery = _section("Gallery")
    missing = [name for name in figures.FILES if f"(figures/{name})" not in gallery]
    assert missing == [], f"figures missing from the README gallery: {missing}"


def test_every_linked_file_exists():
    links = re.findall(r"\]\(((?!https?://|#)[^)\s]+)\)", README)
    assert len(links) > 20
    missing = [link for link in links if not (ROOT / link.split("#")[0]).exists()]
    assert missing == [], f"README links to missing files: {missing}"


def test_every_module_is_in_the_layout():
    layout = _section("Repository layout")
    modules = [p for p in sorted((ROOT / "gradclip").rglob("*.py"))
               if not p.name.startswith("__") and "__pycache__" not in p.parts]
    missing = [p.relative_to(ROOT / "gradclip").as_posix() for p in modules if p.name not in layout]
    assert missing == [], f"modules missing from the README layout: {missing}"
