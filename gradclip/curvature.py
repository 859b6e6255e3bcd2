"""Sharpness: the largest eigenvalue of the Hessian, from gradients alone.

Gradient descent with step ``lr`` is stable along a direction of curvature ``lambda`` only if
``lr * lambda < 2``. Full-batch training of a network first raises its sharpness
``lambda_max`` (progressive sharpening) until it reaches ``2 / lr`` and then hovers there while
the loss keeps falling, non-monotonically: the edge of stability (Cohen et al. 2021).
:func:`sharpness` measures ``lambda_max`` of any gradient function by power iteration on
Hessian-vector products, :func:`net_sharpness` of a network, :func:`sharpness_along` at every
snapshot of a run (:mod:`gradclip.catapult` sweeps the step size on a two-parameter toy).

References
----------
.. [1] J. Cohen, S. Kaur, Y. Li, J. Z. Kolter, A. Talwalkar, "Gradient descent on neural
   networks typically occurs at the edge of stability", ICLR 2021.
   https://arxiv.org/abs/2103.00065
"""

from dataclasses import dataclass

import numpy as np

from . import validation as v
from ._engine import power_iteration

__all__ = ["sharpness", "net_sharpness", "SharpnessTrack", "sharpness_along"]

#: Relative step of the central difference: ``eps = FD_STEP * max(1, ||theta||)``. This small so
#: that a ReLU net's perturbed pre-activations rarely cross a kink, where the gradient jumps and
#: a difference quotient turns to garbage; rounding then costs a relative error near 1e-8.
FD_STEP = 1e-8
#: A difference quotient is retried with a 10x smaller step (at most ``KINK_RETRIES`` times) when
#: its forward and backward halves differ by more than ``KINK_TOL`` of their sum (a ReLU kink).
KINK_TOL = 1e-3
KINK_RETRIES = 3


def _unit(vec, name):
    vec = v.as_float_array(vec, name).ravel()
    nrm = float(v.vector_norm(vec, 2.0))
    if not np.isfinite(nrm) or nrm == 0.0:
        raise ValueError(f"{name} must be a finite non-zero vector, got {vec!r}")
    return vec / nrm


def _power(hvp, vec, shift, iters, tol):
    """Power iteration on ``H + shift I`` from one vector (the batched one with a batch of one):
    (Rayleigh quotient of H, vector, HVPs, converged, max ||Hu||)."""
    mu, vecs, used, converged, top = power_iteration(lambda rows, u: hvp(u[0])[None], vec[None], iters,
                                                     shift, tol)
    return float(mu[0]), vecs[0], int(used[0]), bool(converged[0]), float(top[0])


def _lanczos(hvp, vec, iters, tol):
    """Lanczos with full reorthogonalisation from ``vec``: (top Ritz value, its vector, HVPs).

    After ``k`` products the largest eigenvalue ``theta`` of the tridiagonal matrix ``T_k`` is
    the largest Rayleigh quotient over the Krylov space (a lower bound of ``lambda_max``) and
    ``beta_k |s_k|`` (``s`` its eigenvector of ``T_k``) is the residual ``||H x - theta x||`` of
    its Ritz vector ``x``; stop once it is at most ``tol |theta|``. Unlike the power iteration
    it is not slowed down by a second eigenvalue close to the first.
    """
    n = vec.size
    basis = np.empty((min(iters, n) + 1, n))
    basis[0] = vec
    alphas, betas = [], []
    theta, ritz = np.nan, vec
    for k in range(min(iters, n)):
        w = hvp(basis[k])
        if not np.all(np.isfinite(w)):
            return np.nan, ritz, k + 1
        alphas.append(float(basis[k] @ w))
        q = basis[:k + 1]
        for _ in range(2):  # twice is enough (Kahan): the basis stays orthonormal to rounding
            w = w - q.T @ (q @ w)
        beta = float(v.vector_norm(w, 2.0))
        tri = np.diag(alphas) + np.diag(betas, 1) + np.diag(betas, -1)
        vals, vecs = np.linalg.eigh(tri)
        theta, s = float(vals[-1]), vecs[:, -1]
        ritz = q.T @ s
        ritz = ritz / v.vector_norm(ritz, 2.0)
        if beta * abs(s[-1]) <= tol * abs(theta) or beta == 0.0 or k + 1 == n:
            return theta, ritz, k + 1
        betas.append(beta)
        basis[k + 1] = w / beta
    return theta, ritz, min(iters, n)


