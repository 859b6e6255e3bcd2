"""Batched edge-of-stability runs against one-run training and power iteration; the toy's flow."""

import numpy as np
import pytest

from gradclip import MLP, train
from gradclip.curvature import net_sharpness
from gradclip.eos import edge_window, flow_sharpness, gd_batch, power_step
from gradclip.problems import ScalarFactorization
from gradclip.solvers import run


@pytest.fixture(scope="module")
def task():
    rng = np.random.default_rng(0)
    X = rng.normal(size=(30, 2))
    return X, np.sin(2 * X[:, :1]) * np.cos(X[:, 1:]), MLP([2, 8, 8, 1], "tanh", weight_scale=0.5, seed=0)


def test_batched_runs_equal_one_run_at_a_time(task):
    X, y, net = task
    before = [p.copy() for p in net.params]
    lrs = [0.2, 0.5, 6.0]
    runs = gd_batch(net, X, y, lrs, 300, every=50, iters=60, warm_iters=10)
    assert all(np.array_equal(a, b) for a, b in zip(net.params, before))
    assert runs.steps.tolist() == [0, 50, 100, 150, 200, 250, 300]
    for i, lr in enumerate(lrs):
        ref = train(net, X, y, lr, 300, record_every=50)
        if ref.diverged_at is None:
            np.testing.assert_allclose(runs.losses[i], ref.losses, rtol=1e-10, atol=1e-14)
            assert runs.diverged_at[i] == -1
            lam = [net_sharpness(net, X, y, p) for _, p in ref.snapshots]
            # 10 warm-started iterations per snapshot: a Rayleigh quotient, within 1 % below
            np.testing.assert_allclose(runs.sharpness[i], lam, rtol=1e-2)
            assert np.all(runs.sharpness[i] <= np.array(lam) * (1 + 1e-6))
            np.testing.assert_allclose(runs.params[0][i], ref.params[0], rtol=1e-10)
        else:  # the batch stops a run once its loss passes 1e6
            k = runs.diverged_at[i]
            assert 0 < k <= ref.diverged_at
            np.testing.assert_allclose(runs.losses[i, :k], ref.losses[:k], rtol=1e-10)
            assert np.all(np.isnan(runs.losses[i, k:])) and ref.losses[k] > 1e6 or not np.isfinite(ref.losses[k])
    assert runs.diverged_at.tolist()[:2] == [-1, -1] and runs.diverged_at[2] > 0
    np.testing.assert_allclose(runs.edges, 2 / np.array(lrs))


def test_power_step_and_its_iteration():
    H = np.array([[2.0, 1.0], [1.0, 3.0]])
    u = np.array([1.0, 0.0])
    out = power_step(lambda w: H @ w, u)
    np.testing.assert_allclose(out, np.array([2.0, 1.0]) / np.sqrt(5.0))
    assert u.tolist() == [1.0, 0.0]
    for _ in range(60):
        u = power_step(lambda w: H @ w, u)
    assert u @ H @ u == pytest.approx(np.linalg.eigvalsh(H)[-1], rel=1e-12)
    with pytest.raises(ValueError, match="hvp"):
        power_step("H", u)
    with pytest.raises(ValueError, match="hvp"):
        power_step(lambda w: 0 * w, u)


def test_flow_sharpness_is_where_a_tiny_step_settles():
    f = ScalarFactorization()
    for start in ([2.0, 0.49], [3.0, 0.05], [0.5, 1.5]):
        t = run(f, start, 0.01, 8000)
        assert float(f.sharpness(t.thetas[-1])) == pytest.approx(flow_sharpness(start), rel=1e-2)
    for bad in ([1.0, -1.0], [1.0], [np.nan, 1.0]):
        with pytest.raises(ValueError, match="theta0"):
            flow_sharpness(bad)


def test_edge_window():
    assert edge_window([0, 10, 20], [1.0, 10.9, 9.2], 0.2) == (10, 0.09)
    assert edge_window([0, 10, 20], [1.0, 10.0, 12.0], 0.2) == (None, None) or \
        edge_window([0, 10, 20], [1.0, 10.0, 12.0], 0.2)[0] is None
    assert edge_window([0, 10], [10.0, 10.0], 0.2) == (0, 0.0)
    with pytest.raises(ValueError, match="lr"):
        edge_window([0], [1.0], 0.0)


def test_gd_batch_validates(task):
    X, y, net = task
    for kwargs, word in [(dict(lrs=[0.1, -1.0]), "lrs"), (dict(lrs=[]), "lrs"), (dict(every=0), "every"),
                         (dict(steps=-1), "steps"), (dict(warm_iters=0), "warm_iters")]:
        args = dict(lrs=[0.1], steps=10) | kwargs
        with pytest.raises(ValueError, match=word):
            gd_batch(net, X, y, **args)
    with pytest.raises(ValueError, match="X"):
        gd_batch(net, X[:, :1], y, [0.1], 10)
    with pytest.raises(ValueError, match="net"):
        gd_batch(MLP([2, 4, 4, 1], residual=True), X, y, [0.1], 10)


