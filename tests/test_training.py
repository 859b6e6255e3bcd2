"""train(clip="agc"): adaptive gradient clipping as Brock et al. (2021) use it, with the output
layer left unclipped, against a hand-written loop; for an MLP and for an RNN."""

import numpy as np
import pytest

from gradclip import MLP, RNN, adding_problem, clip_by_global_norm, train


def hand_agc_loop(net, X, y, lr, steps, clipping, eps=1e-3):
    """Plain gradient descent with AGC written out: every unit (a row of a weight matrix, a
    whole bias vector) of every layer but the last is rescaled to clipping * max(||w||, eps)
    when its gradient norm is above that; the output layer's weight and bias are not."""
    params = [p.copy() for p in net.params]
    losses, clipped = [], []
    for _ in range(steps):
        loss, grads = net.loss_and_grads(X, y, params)
        losses.append(loss)
        new, any_clipped = [], False
        for i, (w, g) in enumerate(zip(params, grads)):
            g = g.copy()
            if i < len(params) - 2:
                rows = [g] if g.ndim == 1 else list(range(g.shape[0]))
                for r in rows:
                    gi, wi = (g, w) if g.ndim == 1 else (g[r], w[r])
                    gn, bound = np.sqrt(np.sum(gi * gi)), clipping * max(np.sqrt(np.sum(wi * wi)), eps)
                    if gn > bound:
                        any_clipped = True
                        if g.ndim == 1:
                            g = g * (bound / gn)
                        else:
                            g[r] = g[r] * (bound / gn)
            new.append(w - lr * g)
        params = new
        clipped.append(any_clipped)
    losses.append(net.loss_and_grads(X, y, params)[0])
    return params, np.array(losses), np.array(clipped)


def mlp_task(seed=0):
    rng = np.random.default_rng(seed)
    X = rng.normal(size=(40, 3))
    return MLP([3, 6, 5, 2], seed=seed), X, np.column_stack([np.sin(X[:, 0]), X[:, 1] * X[:, 2]])


@pytest.mark.parametrize("clipping", [0.01, 0.1, 1e4])
def test_agc_on_an_mlp_matches_the_hand_loop(clipping):
    net, X, y = mlp_task()
    run = train(net, X, y, lr=0.2, steps=25, clip="agc", threshold=clipping)
    params, losses, clipped = hand_agc_loop(net, X, y, 0.2, 25, clipping)
    np.testing.assert_allclose(run.losses, losses, rtol=1e-12)
    np.testing.assert_array_equal(run.clipped, clipped)
    for a, b in zip(run.params, params):
        np.testing.assert_allclose(a, b, rtol=1e-12, atol=1e-15)
    if clipping == 0.01:
        assert run.clipped.all()   # zero-initialised biases: bound 0.01 * 1e-3 at every step


def test_agc_on_an_rnn_matches_the_hand_loop_and_leaves_the_output_layer_alone():
    X, y = adding_problem(32, T=8, seed=1)
    net = RNN(2, 6, 1, seed=0)
    run = train(net, X, y, lr=0.1, steps=15, clip="agc", threshold=0.05)
    params, losses, clipped = hand_agc_loop(net, X, y, 0.1, 15, 0.05)
    np.testing.assert_allclose(run.losses, losses, rtol=1e-12)
    np.testing.assert_array_equal(run.clipped, clipped)
    for a, b in zip(run.params, params):
        np.testing.assert_allclose(a, b, rtol=1e-12, atol=1e-15)
    # one step with a tiny lambda: the output layer moves by the raw gradient, the rest barely
    one = train(net, X, y, lr=0.1, steps=1, clip="agc", threshold=1e-6)
    _, grads = net.loss_and_grads(X, y)
    for i in (3, 4):   # W_hy, b_y
        np.testing.assert_allclose(one.params[i], net.params[i] - 0.1 * grads[i], rtol=1e-14)
    for i in (0, 1, 2):
        step = np.linalg.norm(one.params[i] - net.params[i])
        assert step < 0.1 * np.linalg.norm(grads[i]) * 1e-3


def test_agc_with_a_single_layer_clips_nothing():
    rng = np.random.default_rng(2)
    X = rng.normal(size=(20, 3))
    y = X @ np.array([[1.0], [-2.0], [0.5]])
    net = MLP([3, 1], seed=0)
    agc = train(net, X, y, lr=0.1, steps=10, clip="agc", threshold=1e-6)
    plain = train(net, X, y, lr=0.1, steps=10)
    np.testing.assert_array_equal(agc.losses, plain.losses)
    assert not agc.clipped.any()


