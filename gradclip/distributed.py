"""Gradient clipping across data-parallel workers and across a sharded model, simulated in numpy.

Data parallel (PyTorch DDP, Horovod): each of ``K`` workers computes the gradient of the loss
on its own shard of the batch, an all-reduce averages them, and every worker then holds the
gradient of the full batch. Clipping belongs AFTER the all-reduce, on the averaged gradient
(:func:`average_then_clip`); clipping each worker's gradient before averaging
(:func:`clip_then_average`) is a different rule and gives a different update. DDP finishes its
all-reduce inside ``backward()``, so ``torch.nn.utils.clip_grad_norm_`` right after it clips
the average. Horovod's ``DistributedOptimizer`` only starts its all-reduces in ``backward()``
and waits for them in ``step()``: call ``optimizer.synchronize()``, then ``clip_grad_norm_``,
then ``optimizer.step()`` inside ``with optimizer.skip_synchronize():``.

Sharded model (FSDP, ZeRO, tensor parallel): each rank holds a slice of the parameters and of
their gradient. The global norm needs every slice: each rank computes its local sum of squares,
one all-reduce of that scalar gives the total (:func:`sharded_global_norm`), and each rank
scales its own slice (:func:`clip_sharded`). With PyTorch's FSDP1 (``FullyShardedDataParallel``)
``torch.nn.utils.clip_grad_norm_`` sees only the local flat shards and returns a local norm:
the model's own ``clip_grad_norm_`` method does the all-reduce. FSDP2 (``fully_shard``) keeps
gradients as DTensors, whose norm ``torch.nn.utils.clip_grad_norm_`` reduces across ranks. In
tensor parallelism some parameters (layer norms, some biases) are replicated on every rank of
the group; their squares must be counted once, not once per rank (Megatron-LM counts them on
one rank only).

Cost model used here (:func:`ring_allreduce`): a ring all-reduce of a buffer of ``L`` numbers
over ``K`` ranks is a reduce-scatter followed by an all-gather, ``2 (K - 1)`` rounds in which
every rank passes one chunk (about ``L / K`` numbers) to its right neighbour: ``2 (K - 1) L``
numbers sent in all. For the norm ``L = 1``: ``2 (K - 1)`` numbers, one round-trip of latency
per step and no bandwidth to speak of next to the all-reduce of the gradient itself.
"""

import numpy as np

from . import validation as v
from ._engine import norm_scale
from .clipping import clip_by_norm
from .problems import LinearRegression

__all__ = ["shard_batch", "worker_gradients", "clip_then_average", "average_then_clip",
           "data_parallel_descent", "shard_flat", "ring_allreduce", "sharded_global_norm", "clip_sharded"]


def _count(value, name, low=1):
    value = v.non_negative_int(value, name)
    if value < low:
        raise ValueError(f"{name} must be at least {low}, got {value!r}")
    return value


def shard_batch(n, K, seed=0):
    """Split the row indices ``0..n-1`` into ``K`` shards: a seeded permutation cut by
    ``numpy.array_split`` (shard sizes differ by at most one).

    Examples
    --------
    >>> [s.tolist() for s in shard_batch(5, 2, seed=0)]
    [[2, 4, 3], [0, 1]]
    """
    n = _count(n, "n")
    K = _count(K, "K")
    if K > n:
        raise ValueError(f"K must be at most n={n} so that no shard is empty, got {K!r}")
    perm = np.random.default_rng(v.non_negative_int(seed, "seed")).permutation(n)
    return np.array_split(perm, K)


def worker_gradients(X, y, theta, shards):
    """Gradient of the least-squares loss ``mean((X_s theta - y_s)^2) / 2`` on each shard.

    Returns
    -------
    numpy.ndarray, shape (K, d)
        Row ``k`` is ``X_k^T (X_k theta - y_k) / m_k``, the gradient worker ``k`` computes on
        its shard (a :class:`~gradclip.LinearRegression` of that shard). With equal shard
        sizes their mean is the full-batch gradient.

    Examples
    --------
    >>> X = [[1.0], [1.0], [1.0], [1.0]]
    >>> worker_gradients(X, [0.0, 2.0, 4.0, 6.0], [0.0], [[0, 1], [2, 3]]).tolist()
    [[-1.0], [-5.0]]
    """
    X = v.as_float_array(X, "X")
    if X.ndim != 2:
        raise ValueError(f"X must be a 2-D array (m, d), got shape {X.shape}")
    if not isinstance(shards, (list, tuple)) or not shards:
        raise ValueError(f"shards must be a non-empty list of index arrays, got {shards!r}")
    y = v.as_float_array(y, "y")
    rows = []
    for i, s in enumerate(shards):
        s = np.asarray(s)
        if s.ndim != 1 or s.size == 0 or s.dtype.kind not in "iu" or s.min() < 0 or s.max() >= len(X):
            raise ValueError(f"shards[{i}] must be a non-empty array of row indices below {len(X)}, got {s!r}")
        rows.append(LinearRegression(X[s], y[s]).grad(theta))
    return np.stack(rows)


