"""Problems: every gradient against central finite differences; batching; curvature facts."""

import math

import numpy as np
import pytest

from gradclip import CliffRNN, LinearRegression, Quadratic, Rosenbrock


def central_diff(f, theta, h=1e-6):
    theta = np.asarray(theta, dtype=float)
    out = np.empty_like(theta)
    for i in range(theta.size):
        e = np.zeros_like(theta)
        e[i] = h
        out[i] = (f(theta + e) - f(theta - e)) / (2 * h)
    return out


def regression(seed=0, m=40, d=3):
    rng = np.random.default_rng(seed)
    X = np.column_stack([np.ones(m), rng.normal(size=(m, d - 1))])
    y = X @ rng.normal(size=d) + 0.1 * rng.normal(size=m)
    return X, y


PROBLEMS = [
    LinearRegression(*regression()),
    Quadratic.with_condition(25.0, lam_max=3.0, center=(1.0, -2.0)),
    Quadratic(np.array([[2.0, 0.5, 0.0], [0.5, 1.0, 0.2], [0.0, 0.2, 0.5]]), [1.0, 0.0, -1.0]),
    Rosenbrock(),
    CliffRNN(),
    CliffRNN(T=7, x0=-0.3, target=0.2),
]


@pytest.mark.parametrize("problem", PROBLEMS, ids=repr)
def test_gradient_matches_finite_differences(problem):
    rng = np.random.default_rng(1)
    for _ in range(10):
        theta = rng.normal(scale=1.5, size=problem.dim)
        if isinstance(problem, CliffRNN):
            theta = np.array([rng.uniform(-2, 6), rng.uniform(-3, 1)])
        fd = central_diff(problem.loss, theta)
        np.testing.assert_allclose(problem.grad(theta), fd, rtol=1e-5, atol=1e-7)


@pytest.mark.parametrize("problem", PROBLEMS, ids=repr)
def test_batched_shapes_match_pointwise(problem):
    rng = np.random.default_rng(2)
    batch = rng.normal(size=(4, 3, problem.dim))
    L, G = problem.loss(batch), problem.grad(batch)
    assert L.shape == (4, 3) and G.shape == (4, 3, problem.dim)
    for idx in np.ndindex(4, 3):
        assert L[idx] == pytest.approx(float(problem.loss(batch[idx])), rel=1e-12, abs=1e-14)
        np.testing.assert_allclose(G[idx], problem.grad(batch[idx]), rtol=1e-12, atol=1e-14)
    before = batch.copy()
    problem.grad(batch)
    np.testing.assert_array_equal(batch, before)


def test_linear_regression_against_direct_formulas():
    X, y = regression(3)
    prob = LinearRegression(X, y)
    theta = np.array([0.3, -1.0, 2.0])
    m = len(y)
    assert prob.loss(theta) == pytest.approx(np.sum((X @ theta - y) ** 2) / (2 * m), rel=1e-12)
    np.testing.assert_allclose(prob.grad(theta), X.T @ (X @ theta - y) / m, rtol=1e-12)
    np.testing.assert_allclose(prob.solution(), np.linalg.lstsq(X, y, rcond=None)[0], rtol=1e-10)
    lam = np.linalg.eigvalsh(X.T @ X / m)
    assert prob.max_stable_lr() == pytest.approx(2 / lam[-1], rel=1e-12)
    np.testing.assert_allclose(prob.hessian(), X.T @ X / m, rtol=1e-12)


def test_linear_regression_accepts_column_y_and_hessian_is_a_copy():
    X, y = regression(4)
    prob = LinearRegression(X, y[:, None])
    H = prob.hessian()
    H[0, 0] = 1e9
    assert prob.hessian()[0, 0] != 1e9


def test_quadratic_with_condition():
    q = Quadratic.with_condition(50.0, lam_max=2.0, center=(3.0, 1.0))
    np.testing.assert_allclose(q.eigenvalues(), [2.0 / 50.0, 2.0], rtol=1e-12)
    assert q.condition_number() == pytest.approx(50.0)
    np.testing.assert_allclose(q.solution(), [3.0, 1.0], atol=1e-12)
    np.testing.assert_allclose(q.grad([3.0, 1.0]), [0.0, 0.0], atol=1e-12)
    # the closed form 1/2 t^T A t - b^T t
    t = np.array([0.5, -0.7])
    assert q.loss(t) == pytest.approx(0.5 * t @ q.A @ t - q.b @ t, rel=1e-12)


def test_rosenbrock_hessian_and_minimum():
    r = Rosenbrock()
    np.testing.assert_allclose(r.grad(r.solution()), [0.0, 0.0])
    theta = np.array([-0.4, 0.9])
    fd = np.array([central_diff(lambda t: r.grad(t)[i], theta) for i in range(2)])
    np.testing.assert_allclose(r.hessian(theta), fd, rtol=1e-5)
    # Hessian at (1, 1) is [[802, -400], [-400, 200]]
    assert r.max_stable_lr() == pytest.approx(2 / np.linalg.eigvalsh([[802, -400], [-400, 200]])[-1])


def test_cliff_rnn_forward_matches_a_plain_loop_and_has_a_cliff():
    p = CliffRNN(T=50, x0=0.5, target=0.7)
    w, b = 4.3, -2.5
    x = 0.5
    for _ in range(50):
        x = w / (1 + np.exp(-x)) + b
    assert p.loss([w, b]) == pytest.approx((1 / (1 + np.exp(-x)) - 0.7) ** 2, rel=1e-12)
    # along b = -2.5 the loss drops by > 0.3 within a small interval of w: the cliff
    ws = np.linspace(3.5, 5.5, 2001)
    losses = p.loss(np.stack([ws, np.full_like(ws, -2.5)], -1))
    assert np.max(-np.diff(losses)) > 0.05
    grads = np.linalg.norm(p.grad(np.stack([ws, np.full_like(ws, -2.5)], -1)), axis=-1)
    assert grads.max() > 100 * np.median(grads)


