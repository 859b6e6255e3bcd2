"""Per-example clipping (as in DP-SGD) and the bias it brings.

For ``f(x) = mean_i 1/2 ||x - a_i||^2`` each example's gradient ``x - a_i`` is clipped to norm
``threshold`` BEFORE averaging, as differentially private SGD does (Abadi et al. 2016). The
average of clipped gradients is not the clipped average: with ``a = (-3, 3)`` and threshold 1
every ``x`` in ``[-2, 2]`` has mean clipped gradient ``(1 - 1) / 2 = 0``, so the method stops
anywhere in that interval, not at the minimum 0 (Chen, Wu & Hong 2020). Clipping the mean
gradient (what :func:`~gradclip.solvers.run` does) has no such bias: its only zero is the
minimum.

References
----------
Abadi, Chu, Goodfellow, McMahan, Mironov, Talwar & Zhang (2016), "Deep learning with
differential privacy", ACM CCS. https://arxiv.org/abs/1607.00133
Chen, Wu & Hong (2020), "Understanding gradient clipping in private SGD: a geometric
perspective", NeurIPS. https://arxiv.org/abs/2006.15429
"""

from dataclasses import dataclass

import numpy as np

from . import validation as v
from ._engine import check_seed, noise_blocks, norm_scale

__all__ = ["mean_clipped_gradient", "per_example_clipped_gd", "per_example_clipped_sweep", "PerExampleRuns",
           "stationary_set"]


def _points(a):
    a = v.as_float_array(a, "a")
    if a.ndim == 1:
        a = a[:, None]
    if a.ndim != 2 or a.shape[0] == 0 or not np.all(np.isfinite(a)):
        raise ValueError(f"a must be a non-empty finite array of shape (n,) or (n, d), got {a.shape}")
    return a


def _mean_clipped(a, theta, threshold):
    """Kernel: mean over examples of ``clip_by_norm(theta - a_i, threshold)``; theta (..., d)."""
    diff = theta[..., None, :] - a
    norms = np.sqrt(np.sum(diff * diff, axis=-1))
    return np.mean(diff * norm_scale(norms, threshold)[..., None], axis=-2)


def mean_clipped_gradient(a, theta, threshold):
    r"""The average of per-example clipped gradients of ``mean_i 1/2 ||x - a_i||^2``.

    .. math::

        G(x) = \frac1n \sum_i (x - a_i) \min\Big(1, \frac{c}{\lVert x - a_i \rVert}\Big)

    Parameters
    ----------
    a : array_like, shape (n,) or (n, d)
        The examples (a 1-D array means ``d = 1``).
    theta : array_like, shape (..., d)
        Point(s); for ``d = 1`` a plain array of points of shape ``(...)`` is also accepted
        and the result then has that shape.
    threshold : float
        Positive per-example clipping norm ``c``.

    Returns
    -------
    numpy.ndarray
        ``G`` at every point.

    Examples
    --------
    >>> mean_clipped_gradient([-3.0, 3.0], [-4.0, -2.0, 0.0, 1.5, 2.0, 2.5], 1.0).tolist()
    [-1.0, 0.0, 0.0, 0.0, 0.0, 0.25]
    """
    pts = _points(a)
    c = v.positive(threshold, "threshold")
    theta = v.as_float_array(theta, "theta")
    scalar_points = pts.shape[1] == 1 and (theta.ndim == 0 or theta.shape[-1] != 1)
    x = theta[..., None] if scalar_points else theta
    if x.shape[-1] != pts.shape[1]:
        raise ValueError(f"theta must have shape (..., {pts.shape[1]}), got {theta.shape}")
    out = _mean_clipped(pts, x, c)
    return out[..., 0] if scalar_points else out


