"""The edge of stability, many learning rates at once: one batch of networks, one pass.

:func:`gd_batch` trains copies of one :class:`~gradclip.MLP` at several learning rates as a
single batch (every matrix product carries a leading batch axis), and tracks each copy's
sharpness ``lambda_max`` every few steps by power iteration on Hessian-vector products, each a
central difference of batched gradients (the formula of :func:`gradclip.curvature.sharpness`),
warm-started from the previous snapshot's vector. Used by the edge-of-stability explorer and
figures; :func:`gradclip.training.gd_with_sharpness` is the one-run reference.
:func:`power_step` is one step of the power iteration, and :func:`flow_sharpness` the sharpness
of the minimum that gradient flow reaches on the two-parameter toy ``(1 - x y)^2 / 2``.

References
----------
.. [1] J. Cohen, S. Kaur, Y. Li, J. Z. Kolter, A. Talwalkar, "Gradient descent on neural
   networks typically occurs at the edge of stability", ICLR 2021.
   https://arxiv.org/abs/2103.00065
.. [2] A. Lewkowycz, Y. Bahri, E. Dyer, J. Sohl-Dickstein, G. Gur-Ari, "The large learning
   rate phase of deep learning: the catapult mechanism", 2020. https://arxiv.org/abs/2003.02218
"""

from dataclasses import dataclass

import numpy as np

from . import validation as v
from ._engine import power_iteration
from .curvature import FD_STEP, sharpness_along
from .nets import MLP, mlp_backward
from .training import train

__all__ = ["EdgeRuns", "gd_batch", "power_step", "flow_sharpness", "edge_window", "ClippedEdge",
           "clipped_edge", "eos_task", "EOS_LRS", "EOS_STEPS", "EdgeResponse", "gd_top_removed",
           "edge_response"]

#: Learning rates and length of the small edge-of-stability runs (:func:`eos_task`).
EOS_LRS = (0.25, 0.3, 0.35, 0.4, 0.5, 0.6)
EOS_STEPS = 1000


def eos_task(n=50, width=16, seed=0):
    """A small regression on which full-batch GD shows the edge of stability within 1000 steps.

    ``X`` holds ``n`` points of ``N(0, I_2)`` drawn by ``default_rng(seed)``, the target is
    ``y = sin(2 x_1) cos(x_2)``, and the net ``MLP([2, width, width, 1], "tanh",
    weight_scale=0.5, seed=0)`` starts flat (sharpness about 1.5 for the defaults).

    Returns
    -------
    X : numpy.ndarray, shape (n, 2)
    y : numpy.ndarray, shape (n, 1)
    net : MLP

    Examples
    --------
    >>> X, y, net = eos_task()
    >>> X.shape, y.shape, net
    ((50, 2), (50, 1), MLP([2, 16, 16, 1], activation='tanh', weight_scale=0.5))
    """
    n, width = v.non_negative_int(n, "n"), v.non_negative_int(width, "width")
    if n < 1 or width < 1:
        raise ValueError(f"n and width must be positive, got {n!r}, {width!r}")
    X = np.random.default_rng(v.non_negative_int(seed, "seed")).normal(size=(n, 2))
    y = (np.sin(2.0 * X[:, 0]) * np.cos(X[:, 1]))[:, None]
    return X, y, MLP([2, width, width, 1], "tanh", weight_scale=0.5, seed=0)


def power_step(hvp, vec):
    """One step of the power iteration: ``u <- H u / ||H u||``.

    Repeated, ``u`` turns towards the eigenvector of the eigenvalue of largest magnitude, and
    the Rayleigh quotient ``u^T H u`` tends to that eigenvalue.

    Parameters
    ----------
    hvp : callable
        ``hvp(u) -> H u``, a Hessian-vector product.
    vec : array_like
        The current vector (any non-zero length).

    Returns
    -------
    numpy.ndarray
        ``H u / ||H u||``.

    Examples
    --------
    >>> H = np.diag([3.0, 1.0])
    >>> power_step(lambda u: H @ u, [1.0, 1.0]).round(4)
    array([0.9487, 0.3162])
    """
    if not callable(hvp):
        raise ValueError(f"hvp must be callable, got {hvp!r}")
    vec = v.as_float_array(vec, "vec")
    hv = np.asarray(hvp(vec.copy()), dtype=np.float64)
    nrm = float(np.linalg.norm(hv))
    if not np.isfinite(nrm) or nrm == 0.0:
        raise ValueError(f"hvp(vec) must be a finite non-zero vector, got {hv!r}")
    return hv / nrm


