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


ZH = (ROOT / "README.zh-CN.md").read_text(encoding="utf-8")


def _zh_section(title):
    start = ZH.index(f"## {title}\n")
    end = ZH.find("\n## ", start + 1)
    return ZH[start:end if end > 0 else None]


def test_the_chinese_readme_is_linked_and_has_the_commands():
    assert "[中文](README.zh-CN.md)" in README.split("\n## ")[0]
    assert "[English](README.md)" in ZH.split("\n## ")[0]
    ci = (ROOT / ".ci" / "run").read_text().replace(" -q ", " ")
    for command in ("python -m pip install -r requirements.txt", "python -m pytest"):
        assert command in _zh_section("三条命令")
        assert re.search(rf"^{re.escape(command)}$", ci, re.M), command


def test_every_zh_notebook_is_on_the_chinese_learning_path():
    path = _zh_section("学习路线")
    for nb in sorted((ROOT / "notebooks").glob("*.ipynb")):
        assert f"(notebooks/zh/{nb.name})" in path, f"zh/{nb.name} missing from the Chinese learning path"


def test_every_file_the_chinese_readme_links_exists():
    links = re.findall(r"\]\(((?!https?://|#)[^)\s]+)\)", ZH)
    assert len(links) >= 10
    missing = [link for link in links if not (ROOT / link.split("#")[0]).exists()]
    assert missing == [], f"README.zh-CN.md links to missing files: {missing}"


def test_the_glossary_table_is_the_glossary():
    """Every term of translations/glossary.json is in the table, in the glossary's Chinese."""
    import json

    table = _zh_section("术语表")
    rows = [r for r in table.splitlines() if r.startswith("| ") and "---" not in r][1:]
    terms = json.loads((ROOT / "translations" / "glossary.json").read_text(encoding="utf-8"))["terms"]
    for term in terms:
        row = [r for r in rows
               if any(re.sub(r"\(.*?\)|λ_max", "", part).strip().lower() == term["en"].lower()
                      for part in r.split("|")[2].split("/"))]
        assert row, f"glossary term {term['en']!r} is not in the README.zh-CN.md table"
        assert term["zh"] in row[0].split("|")[1], f"{term['en']!r}: the table does not say {term['zh']!r}"
        assert not any(bad in ZH for bad in term["avoid"] if bad not in term["zh"]), term
