"""Solvers: the 2/lambda_max edge, clipping, sweeps, divergence as data."""

import warnings

import numpy as np
import pytest

from gradclip import (
    CliffRNN,
    LinearRegression,
    Quadratic,
    Rosenbrock,
    clip_by_norm,
    run,
    run_batch,
    sweep,
)


def data(seed, m=50, d=3, scale=3.0):
    rng = np.random.default_rng(seed)
    X = np.column_stack([np.ones(m), rng.normal(scale=scale, size=(m, d - 1))])
    y = X @ rng.normal(scale=2.0, size=d) + rng.normal(size=m)
    return X, y


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


def lean_descent(H, b, theta0, lr, steps, clip=None, c=None, limit=None):
    """An independent reference: plain numpy gradient descent on 0.5 t'Ht - b't, one run.

    Returns (final theta, diverged_at or None), using the solvers' divergence rule only as a
    stopping criterion (loss above ``limit``).
    """
    theta = np.array(theta0, dtype=float)
    loss = lambda t: 0.5 * t @ H @ t - b @ t  # noqa: E731
    with np.errstate(all="ignore"):
        for k in range(steps):
            g = H @ theta - b
            if clip == "norm":
                n = np.sqrt(g @ g)
                g = g * (c / n) if n > c else g
            elif clip == "value":
                g = np.minimum(np.maximum(g, -c), c)
            new = theta - lr * g
            if not np.isfinite(loss(new)) or (limit is not None and loss(new) > limit):
                return theta, k + 1
            theta = new
    return theta, None


@pytest.mark.parametrize("clip", ["norm", "value"])
def test_sweep_against_a_lean_hand_loop(clip):
    X, y = data(9, d=2)
    prob = LinearRegression(X, y)
    H, b = X.T @ X / len(y), X.T @ y / len(y)
    const = 0.5 * y @ y / len(y)
    edge = 2.0 / np.linalg.eigvalsh(H)[-1]
    theta0 = np.array([5.0, -5.0])
    lrs = edge * np.array([0.1, 0.9, 1.1, 2.0])
    thresholds = np.array([0.1, 1.0, 100.0])
    res = sweep(prob, theta0, lrs, thresholds, steps=150, clip=clip)
    assert res.final_loss.shape == res.diverged.shape == (4, 3)
    loss0 = prob.loss(theta0)
    limit = loss0 + 1e6 * (1 + abs(loss0)) - const
    for i, lr in enumerate(lrs):
        for j, c in enumerate(thresholds):
            theta, k = lean_descent(H, b, theta0, lr, 150, clip, c, limit)
            assert res.diverged[i, j] == (k is not None)
            if k is None:
                ref = 0.5 * theta @ H @ theta - b @ theta + const
                # above the edge the clipped oscillation amplifies rounding: looser there
                rel = 1e-9 if lr < edge else 1e-5
                assert res.final_loss[i, j] == pytest.approx(ref, rel=rel, abs=1e-12)
            else:
                assert res.final_loss[i, j] == np.inf and res.diverged_at[i, j] == k
    plain = sweep(prob, theta0, lrs, steps=150)
    assert plain.final_loss.shape == (4,)
    # unclipped: below the edge 2 / lambda_max converges, above it diverges
    assert plain.diverged.tolist() == [False, False, True, True]


def test_run_batch_rows_against_a_lean_hand_loop():
    q = Quadratic.with_condition(20.0)
    H = q.hessian()
    b = H @ q.solution()
    batch = run_batch(q, [2.0, 1.0], [0.5, 1.9, 2.2], 60, clip="norm", thresholds=0.3)
    assert batch.thetas.shape == (3, 61, 2)
    for i, lr in enumerate([0.5, 1.9, 2.2]):
        theta = np.array([2.0, 1.0])
        for k in range(60):
            g = H @ theta - b
            n = np.sqrt(g @ g)
            theta = theta - lr * (g * 0.3 / n if n > 0.3 else g)
            np.testing.assert_allclose(batch.thetas[i, k + 1], theta, rtol=1e-10, atol=1e-12)
        assert batch[i].diverged_at is None  # clipping bounds every step at lr * 0.3
    plain = run_batch(q, [2.0, 1.0], [1.9, 2.2], 400)
    assert plain[0].diverged_at is None and plain[1].diverged_at is not None