def _worker_grads(worker_grads):
    G = v.as_float_array(worker_grads, "worker_grads")
    if G.ndim != 2 or G.shape[0] == 0:
        raise ValueError(f"worker_grads must have shape (K, d) with K >= 1, got {G.shape}")
    return G


def clip_then_average(worker_grads, max_norm):
    """Clip each worker's gradient by norm, then average: ``mean_k clip(g_k)``.

    Not what DDP does. Each clipped term has norm at most ``max_norm``, so the mean does too,
    but a worker whose gradient is long is shrunk more than the others: the update is a
    re-weighted mix of the workers and no longer the gradient of the full batch.

    Examples
    --------
    >>> clip_then_average([[3.0, 0.0], [0.0, 1.0]], 1.0).tolist()
    [0.5, 0.5]
    """
    G = _worker_grads(worker_grads)
    return clip_by_norm(G, max_norm, axis=-1).mean(axis=0)


def average_then_clip(worker_grads, max_norm):
    """Average the workers' gradients (the all-reduce), then clip the mean by its norm.

    This is what PyTorch DDP with ``clip_grad_norm_`` after ``backward()`` does (apart from
    PyTorch's ``1e-6``): the all-reduce runs during ``backward()``, so the clipping sees the
    averaged, full-batch gradient. The result is the clipped full-batch gradient.

    Examples
    --------
    >>> average_then_clip([[3.0, 0.0], [0.0, 1.0]], 1.0).round(4).tolist()   # (1.5, 0.5) / 1.5811
    [0.9487, 0.3162]
    """
    G = _worker_grads(worker_grads)
    return clip_by_norm(G.mean(axis=0), max_norm)


RULES = {"average_then_clip": average_then_clip, "clip_then_average": clip_then_average}


def data_parallel_descent(X, y, theta0, lr, steps, shards, max_norm, rule="average_then_clip"):
    """Gradient descent on least squares with ``K`` simulated workers and clipping.

    Each step, worker ``k`` computes its shard's gradient (:func:`worker_gradients`) and the
    update is ``theta <- theta - lr * rule(worker gradients, max_norm)``.

    With ``"average_then_clip"`` (DDP) the fixed point is the least-squares solution. With
    ``"clip_then_average"`` it is not, as soon as ``max_norm`` is below the norms of the
    workers' gradients AT the solution (they are not zero there, only their mean is): the
    clipped gradients of the workers balance at another point.

    Returns
    -------
    numpy.ndarray, shape (steps + 1, d)
        The iterates, ``theta0`` first.

    Examples
    --------
    >>> X = [[1.0], [1.0], [1.0], [1.0]]; y = [0.0, 0.0, 0.0, 4.0]   # solution theta = 1
    >>> shards = [[0, 1], [2, 3]]                                   # their gradients: theta, theta - 2
    >>> round(float(data_parallel_descent(X, y, [0.0], 0.5, 200, shards, 0.5)[-1, 0]), 9)
    1.0
    >>> round(float(data_parallel_descent(X, y, [0.0], 0.5, 200, shards, 0.5, "clip_then_average")[-1, 0]), 9)
    0.5

    In the second run every point of [0.5, 1.5] is a fixed point (the clipped gradients
    0.5 and -0.5 cancel); from 0 the run stops at 0.5, half-way to the solution.
    """
    if rule not in RULES:
        raise ValueError(f"rule must be one of {sorted(RULES)}, got {rule!r}")
    worker_gradients(X, y, theta0, shards)                        # validates the inputs
    X, y = v.as_float_array(X, "X"), v.as_float_array(y, "y")
    problems = [LinearRegression(X[np.asarray(s)], y[np.asarray(s)]) for s in shards]
    theta = v.as_float_array(theta0, "theta0")
    lr, steps = v.positive(lr, "lr"), v.non_negative_int(steps, "steps")
    v.positive(max_norm, "max_norm")
    thetas = np.empty((steps + 1, theta.size))
    thetas[0] = theta
    with np.errstate(all="ignore"):
        for k in range(steps):
            G = np.stack([p.grad(thetas[k]) for p in problems])
            thetas[k + 1] = thetas[k] - lr * RULES[rule](G, max_norm)
    return thetas


def shard_flat(grads, K):
    """Flatten arrays into one buffer and cut it into ``K`` contiguous slices, one per rank
    (as FSDP shards its flat parameter). Slices differ in length by at most one.

    Examples
    --------
    >>> [s.tolist() for s in shard_flat([[1.0, 2.0], [[3.0], [4.0]], 5.0], 2)]
    [[1.0, 2.0, 3.0], [4.0, 5.0]]
    """
    arrays = [grads] if isinstance(grads, np.ndarray) else grads
    if not isinstance(arrays, (list, tuple)) or not arrays:
        raise ValueError(f"grads must be an array or a non-empty list of arrays, got {grads!r}")
    flat = np.concatenate([v.as_float_array(g, f"grads[{i}]").ravel() for i, g in enumerate(arrays)])
    K = _count(K, "K")
    if K > flat.size:
        raise ValueError(f"K must be at most the number of entries {flat.size}, got {K!r}")
    return np.array_split(flat, K)


