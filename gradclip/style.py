"""One call to set a notebook up: seed, plotting style, language and (optionally) projector mode.

matplotlib is imported inside the functions, so importing this module stays numpy-only.
Projector mode is switched on by :func:`presentation`, by ``setup(presentation=True)``, or for
every notebook at once by the environment variable ``GRADCLIP_PRESENTATION=1`` (handy with
``voila``); :func:`is_presentation` tells the explorers to enlarge their widgets.
"""

import base64
import functools
import os
from pathlib import Path

import numpy as np

from . import i18n
from . import validation as v
from .threads import set_blas_threads

__all__ = ["setup", "presentation", "is_presentation", "presentation_from_env", "page_css",
           "cjk_font_face", "use_cjk_font", "PALETTE", "PROJECTOR_SCALE", "CJK_FONT", "CJK_FONT_OTF", "CJK_FONT_EN",
           "CJK_FAMILY", "CJK_FALLBACK", "CJK_RANGES"]

#: Colours used throughout (colour-blind safe, Okabe & Ito).
PALETTE = {
    "slow": "#0072B2",
    "good": "#009E73",
    "oscillating": "#E69F00",
    "divergent": "#D55E00",
    "clipped": "#CC79A7",
    "raw": "#56B4E9",
    "optimum": "#000000",
}

_BASE = {
    "figure.figsize": (8.0, 4.5),
    "figure.dpi": 100,
    "savefig.dpi": 100,
    "font.size": 11,
    "axes.titlesize": 12,
    "axes.labelsize": 11,
    "legend.fontsize": 10,
    "xtick.labelsize": 10,
    "ytick.labelsize": 10,
    "lines.linewidth": 1.8,
    "axes.grid": False,
    "axes.spines.top": False,
    "axes.spines.right": False,
    "image.cmap": "viridis",
}
#: Projector mode scales every figure as a whole: the same layout, drawn at a higher
#: resolution, so fonts, lines and markers grow together and nothing that fits in the
#: notebook collides on the projector. Pages get larger prose, tables and controls (CSS).
PROJECTOR_SCALE = 1.5
_PROJECTOR = {
    "figure.dpi": 100 * PROJECTOR_SCALE,
    "savefig.dpi": 100 * PROJECTOR_SCALE,
}
#: The CJK subset font (Noto Sans CJK SC cut to the characters of the notebooks in both
#: languages and of the translation catalogs, SIL OFL 1.1, ``OFL.txt`` next to it;
#: ``scripts/subset_cjk_font.py`` writes it). Pages list it after the system fonts, so Chinese
#: shows on machines without a CJK font: the static site serves it, Chinese notebooks inline it.
CJK_FONT = Path(__file__).resolve().parent / "static" / "fonts" / "gradclip-cjk.woff"
#: The same subset as OpenType (CFF), for matplotlib: FreeType, as matplotlib builds it, does
#: not read the WOFF. Chinese figures draw their CJK characters with it.
CJK_FONT_OTF = CJK_FONT.with_suffix(".otf")
#: The subset cut to the CJK characters of the English notebooks (their quotations of the
#: source article): a few kB, inlined into every English notebook's page.
CJK_FONT_EN = CJK_FONT.with_name("gradclip-cjk-en.woff")
#: The font family name pages give the subset.
CJK_FAMILY = "gradclip CJK"
#: The end of a page's font list: CJK system fonts first (a machine that has one keeps it), then
#: the subset.
CJK_FALLBACK = ('"PingFang SC", "Microsoft YaHei", "Noto Sans CJK SC", "Source Han Sans SC", '
                f'"{CJK_FAMILY}"')
#: Code points the subset is used for (ideographs, CJK punctuation, kana, bopomofo, fullwidth
#: forms): the ``unicode-range`` of its ``@font-face``, so pages without them never load it.
CJK_RANGES = ((0x3000, 0x303F), (0x3040, 0x30FF), (0x3100, 0x312F), (0x3400, 0x4DBF),
              (0x4E00, 0x9FFF), (0xF900, 0xFAFF), (0xFE30, 0xFE4F), (0xFF00, 0xFFEF))
