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


def _task(seed=0):
    rng = np.random.default_rng(seed)
    X = rng.normal(size=(64, 4))
    return X, np.tanh(X @ rng.normal(size=(4, 1)) / 2)


def test_train_equals_a_hand_loop_and_leaves_the_net_alone():
    from gradclip import clip_by_global_norm
    from gradclip.nets import train

    X, y = _task()
    net = MLP([4, 8, 8, 1], activation="relu", weight_scale=2.0, seed=1)
    before = [p.copy() for p in net.params]
    result = train(net, X, y, lr=0.05, steps=40, clip="global_norm", threshold=0.5)
    params = [p.copy() for p in before]
    for k in range(40):
        loss, grads = net.loss_and_grads(X, y, params)
        assert result.losses[k] == pytest.approx(loss, rel=1e-12)
        clipped, total = clip_by_global_norm(grads, 0.5)
        assert result.grad_norms[k] == pytest.approx(total, rel=1e-12)
        assert result.clipped[k] == (total > 0.5)
        params = [p - 0.05 * g for p, g in zip(params, clipped)]
    for a, b in zip(result.params, params):
        np.testing.assert_allclose(a, b, rtol=1e-12)
    for a, b in zip(net.params, before):
        np.testing.assert_array_equal(a, b)


def test_clipping_rescues_an_exploding_relu_net():
    from gradclip.nets import train

    rng = np.random.default_rng(0)
    X = rng.normal(size=(128, 8))
    y = np.tanh(X @ rng.normal(size=(8, 1)) / 3)
    net = MLP([8] + [32] * 6 + [1], activation="relu", weight_scale=2.0, seed=1)
    free = train(net, X, y, lr=0.3, steps=300)
    kept = train(net, X, y, lr=0.3, steps=300, clip="global_norm", threshold=1.0)
    assert np.nanmax(free.losses) > 1e6 * free.losses[0]  # a loss spike of a million-fold
    assert kept.final_loss < 0.01 * free.final_loss


@pytest.mark.parametrize("clip", ["value", "norm", "global_norm", "agc"])
def test_train_clip_modes_run_and_flag_clipping(clip):
    from gradclip.nets import train

    X, y = _task(1)
    result = train(MLP([4, 8, 1], seed=0), X, y, lr=0.1, steps=20, clip=clip, threshold=1e-3)
    assert result.clipped.all() and np.all(np.isfinite(result.losses))


def test_train_divergence_is_reported():
    from gradclip.nets import train

    X, y = _task(2)
    result = train(MLP([4, 16, 16, 1], activation="linear", weight_scale=3.0, seed=0), X, y, lr=5.0, steps=500)
    assert result.diverged_at is not None and result.final_loss == np.inf
    assert np.all(np.isnan(result.losses[result.diverged_at + 1:]))


def test_train_bad_arguments():
    from gradclip.nets import train

    X, y = _task()
    net = MLP([4, 1])
    for kwargs, match in [({"lr": 0}, "lr"), ({"steps": -1}, "steps"), ({"clip": "l2", "threshold": 1.0}, "clip"),
                          ({"clip": "norm"}, "threshold"), ({"threshold": 1.0}, "clip")]:
        args = {"lr": 0.1, "steps": 5, **kwargs}
        with pytest.raises(ValueError, match=match):
            train(net, X, y, **args)
    with pytest.raises(ValueError, match="net"):
        train("net", X, y, 0.1, 5)
