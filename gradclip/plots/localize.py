"""A drawn figure in the reader's language: every text of a matplotlib figure translated in place.

The plotting functions write their titles, labels and legends in English; :func:`localize`
passes each text of the finished figure through :func:`gradclip.i18n.translate` (the catalogs of
``gradclip/locale/<lang>/``). Texts without words (numbers, math, symbols) are left as they are,
and so are tick labels without letters, so axes keep their numbers and formatters.
"""

import matplotlib.figure
import matplotlib.text

from .. import i18n

__all__ = ["localize"]


def localize(fig, lang=None):
    """Translate every text of ``fig`` into ``lang``, in place, and return ``fig``.

    Titles, the suptitle, axis labels, legend entries and titles, texts and annotations,
    colorbar labels (a colorbar is an axes of the figure) and tick labels that contain letters
    (categorical or fixed tick labels; numeric tick labels stay with their formatter).

    Parameters
    ----------
    fig : matplotlib.figure.Figure or SubFigure
        A drawn figure.
    lang : {'en', 'zh'} or None
        The language (default: the current one, :func:`gradclip.i18n.language`). English
        leaves the figure unchanged.

    Returns
    -------
    matplotlib.figure.Figure
        ``fig`` itself.

    Examples
    --------
    >>> import matplotlib.pyplot as plt
    >>> fig, ax = plt.subplots()
    >>> _ = ax.set_xlabel("learning rate")
    >>> localize(fig, "zh").axes[0].get_xlabel()
    '学习率'
    >>> plt.close(fig)
    """
    if not isinstance(fig, matplotlib.figure.FigureBase):
        raise ValueError(f"fig must be a matplotlib Figure, got {fig!r}")
    lang = i18n.check_language(lang)
    if lang == "en":
        return fig
    ticks = set()
    for ax in fig.get_axes():
        for axis in _axes_of(ax):
            ticks.update(id(t) for t in axis.get_majorticklabels() + axis.get_minorticklabels())
            _localize_ticks(axis, lang)
    for text in fig.findobj(matplotlib.text.Text):
        if id(text) in ticks:
            continue
        s = text.get_text()
        if s:
            new = i18n.translate(s, lang)
            if new != s:
                text.set_text(new)
    return fig


def _axes_of(ax):
    """The x, y (and z, in 3-D) axis objects of ``ax``."""
    return [getattr(ax, name) for name in ("xaxis", "yaxis", "zaxis") if hasattr(ax, name)]


def _localize_ticks(axis, lang):
    """Translate tick labels that hold letters, keeping their positions."""
    for minor in (False, True):
        labels = axis.get_ticklabels(minor=minor)
        texts = [t.get_text() for t in labels]
        if not any(any(c.isalpha() for c in s) for s in texts):
            continue
        new = [i18n.translate(s, lang) if s else s for s in texts]
        if new != texts:
            axis.set_ticks(axis.get_ticklocs(minor=minor), labels=new, minor=minor)