def stationary_set(a, threshold):
    r"""The interval of zeros of the mean per-example clipped gradient, in closed form (1-D).

    In one dimension ``G(x) = mean_i clip(x - a_i, -c, c)`` is continuous, non-decreasing and
    piecewise linear with kinks at ``a_i +- c``; it equals ``-c`` left of ``min a - c`` and
    ``+c`` right of ``max a + c``. Its zero set is therefore one closed interval ``[lo, hi]``,
    found exactly by locating the sign change of ``G`` between consecutive kinks and solving the
    linear piece there. For two points ``a_1 < a_2``: ``[a_1 + c, a_2 - c]`` when
    ``a_2 - a_1 >= 2c``, else the single point ``(a_1 + a_2) / 2``.

    Parameters
    ----------
    a : array_like, shape (n,)
        The examples (scalars).
    threshold : float
        Positive per-example clipping norm ``c``.

    Returns
    -------
    tuple of float
        ``(lo, hi)``; ``lo == hi`` when the fixed point is unique.

    Examples
    --------
    >>> stationary_set([-3.0, 3.0], 1.0)          # every x in [-2, 2] is a fixed point
    (-2.0, 2.0)
    >>> stationary_set([-3.0, 3.0], 5.0)          # a large threshold: only the minimum 0
    (0.0, 0.0)
    """
    pts = v.as_float_array(a, "a")
    if pts.ndim != 1 or pts.size == 0 or not np.all(np.isfinite(pts)):
        raise ValueError(f"a must be a non-empty finite 1-D array of scalars, got {a!r}")
    c = v.positive(threshold, "threshold")
    kinks = np.unique(np.concatenate([pts - c, pts + c]))
    g = np.mean(np.clip(kinks[:, None] - pts, -c, c), axis=1)
    # (a_i + c) - a_i need not round to c: values within rounding of 0 are 0
    g[np.abs(g) <= 8 * np.finfo(float).eps * (np.max(np.abs(pts)) + c)] = 0.0
    lo_j = int(np.argmax(g >= 0))                   # first kink with G >= 0 (j >= 1: G = -c at 0)
    hi_j = int(len(g) - 1 - np.argmax(g[::-1] <= 0))  # last kink with G <= 0
    lo = kinks[lo_j] if g[lo_j] == 0 else kinks[lo_j - 1] + (0 - g[lo_j - 1]) * (
        kinks[lo_j] - kinks[lo_j - 1]) / (g[lo_j] - g[lo_j - 1])
    hi = kinks[hi_j] if g[hi_j] == 0 else kinks[hi_j] + (0 - g[hi_j]) * (
        kinks[hi_j + 1] - kinks[hi_j]) / (g[hi_j + 1] - g[hi_j])
    return float(lo), float(hi)


@dataclass(frozen=True)
class PerExampleRuns:
    """Iterates of :func:`per_example_clipped_gd`, ``thetas`` shaped ``(n_runs, steps + 1, d)``."""

    thetas: np.ndarray

    @property
    def final(self):
        """Last iterates, ``(n_runs, d)``."""
        return self.thetas[:, -1].copy()


def _check_descent(a, x0, lr, steps):
    pts = _points(a)
    d = pts.shape[1]
    x0 = np.atleast_1d(v.as_float_array(x0, "x0"))
    if x0.shape != (d,) or not np.all(np.isfinite(x0)):
        raise ValueError(f"x0 must be a finite vector of length {d}, got {x0.tolist()!r}")
    return pts, x0, v.positive(lr, "lr"), v.non_negative_int(steps, "steps")


def _check_sigma(noise_std, name="noise_std"):
    sigma = float(v.as_float_array(noise_std, name))
    if not (np.isfinite(sigma) and sigma >= 0):
        raise ValueError(f"{name} must be a finite number >= 0, got {noise_std!r}")
    return sigma


def _clipped_rows(pts, x0, lr, steps, thresholds, sigmas, seed, n_runs):
    """Iterates ``(len(thresholds), n_runs, steps + 1, d)``: setting ``s`` clips at
    ``thresholds[s]`` with noise multiplier ``sigmas[s]``; run ``i`` of every setting draws the
    noise of run ``i`` (none is drawn when every ``sigma`` is 0)."""
    m, d = len(thresholds), pts.shape[1]
    thetas = np.empty((m * n_runs, steps + 1, d))
    thetas[:, 0] = x0
    x = thetas[:, 0].copy()
    if m == 1:  # one setting: plain numbers
        c, noise_sd = float(thresholds[0]), float(sigmas[0]) * float(thresholds[0]) / pts.shape[0]
    else:  # one row per (setting, run)
        c = np.repeat(thresholds, n_runs)[:, None]
        noise_sd = np.repeat(sigmas * thresholds / pts.shape[0], n_runs)[:, None]
    noisy = bool(np.any(np.asarray(sigmas) > 0))
    blocks = noise_blocks("gaussian", None, n_runs, steps, d, seed) if noisy else None
    k = 0
    while k < steps:
        block = next(blocks) if blocks is not None else np.zeros((n_runs, steps - k, d))
        if m > 1:
            block = np.tile(block, (m, 1, 1))
        for j in range(block.shape[1]):
            x = x - lr * (_mean_clipped(pts, x, c) + noise_sd * block[:, j])
            thetas[:, k + 1] = x
            k += 1
    return thetas.reshape(m, n_runs, steps + 1, d)


