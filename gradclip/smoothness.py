"""Why clipping helps when curvature grows with the gradient: steps to a target loss.

Under (L0, L1)-smoothness, ``||hessian|| <= L0 + L1 ||grad||`` (Zhang, He, Sra & Jadbabaie
2020), a fixed learning rate must be small enough for the steepest point it may meet, and then
crawls near the minimum; clipped descent takes steps of length ``lr * threshold`` where the
gradient is large and full steps where it is small. :func:`steps_to_target` counts the steps
for a whole grid of rates and thresholds at once; :func:`fixed_vs_clipped` compares the best
fixed step with the best clipped one on :class:`~gradclip.problems.Power`.
"""

from dataclasses import dataclass

import numpy as np

from . import validation as v
from ._engine import check_problem, descend, plain, unit
from .problems import Power

__all__ = ["steps_to_target", "best_steps", "BestSteps", "fixed_vs_clipped", "FixedVsClipped"]

STEP_RULES = (None, "norm", "value", "normalized")


def _starts(problem, theta0):
    theta0 = v.as_float_array(theta0, "theta0")
    if theta0.ndim not in (1, 2) or theta0.shape[-1] != problem.dim or not np.all(np.isfinite(theta0)):
        raise ValueError(f"theta0 must be finite, shaped ({problem.dim},) or (m, {problem.dim}), "
                         f"got shape {theta0.shape}")
    return theta0


def steps_to_target(problem, theta0, lrs, target, steps, clip=None, thresholds=None):
    r"""First step at which descent reaches ``loss <= target``, for every configuration at once.

    Row by row this runs ``theta <- theta - lr * clip(grad f(theta))`` (or the normalized step
    ``lr g / ||g||`` with ``clip="normalized"``) and records the smallest ``k`` with
    ``f(theta_k) <= target``; 0 when the start already qualifies.

    Parameters
    ----------
    problem : Problem
        Anything with ``dim`` and batched ``loss`` and ``grad``.
    theta0 : array_like, shape (d,) or (m, d)
        One start, or ``m`` starts (a leading axis in the result).
    lrs : array_like
        Positive learning rates.
    target : float
        The loss to reach.
    steps : int
        Most updates tried.
    clip : {None, "norm", "value", "normalized"}
        The update rule; "norm" and "value" need ``thresholds``.
    thresholds : array_like, optional
        Positive clipping thresholds (a grid axis).

    Returns
    -------
    numpy.ndarray of int
        Shape ``([m,] len(lrs)[, len(thresholds)])``; -1 where the target was not reached
        within ``steps`` (including runs that diverged).

    Examples
    --------
    >>> from gradclip.problems import Power
    >>> f = Power(p=4)                                 # the edge from x0 = 2 is lr = 1/8
    >>> steps_to_target(f, [2.0], [0.01, 0.1, 0.13], target=1e-3, steps=10_000).tolist()
    [389, 36, -1]
    >>> steps_to_target(f, [2.0], [0.5], 1e-3, 10_000, clip="norm", thresholds=[1.0, 3.0]).tolist()
    [[8, 6]]
    >>> steps_to_target(f, [2.0], [0.3], 1e-3, 10_000, clip="normalized").tolist()
    [7]
    """
    check_problem(problem)
    starts = _starts(problem, theta0)
    lrs = v.positive_array(lrs, "lrs").reshape(-1)
    if not isinstance(target, (int, float, np.floating, np.integer)) or not np.isfinite(target):
        raise ValueError(f"target must be a finite number, got {target!r}")
    steps = v.non_negative_int(steps, "steps")
    if clip not in STEP_RULES:
        raise ValueError(f"clip must be one of {STEP_RULES}, got {clip!r}")
    if (clip in ("norm", "value")) != (thresholds is not None):
        raise ValueError(f"thresholds={thresholds!r} do not fit clip={clip!r}: "
                         "'norm' and 'value' need thresholds, the other rules take none")
    grid = (lrs.size,)
    if thresholds is not None:
        thresholds = v.positive_array(thresholds, "thresholds").reshape(-1)
        grid = (lrs.size, thresholds.size)
    rows = np.atleast_2d(starts)
    m, n_cfg = rows.shape[0], int(np.prod(grid))
    lr_rows = np.tile(np.broadcast_to(lrs.reshape((-1,) + (1,) * (len(grid) - 1)), grid).ravel(), m)
    thr_rows = None if thresholds is None else np.tile(np.broadcast_to(thresholds, grid).ravel(), m)
    normalized = clip == "normalized"
    hit = descend(problem, np.repeat(rows, n_cfg, axis=0), lr_rows, thr_rows, steps,
                   None if normalized else clip, record=False,
                   direction=unit if normalized else plain, target=float(target))
    return hit.reshape(((m,) if starts.ndim == 2 else ()) + grid)


@dataclass(frozen=True)
class BestSteps:
    """The configuration that reaches the target in the fewest worst-case steps.

    ``steps`` is -1 (and ``lr`` NaN) when no configuration reaches it from every start;
    ``table`` holds the worst case over the starts for every configuration.
    """

    lr: float
    threshold: object
    steps: int
    table: np.ndarray


