"""Stochastic gradient descent with light- and heavy-tailed gradient noise, many seeds at once.

Run ``i`` draws its noise from its own generator ``np.random.default_rng([seed, i])``, one
vector per step, so a run is the same whether it is computed alone or among a thousand.
"""

from dataclasses import dataclass

import numpy as np

from . import validation as v
from ._engine import check_clip, check_problem, check_seed, check_theta0, clip_rows, noise_blocks

__all__ = ["noisy_sgd", "noisy_sgd_sweep", "NoisyRuns", "NOISE_KINDS"]

NOISE_KINDS = ("gaussian", "student_t")
@dataclass(frozen=True)
class NoisyRuns:
    """Outcome of :func:`noisy_sgd`: one row per run.

    Attributes
    ----------
    final : ndarray (n_runs, d)
        Last iterates (the last finite one for a run that overflowed).
    errors : ndarray (n_runs,)
        ``||final - solution||`` (NaN when the problem has no ``solution``).
    final_loss : ndarray (n_runs,)
    clipped_fraction : ndarray (n_runs,)
        Share of steps in which clipping changed the noisy gradient.
    diverged_at : ndarray (n_runs,)
        First step with a non-finite iterate, -1 if none. A huge but finite jump is not
        divergence here: on a stable problem it decays again.
    path : ndarray (n_runs, steps + 1, d) or None
        All iterates when ``record=True``.
    """

    final: np.ndarray
    errors: np.ndarray
    final_loss: np.ndarray
    clipped_fraction: np.ndarray
    diverged_at: np.ndarray
    path: object = None

    def summary(self):
        """Median, 90th and 99th percentile and maximum of ``errors`` (a dict of floats)."""
        e = self.errors
        return {"median": float(np.median(e)), "p90": float(np.percentile(e, 90)),
                "p99": float(np.percentile(e, 99)), "max": float(np.max(e))}


def noisy_sgd(problem, theta0, lr, steps, noise="gaussian", scale=1.0, df=3.0, clip=None,
              threshold=None, seed=0, n_runs=1, record=False):
    r"""SGD with additive gradient noise, ``n_runs`` seeds at once.

    .. math::

        \theta_{k+1} = \theta_k - \mathrm{lr}\,\operatorname{clip}\big(\nabla f(\theta_k)
        + s\,\xi_k\big), \qquad \xi_k \sim \mathcal N(0, I) \ \text{or}\ t_\nu^{\otimes d}

    Each coordinate of Student-t noise ``t_nu`` has variance ``nu / (nu - 2)`` for ``nu > 2``
    and INFINITE variance for ``nu <= 2`` (its tail falls like ``|x|^-(nu+1)``): rare huge
    gradients that plain SGD follows all the way and norm clipping cuts to ``threshold``.
    Clipping a noise law symmetric about 0 keeps it unbiased at the solution, where the true
    gradient is 0.

    Parameters
    ----------
    problem : Problem
        Anything with ``dim`` and batched ``loss`` and ``grad``.
    theta0 : array_like, shape (d,)
        Common start.
    lr : float
        Positive learning rate.
    steps : int
        Number of updates.
    noise : {"gaussian", "student_t"}
        Law of ``xi``.
    scale : float
        Positive factor ``s`` on the noise.
    df : float
        Positive degrees of freedom ``nu`` of the Student-t law.
    clip : {None, "norm", "value"}
        Clipping of the noisy gradient.
    threshold : float, optional
        The clipping threshold.
    seed : int
        Run ``i`` uses ``np.random.default_rng([seed, i])``, drawing ``d`` numbers per step.
    n_runs : int
        Number of runs.
    record : bool
        Keep every iterate in ``path``.

    Returns
    -------
    NoisyRuns

    Examples
    --------
    >>> from gradclip import Quadratic
    >>> q = Quadratic([[1.0, 0.0], [0.0, 1.0]])
    >>> plain = noisy_sgd(q, [0.0, 0.0], 0.1, 200, "student_t", df=1.5, seed=1, n_runs=200)
    >>> clipped = noisy_sgd(q, [0.0, 0.0], 0.1, 200, "student_t", df=1.5, clip="norm",
    ...                     threshold=1.0, seed=1, n_runs=200)
    >>> plain.final.shape, bool(clipped.summary()["max"] < plain.summary()["max"])
    ((200, 2), True)
    """
    check_problem(problem)
    theta0 = check_theta0(problem, theta0)
    lr, steps, noise, scale, df = _check_run(lr, steps, noise, scale, df)
    clip = check_clip(clip, threshold, allow_callable=False)
    thr = None if threshold is None else v.positive(threshold, "threshold")
    seed, n_runs = check_seed(seed, n_runs)
    thresholds = None if thr is None else np.full(n_runs, thr)
    return _noisy_rows(problem, theta0, lr, steps, noise, scale, df, clip, thresholds, seed, n_runs,
                       1, record)[0]


