"""Tests of gradclip.selection against plain loops written out here."""

import numpy as np
import pytest

import gradclip as gc
from gradclip.selection import (
    choice_study,
    cross_validate,
    lr_range_test,
    net_lr_range_test,
    retrain,
    sine_data,
    threshold_from_norms,
    warmup_threshold,
)


def poly_data(seed=0, m=40, degree=3):
    rng = np.random.default_rng(seed)
    x = rng.uniform(-1, 1, m)
    X = np.vander(x, degree + 1, increasing=True)
    y = np.sin(2 * x) + rng.normal(scale=0.3, size=m)
    return X, y


def folds_of(m, k, seed):
    return np.array_split(np.random.default_rng(seed).permutation(m), k)


def val_loss(X, y, theta):
    return 0.5 * np.mean((X @ theta - y) ** 2)


# ---------------------------------------------------------------- cross_validate

def test_cross_validate_equals_a_loop_of_run_over_folds():
    X, y = poly_data()
    k, steps, seed = 4, 60, 3
    folds = folds_of(len(y), k, seed)
    edges = [gc.LinearRegression(np.delete(X, f, 0), np.delete(y, f)).max_stable_lr() for f in folds]
    lrs = np.array([0.05, 0.5, 0.95]) * min(edges)
    thresholds = np.array([0.05, 0.3, 5.0])
    for clip in ("norm", "value"):
        cv = cross_validate(X, y, lrs, thresholds, k=k, steps=steps, clip=clip, seed=seed)
        assert cv.val_folds.shape == (k, 3, 3) and cv.val_mean.shape == (3, 3)
        for f, val in enumerate(folds):
            train = np.setdiff1d(np.arange(len(y)), val)
            prob = gc.LinearRegression(X[train], y[train])
            for i, lr in enumerate(lrs):
                for j, c in enumerate(thresholds):
                    traj = gc.run(prob, np.zeros(4), lr, steps, clip=clip, threshold=c)
                    assert traj.diverged_at is None
                    np.testing.assert_allclose(cv.train_folds[f, i, j], traj.losses[-1], rtol=1e-9)
                    np.testing.assert_allclose(cv.val_folds[f, i, j],
                                               val_loss(X[val], y[val], traj.thetas[-1]), rtol=1e-9)


def test_cross_validate_without_clipping_and_divergence_matches_run():
    X, y = poly_data(seed=1)
    k, steps = 3, 80
    folds = folds_of(len(y), k, 0)
    lrs = np.array([0.1, 1.0, 3.0, 30.0])
    cv = cross_validate(X, y, lrs, k=k, steps=steps)
    assert cv.val_mean.shape == (4,) and cv.thresholds is None
    for f, val in enumerate(folds):
        prob = gc.LinearRegression(np.delete(X, val, 0), np.delete(y, val))
        for i, lr in enumerate(lrs):
            traj = gc.run(prob, np.zeros(4), lr, steps)
            assert bool(np.isinf(cv.train_folds[f, i])) == traj.diverged
            if traj.diverged:
                assert np.isinf(cv.val_folds[f, i])
            else:
                np.testing.assert_allclose(cv.train_folds[f, i], traj.losses[-1], rtol=1e-9)
    assert cv.diverged.tolist() == [0, 0, 3, 3]
    assert np.isinf(cv.val_std[2:]).all() and np.isinf(cv.val_mean[2:]).all()


