"""The engine under the solvers: validation of their common arguments, the clipping kernels
and one batched descent loop.

Private to the package (nothing here is part of the public API), but every name is meant to
be imported by the modules of ``gradclip``: :mod:`~gradclip.solvers`, :mod:`~gradclip.optim`,
:mod:`~gradclip.noise`, :mod:`~gradclip.selection`, :mod:`~gradclip.smoothness`,
:mod:`~gradclip.adaptive`, :mod:`~gradclip.dp` and :mod:`~gradclip.distributed` all run on it,
and the public clipping functions of :mod:`~gradclip.clipping` call its kernels, so each formula
is written once. The public names built on it: :data:`gradclip.solvers.DIVERGENCE_FACTOR`,
:func:`gradclip.run_batch` and the optimizers. Its batched power iteration is the one under
:func:`gradclip.sharpness` (one vector) and :func:`gradclip.gd_batch` (one vector per run).
"""

import numpy as np

from . import validation as v

#: A run has diverged once its loss exceeds ``loss0 + DIVERGENCE_FACTOR * (1 + |loss0|)``.
DIVERGENCE_FACTOR = 1e6
CLIP_MODES = (None, "value", "norm")


# Clipping kernels: the formulas, without validation.


def clip_values(g, threshold):
    """``clip(g, -threshold, threshold)``; ``threshold`` broadcasts against ``g``."""
    return np.clip(g, -threshold, threshold)


def norm_scale(norm, max_norm):
    """The factor ``min(1, max_norm / norm)``; 1 for a zero norm, NaN where norm is NaN."""
    with np.errstate(divide="ignore", invalid="ignore", over="ignore"):
        return np.where(norm > max_norm, max_norm / np.where(norm > 0, norm, 1.0),
                        np.where(np.isnan(norm), np.nan, 1.0))


def row_norms(g):
    """2-norm of each row of a 2-D array; rows whose squares overflow are rescaled first."""
    with np.errstate(over="ignore", invalid="ignore"):
        norms = np.sqrt(np.einsum("ij,ij->i", g, g))
    huge = np.isinf(norms) & np.all(np.isfinite(g), -1)
    if huge.any():
        norms[huge] = v.vector_norm(g[huge], 2.0, axis=-1)
    return norms


# The solvers' arguments, and the descent loop they all share.


def check_problem(problem):
    if not (hasattr(problem, "loss") and hasattr(problem, "grad") and hasattr(problem, "dim")):
        raise ValueError(f"problem must have dim, loss and grad, got {problem!r}")


def check_theta0(problem, theta0, rows=False):
    """A finite start ``(dim,)``; with ``rows``, also one start per run ``(n, dim)``."""
    theta0 = v.as_float_array(theta0, "theta0")
    ok = theta0.shape == (problem.dim,) or (rows and theta0.ndim == 2 and len(theta0) > 0
                                            and theta0.shape[1] == problem.dim)
    if not ok or not np.all(np.isfinite(theta0)):
        shapes = f"({problem.dim},)" + (f" or (n, {problem.dim})" if rows else "")
        raise ValueError(f"theta0 must be finite and shaped {shapes}, got shape {theta0.shape}: "
                         f"{theta0.tolist()!r}"[:300])
    return theta0


def broadcast_rows(theta0, lrs, thresholds):
    """Broadcast the per-run settings against one start per run; ``(theta0, lrs, thresholds)``."""
    if theta0.ndim == 1:
        return theta0, lrs, thresholds
    n = len(theta0)
    try:
        lrs = np.array(np.broadcast_to(lrs, (n,)))
        thresholds = None if thresholds is None else np.array(np.broadcast_to(thresholds, (n,)))
    except ValueError:
        raise ValueError(f"theta0 has {n} rows but lrs has {lrs.size}"
                         + ("" if thresholds is None else f" and thresholds {thresholds.size}")
                         + " entries: they must broadcast") from None
    return theta0, lrs, thresholds


def check_clip(clip, threshold, allow_callable=True):
    if callable(clip) and allow_callable:
        if threshold is not None:
            raise ValueError("threshold must be None when clip is a callable")
        return clip
    if isinstance(clip, str) or clip is None:
        if clip not in CLIP_MODES:
            raise ValueError(f"clip must be None, 'value', 'norm' or a callable, got {clip!r}")
    else:
        raise ValueError(f"clip must be None, 'value', 'norm' or a callable, got {clip!r}")
    if clip is None and threshold is not None:
        raise ValueError(f"threshold={threshold!r} was given but clip is None")
    if clip is not None and threshold is None:
        raise ValueError(f"clip={clip!r} needs a threshold")
    return clip