#: Page styles shown by :func:`setup`: images never wider than their column; in a Voila
#: dashboard (``#rendered_cells``) the exercise sections and their checks are hidden (there
#: is no code to edit there); rendered prose falls back to the CJK subset (declared by
#: :func:`page_css`) after JupyterLab's own fonts.
PAGE_CSS = """
.jp-RenderedMarkdown, .jp-RenderedHTMLCommon {
  font-family: var(--jp-content-font-family, system-ui, sans-serif), {cjk}; }
.jp-RenderedImage img, .jp-RenderedMarkdown img { max-width: 100%; height: auto; }
.jp-RenderedHTMLCommon table { display: block; max-width: 100%; overflow-x: auto; }
#rendered_cells .gradclip-exercise, #rendered_cells .gradclip-feedback { display: none; }
""".replace("{cjk}", CJK_FALLBACK)
#: Extra page styles in projector mode.
PROJECTOR_CSS = """
.jp-RenderedMarkdown, .jp-RenderedHTMLCommon { font-size: 22px; line-height: 1.5; }
.jp-RenderedHTMLCommon h1 { font-size: 40px; } .jp-RenderedHTMLCommon h2 { font-size: 32px; }
.jp-RenderedHTMLCommon h3 { font-size: 27px; }
.jp-RenderedHTMLCommon table, .jp-RenderedHTMLCommon td, .jp-RenderedHTMLCommon th { font-size: 20px; }
.jp-OutputArea-output pre, .jp-RenderedText pre { font-size: 19px; line-height: 1.4; }
.widget-label, .widget-readout, .widget-button, .widget-toggle-button, .widget-inline-hbox input {
  font-size: 20px !important; }
.widget-button, .widget-toggle-button { height: 40px !important; }
"""
_state = {"presentation": False}


def setup(seed=0, presentation=False, blas_threads=1, lang="en"):
    """Seed, set the plotting style and the language, and return a ``numpy.random.Generator``.

    Parameters
    ----------
    seed : int
        Seed for the returned generator (every random number in a notebook comes from it).
    presentation : bool
        Large fonts, thick lines and bigger figures for a projector (see :func:`presentation`).
        When False, the environment variable ``GRADCLIP_PRESENTATION`` (``1``, ``true``,
        ``yes`` or ``on``) still switches projector mode on, so a classroom can run unchanged
        notebooks large.
    blas_threads : int or None
        Threads numpy's BLAS may use from now on (:func:`gradclip.threads.set_blas_threads`).
        The notebooks' matrix products are small: one thread is as fast on an idle machine and
        many times faster on a busy one (notebook 06's RNN training: 3 s against 36 s on a
        loaded two-core machine). ``None`` leaves numpy's setting alone.
    lang : {'en', 'zh'}
        The language of every later figure, explorer and exercise message
        (:func:`gradclip.i18n.set_language`). ``'zh'`` also gives matplotlib the bundled CJK
        subset (:func:`use_cjk_font`), so Chinese labels draw on a machine without a CJK font.

    Returns
    -------
    numpy.random.Generator

    Examples
    --------
    >>> rng = setup(seed=1)
    >>> round(float(rng.normal()), 6)
    0.345584
    >>> _ = setup(seed=0, lang="zh"); i18n.language()
    'zh'
    >>> _ = setup(seed=0); i18n.language()
    'en'
    """
    if isinstance(seed, bool) or not isinstance(seed, (int, np.integer)) or seed < 0:
        raise ValueError(f"seed must be a non-negative integer, got {seed!r}")
    if not isinstance(presentation, (bool, np.bool_)):
        raise ValueError(f"presentation must be True or False, got {presentation!r}")
    lang = i18n.check_language(lang)
    if blas_threads is not None:
        set_blas_threads(v.positive_int(blas_threads, "blas_threads"))
    import matplotlib as mpl

    mpl.rcParams.update(_BASE)
    use_cjk_font(lang == "zh")
    i18n.set_language(lang)
    on = _apply(bool(presentation) or presentation_from_env())
    _show_page_css(on)
    return np.random.default_rng(int(seed))


def presentation(on=True):
    """Switch projector mode on or off: fonts, lines and figures grow for a classroom.

    Figures created after the call use the new sizes; the explorers also read
    :func:`is_presentation` to enlarge their widgets.

    Parameters
    ----------
    on : bool
        True for projector mode, False for the normal notebook style.

    Returns
    -------
    bool
        The new state.

    Examples
    --------
    >>> presentation(True)
    True
    >>> import matplotlib as mpl; mpl.rcParams["figure.dpi"]
    150.0
    >>> presentation(False), mpl.rcParams["figure.dpi"]
    (False, 100.0)
    """
    if not isinstance(on, (bool, np.bool_)):
        raise ValueError(f"on must be True or False, got {on!r}")
    on = _apply(bool(on))
    _show_page_css(on)
    return on


