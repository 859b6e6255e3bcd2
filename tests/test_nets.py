"""Networks: backprop against finite differences; explosion and vanishing as products."""

import numpy as np
import pytest

from gradclip.nets import MLP, chain_gradient


@pytest.mark.parametrize("activation", ["tanh", "sigmoid", "relu", "linear"])
def test_backprop_matches_finite_differences(activation):
    net = MLP([3, 5, 4, 2], activation=activation, seed=1)
    rng = np.random.default_rng(2)
    X, y = rng.normal(size=(7, 3)), rng.normal(size=(7, 2))
    _, grads = net.loss_and_grads(X, y)
    h = 1e-6
    for i, p in enumerate(net.params):
        fd = np.empty_like(p)
        for idx in np.ndindex(p.shape):
            plus = [q.copy() for q in net.params]
            minus = [q.copy() for q in net.params]
            plus[i][idx] += h
            minus[i][idx] -= h
            fd[idx] = (net.loss_and_grads(X, y, plus)[0] - net.loss_and_grads(X, y, minus)[0]) / (2 * h)
        np.testing.assert_allclose(grads[i], fd, rtol=1e-5, atol=1e-8)


def test_loss_matches_direct_formula_and_inputs_untouched():
    net = MLP([2, 3, 1], activation="tanh", seed=0)
    X = np.array([[1.0, -1.0], [0.5, 2.0]])
    y = np.array([[0.3], [-0.2]])
    W1, b1, W2, b2 = net.params
    out = np.tanh(X @ W1.T + b1) @ W2.T + b2
    keep = X.copy()
    loss, _ = net.loss_and_grads(X, y)
    assert loss == pytest.approx(0.5 * np.sum((out - y) ** 2) / 2, rel=1e-12)
    np.testing.assert_array_equal(X, keep)


def test_linear_deep_net_gradients_grow_or_shrink_geometrically():
    rng = np.random.default_rng(0)
    X, y = rng.normal(size=(64, 16)), rng.normal(size=(64, 16))
    ratios = {}
    for scale in (0.5, 2.0):
        net = MLP([16] * 21, activation="linear", weight_scale=scale, seed=3)
        norms = net.backprop_norms(X, y)
        ratios[scale] = norms[0] / norms[-1]
        # each layer back multiplies the signal by about `scale` (a product of 20 factors)
        steps = norms[:-1] / norms[1:]
        assert np.median(steps) == pytest.approx(scale, rel=0.35)
    assert ratios[2.0] > 1e4  # the first layer receives a signal 10^4+ times the last: explosion
    assert ratios[0.5] < 1e-4  # ... or 10^4 times smaller: vanishing


def test_sigmoid_chain_vanishes_even_with_unit_weights():
    rng = np.random.default_rng(0)
    X, y = rng.normal(size=(32, 8)), rng.normal(size=(32, 8))
    norms = MLP([8] * 16, activation="sigmoid", seed=0).backprop_norms(X, y)
    assert norms[0] / norms[-1] < 1e-6  # sigmoid slope <= 1/4 at every layer


def test_chain_gradient_closed_form():
    np.testing.assert_allclose(chain_gradient([1.1] * 50), 1.1 ** np.arange(51), rtol=1e-12)
    assert chain_gradient([0.9] * 50)[-1] == pytest.approx(0.9**50)
    assert chain_gradient([]).tolist() == [1.0]


def test_bad_inputs():
    with pytest.raises(ValueError, match="sizes"):
        MLP([3])
    with pytest.raises(ValueError, match="activation"):
        MLP([3, 1], activation="gelu")
    with pytest.raises(ValueError, match="weight_scale"):
        MLP([3, 1], weight_scale=0)
    net = MLP([3, 2])
    with pytest.raises(ValueError, match="X"):
        net.forward(np.ones((4, 2)))
    with pytest.raises(ValueError, match="y"):
        net.loss_and_grads(np.ones((4, 3)), np.ones((4, 1)))
    with pytest.raises(ValueError, match="params"):
        net.forward(np.ones((4, 3)), params=[np.ones((2, 3))])
    with pytest.raises(ValueError, match="factors"):
        chain_gradient(np.ones((2, 2)))
