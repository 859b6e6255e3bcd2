"""The READMEs stay true: their commands are the ones CI runs, every notebook is on the learning
path (in English and in Chinese), every built figure is in the gallery, every linked file exists,
every module is in the layout, the Chinese glossary is the glossary."""

import re
from pathlib import Path

import pytest

from gradclip import figures

ROOT = Path(__file__).resolve().parents[1]
README = (ROOT / "README.md").read_text(encoding="utf-8")
ZH = (ROOT / "README.zh-CN.md").read_text(encoding="utf-8")


def _section(title, text=README):
    start = text.index(f"## {title}\n")
    end = text.find("\n## ", start + 1)
    return text[start:end if end > 0 else None]


@pytest.mark.parametrize("text,title", [(README, "Three commands"), (ZH, "三条命令")],
                         ids=["README.md", "README.zh-CN.md"])
def test_install_and_test_commands_are_the_ones_ci_runs(text, title):
    ci = (ROOT / ".ci" / "run").read_text().replace(" -q ", " ")  # CI runs pip quietly
    for command in ("python -m pip install -r requirements.txt", "python -m pytest"):
        assert command in _section(title, text)
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


def test_each_readme_links_the_other():
    assert "[中文](README.zh-CN.md)" in README.split("\n## ")[0]
    assert "[English](README.md)" in ZH.split("\n## ")[0]


def test_every_zh_notebook_is_on_the_chinese_learning_path():
    path = _section("学习路线", ZH)
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

    table = _section("术语表", ZH)
    rows = [r for r in table.splitlines() if r.startswith("| ") and "---" not in r][1:]
    terms = json.loads((ROOT / "translations" / "glossary.json").read_text(encoding="utf-8"))["terms"]
    for term in terms:
        row = [r for r in rows
               if any(re.sub(r"\(.*?\)|λ_max", "", part).strip().lower() == term["en"].lower()
                      for part in r.split("|")[2].split("/"))]
        assert row, f"glossary term {term['en']!r} is not in the README.zh-CN.md table"
        assert term["zh"] in row[0].split("|")[1], f"{term['en']!r}: the table does not say {term['zh']!r}"
        assert not any(bad in ZH for bad in term["avoid"] if bad not in term["zh"]), term
