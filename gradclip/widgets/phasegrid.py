"""The runs behind the phase-diagram explorer: its three problems, its grid, and every run of
one (problem, clip mode) map kept for all steps.

:class:`TinyNet` is the smallest MLP with a curved loss (one tanh unit, two weights), batched
over parameter vectors like every :mod:`gradclip.problems` problem, so a whole map of its runs
is one :func:`gradclip.run_batch` call.
"""

import numpy as np

from .. import validation as v
from ..data import demo_regression
from ..problems import CliffRNN, Problem
from ..solvers import SweepResult, run_batch

__all__ = ["TinyNet", "PROBLEMS", "CLIPS", "LRS", "THRESHOLDS", "PICK", "scenes", "PhaseRuns",
           "phase_runs", "solved_level"]

#: Learning rates and thresholds of the map (the sliders use every second one, ``PICK``).
LRS = np.geomspace(0.01, 10.0, 31)
THRESHOLDS = np.geomspace(0.01, 10.0, 31)
PICK = slice(None, None, 2)
CLIPS = ("none", "value", "norm")


class TinyNet(Problem):
    r"""A one-unit tanh network fitted to 16 points: the smallest MLP, batched over ``theta``.

    .. math::

        J(w_1, w_2) = \frac{1}{2m} \sum_i \left(w_2 \tanh(w_1 x_i) - y_i\right)^2

    with ``x ~ U(-2, 2)`` and ``y = 0.8 tanh(1.5 x) + N(0, 0.05^2)`` drawn from
    ``default_rng(seed)`` (x first). ``(0, 0)`` is a saddle (zero gradient); the minimum lies
    near ``(1.43, 0.80)``. Unlike a quadratic its curvature changes from place to place, so
    ``max_stable_lr`` is the edge ``2 / lambda_max`` AT THE MINIMUM only.

    Parameters
    ----------
    seed : int
    m : int
        Number of points (at least 2).

    Examples
    --------
    >>> net = TinyNet()
    >>> net.solution().round(3).tolist(), round(net.max_stable_lr(), 3)
    ([1.434, 0.802], 2.521)
    >>> net.grad([[0.0, 0.0], [1.0, 1.0]]).shape
    (2, 2)
    """

    dim = 2

    def __init__(self, seed=0, m=16):
        m = v.non_negative_int(m, "m")
        if m < 2:
            raise ValueError(f"m must be at least 2, got {m!r}")
        rng = np.random.default_rng(v.non_negative_int(seed, "seed"))
        self.x = rng.uniform(-2.0, 2.0, m)
        self.y = 0.8 * np.tanh(1.5 * self.x) + rng.normal(scale=0.05, size=m)
        self._star = None

    def _parts(self, theta):
        theta = self._theta(theta)
        w1, w2 = theta[..., :1], theta[..., 1:]
        with np.errstate(over="ignore", invalid="ignore"):
            h = np.tanh(w1 * self.x)
            return w1, w2, h, w2 * h - self.y

    def loss(self, theta):
        """``mean(r^2) / 2`` with residuals ``r = w2 tanh(w1 x) - y`` (batched)."""
        *_, r = self._parts(theta)
        with np.errstate(over="ignore", invalid="ignore"):
            return 0.5 * np.mean(r * r, axis=-1)

    def grad(self, theta):
        """``(mean(r w2 (1 - h^2) x), mean(r h))`` with ``h = tanh(w1 x)`` (batched)."""
        _, w2, h, r = self._parts(theta)
        with np.errstate(over="ignore", invalid="ignore"):
            d1 = np.mean(r * w2 * (1 - h * h) * self.x, axis=-1)
            d2 = np.mean(r * h, axis=-1)
        return np.stack([d1, d2], axis=-1)

    def hessian(self, theta):
        """The 2 x 2 Hessian ``mean(grad r grad r^T + r hess r)`` at one ``theta``."""
        _, w2, h, r = self._parts(v.as_float_array(theta, "theta").reshape(2))
        s = 1 - h * h
        dr = np.stack([w2 * s * self.x, h])
        d11 = -2.0 * w2 * h * s * self.x ** 2
        d12 = s * self.x
        H = dr @ dr.T / len(self.x)
        H += np.array([[np.mean(r * d11), np.mean(r * d12)], [np.mean(r * d12), 0.0]])
        return H

    def solution(self):
        """The minimum with ``w1 > 0`` (Newton's method from ``(1.5, 0.8)``)."""
        if self._star is None:
            theta = np.array([1.5, 0.8])
            for _ in range(50):
                theta = theta - np.linalg.solve(self.hessian(theta), self.grad(theta))
            self._star = theta
        return self._star.copy()

    def max_stable_lr(self):
        """``2 / lambda_max`` of the Hessian at :meth:`solution`."""
        return float(2.0 / np.linalg.eigvalsh(self.hessian(self.solution()))[-1])

    def __repr__(self):
        return f"TinyNet(m={len(self.x)})"


