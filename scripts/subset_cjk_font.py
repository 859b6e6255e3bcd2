"""Write the CJK subset font the pages use for the Chinese in the notebooks.

The notebooks are published in Chinese and the English ones quote the source article in
Chinese. A machine without a CJK font (many minimal Linux installs, some classroom PCs) shows
those characters as boxes, so the static site, :func:`gradclip.setup` and the Chinese figures
ship subsets of Noto Sans CJK SC (SIL Open Font License 1.1, ``OFL.txt`` next to the fonts),
each holding exactly the CJK characters it must show plus common CJK punctuation:

* ``gradclip-cjk.woff`` and ``gradclip-cjk.otf``: every CJK character of :func:`text_files`
  (the notebooks in English and Chinese, the translation catalogs ``translations/zh/*.json``
  and the package's catalogs ``gradclip/locale/*/*.json``: figure labels, explorer controls,
  exercise feedback). The WOFF (zlib: fontTools reads it without brotli) is for the static
  site and the Chinese notebooks' pages, the OpenType copy for matplotlib, which does not read
  WOFF;
* ``gradclip-cjk-en.woff``: the CJK characters of the English notebooks only, the few kB
  that :func:`gradclip.setup` inlines into every English notebook's page.

``README.md`` is left out by default: nothing gradclip builds renders it; pass ``--text
README.md`` to include it.

Run it again whenever a notebook gains a CJK character (``tests/test_cjk_font.py`` fails until
then)::

    apt-get install fonts-noto-cjk      # or extract the .deb and pass --source
    python scripts/subset_cjk_font.py [--source NotoSansCJK-Regular.ttc]
"""

import argparse
import sys
from pathlib import Path

from gradclip.style import CJK_FAMILY as FAMILY, CJK_FONT as OUT, CJK_FONT_EN as OUT_EN, CJK_RANGES

ROOT = Path(__file__).resolve().parents[1]
SOURCE = Path("/usr/share/fonts/opentype/noto/NotoSansCJK-Regular.ttc")
SOURCE_FAMILY = "Noto Sans CJK SC"
#: Punctuation always included, so a new sentence rarely needs a new font.
PUNCTUATION = "、。〈〉《》「」『』【】〔〕〜！（），．：；？～"


def is_cjk(ch):
    """Whether the character ``ch`` lies in one of ``gradclip.style.CJK_RANGES``."""
    return any(lo <= ord(ch) <= hi for lo, hi in CJK_RANGES)


def text_files(root=ROOT):
    """The files whose text the font must cover: the notebooks in English and Chinese, the
    notebooks' translation catalogs and the package's catalogs."""
    patterns = ("notebooks/*.ipynb", "notebooks/zh/*.ipynb", "translations/zh/*.json",
                "gradclip/locale/*/*.json")
    return sorted(path for pattern in patterns for path in root.glob(pattern))


def english_files(root=ROOT):
    """The files whose text the English pages' font must cover: ``notebooks/*.ipynb``."""
    return sorted((root / "notebooks").glob("*.ipynb"))


def cjk_characters(paths):
    """The sorted CJK characters (a string) found in the files ``paths``."""
    found = set()
    for path in paths:
        found.update(ch for ch in Path(path).read_text(encoding="utf-8") if is_cjk(ch))
    return "".join(sorted(found))


def _font_number(source, family):
    from fontTools.ttLib import TTCollection

    if Path(source).suffix.lower() not in (".ttc", ".otc"):
        return -1
    names = [f["name"].getDebugName(1) for f in TTCollection(str(source), lazy=True).fonts]
    if family not in names:
        raise ValueError(f"source {str(source)!r} holds no {family!r}, only {names}")
    return names.index(family)


def write_subset(source, chars, out, family=SOURCE_FAMILY, otf=False):
    """Cut the glyphs of ``chars`` from ``family`` in ``source`` and write ``out`` as WOFF, and
    with ``otf`` the same font as OpenType next to it (``out`` with the suffix ``.otf``).

    The subset is renamed :data:`FAMILY` (a modified version under the OFL); its copyright,
    trademark and licence names are kept. Returns the number of bytes of the WOFF.
    """
    from fontTools import subset

    options = subset.Options()
    options.flavor = "woff"
    options.font_number = _font_number(source, family)
    options.layout_features = ["kern"]  # locl and palt would pull in 700 glyphs of other locales
    options.hinting = False
    options.desubroutinize = True
    options.drop_tables += ["VORG", "vhea", "vmtx", "BASE"]
    options.name_IDs = [0, 1, 2, 3, 4, 5, 6, 7, 11, 12, 13, 14]
    font = subset.load_font(str(source), options, lazy=False)
    missing = [ch for ch in chars if ord(ch) not in font.getBestCmap()]
    if missing:
        raise ValueError(f"{family} has no glyph for {''.join(missing)!r}")
    subsetter = subset.Subsetter(options)
    subsetter.populate(unicodes=[ord(ch) for ch in chars])
    subsetter.subset(font)
    name = font["name"]
    name.names = [record for record in name.names if record.platformID == 3]
    for name_id, value in {1: FAMILY, 3: f"{FAMILY} subset of {family}", 4: FAMILY,
                           6: FAMILY.replace(" ", "") + "-Regular"}.items():
        name.setName(value, name_id, 3, 1, 0x409)
    name.removeNames(nameID=16)
    name.removeNames(nameID=17)
    font.recalcTimestamp = False  # the same text gives the same bytes
    if "CFF " in font:
        font["CFF "].cff.fontNames = [FAMILY.replace(" ", "") + "-Regular"]
    out = Path(out)
    out.parent.mkdir(parents=True, exist_ok=True)
    subset.save_font(font, str(out), options)
    if otf:
        options.flavor = None
        subset.save_font(font, str(out.with_suffix(".otf")), options)
    return out.stat().st_size


def main(argv=None):
    """Command line: find the characters, write the subset, print what was written."""
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--source", default=str(SOURCE), help="Noto Sans CJK (.ttc or .otf)")
    parser.add_argument("--out", default=str(OUT), help="the WOFF file to write (and its .otf)")
    parser.add_argument("--out-en", default=str(OUT_EN), help="the English pages' WOFF file")
    parser.add_argument("--text", nargs="*", default=[], help="more files whose CJK to include")
    args = parser.parse_args(argv)
    if not Path(args.source).is_file():
        print(f"error: source {args.source!r} does not exist (apt-get install fonts-noto-cjk)",
              file=sys.stderr)
        return 1
    extra = [Path(p) for p in args.text]
    for files, out, otf in ((text_files() + extra, args.out, True), (english_files() + extra, args.out_en, False)):
        used = cjk_characters(files)
        chars = "".join(sorted(set(used) | set(PUNCTUATION)))
        size = write_subset(args.source, chars, out, otf=otf)
        also = f", {Path(out).with_suffix('.otf').stat().st_size} to its .otf" if otf else ""
        print(f"{len(used)} CJK characters in {len(files)} files, {len(chars)} with the punctuation: "
              f"{size} bytes written to {out}{also}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
