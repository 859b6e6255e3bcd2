"""Optimizers, (L0, L1)-smoothness, noisy SGD, per-example clipping and adaptive thresholds.

Every optimizer is checked against a plain loop written here and, where one exists, a closed
form: the divergence edge of x^4, the geometric decay on a quadratic, the 2x2 transfer matrix
of heavy-ball momentum, the stationary variance of noisy SGD, the fixed-point interval of
per-example clipping.
"""

import math

import numpy as np
import pytest

from gradclip import LinearRegression, Quadratic, Rosenbrock, clip_by_norm, run
from gradclip.adaptive import (
    AutoClip,
    FixedThreshold,
    ZClip,
    compare_rules,
    rule_thresholds,
    run_with_rule,
    spike_process,
)
from gradclip.dp import mean_clipped_gradient, per_example_clipped_gd, stationary_set
from gradclip.noise import noisy_sgd
from gradclip.optim import adam, heavy_ball, normalized_gd
from gradclip.problems import Power
from gradclip.smoothness import best_steps, fixed_vs_clipped, steps_to_target


# ---------------------------------------------------------------- Power and (L0, L1)

@pytest.mark.parametrize("p", [2.0, 3.0, 4.0, 5.5])
def test_power_gradient_and_hessian_against_finite_differences(p):
    f = Power(p=p, dim=2)
    pts = np.random.default_rng(0).uniform(-2, 2, size=(20, 2))
    h = 1e-6
    for x in pts:
        fd_grad = [(f.loss(x + h * e) - f.loss(x - h * e)) / (2 * h) for e in np.eye(2)]
        np.testing.assert_allclose(f.grad(x), fd_grad, rtol=1e-6, atol=1e-6)
        fd_hess = np.stack([(f.grad(x + h * e) - f.grad(x - h * e)) / (2 * h) for e in np.eye(2)])
        np.testing.assert_allclose(f.hessian(x), fd_hess, rtol=1e-5, atol=1e-5)
    assert f.loss(pts).shape == (20,) and f.grad(pts).shape == (20, 2)
    assert f.hessian(pts).shape == (20, 2, 2)


def test_power_is_l0_l1_smooth_but_not_l_smooth():
    f = Power(p=4, dim=2)
    L0, L1 = f.smoothness_constants()
    assert (L0, L1) == pytest.approx((16 / 9, 3.0))
    pts = np.random.default_rng(1).standard_normal((5000, 2)) * np.logspace(-3, 3, 5000)[:, None]
    hess = np.linalg.norm(f.hessian(pts), ord=2, axis=(-2, -1))
    gnorm = np.linalg.norm(f.grad(pts), axis=-1)
    assert np.all(hess <= L0 + L1 * gnorm + 1e-9 * hess)
    # the bound is tight on an axis at |x| = (p - 2) / L1 = 2/3
    x = np.array([2 / 3, 0.0])
    assert np.linalg.norm(f.hessian(x), 2) == pytest.approx(L0 + L1 * np.linalg.norm(f.grad(x)))
    # a different L1 trades off against L0 = p ((p-2)/L1)^(p-2)
    assert f.smoothness_constants(L1=1.0) == pytest.approx((16.0, 1.0))
    # no single L: the curvature grows as 12 x^2
    assert f.hessian([100.0, 0.0])[0, 0] / f.hessian([10.0, 0.0])[0, 0] == pytest.approx(100.0)


@pytest.mark.parametrize("x0", [0.5, 2.0, 7.0])
def test_edge_lr_of_x4_is_exact(x0):
    f = Power(p=4)
    edge = f.edge_lr([x0])
    assert edge == pytest.approx(1 / (2 * x0**2), rel=1e-15)
    below = run(f, [x0], 0.99 * edge, 2000)
    assert below.diverged_at is None and abs(below.thetas[-1, 0]) < 0.05 * x0
    above = run(f, [x0], 1.01 * edge, 2000)
    assert above.diverged_at is not None
    # three times the bound 2 / ||hessian(x0)|| that an L-smooth analysis would give
    assert edge == pytest.approx(3 * 2 / f.hessian([x0])[0, 0])


def test_edge_lr_exactly_oscillates_and_uses_the_largest_coordinate():
    f = Power(p=4)
    traj = run(f, [2.0], f.edge_lr([2.0]), 10)       # 1/8: x -> x (1 - 4 x^2 / 8) = -x
    np.testing.assert_array_equal(traj.thetas[:, 0], 2.0 * (-1.0) ** np.arange(11))
    f2 = Power(p=3, dim=2)
    assert f2.edge_lr([1.0, -4.0]) == pytest.approx(2 / (3 * 4.0))
    np.testing.assert_allclose(f2.edge_lr([[1.0, 2.0], [0.5, 0.1]]), [1 / 3, 4 / 3])
    assert Power(p=2).edge_lr([123.0]) == 1.0 and Power(p=4).edge_lr([0.0]) == np.inf