def _sharpness(grad, theta, iters, seed, v0, tol, eps, method="power"):
    """Largest algebraic Hessian eigenvalue; returns (value, vector, HVP count)."""
    if eps is None:
        eps = FD_STEP * max(1.0, float(v.vector_norm(theta, 2.0)))
    with np.errstate(all="ignore"):
        g0 = np.asarray(grad(theta), dtype=np.float64).ravel()

    def hvp(u):
        h = eps
        with np.errstate(all="ignore"):
            for _ in range(KINK_RETRIES + 1):
                gp = np.asarray(grad(theta + h * u), dtype=np.float64).ravel()
                gm = np.asarray(grad(theta - h * u), dtype=np.float64).ravel()
                # Forward and backward differences agree to O(h) on a smooth loss; a gap
                # means a kink between theta - h u and theta + h u: retry with a 10x smaller h.
                gap = v.vector_norm((gp - g0) - (g0 - gm), 2.0)
                if not gap > KINK_TOL * v.vector_norm(gp - gm, 2.0):
                    break
                h /= 10.0
            return (gp - gm) / (2.0 * h)

    fresh = _unit(np.random.default_rng(seed).normal(size=theta.size), "start")
    start = fresh if v0 is None else v0
    if method == "lanczos":
        return _lanczos(hvp, start, iters, tol)
    mu, vec, used, converged, top = _power(hvp, start, 0.0, iters, tol)
    if not np.isfinite(mu) or (converged and mu >= 0.0):
        return mu, vec, used
    # The dominant eigenvalue is negative, or the iteration stalled (e.g. on a +- pair): shift
    # by the spectral radius estimate so that lambda_max + top dominates, and go on from the
    # current vector (from a fresh one if it is the converged most negative eigenvector).
    mu2, vec2, used2, _, _ = _power(hvp, fresh if converged else vec, top, iters, tol)
    if np.isfinite(mu2) and mu2 > mu:  # every Rayleigh quotient is a lower bound of lambda_max
        return mu2, vec2, used + used2
    return mu, vec, used + used2


def _check_power_args(iters, seed, tol, eps):
    if v.non_negative_int(iters, "iters") < 1:
        raise ValueError(f"iters must be a positive integer, got {iters!r}")
    v.non_negative_int(seed, "seed")
    return int(iters), v.positive(tol, "tol"), None if eps is None else v.positive(eps, "eps")


def sharpness(grad, theta, iters=100, seed=0, v0=None, tol=1e-6, eps=None, return_vector=False):
    r"""Largest (algebraic) eigenvalue ``lambda_max`` of the Hessian of a loss, from its gradient.

    Power iteration ``u <- H u / ||H u||`` with Hessian-vector products formed by a central
    difference of gradients,

    .. math::

        H u \approx \frac{\nabla L(\theta + \varepsilon u) - \nabla L(\theta - \varepsilon u)}
        {2 \varepsilon}, \qquad \varepsilon = 10^{-8} \max(1, \|\theta\|),\ \|u\| = 1,

    (error ``O(eps^2)`` plus rounding ``O(1e-16 ||grad|| / eps)``; a product whose forward and
    backward halves differ by over 0.1 %, a ReLU kink in between, is redone with a 10x smaller
    step, up to three times).
    The estimate is the Rayleigh quotient ``mu = u^T H u``; iteration stops once the residual
    ``||H u - mu u|| <= tol |mu|``, which puts ``mu`` within ``tol |mu|`` of an eigenvalue.
    Power iteration finds the eigenvalue of largest MAGNITUDE. This function returns the
    largest ALGEBRAIC one, the one that decides stability (``lr * lambda_max < 2``): when the
    first pass ends on a negative eigenvalue, or does not converge within ``iters`` (as on a
    ``+-`` pair of equal magnitude), a second pass iterates ``H + rho I`` with ``rho`` the
    largest ``||H u||`` seen, whose dominant eigenvalue is ``lambda_max + rho``; the larger of
    the two Rayleigh quotients is returned (each is a lower bound of ``lambda_max``).

    Parameters
    ----------
    grad : callable
        ``grad(theta) -> array`` of the same size as ``theta``.
    theta : array_like
        The point (flattened; any shape).
    iters : int
        Most Hessian-vector products per pass (each costs two gradients).
    seed : int
        Seed of the random start vector.
    v0 : array_like, optional
        Start vector instead of the random one, e.g. the vector returned at a nearby point:
        tracking along a run then needs only a few iterations per point.
    tol : float
        Relative residual at which the iteration stops.
    eps : float, optional
        Finite-difference step (default ``1e-8 * max(1, ||theta||)``, see ``FD_STEP``).
    return_vector : bool
        Also return the unit eigenvector estimate.

    Returns
    -------
    float, or (float, numpy.ndarray)
        ``lambda_max`` (NaN when a gradient is not finite), and with ``return_vector`` the
        vector, shaped like the flattened ``theta``.

    Examples
    --------
    >>> from gradclip import Quadratic
    >>> q = Quadratic(np.diag([3.0, 1.0, 0.5]))
    >>> round(sharpness(q.grad, np.ones(3)), 6)
    3.0
    >>> round(sharpness(lambda t: np.array([-4.0, 1.0]) * t, [1.0, 1.0]), 6)   # H = diag(-4, 1)
    1.0
    """
    if not callable(grad):
        raise ValueError(f"grad must be callable, got {grad!r}")
    theta = v.as_float_array(theta, "theta").ravel()
    if theta.size == 0 or not np.all(np.isfinite(theta)):
        raise ValueError(f"theta must be a non-empty finite array, got {theta!r}")
    iters, tol, eps = _check_power_args(iters, seed, tol, eps)
    if v0 is not None:
        v0 = _unit(v0, "v0")
        if v0.size != theta.size:
            raise ValueError(f"v0 must have {theta.size} entries like theta, got {v0.size}")
    lam, vec, _ = _sharpness(grad, theta, iters, seed, v0, tol, eps)
    return (float(lam), vec.copy()) if return_vector else float(lam)


