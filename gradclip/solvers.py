"""Gradient descent, with and without clipping: single runs, batched runs and sweeps.

Solvers return data and never print or plot. Divergence is a result: a run stops at the
first step whose loss is non-finite or exceeds a large multiple of its start, reports that
step in ``diverged_at``, and pads its arrays with NaN. No overflow warning escapes.
"""

import numpy as np

from . import validation as v
from ._engine import DIVERGENCE_FACTOR  # noqa: F401 - public here, defined beside the descent loop
from ._engine import broadcast_rows, check_clip, check_problem, check_theta0, descend
from .results import SweepResult, Trajectories, Trajectory

__all__ = [
    "Trajectory",
    "Trajectories",
    "SweepResult",
    "run",
    "run_batch",
    "sweep",
    "classify_rate",
    "REGIMES",
]

#: The regimes of gradient descent on a quadratic, by ``lr * lambda_max``: the names
#: :func:`classify_rate` returns, slowest first.
REGIMES = ("slow", "good", "oscillating", "on the edge", "divergent")


def run(problem, theta0, lr, steps, clip=None, threshold=None):
    """Gradient descent ``theta <- theta - lr * clip(grad J(theta))`` from ``theta0``.

    Parameters
    ----------
    problem : Problem
        Anything with ``dim``, ``loss`` and ``grad`` (see :mod:`gradclip.problems`).
    theta0 : array_like, shape (d,)
        Starting point.
    lr : float
        Positive learning rate.
    steps : int
        Number of updates (>= 0).
    clip : {None, "value", "norm"} or callable
        No clipping, :func:`~gradclip.clip_by_value`, :func:`~gradclip.clip_by_norm`, or a
        function ``g -> g`` applied to each raw gradient.
    threshold : float, optional
        The clipping threshold (required for "value" and "norm").

    Returns
    -------
    Trajectory
        Iterates, losses, raw gradient norms, which steps were clipped, step lengths and
        ``diverged_at`` (None when the run stayed finite and bounded).

    Examples
    --------
    >>> from gradclip import Quadratic
    >>> q = Quadratic.with_condition(4.0)
    >>> traj = run(q, [1.0, 1.0], lr=0.5, steps=200)
    >>> traj.diverged_at is None, bool(np.allclose(traj.thetas[-1], 0, atol=1e-8))
    (True, True)
    >>> run(q, [1.0, 1.0], lr=2.5, steps=500).diverged_at
    18
    """
    check_problem(problem)
    theta0 = check_theta0(problem, theta0)
    lr = v.positive(lr, "lr")
    steps = v.non_negative_int(steps, "steps")
    clip = check_clip(clip, threshold)
    thresholds = None if threshold is None else np.array([v.positive(threshold, "threshold")])
    out = descend(problem, theta0, np.array([lr]), thresholds, steps, clip)
    thetas, losses, gnorms, clipped, lengths, dat = (a[0] for a in out)
    return Trajectory(thetas, losses, gnorms, clipped, lengths,
                      None if dat < 0 else int(dat), lr, clip, threshold)


def _grid(problem, theta0, lrs, thresholds, clip, rows=False):
    check_problem(problem)
    theta0 = check_theta0(problem, theta0, rows)
    lrs = v.positive_array(lrs, "lrs").reshape(-1)
    if thresholds is not None:
        thresholds = v.positive_array(thresholds, "thresholds").reshape(-1)
        if clip not in ("value", "norm"):
            raise ValueError(f"clip must be 'value' or 'norm' when thresholds are given, got {clip!r}")
    return theta0, lrs, thresholds


def run_batch(problem, theta0, lrs, steps, clip=None, thresholds=None):
    """Many full runs at once, one per ``(lrs[i], thresholds[i])`` pair (vectorised).

    Row ``i`` follows ``theta <- theta - lrs[i] * clip(grad J(theta), thresholds[i])`` from
    the same ``theta0``, exactly as :func:`run` would, but all rows advance together in one
    numpy operation per step; a row that diverges freezes at its divergence step and is
    padded with NaN. The explorers use it to precompute every slider position in one pass.

    Parameters
    ----------
    problem : Problem
        Any problem whose ``loss`` and ``grad`` broadcast over a leading batch axis.
    theta0 : array_like, shape (problem.dim,) or (n, problem.dim)
        The common start, or one start per run (``lrs`` and ``thresholds`` broadcast to the
        ``n`` rows).
    lrs : float or array_like
        Positive learning rates, one per run.
    steps : int
        Number of updates per run.
    clip : {None, "value", "norm"}
        How to clip each run's gradient.
    thresholds : float or array_like, optional
        Positive thresholds (required with ``clip``); broadcast against ``lrs``.

    Returns
    -------
    Trajectories
        Arrays with a leading configuration axis: ``thetas (n, steps + 1, d)``,
        ``losses (n, steps + 1)``, ``grad_norms``, ``clipped`` and ``step_lengths``
        ``(n, steps)``, ``diverged_at (n,)`` (-1 = never); ``result[i]`` is the
        :class:`Trajectory` of run ``i``.

    See Also
    --------
    run : one run. sweep : final losses only, over a full (lr, threshold) grid.

    Examples
    --------
    >>> from gradclip import Quadratic
    >>> q = Quadratic.with_condition(10.0)          # lambda_max = 1: the edge is lr = 2
    >>> runs = run_batch(q, [1.0, 1.0], [0.5, 1.9, 2.1], steps=200)
    >>> runs.thetas.shape
    (3, 201, 2)
    >>> [t.diverged_at for t in runs]                # only the rate above the edge diverges
    [None, None, 77]
    >>> clipped = run_batch(q, [1.0, 1.0], 2.1, steps=200, clip="norm", thresholds=[0.1, 1.0])
    >>> [t.diverged_at for t in clipped]             # clipping keeps both runs bounded
    [None, None]
    >>> starts = run_batch(q, [[1.0, 1.0], [2.0, 2.0]], 2.1, steps=200)   # one start per run
    >>> [t.diverged_at for t in starts]
    [77, 74]
    """
    steps = v.non_negative_int(steps, "steps")
    if thresholds is None and clip is not None:
        raise ValueError(f"clip={clip!r} needs thresholds")
    theta0, lrs, thresholds = _grid(problem, theta0, lrs, thresholds, clip, rows=True)
    if thresholds is not None:
        try:
            lrs, thresholds = (np.array(a) for a in np.broadcast_arrays(lrs, thresholds))
        except ValueError:
            raise ValueError(f"lrs ({lrs.size}) and thresholds ({thresholds.size}) must broadcast") from None
    theta0, lrs, thresholds = broadcast_rows(theta0, lrs, thresholds)
    out = descend(problem, theta0, lrs, thresholds, steps, clip)
    return Trajectories(*out, lrs=lrs, thresholds=thresholds, clip=clip)


