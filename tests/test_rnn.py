"""The recurrent net: backpropagation through time against finite differences and a plain loop;
the gradient through time shrinks or grows by the spectral radius per step."""

import numpy as np
import pytest

from conftest import finite_difference_grads
from gradclip.data import adding_problem
from gradclip.rnn import RNN, factor_survey, measured_factor, measured_steps

ACTS = ["tanh", "sigmoid", "relu", "linear"]


def _batch(net, n=4, T=6, seed=0):
    rng = np.random.default_rng(seed)
    return rng.normal(size=(n, T, net.input_size)), rng.normal(size=(n, net.output_size))


def _plain_forward(params, X, act):
    """One sequence at a time, one step at a time: the definition written out."""
    W_xh, W_hh, b_h, W_hy, b_y = params
    outs, states = [], []
    for x in X:
        h = np.zeros(W_hh.shape[0])
        hs = [h]
        for x_t in x:
            h = act(W_xh @ x_t + W_hh @ h + b_h)
            hs.append(h)
        outs.append(W_hy @ h + b_y)
        states.append(hs)
    return np.array(outs), np.array(states)


PLAIN = {"tanh": np.tanh, "sigmoid": lambda z: 1.0 / (1.0 + np.exp(-z)), "relu": lambda z: np.maximum(z, 0),
         "linear": lambda z: z}


@pytest.mark.parametrize("activation", ACTS)
def test_forward_and_loss_match_a_plain_loop(activation):
    net = RNN(3, 5, 2, activation=activation, seed=1)
    net.params[2] = np.linspace(-0.3, 0.3, 5)  # non-zero biases so they are exercised
    net.params[4] = np.array([0.1, -0.2])
    X, y = _batch(net)
    out, states = _plain_forward(net.params, X, PLAIN[activation])
    np.testing.assert_allclose(net.forward(X), out, rtol=1e-12, atol=1e-14)
    np.testing.assert_allclose(net.hidden_states(X), states, rtol=1e-12, atol=1e-14)
    loss, _ = net.loss_and_grads(X, y)
    assert loss == pytest.approx(0.5 * np.sum((out - y) ** 2) / len(X), rel=1e-12)


@pytest.mark.parametrize("activation", ACTS)
def test_gradients_match_central_finite_differences(activation):
    net = RNN(2, 4, 2, activation=activation, weight_scale=1.5, seed=3)
    params = [p.copy() for p in net.params]
    params[2] = np.array([0.2, -0.1, 0.3, 0.05])
    params[4] = np.array([0.1, -0.3])
    X, y = _batch(net, n=3, T=5, seed=4)
    _, grads = net.loss_and_grads(X, y, params)
    fds = finite_difference_grads(lambda ps: net.loss_and_grads(X, y, ps)[0], params)
    for i, (g, fd) in enumerate(zip(grads, fds)):
        np.testing.assert_allclose(g, fd, rtol=1e-5, atol=1e-8, err_msg=f"params[{i}]")


@pytest.mark.parametrize("activation", ACTS)
def test_hidden_grad_norms_match_finite_differences_of_the_state(activation):
    """dL/dh_t by perturbing h_t: feed a nudge into step t through an extra input channel."""
    net = RNN(2, 3, 1, activation=activation, seed=5)
    X, y = _batch(net, n=2, T=4, seed=6)
    norms = net.hidden_grad_norms(X, y)
    W_xh, W_hh, b_h, W_hy, b_y = net.params
    act = PLAIN[activation]

    def loss_with_nudge(t, i, k, eps):
        total = 0.0
        for s, (x, target) in enumerate(zip(X, y)):
            h = np.zeros(3)
            for step, x_t in enumerate(x, start=1):
                h = act(W_xh @ x_t + W_hh @ h + b_h)
                if step == t and s == i:
                    h = h.copy()
                    h[k] += eps
            total += 0.5 * np.sum((W_hy @ h + b_y - target) ** 2)
        return total / len(X)

    eps = 1e-6
    for t in range(1, 5):
        g = [(loss_with_nudge(t, i, k, eps) - loss_with_nudge(t, i, k, -eps)) / (2 * eps)
             for i in range(2) for k in range(3)]
        assert norms[t - 1] == pytest.approx(np.linalg.norm(g), rel=1e-6, abs=1e-10)


def test_spectral_radius_is_exact():
    net = RNN(1, 12, 1, activation="linear", spectral_radius=1.1, seed=2)
    assert np.max(np.abs(np.linalg.eigvals(net.params[1]))) == pytest.approx(1.1, rel=1e-12)


def _geometric_factor(rho, seed, H=32, T=100):
    net = RNN(1, H, 1, activation="linear", spectral_radius=rho, seed=seed)
    rng = np.random.default_rng(100 + seed)
    X, y = rng.normal(size=(16, T, 1)), rng.normal(size=(16, 1))
    g = net.hidden_grad_norms(X, y)
    # 50 one-step factors ||dL/dh_t|| / ||dL/dh_{t+1}|| for the 50 steps t = 1..50 furthest from the output
    return (g[0] / g[50]) ** (1 / 50)


@pytest.mark.parametrize("rho", [0.9, 1.1])
@pytest.mark.parametrize("seed", range(5))
def test_linear_rnn_gradient_shrinks_or_grows_by_the_spectral_radius_per_step(rho, seed):
    # a Gaussian W_hh rescaled to spectral radius rho: measured within 0.3 % for these seeds (1.1 % over seeds 0-9)
    assert _geometric_factor(rho, seed) == pytest.approx(rho, rel=0.03)