def hand_bptt(params, X, y):
    """Loss and gradients of the tanh RNN read out at the last step, written step by step."""
    W_xh, W_hh, b_h, W_hy, b_y = params
    n, T, _ = X.shape
    hs = [np.zeros((n, W_hh.shape[0]))]
    for t in range(T):
        hs.append(np.tanh(X[:, t] @ W_xh.T + hs[-1] @ W_hh.T + b_h))
    err = hs[-1] @ W_hy.T + b_y - y
    d = err / n
    grads = [np.zeros_like(W_xh), np.zeros_like(W_hh), np.zeros_like(b_h), d.T @ hs[-1], d.sum(axis=0)]
    dh = d @ W_hy
    for t in range(T - 1, -1, -1):
        dz = dh * (1 - hs[t + 1] ** 2)
        grads[0] += dz.T @ X[:, t]
        grads[1] += dz.T @ hs[t]
        grads[2] += dz.sum(axis=0)
        dh = dz @ W_hh
    return 0.5 * np.sum(err**2) / n, grads


def test_clipped_minibatch_rnn_run_matches_a_hand_loop():
    """Notebook 06's setting (tanh RNN, radius 1.2, lr 0.3, global norm <= 1, batches of 64)
    for 40 steps, against hand-written BPTT, batches and clipping."""
    X, y = adding_problem(200, 30, seed=0)
    net = RNN(2, 32, 1, spectral_radius=1.2, seed=0)
    run = train(net, X, y, lr=0.3, steps=40, clip="global_norm", threshold=1.0, batch_size=64, seed=0)
    rng, order, params, losses, clipped = np.random.default_rng(0), [], [p.copy() for p in net.params], [], []
    for _ in range(40):
        if not order:
            perm = rng.permutation(200)
            order = [perm[i:i + 64] for i in range(0, 200, 64)]
        loss, grads = hand_bptt(params, X[order[0]], y[order.pop(0)])
        norm = np.sqrt(sum(np.sum(g * g) for g in grads))
        scale = min(1.0, 1.0 / norm)
        losses.append(loss)
        clipped.append(scale < 1.0)
        params = [p - 0.3 * scale * g for p, g in zip(params, grads)]
    np.testing.assert_allclose(run.losses[:40], losses, rtol=1e-9)
    np.testing.assert_array_equal(run.clipped, clipped)
    assert run.clipped.any() and not run.clipped.all()
    for a, b in zip(run.params, params):
        np.testing.assert_allclose(a, b, rtol=1e-8, atol=1e-12)


def test_agc_moves_a_zero_bias_by_exactly_lr_clipping_eps_while_it_is_below_eps():
    """Below eps the bound of a bias is clipping * eps; a bias gradient far above it is cut to
    it, so every step of b_h has length lr * clipping * eps (notebook 06, section 4)."""
    X, y = adding_problem(128, 20, seed=3)
    net = RNN(2, 16, 1, spectral_radius=1.2, seed=1)
    run = train(net, X, y, lr=0.3, steps=50, clip="agc", threshold=0.05, batch_size=32, seed=1, record_every=1)
    b = np.array([p[2] for _, p in run.snapshots])
    assert np.linalg.norm(b, axis=1).max() < 1e-3
    np.testing.assert_allclose(np.linalg.norm(np.diff(b, axis=0), axis=1), 0.3 * 0.05 * 1e-3, rtol=1e-9)


def test_global_norm_steps_are_clip_by_global_norm_bit_for_bit():
    """train(clip="global_norm") reuses the total norm it records; the steps are those of
    clip_by_global_norm exactly, on the clipped steps and on the others."""
    net, X, y = mlp_task()
    run = train(net, X, y, lr=0.5, steps=30, clip="global_norm", threshold=0.3)
    params, clipped = [p.copy() for p in net.params], []
    for _ in range(30):
        _, grads = net.loss_and_grads(X, y, params)
        used, total = clip_by_global_norm(grads, 0.3)
        clipped.append(total > 0.3)
        params = [p - 0.5 * u for p, u in zip(params, used)]
    assert all(np.array_equal(a, b) for a, b in zip(run.params, params))
    np.testing.assert_array_equal(run.clipped, clipped)
    assert run.clipped.any() and not run.clipped.all()