def per_example_clipped_gd(a, x0, lr, steps, threshold, noise_std=0.0, seed=0, n_runs=1):
    r"""Full-batch descent on ``mean_i 1/2 ||x - a_i||^2`` with per-example clipping (DP-SGD).

    .. math::

        x_{k+1} = x_k - \mathrm{lr}\Big(G(x_k) + \frac{\sigma c}{n}\,\xi_k\Big), \qquad
        \xi_k \sim \mathcal N(0, I_d)

    with ``G`` the :func:`mean_clipped_gradient`, ``c`` the threshold and ``sigma`` the noise
    multiplier ``noise_std``: the Gaussian mechanism of Abadi et al. (2016), noise of standard
    deviation ``sigma c`` added to the SUM of the ``n`` clipped gradients, then divided by ``n``.

    Parameters
    ----------
    a : array_like, shape (n,) or (n, d)
        The examples.
    x0 : float or array_like, shape (d,)
        Start.
    lr : float
        Positive learning rate.
    steps : int
        Number of updates.
    threshold : float
        Positive per-example clipping norm.
    noise_std : float
        Noise multiplier ``sigma >= 0`` (0: no noise, all runs identical).
    seed : int
        Run ``i`` draws ``xi`` from ``np.random.default_rng([seed, i])``, ``d`` numbers per step.
    n_runs : int
        Number of runs.

    Returns
    -------
    PerExampleRuns

    Examples
    --------
    >>> runs = per_example_clipped_gd([-3.0, 3.0], [10.0], lr=0.5, steps=100, threshold=1.0)
    >>> round(float(runs.final[0, 0]), 6)       # stops at the edge of [-2, 2], not at 0
    2.0
    """
    pts, x0, lr, steps = _check_descent(a, x0, lr, steps)
    c = v.positive(threshold, "threshold")
    sigma = _check_sigma(noise_std)
    seed, n_runs = check_seed(seed, n_runs)
    thetas = _clipped_rows(pts, x0, lr, steps, np.array([c]), np.array([sigma]), seed, n_runs)
    return PerExampleRuns(thetas[0])


def per_example_clipped_sweep(a, x0, lr, steps, thresholds, noise_stds, seed=0, n_runs=1):
    """:func:`per_example_clipped_gd` for every (threshold, noise multiplier), in one pass.

    Run ``i`` of every setting draws the noise of run ``i`` of :func:`per_example_clipped_gd`,
    so ``out[j, l]`` equals ``per_example_clipped_gd(a, x0, lr, steps, thresholds[j],
    noise_stds[l], seed, n_runs).thetas``; the settings are stacked along the batch of runs.

    Parameters
    ----------
    thresholds : sequence of float
        Positive per-example clipping norms.
    noise_stds : sequence of float
        Noise multipliers ``sigma >= 0``.
    a, x0, lr, steps, seed, n_runs
        As in :func:`per_example_clipped_gd`.

    Returns
    -------
    numpy.ndarray
        Iterates, shape ``(len(thresholds), len(noise_stds), n_runs, steps + 1, d)``.

    Examples
    --------
    >>> out = per_example_clipped_sweep([-3.0, 3.0], [10.0], 0.5, 100, [1.0, 5.0], [0.0, 1.0], n_runs=3)
    >>> out.shape, out[:, 0, 0, -1, 0].round(6).tolist()    # no noise: stops at 2, reaches 0
    ((2, 2, 3, 101, 1), [2.0, 0.0])
    """
    pts, x0, lr, steps = _check_descent(a, x0, lr, steps)
    thr = [v.positive(c, "thresholds") for c in np.atleast_1d(np.asarray(thresholds, dtype=object))]
    sig = [_check_sigma(s, "noise_stds") for s in np.atleast_1d(np.asarray(noise_stds, dtype=object))]
    if not thr or not sig:
        raise ValueError(f"thresholds and noise_stds must not be empty, got {thresholds!r}, {noise_stds!r}")
    seed, n_runs = check_seed(seed, n_runs)
    c, s = (a.ravel() for a in np.meshgrid(thr, sig, indexing="ij"))
    thetas = _clipped_rows(pts, x0, lr, steps, c, s, seed, n_runs)
    return thetas.reshape(len(thr), len(sig), n_runs, steps + 1, pts.shape[1])