def noisy_sgd_sweep(problem, theta0, lr, steps, thresholds, noise="gaussian", scale=1.0, df=3.0,
                    clip="norm", seed=0, n_runs=1, record=False):
    """:func:`noisy_sgd` at several thresholds, every one with the same noise, in one pass.

    Run ``i`` of every threshold draws the noise of run ``i`` of :func:`noisy_sgd` (from
    ``np.random.default_rng([seed, i])``), so entry ``j`` of the result equals
    ``noisy_sgd(..., clip=clip, threshold=thresholds[j])``, and plain SGD where
    ``thresholds[j]`` is None. The settings are stacked along the batch of runs: one loop
    over the steps and one noise draw serve them all.

    Parameters
    ----------
    thresholds : sequence of (float or None)
        Positive thresholds; None is the unclipped run.
    clip : {"norm", "value"}
        Clipping of the noisy gradient for the thresholds that are not None.
    problem, theta0, lr, steps, noise, scale, df, seed, n_runs, record
        As in :func:`noisy_sgd`.

    Returns
    -------
    list of NoisyRuns
        One per threshold, in order.

    Examples
    --------
    >>> from gradclip import Quadratic
    >>> q = Quadratic([[1.0, 0.0], [0.0, 1.0]])
    >>> plain, clipped = noisy_sgd_sweep(q, [0.0, 0.0], 0.1, 50, [None, 1.0], "student_t", df=1.5,
    ...                                  seed=1, n_runs=20)
    >>> alone = noisy_sgd(q, [0.0, 0.0], 0.1, 50, "student_t", df=1.5, clip="norm", threshold=1.0,
    ...                   seed=1, n_runs=20)
    >>> bool(np.array_equal(clipped.final, alone.final))
    True
    """
    check_problem(problem)
    theta0 = check_theta0(problem, theta0)
    lr, steps, noise, scale, df = _check_run(lr, steps, noise, scale, df)
    if clip not in ("norm", "value"):
        raise ValueError(f"clip must be 'norm' or 'value', got {clip!r}")
    if isinstance(thresholds, (str, bytes)) or not hasattr(thresholds, "__len__") or not len(thresholds):
        raise ValueError(f"thresholds must be a non-empty sequence of thresholds or None, got {thresholds!r}")
    thr = [np.inf if t is None else v.positive(t, "thresholds") for t in thresholds]
    seed, n_runs = check_seed(seed, n_runs)
    return _noisy_rows(problem, theta0, lr, steps, noise, scale, df, clip, np.repeat(thr, n_runs),
                       seed, n_runs, len(thr), record)


def _check_run(lr, steps, noise, scale, df):
    lr = v.positive(lr, "lr")
    steps = v.non_negative_int(steps, "steps")
    if noise not in NOISE_KINDS:
        raise ValueError(f"noise must be one of {NOISE_KINDS}, got {noise!r}")
    return lr, steps, noise, v.positive(scale, "scale"), v.positive(df, "df")


def _noisy_rows(problem, theta0, lr, steps, noise, scale, df, clip, thresholds, seed, n_runs, m, record):
    """The loop of :func:`noisy_sgd` over ``m * n_runs`` rows: setting ``s`` (rows
    ``s * n_runs ... (s + 1) * n_runs``) with the thresholds of its rows, run ``i`` of every
    setting with the noise of run ``i``. Returns one :class:`NoisyRuns` per setting."""
    d, rows = problem.dim, m * n_runs
    theta = np.broadcast_to(theta0, (rows, d)).copy()
    active = np.ones(rows, dtype=bool)
    diverged_at = np.full(rows, -1)
    n_clipped = np.zeros(rows)
    path = np.full((rows, steps + 1, d), np.nan) if record else None
    if record:
        path[:, 0] = theta
    k = 0
    with np.errstate(all="ignore"):
        for block in noise_blocks(noise, df, n_runs, steps, d, seed):
            if m > 1:
                block = np.tile(block, (m, 1, 1))
            for j in range(block.shape[1]):
                g = np.asarray(problem.grad(theta), dtype=np.float64) + scale * block[:, j]
                used, over = clip_rows(g, clip, thresholds)
                new = theta - lr * used
                bad = active & ~np.all(np.isfinite(new), axis=-1)
                diverged_at[bad] = k + 1
                n_clipped += over & active
                active &= ~bad
                theta = np.where(active[:, None], new, theta)
                if record:
                    path[active, k + 1] = theta[active]
                k += 1
        final_loss = np.asarray(problem.loss(theta), dtype=np.float64)
        if hasattr(problem, "solution"):
            errors = v.vector_norm(theta - problem.solution(), 2.0, axis=-1)
        else:
            errors = np.full(rows, np.nan)
    taken = np.where(diverged_at >= 0, diverged_at, steps)
    frac = np.divide(n_clipped, taken, out=np.zeros(rows), where=taken > 0)
    part = lambda a, s: None if a is None else a[s * n_runs:(s + 1) * n_runs]  # noqa: E731
    return [NoisyRuns(part(theta, s), part(errors, s), part(final_loss, s), part(frac, s),
                      part(diverged_at, s), part(path, s)) for s in range(m)]
