"""Solvers: the article's numbers, the 2/lambda_max edge, clipping, sweeps, divergence as data."""

import warnings

import numpy as np
import pytest

from gradclip import (
    CliffRNN,
    LinearRegression,
    Quadratic,
    Rosenbrock,
    clip_by_norm,
    gradient_clipping,
    gradient_descent,
    run,
    run_batch,
    sweep,
)


# --- the seed article's code, copied verbatim as the reference --------------------------
def article_gradient_descent(X, y, theta, alpha, iterations):
    m = len(y)
    for _ in range(iterations):
        gradient = (1 / m) * X.T.dot(X.dot(theta) - y)
        theta -= alpha * gradient
    return theta


def article_gradient_clipping(X, y, theta, alpha, iterations, clip_threshold):
    m = len(y)
    for _ in range(iterations):
        gradient = (1 / m) * X.T.dot(X.dot(theta) - y)
        gradient_clipped = np.clip(gradient, -clip_threshold, clip_threshold)
        theta -= alpha * gradient_clipped
    return theta
# ----------------------------------------------------------------------------------------


def data(seed, m=50, d=3, scale=3.0):
    rng = np.random.default_rng(seed)
    X = np.column_stack([np.ones(m), rng.normal(scale=scale, size=(m, d - 1))])
    y = X @ rng.normal(scale=2.0, size=d) + rng.normal(size=m)
    return X, y


@pytest.mark.parametrize("seed", [0, 1, 2])
@pytest.mark.parametrize("alpha,iterations", [(0.01, 100), (0.05, 500), (0.001, 3)])
def test_article_functions_reproduce_its_code(seed, alpha, iterations):
    X, y = data(seed)
    theta = np.random.default_rng(seed + 10).normal(size=X.shape[1])
    keep = theta.copy()
    ours = gradient_descent(X, y, theta, alpha, iterations)
    ref = article_gradient_descent(X, y, theta.copy(), alpha, iterations)
    np.testing.assert_allclose(ours, ref, rtol=0, atol=1e-9)
    for c in (0.1, 1.0, 50.0):
        ours = gradient_clipping(X, y, theta, alpha, iterations, c)
        ref = article_gradient_clipping(X, y, theta.copy(), alpha, iterations, c)
        np.testing.assert_allclose(ours, ref, rtol=0, atol=1e-9)
    np.testing.assert_array_equal(theta, keep)  # unlike the article, theta is not mutated


def test_article_code_mutates_theta_and_ours_does_not():
    X, y = data(5)
    theta = np.zeros(3)
    article_gradient_descent(X, y, theta, 0.01, 10)
    assert np.any(theta != 0)
    theta = np.zeros(3)
    gradient_descent(X, y, theta, 0.01, 10)
    np.testing.assert_array_equal(theta, 0)


def test_article_column_vectors_keep_their_shape():
    X, y = data(6)
    theta = np.zeros((3, 1))
    ours = gradient_descent(X, y[:, None], theta, 0.01, 20)
    ref = article_gradient_descent(X, y[:, None], theta.copy(), 0.01, 20)
    assert ours.shape == (3, 1)
    np.testing.assert_allclose(ours, ref, atol=1e-9)
    with pytest.raises(ValueError, match="theta"):
        gradient_descent(X, y, theta, 0.01, 20)  # the article would silently broadcast (m, m)


def test_clipped_update_differs_from_the_articles_step5_text():
    """Step 5 of the article updates with the raw gradient: clipping would then do nothing."""
    X, y = data(7)
    theta0 = np.zeros(3)
    raw = gradient_descent(X, y, theta0, 0.01, 50)
    clipped = gradient_clipping(X, y, theta0, 0.01, 50, 0.1)
    assert np.linalg.norm(raw - clipped) > 0.1


def test_stability_edge():
    X, y = data(8)
    prob = LinearRegression(X, y)
    edge = prob.max_stable_lr()
    theta0 = np.zeros(3)
    below = run(prob, theta0, 0.99 * edge, 4000)
    assert below.diverged_at is None
    np.testing.assert_allclose(below.thetas[-1], prob.solution(), atol=1e-6)
    above = run(prob, theta0, 1.01 * edge, 4000)
    assert above.diverged_at is not None
    assert np.all(np.isnan(above.thetas[above.diverged_at + 1:]))
    assert above.final_loss == np.inf
    clipped = run(prob, theta0, 1.5 * edge, 4000, clip="norm", threshold=1.0)
    assert clipped.diverged_at is None
    dist = clipped.distances(prob.solution())
    assert np.all(np.isfinite(dist)) and dist.max() < 10 * dist[0] + 10
    # ...but it does not converge either: a bounded oscillation
    assert dist[-100:].min() > 1e-3


def test_run_matches_a_hand_loop_with_clipping():
    prob = Rosenbrock()
    theta0 = np.array([-1.2, 1.0])
    traj = run(prob, theta0, 1e-3, 300, clip="norm", threshold=5.0)
    theta = theta0.copy()
    for k in range(300):
        g = prob.grad(theta)
        assert traj.grad_norms[k] == pytest.approx(np.linalg.norm(g), rel=1e-12)
        assert traj.clipped[k] == (np.linalg.norm(g) > 5.0)
        theta = theta - 1e-3 * clip_by_norm(g, 5.0)
        np.testing.assert_allclose(traj.thetas[k + 1], theta, rtol=1e-12)
    np.testing.assert_allclose(traj.step_lengths, np.linalg.norm(np.diff(traj.thetas, axis=0), axis=1),
                               rtol=1e-9)
    assert np.all(traj.step_lengths <= 1e-3 * 5.0 * (1 + 1e-12))


