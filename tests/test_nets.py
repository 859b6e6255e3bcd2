"""Networks: backprop against finite differences; explosion and vanishing as products."""

import numpy as np
import pytest

from conftest import finite_difference_grads
from gradclip.nets import MLP, chain_gradient, mlp_backward


@pytest.mark.parametrize("activation", ["tanh", "sigmoid", "relu", "linear"])
def test_backprop_matches_finite_differences(activation):
    net = MLP([3, 5, 4, 2], activation=activation, seed=1)
    rng = np.random.default_rng(2)
    X, y = rng.normal(size=(7, 3)), rng.normal(size=(7, 2))
    _, grads = net.loss_and_grads(X, y)
    fds = finite_difference_grads(lambda ps: net.loss_and_grads(X, y, ps)[0], net.params)
    for g, fd in zip(grads, fds):
        np.testing.assert_allclose(g, fd, rtol=1e-5, atol=1e-8)


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
    from gradclip.training import train

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
    from gradclip.training import train

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
    from gradclip.training import train

    X, y = _task(1)
    result = train(MLP([4, 8, 1], seed=0), X, y, lr=0.1, steps=20, clip=clip, threshold=1e-3)
    assert result.clipped.all() and np.all(np.isfinite(result.losses))


def test_train_divergence_is_reported():
    from gradclip.training import train

    X, y = _task(2)
    result = train(MLP([4, 16, 16, 1], activation="linear", weight_scale=3.0, seed=0), X, y, lr=5.0, steps=500)
    assert result.diverged_at is not None and result.final_loss == np.inf
    assert np.all(np.isnan(result.losses[result.diverged_at + 1:]))


def test_train_bad_arguments():
    from gradclip.training import train

    X, y = _task()
    net = MLP([4, 1])
    for kwargs, match in [({"lr": 0}, "lr"), ({"steps": -1}, "steps"), ({"clip": "l2", "threshold": 1.0}, "clip"),
                          ({"clip": "norm"}, "threshold"), ({"threshold": 1.0}, "clip")]:
        args = {"lr": 0.1, "steps": 5, **kwargs}
        with pytest.raises(ValueError, match=match):
            train(net, X, y, **args)
    with pytest.raises(ValueError, match="net"):
        train("net", X, y, 0.1, 5)


# ---- initialisation, residual nets, per-layer statistics

@pytest.mark.parametrize("init, std", [("normal", lambda i, o: 1 / np.sqrt(i)), ("he", lambda i, o: np.sqrt(2 / i)),
                                       ("xavier", lambda i, o: np.sqrt(2 / (i + o))), ("small", lambda i, o: 0.01),
                                       (0.3, lambda i, o: 0.3)])
def test_init_standard_deviations(init, std):
    net = MLP([400, 300, 200], init=init, weight_scale=1.5, seed=0)
    for W, (i, o) in zip(net.params[0::2], [(400, 300), (300, 200)]):
        assert W.shape == (o, i)
        assert np.std(W) == pytest.approx(1.5 * std(i, o), rel=0.01)  # 60,000+ draws: 0.3 % noise
        assert abs(np.mean(W)) < 0.01 * std(i, o) * 1.5 * 5
    assert all(np.all(b == 0) for b in net.params[1::2])


