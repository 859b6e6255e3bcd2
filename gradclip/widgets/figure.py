"""Figure plumbing for the explorers: snapping grids, a figure that caches its static
background, and small layout helpers. No ipywidgets here."""

import numpy as np
import matplotlib.pyplot as plt
from matplotlib.figure import Figure

from ..style import is_presentation


class LogGrid:
    """Slider positions ``anchor * 10 ** (k * step)`` for ``lo <= log10(value) <= hi``.

    The anchor (e.g. the edge 2/lambda_max, or a default threshold) is exactly on the grid;
    ``index(x)`` snaps any value in range to the nearest position.
    """

    def __init__(self, name, lo, hi, step, anchor=1.0):
        a = np.log10(anchor)
        k = np.arange(int(np.ceil((lo - a) / step - 1e-9)), int(np.floor((hi - a) / step + 1e-9)) + 1)
        self.name, self.step = name, float(step)
        self.values = anchor * 10.0 ** (k * self.step)
        self.values[k == 0] = anchor
        self.lo, self.hi = float(np.log10(self.values[0])), float(np.log10(self.values[-1]))

    def __len__(self):
        return len(self.values)

    def index(self, x):
        try:
            x = float(x)
        except (TypeError, ValueError):
            raise ValueError(f"{self.name} must be a number, got {x!r}") from None
        lo, hi = self.values[0], self.values[-1]
        if not np.isfinite(x) or x < lo * (1 - 1e-3) or x > hi * (1 + 1e-3):
            raise ValueError(f"{self.name}={x!r} is outside the slider range [{lo:.4g}, {hi:.4g}]")
        return int(np.argmin(np.abs(np.log10(self.values) - np.log10(x))))


class CachedFigure(Figure):
    """A figure that renders its static parts once and then only redraws its moving artists.

    After :meth:`set_dynamic`, a draw with a raster renderer restores a cached image of
    everything else (axes, ticks, labels, contours) and draws just the dynamic artists on
    top. The cache is rebuilt whenever the pixel size or dpi changes (e.g. a HiDPI screen, or
    ``savefig`` at another dpi); vector output always draws everything.
    """

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self._dynamic, self._background, self._background_key = [], None, None

    def set_dynamic(self, artists):
        """Artists redrawn on every draw, in this order; everything else is cached."""
        self._dynamic = list(artists)
        self._background = None
        for ax in self.axes:  # a zoom or pan (ipympl toolbar) changes the static parts
            for name in ("xlim_changed", "ylim_changed"):
                ax.callbacks.connect(name, lambda _ax: self.invalidate())

    def invalidate(self):
        """Forget the cached background (call after changing a static artist)."""
        self._background = None

    def draw(self, renderer):
        if not self._dynamic or not hasattr(renderer, "copy_from_bbox"):
            return super().draw(renderer)
        key = (renderer.width, renderer.height, self.dpi)
        if self._background is None or self._background_key != key:
            shown = [a.get_visible() for a in self._dynamic]
            for a in self._dynamic:
                a.set_visible(False)
            try:
                super().draw(renderer)
            finally:
                for a, v in zip(self._dynamic, shown):
                    a.set_visible(v)
            self._background, self._background_key = renderer.copy_from_bbox(self.bbox), key
        else:
            renderer.restore_region(self._background)
        for a in self._dynamic:
            if a.get_visible():
                a.draw(renderer)
        self.stale = False


def _figure(n_cols_right=1):
    scale = 1.2 if is_presentation() else 1.0  # ~1130 px wide: fits a projected notebook
    with plt.ioff():
        fig = plt.figure(figsize=(9.4 * scale, 4.9 * scale), layout="constrained",
                         FigureClass=CachedFigure)
    canvas = fig.canvas
    for attr, val in (("header_visible", False), ("footer_visible", False), ("resizable", False),
                      ("toolbar_position", "right")):
        if hasattr(canvas, attr):
            setattr(canvas, attr, val)
    gs = fig.add_gridspec(2, 2, width_ratios=[1.15, 1.0])
    return fig, fig.add_subplot(gs[:, 0]), fig.add_subplot(gs[0, 1]), fig.add_subplot(gs[1, 1])


def _key(ax, entries, horizontal=False):
    """A legend made of coloured text (a real legend costs ~7 ms per full redraw)."""
    from matplotlib.font_manager import FontProperties

    horizontal = horizontal and not is_presentation()  # big fonts: one entry per line
    size = FontProperties(size="small").get_size_in_points()
    for i, (label, color) in enumerate(entries):
        xy, off = ((0.02 + 0.33 * i, 0.97), (0, 0)) if horizontal else ((0.98, 0.97), (0, -1.45 * size * i))
        ax.annotate(label, xy, xycoords="axes fraction", xytext=off, textcoords="offset points",
                    color=color, fontsize="small", ha="left" if horizontal else "right", va="top",
                    zorder=7, bbox=dict(fc="white", ec="none", alpha=0.7, pad=1))


def _fast_log_axes(*axes):
    """Few major ticks, no minor ticks on log axes: every tick label is text to render."""
    from matplotlib.ticker import LogLocator, MaxNLocator, NullLocator

    for ax in axes:
        for axis in (ax.xaxis, ax.yaxis):
            if axis.get_scale() == "log":
                axis.set_major_locator(LogLocator(numticks=5))
                axis.set_minor_locator(NullLocator())
            else:
                axis.set_major_locator(MaxNLocator(6))


def _freeze_layout(fig):
    """Lay the figure out once, then switch the layout engine off: redraws skip re-layout."""
    _fast_log_axes(*fig.axes)
    # not fig.canvas.draw(): an ipympl canvas rendered before it is displayed stays 0 x 0 px
    fig.draw_without_rendering()
    fig.set_layout_engine("none")


def _regime(x):
    if abs(x - 2.0) < 1e-9:
        return "on the edge"
    return "slow" if x < 0.25 else "good" if x <= 1 else "oscillating" if x <= 2 else "divergent"
