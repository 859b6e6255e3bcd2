"""Helpers shared by the explorers of the theory notebook (smoothness, noise, bias, spikes,
momentum): text labels stored once and picked per state, argument checks, the start.
"""

import numpy as np

__all__ = ["label_codes", "steps_range", "start", "pad", "snap"]


def label_codes(texts):
    """Integer codes into a list of the distinct strings of ``texts`` (any shape).

    An explorer whose status depends on a precomputed outcome ("diverges", "812 steps", ...)
    stores the outcome as a small integer array and the distinct sentences once; the page
    picks the sentence with :func:`~gradclip.widgets.stage.pick`.

    Examples
    --------
    >>> codes, labels = label_codes([["a", "b"], ["b", "b"]])
    >>> codes.tolist(), labels
    ([[0, 1], [1, 1]], ['a', 'b'])
    """
    arr = np.asarray(texts, dtype=object)
    labels = sorted({str(t) for t in arr.ravel()})
    index = {t: i for i, t in enumerate(labels)}
    codes = np.array([index[str(t)] for t in arr.ravel()], dtype=np.int64).reshape(arr.shape)
    return codes, labels


def steps_range(name, value, lo, hi):
    """``value`` as an int in ``[lo, hi]``; else ValueError naming ``name``."""
    if isinstance(value, bool) or not isinstance(value, (int, np.integer)) or not lo <= value <= hi:
        raise ValueError(f"{name} must be an integer in [{lo}, {hi}], got {value!r}")
    return int(value)


def start(stage, values, preset):
    """Build the explorer at ``values`` (grid values snap), then apply ``preset``."""
    snapped = {k: stage.controls[k].check(v) for k, v in values.items()}
    explorer = stage.build(snapped)
    if preset is not None:
        explorer.apply_preset(preset)
    return explorer


def pad(a):
    """Per-step arrays ``(..., steps)`` -> ``(..., steps + 1)`` with a NaN at the end."""
    a = np.asarray(a, dtype=np.float64)
    return np.concatenate([a, np.full(a.shape[:-1] + (1,), np.nan)], axis=-1)



def snap(name, values, value, log=True):
    """``value`` snapped to the grid ``values`` of a slider, checked before anything is
    computed (ValueError naming ``name`` outside the grid's range)."""
    from .controls import GridSlider

    return GridSlider(name, values, log=log).check(value)
