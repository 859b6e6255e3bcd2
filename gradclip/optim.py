"""Optimizers beyond plain gradient descent: normalized steps, heavy-ball momentum and Adam.

Each one runs a whole batch of configurations at once (one row per learning rate) and
returns the same :class:`~gradclip.solvers.Trajectories` as :func:`~gradclip.solvers.run_batch`:
iterates, losses, raw gradient norms, which steps were clipped, step lengths and
``diverged_at``. Clipping, when asked for, acts on the raw gradient before the optimizer's
own arithmetic, as ``torch.nn.utils.clip_grad_norm_`` does before ``optimizer.step()``.
"""

import numpy as np

from . import validation as v
from ._engine import broadcast_rows, check_clip, check_problem, check_theta0, descend, unit
from .solvers import Trajectories

__all__ = ["normalized_gd", "heavy_ball", "adam", "adam_batch"]


def _batch_setup(problem, theta0, lrs, clip, thresholds, rows=False):
    """Validate the common arguments; return ``(theta0 rows, lrs, thresholds)``."""
    check_problem(problem)
    theta0 = check_theta0(problem, theta0, rows)
    lrs = v.positive_array(lrs, "lrs").reshape(-1)
    clip = check_clip(clip, thresholds, allow_callable=False)
    if thresholds is not None:
        thresholds = v.positive_array(thresholds, "threshold").reshape(-1)
        try:
            lrs, thresholds = (np.array(a) for a in np.broadcast_arrays(lrs, thresholds))
        except ValueError:
            raise ValueError(f"lrs ({lrs.size}) and threshold ({thresholds.size}) must broadcast") from None
    theta0, lrs, thresholds = broadcast_rows(theta0, lrs, thresholds)
    return np.broadcast_to(theta0, (lrs.size, problem.dim)).copy(), lrs, thresholds


def normalized_gd(problem, theta0, lrs, steps):
    r"""Normalized gradient descent, a step of fixed length: ``theta <- theta - lr g / ||g||``.

    Every step has length exactly ``lr`` (none at a zero gradient), however steep or flat the
    surface. It is the limit of norm clipping with a tiny threshold ``c`` and rate ``lr / c``:
    always clipped. Far from a minimum of a steep function it is safe where a fixed step
    diverges; near the minimum it cannot settle closer than about ``lr``.

    Parameters
    ----------
    problem : Problem
        Anything with ``dim`` and batched ``loss`` and ``grad``.
    theta0 : array_like, shape (d,) or (n, d)
        The common start, or one start per run (``lrs`` broadcast to the ``n`` rows).
    lrs : float or array_like
        Positive step lengths, one run each.
    steps : int
        Number of updates.

    Returns
    -------
    Trajectories
        As :func:`~gradclip.solvers.run_batch`, with ``clip = "normalized"``.

    References
    ----------
    Zhang, He, Sra & Jadbabaie (2020), "Why gradient clipping accelerates training: a
    theoretical justification for adaptivity", ICLR. https://arxiv.org/abs/1905.11881

    Examples
    --------
    >>> from gradclip.problems import Power
    >>> runs = normalized_gd(Power(p=4), [10.0], [0.5, 3.0], steps=40)
    >>> runs.thetas[:, -1, 0].round(6).tolist()    # ends oscillating within one step of 0
    [0.0, -2.0]
    >>> runs.step_lengths[:, 0].tolist()
    [0.5, 3.0]
    """
    steps = v.non_negative_int(steps, "steps")
    theta0, lrs, _ = _batch_setup(problem, theta0, lrs, None, None, rows=True)

    out = descend(problem, theta0, lrs, None, steps, None, direction=unit)
    return Trajectories(*out, lrs=lrs, thresholds=None, clip="normalized")


