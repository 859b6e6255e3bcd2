"""What the solvers return: one run (:class:`Trajectory`), many runs computed together
(:class:`Trajectories`) and the final losses of a sweep (:class:`SweepResult`)."""

from dataclasses import dataclass

import numpy as np

from . import validation as v

__all__ = ["Trajectory", "Trajectories", "SweepResult"]


@dataclass(frozen=True)
class Trajectory:
    """One gradient-descent run.

    Attributes
    ----------
    thetas : ndarray (steps + 1, d)
        Iterates, ``thetas[0]`` the start; NaN after divergence.
    losses : ndarray (steps + 1,)
    grad_norms : ndarray (steps,)
        2-norm of the raw gradient at each step, BEFORE clipping.
    clipped : ndarray of bool (steps,)
        Whether clipping changed the gradient at each step.
    step_lengths : ndarray (steps,)
        ``||theta_{k+1} - theta_k||``, the effective step length.
    diverged_at : int or None
        Index of the first iterate whose loss is non-finite or blew up.
    """

    thetas: np.ndarray
    losses: np.ndarray
    grad_norms: np.ndarray
    clipped: np.ndarray
    step_lengths: np.ndarray
    diverged_at: object
    lr: float
    clip: object = None
    threshold: object = None

    @property
    def diverged(self):
        return self.diverged_at is not None

    @property
    def final_loss(self):
        """Loss of the last iterate (``inf`` if the run diverged)."""
        return np.inf if self.diverged else float(self.losses[-1])

    @property
    def clipped_fraction(self):
        """Share of the steps taken in which clipping was active."""
        taken = np.isfinite(self.grad_norms)
        return float(self.clipped[taken].mean()) if taken.any() else 0.0

    def distances(self, point):
        """Distance of every iterate to ``point`` (e.g. the solution)."""
        point = v.as_float_array(point, "point")
        return v.vector_norm(self.thetas - point, 2.0, axis=-1)


@dataclass(frozen=True)
class Trajectories:
    """Many runs of the same length computed together; index with ``[i]`` for one run."""

    thetas: np.ndarray  # (n, steps + 1, d)
    losses: np.ndarray  # (n, steps + 1)
    grad_norms: np.ndarray  # (n, steps)
    clipped: np.ndarray  # (n, steps)
    step_lengths: np.ndarray  # (n, steps)
    diverged_at: np.ndarray  # (n,), -1 where the run did not diverge
    lrs: np.ndarray
    thresholds: object
    clip: object

    def __len__(self):
        return len(self.lrs)

    def __getitem__(self, i):
        d = int(self.diverged_at[i])
        return Trajectory(
            self.thetas[i].copy(), self.losses[i].copy(), self.grad_norms[i].copy(),
            self.clipped[i].copy(), self.step_lengths[i].copy(), None if d < 0 else d,
            float(self.lrs[i]), self.clip,
            None if self.thresholds is None else float(self.thresholds[i]),
        )


@dataclass(frozen=True)
class SweepResult:
    """Outcome of a grid of runs: ``final_loss`` and ``diverged`` shaped like the grid."""

    lrs: np.ndarray
    thresholds: object
    final_loss: np.ndarray
    diverged: np.ndarray
    diverged_at: np.ndarray
    steps: int
    clip: object

    def best(self):
        """``(lr, threshold, final_loss)`` of the configuration with the lowest final loss."""
        idx = np.unravel_index(np.argmin(self.final_loss), self.final_loss.shape)
        thr = None if self.thresholds is None else float(self.thresholds[idx[1]])
        return float(self.lrs[idx[0]]), thr, float(self.final_loss[idx])
