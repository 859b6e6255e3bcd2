"""The CJK subset fonts cover every CJK character they must show, with real glyphs.

Characters are found here independently of ``scripts/subset_cjk_font.py``: every string of
every notebook (sources and outputs, read as JSON) and of every translation catalog, every
character Unicode calls wide or fullwidth (``east_asian_width`` W or F). The English pages'
font (``CJK_FONT_EN``) covers the English notebooks; the whole subset (``CJK_FONT`` and its
OpenType copy for matplotlib) also the Chinese notebooks, ``translations/zh/*.json`` and
``gradclip/locale/*/*.json``. A text that gains a CJK character fails until the fonts are
regenerated.
"""

import importlib.util
import json
import unicodedata
from pathlib import Path

import pytest
from fontTools.pens.boundsPen import BoundsPen
from fontTools.ttLib import TTFont

from gradclip.style import CJK_FAMILY, CJK_FONT, CJK_FONT_EN, CJK_FONT_OTF, CJK_RANGES

ROOT = Path(__file__).resolve().parents[1]
NOTEBOOKS = sorted((ROOT / "notebooks").glob("*.ipynb"))
TRANSLATED = NOTEBOOKS + sorted(
    path for pattern in ("notebooks/zh/*.ipynb", "translations/zh/*.json", "gradclip/locale/*/*.json")
    for path in ROOT.glob(pattern))


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
    return TTFont(CJK_FONT_EN)


@pytest.fixture(scope="module")
def used():
    return set().union(*(wide_characters(p) for p in NOTEBOOKS))


@pytest.fixture(scope="module")
def used_all():
    return set().union(*(wide_characters(p) for p in TRANSLATED))


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
    assert CJK_FONT_EN.stat().st_size < 40_000
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
    assert set(script.PUNCTUATION) <= set(chr(c) for c in TTFont(CJK_FONT_EN).getBestCmap())
    assert set(script.text_files()) == set(TRANSLATED)
    assert set(script.english_files()) == set(NOTEBOOKS)


@pytest.mark.parametrize("path", [CJK_FONT, CJK_FONT_OTF], ids=["woff", "otf"])
def test_whole_subset_covers_both_languages_and_the_catalogs(path, used_all):
    font = TTFont(path)
    cmap, glyphs = font.getBestCmap(), font.getGlyphSet()
    missing = sorted(ch for ch in used_all if ord(ch) not in cmap)
    assert missing == [], (f"{path.name} lacks {''.join(missing)!r}: run python scripts/subset_cjk_font.py")
    assert {"梯", "度", "剪", "裁", "学", "习", "率"} <= used_all
    for ch in sorted(used_all)[::25]:  # ink, as above, for a sample
        pen = BoundsPen(glyphs)
        glyphs[cmap[ord(ch)]].draw(pen)
        x0, y0, x1, y1 = pen.bounds
        assert x1 - x0 > 100 and y1 - y0 > 100, ch
    assert font["name"].getDebugName(1) == CJK_FAMILY
    assert len(font.getGlyphOrder()) < 4000 and path.stat().st_size < 1_500_000  # a subset


def test_otf_is_the_woff_unwrapped_and_matplotlib_reads_it():
    woff, otf = TTFont(CJK_FONT), TTFont(CJK_FONT_OTF)
    assert woff.flavor == "woff" and otf.flavor is None
    assert woff.getBestCmap() == otf.getBestCmap()
    from matplotlib import ft2font

    assert ft2font.FT2Font(str(CJK_FONT_OTF)).family_name == CJK_FAMILY
