"""The Adam explorer against gradclip.optim.adam and a plain Adam loop written out here."""

import re

import numpy as np
import pytest

import gradclip
from gradclip import widgets
from gradclip.widgets.adamview import EPS_OPTIONS, GAP_FLOOR, adam_runs

STEPS = 40
START = (-4.0, 3.0)


@pytest.fixture(scope="module")
def ex():
    gradclip.setup(seed=0)
    return widgets.adam_explorer(steps=STEPS)


def _quad():
    return gradclip.Quadratic.with_condition(10.0)


def _hand_adam(lr, eps, steps=STEPS, scale=1.0, c=None, b1=0.9, b2=0.999):
    """Adam written plainly, one coordinate at a time; returns the path and the clipped steps
    (``_hand_adam.factors``: the factor of each step)."""
    q = _quad()
    th = list(START)
    m, v = [0.0, 0.0], [0.0, 0.0]
    path, clipped, _hand_adam.factors = [tuple(th)], 0, []
    for k in range(1, steps + 1):
        g = [scale * x for x in q.grad(np.array(th))]
        n = (g[0] ** 2 + g[1] ** 2) ** 0.5
        _hand_adam.factors.append(1.0)
        if c is not None and n > c:
            g = [x * c / n for x in g]
            clipped += 1
            _hand_adam.factors[-1] = c / n
        for i in range(2):
            m[i] = b1 * m[i] + (1 - b1) * g[i]
            v[i] = b2 * v[i] + (1 - b2) * g[i] ** 2
            th[i] -= lr * (m[i] / (1 - b1 ** k)) / ((v[i] / (1 - b2 ** k)) ** 0.5 + eps)
        path.append(tuple(th))
    return np.array(path), clipped


def _numbers(text):
    return [float(x) for x in re.findall(r"-?\d+(?:\.\d+)?(?:e[+-]?\d+)?", text)]


# ---------------------------------------------------------------- the batched loop

@pytest.mark.parametrize("eps, scale, c", [(0.0, 1.0, None), (1e-8, 0.01, None), (1e-3, 1000.0, None),
                                           (0.0, 1.0, 1.0), (1e-8, 1.0, 0.05), (1e-3, 0.01, 0.003)])
def test_adam_runs_equal_gradclip_adam_and_a_hand_loop(eps, scale, c):
    q, lrs = _quad(), np.array([0.01, 0.1, 0.7])
    thetas, factors, dat = adam_runs(q, START, lrs, 60, eps, scale, c)
    assert (dat == -1).all()
    for i, lr in enumerate(lrs):
        ref = gradclip.adam(q, START, lr, 60, eps=eps, grad_scale=scale,
                            clip=None if c is None else "norm", threshold=c)
        np.testing.assert_allclose(thetas[i], ref.thetas, rtol=0, atol=1e-13)
        want = np.where(ref.clipped, (c or 1.0) / ref.grad_norms, 1.0)
        np.testing.assert_allclose(factors[i], want, rtol=1e-13)
        hand, n_clipped = _hand_adam(lr, eps, 60, scale, c)
        np.testing.assert_allclose(thetas[i], hand, rtol=0, atol=1e-12)
        assert n_clipped == int(ref.clipped.sum()) == int(np.sum(factors[i] < 1))


def test_adam_runs_report_divergence_like_gradclip_adam():
    q = _quad()
    thetas, _, dat = adam_runs(q, START, [1e7, 0.1], 30)
    ref = gradclip.adam(q, START, 1e7, 30)
    assert ref.diverged_at is not None and dat.tolist() == [ref.diverged_at, -1]
    assert np.isnan(thetas[0, ref.diverged_at + 1:]).all()
    assert np.isfinite(thetas[1]).all()


def test_a_constant_factor_leaves_adam_unchanged_only_up_to_eps():
    q, lrs = _quad(), np.logspace(-2, 0, 5)
    base = adam_runs(q, START, lrs, 100, 0.0)[0]
    for s in (1e-6, 0.01, 1000.0):
        scaled = adam_runs(q, START, lrs, 100, 0.0, s)[0]
        assert np.max(np.abs(scaled - base)) < 1e-14
    # with eps > 0, gradients times s are plain Adam with eps / s
    a = adam_runs(q, START, lrs, 100, 1e-3, 0.01)[0]
    b = adam_runs(q, START, lrs, 100, 1e-1, 1.0)[0]
    np.testing.assert_allclose(a, b, rtol=0, atol=1e-12)
    assert np.max(np.abs(a - adam_runs(q, START, lrs, 100, 1e-3)[0])) > 0.1


@pytest.mark.parametrize("kw, match", [
    (dict(theta0=[1.0]), "theta0"), (dict(theta0=[np.nan, 1.0]), "theta0"),
    (dict(lrs=[0.1, -1.0]), "lrs"), (dict(lrs=[np.inf]), "lrs"), (dict(eps=-1e-8), "eps"),
    (dict(scale=0.0), "scale"), (dict(threshold=0.0), "threshold"), (dict(threshold=np.nan), "threshold"),
    (dict(steps=-1), "steps"), (dict(steps=2.5), "steps"), (dict(betas=(1.0, 0.999)), "betas"),
    (dict(betas=0.9), "betas"), (dict(betas=(0.9, 0.99, 0.9)), "betas"),
    (dict(lrs=[0.1, 0.2], eps=[0.0, 0.0, 0.0]), "eps")])
def test_adam_runs_reject_invalid_input(kw, match):
    args = dict(theta0=START, lrs=[0.1], steps=5)
    args.update(kw)
    with pytest.raises(ValueError, match=match):
        adam_runs(_quad(), **args)