def test_clipped_edge_against_train_and_net_sharpness(task):
    from gradclip.eos import clipped_edge

    X, y, net = task
    ce = clipped_edge(net, X, y, lr=2.0, steps=30, threshold=0.05, every=10)
    ref = train(net, X, y, 2.0, 30, clip="global_norm", threshold=0.05, record_every=10)
    assert ce.steps.tolist() == [0, 10, 20]
    np.testing.assert_allclose(ce.training.losses, ref.losses)
    for j, (step, params) in enumerate(ref.snapshots[:3]):
        g = np.sqrt(sum(np.sum(a**2) for a in net.loss_and_grads(X, y, params)[1]))
        assert ce.effective_lr[j] == pytest.approx(2.0 * min(1.0, 0.05 / g), rel=1e-12)
        assert ce.sharpness[j] == pytest.approx(net_sharpness(net, X, y, params), rel=1e-3)
    np.testing.assert_allclose(ce.ratio, ce.effective_lr / ce.local_edge)
    with pytest.raises(ValueError, match="every"):
        clipped_edge(net, X, y, 1.0, 10, 1.0, every=0)


def test_eos_task():
    from gradclip.eos import eos_task

    X, y, net = eos_task(n=7, width=3, seed=2)
    X2 = np.random.default_rng(2).normal(size=(7, 2))
    np.testing.assert_array_equal(X, X2)
    np.testing.assert_allclose(y[:, 0], np.sin(2 * X2[:, 0]) * np.cos(X2[:, 1]))
    assert net.sizes == [2, 3, 3, 1] and net.activation == "tanh" and net.weight_scale == 0.5
    with pytest.raises(ValueError, match="n"):
        eos_task(n=0)


def _linear_task():
    """y = w . x + b: a constant Hessian A = [X 1]^T [X 1] / n, computed by hand."""
    rng = np.random.default_rng(3)
    X = rng.normal(size=(40, 2)) * [2.0, 0.5]
    y = X @ [[1.0], [-2.0]] + 0.3
    Z = np.hstack([X, np.ones((40, 1))])
    return X, y, MLP([2, 1], "linear", seed=0), Z.T @ Z / 40


def test_gd_top_removed_against_projected_descent_by_hand():
    from gradclip.eos import gd_top_removed

    X, y, net, A = _linear_task()
    lam, vecs = np.linalg.eigh(A)
    u = vecs[:, -1]
    lr = 2.4 / lam[-1]                          # beyond the edge along u, stable along the rest
    assert lr * lam[-2] < 2
    theta = np.concatenate([p.ravel() for p in net.params])
    Z = np.hstack([X, np.ones((40, 1))])
    for _ in range(150):
        g = Z.T @ (Z @ theta - y[:, 0]) / 40
        theta = theta - lr * (g - (g @ u) * u)
    before = [p.copy() for p in net.params]
    steps, sharp, params = gd_top_removed(net, X, y, lr, 150, every=50, warm_iters=60, tol=1e-12)
    assert all(np.array_equal(a, b) for a, b in zip(net.params, before))
    assert steps.tolist() == [0, 50, 100, 150]
    np.testing.assert_allclose(sharp, lam[-1], rtol=1e-6)
    np.testing.assert_allclose(np.concatenate([p.ravel() for p in params]), theta, rtol=1e-6, atol=1e-9)  # HVPs by differences: 1e-8
    # plain descent at the same rate diverges along u: |1 - lr lam| = 1.4 per step
    _, _, plain = gd_top_removed(net, X, y, lr, 150, every=50, remove_top=False)
    assert not np.all(np.isfinite(np.concatenate([p.ravel() for p in plain]))) or \
        np.linalg.norm(np.concatenate([p.ravel() for p in plain])) > 1e6
    with pytest.raises(ValueError, match="every"):
        gd_top_removed(net, X, y, lr, 10, every=0)
    with pytest.raises(ValueError, match="lr"):
        gd_top_removed(net, X, y, -1.0, 10)


def test_edge_response_on_a_constant_hessian_and_on_the_eos_task():
    from gradclip.eos import edge_response, eos_task

    X, y, net, A = _linear_task()
    lam = np.linalg.eigvalsh(A)[-1]
    r = edge_response(net, X, y, 2.2 / lam, window=20, every=10)
    assert r.crossed_at == 0 and r.sharpness0 == pytest.approx(lam, rel=1e-6)
    np.testing.assert_allclose(r.top_removed, lam, rtol=1e-6)
    none = edge_response(net, X, y, 1.5 / lam, window=20, every=10, max_steps=30)
    assert none.crossed_at == -1 and none.gd.size == 0
    # the small net beyond its edge: plain descent comes back below 2/lr, the top-removed run does not
    X, y, net = eos_task()
    r = edge_response(net, X, y, 0.6, window=100)
    assert r.crossed_at == 70 and r.sharpness0 > 2 / 0.6
    assert r.gd.min() < 2 / 0.6 < r.top_removed.min()