def evaluator(problem):
    """``theta -> (loss, grad)``: the problem's fused ``loss_and_grad`` where it has one."""
    fused = getattr(problem, "loss_and_grad", None)
    if fused is not None:
        return fused
    return lambda theta: (problem.loss(theta), problem.grad(theta))


def plain(k, g):
    """Plain descent: the step direction is the (clipped) gradient itself."""
    return g


def clip_rows(g, clip, thresholds, gn=None):
    """Clip each row of ``g`` (``thresholds`` one per row); return the used gradient and which
    rows changed. ``clip`` may be a callable for a single row; ``gn``: the rows' norms, if
    the caller has them."""
    n, d = g.shape
    if clip == "norm":
        gn = row_norms(g) if gn is None else gn
        return g * norm_scale(gn, thresholds)[:, None], gn > thresholds
    if clip == "value":
        used = clip_values(g, thresholds[:, None])
        return used, np.any(used != g, axis=-1)
    if callable(clip):
        used = np.asarray(clip(g[0].copy()), dtype=np.float64).reshape(1, d)
        return used, np.array([not np.array_equal(used[0], g[0])])
    return g, np.zeros(n, dtype=bool)


def descend(problem, theta0, lrs, thresholds, steps, clip, record=True, direction=plain,
             grad_scale=1.0, target=None):
    """Batched ``theta <- theta - lr * direction(k, clip(grad_scale * grad))``, one row per lr.

    ``theta0`` is one start ``(d,)`` or one per row ``(n, d)``. Each row freezes at its own
    divergence step (loss non-finite or above ``loss0 + DIVERGENCE_FACTOR (1 + |loss0|)``).
    The loss and the gradient of each new iterate come from one ``loss_and_grad`` call (one
    forward and one backward pass for a recurrent problem); the gradient is kept for the
    next step, so every iterate is evaluated once. ``direction(k, g)`` turns the clipped
    gradient into the step direction (momentum, Adam, normalized steps; it may keep state).
    With ``target``, returns only the first step at which each row's loss is ``<= target``
    (-1 if never) and stops as soon as every row has reached it or diverged.
    """
    n, d = len(lrs), problem.dim
    theta = np.broadcast_to(theta0, (n, d)).copy()
    lr = lrs[:, None]
    evaluate = evaluator(problem)
    with np.errstate(all="ignore"):
        loss, g = evaluate(theta)
        loss, g = np.asarray(loss, dtype=np.float64), grad_scale * np.asarray(g, dtype=np.float64)
        limit = loss + DIVERGENCE_FACTOR * (1.0 + np.abs(loss))
        active = np.ones(n, dtype=bool)
        diverged_at = np.full(n, -1)
        hit = np.where(loss <= target, 0, -1) if target is not None else None
        if record:
            thetas = np.full((n, steps + 1, d), np.nan)
            losses = np.full((n, steps + 1), np.nan)
            grad_norms = np.full((n, steps), np.nan)
            clipped = np.zeros((n, steps), dtype=bool)
            lengths = np.full((n, steps), np.nan)
            thetas[:, 0], losses[:, 0] = theta, loss
        for k in range(steps):
            if target is not None and not np.any(active & (hit < 0)):
                break
            gn = row_norms(g) if record or clip == "norm" else None  # once per step
            used, over = clip_rows(g, clip, thresholds, gn)
            step = lr * direction(k, used)
            new = theta - step
            new_loss, new_g = evaluate(new)
            new_loss = np.asarray(new_loss, dtype=np.float64)
            bad = active & ~(np.isfinite(new_loss) & (new_loss <= limit) & np.all(np.isfinite(new), -1))
            diverged_at[bad] = k + 1
            if record:
                rows = active
                thetas[rows, k + 1] = new[rows]
                losses[rows, k + 1] = new_loss[rows]
                grad_norms[rows, k] = gn[rows]
                clipped[rows, k] = over[rows]
                lengths[rows, k] = row_norms(step[rows])
            active = active & ~bad
            theta = np.where(active[:, None], new, theta)
            loss = np.where(active, new_loss, loss)
            g = np.where(active[:, None], grad_scale * np.asarray(new_g, dtype=np.float64), g)
            if target is not None:
                hit = np.where(active & (hit < 0) & (loss <= target), k + 1, hit)
            if not active.any():
                break
    if target is not None:
        return hit
    if record:
        return thetas, losses, grad_norms, clipped, lengths, diverged_at
    return theta, loss, diverged_at


def unit(k, g):
    """Normalized descent: the unit vector ``g / ||g||`` of each row (0 for a zero row)."""
    norm = row_norms(g)[:, None]
    with np.errstate(invalid="ignore", divide="ignore"):
        return np.where(norm > 0, g / np.where(norm > 0, norm, 1.0), 0.0)