def heavy_ball(problem, theta0, lrs, beta, steps, clip=None, threshold=None):
    r"""Heavy-ball momentum (Polyak), batched over learning rates.

    .. math::

        z_{k+1} = \beta z_k + \operatorname{clip}(\nabla f(\theta_k)), \qquad
        \theta_{k+1} = \theta_k - \mathrm{lr}\, z_{k+1}, \qquad z_0 = 0

    On a quadratic with largest curvature ``lambda_max`` this converges iff
    ``0 < lr * lambda_max < 2 (1 + beta)``: momentum moves the edge ``2 / lambda_max`` of plain
    descent out by the factor ``1 + beta`` (Goh 2017).

    Parameters
    ----------
    problem : Problem
        Anything with ``dim`` and batched ``loss`` and ``grad``.
    theta0 : array_like, shape (d,)
        The common start.
    lrs : float or array_like
        Positive learning rates, one run each.
    beta : float
        Momentum in ``[0, 1)``; ``beta = 0`` is plain gradient descent.
    steps : int
        Number of updates.
    clip : {None, "norm", "value"}
        Clipping of the raw gradient before it enters the momentum buffer.
    threshold : float or array_like, optional
        Clipping threshold(s), broadcast against ``lrs``.

    Returns
    -------
    Trajectories
        As :func:`~gradclip.solvers.run_batch`; ``step_lengths`` are ``lr ||z_{k+1}||``.

    References
    ----------
    Polyak (1964), "Some methods of speeding up the convergence of iteration methods",
    USSR Computational Mathematics and Mathematical Physics 4(5).
    Goh (2017), "Why Momentum Really Works", Distill. https://distill.pub/2017/momentum/

    Examples
    --------
    >>> from gradclip import Quadratic
    >>> q = Quadratic([[1.0]])                       # lambda_max = 1: the edge is 2 (1 + beta)
    >>> runs = heavy_ball(q, [1.0], [3.7, 3.9], beta=0.9, steps=300)
    >>> runs.diverged_at.tolist()                    # 3.7 < 3.8 < 3.9
    [-1, 23]
    """
    steps = v.non_negative_int(steps, "steps")
    beta = float(v.as_float_array(beta, "beta"))
    if not 0.0 <= beta < 1.0:
        raise ValueError(f"beta must lie in [0, 1), got {beta!r}")
    theta0, lrs, thresholds = _batch_setup(problem, theta0, lrs, clip, threshold)
    buffer = np.zeros_like(theta0)

    def momentum(k, g):
        buffer[...] = beta * buffer + g
        return buffer

    out = descend(problem, theta0, lrs, thresholds, steps, clip, direction=momentum)
    return Trajectories(*out, lrs=lrs, thresholds=thresholds, clip=clip)


def adam(problem, theta0, lr, steps, betas=(0.9, 0.999), eps=1e-8, clip=None, threshold=None,
         grad_scale=None):
    r"""Adam (Kingma & Ba 2015) with optional clipping of the raw gradient.

    .. math::

        g_k &= \operatorname{clip}(s\, \nabla f(\theta_k)) \\
        m_{k+1} &= \beta_1 m_k + (1 - \beta_1) g_k, \qquad
        v_{k+1} = \beta_2 v_k + (1 - \beta_2) g_k^2 \\
        \theta_{k+1} &= \theta_k - \mathrm{lr}\,
            \frac{m_{k+1} / (1 - \beta_1^{k+1})}{\sqrt{v_{k+1} / (1 - \beta_2^{k+1})} + \epsilon}

    The update is invariant to multiplying every gradient by one positive constant ``s``
    (``grad_scale``): ``m`` scales by ``s``, ``sqrt(v)`` by ``s``, and only ``eps`` breaks the
    tie. Norm clipping is NOT such a constant: its factor ``min(1, threshold / ||g||)`` changes
    from step to step, so it changes Adam's path even though Adam normalizes each step.

    Parameters
    ----------
    problem : Problem
        Anything with ``dim`` and batched ``loss`` and ``grad``.
    theta0 : array_like, shape (d,)
        Starting point.
    lr : float
        Positive learning rate.
    steps : int
        Number of updates.
    betas : tuple of float
        ``(beta1, beta2)``, each in ``[0, 1)``.
    eps : float
        Non-negative term added to the denominator (``eps = 0`` makes the scale invariance exact;
        a zero gradient then gives NaN).
    clip : {None, "norm", "value"}
        Clipping of the scaled raw gradient.
    threshold : float, optional
        Clipping threshold.
    grad_scale : float, optional
        Positive constant ``s`` multiplying every gradient before clipping (1 by default).

    Returns
    -------
    Trajectory
        As :func:`~gradclip.solvers.run`; ``grad_norms`` are those of the scaled gradients.

    References
    ----------
    Kingma & Ba (2015), "Adam: a method for stochastic optimization", ICLR.
    https://arxiv.org/abs/1412.6980

    Examples
    --------
    >>> from gradclip import Quadratic
    >>> q = Quadratic([[1.0, 0.0], [0.0, 100.0]])
    >>> traj = adam(q, [1.0, 1.0], lr=0.1, steps=1)
    >>> traj.thetas[1].round(6).tolist()            # the first step is lr * sign(g) per coordinate
    [0.9, 0.9]
    """
    check_problem(problem)
    lr = v.positive(lr, "lr")
    scale = 1.0 if grad_scale is None else v.positive(grad_scale, "grad_scale")
    if clip is not None and threshold is not None:
        threshold = v.positive(threshold, "threshold")
    return adam_batch(problem, theta0, lr, steps, betas, eps, clip, threshold, scale)[0]


