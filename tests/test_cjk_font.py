"""The CJK subset font covers every CJK character of the notebooks, with real glyphs.

Characters are found here independently of ``scripts/subset_cjk_font.py``: every string of
every notebook (sources and outputs, read as JSON), every character Unicode calls wide or
fullwidth (``east_asian_width`` W or F). A notebook that gains a CJK character fails the first
test until the font is regenerated.
"""

import importlib.util
import json
import unicodedata
from pathlib import Path

import pytest
from fontTools.pens.boundsPen import BoundsPen
from fontTools.ttLib import TTFont

from gradclip.style import CJK_FAMILY, CJK_FONT, CJK_RANGES

ROOT = Path(__file__).resolve().parents[1]
NOTEBOOKS = sorted((ROOT / "notebooks").glob("*.ipynb"))


def strings(node):
    """Every string in a JSON document."""
    if isinstance(node, str):
        yield node
    elif isinstance(node, dict):
        for value in node.values():
            yield from strings(value)
    elif isinstance(node, list):
        for value in node:
            yield from strings(value)


def wide_characters(path):
    doc = json.loads(Path(path).read_text(encoding="utf-8"))
    return {ch for text in strings(doc) for ch in text
            if unicodedata.east_asian_width(ch) in ("W", "F")}


@pytest.fixture(scope="module")
def font():
    return TTFont(CJK_FONT)


@pytest.fixture(scope="module")
def used():
    return set().union(*(wide_characters(p) for p in NOTEBOOKS))


def test_the_notebooks_quote_chinese(used):
    assert {"梯", "度", "爆", "炸", "消", "失"} <= used
    assert len(used) >= 20


def test_every_cjk_character_of_the_notebooks_is_in_the_font(font, used):
    cmap = font.getBestCmap()
    missing = sorted(ch for ch in used if ord(ch) not in cmap)
    assert missing == [], (f"the CJK font lacks {''.join(missing)!r}: run "
                           "python scripts/subset_cjk_font.py")


def test_each_character_has_a_drawn_glyph_inside_the_unicode_range(font, used):
    cmap, glyphs = font.getBestCmap(), font.getGlyphSet()
    for ch in used:
        pen = BoundsPen(glyphs)
        glyphs[cmap[ord(ch)]].draw(pen)
        x0, y0, x1, y1 = pen.bounds
        assert x1 - x0 > 100 and y1 - y0 > 100, ch  # ink, in 1000 units per em
        assert any(lo <= ord(ch) <= hi for lo, hi in CJK_RANGES), ch


def test_font_is_a_small_renamed_woff_with_its_licence(font):
    assert font.flavor == "woff"
    assert CJK_FONT.stat().st_size < 40_000
    assert len(font.getGlyphOrder()) < 100  # a subset, not the 65 535 glyphs of the source
    assert font["name"].getDebugName(1) == CJK_FAMILY
    assert "Open Font License" in font["name"].getDebugName(13)
    licence = (CJK_FONT.parent / "OFL.txt").read_text(encoding="utf-8")
    assert "SIL OPEN FONT LICENSE Version 1.1" in licence and "Adobe" in licence


def test_script_finds_the_cjk_characters_of_a_file(tmp_path):
    spec = importlib.util.spec_from_file_location("subset_cjk_font",
                                                  ROOT / "scripts" / "subset_cjk_font.py")
    script = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(script)
    page = tmp_path / "a.ipynb"
    page.write_text('{"source": "梯度 x（爆炸）。 é — ok 梯"}', encoding="utf-8")
    assert script.cjk_characters([page]) == "。度梯炸爆（）"
    assert set(script.PUNCTUATION) <= set(chr(c) for c in TTFont(CJK_FONT).getBestCmap())