def test_adam_runs_do_not_mutate_their_arguments():
    theta0, lrs = np.array(START), np.array([0.1, 0.2])
    adam_runs(_quad(), theta0, lrs, 10, threshold=np.array([1.0, 2.0]))
    assert theta0.tolist() == list(START) and lrs.tolist() == [0.1, 0.2]


def test_no_run_on_the_explorer_grids_diverges(ex):
    L = np.asarray(ex.controls["lr"].values)
    T = np.asarray(ex.controls["threshold"].values)
    for eps in EPS_OPTIONS.values():
        _, _, d = adam_runs(_quad(), START, np.repeat(L, len(T)), 300, eps, 1.0, np.tile(T, len(L)))
        assert (d == -1).all()


# ---------------------------------------------------------------- the explorer

def test_status_numbers_match_the_hand_loop(ex):
    for eps in EPS_OPTIONS:
        for lr in (0.01, 0.1, 1.0):
            for c in (0.01, 0.1, 1.0):
                ex.update(eps=eps, lr=lr, threshold=c)
                e = EPS_OPTIONS[eps]
                a, _ = _hand_adam(lr, e)
                b, _ = _hand_adam(lr, e, scale=0.01)
                cc, n = _hand_adam(lr, e, c=c)
                gap_b = np.max(np.linalg.norm(b - a, axis=1))
                gap_c = np.max(np.linalg.norm(cc - a, axis=1))
                text = ex.status_text
                assert text.startswith(f"ε = {eps}, lr {lr:.2g} · (b) × 0.01: ")
                if gap_b < 1e-12:
                    assert "same path (gap < 1e-12)" in text, text
                else:
                    got = float(re.search(r"\(b\) × 0.01: gap ([\d.e+-]+)", text).group(1))
                    assert got == pytest.approx(gap_b, rel=0.06), text  # two digits
                if n == 0:
                    assert "never clips" in text
                else:
                    assert f"clips {n}/{STEPS} steps" in text
                    got = float(re.search(r"steps: gap ([\d.e+-]+)", text).group(1))
                    assert got == pytest.approx(gap_c, rel=0.06), text


def test_eps_zero_is_identical_for_every_rate_and_eps_shows_at_1e_3(ex):
    for lr in ex.controls["lr"].values:
        ex.update(eps="0", lr=float(lr))
        assert "(b) × 0.01: same path" in ex.status_text
        ex.update(eps="1e-3")
        assert _numbers(ex.status_text.split("(b) × 0.01: gap ")[1])[0] > 1e-3
    ex.apply_preset("eps=0;lr=0.1;threshold=1")


def test_drawn_paths_and_factors_match_the_hand_loop(ex):
    ex.apply_preset("eps=1e-8;lr=0.1;threshold=0.25")
    a, _ = _hand_adam(0.1, 1e-8)
    b, _ = _hand_adam(0.1, 1e-8, scale=0.01)
    c, n = _hand_adam(0.1, 1e-8, c=ex.values["threshold"])  # the last: _hand_adam.factors
    lines = ex.drawn()
    left = [d for d in lines if d["axes"] == 0 and d["type"] == "line"]
    assert len(left) == 3
    colors = {d["color"]: d for d in left}
    from gradclip.widgets.adamview import COLORS
    for path, key in ((a, "a"), (b, "b"), (c, "c")):
        d = colors[COLORS[key]]
        np.testing.assert_allclose(d["x"], path[:, 0], atol=0.02)
        np.testing.assert_allclose(d["y"], path[:, 1], atol=0.02)
    factor = [d for d in lines if d["axes"] == 2 and d["type"] == "line"][0]
    np.testing.assert_allclose(factor["y"][:-1], _hand_adam.factors, rtol=0.01)
    assert 0 < n < STEPS
    rule = [d for d in lines if d["type"] == "hline"][0]
    assert rule["at"] == 0.01
    gaps = [d for d in lines if d["axes"] == 1]
    assert all(np.nanmin(d["y"]) >= GAP_FLOOR * 0.99 for d in gaps)
    ex.apply_preset("eps=0;lr=0.1;threshold=1")


def test_presets_outside_the_grids_raise(ex):
    for bad in ("eps=1e-5", "lr=5", "threshold=0.001"):
        with pytest.raises(ValueError):
            ex.apply_preset(bad)
    assert ex.preset() == "eps=0;lr=0.1;threshold=1"


@pytest.mark.parametrize("kw, match", [
    (dict(eps="1e-5"), "eps"), (dict(eps=0.5), "eps"), (dict(eps=None), "eps"),
    (dict(lr=5.0), "lr"), (dict(lr="fast"), "lr"), (dict(threshold=100.0), "threshold"),
    (dict(threshold=0.0), "threshold"), (dict(scale=0.0), "scale"), (dict(scale="big"), "scale"),
    (dict(scale=True), "scale"), (dict(steps=5), "steps"), (dict(steps=50.5), "steps"),
    (dict(preset="lr=10"), "lr")])
def test_factory_rejects_invalid_arguments(kw, match):
    with pytest.raises(ValueError, match=match):
        widgets.adam_explorer(**dict(dict(steps=20), **kw))


def test_factory_accepts_eps_as_a_number():
    ex = widgets.adam_explorer(eps=1e-8, lr=0.3, threshold=2.0, steps=20)
    assert ex.values == {"eps": "1e-8", "lr": pytest.approx(0.251188643),
                         "threshold": pytest.approx(2.51188643)}