# ---------------------------------------------------------------- steps to a target

def hand_steps(x0, lr, target, steps, threshold=None, normalized=False):
    x = x0
    for k in range(steps + 1):
        if x**4 <= target:
            return k
        if abs(x) > 1e30:
            return -1
        g = 4 * x**3
        if normalized:
            g = math.copysign(1.0, g) if g != 0 else 0.0
        elif threshold is not None:
            g = max(-threshold, min(threshold, g))
        x = x - lr * g
    return -1


def test_steps_to_target_matches_a_hand_loop():
    f = Power(p=4)
    lrs = [0.001, 0.01, 0.05, 0.1, 0.124, 0.2]
    got = steps_to_target(f, [2.0], lrs, 1e-3, 3000)
    assert got.tolist() == [hand_steps(2.0, lr, 1e-3, 3000) for lr in lrs]
    assert got[-1] == -1 and got[0] == -1          # diverges; too slow within 3000 steps
    thr = [0.5, 2.0, 8.0]
    got = steps_to_target(f, [[3.0], [-1.0]], [0.1, 0.5], 1e-3, 3000, clip="norm", thresholds=thr)
    assert got.shape == (2, 2, 3)
    for s, x0 in enumerate([3.0, -1.0]):
        for i, lr in enumerate([0.1, 0.5]):
            for j, c in enumerate(thr):
                assert got[s, i, j] == hand_steps(x0, lr, 1e-3, 3000, threshold=c)
    got = steps_to_target(f, [5.0], [0.05, 0.3], 1e-3, 3000, clip="normalized")
    assert got.tolist() == [hand_steps(5.0, lr, 1e-3, 3000, normalized=True) for lr in (0.05, 0.3)]
    assert steps_to_target(f, [0.1], [0.1], 1e-3, 10).tolist() == [0]


def test_steps_to_target_on_a_quadratic_matches_the_closed_form():
    lam, x0, target = 2.0, 3.0, 1e-6
    q = Quadratic([[lam]])
    lrs = np.array([0.05, 0.2, 0.4, 0.7, 0.9])
    got = steps_to_target(q, [x0], lrs, target, 10_000)
    # x_k = (1 - lr lam)^k x0 and lam x_k^2 / 2 <= target
    expected = np.ceil(np.log(np.sqrt(2 * target / lam) / x0) / np.log(np.abs(1 - lrs * lam)))
    np.testing.assert_array_equal(got, expected.astype(int))


def test_best_fixed_step_grows_like_x0_squared_while_clipping_stays_small():
    res = fixed_vs_clipped([2.0, 4.0], n_starts=8, edge_fractions=np.linspace(0.5, 0.95, 10),
                           clip_lrs=[0.5, 1.0], thresholds=[0.5, 1.0, 2.0], fixed_steps=1000,
                           clip_steps=100)
    np.testing.assert_allclose(res.edge_lrs, [1 / 8, 1 / 32])
    # theory: N ~ x0^2 / (4 rho sqrt(target)) at rate rho * edge
    rho = res.fixed_lrs / res.edge_lrs
    theory = res.x0s**2 / (4 * rho * math.sqrt(1e-3))
    np.testing.assert_allclose(res.fixed_steps, theory, rtol=0.1)
    assert res.fixed_steps[1] / res.fixed_steps[0] == pytest.approx(4.0, rel=0.1)
    assert np.all(res.clip_steps > 0) and np.all(res.clip_steps * 5 < res.fixed_steps)


def test_best_steps_takes_the_worst_start():
    f = Power(p=4)
    starts = np.array([[0.5], [1.0], [2.0]])
    lrs = [0.0625, 0.1, 0.12]
    best = best_steps(f, starts, lrs, 1e-3, 5000)
    table = np.array([[hand_steps(s, lr, 1e-3, 5000) for lr in lrs] for s in starts[:, 0]])
    np.testing.assert_array_equal(best.table, table.max(axis=0))
    assert best.steps == table.max(axis=0).min() and best.lr == lrs[int(np.argmin(table.max(0)))]
    assert best_steps(f, starts, [1.0], 1e-3, 100).steps == -1


# ---------------------------------------------------------------- normalized GD, heavy ball

