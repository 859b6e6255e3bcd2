"""The training explorer: its runs are gradclip.train's, its status says what they did, the
kernel-backed request adds runs to the table, every slider at both ends, and bad input."""

import numpy as np
import pytest

import gradclip as gc
from gradclip.widgets import encoding, trainview as tv

STEPS = 20


def _reference(lr, threshold, T, seed=0):
    """The two runs, trained here without the explorer."""
    X, y = gc.adding_problem(1000, T, seed=seed)
    Xt, yt = gc.adding_problem(1000, T, seed=seed + 1)
    net = gc.RNN(2, 32, 1, spectral_radius=1.2, seed=seed)
    free = gc.train(net, X, y, lr=lr, steps=STEPS, batch_size=64, seed=seed)
    clipped = gc.train(net, X, y, lr=lr, steps=STEPS, clip="global_norm", threshold=threshold,
                       batch_size=64, seed=seed)
    test = [np.nan if r.diverged_at is not None else net.loss_and_grads(Xt, yt, r.params)[0]
            for r in (free, clipped)]
    return free, clipped, test


@pytest.fixture(scope="module")
def explorer():
    return tv.training_explorer(lr=0.3, threshold=1.0, T=10, steps=STEPS)


def test_adding_runs_are_gradclip_train():
    free, clipped, test = _reference(0.3, 1.0, 10)
    runs = tv.adding_runs(0.3, 1.0, 10, steps=STEPS)
    np.testing.assert_array_equal(runs["none"][0].losses, free.losses)
    np.testing.assert_array_equal(runs["global_norm"][0].grad_norms, clipped.grad_norms)
    assert runs["global_norm"][1] == pytest.approx(test[1], rel=1e-12)


def test_status_reports_test_loss_share_clipped_and_the_unclipped_run(explorer):
    free, clipped, test = _reference(0.3, 1.0, 10)
    text = explorer.status_text
    assert text.startswith("lr 0.3 · T 10 · threshold 1: clipped:")
    assert f"test loss {test[1]:.3g}" in text
    assert f"{100 * clipped.clipped.mean():.0f} % of steps clipped" in text
    tail = f"overflow at step {free.diverged_at}" if free.diverged_at is not None else f"unclipped: test loss {test[0]:.3g}"
    assert text.endswith(tail)
    drawn = [d for d in explorer.drawn() if d["type"] == "line" and len(d["y"]) == STEPS + 1]
    np.testing.assert_allclose(drawn[1]["y"], clipped.losses, rtol=0.006)


def test_request_trains_a_new_cell_and_keeps_the_old_ones(explorer):
    patch = explorer.request("train", lr=1.0, threshold=0.1, T=50)
    free, clipped, test = _reference(1.0, 0.1, 50)
    done = encoding.decode_array(patch["arrays"]["done"])
    assert done.sum() == 2 and done[3, 0, 4] == 1 and done[2, 2, 0] == 1
    assert f"test loss {test[1]:.3g}" in explorer.status_text or "diverged" in explorer.status_text
    k = encoding.decode_array(patch["arrays"]["k_none"])[3, :, 4]
    assert np.all(k == (-1 if free.diverged_at is None else free.diverged_at))  # every threshold
    explorer.update(lr=0.3, threshold=1.0, T=10)
    assert explorer.status_text.startswith("lr 0.3 · T 10 · threshold 1: clipped:")
    assert "not trained yet" in explorer.update(T=20).status_text
    texts = [d["text"] for d in explorer.drawn() if d["type"] == "text"]
    assert texts == ["lr 0.3, T = 20, threshold 1: not trained yet"]  # on the canvas too
    explorer.update(T=10)


def test_every_slider_at_both_ends(explorer):
    for name, values in (("lr", tv.LR_VALUES), ("threshold", tv.THRESHOLD_VALUES), ("T", tv.T_VALUES)):
        for x in (values[0], values[-1]):
            text = explorer.update(**{name: x}).status_text
            assert text.startswith("lr ") and ("not trained yet" in text or "clipped:" in text)
        explorer.update(lr=0.3, threshold=1.0, T=10)


def test_preset_trains_its_setting():
    ex = tv.training_explorer(T=10, steps=STEPS, preset="lr=0.1;threshold=3;T=20")
    assert ex.values == {"lr": 0.1, "threshold": 3.0, "T": 20.0}
    assert ex.status_text.startswith("lr 0.1 · T 20 · threshold 3: clipped:")


@pytest.mark.parametrize("kwargs, match", [
    (dict(steps=10), "steps must be an integer in"),
    (dict(seed=-1), "seed must be a non-negative integer"),
    (dict(lr=5.0), "outside the slider range"),
    (dict(T=100), "outside the slider range"),
])
def test_invalid_arguments_name_the_value(kwargs, match):
    with pytest.raises(ValueError, match=match):
        tv.training_explorer(**kwargs)


def test_rnn_loss_is_the_mean_squared_error_of_a_plain_forward_loop():
    from gradclip.data import adding_problem
    from gradclip.rnn import RNN

    X, y = adding_problem(7, 6, seed=3)
    net = RNN(2, 5, 1, spectral_radius=1.2, seed=1)
    W_xh, W_hh, b_h, W_hy, b_y = net.params
    total = 0.0
    for i in range(len(X)):
        h = np.zeros(5)
        for t in range(X.shape[1]):
            h = np.tanh(W_xh @ X[i, t] + W_hh @ h + b_h)
        total += float(np.sum((W_hy @ h + b_y - y[i]) ** 2))
    assert net.loss(X, y) == pytest.approx(0.5 * total / len(X), rel=1e-12)
    assert net.loss(X, y) == net.loss_and_grads(X, y)[0]


def test_stored_runs_are_the_default_cell_trained_again_bit_for_bit(tmp_path):
    """The file the explorer reads for its default cell cannot go stale: trained again here,
    every number equals the stored one (rewrite it with ``trainview.write_stored_runs()``)."""
    stored = tv.read_stored_runs()
    lr, threshold, T, steps, seed = tv.STORED_CELL
    fresh = tv._train_runs(lr, threshold, T, steps, seed)
    for name in ("none", "global_norm"):
        (a, test_a), (b, test_b) = stored[name], fresh[name]
        for field in ("losses", "grad_norms", "clipped"):
            same = np.array_equal(getattr(a, field), getattr(b, field), equal_nan=field != "clipped")
            assert same, (name, field)
            assert getattr(a, field).dtype == getattr(b, field).dtype
        assert all(np.array_equal(p, q) for p, q in zip(a.params, b.params)) and len(a.params) == 5
        assert a.diverged_at == b.diverged_at
        assert np.array_equal(test_a, test_b, equal_nan=True)
    assert fresh["none"][0].diverged_at is not None and fresh["global_norm"][0].diverged_at is None
    path = tv.write_stored_runs(tmp_path / "runs.npz")  # written as read
    again = tv.read_stored_runs(path)
    assert np.array_equal(again["global_norm"][0].losses, stored["global_norm"][0].losses)


def test_default_cell_is_read_from_the_stored_runs(monkeypatch):
    with monkeypatch.context() as m:  # stored for another batch size: not read
        m.setattr(tv, "BATCH", 32)
        assert tv.read_stored_runs() is None
    tv._RUNS.clear()
    lr, threshold, T, steps, seed = tv.STORED_CELL
    runs = tv.adding_runs(lr, threshold, T, steps, seed)
    stored = tv.read_stored_runs()
    assert np.array_equal(runs["global_norm"][0].losses, stored["global_norm"][0].losses)
    assert runs["none"][0].diverged_at == stored["none"][0].diverged_at