def test_run_value_clipping_and_callable():
    q = Quadratic.with_condition(10.0, lam_max=4.0)
    a = run(q, [3.0, -2.0], 0.1, 400, clip="value", threshold=0.5)
    b = run(q, [3.0, -2.0], 0.1, 400, clip=lambda g: np.clip(g, -0.5, 0.5))
    np.testing.assert_allclose(a.thetas, b.thetas, rtol=1e-12)
    np.testing.assert_array_equal(a.clipped, b.clipped)
    assert a.clipped[0] and 0 < a.clipped_fraction < 1


def test_divergence_is_data_without_warnings():
    q = Quadratic.with_condition(4.0)
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        traj = run(q, [1.0, 1.0], 50.0, 10_000)
        res = sweep(Rosenbrock(), [-1.2, 1.0], np.logspace(-5, 1, 13), steps=500)
    assert traj.diverged_at is not None and traj.diverged_at < 20
    assert len(traj.thetas) == 10_001
    assert res.diverged[-1] and not res.diverged[0]


def test_cliff_norm_clipping_keeps_the_step_short():
    p = CliffRNN()
    # find the wall along b = -2.5: the largest gradient on a fine grid
    ws = np.linspace(3.5, 5.5, 4001)
    pts = np.stack([ws, np.full_like(ws, -2.5)], -1)
    wall = pts[np.argmax(np.linalg.norm(p.grad(pts), axis=-1))]
    free = run(p, wall, 0.5, 1)
    kept = run(p, wall, 0.5, 1, clip="norm", threshold=1.0)
    jump_free = free.step_lengths[0]
    jump_kept = kept.step_lengths[0]
    assert jump_kept == pytest.approx(0.5, rel=1e-12)
    assert jump_free > 20 * jump_kept


@pytest.mark.parametrize("clip", ["norm", "value"])
def test_sweep_equals_loop_of_runs(clip):
    X, y = data(9, d=2)
    prob = LinearRegression(X, y)
    edge = prob.max_stable_lr()
    lrs = edge * np.array([0.1, 0.9, 1.1, 2.0])
    thresholds = np.array([0.1, 1.0, 100.0])
    res = sweep(prob, [5.0, -5.0], lrs, thresholds, steps=150, clip=clip)
    assert res.final_loss.shape == res.diverged.shape == (4, 3)
    for i, lr in enumerate(lrs):
        for j, c in enumerate(thresholds):
            t = run(prob, [5.0, -5.0], lr, 150, clip=clip, threshold=c)
            assert res.diverged[i, j] == t.diverged
            if t.diverged:
                assert res.final_loss[i, j] == np.inf and res.diverged_at[i, j] == t.diverged_at
            else:
                assert res.final_loss[i, j] == pytest.approx(t.final_loss, rel=1e-10, abs=1e-14)
    plain = sweep(prob, [5.0, -5.0], lrs, steps=150)
    assert plain.final_loss.shape == (4,)
    assert plain.diverged.tolist() == [False, False, True, True]


def test_run_batch_rows_equal_single_runs():
    q = Quadratic.with_condition(20.0)
    batch = run_batch(q, [2.0, 1.0], [0.5, 1.9, 2.2], 60, clip="norm", thresholds=0.3)
    assert batch.thetas.shape == (3, 61, 2)
    for i, lr in enumerate([0.5, 1.9, 2.2]):
        single = run(q, [2.0, 1.0], lr, 60, clip="norm", threshold=0.3)
        np.testing.assert_allclose(batch[i].thetas, single.thetas, rtol=1e-12, equal_nan=True)
        assert batch[i].diverged_at == single.diverged_at


@pytest.mark.parametrize("bad", [0.0, -0.1, np.nan, np.inf, "0.1", None])
def test_bad_rates(bad):
    X, y = data(0)
    with pytest.raises(ValueError, match="alpha"):
        gradient_descent(X, y, np.zeros(3), bad, 10)
    with pytest.raises(ValueError, match="lr"):
        run(LinearRegression(X, y), np.zeros(3), bad, 10)
    with pytest.raises(ValueError, match="clip_threshold"):
        gradient_clipping(X, y, np.zeros(3), 0.1, 10, bad)
    with pytest.raises(ValueError, match="threshold"):
        run(LinearRegression(X, y), np.zeros(3), 0.1, 10, clip="norm", threshold=bad)


def test_bad_arguments_are_named():
    X, y = data(0)
    prob = LinearRegression(X, y)
    cases = [
        (lambda: gradient_descent(X, y, np.zeros(3), 0.1, -1), "iterations"),
        (lambda: gradient_descent(X, y[:-1], np.zeros(3), 0.1, 1), "same number of rows"),
        (lambda: gradient_descent(X, y, np.zeros(4), 0.1, 1), "theta"),
        (lambda: run(prob, np.zeros(3), 0.1, -5), "steps"),
        (lambda: run(prob, np.zeros(3), 0.1, 2.5), "steps"),
        (lambda: run(prob, np.zeros(2), 0.1, 5), "theta0"),
        (lambda: run(prob, np.zeros(3), 0.1, 5, clip="l2", threshold=1.0), "clip"),
        (lambda: run(prob, np.zeros(3), 0.1, 5, clip="norm"), "threshold"),
        (lambda: run(prob, np.zeros(3), 0.1, 5, threshold=1.0), "threshold"),
        (lambda: run("not a problem", np.zeros(3), 0.1, 5), "problem"),
        (lambda: sweep(prob, np.zeros(3), [0.1, -1.0]), "lrs"),
        (lambda: sweep(prob, np.zeros(3), [0.1], [1.0], clip=None), "clip"),
        (lambda: sweep(prob, np.zeros(3), [0.1], [0.0]), "thresholds"),
    ]
    for call, match in cases:
        with pytest.raises(ValueError, match=match):
            call()