def test_normalized_gd_matches_a_hand_loop():
    prob, theta0, lr = Rosenbrock(), np.array([-1.2, 1.0]), 0.01
    runs = normalized_gd(prob, theta0, [lr, 0.05], 200)
    theta = theta0.copy()
    for k in range(200):
        g = prob.grad(theta)
        theta = theta - lr * g / np.linalg.norm(g)
        np.testing.assert_allclose(runs.thetas[0, k + 1], theta, rtol=1e-12, atol=1e-14)
    np.testing.assert_allclose(runs.step_lengths, [[0.01] * 200, [0.05] * 200])
    assert runs[1].clip == "normalized" and runs.diverged_at.tolist() == [-1, -1]


def test_normalized_gd_one_start_per_run_matches_a_hand_loop():
    prob = Rosenbrock()
    starts = np.array([[-1.2, 1.0], [0.5, -0.5]])
    runs = normalized_gd(prob, starts, [0.01, 0.03], 100)
    for i, lr in enumerate([0.01, 0.03]):
        theta = starts[i].copy()
        for k in range(100):
            g = prob.grad(theta)
            theta = theta - lr * g / np.linalg.norm(g)
            np.testing.assert_allclose(runs.thetas[i, k + 1], theta, rtol=1e-12, atol=1e-14)
    with pytest.raises(ValueError, match="theta0"):
        normalized_gd(prob, np.zeros((2, 3)), 0.01, 5)


def test_heavy_ball_matches_a_hand_loop_with_clipping():
    prob, theta0 = Rosenbrock(), np.array([-1.2, 1.0])
    runs = heavy_ball(prob, theta0, [1e-4, 3e-4], 0.9, 300, clip="norm", threshold=[5.0, 50.0])
    for i, (lr, c) in enumerate([(1e-4, 5.0), (3e-4, 50.0)]):
        theta, z = theta0.copy(), np.zeros(2)
        for k in range(300):
            g = prob.grad(theta)
            assert runs.clipped[i, k] == (np.linalg.norm(g) > c)
            z = 0.9 * z + clip_by_norm(g, c)
            theta = theta - lr * z
            np.testing.assert_allclose(runs.thetas[i, k + 1], theta, rtol=1e-12)


def test_heavy_ball_on_a_quadratic_matches_the_transfer_matrix():
    lam, beta, lr, x0 = 0.7, 0.8, 1.3, 2.0
    traj = heavy_ball(Quadratic([[lam]]), [x0], lr, beta, 60)[0]
    # (x_{k+1}, z_{k+1}) = M (x_k, z_k) with z_{k+1} = beta z_k + lam x_k
    M = np.array([[1 - lr * lam, -lr * beta], [lam, beta]])
    states = [np.linalg.matrix_power(M, k) @ [x0, 0.0] for k in range(61)]
    np.testing.assert_allclose(traj.thetas[:, 0], [s[0] for s in states], rtol=1e-10, atol=1e-14)


@pytest.mark.parametrize("beta", [0.0, 0.5, 0.9])
def test_heavy_ball_edge_is_two_times_one_plus_beta_over_lambda_max(beta):
    q = Quadratic.with_condition(10.0, lam_max=4.0)
    edge = 2 * (1 + beta) / 4.0
    runs = heavy_ball(q, [1.0, -2.0], [0.99 * edge, 1.01 * edge], beta, 3000)
    assert runs.diverged_at[0] == -1 and runs.diverged_at[1] > 0
    assert np.linalg.norm(runs.thetas[0, -1]) < 1e-6


# ---------------------------------------------------------------- Adam

def hand_adam(grad, theta0, lr, steps, b1=0.9, b2=0.999, eps=1e-8, threshold=None, scale=1.0):
    theta = np.array(theta0, dtype=float)
    m = np.zeros_like(theta)
    s = np.zeros_like(theta)
    out = [theta.copy()]
    for t in range(1, steps + 1):
        g = scale * grad(theta)
        if threshold is not None and np.linalg.norm(g) > threshold:
            g = g * threshold / np.linalg.norm(g)
        m = b1 * m + (1 - b1) * g
        s = b2 * s + (1 - b2) * g**2
        theta = theta - lr * (m / (1 - b1**t)) / (np.sqrt(s / (1 - b2**t)) + eps)
        out.append(theta.copy())
    return np.array(out)


