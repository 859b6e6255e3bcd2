"""Picture: a matplotlib figure as the page shows it: its layout frozen, its pixels, its axes.

The static layer of an explorer is drawn once by matplotlib (:meth:`Picture.render`); the
page maps data to pixels with :meth:`Picture.mapping`; the stored picture of a state is the
static layer with that state's artists drawn over it (:meth:`Picture.render_with`). Its texts
are in the picture's language: :meth:`Picture.freeze` translates them before the first draw.
"""

import numpy as np
from matplotlib.backends.backend_agg import FigureCanvasAgg

import matplotlib.text

from .. import i18n
from ..plots.localize import localize
from ..style import CJK_FAMILY, CJK_RANGES, use_cjk_font
from .covers import covers

__all__ = ["Picture"]


class Picture:
    """A figure's static layer at ``pixel_ratio`` image px per CSS px.

    Parameters
    ----------
    fig : matplotlib.figure.Figure
        Axes, labels, contours, keys. Its layout is frozen by :meth:`freeze`.
    pixel_ratio : float
        Image pixels per CSS pixel of the picture (2 for sharp HiDPI, 4x the bytes).
    lang : {'en', 'zh'} or None
        The language of the figure's texts (default: the current one,
        :func:`gradclip.i18n.language`); they are translated once, before the layout is fixed.

    Examples
    --------
    >>> from matplotlib.figure import Figure
    >>> fig = Figure(figsize=(3, 2), dpi=100)
    >>> Picture(fig, pixel_ratio=2).render().shape
    (400, 600, 4)
    """

    def __init__(self, fig, pixel_ratio=1.0, lang=None):
        if not hasattr(fig, "axes") or not hasattr(fig, "savefig"):
            raise ValueError(f"fig must be a matplotlib Figure, got {fig!r}")
        if not (np.isfinite(pixel_ratio) and 0.5 <= pixel_ratio <= 4):
            raise ValueError(f"pixel_ratio must be in [0.5, 4], got {pixel_ratio!r}")
        self.fig, self.pixel_ratio = fig, float(pixel_ratio)
        self.lang = i18n.check_language(lang)

    # ---- language
    def localize(self, lang=None):
        """Translate the figure's texts into ``lang`` (default: the picture's language), once:
        a picture whose texts are already in one language other than English keeps it
        (ValueError if asked for another)."""
        lang = self.lang if lang is None else i18n.check_language(lang)
        done = getattr(self, "_localized", "en")
        if lang == done:
            self.lang = lang
            return
        if done != "en":
            raise ValueError(f"lang: the picture's texts are already in {done!r}, got {lang!r}")
        localize(self.fig, lang)
        if lang == "zh":
            _with_cjk_font(self.fig)
        self.lang, self._localized = lang, lang
        self._covers, self.fig.stale = None, True  # keys measured and drawn with the new words

    # ---- layout
    def freeze(self):
        """Lay the figure out once and switch its layout engine off (positions are final).

        The layout pass is a full draw at the picture's resolution, so :meth:`render` reuses
        its pixels while no artist changes (``fig.stale`` stays False) and its text metrics
        (matplotlib caches them per renderer and dpi) when something does.
        """
        if not getattr(self, "_frozen", False):
            self.localize()
            self._draw()
            self.fig.set_layout_engine("none")
            self.fig.stale = False  # the positions just fixed are the ones drawn
            self._frozen = True

    def quantum(self, ax, axis, px=0.25):
        """Data units (decades on a log axis) per ``px`` CSS pixels of ``ax``'s x or y axis:
        the resolution at which an array drawn there can be stored."""
        self.freeze()
        ext = ax.get_window_extent()
        lo, hi = ax.get_xlim() if axis == "x" else ax.get_ylim()
        log = (ax.get_xscale() if axis == "x" else ax.get_yscale()) == "log"
        span = abs(np.log10(hi) - np.log10(lo)) if log else abs(hi - lo)
        return float(px * span / (ext.width if axis == "x" else ext.height))

    # ---- export
    def mapping(self):
        """Each axes' pixel box and data limits (CSS px; see the contract)."""
        w, h = self.size()
        out = []
        for ax in self.fig.axes:
            ext = ax.get_window_extent()
            d = {"bbox": [ext.x0, h - ext.y1, ext.width, ext.height]}
            if getattr(ax, "name", "") != "3d":
                d["x"] = {"lim": list(map(float, ax.get_xlim())), "log": ax.get_xscale() == "log"}
                d["y"] = {"lim": list(map(float, ax.get_ylim())), "log": ax.get_yscale() == "log"}
            out.append(d)
        return out

    def covers(self):
        """The boxes of the static layer's :data:`~gradclip.widgets.covers.COVER` texts (CSS px,
        see :func:`~gradclip.widgets.covers.covers`), measured once the layout is final."""
        self.freeze()
        if getattr(self, "_covers", None) is None:
            self._covers = covers(self.fig)
        return self._covers

    def size(self):
        """``(width, height)`` of the figure in CSS px."""
        w, h = self.fig.get_size_inches() * self.fig.dpi
        return float(w), float(h)

    def render(self):
        """RGBA pixels of the figure at ``pixel_ratio`` (the static layer when nothing moves),
        its texts in the picture's language."""
        self.localize()
        if self.fig.stale or getattr(self, "_pixels", None) is None:
            self._draw()
        return self._pixels.copy()

    def render_with(self, add):
        """RGBA pixels of the static layer with the artists that ``add()`` puts on the figure
        (and returns) drawn on top in their z order, as the page draws its canvas over the
        picture; the artists are removed again. Only they are rasterised over the cached static
        layer, with every 2-D axes kept at the limits the page maps; on a 3-D axes, where depth
        matters, the whole figure is drawn."""
        base = self.render()
        limits = [(ax, ax.get_xlim(), ax.get_ylim()) for ax in self.fig.axes
                  if getattr(ax, "name", "") != "3d"]
        made = add()
        canvas, dpi = self._canvas(), self.fig.dpi
        try:
            for ax, xlim, ylim in limits:
                ax.set_xlim(xlim)
                ax.set_ylim(ylim)
            if any(getattr(getattr(a, "axes", None), "name", "") == "3d" for a in made):
                self._draw()
                self._pixels, pixels = None, self._pixels
                return pixels
            self.fig.dpi = dpi * self.pixel_ratio
            renderer = canvas.get_renderer()
            out = np.asarray(renderer.buffer_rgba())
            out[...] = base
            for artist in sorted(made, key=lambda a: a.get_zorder()):
                artist.draw(renderer)
            out = out.copy()
            r = self.pixel_ratio
            for left, top, w, h in self.covers():  # the keys stay on top, as the page keeps them
                rows = slice(max(0, round(top * r)), max(0, round((top + h) * r)))
                cols = slice(max(0, round(left * r)), max(0, round((left + w) * r)))
                out[rows, cols] = base[rows, cols]
            return out
        finally:
            self.fig.dpi = dpi
            for artist in made:
                artist.remove()
            self.fig.stale = self._pixels is None  # the static layer is unchanged

    def _canvas(self):
        if not isinstance(self.fig.canvas, FigureCanvasAgg):
            FigureCanvasAgg(self.fig)
        return self.fig.canvas

    def _draw(self):
        dpi, canvas = self.fig.dpi, self._canvas()
        try:
            self.fig.dpi = dpi * self.pixel_ratio
            canvas.draw()
            self._pixels = np.asarray(canvas.buffer_rgba()).copy()
        finally:
            self.fig.dpi = dpi
            self.fig.stale = False  # restoring the dpi changes nothing drawn


def _with_cjk_font(fig):
    """Give every text of ``fig`` that holds CJK characters the CJK font after its own
    (a text takes its fonts when it is made: one made before the font was on would miss it)."""
    use_cjk_font(True)
    for t in fig.findobj(matplotlib.text.Text):
        family = list(t.get_fontfamily())
        if CJK_FAMILY not in family and any(lo <= ord(ch) <= hi for ch in t.get_text()
                                            for lo, hi in CJK_RANGES):
            t.set_fontfamily(family + [CJK_FAMILY])