def _plain_residual_forward(params, X, act):
    h = act(X @ params[0].T + params[1])
    for k in range(1, len(params) // 2 - 1):
        h = h + act(h @ params[2 * k].T + params[2 * k + 1])
    return h @ params[-2].T + params[-1]


@pytest.mark.parametrize("activation", ["tanh", "sigmoid", "relu", "linear"])
def test_residual_forward_and_gradients(activation):
    act = {"tanh": np.tanh, "sigmoid": lambda z: 1 / (1 + np.exp(-z)), "relu": lambda z: np.maximum(z, 0),
           "linear": lambda z: z}[activation]
    net = MLP([3, 4, 4, 4, 2], activation=activation, residual=True, seed=1)
    rng = np.random.default_rng(2)
    params = [p + 0.1 * rng.normal(size=p.shape) for p in net.params]  # non-zero biases too
    X, y = rng.normal(size=(6, 3)), rng.normal(size=(6, 2))
    out = _plain_residual_forward(params, X, act)
    np.testing.assert_allclose(net.forward(X, params), out, rtol=1e-12)
    loss, grads = net.loss_and_grads(X, y, params)
    assert loss == pytest.approx(0.5 * np.sum((out - y) ** 2) / 6, rel=1e-12)
    fds = finite_difference_grads(lambda ps: net.loss_and_grads(X, y, ps)[0], params)
    for i, (g, fd) in enumerate(zip(grads, fds)):
        np.testing.assert_allclose(g, fd, rtol=1e-5, atol=1e-8, err_msg=f"params[{i}]")


def test_residual_connections_keep_a_deep_sigmoid_net_from_vanishing():
    rng = np.random.default_rng(0)
    X, y = rng.normal(size=(32, 8)), rng.normal(size=(32, 8))
    plain = MLP([8] * 16, activation="sigmoid", seed=0).backprop_norms(X, y)
    skip = MLP([8] * 16, activation="sigmoid", residual=True, seed=0).backprop_norms(X, y)
    assert plain[0] / plain[-1] < 1e-6
    assert skip[0] / skip[-1] > 1e-2


def test_layer_stats_against_direct_computation():
    rng = np.random.default_rng(3)
    X, y = rng.normal(size=(50, 4)), rng.normal(size=(50, 1))
    net = MLP([4, 6, 5, 1], activation="tanh", weight_scale=3.0, seed=2)
    W1, b1, W2, b2, W3, b3 = net.params
    a1 = np.tanh(X @ W1.T + b1)
    a2 = np.tanh(a1 @ W2.T + b2)
    stats = net.layer_stats(X, y, lr=0.05, bins=10)
    np.testing.assert_allclose(stats.mean, [a1.mean(), a2.mean()], rtol=1e-12)
    np.testing.assert_allclose(stats.std, [a1.std(), a2.std()], rtol=1e-12)
    np.testing.assert_allclose(stats.saturated, [np.mean(np.abs(a1) > 0.97), np.mean(np.abs(a2) > 0.97)])
    np.testing.assert_allclose(stats.bin_edges, np.linspace(-1, 1, 11))
    assert stats.counts.tolist() == [np.histogram(a1, bins=10, range=(-1, 1))[0].tolist(),
                                     np.histogram(a2, bins=10, range=(-1, 1))[0].tolist()]
    _, grads = net.loss_and_grads(X, y)
    gnorms = [np.linalg.norm(g) for g in grads[0::2]]
    np.testing.assert_allclose(stats.grad_norms, gnorms, rtol=1e-12)
    ratios = [0.05 * g / np.linalg.norm(W) for g, W in zip(gnorms, (W1, W2, W3))]
    np.testing.assert_allclose(stats.update_ratios, ratios, rtol=1e-12)
    assert net.layer_stats(X, y).update_ratios is None
    # dL/dz of each weight layer by hand (loss 0.5 * sum(err^2) / n), output layer last
    d3 = (a2 @ W3.T + b3 - y) / len(X)
    d2 = (d3 @ W3) * (1 - a2**2)
    d1 = (d2 @ W2) * (1 - a1**2)
    np.testing.assert_allclose(stats.backprop_norms, [np.linalg.norm(d) for d in (d1, d2, d3)], rtol=1e-12)


@pytest.mark.parametrize("residual", [False, True])
def test_layer_stats_equal_widths_match_numpy_per_layer(residual):
    """Equal hidden widths take the stacked path: values on the bin edges, NaN and inf
    (from overflow) are binned exactly as numpy.histogram bins each layer."""
    edges = np.linspace(-3.0, 2.0, 6)
    X = np.concatenate([np.tile(edges[:4], (3, 1)), np.array([[0.1, -2.7, 1.999, 2.0]])])
    net = MLP([4, 4, 4, 1], activation="linear", seed=0, residual=residual)
    params = [np.eye(4), np.zeros(4), 0.5 * np.eye(4), np.zeros(4), np.ones((1, 4)), np.zeros(1)]
    a1 = X
    a2 = 0.5 * X  # the activations act(z); a skip adds to the layer's output h, not to them
    stats = net.layer_stats(X, np.zeros((4, 1)), params=params, lr=0.1, bins=5)
    lo, hi = min(a1.min(), a2.min()), max(a1.max(), a2.max())
    np.testing.assert_array_equal(stats.bin_edges, np.linspace(lo, hi, 6))
    for i, a in enumerate((a1, a2)):
        assert stats.counts[i].tolist() == np.histogram(a, bins=stats.bin_edges)[0].tolist()
        assert stats.mean[i] == np.mean(a) and stats.std[i] == np.std(a)
    big = MLP([3, 8, 8, 8, 1], activation="tanh", weight_scale=1e200, seed=1)
    Xb = np.random.default_rng(0).normal(size=(6, 3))
    with np.errstate(all="ignore"):
        s = big.layer_stats(Xb, np.zeros((6, 1)), lr=0.1, bins=7)
        _, _, acts = big._forward(Xb, big.params)
    for i, a in enumerate(acts):
        want = np.histogram(a[np.isfinite(a)], bins=s.bin_edges)[0]
        assert s.counts[i].tolist() == want.tolist()
    _, grads = big.loss_and_grads(Xb, np.zeros((6, 1)))
    from gradclip.validation import vector_norm

    np.testing.assert_array_equal(s.grad_norms, [vector_norm(g) for g in grads[0::2]])


def test_layer_stats_dead_relu_units_and_sigmoid_saturation():
    X = np.random.default_rng(0).normal(size=(40, 3))
    y = np.zeros((40, 1))
    net = MLP([3, 5, 1], activation="relu", seed=0)
    params = [p.copy() for p in net.params]
    params[1] = np.array([-100.0, -100.0, 0.0, 0.0, 0.0])  # two units can never fire
    a = np.maximum(X @ params[0].T + params[1], 0)
    stats = net.layer_stats(X, y, params=params, bins=4)
    assert stats.saturated[0] == pytest.approx(np.mean(np.all(a == 0, axis=0)))
    assert stats.saturated[0] >= 0.4
    np.testing.assert_allclose(stats.bin_edges, np.linspace(0, a.max(), 5))
    assert stats.counts.sum() == a.size
    sig = MLP([3, 5, 1], activation="sigmoid", init=10.0, seed=0)
    s = 1 / (1 + np.exp(-(X @ sig.params[0].T)))
    assert sig.layer_stats(X, y).saturated[0] == pytest.approx(np.mean((s < 0.03) | (s > 0.97)))
    assert MLP([3, 5, 1], activation="linear").layer_stats(X, y).saturated.tolist() == [0.0]


# ---- deep ReLU nets: He initialisation keeps the backward signal, half of it halves it per layer

@pytest.mark.parametrize("seed", range(3))
def test_he_init_keeps_backprop_norms_of_a_30_layer_relu_net(seed):
    rng = np.random.default_rng(seed)
    X, y = rng.normal(size=(64, 128)), rng.normal(size=(64, 1))
    he = MLP([128] * 30 + [1], activation="relu", init="he", seed=seed).backprop_norms(X, y)
    assert len(he) == 30
    assert he.max() / he.min() < 4  # measured 1.3 .. 2.6 over widths 64-256 and 5 seeds
    half = MLP([128] * 30 + [1], activation="relu", init="he", weight_scale=0.5, seed=seed).backprop_norms(X, y)
    per_layer = (half[-1] / half[0]) ** (1 / 29)  # geometric mean of the 29 per-layer loss factors
    assert 1.9 < per_layer < 2.1  # measured 2.03 .. 2.05 here, 1.98 .. 2.05 over widths 64-256


# ---- training: mini-batches, recurrent nets, snapshots

def _hand_minibatch_sgd(net, X, y, lr, steps, batch_size, seed, threshold=None):
    """Mini-batch SGD written out: shuffle every epoch, walk through the batches."""
    from gradclip import clip_by_global_norm

    rng = np.random.default_rng(seed)
    params = [p.copy() for p in net.params]
    losses, queue = [], []
    for _ in range(steps):
        if not queue:
            order = rng.permutation(len(X))
            queue = [order[i:i + batch_size] for i in range(0, len(X), batch_size)]
        idx = queue.pop(0)
        loss, grads = net.loss_and_grads(X[idx], y[idx], params)
        if threshold is not None:
            grads, _ = clip_by_global_norm(grads, threshold)
        losses.append(loss)
        params = [p - lr * g for p, g in zip(params, grads)]
    losses.append(net.loss_and_grads(X, y, params)[0])
    return np.array(losses), params


def test_minibatch_training_equals_a_hand_loop():
    from gradclip.training import train

    X, y = _task(3)
    net = MLP([4, 8, 1], activation="tanh", seed=0)
    run = train(net, X, y, lr=0.1, steps=23, batch_size=10, seed=5)  # 64 = 6 x 10 + 4: uneven epochs
    losses, params = _hand_minibatch_sgd(net, X, y, 0.1, 23, 10, 5)
    np.testing.assert_allclose(run.losses, losses, rtol=1e-12)
    for a, b in zip(run.params, params):
        np.testing.assert_allclose(a, b, rtol=1e-12)
    other = train(net, X, y, lr=0.1, steps=23, batch_size=10, seed=6)
    assert not np.allclose(other.losses[:-1], run.losses[:-1])


def test_rnn_training_with_clipping_equals_a_hand_loop_and_records_snapshots():
    from gradclip.data import adding_problem
    from gradclip.training import train
    from gradclip.rnn import RNN

    X, y = adding_problem(40, 8, seed=0)
    net = RNN(2, 6, 1, seed=0)
    run = train(net, X, y, lr=0.5, steps=12, clip="global_norm", threshold=0.1, batch_size=16, seed=1,
                record_every=5)
    losses, params = _hand_minibatch_sgd(net, X, y, 0.5, 12, 16, 1, threshold=0.1)
    np.testing.assert_allclose(run.losses, losses, rtol=1e-12)
    for a, b in zip(run.params, params):
        np.testing.assert_allclose(a, b, rtol=1e-12)
    assert [step for step, _ in run.snapshots] == [0, 5, 10]
    for a, b in zip(run.snapshots[0][1], net.params):
        np.testing.assert_array_equal(a, b)
    _, at5 = _hand_minibatch_sgd(net, X, y, 0.5, 5, 16, 1, threshold=0.1)
    for a, b in zip(run.snapshots[1][1], at5):
        np.testing.assert_allclose(a, b, rtol=1e-12)
    assert train(net, X, y, lr=0.5, steps=3).snapshots is None


def test_full_batch_rnn_training_equals_a_hand_loop():
    from gradclip.data import adding_problem
    from gradclip.training import train
    from gradclip.rnn import RNN

    X, y = adding_problem(16, 6, seed=2)
    net = RNN(2, 5, 1, activation="relu", seed=3)
    run = train(net, X, y, lr=0.2, steps=10)
    params = [p.copy() for p in net.params]
    for k in range(10):
        loss, grads = net.loss_and_grads(X, y, params)
        assert run.losses[k] == pytest.approx(loss, rel=1e-12)
        params = [p - 0.2 * g for p, g in zip(params, grads)]
    for a, b in zip(run.params, params):
        np.testing.assert_allclose(a, b, rtol=1e-12)


def test_new_arguments_are_validated():
    from gradclip.training import train

    X, y = _task()
    net = MLP([4, 1])
    for kwargs, match in [({"batch_size": 0}, "batch_size"), ({"batch_size": 65}, "batch_size"),
                          ({"batch_size": 2.0}, "batch_size"), ({"seed": -1}, "seed"),
                          ({"record_every": 0}, "record_every"), ({"record_every": 1.5}, "record_every")]:
        with pytest.raises(ValueError, match=match):
            train(net, X, y, 0.1, 5, **kwargs)
    for kwargs, match in [({"init": "glorot"}, "init"), ({"init": -0.1}, "init"), ({"residual": "yes"}, "residual"),
                          ({"sizes": [3, 4, 5, 1], "residual": True}, "residual")]:
        args = {"sizes": [3, 4, 1], **kwargs}
        with pytest.raises(ValueError, match=match):
            MLP(**args)
    with pytest.raises(ValueError, match="lr"):
        MLP([4, 3, 1]).layer_stats(X, y, lr=-1.0)
    with pytest.raises(ValueError, match="bins"):
        MLP([4, 3, 1]).layer_stats(X, y, bins=0)


def test_mlp_sharpness_is_the_top_eigenvalue_of_a_loss_only_hessian():
    # The Hessian of a tiny tanh net by second differences of the LOSS alone (no backprop):
    # H_ij = (L(+i+j) - L(+i-j) - L(-i+j) + L(-i-j)) / (4 h^2), error O(h^2) ~ 1e-8.
    rng = np.random.default_rng(1)
    X, y = rng.normal(size=(12, 2)), rng.normal(size=(12, 1))
    net = MLP([2, 3, 1], activation="tanh", weight_scale=1.5, seed=2)
    params = [p + 0.3 * rng.normal(size=p.shape) for p in net.params]
    before = [p.copy() for p in params]
    flat = np.concatenate([p.ravel() for p in params])
    cuts = np.cumsum([p.size for p in params])[:-1]

    def loss(theta):
        W1, b1, W2, b2 = [a.reshape(p.shape) for a, p in zip(np.split(theta, cuts), params)]
        out = np.tanh(X @ W1.T + b1) @ W2.T + b2
        return 0.5 * np.mean(np.sum((out - y) ** 2, axis=1))

    n, h = flat.size, 1e-4
    H = np.zeros((n, n))
    eye = np.eye(n) * h
    for i in range(n):
        for j in range(n):
            H[i, j] = (loss(flat + eye[i] + eye[j]) - loss(flat + eye[i] - eye[j])
                       - loss(flat - eye[i] + eye[j]) + loss(flat - eye[i] - eye[j])) / (4 * h * h)
    top = np.linalg.eigvalsh(0.5 * (H + H.T))[-1]
    lam = net.sharpness(X, y, params)
    assert isinstance(lam, float)
    assert abs(lam - top) <= 1e-5 * abs(top)
    assert all(np.array_equal(a, b) for a, b in zip(params, before))
    # default params are the net's own; a diverged point is NaN, not an error
    assert net.sharpness(X, y) == pytest.approx(
        np.linalg.eigvalsh(_dense(net, X, y))[-1], rel=1e-5)
    assert np.isnan(net.sharpness(X, y, [p * np.nan for p in params]))
    with pytest.raises(ValueError, match="iters"):
        net.sharpness(X, y, iters=0)


def _dense(net, X, y, h=1e-5):
    """Hessian by central differences of backpropagated gradients, column by column."""
    flat = np.concatenate([p.ravel() for p in net.params])
    cuts = np.cumsum([p.size for p in net.params])[:-1]

    def grad(theta):
        parts = [a.reshape(p.shape) for a, p in zip(np.split(theta, cuts), net.params)]
        return np.concatenate([g.ravel() for g in net.loss_and_grads(X, y, parts)[1]])

    cols = [(grad(flat + h * e) - grad(flat - h * e)) / (2 * h) for e in np.eye(flat.size)]
    H = np.array(cols).T
    return 0.5 * (H + H.T)


def test_layer_stats_counts_only_the_layers_asked_for():
    rng = np.random.default_rng(5)
    X, y = rng.normal(size=(20, 6)), rng.normal(size=(20, 1))
    net = MLP([6, 6, 6, 6, 1], activation="relu", weight_scale=2.0, seed=4)
    acts, h = [], X
    for W, b in zip(net.params[0:6:2], net.params[1:6:2]):  # the three hidden layers by hand
        h = np.maximum(h @ W.T + b, 0.0)
        acts.append(h)
    every = np.concatenate([a.ravel() for a in acts])  # relu: the bins span every layer
    assert acts[2].max() > max(acts[0].max(), acts[1].max())  # the range comes from layer 3
    stats = net.layer_stats(X, y, bins=7, layers=[2, 1])
    np.testing.assert_allclose(stats.bin_edges, np.linspace(every.min(), every.max(), 8), rtol=1e-12)
    assert stats.counts.tolist() == [np.histogram(acts[k], bins=stats.bin_edges)[0].tolist() for k in (1, 0)]
    assert stats.mean.shape == (3,)  # the other statistics still cover every hidden layer
    for bad in ([0], [4], [1.5], [[1]]):
        with pytest.raises(ValueError, match="layers must be hidden layers 1 .. 3"):
            net.layer_stats(X, y, layers=bad)


def _sig(z):
    return 1 / (1 + np.exp(-z))


_HAND = {"sigmoid": (_sig, lambda z: _sig(z) * (1 - _sig(z))), "tanh": (np.tanh, lambda z: 1 - np.tanh(z) ** 2),
         "relu": (lambda z: np.maximum(z, 0), lambda z: (z > 0) * 1.0), "linear": (lambda z: z, np.ones_like)}


@pytest.mark.parametrize("activation", ["sigmoid", "tanh", "relu", "linear"])
@pytest.mark.parametrize("std_n", [1.0, 2.0, 0.5])  # n Var(w): Xavier, He, half of He's variance
def test_variance_factors_match_a_wide_monte_carlo(activation, std_n):
    from gradclip.nets import variance_factors

    n, depth, seeds = 400, 6, 12
    std = np.sqrt(std_n / n)
    predicted = variance_factors(activation, std, n, depth, input_var=1.0)
    f, fp = _HAND[activation]
    squares = []
    for seed in range(seeds):  # a hand-written forward pass, then a gradient independent of the weights
        rng = np.random.default_rng(seed)
        Ws = [rng.normal(scale=std, size=(n, n)) for _ in range(depth)]
        h, zs = rng.normal(size=(32, n)), []
        for W in Ws[:-1]:
            zs.append(h @ W.T)
            h = f(zs[-1])
        d, ratios = rng.normal(size=(32, n)), []
        for k in range(depth - 1, 0, -1):
            new = (d @ Ws[k]) * fp(zs[k - 1])
            ratios.append(np.sum(new**2) / np.sum(d**2))
            d = new
        squares.append(ratios[::-1])
    measured = np.sqrt(np.mean(squares, axis=0))  # root of the mean squared factor per layer
    np.testing.assert_allclose(measured, predicted, rtol=0.03)


def test_variance_factors_closed_forms_and_bad_inputs():
    from gradclip.nets import variance_factors

    np.testing.assert_allclose(variance_factors("relu", 0.5 * np.sqrt(2 / 32), 32, 5), 0.5)
    np.testing.assert_allclose(variance_factors("linear", 0.3, 10, 4), 0.3 * np.sqrt(10))
    # sigmoid: the first hidden layer's pre-activations have variance n Var(w) input_var
    first = variance_factors("sigmoid", 1 / np.sqrt(32), 32, 2, input_var=0.0)[0]
    assert first == pytest.approx(0.25)  # z = 0 exactly: the slope's largest value 1/4
    for bad in ({"std": 0.0}, {"width": 0}, {"depth": 1}, {"input_var": -1.0}):
        kwargs = dict({"activation": "tanh", "std": 0.1, "width": 8, "depth": 3}, **bad)
        with pytest.raises(ValueError, match=next(iter(bad))):
            variance_factors(**kwargs)


@pytest.mark.parametrize("activation", ["sigmoid", "tanh", "relu"])
@pytest.mark.parametrize("residual", [False, True])
def test_backprop_gains_split_each_factor_into_weights_and_slopes(activation, residual):
    net = MLP([6, 8, 8, 8, 2], activation=activation, weight_scale=1.3, seed=3, residual=residual)
    rng = np.random.default_rng(4)
    X, y = rng.normal(size=(9, 6)), rng.normal(size=(9, 2))
    weight, slope = net.backprop_gains(X, y)
    f, fp = _HAND[activation]
    Ws = net.params[0::2]
    h, zs = X, []  # a hand-written forward pass (biases are 0 at initialisation)
    for k, W in enumerate(Ws[:-1]):
        zs.append(h @ W.T)
        h = h + f(zs[-1]) if residual and 1 <= k <= len(Ws) - 2 else f(zs[-1])
    d = dh = (h @ Ws[-1].T - y) / len(X)  # delta of the output layer; dh: dL/d(its input)
    want_w, want_s = [], []
    for k in range(len(Ws) - 1, 0, -1):
        u = d @ Ws[k]
        want_w.append(np.linalg.norm(u) / np.linalg.norm(d))
        want_s.append(np.linalg.norm(u * fp(zs[k - 1])) / np.linalg.norm(u))
        dh = u + (dh if residual and 1 <= k <= len(Ws) - 2 else 0)  # the skip passes dh on unchanged
        d = dh * fp(zs[k - 1])
    np.testing.assert_allclose(weight, want_w[::-1], rtol=1e-12)
    np.testing.assert_allclose(slope, want_s[::-1], rtol=1e-12)
    if not residual:
        norms = net.backprop_norms(X, y)
        np.testing.assert_allclose(weight * slope, norms[:-1] / norms[1:], rtol=1e-12)


def _relu_he_norms(seed, X, y, depth, n):
    """||dL/dz|| of each layer of a ReLU net with He's weights, by a hand-written backward pass."""
    rng = np.random.default_rng(seed)  # MLP draws its weights in this order (biases are 0)
    Ws = [rng.normal(scale=np.sqrt(2 / n), size=(n, n)) for _ in range(depth)]
    h, zs = X, []
    for k, W in enumerate(Ws):
        zs.append(h @ W.T)
        h = np.maximum(zs[-1], 0) if k < depth - 1 else zs[-1]
    d = (h - y) / len(X)
    norms = [np.sqrt(np.sum(d**2))]
    for k in range(depth - 1, 0, -1):
        d = (d @ Ws[k]) * (zs[k - 1] > 0)
        norms.append(np.sqrt(np.sum(d**2)))
    return norms[::-1]


def test_mean_squared_factor_equals_a_hand_loop():
    import statistics

    from gradclip.nets import mean_squared_factor

    n, depth, draws = 8, 6, 30
    rng = np.random.default_rng(1)
    X, y = rng.normal(size=(16, n)), rng.normal(size=(16, n))
    hand = [_relu_he_norms(s, X, y, depth, n) for s in range(draws)]
    np.testing.assert_allclose(hand[3], MLP([n] * (depth + 1), "relu", init="he", seed=3).backprop_norms(X, y),
                               rtol=1e-12)
    for layers in ([1, 2], [5], None):
        per_draw = []
        for row in hand:
            ks = range(1, depth) if layers is None else layers
            per_draw.append(sum((row[k - 1] / row[k]) ** 2 for k in ks) / len(ks))
        mean, se = mean_squared_factor(hand, layers)
        assert mean == pytest.approx(statistics.fmean(per_draw), rel=1e-12)
        assert se == pytest.approx(statistics.stdev(per_draw) / draws**0.5, rel=1e-12)


def test_mean_squared_factor_is_n_var_w_only_when_the_error_does_not_depend_on_the_weights():
    from gradclip.nets import mean_squared_factor

    rng = np.random.default_rng(0)
    X, y = rng.normal(size=(64, 32)), rng.normal(size=(64, 32))
    for scale, inflated in ((1.0, True), (1e4, False)):  # x 1e4: the error h_L - y is nearly -y
        norms = [MLP([32] * 21, "linear", seed=s).backprop_norms(X, scale * y) for s in range(200)]
        mean, se = mean_squared_factor(norms, range(1, 11))  # n Var(w) = 1
        assert (mean - 1 > 5 * se) if inflated else abs(mean - 1) < 3 * se


def test_mean_squared_factor_bad_inputs():
    from gradclip.nets import mean_squared_factor

    good = np.ones((3, 4))
    for norms in (np.ones((1, 4)), np.ones((3, 1)), np.ones(4), [[1.0, 0.0], [1.0, 1.0]], [[1.0, np.nan], [1.0, 1.0]]):
        with pytest.raises(ValueError, match="norms"):
            mean_squared_factor(norms)
    for layers in ([0], [4], [], [1.5]):
        with pytest.raises(ValueError, match="layers"):
            mean_squared_factor(good, layers)


@pytest.mark.parametrize("activation, residual", [("tanh", True), ("relu", True), ("sigmoid", False)])
def test_batched_backprop_matches_finite_differences(activation, residual):
    rng = np.random.default_rng(5)
    nets = [MLP([3, 4, 4, 4, 2], activation=activation, residual=residual, seed=s) for s in range(3)]
    # three different points, non-zero biases too: one batch of three networks
    params = [np.stack(ps) + 0.1 * rng.normal(size=(3,) + ps[0].shape)
              for ps in zip(*(net.params for net in nets))]
    X, y = rng.normal(size=(6, 3)), rng.normal(size=(6, 2))
    keep = [p.copy() for p in params]
    loss, grads, deltas, acts = mlp_backward(params, X, y, activation, residual)
    assert loss.shape == (3,) and [g.shape for g in grads] == [p.shape for p in params]
    act = {"tanh": np.tanh, "sigmoid": lambda z: 1 / (1 + np.exp(-z)), "relu": lambda z: np.maximum(z, 0)}[activation]
    for i in range(3):  # each network's loss by a hand-written forward pass
        mine = [p[i] for p in params]
        out = _plain_residual_forward(mine, X, act) if residual else \
            act(act(act(X @ mine[0].T + mine[1]) @ mine[2].T + mine[3]) @ mine[4].T + mine[5]) @ mine[6].T + mine[7]
        assert loss[i] == pytest.approx(0.5 * np.sum((out - y) ** 2) / 6, rel=1e-12)
    # the networks are independent: the gradient of the summed loss is each one's own gradient
    fds = finite_difference_grads(lambda ps: float(np.sum(mlp_backward(ps, X, y, activation, residual)[0])), params)
    for k, (g, fd) in enumerate(zip(grads, fds)):
        np.testing.assert_allclose(g, fd, rtol=1e-5, atol=1e-8, err_msg=f"params[{k}]")
    assert len(deltas) == 4 and len(acts) == 3 and deltas[0].shape == (3, 6, 4)
    for p, q in zip(params, keep):
        np.testing.assert_array_equal(p, q)