def _flat_grad(net, X, y, params):
    """A gradient function of the flattened parameters of ``net`` and the flat start."""
    if not hasattr(net, "loss_and_grads"):
        raise ValueError(f"net must have a loss_and_grads(X, y, params) method, got {net!r}")
    params = net.params if params is None else params
    try:
        params = [v.as_float_array(p, "params") for p in params]
    except TypeError:
        raise ValueError(f"params must be a list of arrays, got {params!r}") from None
    shapes = [p.shape for p in params]
    cuts = np.cumsum([p.size for p in params])[:-1]
    net.loss_and_grads(X, y, params)  # checks X, y and the shapes once, at the boundary

    def grad(flat):
        parts = [a.reshape(s) for a, s in zip(np.split(flat, cuts), shapes)]
        return np.concatenate([np.ravel(g) for g in net.loss_and_grads(X, y, parts)[1]])

    return grad, np.concatenate([p.ravel() for p in params])


def net_sharpness(net, X, y, params=None, iters=100, seed=0, v0=None, tol=1e-6, return_vector=False):
    """Sharpness ``lambda_max`` of a network's loss on ``(X, y)`` at ``params``.

    The parameter arrays are flattened in their order (``[W_1, b_1, W_2, ...]``) and
    :func:`sharpness` runs on ``net.loss_and_grads``; each iteration costs two backward passes.

    Parameters
    ----------
    net : MLP or RNN
        Anything with ``loss_and_grads(X, y, params) -> (loss, grads)`` and ``params``.
    X, y : array_like
        The data (the whole batch: the Hessian of the full-batch loss).
    params : list of array_like, optional
        The point; ``net.params`` by default.
    iters, seed, v0, tol, return_vector :
        As in :func:`sharpness` (``v0`` is a flat vector of all parameters).

    Returns
    -------
    float, or (float, numpy.ndarray)
        NaN when ``params`` hold a non-finite number (a diverged run).

    Examples
    --------
    >>> from gradclip import MLP
    >>> X = np.linspace(-1, 1, 20).reshape(-1, 1)
    >>> net = MLP([1, 1], activation="linear")   # y = w x + b: H = [[mean x^2, mean x], [mean x, 1]]
    >>> round(net_sharpness(net, X, 2 * X), 6), round(float(np.mean(X**2)), 6)   # mean x = 0
    (1.0, 0.368421)
    """
    grad, theta = _flat_grad(net, X, y, params)
    if not np.all(np.isfinite(theta)):
        _check_power_args(iters, seed, tol, None)
        return (np.nan, np.full(theta.size, np.nan)) if return_vector else np.nan
    return sharpness(grad, theta, iters=iters, seed=seed, v0=v0, tol=tol, return_vector=return_vector)