def test_run_batch_one_start_per_run_against_a_lean_hand_loop():
    q = Quadratic.with_condition(20.0)
    H = q.hessian()
    b = H @ q.solution()
    starts = np.array([[2.0, 1.0], [-3.0, 0.5], [0.1, -4.0]])
    lrs, thr = np.array([0.5, 1.9, 2.2]), np.array([0.3, 1.0, 5.0])
    starts_before = starts.copy()
    batch = run_batch(q, starts, lrs, 40, clip="norm", thresholds=thr)
    np.testing.assert_array_equal(starts, starts_before)       # the caller's array is kept
    for i in range(3):
        theta = starts[i].copy()
        for k in range(40):
            g = H @ theta - b
            n = np.sqrt(g @ g)
            theta = theta - lrs[i] * (g * thr[i] / n if n > thr[i] else g)
            np.testing.assert_allclose(batch.thetas[i, k + 1], theta, rtol=1e-10, atol=1e-12)
    # one rate broadcast to every start; unclipped, the starts diverge at their own steps
    plain = run_batch(q, starts, 2.2, 300)
    assert plain.lrs.tolist() == [2.2] * 3
    for i in range(3):
        theta, limit = starts[i].copy(), None
        loss0 = q.loss(theta)
        for k in range(300):
            theta = theta - 2.2 * (H @ theta - b)
            if q.loss(theta) > loss0 + 1e6 * (1 + abs(loss0)) or not np.isfinite(q.loss(theta)):
                limit = k + 1
                break
        assert plain[i].diverged_at == limit
    with pytest.raises(ValueError, match="theta0 has 3 rows"):
        run_batch(q, starts, [0.1, 0.2], 5)
    with pytest.raises(ValueError, match="theta0"):
        run_batch(q, np.zeros((3, 3)), 0.1, 5)
    with pytest.raises(ValueError, match="theta0"):
        run(q, starts, 0.1, 5)                                   # run takes one start


@pytest.mark.parametrize("bad", [0.0, -0.1, np.nan, np.inf, "0.1", None])
def test_bad_rates(bad):
    X, y = data(0)
    with pytest.raises(ValueError, match="lr"):
        run(LinearRegression(X, y), np.zeros(3), bad, 10)
    with pytest.raises(ValueError, match="threshold"):
        run(LinearRegression(X, y), np.zeros(3), 0.1, 10, clip="norm", threshold=bad)


def test_bad_arguments_are_named():
    X, y = data(0)
    prob = LinearRegression(X, y)
    cases = [
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


class CountingCliff(CliffRNN):
    """CliffRNN that counts how the solver evaluates it."""

    def __init__(self):
        super().__init__()
        self.calls = {"loss": 0, "grad": 0, "loss_and_grad": 0}

    def loss(self, theta):
        self.calls["loss"] += 1
        return super().loss(theta)

    def grad(self, theta):
        self.calls["grad"] += 1
        return super().grad(theta)

    def loss_and_grad(self, theta):
        self.calls["loss_and_grad"] += 1
        return super().loss_and_grad(theta)


def test_batched_cliff_runs_evaluate_each_iterate_once_and_match_a_hand_loop():
    p = CountingCliff()
    lrs, thresholds = np.array([0.05, 0.3, 1.0, 3.0]), np.array([0.1, 1.0, 0.5, 10.0])
    theta0 = np.array([4.5, -2.8])
    out = run_batch(p, theta0, lrs, 30, clip="norm", thresholds=thresholds)
    assert p.calls == {"loss": 0, "grad": 0, "loss_and_grad": 31}  # start + one per step
    plain = CliffRNN()
    for i, (lr, c) in enumerate(zip(lrs, thresholds)):
        theta = theta0.copy()
        for k in range(30):
            g = plain.grad(theta)
            n = np.sqrt(g @ g)
            assert out.grad_norms[i, k] == pytest.approx(n, rel=1e-9)
            theta = theta - lr * (g * c / n if n > c else g)
            np.testing.assert_allclose(out.thetas[i, k + 1], theta, rtol=1e-9, atol=1e-12)
            assert out.losses[i, k + 1] == pytest.approx(float(plain.loss(theta)), rel=1e-8, abs=1e-14)


def test_a_problem_without_loss_and_grad_still_runs():
    class Bowl:
        dim = 2

        def loss(self, theta):
            return 0.5 * np.sum(np.asarray(theta) ** 2, axis=-1)

        def grad(self, theta):
            return np.array(theta, dtype=float)

    traj = run(Bowl(), [1.0, -2.0], 0.5, 3)
    np.testing.assert_allclose(traj.thetas[-1], [0.125, -0.25], rtol=1e-15)
    np.testing.assert_allclose(traj.losses, [2.5, 0.625, 0.15625, 0.0390625], rtol=1e-15)