def best_steps(problem, starts, lrs, target, steps, clip=None, thresholds=None):
    """Best configuration by the WORST case over several starts.

    A learning rate is fixed before the start is known, so it is judged by the start that
    needs the most steps (-1 if any start never reaches the target). Judging from one start
    would reward lucky coincidences: on ``x^4`` the rate ``1 / (4 x0^2)`` jumps from ``x0``
    exactly to the minimum in one step, from that start only.

    Parameters
    ----------
    problem, lrs, target, steps, clip, thresholds :
        As in :func:`steps_to_target`.
    starts : array_like, shape (m, d)
        The starts every configuration must handle.

    Returns
    -------
    BestSteps

    Examples
    --------
    >>> from gradclip.problems import Power
    >>> f = Power(p=4)
    >>> steps_to_target(f, [2.0], [0.0625, 0.12], 1e-3, 10_000).tolist()   # 1/(4 x0^2) lands on 0
    [1, 29]
    >>> starts = 2.0 * np.linspace(1 / 8, 1, 8)[:, None]
    >>> best = best_steps(f, starts, [0.0625, 0.12], 1e-3, 10_000)
    >>> best.lr, best.steps, best.table.tolist()        # from other starts 1/16 needs 59 steps
    (0.12, 30, [59, 30])
    """
    starts = v.as_float_array(starts, "starts")
    if starts.ndim != 2:
        raise ValueError(f"starts must be a 2-D array (m, d), got shape {starts.shape}")
    hits = steps_to_target(problem, starts, lrs, target, steps, clip, thresholds)
    worst = np.where(np.any(hits < 0, axis=0), -1, np.max(hits, axis=0))
    ok = worst >= 0
    if not ok.any():
        return BestSteps(np.nan, None, -1, worst)
    idx = np.unravel_index(np.argmin(np.where(ok, worst, np.iinfo(worst.dtype).max)), worst.shape)
    lrs = v.positive_array(lrs, "lrs").reshape(-1)
    thr = None if thresholds is None else float(np.reshape(thresholds, -1)[idx[1]])
    return BestSteps(float(lrs[idx[0]]), thr, int(worst[idx]), worst)


@dataclass(frozen=True)
class FixedVsClipped:
    """One row per ``x0``: the exact edge, the best fixed step and the best clipped step.

    ``fixed_steps`` and ``clip_steps`` are worst cases over the starts ``x0 * j / n_starts``,
    ``j = 1..n_starts`` (-1 where no configuration on the grid reached the target).
    """

    x0s: np.ndarray
    edge_lrs: np.ndarray
    fixed_lrs: np.ndarray
    fixed_steps: np.ndarray
    clip_lrs: np.ndarray
    clip_thresholds: np.ndarray
    clip_steps: np.ndarray
    target: float
    p: float


def fixed_vs_clipped(x0s, p=4.0, target=1e-3, n_starts=32, edge_fractions=None, clip_lrs=None,
                     thresholds=None, fixed_steps=100_000, clip_steps=3_000):
    r"""Best fixed step versus best clipped step on ``|x|^p``, from ever farther starts.

    For each ``x0`` the fixed rates are ``edge_fractions * edge`` with ``edge = 2 / (p x0^(p-2))``
    (:meth:`~gradclip.problems.Power.edge_lr`; ``1 / (2 x0^2)`` for ``p = 4``), since any larger
    rate diverges from ``x0``. With ``lr = rho / (2 x0^2)`` on ``x^4`` the iterate near 0 obeys
    ``x_k^(-2) ~ x_0^(-2) + 8 lr k``, so reaching ``x^4 = target`` takes about
    ``x0^2 / (4 rho sqrt(target))`` steps: quadratic in ``x0``. Clipped descent moves
    ``lr * threshold`` per step while ``|f'| > threshold`` (about ``x0 / (lr threshold)`` steps),
    then descends with the full rate ``lr``: linear in ``x0``.

    Parameters
    ----------
    x0s : array_like
        Positive starting distances.
    p : float
        The power (>= 2).
    target : float
        Loss to reach.
    n_starts : int
        Starts per ``x0`` for the worst case (``x0 * j / n_starts``).
    edge_fractions : array_like, optional
        Fixed rates as fractions of the edge; ``logspace(-1.5, 0, 61)`` by default.
    clip_lrs, thresholds : array_like, optional
        The clipped grid; ``logspace(-3, 1, 41)`` and ``logspace(-2, 2, 41)`` by default.
    fixed_steps, clip_steps : int
        Most steps tried for the fixed and the clipped runs.

    Returns
    -------
    FixedVsClipped

    Examples
    --------
    >>> res = fixed_vs_clipped([2.0], n_starts=8, edge_fractions=[0.5, 0.9],
    ...                        clip_lrs=[0.5, 1.0], thresholds=[1.0, 4.0])
    >>> res.edge_lrs.tolist(), res.fixed_steps.tolist(), res.clip_steps.tolist()
    ([0.125], [32], [4])
    """
    x0s = v.positive_array(x0s, "x0s").reshape(-1)
    problem = Power(p=p)
    n_starts = v.non_negative_int(n_starts, "n_starts")
    if n_starts < 1:
        raise ValueError(f"n_starts must be >= 1, got {n_starts!r}")
    fractions = np.logspace(-1.5, 0, 61) if edge_fractions is None else v.positive_array(
        edge_fractions, "edge_fractions").reshape(-1)
    clip_lrs = np.logspace(-3, 1, 41) if clip_lrs is None else clip_lrs
    thresholds = np.logspace(-2, 2, 41) if thresholds is None else thresholds
    rows = []
    for x0 in x0s:
        starts = (x0 * np.arange(1, n_starts + 1) / n_starts)[:, None]
        edge = problem.edge_lr([x0])
        fixed = best_steps(problem, starts, edge * fractions, target, fixed_steps)
        clipped = best_steps(problem, starts, clip_lrs, target, clip_steps, "norm", thresholds)
        rows.append((edge, fixed.lr, fixed.steps, clipped.lr,
                     np.nan if clipped.threshold is None else clipped.threshold, clipped.steps))
    cols = [np.array(c) for c in zip(*rows)]
    return FixedVsClipped(x0s, cols[0], cols[1], cols[2].astype(int), cols[3], cols[4],
                          cols[5].astype(int), float(target), problem.p)