def test_adam_matches_a_hand_loop():
    prob = Rosenbrock()
    traj = adam(prob, [-1.2, 1.0], 0.01, 400)
    np.testing.assert_allclose(traj.thetas, hand_adam(prob.grad, [-1.2, 1.0], 0.01, 400), rtol=1e-11)
    q = Quadratic.with_condition(50.0, lam_max=10.0)
    # 80 steps: clipped at first, then not; later Adam hovers near the minimum, where
    # rounding differences of one ulp in the clip factor grow
    traj = adam(q, [3.0, -2.0], 0.05, 80, betas=(0.5, 0.9), eps=1e-3, clip="norm",
                threshold=3.0, grad_scale=2.0)
    ref = hand_adam(q.grad, [3.0, -2.0], 0.05, 80, 0.5, 0.9, 1e-3, threshold=3.0, scale=2.0)
    np.testing.assert_allclose(traj.thetas, ref, rtol=1e-11, atol=1e-14)
    assert traj.clipped.any() and not traj.clipped.all()


def test_adam_first_step_is_lr_times_sign():
    q = Quadratic([[1.0, 0.0], [0.0, 1e4]])
    traj = adam(q, [3.0, -0.01], 0.1, 1, eps=0.0)
    np.testing.assert_allclose(traj.thetas[1], [2.9, 0.09], rtol=1e-14)


def test_adam_ignores_a_constant_gradient_scale_but_not_clipping():
    prob = Rosenbrock()
    base = adam(prob, [-1.2, 1.0], 0.01, 300, eps=0.0)
    for c in (1e-3, 7.0, 1e4):
        scaled = adam(prob, [-1.2, 1.0], 0.01, 300, eps=0.0, grad_scale=c)
        np.testing.assert_allclose(scaled.thetas, base.thetas, rtol=1e-12, atol=1e-15)
    # with the usual eps, a tiny scale lets eps dominate and the path changes
    tiny = adam(prob, [-1.2, 1.0], 0.01, 300, grad_scale=1e-9)
    assert np.max(np.abs(tiny.thetas - base.thetas)) > 1e-3
    # norm clipping: the factor threshold / ||g|| changes from step to step
    clipped = adam(prob, [-1.2, 1.0], 0.01, 300, eps=0.0, clip="norm", threshold=1.0)
    factors = 1.0 / clipped.grad_norms[clipped.clipped]
    assert clipped.clipped.sum() > 10 and factors.max() / factors.min() > 2
    assert np.max(np.abs(clipped.thetas - base.thetas)) > 1e-2


# ---------------------------------------------------------------- noisy SGD

def test_noisy_sgd_matches_a_hand_loop_per_seed():
    prob = Quadratic.with_condition(4.0)
    res = noisy_sgd(prob, [1.0, 2.0], 0.2, 300, "student_t", scale=0.5, df=1.5, clip="norm",
                    threshold=1.0, seed=7, n_runs=4, record=True)
    for i in range(4):
        rng = np.random.default_rng([7, i])
        theta = np.array([1.0, 2.0])
        for k in range(300):
            g = prob.grad(theta) + 0.5 * rng.standard_t(1.5, size=2)
            theta = theta - 0.2 * clip_by_norm(g, 1.0)
            np.testing.assert_allclose(res.path[i, k + 1], theta, rtol=1e-12, atol=1e-14)
        np.testing.assert_allclose(res.final[i], theta, rtol=1e-12)
        assert res.errors[i] == pytest.approx(np.linalg.norm(theta))
    assert res.final.shape == (4, 2) and np.all(res.diverged_at == -1)
    # run i does not depend on how many runs are computed with it
    alone = noisy_sgd(prob, [1.0, 2.0], 0.2, 300, "student_t", scale=0.5, df=1.5, clip="norm",
                      threshold=1.0, seed=7, n_runs=2)
    np.testing.assert_array_equal(alone.final, res.final[:2])


@pytest.mark.parametrize("clip", ["norm", "value"])
def test_noisy_sgd_sweep_is_noisy_sgd_per_threshold_with_shared_noise(clip):
    from gradclip.noise import noisy_sgd_sweep

    prob = Quadratic.with_condition(4.0)
    kw = dict(noise="student_t", scale=0.5, df=1.2, seed=5, n_runs=6, record=True)
    runs = noisy_sgd_sweep(prob, [1.0, 2.0], 2.5, 1800, [None, 0.5, 3.0], clip=clip, **kw)
    want = [noisy_sgd(prob, [1.0, 2.0], 2.5, 1800, **kw)]
    want += [noisy_sgd(prob, [1.0, 2.0], 2.5, 1800, clip=clip, threshold=c, **kw) for c in (0.5, 3.0)]
    assert (want[0].diverged_at >= 0).all()  # lr 2.5 > 2/lambda_max: the plain runs overflow
    for got, ref in zip(runs, want):
        for field in ("final", "errors", "final_loss", "clipped_fraction", "diverged_at", "path"):
            np.testing.assert_array_equal(getattr(got, field), getattr(ref, field))
    with pytest.raises(ValueError, match="thresholds"):
        noisy_sgd_sweep(prob, [1.0, 2.0], 0.1, 5, [])
    with pytest.raises(ValueError, match="clip"):
        noisy_sgd_sweep(prob, [1.0, 2.0], 0.1, 5, [1.0], clip=None)