def test_cross_validate_one_config_against_a_hand_loop():
    X, y = poly_data(seed=2, m=30)
    lr, c, steps, k, seed = 0.4, 0.2, 50, 5, 7
    theta0 = np.array([0.5, -0.5, 0.0, 1.0])
    cv = cross_validate(X, y, [lr], [c], k=k, steps=steps, clip="norm", seed=seed, theta0=theta0)
    perm = np.random.default_rng(seed).permutation(30)
    vals, trains = [], []
    for f in range(k):
        val = perm[f * 6:(f + 1) * 6]                       # 30 rows, 5 folds of 6
        train = np.array([i for i in range(30) if i not in val])
        Xt, yt = X[train], y[train]
        theta = theta0.copy()
        for _ in range(steps):
            g = Xt.T @ (Xt @ theta - yt) / len(yt)
            n = np.sqrt(g @ g)
            if n > c:
                g = g * (c / n)
            theta = theta - lr * g
        trains.append(0.5 * np.mean((Xt @ theta - yt) ** 2))
        vals.append(0.5 * np.mean((X[val] @ theta - y[val]) ** 2))
    np.testing.assert_allclose(cv.train_folds[:, 0, 0], trains, rtol=1e-9)
    np.testing.assert_allclose(cv.val_folds[:, 0, 0], vals, rtol=1e-9)
    np.testing.assert_allclose(cv.val_mean[0, 0], np.mean(vals), rtol=1e-9)
    m = np.mean(vals)
    np.testing.assert_allclose(cv.val_std[0, 0], np.sqrt(sum((a - m) ** 2 for a in vals) / k), rtol=1e-9)
    np.testing.assert_allclose(cv.train_mean[0, 0], np.mean(trains), rtol=1e-9)


def test_cross_validate_best_is_the_argmin_of_each_table():
    X, y = poly_data(seed=4)
    lrs, thr = np.geomspace(0.05, 1.0, 5), np.geomspace(0.01, 10, 6)
    cv = cross_validate(X, y, lrs, thr, k=5, steps=30)
    i, j = np.unravel_index(np.argmin(cv.val_mean), cv.val_mean.shape)
    assert cv.best == (lrs[i], thr[j])
    i, j = np.unravel_index(np.argmin(cv.train_mean), cv.train_mean.shape)
    assert cv.best_train == (lrs[i], thr[j])


def test_cross_validate_is_seeded_and_does_not_mutate():
    X, y = poly_data(seed=5)
    X0, y0 = X.copy(), y.copy()
    a = cross_validate(X, y, [0.3], [1.0], seed=1)
    b = cross_validate(X, y, [0.3], [1.0], seed=1)
    c = cross_validate(X, y, [0.3], [1.0], seed=2)
    assert np.array_equal(a.val_folds, b.val_folds)
    assert not np.array_equal(a.val_folds, c.val_folds)
    assert np.array_equal(X, X0) and np.array_equal(y, y0)


def test_cross_validate_all_diverged_has_no_best():
    X, y = poly_data()
    cv = cross_validate(X, y, [100.0], k=2, steps=50)
    assert cv.best is None and cv.best_train is None and cv.diverged.tolist() == [2]


@pytest.mark.parametrize("k", [1, 0, 41, 2.5, True, "3"])
def test_cross_validate_rejects_bad_k(k):
    X, y = poly_data(m=40)
    with pytest.raises(ValueError, match="k"):
        cross_validate(X, y, [0.1], k=k)


@pytest.mark.parametrize("kwargs, name", [
    (dict(X=np.ones(5)), "X"),
    (dict(y=np.ones(7)), "y"),
    (dict(lrs=[0.1, -1.0]), "lrs"),
    (dict(lrs=[]), "lrs"),
    (dict(thresholds=[0.0]), "thresholds"),
    (dict(thresholds=[1.0], clip="box"), "clip"),
    (dict(theta0=[0.0, 0.0]), "theta0"),
    (dict(steps=-1), "steps"),
    (dict(seed=-2), "seed"),
])
def test_cross_validate_rejects_bad_inputs(kwargs, name):
    X, y = poly_data()
    args = dict(X=X, y=y, lrs=[0.1])
    args.update(kwargs)
    with pytest.raises(ValueError, match=name):
        cross_validate(**args)


def test_cross_validate_rejects_non_finite_data():
    X, y = poly_data()
    y[3] = np.nan
    with pytest.raises(ValueError, match="finite"):
        cross_validate(X, y, [0.1])


