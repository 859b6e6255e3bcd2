"""Tests of gradclip.distributed: simulated data-parallel and sharded clipping."""

import numpy as np
import pytest

import gradclip as gc
from gradclip.distributed import (
    average_then_clip,
    clip_sharded,
    clip_then_average,
    data_parallel_descent,
    ring_allreduce,
    shard_batch,
    shard_flat,
    sharded_global_norm,
    worker_gradients,
)


def regression(seed=0, m=24, d=3):
    rng = np.random.default_rng(seed)
    X = np.column_stack([np.ones(m), rng.normal(size=(m, d - 1))])
    y = X @ rng.normal(size=d) + rng.normal(scale=0.5, size=m)
    return X, y


# ---------------------------------------------------------------- data parallel

@pytest.mark.parametrize("n, K", [(10, 1), (10, 3), (10, 10), (7, 2)])
def test_shard_batch_is_a_seeded_partition(n, K):
    shards = shard_batch(n, K, seed=4)
    assert len(shards) == K
    assert sorted(np.concatenate(shards).tolist()) == list(range(n))
    sizes = [len(s) for s in shards]
    assert max(sizes) - min(sizes) <= 1
    again = shard_batch(n, K, seed=4)
    assert all(np.array_equal(a, b) for a, b in zip(shards, again))


@pytest.mark.parametrize("n, K, name", [(5, 6, "K"), (5, 0, "K"), (0, 1, "n"), (5, 2.0, "K")])
def test_shard_batch_rejects_bad_sizes(n, K, name):
    with pytest.raises(ValueError, match=name):
        shard_batch(n, K)


def test_worker_gradients_by_hand_and_their_mean_is_the_full_gradient():
    X, y = regression()
    theta = np.array([0.3, -1.0, 2.0])
    shards = shard_batch(24, 4, seed=1)                  # four shards of six rows
    G = worker_gradients(X, y, theta, shards)
    for k, s in enumerate(shards):
        Xs, ys = X[s], y[s]
        np.testing.assert_allclose(G[k], Xs.T @ (Xs @ theta - ys) / len(s), rtol=1e-12, atol=1e-14)
    full = X.T @ (X @ theta - y) / 24
    np.testing.assert_allclose(G.mean(0), full, rtol=1e-12, atol=1e-14)


def test_unequal_shards_average_is_not_the_full_gradient():
    X, y = regression(m=10)
    theta = np.zeros(3)
    G = worker_gradients(X, y, theta, [np.arange(7), np.arange(7, 10)])
    full = X.T @ (X @ theta - y) / 10
    weighted = (7 * G[0] + 3 * G[1]) / 10
    np.testing.assert_allclose(weighted, full, rtol=1e-12)
    assert np.linalg.norm(G.mean(0) - full) > 1e-3


@pytest.mark.parametrize("shards", [[], [[0, 1], []], [[0, 99]], [[0.5, 1.0]], "ab"])
def test_worker_gradients_rejects_bad_shards(shards):
    X, y = regression()
    with pytest.raises(ValueError, match="shards"):
        worker_gradients(X, y, np.zeros(3), shards)


def test_the_two_rules_by_hand():
    G = [[3.0, 0.0], [0.0, 1.0]]
    np.testing.assert_allclose(clip_then_average(G, 1.0), [0.5, 0.5])
    mean = np.array([1.5, 0.5])
    np.testing.assert_allclose(average_then_clip(G, 1.0), mean / np.sqrt(2.5), rtol=1e-15)
    np.testing.assert_allclose(average_then_clip(G, 2.0), mean)            # |mean| = 1.58 < 2
    np.testing.assert_allclose(clip_then_average(G, 2.0), [1.0, 0.5])      # (2, 0) and (0, 1)


def test_the_rules_agree_when_no_worker_is_clipped_and_differ_otherwise():
    X, y = regression(seed=3)
    G = worker_gradients(X, y, np.zeros(3), shard_batch(24, 4, seed=0))
    norms = np.linalg.norm(G, axis=1)
    loose = 1.01 * norms.max()
    np.testing.assert_allclose(clip_then_average(G, loose), average_then_clip(G, loose), rtol=1e-14)
    for c in np.array([0.1, 0.5, 0.9]) * norms.min():
        a, b = average_then_clip(G, c), clip_then_average(G, c)
        assert np.linalg.norm(a) == pytest.approx(c, rel=1e-12)           # DDP: exactly max_norm
        assert np.linalg.norm(b) <= c * (1 + 1e-12)                        # a mean of clipped rows
        assert np.linalg.norm(a - b) > 1e-6 * c
        mean = G.mean(0)
        np.testing.assert_allclose(a, mean * c / np.linalg.norm(mean), rtol=1e-12)