# Noise for the stochastic runs (:mod:`gradclip.noise`, :mod:`gradclip.dp`).

#: Steps of noise drawn per block.
CHUNK = 256


def noise_blocks(kind, df, n_runs, steps, dim, seed):
    """Yield ``(n_runs, chunk, dim)`` standard noise, run ``i`` from ``default_rng([seed, i])``."""
    gens = [np.random.default_rng([seed, i]) for i in range(n_runs)]
    done = 0
    while done < steps:
        size = (min(CHUNK, steps - done), dim)
        if kind == "gaussian":
            block = np.stack([g.standard_normal(size) for g in gens])
        else:
            block = np.stack([g.standard_t(df, size) for g in gens])
        done += size[0]
        yield block


def check_seed(seed, n_runs):
    seed = v.non_negative_int(seed, "seed")
    n_runs = v.non_negative_int(n_runs, "n_runs")
    if n_runs < 1:
        raise ValueError(f"n_runs must be >= 1, got {n_runs!r}")
    return seed, n_runs


# Power iteration, batched: the sharpness of one point (:mod:`~gradclip.curvature`) and of a
# batch of networks (:mod:`~gradclip.eos`).


def power_iteration(hvp, vecs, iters, shift=0.0, tol=0.0):
    """Power iteration on ``H_i + shift_i I`` for a batch of symmetric operators, one row each.

    ``hvp(rows, u)`` returns ``H_i u_i`` for the batch rows ``rows`` (an index array) and their
    vectors ``u`` of shape ``(len(rows), n)``. Every row, while it runs, takes the Rayleigh
    quotient ``mu = u . H u`` (an eigenvalue of ``H``, not of the shifted operator), stops once
    the residual ``||H u - mu u|| <= tol |mu|`` (or is 0), and otherwise moves on to
    ``u <- (H u + shift u) / ||H u + shift u||``. ``tol=0`` runs every row for ``iters`` steps.
    A row whose product is not finite stops with ``mu`` NaN, its vector unchanged; one whose
    next vector would be 0 stops unconverged.

    Parameters
    ----------
    hvp : callable
        ``hvp(rows, u) -> (len(rows), n)`` array.
    vecs : numpy.ndarray
        ``(B, n)`` unit start vectors (not modified).
    iters : int
        Most products per row.
    shift : float or numpy.ndarray
        ``rho`` of ``H + rho I``, one for all rows or ``(B,)``.
    tol : float
        Relative residual at which a row stops.

    Returns
    -------
    mu : numpy.ndarray, shape (B,)
        The last Rayleigh quotient of each row.
    vecs : numpy.ndarray, shape (B, n)
        The vector that gave ``mu`` for a converged row, the next one otherwise.
    used : numpy.ndarray of int, shape (B,)
        Products spent on each row.
    converged : numpy.ndarray of bool, shape (B,)
    top : numpy.ndarray, shape (B,)
        The largest ``||H u||`` seen in each row (a lower bound of its spectral radius).
    """
    vecs = np.array(vecs, dtype=np.float64)
    B = len(vecs)
    shift = np.broadcast_to(np.asarray(shift, dtype=np.float64), (B,))
    mu, top = np.full(B, np.nan), np.zeros(B)
    used, converged = np.zeros(B, dtype=np.int64), np.zeros(B, dtype=bool)
    rows = np.arange(B)
    for _ in range(iters):
        if rows.size == 0:
            break
        u = vecs[rows]
        hv = np.asarray(hvp(rows, u), dtype=np.float64)
        used[rows] += 1
        finite = np.all(np.isfinite(hv), axis=1)
        mu[rows[~finite]] = np.nan
        rows, u, hv = rows[finite], u[finite], hv[finite]
        m = np.vecdot(u, hv)  # one BLAS dot per row
        mu[rows] = m
        top[rows] = np.maximum(top[rows], v.vector_norm(hv, 2.0, axis=1))
        resid = v.vector_norm(hv - m[:, None] * u, 2.0, axis=1)
        done = (resid <= tol * np.abs(m)) | (resid == 0.0)
        converged[rows[done]] = True
        rows, u, hv = rows[~done], u[~done], hv[~done]
        w = hv + shift[rows, None] * u
        nrm = v.vector_norm(w, 2.0, axis=1)
        rows, w, nrm = rows[nrm != 0.0], w[nrm != 0.0], nrm[nrm != 0.0]
        vecs[rows] = w / nrm[:, None]
    return mu, vecs, used, converged, top
