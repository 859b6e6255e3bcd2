"""Sharpness by power iteration against dense Hessians, closed forms and hand-written loops."""

import numpy as np
import pytest

import gradclip as gc
from gradclip.training import gd_with_sharpness
from gradclip.curvature import (
    SharpnessTrack,
    net_sharpness,
    sharpness,
    sharpness_along,
)


def flat(params):
    return np.concatenate([np.ravel(p) for p in params])


def dense_hessian(net, X, y, params, h=1e-5):
    """Full Hessian, column by column: central differences of the backprop gradient."""
    theta = flat(params)
    shapes = [p.shape for p in params]

    def grad(t):
        parts, i = [], 0
        for s in shapes:
            n = int(np.prod(s))
            parts.append(t[i:i + n].reshape(s))
            i += n
        return flat(net.loss_and_grads(X, y, parts)[1])

    H = np.empty((theta.size, theta.size))
    for i in range(theta.size):
        e = np.zeros(theta.size)
        e[i] = h
        H[:, i] = (grad(theta + e) - grad(theta - e)) / (2 * h)
    return 0.5 * (H + H.T)


def top_eig(H):
    return np.linalg.eigvalsh(H)[-1]


@pytest.fixture
def tiny():
    rng = np.random.default_rng(0)
    X = rng.normal(size=(20, 2))
    y = np.sin(X[:, :1]) + 0.5 * X[:, 1:]
    return gc.MLP([2, 3, 1], seed=0), X, y


def test_tiny_mlp_matches_dense_hessian(tiny):
    net, X, y = tiny
    expected = top_eig(dense_hessian(net, X, y, net.params))
    assert net_sharpness(net, X, y) == pytest.approx(expected, rel=1e-5)
    moved = [p + 0.3 for p in net.params]     # a second point, off the initialisation
    expected = top_eig(dense_hessian(net, X, y, moved))
    assert net_sharpness(net, X, y, moved) == pytest.approx(expected, rel=1e-5)


def test_relu_net_matches_dense_hessian():
    rng = np.random.default_rng(1)
    X, y = rng.normal(size=(30, 3)), rng.normal(size=(30, 1))
    net = gc.MLP([3, 6, 6, 1], activation="relu", weight_scale=2.0, seed=2)
    expected = top_eig(dense_hessian(net, X, y, net.params, h=1e-7))
    assert net_sharpness(net, X, y) == pytest.approx(expected, rel=1e-5)


def test_quadratic_closed_forms():
    q = gc.Quadratic.with_condition(10.0, lam_max=3.0, center=(1.0, -2.0))
    for theta in ([0.0, 0.0], [5.0, -7.0]):
        assert sharpness(q.grad, theta) == pytest.approx(3.0, rel=1e-8)
    q3 = gc.Quadratic(np.diag([5.0, 2.0, 1.0]), b=[1.0, 2.0, 3.0])
    lam, vec = sharpness(q3.grad, np.ones(3), return_vector=True)
    assert lam == pytest.approx(5.0, rel=1e-8)
    assert abs(vec[0]) == pytest.approx(1.0, abs=1e-6) and np.linalg.norm(vec) == pytest.approx(1.0)


@pytest.mark.parametrize("diag, expected", [
    ([-5.0, 2.0, 1.0], 2.0),      # dominant eigenvalue negative: the shifted pass finds 2
    ([-3.0, 3.0, 1.0], 3.0),      # a +- pair of equal magnitude
    ([3.0, -2.9, 0.5], 3.0),      # nearly equal magnitudes
    ([-1.0, -2.0], -1.0),         # negative definite: the largest is -1
    ([0.0, 0.0], 0.0),
])
def test_largest_algebraic_eigenvalue(diag, expected):
    rng = np.random.default_rng(3)
    Q, _ = np.linalg.qr(rng.normal(size=(len(diag), len(diag))))
    A = Q @ np.diag(diag) @ Q.T
    lam, vec = sharpness(lambda t: A @ t, rng.normal(size=len(diag)), iters=500, return_vector=True)
    assert lam == pytest.approx(expected, abs=1e-6)
    if expected != 0.0:
        assert np.linalg.norm(A @ vec - lam * vec) <= 1e-4 * abs(lam)