def test_far_from_the_output_the_gradient_has_vanished_or_exploded():
    for rho, bound in [(0.9, 1e-3), (1.1, 1e3)]:
        net = RNN(1, 32, 1, activation="linear", spectral_radius=rho, seed=0)
        rng = np.random.default_rng(0)
        g = net.hidden_grad_norms(rng.normal(size=(8, 100, 1)), rng.normal(size=(8, 1)))
        ratio = g[0] / g[-1]
        assert ratio < bound if rho < 1 else ratio > bound


def test_inputs_are_not_modified_and_params_can_be_passed():
    net = RNN(2, 3, 1, seed=0)
    X, y = _batch(net)
    keepX, keepy = X.copy(), y.copy()
    params = [2 * p for p in net.params]
    keep = [p.copy() for p in params]
    net.loss_and_grads(X, y, params)
    np.testing.assert_array_equal(X, keepX)
    np.testing.assert_array_equal(y, keepy)
    for a, b in zip(params, keep):
        np.testing.assert_array_equal(a, b)
    assert not np.allclose(net.forward(X, params), net.forward(X))


def test_an_exploding_net_returns_non_finite_numbers_without_warnings():
    net = RNN(1, 4, 1, activation="linear", spectral_radius=50.0, seed=0)
    X = np.ones((2, 400, 1))
    loss, grads = net.loss_and_grads(X, np.zeros((2, 1)))
    assert not np.isfinite(loss)


def test_bad_arguments():
    for kwargs, match in [({"input_size": 0}, "input_size"), ({"hidden_size": 2.5}, "hidden_size"),
                          ({"output_size": -1}, "output_size"), ({"activation": "gelu"}, "activation"),
                          ({"weight_scale": 0}, "weight_scale"), ({"spectral_radius": -1.0}, "spectral_radius"),
                          ({"seed": -1}, "seed")]:
        args = {"input_size": 2, "hidden_size": 3, "output_size": 1, **kwargs}
        with pytest.raises(ValueError, match=match):
            RNN(**args)
    net = RNN(2, 3, 1)
    with pytest.raises(ValueError, match="X"):
        net.forward(np.ones((4, 2)))
    with pytest.raises(ValueError, match="X"):
        net.forward(np.ones((4, 5, 3)))
    with pytest.raises(ValueError, match="y"):
        net.loss_and_grads(np.ones((4, 5, 2)), np.ones((4, 2)))
    with pytest.raises(ValueError, match="params"):
        net.forward(np.ones((4, 5, 2)), params=[np.ones((3, 2))])
    with pytest.raises(ValueError, match=r"params\[1\]"):
        net.forward(np.ones((4, 5, 2)),
                    params=[np.ones((3, 2)), np.ones((2, 2)), np.ones(3), np.ones((1, 3)), np.ones(1)])


def test_global_norm_clipping_keeps_rnn_training_on_the_adding_problem_finite():
    from gradclip.data import adding_problem
    from gradclip.training import train

    X, y = adding_problem(1000, 30, seed=0)
    net = RNN(2, 32, 1, spectral_radius=1.2, seed=0)
    free = train(net, X, y, lr=0.3, steps=250, batch_size=32, seed=0)
    kept = train(net, X, y, lr=0.3, steps=250, batch_size=32, seed=0, clip="global_norm", threshold=1.0)
    assert free.diverged_at is not None  # measured: step 168
    assert np.nanmax(free.grad_norms[:10]) > 1e9  # one gradient explodes through time early on
    assert kept.diverged_at is None and np.max(kept.losses) <= kept.losses[0]
    assert kept.final_loss < 1 / 12  # below the loss of always answering 1


def test_measured_factor_is_a_geometric_mean_over_the_far_half():
    norms = np.array([2.0 ** (10 - t) for t in range(10)])  # factor 2 per backward step
    assert measured_steps(10) == 4 and measured_factor(norms) == pytest.approx(2.0)
    rng = np.random.default_rng(1)
    norms = rng.uniform(0.5, 2.0, size=(3, 25))
    by_hand = [np.prod(n[:11] / n[1:12]) ** (1 / 11) for n in norms]  # steps h_12 -> h_1
    np.testing.assert_allclose(measured_factor(norms), by_hand, rtol=1e-12)
    with pytest.raises(ValueError, match="T"):
        measured_steps(3)


def test_factor_survey_matches_nets_built_one_by_one():
    measured, steps = factor_survey(1.1, 30, "tanh", seeds=[0, 4])
    X, y = adding_problem(16, 30, seed=0)
    for i, seed in enumerate((0, 4)):
        norms = RNN(2, 32, 1, "tanh", spectral_radius=1.1, seed=seed).hidden_grad_norms(X, y)
        np.testing.assert_allclose(steps[i], norms[:-1] / norms[1:], rtol=1e-12)
        assert measured[i] == pytest.approx((norms[0] / norms[14]) ** (1 / 14), rel=1e-12)
    with pytest.raises(ValueError, match="seeds"):
        factor_survey(1.0, 10, seeds=[])
    with pytest.raises(ValueError, match="T"):
        factor_survey(1.0, 3)
