"""The runs behind the phase-diagram explorer: its three problems, its grid, and every run of
one (problem, clip mode) map kept for all steps.

The problems come from the core: the demo regression, :class:`~gradclip.cliff.CliffRNN` and
:class:`~gradclip.tinynet.TinyNet` (one tanh unit, two weights), each batched over parameter
vectors, so a whole map of runs is one :func:`gradclip.run_batch` call.
"""

import numpy as np

from ..cliff import CliffRNN
from ..data import demo_regression
from ..solvers import SweepResult, run_batch
from ..tinynet import TinyNet

__all__ = ["PROBLEMS", "CLIPS", "LRS", "THRESHOLDS", "PICK", "scenes", "PhaseRuns", "phase_runs"]

#: Learning rates and thresholds of the map (the sliders use every second one, ``PICK``).
LRS = np.geomspace(0.01, 10.0, 31)
THRESHOLDS = np.geomspace(0.01, 10.0, 31)
PICK = slice(None, None, 2)
CLIPS = ("none", "value", "norm")


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
