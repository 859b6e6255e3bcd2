"""Stochastic gradient descent with light- and heavy-tailed gradient noise, many seeds at once.

Run ``i`` draws its noise from its own generator ``np.random.default_rng([seed, i])``, one
vector per step, so a run is the same whether it is computed alone or among a thousand.
"""

from dataclasses import dataclass

import numpy as np

from . import validation as v
from .solvers import _check_clip, _check_problem, _check_theta0, _clip_rows

__all__ = ["noisy_sgd", "NoisyRuns", "NOISE_KINDS"]

NOISE_KINDS = ("gaussian", "student_t")
_CHUNK = 256


def _noise_blocks(kind, df, n_runs, steps, dim, seed):
    """Yield ``(n_runs, chunk, dim)`` standard noise, run ``i`` from ``default_rng([seed, i])``."""
    gens = [np.random.default_rng([seed, i]) for i in range(n_runs)]
    done = 0
    while done < steps:
        size = (min(_CHUNK, steps - done), dim)
        if kind == "gaussian":
            block = np.stack([g.standard_normal(size) for g in gens])
        else:
            block = np.stack([g.standard_t(df, size) for g in gens])
        done += size[0]
        yield block


def _check_seed(seed, n_runs):
    seed = v.non_negative_int(seed, "seed")
    n_runs = v.non_negative_int(n_runs, "n_runs")
    if n_runs < 1:
        raise ValueError(f"n_runs must be >= 1, got {n_runs!r}")
    return seed, n_runs


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
    _check_problem(problem)
    theta0 = _check_theta0(problem, theta0)
    lr = v.positive(lr, "lr")
    steps = v.non_negative_int(steps, "steps")
    if noise not in NOISE_KINDS:
        raise ValueError(f"noise must be one of {NOISE_KINDS}, got {noise!r}")
    scale = v.positive(scale, "scale")
    df = v.positive(df, "df")
    clip = _check_clip(clip, threshold, allow_callable=False)
    thr = None if threshold is None else v.positive(threshold, "threshold")
    seed, n_runs = _check_seed(seed, n_runs)
    d = problem.dim
    theta = np.broadcast_to(theta0, (n_runs, d)).copy()
    thresholds = None if thr is None else np.full(n_runs, thr)
    active = np.ones(n_runs, dtype=bool)
    diverged_at = np.full(n_runs, -1)
    n_clipped = np.zeros(n_runs)
    path = np.full((n_runs, steps + 1, d), np.nan) if record else None
    if record:
        path[:, 0] = theta
    k = 0
    with np.errstate(all="ignore"):
        for block in _noise_blocks(noise, df, n_runs, steps, d, seed):
            for j in range(block.shape[1]):
                g = np.asarray(problem.grad(theta), dtype=np.float64) + scale * block[:, j]
                used, over = _clip_rows(g, clip, thresholds)
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
            errors = np.full(n_runs, np.nan)
    taken = np.where(diverged_at >= 0, diverged_at, steps)
    frac = np.divide(n_clipped, taken, out=np.zeros(n_runs), where=taken > 0)
    return NoisyRuns(theta, errors, final_loss, frac, diverged_at, path)