def test_per_example_clipped_sweep_is_one_run_per_setting():
    from gradclip.dp import per_example_clipped_gd, per_example_clipped_sweep

    a = [[-3.0, 1.0], [3.0, 0.5], [0.5, -2.0]]
    out = per_example_clipped_sweep(a, [6.0, -1.0], 0.4, 70, [0.3, 1.0, 4.0], [0.0, 0.7], seed=2, n_runs=5)
    assert out.shape == (3, 2, 5, 71, 2)
    for j, c in enumerate([0.3, 1.0, 4.0]):
        for m, s in enumerate([0.0, 0.7]):
            ref = per_example_clipped_gd(a, [6.0, -1.0], 0.4, 70, c, noise_std=s, seed=2, n_runs=5)
            np.testing.assert_array_equal(out[j, m], ref.thetas)
    with pytest.raises(ValueError, match="thresholds"):
        per_example_clipped_sweep(a, [6.0, -1.0], 0.4, 5, [0.0], [1.0])
    with pytest.raises(ValueError, match="noise_stds"):
        per_example_clipped_sweep(a, [6.0, -1.0], 0.4, 5, [1.0], [-1.0])


def test_gaussian_sgd_has_the_closed_form_stationary_variance():
    # x <- (1 - lr) x - lr s xi:  Var = lr^2 s^2 / (1 - (1 - lr)^2) = lr s^2 / (2 - lr)
    lr, s = 0.3, 2.0
    res = noisy_sgd(Quadratic(np.eye(2)), [0.0, 0.0], lr, 60, scale=s, seed=3, n_runs=4000)
    var = lr * s**2 / (2 - lr)
    assert np.var(res.final) == pytest.approx(var, rel=0.06)
    assert abs(res.final.mean()) < 4 * math.sqrt(var / res.final.size)


def test_clipping_tames_infinite_variance_noise_without_bias():
    q = Quadratic(np.eye(2))
    kw = dict(noise="student_t", df=1.5, seed=0, n_runs=1000)
    plain = noisy_sgd(q, [0.0, 0.0], 0.1, 300, **kw)
    clipped = noisy_sgd(q, [0.0, 0.0], 0.1, 300, clip="norm", threshold=2.0, **kw)
    sp, sc = plain.summary(), clipped.summary()
    assert sc["p99"] < 0.6 * sp["p99"] and sc["max"] < 0.1 * sp["max"]
    assert sc["median"] < 1.5 * sp["median"]
    assert np.all(np.abs(clipped.final.mean(axis=0)) < 4 * clipped.final.std(axis=0) / math.sqrt(1000))
    assert 0 < clipped.clipped_fraction.mean() < 0.5 and np.all(plain.clipped_fraction == 0)


# ---------------------------------------------------------------- per-example clipping

def grid_zeros(a, c):
    xs = np.linspace(min(a) - 2 * c - 1, max(a) + 2 * c + 1, 400_001)
    G = np.array([np.mean(np.clip(x - np.asarray(a), -c, c)) for x in xs[::1000]])
    assert G[0] < 0 < G[-1]
    G = mean_clipped_gradient(a, xs, c)
    zero = np.abs(G) <= 1e-12
    if zero.any():
        return xs[zero].min(), xs[zero].max(), xs[1] - xs[0]
    j = int(np.argmax(G > 0))                           # a single crossing between grid points
    return xs[j - 1], xs[j], xs[1] - xs[0]


@pytest.mark.parametrize("a, c", [([-3.0, 3.0], 1.0), ([-3.0, 3.0], 3.0), ([-0.5, 0.5], 1.0),
                                  ([0.0, 1.0, 5.0], 1.0), ([2.0, -1.0, 4.0, 4.5, -3.0], 0.7),
                                  ([1.0, 1.0, 1.0], 0.3)])
def test_stationary_set_matches_a_grid_search(a, c):
    lo, hi = stationary_set(a, c)
    glo, ghi, h = grid_zeros(a, c)
    assert lo == pytest.approx(glo, abs=1.01 * h) and hi == pytest.approx(ghi, abs=1.01 * h)
    assert abs(mean_clipped_gradient(a, lo, c)) < 1e-12 and abs(mean_clipped_gradient(a, hi, c)) < 1e-12