def test_scalar_factorization_saddle_has_a_pm_pair():
    f = gc.problems.ScalarFactorization()
    for theta in ([0.0, 0.0], [0.1, 0.1], [2.0, 0.49], [-1.0, 3.0]):
        assert sharpness(f.grad, theta) == pytest.approx(top_eig(f.hessian(theta)), abs=1e-7)


def test_a_kink_between_the_difference_points_is_stepped_over():
    """grad of 1/2 sum a_i t_i^2 + 5 relu(t_0 - 1): H = diag(a) on both sides of the kink."""
    a = np.array([2.0, 1.0, 0.5])

    def grad(t):
        return a * t + np.array([5.0 * (t[0] > 1.0), 0.0, 0.0])

    theta = np.array([1.0 + 1e-9, 0.3, -0.2])    # 1e-9 from the kink, inside the default step
    eps = 1e-8 * np.linalg.norm(theta)
    naive = (grad(theta + eps * np.eye(3)[0]) - grad(theta - eps * np.eye(3)[0]))[0] / (2 * eps)
    assert naive > 1e7                                # a plain difference quotient is garbage here
    assert sharpness(grad, theta, seed=1) == pytest.approx(2.0, rel=1e-5)   # rounding at h / 100


def test_warm_start_saves_gradients():
    A = np.diag([3.0, 2.9, 1.0, 0.5])
    calls = []

    def grad(t):
        calls.append(1)
        return A @ t

    cold, vec = sharpness(grad, np.ones(4), iters=1000, tol=1e-7, return_vector=True)
    n_cold = len(calls)
    calls.clear()
    warm = sharpness(grad, np.ones(4), iters=1000, tol=1e-7, v0=vec)
    assert cold == pytest.approx(3.0, rel=1e-7) and warm == pytest.approx(3.0, rel=1e-7)
    assert len(calls) <= 5 < n_cold        # the gradient at theta, then two per product


def test_non_finite_gradient_gives_nan_and_inputs_stay_untouched(tiny):
    assert np.isnan(sharpness(lambda t: np.full_like(t, np.nan), [1.0, 2.0]))
    net, X, y = tiny
    before = [p.copy() for p in net.params]
    theta = np.array([1.0, 2.0])
    sharpness(lambda t: 2 * t, theta)
    net_sharpness(net, X, y)
    assert theta.tolist() == [1.0, 2.0]
    assert all(np.array_equal(a, b) for a, b in zip(before, net.params))


@pytest.mark.parametrize("kwargs, word", [
    (dict(grad=3.0), "grad"), (dict(theta=[np.nan, 1.0]), "theta"), (dict(theta=[]), "theta"),
    (dict(iters=0), "iters"), (dict(tol=-1.0), "tol"), (dict(eps=0.0), "eps"),
    (dict(v0=[1.0, 0.0, 0.0]), "v0"), (dict(v0=[0.0, 0.0]), "v0"), (dict(seed=-1), "seed"),
])
def test_sharpness_validates(kwargs, word):
    args = dict(grad=lambda t: t, theta=[1.0, 1.0]) | kwargs
    with pytest.raises(ValueError, match=word):
        sharpness(**args)


def test_net_sharpness_validates(tiny):
    net, X, y = tiny
    with pytest.raises(ValueError, match="loss_and_grads"):
        net_sharpness(object(), X, y)
    with pytest.raises(ValueError, match="X|y"):
        net_sharpness(net, X[:, :1], y)


def hand_gd(net, X, y, lr, steps, every, threshold=None):
    """Plain full-batch gradient descent, optionally with global-norm clipping."""
    params = [p.copy() for p in net.params]
    snaps, losses = [], []
    for k in range(steps + 1):
        loss, grads = net.loss_and_grads(X, y, params)
        losses.append(loss)
        if k % every == 0:
            snaps.append((k, [p.copy() for p in params]))
        if k == steps:
            break
        scale = 1.0
        if threshold is not None:
            total = np.sqrt(sum(np.sum(g**2) for g in grads))
            scale = min(1.0, threshold / total)
        params = [p - lr * scale * g for p, g in zip(params, grads)]
    return snaps, np.array(losses)


