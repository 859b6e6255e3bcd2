"""One call to set a notebook up: seed, plotting style and (optionally) projector mode.

matplotlib is imported inside the functions, so importing this module stays numpy-only.
Projector mode is switched on by :func:`presentation`, by ``setup(presentation=True)``, or for
every notebook at once by the environment variable ``GRADCLIP_PRESENTATION=1`` (handy with
``voila``); :func:`is_presentation` tells the explorers to enlarge their widgets.
"""

import os

import numpy as np

__all__ = ["setup", "presentation", "is_presentation", "presentation_from_env", "PALETTE"]

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
_PROJECTOR = {
    "figure.figsize": (11.0, 6.2),
    "font.size": 18,
    "axes.titlesize": 20,
    "axes.labelsize": 18,
    "legend.fontsize": 16,
    "xtick.labelsize": 16,
    "ytick.labelsize": 16,
    "lines.linewidth": 3.0,
    "lines.markersize": 9,
}
_state = {"presentation": False}


def setup(seed=0, presentation=False):
    """Seed, set the plotting style, and return a ``numpy.random.Generator``.

    Parameters
    ----------
    seed : int
        Seed for the returned generator (every random number in a notebook comes from it).
    presentation : bool
        Large fonts, thick lines and bigger figures for a projector (see :func:`presentation`).
        When False, the environment variable ``GRADCLIP_PRESENTATION`` (``1``, ``true``,
        ``yes`` or ``on``) still switches projector mode on, so a classroom can run unchanged
        notebooks large.

    Returns
    -------
    numpy.random.Generator

    Examples
    --------
    >>> rng = setup(seed=1)
    >>> round(float(rng.normal()), 6)
    0.345584
    """
    if isinstance(seed, bool) or not isinstance(seed, (int, np.integer)) or seed < 0:
        raise ValueError(f"seed must be a non-negative integer, got {seed!r}")
    if not isinstance(presentation, (bool, np.bool_)):
        raise ValueError(f"presentation must be True or False, got {presentation!r}")
    import matplotlib as mpl

    mpl.rcParams.update(_BASE)
    _apply(bool(presentation) or presentation_from_env())
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
    >>> import matplotlib as mpl; mpl.rcParams["font.size"]
    18.0
    >>> presentation(False), mpl.rcParams["font.size"]
    (False, 11.0)
    """
    if not isinstance(on, (bool, np.bool_)):
        raise ValueError(f"on must be True or False, got {on!r}")
    return _apply(bool(on))


def _apply(on):
    import matplotlib as mpl

    mpl.rcParams.update(_PROJECTOR if on else {k: _BASE[k] for k in _PROJECTOR if k in _BASE})
    if not on:
        mpl.rcParams["lines.markersize"] = mpl.rcParamsDefault["lines.markersize"]
    _state["presentation"] = on
    return on


def is_presentation():
    """Whether projector mode is on."""
    return _state["presentation"]


def presentation_from_env():
    """Whether ``GRADCLIP_PRESENTATION`` asks for projector mode (``1``/``true``/``yes``/``on``)."""
    return os.environ.get("GRADCLIP_PRESENTATION", "").strip().lower() in ("1", "true", "yes", "on")