def test_two_point_stationary_set_closed_form():
    rng = np.random.default_rng(4)
    for _ in range(50):
        a1, a2 = np.sort(rng.uniform(-5, 5, 2))
        c = rng.uniform(0.1, 3)
        expected = (a1 + c, a2 - c) if a2 - a1 >= 2 * c else ((a1 + a2) / 2,) * 2
        assert stationary_set([a2, a1], c) == pytest.approx(expected, abs=1e-12)


def test_per_example_clipping_stops_anywhere_in_the_interval():
    a = [-3.0, 3.0]
    for x0 in (-2.0, -0.7, 0.0, 1.3, 2.0):
        runs = per_example_clipped_gd(a, x0, 0.5, 50, 1.0)
        np.testing.assert_array_equal(runs.thetas[0, :, 0], x0)
    assert per_example_clipped_gd(a, 10.0, 0.5, 100, 1.0).final[0, 0] == pytest.approx(2.0)
    assert per_example_clipped_gd(a, -7.0, 0.5, 100, 1.0).final[0, 0] == pytest.approx(-2.0)
    # clipping the MEAN gradient instead: the only fixed point is the minimum 0
    prob = LinearRegression(np.ones((2, 1)), a)          # mean_i (x - a_i)^2 / 2
    for x0 in (10.0, 1.3):
        traj = run(prob, [x0], 0.5, 200, clip="norm", threshold=1.0)
        assert abs(traj.thetas[-1, 0]) < 1e-10


def test_per_example_clipped_gd_matches_a_hand_loop_with_dp_noise():
    a = np.array([[0.0, 3.0], [2.0, -1.0], [-4.0, 0.5]])
    runs = per_example_clipped_gd(a, [5.0, 5.0], 0.3, 80, 1.5, noise_std=0.8, seed=2, n_runs=3)
    for i in range(3):
        rng = np.random.default_rng([2, i])
        x = np.array([5.0, 5.0])
        for k in range(80):
            g = np.mean([clip_by_norm(x - ai, 1.5) for ai in a], axis=0)
            x = x - 0.3 * (g + 0.8 * 1.5 / 3 * rng.standard_normal(2))
            np.testing.assert_allclose(runs.thetas[i, k + 1], x, rtol=1e-12, atol=1e-14)
    G = mean_clipped_gradient(a, [[1.0, 1.0], [9.0, -9.0]], 1.5)
    ref = [np.mean([clip_by_norm(np.array(p) - ai, 1.5) for ai in a], axis=0) for p in ([1, 1], [9, -9])]
    np.testing.assert_allclose(G, ref, rtol=1e-14)


# ---------------------------------------------------------------- adaptive thresholds

def test_autoclip_is_the_percentile_of_the_history_so_far():
    norms = np.random.default_rng(0).lognormal(size=200)
    got = rule_thresholds(AutoClip(10), norms)
    expected = [np.percentile(norms[: t + 1], 10) for t in range(200)]
    np.testing.assert_allclose(got, expected, rtol=1e-14)


def hand_zclip(norms, alpha=0.97, z_thresh=2.5, warmup=25, eps=1e-6):
    out, mean, var = [], None, None
    for t, g in enumerate(norms):
        if t < warmup:
            out.append(np.inf)
            if t == warmup - 1:
                mean = sum(norms[:warmup]) / warmup
                var = sum((x - mean) ** 2 for x in norms[:warmup]) / warmup
            continue
        z = (g - mean) / (math.sqrt(var) + eps)
        thr = mean + z_thresh * math.sqrt(var) / (z / z_thresh) if z > z_thresh else np.inf
        out.append(thr)
        kept = min(g, thr)
        mean = alpha * mean + (1 - alpha) * kept
        var = alpha * var + (1 - alpha) * (kept - mean) ** 2
    return np.array(out)


def test_zclip_matches_a_hand_loop_of_the_published_rule():
    rng = np.random.default_rng(5)
    norms = 1 + 0.1 * rng.standard_normal(300)
    norms[[40, 41, 120, 250]] = [9.0, 4.0, 30.0, 2.0]
    got = rule_thresholds(ZClip(max_grad_norm=None), norms)
    np.testing.assert_allclose(got, hand_zclip(list(norms)), rtol=1e-12)
    clipped = norms > got
    assert clipped[[40, 120, 250]].all() and clipped.sum() <= 10
    z_bound = rule_thresholds(ZClip(clip_option="z_bound", max_grad_norm=None), norms)
    assert np.all(z_bound[norms > z_bound] >= got[norms > z_bound])   # adaptive cuts harder


