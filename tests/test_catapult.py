"""The toy L = (1 - xy)^2 / 2: derivatives, where descent settles, and the catapult window."""

import numpy as np
import pytest

import gradclip as gc
from gradclip.catapult import EdgeScan, edge_scan
from gradclip.problems import ScalarFactorization

f = ScalarFactorization()


def test_grad_and_hessian_match_central_differences():
    rng = np.random.default_rng(0)
    pts = rng.normal(scale=2.0, size=(5, 3, 2))
    h = 1e-6
    eye = np.eye(2)
    num_grad = np.stack([(f.loss(pts + h * e) - f.loss(pts - h * e)) / (2 * h) for e in eye], -1)
    np.testing.assert_allclose(f.grad(pts), num_grad, rtol=1e-6, atol=1e-7)
    num_hess = np.stack([(f.grad(pts + h * e) - f.grad(pts - h * e)) / (2 * h) for e in eye], -1)
    np.testing.assert_allclose(f.hessian(pts), num_hess, rtol=1e-6, atol=1e-6)
    assert f.loss(pts).shape == (5, 3) and f.hessian(pts).shape == (5, 3, 2, 2)
    np.testing.assert_allclose(f.sharpness(pts), np.linalg.eigvalsh(f.hessian(pts))[..., -1], rtol=1e-12)


def test_minima_curve():
    xs = np.array([0.5, 1.0, 2.0, 3.0, -1.5])
    minima = np.stack([xs, 1 / xs], -1)
    assert np.all(f.loss(minima) == 0) and np.all(f.grad(minima) == 0)
    eig = np.linalg.eigvalsh(f.hessian(minima))
    np.testing.assert_allclose(eig[:, 0], 0, atol=1e-12)
    np.testing.assert_allclose(f.sharpness_at_minimum(xs), eig[:, 1], rtol=1e-12)
    assert f.sharpness_at_minimum(1.0) == 2.0
    with pytest.raises(ValueError, match="x"):
        f.sharpness_at_minimum(0.0)
    with pytest.raises(ValueError, match="theta"):
        f.loss([1.0, 2.0, 3.0])


@pytest.mark.parametrize("lr, end", [(0.1, 9.1530), (0.25, 5.8766), (0.4, 2.0017)])
def test_descent_settles_where_sharpness_is_below_two_over_lr(lr, end):
    x, y = 3.0, 0.05                        # start sharpness 9.05: above 2 / lr for lr >= 0.25
    for _ in range(1000):
        r = 1 - x * y
        x, y = x + lr * r * y, y + lr * r * x
    assert abs(1 - x * y) < 1e-12
    assert x * x + y * y == pytest.approx(end, abs=1e-4)
    assert x * x + y * y <= 2 / lr


def plain_descent(lr, theta0, steps):
    x, y = theta0
    top = 0.5 * (1 - x * y) ** 2
    for _ in range(steps):
        r = 1 - x * y
        x, y = x + lr * r * y, y + lr * r * x
        if abs(x) + abs(y) > 1e6:
            return np.inf, np.inf, np.inf
        top = max(top, 0.5 * (1 - x * y) ** 2)
    return x, y, top


def test_edge_scan_against_plain_loops():
    lrs = [0.2, 0.45, 0.5, 0.7, 0.9, 0.95, 1.1]
    scan = edge_scan(f, [2.0, 0.49], lrs, steps=3000)
    assert isinstance(scan, EdgeScan)
    assert scan.sharpness0 == pytest.approx(np.linalg.eigvalsh(f.hessian([2.0, 0.49]))[-1])
    for i, lr in enumerate(lrs):
        x, y, top = plain_descent(lr, (2.0, 0.49), 3000)
        if np.isfinite(x):
            assert scan.diverged_at[i] == -1 and scan.converged[i]
            assert scan.final_sharpness[i] == pytest.approx(x * x + y * y, rel=1e-9)
            assert scan.max_loss[i] == pytest.approx(top, rel=1e-12)
        else:
            assert scan.diverged_at[i] > 0 and np.isnan(scan.final_sharpness[i])
    assert scan.catapult.tolist() == [False, False, True, True, True, False, False]


def test_catapult_window_is_two_to_four_over_the_landing_sharpness():
    start = [2.0, 0.49]
    x, y, _ = plain_descent(0.05, start, 4000)   # small steps land on a nearby minimum
    lam = x * x + y * y                          # 4.2586
    scan = edge_scan(f, start, np.linspace(0.3, 1.1, 801), steps=3000)
    lo, hi = scan.boundaries()
    assert lo == pytest.approx(2 / lam, abs=1e-3)
    assert hi == pytest.approx(4 / lam, abs=1e-3)
    settled = scan.converged
    assert np.all(scan.final_sharpness[settled] <= 2 / scan.lrs[settled] + 1e-9)
    assert np.all(scan.max_loss[scan.catapult] > scan.loss0)


def test_edge_scan_validates():
    with pytest.raises(ValueError, match="hessian"):
        edge_scan(gc.CliffRNN(), [1.0, 1.0], [0.1])
    with pytest.raises(ValueError, match="lrs"):
        edge_scan(f, [2.0, 0.49], [-0.1])
    with pytest.raises(ValueError, match="tol"):
        edge_scan(f, [2.0, 0.49], [0.1], tol=0)
    start = np.array([2.0, 0.49])
    edge_scan(f, start, [0.1], steps=10)
    assert start.tolist() == [2.0, 0.49]


def _first(lrs, theta0, predicate):
    for lr in lrs:
        if predicate(*plain_descent(lr, theta0, 2000), theta0):
            return lr
    return np.nan


def _diverges(x, y, top, theta0):
    return not np.isfinite(x)


def _catapults(x, y, top, theta0):
    loss0 = 0.5 * (1 - theta0[0] * theta0[1]) ** 2
    return np.isfinite(x) and abs(1 - x * y) * np.hypot(x, y) <= 1e-8 and top > loss0


def test_fine_boundaries_against_plain_loops_and_their_dependence_on_the_start():
    from gradclip.catapult import fine_boundaries

    lo, hi = fine_boundaries(f, [2.0, 0.49], np.linspace(0.3, 1.05, 151))
    # the first rate on a 1e-6 grid at which a hand loop catapults (loss above its start, then
    # settles) or diverges: the fine scan's 1e-5 grid finds the grid point just above it
    ref_lo = _first(np.linspace(0.4690, 0.4700, 1001), (2.0, 0.49), _catapults)
    ref_hi = _first(np.linspace(0.9390, 0.9395, 501), (2.0, 0.49), _diverges)
    assert ref_lo <= lo < ref_lo + 1e-5 and ref_hi <= hi < ref_hi + 1e-5
    assert round(lo, 5) == 0.46965 and round(hi, 5) == 0.93922
    # 4 / lambda of the flow's minimum fits from (2, 0.49) but not from (3, 0.05) or (2, 1e-4)
    for start, div in (((3.0, 0.05), 0.42710), ((2.0, 1e-4), 0.82846)):
        _, hi = fine_boundaries(f, start, np.linspace(0.3, 1.05, 151))
        assert hi == pytest.approx(div, abs=1e-5)
        ref = _first(np.linspace(div - 2e-5, div + 1e-5, 31), start, _diverges)
        assert ref <= hi < ref + 1e-5
    with pytest.raises(ValueError, match="points"):
        fine_boundaries(f, [2.0, 0.49], [0.5, 1.0], points=1)
