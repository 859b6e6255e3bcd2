"""Runs shaped into the arrays a :class:`~gradclip.widgets.stage.Stage` takes.

The explorers compute runs with the core and store them as arrays indexed by their controls:
per-step series gain an entry so the steps slider can index them (:func:`pad`), outcomes
named by sentences become integer codes into the distinct sentences (:func:`label_codes`).
"""

import numpy as np

__all__ = ["pad", "label_codes"]


def pad(a):
    """Per-step arrays ``(..., steps)`` -> ``(..., steps + 1)`` with a NaN at the end: one
    entry per value of a steps slider (step ``k`` shows the gradient that made step ``k + 1``).

    Examples
    --------
    >>> pad([[1.0, 2.0]]).tolist()
    [[1.0, 2.0, nan]]
    """
    a = np.asarray(a, dtype=np.float64)
    return np.concatenate([a, np.full(a.shape[:-1] + (1,), np.nan)], axis=-1)


def label_codes(texts):
    """Integer codes into a list of the distinct strings of ``texts`` (any shape).

    An explorer whose status depends on a precomputed outcome ("diverges", "812 steps", ...)
    stores the outcome as a small integer array and the distinct sentences once; the page
    picks the sentence with :func:`~gradclip.widgets.fields.pick`.

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