# ---------------------------------------------------------------- held-out check of a choice

def hand_descent(X, y, lr, c, steps, theta0=None):
    """Clipped gradient descent on mean((X theta - y)^2) / 2, written out."""
    theta, clipped = (np.zeros(X.shape[1]) if theta0 is None else np.array(theta0, float)), 0
    for _ in range(steps):
        g = X.T @ (X @ theta - y) / len(y)
        n = np.sqrt(g @ g)
        if c is not None and n > c:
            g, clipped = g * (c / n), clipped + 1
        theta = theta - lr * g
    return theta, clipped / steps


def test_sine_data_draws_training_then_test_from_one_generator():
    rng = np.random.default_rng(7)
    x = rng.uniform(-1, 1, 12)
    y = np.sin(3 * x) + rng.normal(0, 0.2, 12)
    xt = rng.uniform(-1, 1, 5)
    yt = np.sin(3 * xt) + rng.normal(0, 0.2, 5)
    X, Y, Xt, Yt = sine_data(7, m=12, m_test=5, degree=3, noise=0.2)
    assert np.array_equal(X[:, 1], x) and np.array_equal(Y, y)
    np.testing.assert_allclose(X, np.stack([x ** 0, x, x ** 2, x ** 3], axis=1), rtol=1e-14)
    assert np.array_equal(Xt[:, 1], xt) and np.array_equal(Yt, yt)
    X2, Y2, Xt2, _ = sine_data(7, m=12, m_test=0, degree=3, noise=0.2)   # the test set never moves the training set
    assert np.array_equal(X2, X) and np.array_equal(Y2, Y) and Xt2.shape == (0, 4)


@pytest.mark.parametrize("kwargs, name", [
    (dict(seed=-1), "seed"), (dict(m=1), "m"), (dict(m_test=-3), "m_test"),
    (dict(degree=1.5), "degree"), (dict(noise=-0.1), "noise"), (dict(noise=np.inf), "noise"),
])
def test_sine_data_rejects_bad_inputs(kwargs, name):
    args = dict(seed=0)
    args.update(kwargs)
    with pytest.raises(ValueError, match=name):
        sine_data(**args)


def test_retrain_matches_a_hand_loop_and_scores_on_the_test_set():
    X, y, Xt, yt = sine_data(3, m=30, m_test=400, degree=4)
    edge = gc.LinearRegression(X, y).max_stable_lr()
    for lr, c in [(0.5 * edge, None), (0.9 * edge, 0.05), (0.3 * edge, 10.0)]:
        res = retrain(X, y, Xt, yt, lr, c, steps=80)
        theta, clipped = hand_descent(X, y, lr, c, 80)
        np.testing.assert_allclose(res.theta, theta, rtol=1e-9, atol=1e-12)
        np.testing.assert_allclose(res.test_loss, val_loss(Xt, yt, theta), rtol=1e-9)
        np.testing.assert_allclose(res.train_loss, val_loss(X, y, theta), rtol=1e-9)
        assert res.clipped_fraction == clipped


def test_retrain_fully_clipped_runs_depend_on_lr_times_threshold_only():
    X, y, Xt, yt = sine_data(0, m_test=100)
    for lr, c in [(10.0, 0.01), (20.0, 0.001)]:
        a = retrain(X, y, Xt, yt, lr, c, steps=100)
        b = retrain(X, y, Xt, yt, lr / 2, 2 * c, steps=100)
        assert a.clipped_fraction == b.clipped_fraction == 1.0
        assert np.array_equal(a.theta, b.theta) and a.test_loss == b.test_loss
    a, b = retrain(X, y, Xt, yt, 6.0, 0.004), retrain(X, y, Xt, yt, 3.0, 0.008)   # b skips clipping once
    assert a.clipped_fraction == 1.0 > b.clipped_fraction and not np.array_equal(a.theta, b.theta)