def test_zclip_cap_matches_a_hand_loop_of_the_reference_step():
    """The reference's step: during warm-up clip to max_grad_norm; afterwards clip to
    min(z-score clip value or the norm itself, max_grad_norm); the EMA sees the z-score clip
    value, not the cap. Written out on gradient vectors and compared with SGD under ZClip()."""
    proc = spike_process(600, 2, seed=3)
    q = Quadratic.with_condition(10.0)
    run = run_with_rule(q, [5.0, 5.0], 0.5, proc, ZClip())
    theta, buf, mean, var = np.array([5.0, 5.0]), [], None, None
    for k in range(600):
        g = q.grad(theta) + proc.noise[k]
        n = math.sqrt(g @ g)
        if mean is None:
            buf.append(n)
            if len(buf) == 25:
                mean = sum(buf) / 25
                var = sum((x - mean) ** 2 for x in buf) / 25
            limit = 1.0
        else:
            std = math.sqrt(var)
            z = (n - mean) / (std + 1e-6)
            clip_val = mean + 2.5 * std / (z / 2.5) if z > 2.5 else None
            limit = min(n if clip_val is None else clip_val, 1.0)
            e = n if clip_val is None else clip_val
            mean = 0.97 * mean + 0.03 * e
            var = 0.97 * var + 0.03 * (e - mean) ** 2
        if n > limit:
            g = g * (limit / n)
        theta = theta - 0.5 * g
        np.testing.assert_allclose(run.thetas[k + 1], theta, rtol=1e-12, atol=1e-14)
    assert run.clipped[:25].sum() == int(np.sum(run.grad_norms[:25] > 1.0)) > 0
    assert np.all(run.thresholds <= 1.0)
    assert np.isinf(rule_thresholds(ZClip(max_grad_norm=None), run.grad_norms)[:25]).all()


def test_rules_on_a_spike_process():
    proc = spike_process(1500, 2, seed=0)
    assert proc.spikes.mean() == pytest.approx(0.02, abs=0.01)
    big = np.linalg.norm(proc.noise[proc.spikes], axis=1)
    assert np.all(np.abs(big - 50) < 5)
    q = Quadratic.with_condition(10.0)
    rules = {"none": None, "fixed": FixedThreshold(2.0), "autoclip": AutoClip(10),
             "zclip": ZClip(max_grad_norm=None)}
    before = repr(rules["zclip"].__dict__)
    runs = compare_rules(q, [5.0, 5.0], 0.5, proc, rules)
    assert repr(rules["zclip"].__dict__) == before          # the caller's rule is not used up
    n = int(proc.spikes[25:].sum())
    assert runs["none"].caught == 0 and runs["none"].clipped_fraction == 0
    assert runs["zclip"].caught >= n and runs["zclip"].clipped_fraction < 0.1
    assert runs["autoclip"].clipped_fraction > 0.8
    assert runs["none"].worst_loss(50) > 100 * runs["zclip"].worst_loss(50)
    # run_with_rule against a plain loop; worst_loss(50) against the loss of its own iterates
    rule, theta, hand = FixedThreshold(2.0), np.array([5.0, 5.0]), []
    for k in range(1500):
        theta = theta - 0.5 * clip_by_norm(q.grad(theta) + proc.noise[k], 2.0)
        np.testing.assert_allclose(runs["fixed"].thetas[k + 1], theta, rtol=1e-12, atol=1e-14)
        hand.append(0.5 * theta @ q.A @ theta)
    assert runs["fixed"].worst_loss(50) == pytest.approx(max(hand[49:]), rel=1e-12)
    # from the start, the worst loss is the first step's (fixed c = 2 creeps down from 23.5),
    # no spike's doing: the first spike of this stream comes at step 40
    assert np.flatnonzero(proc.spikes)[0] == 40
    start = np.array([5.0, 5.0])
    assert runs["fixed"].worst_loss(0) == pytest.approx(0.5 * start @ q.A @ start, rel=1e-12)
    assert runs["fixed"].worst_loss(1) == pytest.approx(hand[0], rel=1e-12)
    assert runs["fixed"].worst_loss(1) > 10 * runs["fixed"].worst_loss(50)
    assert run_with_rule(q, [5.0, 5.0], 0.5, proc).final_loss == runs["none"].final_loss


# ---------------------------------------------------------------- validation