def scenes():
    """Problem name -> its problem, start, view, edge, solved rule and plot limits."""
    reg, reg0 = demo_regression()
    net = TinyNet()
    return {
        "regression": dict(problem=reg, theta0=reg0, xlim=(-1.0, 6.0), ylim=(-1.5, 8.0), log=True,
                           edge=reg.max_stable_lr(), solved=0.01, vlim=(0.47, 30.0),
                           glim=(1e-7, 1e3), labels=(r"$\theta_0$ (intercept)", r"$\theta_1$ (slope)"),
                           title="linear regression (notebook 01)"),
        "cliff RNN": dict(problem=CliffRNN(), theta0=np.array([4.5, -2.8]), xlim=(0.0, 10.0),
                          ylim=(-6.0, 5.0), log=False, edge=None, solved=("abs", 0.01),
                          vlim=(1e-6, 0.5), glim=(1e-7, 1e3),
                          labels=("w (recurrent weight)", "b (bias)"),
                          title="CliffRNN (notebook 04)"),
        "tiny net": dict(problem=net, theta0=np.array([0.1, 0.1]), xlim=(-0.5, 2.5),
                         ylim=(-0.5, 1.5), log=True, edge=net.max_stable_lr(), solved=0.01,
                         vlim=(5e-4, 0.3), glim=(1e-7, 1e2), labels=("w1 (input weight)", "w2 (output weight)"),
                         title="one tanh unit, 2 weights"),
    }


#: The problems of the toggle, in order.
PROBLEMS = ("regression", "cliff RNN", "tiny net")


class PhaseRuns:
    """Every run of one (problem, clip mode) map, all steps kept.

    Attributes
    ----------
    losses : ndarray (n_lr, n_thr, steps + 1)
        Loss after each step (NaN after a divergence); for ``clip="none"`` the same for
        every threshold.
    diverged_at : ndarray of int (n_lr, n_thr)
        First diverged step, -1 for none.
    picked : Trajectories
        The runs the sliders reach (every second lr and threshold), row ``i * n + j``.
    """

    def __init__(self, problem, theta0, clip, lrs, thresholds, steps):
        n_lr, n_thr = len(lrs), len(thresholds)
        if clip == "none":
            r = run_batch(problem, theta0, lrs, steps)
            grid = lambda a: np.repeat(a[:, None], n_thr, axis=1)  # noqa: E731
            rows = np.repeat(np.arange(n_lr)[PICK], len(thresholds[PICK]))
        else:
            L, C = np.meshgrid(lrs, thresholds, indexing="ij")
            r = run_batch(problem, theta0, L.ravel(), steps, clip=clip, thresholds=C.ravel())
            grid = lambda a: a.reshape((n_lr, n_thr) + a.shape[1:])  # noqa: E731
            rows = np.arange(n_lr * n_thr).reshape(n_lr, n_thr)[PICK, PICK].ravel()
        self.lrs, self.thresholds, self.clip, self.steps = lrs, thresholds, clip, steps
        self.losses, self.diverged_at = grid(r.losses), grid(r.diverged_at)
        self.picked = {name: getattr(r, name)[rows] for name in
                       ("thetas", "losses", "grad_norms", "clipped", "diverged_at")}

    def at(self, steps):
        """The map after ``steps`` steps as a :class:`~gradclip.SweepResult` (what
        ``gradclip.sweep(..., steps=steps)`` returns for this grid)."""
        diverged = (self.diverged_at >= 0) & (self.diverged_at <= steps)
        final = np.where(diverged, np.inf, self.losses[..., steps])
        return SweepResult(self.lrs, self.thresholds, final, diverged,
                           np.where(diverged, self.diverged_at, -1), steps,
                           None if self.clip == "none" else self.clip)


def phase_runs(problem="regression", clip="norm", steps=200):
    """:class:`PhaseRuns` of one of :data:`PROBLEMS` on the explorer's grid.

    Examples
    --------
    >>> runs = phase_runs("regression", "norm", steps=20)
    >>> runs.losses.shape, runs.picked["thetas"].shape
    ((31, 31, 21), (256, 21, 2))
    """
    if problem not in PROBLEMS:
        raise ValueError(f"problem must be one of {PROBLEMS}, got {problem!r}")
    if clip not in CLIPS:
        raise ValueError(f"clip must be one of {CLIPS}, got {clip!r}")
    sc = scenes()[problem]
    return PhaseRuns(sc["problem"], sc["theta0"], clip, LRS, THRESHOLDS, steps)


def solved_level(final_loss, solved):
    """The loss at or below which a run counts as solved: within ``solved`` (relative) of the
    best finite loss, or ``solved = ("abs", level)``; the rule of
    :func:`gradclip.plots.plot_phase`'s contour.

    Examples
    --------
    >>> solved_level([[0.5, 2.0], [np.inf, 0.6]], 0.01)
    0.505
    >>> solved_level([[1e-9, 0.3]], ("abs", 0.01))
    0.01
    """
    if isinstance(solved, tuple):
        return float(solved[1])
    loss = np.asarray(final_loss, dtype=np.float64)
    finite = loss[np.isfinite(loss)]
    if not finite.size:
        return -np.inf
    best = float(finite.min())
    return best + solved * abs(best) if best > 0 else 1e-12