def test_retrain_reports_divergence_as_inf_and_keeps_inputs():
    X, y, Xt, yt = sine_data(1, m_test=50)
    X0, Xt0 = X.copy(), Xt.copy()
    res = retrain(X, y, Xt, yt, 100 * gc.LinearRegression(X, y).max_stable_lr(), None, steps=200)
    assert res.test_loss == np.inf and res.train_loss == np.inf
    assert np.array_equal(X, X0) and np.array_equal(Xt, Xt0)


@pytest.mark.parametrize("kwargs, name", [
    (dict(X_test=np.ones((5, 3))), "X_test"), (dict(y_test=np.ones(4)), "X_test"),
    (dict(X_test=np.ones((0, 10)), y_test=np.ones(0)), "X_test"), (dict(y=np.ones(3)), "X"),
    (dict(lr=0.0), "lr"), (dict(threshold=-1.0), "threshold"),
])
def test_retrain_rejects_bad_inputs(kwargs, name):
    X, y, Xt, yt = sine_data(0, m_test=5)
    args = dict(X=X, y=y, X_test=Xt, y_test=yt, lr=1.0, threshold=0.1)
    args.update(kwargs)
    with pytest.raises(ValueError, match=name):
        retrain(**args)


def test_choice_study_equals_cross_validation_and_hand_retraining():
    lrs, thr = np.geomspace(0.1, 30, 6), np.geomspace(1e-3, 1, 5)
    st = choice_study([2, 5], lrs, thr, steps=20, m_test=300)
    for n, s in enumerate([2, 5]):
        X, y, Xt, yt = sine_data(s, m_test=300)
        cv = cross_validate(X, y, lrs, thr, k=5, steps=20, seed=s)
        for got, pair in ((st.by_val[n], cv.best), (st.by_train[n], cv.best_train)):
            theta, clipped = hand_descent(X, y, *pair, 20)
            assert (got.lr, got.threshold) == pair and got.clipped_fraction == clipped
            np.testing.assert_allclose(got.test_loss, val_loss(Xt, yt, theta), rtol=1e-8)
        assert st.cv_val[n] == cv.val_mean.min()
        assert st.differ[n] == (cv.best != cv.best_train)
    assert np.array_equal(st.val_test, [r.test_loss for r in st.by_val])


def test_choice_study_moves_the_cross_validation_start_and_the_retraining_start_apart():
    lrs, thr, steps, m = np.array([0.5, 3.0, 20.0]), np.array([0.01, 0.3]), 15, 20
    cv0, re0 = np.linspace(-0.4, 0.4, 4), np.array([0.2, 0.0, -0.1, 0.3])
    st = choice_study([3], lrs, thr, steps=steps, m=m, m_test=200, degree=3, theta0=re0, cv_theta0=cv0)
    X, y, Xt, yt = sine_data(3, m=m, m_test=200, degree=3)
    folds = folds_of(m, 5, 3)
    val, tr = np.zeros((3, 2)), np.zeros((3, 2))
    for i, lr in enumerate(lrs):
        for j, c in enumerate(thr):
            for f in folds:
                keep = np.setdiff1d(np.arange(m), f)
                theta, _ = hand_descent(X[keep], y[keep], lr, c, steps, cv0)
                val[i, j] += val_loss(X[f], y[f], theta) / 5
                tr[i, j] += val_loss(X[keep], y[keep], theta) / 5
    for got, table in ((st.by_val[0], val), (st.by_train[0], tr)):
        i, j = np.unravel_index(np.argmin(table), table.shape)
        assert (got.lr, got.threshold) == (lrs[i], thr[j])
        theta, _ = hand_descent(X, y, lrs[i], thr[j], steps, re0)
        np.testing.assert_allclose(got.test_loss, val_loss(Xt, yt, theta), rtol=1e-9)
    np.testing.assert_allclose(st.cv_val[0], val.min(), rtol=1e-9)
    zero = choice_study([3], lrs, thr, steps=steps, m=m, m_test=200, degree=3)   # the start moves the choice
    assert (zero.by_val[0].lr, zero.by_val[0].threshold) != (st.by_val[0].lr, st.by_val[0].threshold)