def test_sharpness_along_hand_written_run(tiny):
    net, X, y = tiny
    snaps, _ = hand_gd(net, X, y, lr=0.5, steps=60, every=10)
    track = sharpness_along(net, X, y, snaps, tol=1e-8, warm_iters=50)
    assert isinstance(track, SharpnessTrack)
    assert track.steps.tolist() == [0, 10, 20, 30, 40, 50, 60]
    expected = [top_eig(dense_hessian(net, X, y, p)) for _, p in snaps]
    np.testing.assert_allclose(track.sharpness, expected, rtol=1e-5)
    assert np.all(track.hvps[1:] <= 50)
    np.testing.assert_allclose(track.edge_ratio(0.5), 0.25 * np.array(expected), rtol=1e-5)
    default = sharpness_along(net, X, y, snaps)            # tol 1e-3 bounds the error by 0.1 %
    np.testing.assert_allclose(default.sharpness, expected, rtol=1e-3)
    assert default.hvps[1:].sum() < default.hvps[0] * (len(snaps) - 1)   # warm starts are cheaper


def test_sharpness_along_validates(tiny):
    net, X, y = tiny
    with pytest.raises(ValueError, match="snapshots"):
        sharpness_along(net, X, y, [1, 2])
    with pytest.raises(ValueError, match="warm_iters"):
        sharpness_along(net, X, y, [(0, net.params)], warm_iters=0)


@pytest.mark.parametrize("threshold", [None, 0.05])
def test_gd_with_sharpness_follows_plain_descent(tiny, threshold):
    net, X, y = tiny
    snaps, losses = hand_gd(net, X, y, lr=0.5, steps=40, every=20, threshold=threshold)
    clip = None if threshold is None else "global_norm"
    track = gd_with_sharpness(net, X, y, 0.5, 40, every=20, clip=clip, threshold=threshold, tol=1e-8)
    np.testing.assert_allclose(track.training.losses, losses, rtol=1e-12)
    assert track.steps.tolist() == [0, 20, 40]
    np.testing.assert_allclose(track.sharpness, [top_eig(dense_hessian(net, X, y, p)) for _, p in snaps],
                               rtol=1e-5)
    with pytest.raises(ValueError, match="every"):
        gd_with_sharpness(net, X, y, 0.5, 40, every=0)


def test_edge_of_stability_on_a_small_tanh_net():
    """Progressive sharpening to 2 / lr, then hovering there while the loss falls unevenly."""
    rng = np.random.default_rng(0)
    X = rng.normal(size=(200, 2))
    y = np.sin(2 * X[:, :1]) * np.cos(X[:, 1:])
    net = gc.MLP([2, 32, 32, 1], activation="tanh", weight_scale=0.5, seed=0)
    lr, edge = 0.2, 10.0
    track = gd_with_sharpness(net, X, y, lr, 800, every=20)
    s, steps, losses = track.sharpness, track.steps, track.training.losses
    assert s[0] < 0.2 * edge                        # starts far below the edge
    assert 200 <= steps[np.argmax(s > edge)] <= 260  # ... rises through it (step 240 here)
    hover = steps >= 440
    assert np.max(np.abs(s[hover] / edge - 1)) < 0.1
    tail = losses[440:]
    assert tail[-1] < 0.8 * tail[0] and np.sum(np.diff(tail) > 0) > 50   # falls, not monotonically


def test_diverged_params_give_nan(tiny):
    net, X, y = tiny
    bad = [p.copy() for p in net.params]
    bad[0][0, 0] = np.nan
    assert np.isnan(net_sharpness(net, X, y, bad))
    track = sharpness_along(net, X, y, [(0, net.params), (5, bad)])
    assert np.isfinite(track.sharpness[0]) and np.isnan(track.sharpness[1]) and track.hvps[1] == 0


def test_lanczos_resolves_a_close_top_pair_where_power_iteration_stalls():
    from gradclip.curvature import _lanczos, _power
    rng = np.random.default_rng(3)
    Q, _ = np.linalg.qr(rng.normal(size=(60, 60)))
    eigs = np.concatenate([[7.35, 7.33], rng.uniform(-2.0, 5.0, size=58)])   # top two 0.3 % apart
    H = 0.5 * ((Q * eigs) @ Q.T + ((Q * eigs) @ Q.T).T)
    expected = np.linalg.eigh(H)[0][-1]
    start = np.ones(60) / np.sqrt(60)
    lam, vec, used = _lanczos(lambda u: H @ u, start, 20, 1e-3)
    assert abs(lam / expected - 1) < 1e-4 and used <= 20
    assert np.linalg.norm(H @ vec - lam * vec) <= 1e-3 * lam        # the residual it stopped at
    mu = _power(lambda u: H @ u, start, 0.0, 20, 1e-3)[0]
    assert abs(mu / expected - 1) > 1e-3                             # 20 power steps are not enough