def sweep(problem, theta0, lrs, thresholds=None, steps=100, clip="norm"):
    """Final loss and divergence for every (learning rate, threshold) pair, all at once.

    The whole grid is one batched descent (no Python loop over configurations), which makes
    grid searches and phase diagrams cheap.

    Parameters
    ----------
    problem, theta0 :
        As in :func:`run`.
    lrs : array_like
        Learning rates (rows of the grid).
    thresholds : array_like, optional
        Clipping thresholds (columns). ``None`` means no clipping and a 1-D result.
    steps : int
        Updates per run.
    clip : {"norm", "value"}
        Clipping mode used with ``thresholds``.

    Returns
    -------
    SweepResult
        ``final_loss`` (``inf`` where diverged), ``diverged`` (bool) and ``diverged_at``
        (``-1`` where not), each shaped ``(len(lrs), len(thresholds))`` or ``(len(lrs),)``.

    Examples
    --------
    >>> from gradclip import Quadratic
    >>> res = sweep(Quadratic.with_condition(4.0), [1.0, 1.0], [0.5, 1.9, 2.1], steps=300)
    >>> res.diverged.tolist()
    [False, False, True]
    """
    steps = v.non_negative_int(steps, "steps")
    theta0, lrs, thresholds = _grid(problem, theta0, lrs, thresholds, clip)
    if thresholds is None:
        shape, flat_lr, flat_thr, mode = (lrs.size,), lrs, None, None
    else:
        shape = (lrs.size, thresholds.size)
        L, C = np.meshgrid(lrs, thresholds, indexing="ij")
        flat_lr, flat_thr, mode = L.ravel(), C.ravel(), clip
    _, loss, dat = descend(problem, theta0, flat_lr, flat_thr, steps, mode, record=False)
    diverged = dat >= 0
    final = np.where(diverged, np.inf, loss)
    return SweepResult(lrs, thresholds, final.reshape(shape), diverged.reshape(shape),
                       dat.reshape(shape), steps, clip if thresholds is not None else None)


def classify_rate(lr, lam_max):
    """Name the regime of gradient descent with rate ``lr`` along a curvature ``lam_max``.

    On a quadratic, the error along an eigen-direction with eigenvalue ``lam`` is multiplied
    by ``1 - lr * lam`` each step. With ``r = lr * lam_max``:

    * ``r < 0.25``: "slow" (every factor is above 0.75),
    * ``r <= 1``: "good" (no direction overshoots),
    * ``r < 2``: "oscillating" (the steepest direction overshoots and flips sign each step),
    * ``r == 2`` (to 1e-9): "on the edge" (that direction neither grows nor shrinks),
    * ``r > 2``: "divergent" (``|1 - r| > 1``).

    Parameters
    ----------
    lr : float or array_like
        Positive learning rate(s).
    lam_max : float
        Positive largest eigenvalue of the Hessian.

    Returns
    -------
    str, or numpy.ndarray of str when ``lr`` is an array

    See Also
    --------
    gradclip.exercises.regime : the same for a problem with ``max_stable_lr``.

    Examples
    --------
    >>> [classify_rate(lr, 1.0) for lr in (0.1, 0.8, 1.5, 2.0, 2.5)]
    ['slow', 'good', 'oscillating', 'on the edge', 'divergent']
    """
    lrs = v.positive_array(lr, "lr")
    lam = v.positive(lam_max, "lam_max")
    r = lrs * lam
    names = np.select([np.abs(r - 2.0) <= 1e-9, r < 0.25, r <= 1.0, r < 2.0],
                      ["on the edge", "slow", "good", "oscillating"], "divergent")
    return str(names) if names.ndim == 0 else names