@dataclass(frozen=True)
class SharpnessTrack:
    """Sharpness at the snapshots of a run: ``sharpness[i]`` at step ``steps[i]``.

    ``hvps[i]`` counts the Hessian-vector products spent on snapshot ``i``; ``training`` is
    the :class:`~gradclip.training.Training` when :func:`~gradclip.training.gd_with_sharpness`
    made the run.
    """

    steps: np.ndarray
    sharpness: np.ndarray
    hvps: np.ndarray
    training: object = None

    def edge_ratio(self, lr):
        """``lr * sharpness / 2``: 1 on the edge of stability, above 1 beyond it."""
        return v.positive(lr, "lr") * self.sharpness / 2.0


def sharpness_along(net, X, y, snapshots, iters=100, warm_iters=20, seed=0, tol=1e-3, method="lanczos"):
    """Sharpness at every ``(step, params)`` snapshot, each by Lanczos, warm-started.

    The first snapshot gets up to ``iters`` Hessian-vector products from a random start;
    every later one starts from the previous top eigenvector and gets up to ``warm_iters``,
    enough while the parameters move little between snapshots. Lanczos (full
    reorthogonalisation) returns the largest Rayleigh quotient over the Krylov space; unlike
    the power iteration it is not stalled by a second eigenvalue close to the first, as on a
    network whose two top eigenvalues differ by a fraction of a percent.

    Parameters
    ----------
    net : MLP or RNN
        The network (its own ``params`` are not used).
    X, y : array_like
        The full batch.
    snapshots : sequence of (int, list of arrays)
        E.g. ``train(..., record_every=k).snapshots``.
    iters, warm_iters : int
        Most Hessian-vector products for the first and for every later snapshot.
    seed : int
        Seed of the first start vector.
    tol : float
        Relative residual of the top Ritz pair at which each Lanczos run stops: within
        ``tol`` of an eigenvalue, usually far closer (the error shrinks like the residual squared
        over the gap); if ``iters`` or ``warm_iters`` run out first the value is a lower bound.
    method : {"lanczos", "power"}
        ``"power"``: the power iteration of :func:`sharpness` instead (slower to converge when
        the top two eigenvalues are close).

    Returns
    -------
    SharpnessTrack

    Examples
    --------
    >>> from gradclip import MLP, train
    >>> rng = np.random.default_rng(0)
    >>> X = rng.normal(size=(40, 2)); y = np.sin(X[:, :1])
    >>> net = MLP([2, 16, 1], seed=0)
    >>> run = train(net, X, y, lr=0.5, steps=200, record_every=50)
    >>> track = sharpness_along(net, X, y, run.snapshots)
    >>> track.steps.tolist(), bool(np.all(track.sharpness > 0))
    ([0, 50, 100, 150, 200], True)
    """
    iters, tol, _ = _check_power_args(iters, seed, tol, None)
    if method not in ("lanczos", "power"):
        raise ValueError(f"method must be 'lanczos' or 'power', got {method!r}")
    warm_iters = v.non_negative_int(warm_iters, "warm_iters")
    if warm_iters < 1:
        raise ValueError(f"warm_iters must be a positive integer, got {warm_iters!r}")
    try:
        snapshots = [(v.non_negative_int(s, "step"), p) for s, p in snapshots]
    except (TypeError, ValueError):
        raise ValueError(f"snapshots must be a sequence of (step, params) pairs, got {snapshots!r}") from None
    steps, values, counts, vec = [], [], [], None
    for step, params in snapshots:
        grad, theta = _flat_grad(net, X, y, params)
        if not np.all(np.isfinite(theta)):
            lam, used = np.nan, 0
        else:
            start = vec if vec is not None and vec.size == theta.size else None
            lam, found, used = _sharpness(grad, theta, iters if start is None else warm_iters,
                                          seed, start, tol, None, method)
            vec = found if np.all(np.isfinite(found)) else None
        steps.append(step)
        values.append(lam)
        counts.append(used)
    return SharpnessTrack(np.array(steps, dtype=np.int64), np.array(values, dtype=np.float64),
                          np.array(counts, dtype=np.int64))
