"""The catapult: gradient descent above the edge ``2 / lambda_0`` that lands on a flatter minimum.

On :class:`~gradclip.problems.ScalarFactorization`, ``L = (1 - x y)^2 / 2``, the minima
``x y = 1`` have sharpness ``x^2 + y^2``. Started next to a minimum of sharpness
``lambda_0``, gradient descent with ``lr < 2 / lambda_0`` settles nearby; with
``2 / lambda_0 < lr`` the loss first jumps, the iterate is thrown along the valley and settles
where the sharpness is at most ``2 / lr``; beyond about ``4 / lambda_0`` it diverges
(Lewkowycz et al. 2020). :func:`edge_scan` measures all three regimes in one batched pass,
:func:`fine_boundaries` pins the two boundaries to ``1e-5``.

Conditions: Lewkowycz et al. derive ``2 / lambda_0`` and ``4 / lambda_0`` for the uv model with
target 0, ``lambda_0`` the curvature ``(x^2 + y^2)`` at initialisation, sharp at large width.
Here the target is 1, the width 1, and the boundaries depend on the start: from (2, 0.49),
next to a minimum, divergence begins at 0.93922 against ``4 / lambda`` = 0.93925 with
``lambda`` the sharpness of the minimum the flow reaches, but from (3, 0.05) at 0.42710
against 0.43398, from (2, 1e-4) at 0.82846 against 0.89443.

References
----------
.. [1] A. Lewkowycz, Y. Bahri, E. Dyer, J. Sohl-Dickstein, G. Gur-Ari, "The large learning
   rate phase of deep learning: the catapult mechanism", 2020. https://arxiv.org/abs/2003.02218
"""

from dataclasses import dataclass

import numpy as np

from . import validation as v
from .solvers import run_batch

__all__ = ["EdgeScan", "edge_scan", "fine_boundaries"]


@dataclass(frozen=True)
class EdgeScan:
    """Outcome of :func:`edge_scan`: one gradient-descent run per learning rate.

    ``converged`` runs end with a gradient norm below the tolerance; ``catapult`` runs are
    converged runs whose loss rose above its start on the way (the loss growth that
    Lewkowycz et al. take as the catapult's signature; such a run always ends on a minimum
    of sharpness at most ``2 / lr``).
    """

    lrs: np.ndarray  # (n,)
    sharpness0: float  # lambda_max at the start
    loss0: float
    max_loss: np.ndarray  # (n,) largest loss along the run (inf when it diverged)
    final_loss: np.ndarray  # (n,) inf when diverged
    final_sharpness: np.ndarray  # (n,) lambda_max at the last iterate (NaN when diverged)
    converged: np.ndarray  # (n,) bool
    diverged_at: np.ndarray  # (n,) -1 when the run did not diverge

    @property
    def catapult(self):
        return self.converged & (self.max_loss > self.loss0)

    def boundaries(self):
        """``(smallest catapult lr, smallest diverging lr)`` among the scanned rates (NaN if none)."""
        first = [self.lrs[m].min() if m.any() else np.nan for m in (self.catapult, self.diverged_at >= 0)]
        return float(first[0]), float(first[1])


def edge_scan(problem, theta0, lrs, steps=2000, tol=1e-8):
    """Run gradient descent from one start at many learning rates and measure where it ends.

    All runs advance together (:func:`~gradclip.run_batch`). For each rate: the largest loss on
    the way, the final loss, and the sharpness of the final point from ``problem.hessian``.
    Below ``2 / sharpness0`` descent settles near the start; above it the loss first jumps,
    then descent settles at a flatter point (``final_sharpness <= 2 / lr``), the catapult of
    Lewkowycz et al. (2020); beyond a larger rate it diverges.

    Parameters
    ----------
    problem : Problem
        With batched ``loss``, ``grad`` and ``hessian``, e.g.
        :class:`~gradclip.problems.ScalarFactorization`.
    theta0 : array_like, shape (problem.dim,)
        The common start.
    lrs : array_like
        Positive learning rates.
    steps : int
        Updates per run (every iterate is stored: memory ``8 * len(lrs) * steps * (dim + 3)`` bytes).
    tol : float
        A run has converged when its final gradient norm is at most ``tol``.

    Returns
    -------
    EdgeScan

    Examples
    --------
    >>> from gradclip.problems import ScalarFactorization
    >>> scan = edge_scan(ScalarFactorization(), [2.0, 0.49], [0.3, 0.6, 1.0])
    >>> round(2 / scan.sharpness0, 4), scan.catapult.tolist(), (scan.diverged_at >= 0).tolist()
    (0.4727, [False, True, False], [False, False, True])
    >>> scan.final_sharpness.round(3)     # each at most 2 / lr once it settles
    array([4.259, 2.506,   nan])
    """
    if not hasattr(problem, "hessian"):
        raise ValueError(f"problem must have a hessian(theta) method, got {problem!r}")
    tol = v.positive(tol, "tol")
    runs = run_batch(problem, theta0, lrs, steps)
    theta0 = runs.thetas[0, 0]
    diverged = runs.diverged_at >= 0
    last = np.where(diverged[:, None], 0.0, runs.thetas[:, -1])
    with np.errstate(all="ignore"):
        hess = np.broadcast_to(problem.hessian(last), last.shape[:1] + (problem.dim, problem.dim))
        lam = np.linalg.eigvalsh(np.where(np.isfinite(hess), hess, 0.0))[:, -1]
        gnorm = v.vector_norm(problem.grad(last), 2.0, axis=-1)
        max_loss = np.where(diverged, np.inf, np.nanmax(runs.losses, axis=1))
    lam0 = float(np.linalg.eigvalsh(np.broadcast_to(problem.hessian(theta0), (problem.dim,) * 2))[-1])
    return EdgeScan(runs.lrs.copy(), lam0, float(runs.losses[0, 0]), max_loss,
                    np.where(diverged, np.inf, runs.losses[:, -1]), np.where(diverged, np.nan, lam),
                    ~diverged & (gnorm <= tol), runs.diverged_at.copy())


def fine_boundaries(problem, theta0, lrs, width=0.005, points=501, steps=2000):
    """The two boundaries of :meth:`EdgeScan.boundaries`, each pinned by a second scan.

    A first :func:`edge_scan` over ``lrs`` finds the smallest catapult rate and the smallest
    diverging rate; for each, a second scan of ``points`` rates on ``[b - width, b]`` finds it
    again, to ``width / (points - 1)`` (``1e-5`` by default). NaN where the first scan found none;
    a boundary at the first rate of ``lrs`` is only an upper bound (the regime began below it).

    Returns
    -------
    (float, float)
        ``(catapult from, divergence from)``.

    Examples
    --------
    >>> from gradclip.problems import ScalarFactorization
    >>> [round(b, 5) for b in fine_boundaries(ScalarFactorization(), [2.0, 0.49], np.linspace(0.3, 1.05, 151))]
    [0.46965, 0.93922]
    """
    width = v.positive(width, "width")
    points = v.non_negative_int(points, "points")
    if points < 2:
        raise ValueError(f"points must be at least 2, got {points!r}")
    coarse = edge_scan(problem, theta0, lrs, steps).boundaries()
    out = []
    for i, b in enumerate(coarse):
        if not np.isfinite(b):
            out.append(np.nan)
            continue
        grid = np.linspace(max(b - width, b / 2), b, points)
        out.append(edge_scan(problem, theta0, grid, steps).boundaries()[i])
    return float(out[0]), float(out[1])
