"""Covers: static texts (keys, labels) that stay readable over the moving layer.

A text whose ``gid`` is :data:`COVER` is measured once the layout is final; the page copies
its box back from the picture after drawing the moving artists (spec ``covers``), and
:meth:`~gradclip.widgets.picture.Picture.render_with` does the same for the stored picture.
"""

import math

from matplotlib.backends.backend_agg import FigureCanvasAgg
from matplotlib.text import Text

__all__ = ["COVER", "covers"]

#: ``gid`` of a static text (a key entry, a label) that must stay readable over the moving
#: layer: the page copies its box back from the picture after drawing (spec ``covers``).
COVER = "gc-cover"


def covers(fig, pad=1.0):
    """Boxes ``[left, top, width, height]`` (CSS px, from the top-left) of the texts of ``fig``
    whose gid is :data:`COVER`, their background box included, padded by ``pad`` px and
    rounded outwards to whole pixels.

    >>> from matplotlib.figure import Figure
    >>> fig = Figure(figsize=(4, 3), dpi=100)
    >>> ax = fig.add_axes((0, 0, 1, 1))
    >>> _ = ax.text(0.5, 0.5, "key", fontsize=10, transform=ax.transAxes, gid=COVER)
    >>> _ = ax.text(0.1, 0.1, "not a key")
    >>> covers(fig)       # the key's box, from the top-left corner, 1 px around the text
    [[199, 138, 27, 17]]
    """
    canvas = fig.canvas if isinstance(fig.canvas, FigureCanvasAgg) else FigureCanvasAgg(fig)
    renderer, stale = canvas.get_renderer(), fig.stale
    height = fig.get_size_inches()[1] * fig.dpi
    out = []
    for t in fig.findobj(lambda a: isinstance(a, Text) and a.get_gid() == COVER):
        if not t.get_visible() or not t.get_text():
            continue
        ext = t.get_window_extent(renderer)
        patch = t.get_bbox_patch()
        if patch is not None:
            t.update_bbox_position_size(renderer)
            ext = type(ext).union([ext, patch.get_window_extent(renderer)])
        left, right = math.floor(ext.x0 - pad), math.ceil(ext.x1 + pad)
        top, bottom = math.floor(height - ext.y1 - pad), math.ceil(height - ext.y0 + pad)
        out.append([left, top, right - left, bottom - top])
    fig.stale = stale  # measuring moved nothing: a picture drawn before stays valid
    return out