@pytest.mark.parametrize("bad", [[1.0], [[1.0, 2.0, 3.0]], "x", 3.0])
def test_wrong_theta_shape_names_theta(bad):
    for problem in (PROBLEMS[1], Rosenbrock(), CliffRNN()):
        with pytest.raises(ValueError, match="theta"):
            problem.grad(bad)


def test_bad_constructor_arguments():
    X, y = regression()
    with pytest.raises(ValueError, match="same number of rows"):
        LinearRegression(X, y[:-1])
    with pytest.raises(ValueError, match="X must be"):
        LinearRegression(np.ones(5), np.ones(5))
    with pytest.raises(ValueError, match="symmetric"):
        Quadratic([[1.0, 2.0], [0.0, 1.0]])
    with pytest.raises(ValueError, match="positive semi-definite"):
        Quadratic([[1.0, 0.0], [0.0, -1.0]])
    with pytest.raises(ValueError, match="condition"):
        Quadratic.with_condition(0.5)
    with pytest.raises(ValueError, match="target"):
        CliffRNN(target=1.5)
    with pytest.raises(ValueError, match="T"):
        CliffRNN(T=0)


def test_cliff_rnn_jacobian_product_is_dxT_dx0():
    theta = np.array([4.0, -2.0])
    factors = CliffRNN(T=20, x0=0.3).jacobian_factors(theta)
    h = 1e-6
    xT = lambda x0: CliffRNN(T=20, x0=x0).states(theta)[-1]
    fd = (xT(0.3 + h) - xT(0.3 - h)) / (2 * h)
    assert factors.shape == (20,)
    assert np.prod(factors) == pytest.approx(fd, rel=1e-5)


def forward_mode_cliff(T, x0, target, w, b):
    """An independent reference: loss and gradient of CliffRNN at ONE point by forward-mode
    differentiation, in plain Python floats (the derivatives of x_t ride along with x_t)."""
    sig = lambda z: 1.0 / (1.0 + math.exp(-z))  # noqa: E731
    x, dx_dw, dx_db = x0, 0.0, 0.0
    for _ in range(T):
        s = sig(x)
        slope = w * s * (1.0 - s)
        x, dx_dw, dx_db = w * s + b, s + slope * dx_dw, 1.0 + slope * dx_db
    s = sig(x)
    dL_dx = 2.0 * (s - target) * s * (1.0 - s)
    return (s - target) ** 2, np.array([dL_dx * dx_dw, dL_dx * dx_db])


@pytest.mark.parametrize("T, x0, target", [(50, 0.5, 0.7), (7, -0.3, 0.2), (1, 0.0, 0.5)])
def test_cliff_loss_and_grad_against_forward_mode_and_finite_differences(T, x0, target):
    p = CliffRNN(T=T, x0=x0, target=target)
    rng = np.random.default_rng(5)
    points = np.column_stack([rng.uniform(-2, 8, 40), rng.uniform(-6, 2, 40)])
    loss, grad = p.loss_and_grad(points)
    assert loss.shape == (40,) and grad.shape == (40, 2)
    np.testing.assert_array_equal(loss, p.loss(points))   # the loss pass alone, exactly
    for theta, L, g in zip(points, loss, grad):
        L_ref, g_ref = forward_mode_cliff(T, x0, target, *theta)
        assert L == pytest.approx(L_ref, rel=1e-11, abs=1e-15)
        np.testing.assert_allclose(g, g_ref, rtol=1e-9, atol=1e-14)
    for theta, g in zip(points[:10], grad[:10]):
        np.testing.assert_allclose(g, central_diff(p.loss, theta), rtol=1e-5, atol=1e-7)


def test_cliff_loss_and_grad_at_the_wall_and_batched():
    p = CliffRNN()
    ws = np.linspace(3.5, 5.5, 4001)
    pts = np.stack([ws, np.full_like(ws, -2.5)], -1)
    wall = pts[np.argmax(np.linalg.norm(p.grad(pts), axis=-1))]
    L, g = p.loss_and_grad(wall)
    L_ref, g_ref = forward_mode_cliff(50, 0.5, 0.7, *wall)
    assert np.linalg.norm(g) > 100 and L == pytest.approx(L_ref, rel=1e-9)
    np.testing.assert_allclose(g, g_ref, rtol=1e-7)
    batch = np.random.default_rng(6).normal(loc=[4.0, -2.0], size=(3, 5, 2))
    before = batch.copy()
    L, G = p.loss_and_grad(batch)
    assert L.shape == (3, 5) and G.shape == (3, 5, 2)
    for idx in np.ndindex(3, 5):
        L1, g1 = p.loss_and_grad(batch[idx])
        assert L[idx] == pytest.approx(float(L1), rel=1e-13, abs=1e-16)
        np.testing.assert_allclose(G[idx], g1, rtol=1e-12, atol=1e-16)
    np.testing.assert_array_equal(batch, before)
    with pytest.raises(ValueError, match="theta"):
        p.loss_and_grad([1.0, 2.0, 3.0])


@pytest.mark.parametrize("problem", PROBLEMS, ids=repr)
def test_every_problem_has_loss_and_grad_equal_to_its_parts(problem):
    theta = np.random.default_rng(7).normal(size=(4, problem.dim))
    L, G = problem.loss_and_grad(theta)
    np.testing.assert_array_equal(L, problem.loss(theta))
    np.testing.assert_allclose(G, problem.grad(theta), rtol=1e-15, atol=0)