def test_average_then_clip_is_the_clipped_full_batch_gradient():
    X, y = regression(seed=5)
    theta = np.array([1.0, 1.0, 1.0])
    G = worker_gradients(X, y, theta, shard_batch(24, 3, seed=2))
    full = gc.LinearRegression(X, y).grad(theta)
    clipped, _ = gc.clip_by_global_norm([full], 0.2)
    np.testing.assert_allclose(average_then_clip(G, 0.2), clipped[0], rtol=1e-12)


def test_data_parallel_descent_matches_a_hand_loop_and_only_ddp_reaches_the_solution():
    X, y = regression(seed=6, m=20)
    shards = [np.arange(0, 5), np.arange(5, 10), np.arange(10, 15), np.arange(15, 20)]
    c, lr = 0.05, 0.2
    ddp = data_parallel_descent(X, y, np.zeros(3), lr, 3000, shards, c)
    cta = data_parallel_descent(X, y, np.zeros(3), lr, 3000, shards, c, rule="clip_then_average")
    theta = np.zeros(3)
    for _ in range(5):
        rows = []
        for s in shards:
            g = X[s].T @ (X[s] @ theta - y[s]) / len(s)
            n = np.sqrt(g @ g)
            rows.append(g * min(1.0, c / n))
        theta = theta - lr * np.mean(rows, axis=0)
    np.testing.assert_allclose(cta[5], theta, rtol=1e-12)
    star = np.linalg.lstsq(X, y, rcond=None)[0]
    at_star = np.linalg.norm(worker_gradients(X, y, star, shards), axis=1)
    assert at_star.min() > c                       # every worker is clipped at the solution
    np.testing.assert_allclose(ddp[-1], star, atol=1e-9)
    assert np.linalg.norm(cta[-1] - star) > 1e-3
    assert np.linalg.norm(cta[-1] - cta[-2]) < 1e-9  # ...although it has settled


def test_data_parallel_descent_rejects_bad_rule():
    X, y = regression()
    with pytest.raises(ValueError, match="rule"):
        data_parallel_descent(X, y, np.zeros(3), 0.1, 5, [np.arange(24)], 1.0, rule="mean")


# ---------------------------------------------------------------- sharded model

def test_shard_flat_cuts_the_flat_buffer():
    grads = [np.arange(6.0).reshape(2, 3), np.array([6.0, 7.0]), 8.0]
    slices = shard_flat(grads, 4)
    assert [len(s) for s in slices] == [3, 2, 2, 2]
    np.testing.assert_array_equal(np.concatenate(slices), np.arange(9.0))
    with pytest.raises(ValueError, match="K"):
        shard_flat(grads, 10)


@pytest.mark.parametrize("K", [1, 2, 3, 5, 8])
@pytest.mark.parametrize("L", [1, 2, 7])
def test_ring_allreduce_gives_every_rank_the_sum(K, L):
    B = np.random.default_rng(K * 10 + L).normal(size=(K, L))
    before = B.copy()
    result, sent = ring_allreduce(B)
    assert sent == 2 * (K - 1) * L          # every chunk travels 2 (K - 1) times
    for r in range(K):
        np.testing.assert_allclose(result[r], B.sum(axis=0), rtol=1e-12, atol=1e-15)
    np.testing.assert_array_equal(B, before)


@pytest.mark.parametrize("K", [1, 2, 4, 7])
def test_sharded_global_norm_equals_the_single_machine_norm(K):
    rng = np.random.default_rng(K)
    grads = [rng.normal(size=(5, 4)), rng.normal(size=7), rng.normal(size=(2, 3, 2))]
    _, total = gc.clip_by_global_norm(grads, 1.0)
    norm, sent = sharded_global_norm(shard_flat(grads, K))
    assert norm == pytest.approx(total, rel=1e-12)
    assert sent == 2 * (K - 1)


@pytest.mark.parametrize("max_norm", [0.5, 3.0, 100.0])
def test_clip_sharded_equals_clip_by_global_norm(max_norm):
    rng = np.random.default_rng(0)
    grads = [rng.normal(size=(4, 3)), rng.normal(size=5)]
    expected, total = gc.clip_by_global_norm(grads, max_norm)
    clipped, norm, sent = clip_sharded(shard_flat(grads, 3), max_norm)
    np.testing.assert_allclose(np.concatenate(clipped),
                               np.concatenate([e.ravel() for e in expected]), rtol=1e-12)
    assert norm == pytest.approx(total, rel=1e-12) and sent == 4


def test_clip_sharded_non_finite_gives_nan_and_validates():
    clipped, norm, _ = clip_sharded([[1.0, np.inf], [2.0]], 1.0)
    assert norm == np.inf and all(np.isnan(c).all() for c in clipped)
    with pytest.raises(ValueError, match="max_norm"):
        clip_sharded([[1.0]], 0.0)
    with pytest.raises(ValueError, match="local_slices"):
        sharded_global_norm([])