def ring_allreduce(buffers):
    """Sum equal-length buffers held by ``K`` ranks with the ring algorithm, simulated.

    Each buffer is cut into ``K`` chunks (``numpy.array_split``). Reduce-scatter: for ``K - 1``
    rounds rank ``r`` sends chunk ``(r - s) mod K`` to rank ``r + 1``, which adds it to its own.
    All-gather: for ``K - 1`` rounds rank ``r`` passes the summed chunk ``(r + 1 - s) mod K``
    on. Every chunk travels ``2 (K - 1)`` times.

    Parameters
    ----------
    buffers : array_like, shape (K, L)
        Row ``r`` is rank ``r``'s buffer.

    Returns
    -------
    result : numpy.ndarray, shape (K, L)
        What each rank holds at the end: every row is the sum over ranks.
    sent : int
        Numbers carried by all the sends together: ``2 (K - 1) L`` (a chunk of a buffer shorter
        than ``K`` may be empty and carries nothing).

    Examples
    --------
    >>> result, sent = ring_allreduce([[1.0, 10.0], [2.0, 20.0], [3.0, 30.0]])
    >>> result.tolist(), sent
    ([[6.0, 60.0], [6.0, 60.0], [6.0, 60.0]], 8)
    """
    B = v.as_float_array(buffers, "buffers")
    if B.ndim != 2 or B.shape[0] == 0:
        raise ValueError(f"buffers must have shape (K, L) with K >= 1, got {B.shape}")
    K = B.shape[0]
    chunks = [np.array_split(row.copy(), K) for row in B]
    sent = 0
    with np.errstate(over="ignore", invalid="ignore"):
        for s in range(K - 1):                         # reduce-scatter
            out = [chunks[r][(r - s) % K].copy() for r in range(K)]
            for r in range(K):
                chunks[(r + 1) % K][(r - s) % K] += out[r]
            sent += sum(c.size for c in out)
        for s in range(K - 1):                         # all-gather
            out = [chunks[r][(r + 1 - s) % K].copy() for r in range(K)]
            for r in range(K):
                chunks[(r + 1) % K][(r + 1 - s) % K] = out[r]
            sent += sum(c.size for c in out)
    return np.stack([np.concatenate(c) for c in chunks]), sent


def _local_squares(local_slices):
    if not isinstance(local_slices, (list, tuple)) or not local_slices:
        raise ValueError(f"local_slices must be a non-empty list of arrays, got {local_slices!r}")
    slices = [v.as_float_array(s, f"local_slices[{i}]") for i, s in enumerate(local_slices)]
    with np.errstate(over="ignore", invalid="ignore"):
        return slices, np.array([[np.sum(s * s)] for s in slices])


def sharded_global_norm(local_slices):
    """Global 2-norm of a gradient split across ranks, by ONE all-reduce of a scalar.

    Rank ``r`` computes ``s_r = sum(g_r ** 2)`` over its slice; a ring all-reduce
    (:func:`ring_allreduce`) gives every rank ``sum_r s_r``; the norm is its square root,
    ``sqrt(sum_r ||g_r||^2) = ||g||``. The squares overflow for entries above about 1e154.

    A replicated parameter (tensor parallelism: a layer norm on every rank) belongs in the slice
    of one rank only; counted on each of ``K`` ranks it would weigh ``K`` times in the sum.

    Returns
    -------
    norm : float
        The global norm (the same on every rank).
    sent : int
        Numbers sent by the ring all-reduce of one scalar: ``2 (K - 1)``.

    Examples
    --------
    >>> sharded_global_norm([[3.0], [4.0, 0.0], [12.0]])
    (13.0, 4)
    """
    _, squares = _local_squares(local_slices)
    total, sent = ring_allreduce(squares)
    return float(np.sqrt(total[0, 0])), sent


def clip_sharded(local_slices, max_norm):
    """Clip a sharded gradient by its global norm: each rank scales its own slice by
    ``min(1, max_norm / ||g||)`` after :func:`sharded_global_norm`.

    Returns
    -------
    clipped : list of numpy.ndarray
        The new local slices.
    norm : float
        The global norm before clipping.
    sent : int
        Numbers sent by the one all-reduce, ``2 (K - 1)``.

    Examples
    --------
    >>> clipped, norm, sent = clip_sharded([[3.0], [4.0]], 1.0)
    >>> [c.round(12).tolist() for c in clipped], norm, sent
    ([[0.6], [0.8]], 5.0, 2)
    """
    m = v.positive(max_norm, "max_norm")
    slices, _ = _local_squares(local_slices)
    norm, sent = sharded_global_norm(slices)
    if not np.isfinite(norm):
        return [np.full_like(s, np.nan) for s in slices], norm, sent
    scale = float(norm_scale(np.float64(norm), m))
    return [s * scale for s in slices], norm, sent