def flow_sharpness(theta0):
    """Sharpness of the minimum that gradient flow reaches on ``L = (1 - x y)^2 / 2`` from ``theta0``.

    Gradient flow conserves ``x^2 - y^2`` (``d/dt (x^2 - y^2) = 2 r (x y - y x) = 0`` with
    ``r = 1 - x y``), so it ends on the minimum ``x y = 1`` with that difference ``d``; there the
    sharpness is ``x^2 + y^2 = sqrt(d^2 + 4)``. A small step ``lr < 2 / lambda`` settles near
    it; above ``2 / lambda`` the iterate is catapulted (Lewkowycz et al. 2020).

    Examples
    --------
    >>> round(flow_sharpness([2.0, 0.49]), 4)
    4.2587
    """
    theta0 = v.as_float_array(theta0, "theta0")
    if theta0.shape != (2,) or not np.all(np.isfinite(theta0)) or theta0[0] * theta0[1] <= 0:
        raise ValueError(f"theta0 must be a finite pair (x, y) with x y > 0, got {theta0!r}")
    d = theta0[0] ** 2 - theta0[1] ** 2
    return float(np.sqrt(d * d + 4.0))


@dataclass(frozen=True)
class EdgeRuns:
    """Result of :func:`gd_batch`: run ``i`` used ``lrs[i]``.

    ``losses[i, k]`` is the full-batch loss before step ``k`` (NaN after a divergence);
    ``sharpness[i, j]`` is ``lambda_max`` at step ``steps[j]``; ``diverged_at[i]`` is the step
    whose loss was not finite or above ``1e6``, -1 if none.
    """

    lrs: np.ndarray  # (B,)
    losses: np.ndarray  # (B, steps + 1)
    steps: np.ndarray  # (n_snap,)
    sharpness: np.ndarray  # (B, n_snap)
    diverged_at: np.ndarray  # (B,)
    params: list  # final parameters, each with a leading batch axis
    grad_norms: np.ndarray  # (B, steps) 2-norm of the gradient at each step

    @property
    def edges(self):
        """``2 / lr`` of every run."""
        return 2.0 / self.lrs


def edge_window(steps, sharpness, lr, rel=0.1):
    """First snapshot step from which ``|sharpness - 2/lr| < rel * 2/lr`` holds to the end.

    Returns ``(step, largest relative deviation from that step on)``, or ``(None, nan)`` when
    the last snapshot is outside the band.

    Examples
    --------
    >>> edge_window([0, 10, 20, 30], [1.0, 9.5, 10.5, 9.8], 0.2)
    (10, 0.05)
    """
    steps, lam = np.asarray(steps), v.as_float_array(sharpness, "sharpness")
    edge = 2.0 / v.positive(lr, "lr")
    with np.errstate(invalid="ignore"):
        dev = np.abs(lam - edge) / edge
        out = ~(dev < rel)
    if out.size == 0 or out[-1]:
        return None, np.nan
    first = int(np.flatnonzero(out)[-1] + 1) if out.any() else 0
    return int(steps[first]), round(float(dev[first:].max()), 12)


def _dot(a, b):
    return sum((x * y).reshape(x.shape[0], -1).sum(axis=1) for x, y in zip(a, b))


def _rows(params):
    """The batch's parameter lists as one row per network, ``(B, n)``."""
    return np.concatenate([p.reshape(p.shape[0], -1) for p in params], axis=1)


def _unrows(flat, like):
    """Rows ``(b, n)`` back into arrays shaped like ``like``'s, each ``(b, ...)``."""
    cuts = np.cumsum([p[0].size for p in like])[:-1]
    return [a.reshape((len(flat),) + p.shape[1:]) for a, p in zip(np.split(flat, cuts, axis=1), like)]


def _sharpness(act, params, X, y, vec, iters):
    """``iters`` power-iteration steps of every network of the batch; (Rayleigh quotients, vectors)."""
    eps = FD_STEP * np.maximum(1.0, np.sqrt(_dot(params, params)))

    def hvp(rows, u):
        d = _unrows(eps[rows, None] * u, params)
        both = [np.concatenate([p[rows] + e, p[rows] - e]) for p, e in zip(params, d)]
        g = _rows(mlp_backward(both, X, y, act)[1])
        return (g[:len(rows)] - g[len(rows):]) / (2.0 * eps[rows, None])

    lam, vec, _, _, _ = power_iteration(hvp, vec, iters)
    return lam, vec


