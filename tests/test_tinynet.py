"""TinyNet (one tanh unit, two weights): loss by a plain loop, gradient and Hessian by central
finite differences, batching, the minimum, the edge at the minimum, bad input."""

import numpy as np
import pytest

from gradclip.problems import TinyNet as FromProblems
from gradclip.tinynet import TinyNet


def test_data_are_the_seeded_draws():
    rng = np.random.default_rng(3)
    x = rng.uniform(-2.0, 2.0, 9)
    y = 0.8 * np.tanh(1.5 * x) + rng.normal(scale=0.05, size=9)
    net = TinyNet(seed=3, m=9)
    np.testing.assert_array_equal(net.x, x)
    np.testing.assert_array_equal(net.y, y)
    assert FromProblems is TinyNet


def test_loss_by_hand_and_gradient_by_central_differences():
    net = TinyNet()
    theta = np.array([0.7, -1.3])
    by_hand = sum((theta[1] * np.tanh(theta[0] * x) - y) ** 2 for x, y in zip(net.x, net.y)) / (2 * len(net.x))
    assert float(net.loss(theta)) == pytest.approx(by_hand, rel=1e-12)
    rng = np.random.default_rng(0)
    h = 1e-6
    for theta in [np.array([0.7, -1.3])] + [rng.normal(scale=1.5, size=2) for _ in range(8)]:
        fd = [(net.loss(theta + h * e) - net.loss(theta - h * e)) / (2 * h) for e in np.eye(2)]
        np.testing.assert_allclose(net.grad(theta), fd, rtol=1e-6, atol=1e-9)
    assert np.allclose(net.grad([0.0, 0.0]), 0.0)  # the saddle at the origin


def test_batched_over_leading_axes_and_loss_and_grad_agree():
    net = TinyNet(seed=1, m=5)
    batch = np.random.default_rng(2).normal(size=(3, 4, 2))
    before = batch.copy()
    L, G = net.loss(batch), net.grad(batch)
    assert L.shape == (3, 4) and G.shape == (3, 4, 2)
    for idx in np.ndindex(3, 4):
        assert L[idx] == pytest.approx(float(net.loss(batch[idx])), rel=1e-14)
        np.testing.assert_allclose(G[idx], net.grad(batch[idx]), rtol=1e-14)
    L2, G2 = net.loss_and_grad(batch)
    np.testing.assert_array_equal(L2, L)
    np.testing.assert_array_equal(G2, G)
    np.testing.assert_array_equal(batch, before)


def test_hessian_minimum_and_edge():
    net = TinyNet()
    theta, h = np.array([1.1, 0.6]), 1e-5
    fd = np.array([(net.grad(theta + h * e) - net.grad(theta - h * e)) / (2 * h) for e in np.eye(2)])
    np.testing.assert_allclose(net.hessian(theta), fd, rtol=1e-6, atol=1e-9)
    star = net.solution()
    assert np.linalg.norm(net.grad(star)) < 1e-12
    assert np.all(np.linalg.eigvalsh(net.hessian(star)) > 0)
    fd_star = np.array([(net.grad(star + h * e) - net.grad(star - h * e)) / (2 * h) for e in np.eye(2)])
    assert net.max_stable_lr() == pytest.approx(2 / np.linalg.eigvalsh(fd_star)[-1], rel=1e-6)
    # a point of lower loss than every point of a fine grid around it
    w1, w2 = np.meshgrid(np.linspace(star[0] - 0.05, star[0] + 0.05, 41),
                         np.linspace(star[1] - 0.05, star[1] + 0.05, 41))
    assert net.loss(star) <= net.loss(np.stack([w1, w2], -1)).min() + 1e-15


def test_bad_input_names_the_argument():
    with pytest.raises(ValueError, match="m must"):
        TinyNet(m=1)
    with pytest.raises(ValueError, match="seed"):
        TinyNet(seed=-1)
    with pytest.raises(ValueError, match="theta"):
        TinyNet().grad([1.0, 2.0, 3.0])
    with pytest.raises(ValueError, match="theta"):
        TinyNet().hessian([[1.0, 2.0]])