def _per_row(value, name, n, low_ok):
    """``value`` broadcast to ``n`` rows: finite, ``> 0`` (``>= 0`` when ``low_ok``)."""
    arr = v.as_float_array(value, name).reshape(-1)
    if arr.size not in (1, n):
        raise ValueError(f"{name} must be one number or one per run ({n}), got {arr.size} values")
    if not np.all(np.isfinite(arr) & ((arr >= 0) if low_ok else (arr > 0))):
        raise ValueError(f"{name} must be finite and {'>= 0' if low_ok else '> 0'}, got {value!r}")
    return np.broadcast_to(arr, (n,)).copy()


def adam_batch(problem, theta0, lrs, steps, betas=(0.9, 0.999), eps=1e-8, clip=None, threshold=None,
               grad_scale=1.0):
    r"""Adam for a batch of configurations at once, one row each: :func:`adam`'s update.

    ``lrs``, ``eps``, ``threshold`` and ``grad_scale`` may each be one number or one value per
    run (``lrs`` and ``threshold`` broadcast against each other first), so an explorer's whole
    grid of settings is one call.

    Parameters
    ----------
    problem, theta0, steps, betas, clip :
        As in :func:`adam`; ``theta0`` is the common start.
    lrs : float or array_like
        Positive learning rates.
    eps, grad_scale : float or array_like
        Per run: ``eps >= 0``, constant gradient factor ``s > 0``.
    threshold : float or array_like, optional
        Clipping threshold(s).

    Returns
    -------
    Trajectories
        As :func:`~gradclip.solvers.run_batch`; ``grad_norms`` are those of the scaled
        gradients, before clipping.

    Examples
    --------
    >>> from gradclip import Quadratic
    >>> q = Quadratic([[1.0, 0.0], [0.0, 100.0]])
    >>> runs = adam_batch(q, [1.0, 1.0], [0.1, 0.2], steps=1, eps=0.0)
    >>> runs.thetas[:, 1].round(6).tolist()         # lr * sign(g) per coordinate
    [[0.9, 0.9], [0.8, 0.8]]
    """
    steps = v.non_negative_int(steps, "steps")
    if not (isinstance(betas, (tuple, list)) and len(betas) == 2):
        raise ValueError(f"betas must be a pair (beta1, beta2), got {betas!r}")
    b1, b2 = (float(v.as_float_array(b, "betas")) for b in betas)
    if not (0.0 <= b1 < 1.0 and 0.0 <= b2 < 1.0):
        raise ValueError(f"betas must lie in [0, 1), got {betas!r}")
    rows, lrs, thresholds = _batch_setup(problem, theta0, lrs, clip, threshold)
    n = lrs.size
    eps = _per_row(eps, "eps", n, low_ok=True)[:, None]
    scale = _per_row(grad_scale, "grad_scale", n, low_ok=False)[:, None]
    m, s = np.zeros_like(rows), np.zeros_like(rows)

    def adam_direction(k, g):
        m[...] = b1 * m + (1 - b1) * g
        s[...] = b2 * s + (1 - b2) * g * g
        m_hat = m / (1 - b1 ** (k + 1))
        s_hat = s / (1 - b2 ** (k + 1))
        return m_hat / (np.sqrt(s_hat) + eps)

    out = descend(problem, rows, lrs, thresholds, steps, clip, direction=adam_direction,
                   grad_scale=scale)
    return Trajectories(*out, lrs=lrs, thresholds=thresholds, clip=clip)