def test_sharpness_along_relu_run_matches_dense_hessian():
    rng = np.random.default_rng(1)
    X, y = rng.normal(size=(30, 3)), rng.normal(size=(30, 1))
    net = gc.MLP([3, 6, 6, 1], activation="relu", weight_scale=2.0, seed=2)
    snaps, _ = hand_gd(net, X, y, lr=0.05, steps=40, every=10)
    track = sharpness_along(net, X, y, snaps)                         # tol 1e-3, warm-started
    expected = [top_eig(dense_hessian(net, X, y, p, h=1e-7)) for _, p in snaps]
    np.testing.assert_allclose(track.sharpness, expected, rtol=1e-3)
    power = sharpness_along(net, X, y, snaps, method="power")
    np.testing.assert_allclose(power.sharpness, expected, rtol=1e-3)
    with pytest.raises(ValueError, match="method"):
        sharpness_along(net, X, y, snaps, method="qr")


def test_batched_power_iteration_against_eigh_on_three_matrices_at_once():
    from gradclip._engine import power_iteration
    rng = np.random.default_rng(7)
    H = np.stack([(m + m.T) / 2 for m in rng.normal(size=(3, 8, 8))])   # three random symmetric
    vals, vecs = np.linalg.eigh(H)
    start = rng.normal(size=(3, 8))
    start /= np.linalg.norm(start, axis=1, keepdims=True)
    keep = start.copy()
    seen = []

    def hvp(rows, u):
        seen.append(rows.tolist())
        return np.einsum("bij,bj->bi", H[rows], u)

    # unshifted: the eigenvalue of largest magnitude of each matrix, whatever its sign
    mu, found, used, converged, top = power_iteration(hvp, start, 5000, tol=1e-10)
    biggest = vals[np.arange(3), np.argmax(np.abs(vals), axis=1)]
    np.testing.assert_allclose(mu, biggest, rtol=1e-9)
    assert np.all(converged) and len(set(used.tolist())) > 1       # each row stops on its own
    assert seen[-1] == [int(np.argmax(used))]                       # finished rows are not multiplied
    np.testing.assert_array_equal(start, keep)
    for i in range(3):
        top_vec = vecs[i][:, np.argmax(np.abs(vals[i]))]
        assert abs(found[i] @ top_vec) == pytest.approx(1.0, abs=1e-9)
        assert top[i] == pytest.approx(np.max(np.abs(vals[i])), rel=1e-9)
    # shifted by the spectral radius, one shift per row: the largest algebraic eigenvalue
    mu, found, used, converged, _ = power_iteration(hvp, start, 5000, shift=np.abs(vals).max(axis=1), tol=1e-10)
    np.testing.assert_allclose(mu, vals[:, -1], rtol=1e-9)
    assert np.all(converged)
    np.testing.assert_allclose(np.abs(np.sum(found * vecs[:, :, -1], axis=1)), 1.0, atol=1e-9)
    # a row whose product is not finite stops at once with NaN; the others go on
    bad = lambda rows, u: np.where(rows[:, None] == 1, np.nan, np.einsum("bij,bj->bi", H[rows], u))  # noqa: E731
    mu, found, used, converged, _ = power_iteration(bad, start, 5000, tol=1e-10)
    assert np.isnan(mu[1]) and used[1] == 1 and not converged[1]
    np.testing.assert_array_equal(found[1], start[1])
    np.testing.assert_allclose(mu[[0, 2]], biggest[[0, 2]], rtol=1e-9)
    # no tolerance: every row runs every step (gd_batch's warm-started snapshots)
    mu, _, used, converged, _ = power_iteration(hvp, start, 3)
    assert used.tolist() == [3, 3, 3] and not converged.any()