def use_cjk_font(on=True):
    """Let matplotlib draw CJK characters with the bundled subset (:data:`CJK_FONT_OTF`), or stop.

    The subset is registered with matplotlib once and its family, :data:`CJK_FAMILY`, follows
    the default in ``font.sans-serif`` and in ``font.family``: matplotlib takes each character
    from the first family of ``font.family`` that has it, so Latin text keeps DejaVu Sans and
    the Chinese comes from the subset. ``on=False`` removes the family from both lists.

    Returns
    -------
    list of str
        The new ``font.family``.

    Examples
    --------
    >>> use_cjk_font()[-1]
    'gradclip CJK'
    >>> use_cjk_font(False)
    ['sans-serif']
    """
    if not isinstance(on, (bool, np.bool_)):
        raise ValueError(f"on must be True or False, got {on!r}")
    import matplotlib as mpl

    families = {key: [f for f in mpl.rcParams[key] if f != CJK_FAMILY]
                for key in ("font.family", "font.sans-serif")}
    if on:
        _register_cjk_font()
        families = {key: value + [CJK_FAMILY] for key, value in families.items()}
    mpl.rcParams.update(families)
    return list(mpl.rcParams["font.family"])


@functools.cache
def _register_cjk_font():
    import dataclasses

    from matplotlib import font_manager

    manager = font_manager.fontManager
    manager.addfont(str(CJK_FONT_OTF))
    # The subset has one weight: it also stands for bold, so bold titles take it without a warning.
    regular = [e for e in manager.ttflist if e.fname == str(CJK_FONT_OTF)][-1]
    manager.ttflist.append(dataclasses.replace(regular, weight=700))
    manager._findfont_cached.cache_clear()


def page_css(on=None):
    """The page styles for normal (``on=False``) or projector mode (default: the current mode).

    They start with the ``@font-face`` of the CJK subset, inlined as a ``data:`` URI, so
    JupyterLab and Voila need no server path for it: in English the subset of the English
    notebooks (:data:`CJK_FONT_EN`, about 14 kB), in another language the whole subset
    (:data:`CJK_FONT`).
    """
    on = is_presentation() if on is None else bool(on)
    font = CJK_FONT_EN if i18n.language() == "en" else CJK_FONT
    return cjk_font_face(_cjk_data_uri(font)) + PAGE_CSS + (PROJECTOR_CSS if on else "")


def cjk_font_face(src):
    """The ``@font-face`` rule of the CJK subset (:data:`CJK_FAMILY`) loaded from ``src``.

    Parameters
    ----------
    src : str
        The font's URL: a path relative to the stylesheet or a ``data:`` URI.

    Returns
    -------
    str
        One CSS rule, limited to :data:`CJK_RANGES` (``unicode-range``).

    Examples
    --------
    >>> rule = cjk_font_face("fonts/gradclip-cjk.woff")
    >>> rule.split("; ")[:2]
    ['@font-face { font-family: "gradclip CJK"', 'src: url("fonts/gradclip-cjk.woff") format("woff")']
    """
    if not isinstance(src, str) or not src or any(c in src for c in '"\\\n'):
        raise ValueError(f"src must be a URL without quotes, backslashes or newlines, got {src!r}")
    ranges = ", ".join(f"U+{lo:04X}-{hi:04X}" for lo, hi in CJK_RANGES)
    return (f'@font-face {{ font-family: "{CJK_FAMILY}"; src: url("{src}") format("woff"); '
            f"font-display: swap; unicode-range: {ranges}; }}\n")


@functools.cache
def _cjk_data_uri(font):
    return "data:font/woff;base64," + base64.b64encode(font.read_bytes()).decode("ascii")


def _show_page_css(on):
    """In a running IPython kernel, display the page styles (an invisible ``<style>``)."""
    try:
        from IPython import get_ipython
        from IPython.display import HTML, display
    except ImportError:  # pragma: no cover - IPython is installed with the notebooks
        return
    shell = get_ipython()
    if shell is None or not hasattr(shell, "kernel"):
        return
    display(HTML(f"<style>{page_css(on)}</style>"))


def _apply(on):
    import matplotlib as mpl

    mpl.rcParams.update(_PROJECTOR if on else {k: _BASE[k] for k in _PROJECTOR})
    _state["presentation"] = on
    return on


def is_presentation():
    """Whether projector mode is on."""
    return _state["presentation"]


def presentation_from_env():
    """Whether ``GRADCLIP_PRESENTATION`` asks for projector mode (``1``/``true``/``yes``/``on``)."""
    return os.environ.get("GRADCLIP_PRESENTATION", "").strip().lower() in ("1", "true", "yes", "on")