@pytest.mark.parametrize("kwargs, name", [
    (dict(thresholds=None), "thresholds"), (dict(seeds=[]), "seeds"), (dict(seeds=[-1]), "seeds"),
    (dict(cv_theta0=[0.0, 1.0]), "theta0"),
])
def test_choice_study_rejects_bad_inputs(kwargs, name):
    args = dict(seeds=[0], lrs=[1.0], thresholds=[0.1], steps=5, m_test=10)
    args.update(kwargs)
    with pytest.raises(ValueError, match=name):
        choice_study(**args)


# ---------------------------------------------------------------- lr range test

def test_lr_range_test_matches_the_closed_form_on_a_1d_quadratic():
    lam = 2.0
    q = gc.Quadratic([[lam]])
    res = lr_range_test(q, [1.0], lr_min=1e-3, lr_max=10.0, steps=80, stop_factor=4.0)
    lrs = 1e-3 * (10.0 / 1e-3) ** (np.arange(80) / 79)
    np.testing.assert_allclose(res.lrs, lrs, rtol=1e-12)
    theta, best, expected, stop, path = 1.0, 0.5 * lam, [], None, [1.0]
    for i, lr in enumerate(lrs):
        theta = (1 - lr * lam) * theta
        path.append(theta)
        loss = 0.5 * lam * theta**2
        expected.append(loss)
        if loss > 4 * best:
            stop = i
            break
        best = min(best, loss)
    assert res.stopped_at == stop and res.blow_up_lr == pytest.approx(lrs[stop], rel=1e-12)
    np.testing.assert_allclose(res.losses[:stop + 1], expected, rtol=1e-10)
    assert np.isnan(res.losses[stop + 1:]).all()
    assert res.thetas.shape == (81, 1) and np.isnan(res.thetas[stop + 2:]).all()
    np.testing.assert_allclose(res.thetas[:stop + 2, 0], path, rtol=1e-10)
    drops = np.diff(np.concatenate([[0.5 * lam], expected[:-1]]))
    assert res.steepest_lr == pytest.approx(lrs[np.argmin(drops)], rel=1e-12)


def test_lr_range_test_blows_up_only_above_the_edge():
    prob, theta0 = gc.demo_regression()
    edge = prob.max_stable_lr()
    below = lr_range_test(prob, theta0, lr_max=0.99 * edge, steps=200)
    assert below.blow_up_lr is None and below.stopped_at is None
    assert np.all(np.diff(below.losses) <= 1e-12)         # monotone below the edge
    for steps in (50, 100, 400):
        assert lr_range_test(prob, theta0, steps=steps).blow_up_lr > edge


def test_net_lr_range_test_matches_a_hand_loop_and_keeps_the_net():
    rng = np.random.default_rng(0)
    X = rng.normal(size=(16, 2))
    y = np.tanh(X[:, :1])
    net = gc.MLP([2, 5, 1], seed=1)
    before = [p.copy() for p in net.params]
    res = net_lr_range_test(net, X, y, lr_min=1e-3, lr_max=100.0, steps=50)
    assert all(np.array_equal(a, b) for a, b in zip(before, net.params))
    params = [p.copy() for p in before]
    loss, grads = net.loss_and_grads(X, y, params)
    best, stop = loss, None
    for i, lr in enumerate(np.geomspace(1e-3, 100.0, 50)):
        params = [p - lr * g for p, g in zip(params, grads)]
        with np.errstate(all="ignore"):
            loss, grads = net.loss_and_grads(X, y, params)
        assert res.losses[i] == pytest.approx(loss, rel=1e-10, nan_ok=True)
        if not np.isfinite(loss) or loss > 4 * best:
            stop = i
            break
        best = min(best, loss)
    assert stop is not None and res.stopped_at == stop