@pytest.mark.parametrize("call, name", [
    (lambda: Power(p=1.5), "p"),
    (lambda: Power(dim=0), "dim"),
    (lambda: heavy_ball(Quadratic(np.eye(2)), [1.0, 1.0], 0.1, 1.0, 10), "beta"),
    (lambda: heavy_ball(Quadratic(np.eye(2)), [1.0, 1.0], -0.1, 0.5, 10), "lrs"),
    (lambda: adam(Quadratic(np.eye(2)), [1.0, 1.0], 0.1, 10, betas=(0.9,)), "betas"),
    (lambda: adam(Quadratic(np.eye(2)), [1.0, 1.0], 0.1, 10, eps=-1.0), "eps"),
    (lambda: adam(Quadratic(np.eye(2)), [1.0, 1.0], 0.1, 10, grad_scale=0.0), "grad_scale"),
    (lambda: adam(Quadratic(np.eye(2)), [1.0, 1.0], 0.1, 10, clip="norm"), "threshold"),
    (lambda: steps_to_target(Power(), [1.0], [0.1], 1e-3, 10, clip="norm"), "thresholds"),
    (lambda: steps_to_target(Power(), [1.0], [0.1], "x", 10), "target"),
    (lambda: noisy_sgd(Quadratic(np.eye(2)), [0.0, 0.0], 0.1, 10, noise="cauchy"), "noise"),
    (lambda: noisy_sgd(Quadratic(np.eye(2)), [0.0, 0.0], 0.1, 10, n_runs=0), "n_runs"),
    (lambda: per_example_clipped_gd([1.0, 2.0], [0.0, 0.0], 0.1, 10, 1.0), "x0"),
    (lambda: per_example_clipped_gd([1.0, 2.0], 0.0, 0.1, 10, 1.0, noise_std=-1), "noise_std"),
    (lambda: stationary_set([[1.0, 2.0]], 1.0), "a"),
    (lambda: AutoClip(101), "percentile"),
    (lambda: ZClip(alpha=1.0), "alpha"),
    (lambda: ZClip(clip_option="max"), "clip_option"),
    (lambda: ZClip(max_grad_norm=0.0), "max_grad_norm"),
    (lambda: spike_process(10, 2, spike_prob=2.0), "spike_prob"),
    (lambda: run_with_rule(Quadratic(np.eye(2)), [1.0, 1.0], 0.1, spike_process(10, 2)).worst_loss(11),
     "after"),
    (lambda: run_with_rule(Quadratic(np.eye(2)), [1.0, 1.0], 0.1, spike_process(10, 2)).worst_loss(-1),
     "after"),
])
def test_invalid_arguments_are_named(call, name):
    with pytest.raises(ValueError, match=name):
        call()


def test_inputs_are_not_mutated():
    theta0, lrs, a = np.array([3.0, -1.0]), np.array([0.1, 0.2]), np.array([-3.0, 3.0])
    keep = [x.copy() for x in (theta0, lrs, a)]
    q = Quadratic(np.eye(2))
    heavy_ball(q, theta0, lrs, 0.5, 5)
    normalized_gd(q, theta0, lrs, 5)
    adam(q, theta0, 0.1, 5)
    noisy_sgd(q, theta0, 0.1, 5, n_runs=2)
    steps_to_target(q, theta0, lrs, 1e-3, 5)
    per_example_clipped_gd(a, 10.0, 0.5, 5, 1.0)
    stationary_set(a, 1.0)
    for x, k in zip((theta0, lrs, a), keep):
        np.testing.assert_array_equal(x, k)


def test_adam_batch_rows_equal_single_adam_runs():
    """Each row of adam_batch is the run adam() gives for that row's settings alone."""
    from gradclip import Quadratic
    from gradclip.optim import adam, adam_batch

    q = Quadratic.with_condition(10.0)
    lrs, eps, scale, thr = [0.05, 0.1, 0.3], [0.0, 1e-8, 1e-3], [1.0, 0.01, 5.0], [0.1, 1.0, 3.0]
    runs = adam_batch(q, [-4.0, 3.0], lrs, 50, eps=eps, clip="norm", threshold=thr, grad_scale=scale)
    for i in range(3):
        one = adam(q, [-4.0, 3.0], lrs[i], 50, eps=eps[i], clip="norm", threshold=thr[i],
                   grad_scale=scale[i])
        np.testing.assert_array_equal(runs.thetas[i], one.thetas)
        np.testing.assert_array_equal(runs.clipped[i], one.clipped)


@pytest.mark.parametrize("kw, match", [(dict(eps=[0.0, -1.0, 0.0]), "eps"),
                                       (dict(grad_scale=0.0), "grad_scale"),
                                       (dict(eps=[0.0, 0.0]), "eps")])
def test_adam_batch_rejects_bad_per_row_settings(kw, match):
    from gradclip import Quadratic
    from gradclip.optim import adam_batch

    with pytest.raises(ValueError, match=match):
        adam_batch(Quadratic([[1.0]]), [1.0], [0.1, 0.2, 0.3], 5, **kw)
