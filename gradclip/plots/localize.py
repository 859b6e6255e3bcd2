"""A drawn figure in the reader's language: every text of a matplotlib figure translated in place.

The plotting functions write their titles, labels and legends in English; :func:`localize`
passes each text of the finished figure through :func:`gradclip.i18n.translate` (the catalogs of
``gradclip/locale/<lang>/``). Texts without words (numbers, math, symbols) are left as they are,
and so are tick labels without letters, so axes keep their numbers and formatters.

:func:`localized` wraps a plotting function so that what it draws comes out in the current
language; ``gradclip.plots`` wraps every public plotting function with it.
"""

import contextlib
import functools
import inspect

import matplotlib.animation
import matplotlib.artist
import matplotlib.figure
import matplotlib.text
import numpy as np

from .. import i18n

__all__ = ["localize", "localized"]


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
        if s and not _translated(s):
            new = i18n.translate(s, lang)
            if new != s:
                text.set_text(new)
    return fig


def _translated(text):
    """Whether ``text`` holds CJK characters: translated already (a figure localized twice, or
    a label given in Chinese), so it is left as it is."""
    return any("\u3000" <= ch <= "\u9fff" or "\uff00" <= ch <= "\uffef" for ch in text)


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
        new = [i18n.translate(s, lang) if s and not _translated(s) else s for s in texts]
        if new != texts:
            axis.set_ticks(axis.get_ticklocs(minor=minor), labels=new, minor=minor)


def localized(func):
    """``func`` drawing in the current language: the figures it returns or draws on are localized.

    When :func:`gradclip.i18n.language` is not English, every figure reachable from the call's
    arguments and result (a Figure, Axes or artist, an animation, or tuples, lists, dicts and
    object arrays of them) is passed through :func:`localize` after the call. An animation's
    frame function is wrapped as well, so the texts it sets on each frame are translated. A
    function whose first parameter is ``path`` writes a file: the figures and animations it
    saves are localized just before they are saved. In English the call is unchanged.
    """
    try:
        first = next(iter(inspect.signature(func).parameters), None)
    except (TypeError, ValueError):  # pragma: no cover - builtins
        first = None
    writes = first == "path"

    @functools.wraps(func)
    def wrapper(*args, **kwargs):
        lang = i18n.language()
        if lang == "en":
            return func(*args, **kwargs)
        if writes:
            with _localizing_saves(lang):
                out = func(*args, **kwargs)
        else:
            out = func(*args, **kwargs)
        seen = {}
        for obj in (args, kwargs, out):
            _collect(obj, seen, depth=0)
        for target in seen.values():
            if isinstance(target, matplotlib.animation.Animation):
                _localize_animation(target, lang)
            else:
                localize(target, lang)
        return out

    return wrapper


def _collect(obj, seen, depth):
    """Figures and animations reachable from ``obj`` into ``seen`` (by id)."""
    if depth > 3 or obj is None or isinstance(obj, (str, bytes, int, float)):
        return
    if isinstance(obj, matplotlib.animation.Animation):
        seen.setdefault(id(obj), obj)
        fig = getattr(obj, "_fig", None)
        if fig is not None:
            seen.setdefault(id(fig), fig)
    elif isinstance(obj, matplotlib.figure.FigureBase):
        seen.setdefault(id(obj), obj)
    elif isinstance(obj, matplotlib.artist.Artist):
        fig = obj.get_figure()
        if fig is not None:
            seen.setdefault(id(fig), fig)
    elif isinstance(obj, dict):
        for value in obj.values():
            _collect(value, seen, depth + 1)
    elif isinstance(obj, (list, tuple)) or (isinstance(obj, np.ndarray) and obj.dtype == object):
        for value in obj if not isinstance(obj, np.ndarray) else obj.ravel():
            _collect(value, seen, depth + 1)


def _localize_animation(anim, lang):
    """Localize ``anim``'s figure now and after each frame it draws."""
    fig = anim._fig
    localize(fig, lang)
    func = anim._func
    if getattr(func, "_gradclip_lang", None) == lang:
        return

    @functools.wraps(func)
    def frame(*args, **kwargs):
        drawn = func(*args, **kwargs)
        localize(fig, lang)
        return drawn

    frame._gradclip_lang = lang
    anim._func = frame


@contextlib.contextmanager
def _localizing_saves(lang):
    """While open, ``Figure.savefig`` and ``Animation.save`` localize before writing."""
    savefig, save = matplotlib.figure.Figure.savefig, matplotlib.animation.Animation.save

    def localized_savefig(self, *args, **kwargs):
        localize(self, lang)
        return savefig(self, *args, **kwargs)

    def localized_save(self, *args, **kwargs):
        _localize_animation(self, lang)
        return save(self, *args, **kwargs)

    matplotlib.figure.Figure.savefig = localized_savefig
    matplotlib.animation.Animation.save = localized_save
    try:
        yield
    finally:
        matplotlib.figure.Figure.savefig = savefig
        matplotlib.animation.Animation.save = save