def gd_batch(net, X, y, lrs, steps, every=10, iters=30, warm_iters=4, seed=0, blowup=1e6):
    """Full-batch gradient descent on copies of ``net`` at every rate in ``lrs``, as one batch,
    with the sharpness of each copy every ``every`` steps.

    All copies start at ``net.params``. The sharpness at step ``k`` is the Rayleigh quotient of
    a power iteration whose Hessian-vector products are central differences of gradients,
    ``H u = (g(theta + eps u) - g(theta - eps u)) / (2 eps)``, ``eps = 1e-8 max(1, ||theta||)``:
    ``iters`` iterations from a random vector at step 0, then ``warm_iters`` per snapshot from
    the previous vector (cheap while the parameters move little between snapshots; the power
    iteration finds the eigenvalue of largest magnitude, which is ``lambda_max`` here unless a
    negative eigenvalue is larger). A run stops (NaN) once its loss exceeds ``blowup``.

    Parameters
    ----------
    net : MLP
        A plain (not residual) MLP; its parameters are not modified.
    X, y : array_like
        The full batch, ``(n, sizes[0])`` and ``(n, sizes[-1])``.
    lrs : array_like
        Positive learning rates, one run each.
    steps, every : int
        Updates, and the spacing of the sharpness snapshots (steps ``0, every, ...``).
    iters, warm_iters : int
        Power-iteration steps at the first snapshot and at each later one.
    seed : int
        Seed of the first vector.
    blowup : float
        Loss above which a run counts as diverged.

    Returns
    -------
    EdgeRuns

    Examples
    --------
    >>> from gradclip import MLP
    >>> rng = np.random.default_rng(0)
    >>> X = rng.normal(size=(40, 2)); y = np.sin(X[:, :1])
    >>> runs = gd_batch(MLP([2, 16, 1], seed=0), X, y, [0.1, 0.5], 100, every=50)
    >>> runs.steps.tolist(), runs.losses.shape, runs.sharpness.shape
    ([0, 50, 100], (2, 101), (2, 3))
    """
    if not hasattr(net, "sizes") or getattr(net, "residual", True):
        raise ValueError(f"net must be a plain (residual=False) MLP, got {net!r}")
    X, y = _data(net, X, y)
    lrs = v.as_float_array(lrs, "lrs").ravel()
    if lrs.size == 0 or not np.all(np.isfinite(lrs) & (lrs > 0)):
        raise ValueError(f"lrs must be positive finite numbers, got {lrs!r}")
    steps, every = v.non_negative_int(steps, "steps"), v.non_negative_int(every, "every")
    iters, warm_iters = v.non_negative_int(iters, "iters"), v.non_negative_int(warm_iters, "warm_iters")
    if every < 1 or iters < 1 or warm_iters < 1:
        raise ValueError(f"every, iters and warm_iters must be positive, got {every!r}, {iters!r}, {warm_iters!r}")
    blowup = v.positive(blowup, "blowup")
    B, act = lrs.size, net.activation
    params = [np.repeat(p[None].astype(np.float64), B, axis=0) for p in net.params]
    rng = np.random.default_rng(v.non_negative_int(seed, "seed"))
    vec = np.repeat(_rows([rng.normal(size=(1,) + p.shape) for p in net.params]), B, axis=0)
    vec /= v.vector_norm(vec, 2.0, axis=1, keepdims=True)
    snaps = np.arange(0, steps + 1, every)
    losses, lam = np.full((B, steps + 1), np.nan), np.full((B, snaps.size), np.nan)
    diverged, norms = np.full(B, -1, dtype=np.int64), np.full((B, steps), np.nan)
    alive = np.ones(B, dtype=bool)
    with np.errstate(all="ignore"):
        for k in range(steps + 1):
            loss, grads = mlp_backward(params, X, y, act)[:2]
            bad = alive & ~(loss <= blowup)
            diverged[bad], alive = k, alive & ~bad
            losses[alive, k] = loss[alive]
            if k % every == 0:
                est, vec = _sharpness(act, params, X, y, vec, iters if k == 0 else warm_iters)
                lam[alive, k // every] = est[alive]
            if k == steps or not alive.any():
                break
            gn = np.sqrt(_dot(grads, grads))
            norms[alive, k] = gn[alive]
            rate = np.where(alive, lrs, 0.0)
            params = [p - rate.reshape((-1,) + (1,) * (g.ndim - 1)) * g for p, g in zip(params, grads)]
    return EdgeRuns(lrs.copy(), losses, snaps, lam, diverged, params, norms)


def _data(net, X, y):
    X, y = v.as_float_array(X, "X"), v.as_float_array(y, "y")
    if X.ndim != 2 or X.shape[1] != net.sizes[0]:
        raise ValueError(f"X must have shape (n, {net.sizes[0]}), got {X.shape}")
    if y.shape != (X.shape[0], net.sizes[-1]):
        raise ValueError(f"y must have shape ({X.shape[0]}, {net.sizes[-1]}), got {y.shape}")
    return X, y


@dataclass(frozen=True)
class ClippedEdge:
    """Result of :func:`clipped_edge`: the clipped run's step size against its local edge.

    At each measured step ``steps[j]``: ``effective_lr[j] = lr * min(1, c / ||g||)``, the step
    the update took, ``sharpness[j]`` its ``lambda_max`` and ``ratio[j] = effective_lr[j] /
    (2 / sharpness[j])``; a ratio above 1 is a step beyond the edge of the point it was taken at.
    """

    steps: np.ndarray
    effective_lr: np.ndarray
    sharpness: np.ndarray
    training: object

    @property
    def local_edge(self):
        return 2.0 / self.sharpness

    @property
    def ratio(self):
        return self.effective_lr * self.sharpness / 2.0


def clipped_edge(net, X, y, lr, steps, threshold, every=10, seed=0):
    """Full-batch descent with global-norm clipping, its effective step against the local edge.

    Runs ``train(net, X, y, lr, steps, clip="global_norm", threshold=threshold)`` and measures
    the sharpness every ``every`` steps (:func:`~gradclip.curvature.sharpness_along`).

    Returns
    -------
    ClippedEdge

    Examples
    --------
    >>> from gradclip import MLP
    >>> rng = np.random.default_rng(0)
    >>> X = rng.normal(size=(40, 2)); y = np.sin(X[:, :1])
    >>> ce = clipped_edge(MLP([2, 16, 1], seed=0), X, y, lr=0.5, steps=20, threshold=0.1)
    >>> ce.steps.tolist(), bool(np.all(ce.effective_lr < 0.5))
    ([0, 10], True)
    """
    every = v.non_negative_int(every, "every")
    if every < 1:
        raise ValueError(f"every must be a positive integer, got {every!r}")
    run = train(net, X, y, lr, steps, clip="global_norm", threshold=threshold, record_every=every)
    snaps = [(s, p) for s, p in run.snapshots if s < len(run.grad_norms)]
    track = sharpness_along(net, X, y, snaps, seed=seed)
    with np.errstate(divide="ignore", invalid="ignore"):
        eff = lr * np.minimum(1.0, threshold / run.grad_norms[track.steps])
    return ClippedEdge(track.steps, eff, track.sharpness, run)


@dataclass(frozen=True)
class EdgeResponse:
    """Result of :func:`edge_response`: what follows the first step beyond the edge.

    ``crossed_at`` is the first snapshot step whose sharpness exceeds ``2 / lr`` (-1 if none,
    then the arrays are empty); from the parameters there, ``gd[j]`` and ``top_removed[j]`` are
    the sharpness ``steps[j]`` steps later, of plain gradient descent and of descent whose
    every step has its component along the top Hessian eigenvector removed.
    """

    lr: float
    crossed_at: int
    sharpness0: float
    steps: np.ndarray
    gd: np.ndarray
    top_removed: np.ndarray


def _flat(params):
    return np.concatenate([np.ravel(p) for p in params])


def _unflat(flat, like):
    cuts = np.cumsum([p.size for p in like])[:-1]
    return [a.reshape(p.shape) for a, p in zip(np.split(flat, cuts), like)]


def gd_top_removed(net, X, y, lr, steps, params=None, every=10, remove_top=True, warm_iters=5, seed=0,
                   tol=1e-5):
    """Full-batch gradient descent whose every step has its top-eigenvector component removed.

    Each step takes ``g - (g . u) u``, ``u`` the unit top eigenvector of the Hessian at the
    current point (:func:`~gradclip.curvature.net_sharpness`, up to ``warm_iters`` power
    iterations warm-started from the previous ``u``, each stopped at the relative residual
    ``tol``): no motion, hence no oscillation, along the sharpest direction. With
    ``remove_top=False`` it is plain descent, measured the same way.

    Returns
    -------
    (numpy.ndarray, numpy.ndarray, list of numpy.ndarray)
        The snapshot steps ``0, every, ...``, the sharpness there, and the final parameters
        (NaN sharpness and parameters once a gradient is not finite).

    Examples
    --------
    >>> from gradclip import MLP
    >>> X = np.linspace(-1, 1, 20).reshape(-1, 1)      # y = w x + b: curvatures 1 and 0.368
    >>> s, lam, p = gd_top_removed(MLP([1, 1], "linear"), X, 2 * X, lr=2.5, steps=200, every=100)
    >>> lam.round(6).tolist(), round(float(p[0][0, 0]), 6)       # 2.5 > 2 / 1, yet it converges
    ([1.0, 1.0, 1.0], 2.0)
    """
    from .curvature import net_sharpness

    if not hasattr(net, "loss_and_grads"):
        raise ValueError(f"net must have a loss_and_grads(X, y, params) method, got {net!r}")
    lr = v.positive(lr, "lr")
    steps, every = v.non_negative_int(steps, "steps"), v.non_negative_int(every, "every")
    warm_iters = v.non_negative_int(warm_iters, "warm_iters")
    if every < 1 or warm_iters < 1:
        raise ValueError(f"every and warm_iters must be positive, got {every!r}, {warm_iters!r}")
    like = [np.array(p, dtype=np.float64) for p in (net.params if params is None else params)]
    theta, vec, snaps, lam = _flat(like), None, [], []
    with np.errstate(all="ignore"):
        for k in range(steps + 1):
            if remove_top or k % every == 0:
                point = _unflat(theta, like)
                est, vec = net_sharpness(net, X, y, point, iters=100 if vec is None else warm_iters,
                                         seed=seed, v0=vec, tol=tol, return_vector=True)
                if not np.all(np.isfinite(vec)):
                    vec = None
            if k % every == 0:
                snaps.append(k)
                lam.append(est)
            if k == steps:
                break
            g = _flat(net.loss_and_grads(X, y, _unflat(theta, like))[1])
            if not np.all(np.isfinite(g)):
                theta = np.full_like(theta, np.nan)
                continue
            if remove_top and vec is not None:
                g = g - (g @ vec) * vec
            theta = theta - lr * g
    return np.array(snaps, dtype=np.int64), np.array(lam, dtype=np.float64), _unflat(theta, like)


def edge_response(net, X, y, lr, window=100, every=10, max_steps=1000, seed=0):
    """Self-stabilisation: from the first snapshot beyond the edge, descent with and without
    its motion along the top eigenvector.

    Full-batch descent from ``net.params`` until the sharpness (every ``every`` steps) first
    exceeds ``2 / lr``; from there, ``window`` steps of plain descent and of
    :func:`gd_top_removed`. Past the edge the iterate oscillates along the top eigenvector
    ``u`` with growing amplitude ``a``; the gradient averaged over the oscillation gains
    ``(a^2 / 2) grad(u^T H u)`` (the third derivative of the loss), so descent lowers the
    sharpness, by more the larger the oscillation (Damian, Nichani & Lee 2023). Without the
    motion along ``u`` nothing brings it down.

    Returns
    -------
    EdgeResponse

    References
    ----------
    A. Damian, E. Nichani, J. D. Lee, "Self-stabilization: the implicit bias of gradient
    descent at the edge of stability", ICLR 2023. https://arxiv.org/abs/2209.15594
    """
    lr = v.positive(lr, "lr")
    window, max_steps = v.non_negative_int(window, "window"), v.non_negative_int(max_steps, "max_steps")
    steps, lam, _ = gd_top_removed(net, X, y, lr, 0, every=1, remove_top=False, seed=seed)
    params, k = [np.array(p, dtype=np.float64) for p in net.params], 0
    while lam[0] <= 2.0 / lr and k < max_steps:
        _, _, params = gd_top_removed(net, X, y, lr, every, params, every=every, remove_top=False, seed=seed)
        k += every
        lam = gd_top_removed(net, X, y, lr, 0, params, seed=seed)[1]
    if not lam[0] > 2.0 / lr:
        empty = np.array([])
        return EdgeResponse(float(lr), -1, float(lam[0]), empty.astype(np.int64), empty, empty)
    s, plain, _ = gd_top_removed(net, X, y, lr, window, params, every=every, remove_top=False, seed=seed)
    _, removed, _ = gd_top_removed(net, X, y, lr, window, params, every=every, seed=seed)
    return EdgeResponse(float(lr), k, float(lam[0]), s, plain, removed)