@pytest.mark.parametrize("kwargs, name", [
    (dict(lr_min=1.0, lr_max=0.5), "lr_max"),
    (dict(lr_min=0.0), "lr_min"),
    (dict(steps=1), "steps"),
    (dict(stop_factor=1.0), "stop_factor"),
    (dict(stop_factor=np.inf), "stop_factor"),
])
def test_lr_range_test_rejects_bad_inputs(kwargs, name):
    prob, theta0 = gc.demo_regression()
    with pytest.raises(ValueError, match=name):
        lr_range_test(prob, theta0, **kwargs)


def test_net_lr_range_test_rejects_a_non_net():
    with pytest.raises(ValueError, match="net"):
        net_lr_range_test(object(), np.ones((2, 2)), np.ones((2, 1)))


# ---------------------------------------------------------------- thresholds

def test_threshold_from_norms_hand_numbers():
    norms = [4.0, 1.0, 2.0, 3.0, 100.0]
    assert threshold_from_norms(norms) == 3.0
    assert threshold_from_norms(norms, "mean") == 22.0
    assert threshold_from_norms(norms, "mean", factor=0.5) == 11.0
    assert threshold_from_norms(norms, "percentile", q=25) == 2.0
    assert threshold_from_norms(norms, "percentile", q=100) == 100.0
    assert threshold_from_norms(norms, "percentile", q=87.5) == pytest.approx(52.0)  # 4 + 0.5 * 96


@pytest.mark.parametrize("kwargs, name", [
    (dict(grad_norms=[]), "grad_norms"),
    (dict(grad_norms=[1.0, np.nan]), "grad_norms"),
    (dict(grad_norms=[1.0, -1.0]), "grad_norms"),
    (dict(grad_norms=[[1.0]]), "grad_norms"),
    (dict(grad_norms=[0.0, 0.0]), "grad_norms"),
    (dict(method="max"), "method"),
    (dict(method="percentile", q=101), "q"),
    (dict(method="percentile", q=[10, 20]), "q"),
    (dict(factor=0.0), "factor"),
])
def test_threshold_from_norms_rejects_bad_inputs(kwargs, name):
    args = dict(grad_norms=[1.0, 2.0])
    args.update(kwargs)
    with pytest.raises(ValueError, match=name):
        threshold_from_norms(**args)


def test_warmup_threshold_uses_the_warmup_norms():
    prob, theta0 = gc.demo_regression()
    w = warmup_threshold(prob, theta0, lr=0.2, steps=20, method="percentile", q=90, factor=2.0)
    traj = gc.run(prob, theta0, 0.2, 20)
    assert w.diverged_at is None and w.note == "the warm-up stayed finite"
    np.testing.assert_array_equal(w.grad_norms, traj.grad_norms)
    assert w.threshold == pytest.approx(2.0 * np.percentile(traj.grad_norms, 90), rel=1e-12)


def test_warmup_threshold_after_divergence_uses_only_the_norms_before_it():
    prob, theta0 = gc.demo_regression()
    w = warmup_threshold(prob, theta0, lr=2.0, steps=40)
    traj = gc.run(prob, theta0, 2.0, 40)
    d = traj.diverged_at
    assert d is not None and w.diverged_at == d and f"diverged at step {d}" in w.note
    assert len(w.grad_norms) == d and np.all(np.isfinite(w.grad_norms))
    assert w.threshold == pytest.approx(np.median(traj.grad_norms[:d]), rel=1e-12)


def test_warmup_threshold_rejects_zero_steps():
    prob, theta0 = gc.demo_regression()
    with pytest.raises(ValueError, match="steps"):
        warmup_threshold(prob, theta0, lr=0.1, steps=0)
