"""The edge-of-stability explorers against hand-written loops and the one-run core functions."""

import re

import numpy as np
import pytest

import gradclip
from gradclip import widgets
from gradclip.training import gd_with_sharpness
from gradclip.eos import EOS_LRS, edge_window, eos_task
from gradclip.widgets import eosview


@pytest.fixture(scope="module")
def ex():
    gradclip.setup(seed=0)
    return {"toy": widgets.toy_explorer(max_steps=100), "eos": widgets.eos_explorer()}


def _num(pattern, text):
    """The number after ``pattern`` in ``text``."""
    return float(re.search(pattern + r" (-?\d+(?:\.\d+)?(?:e[+-]?\d+)?)", text).group(1))


def _toy_loop(x, y, lr, steps):
    """Plain gradient descent on (1 - x y)^2 / 2, written out; returns iterates and the step
    whose loss first is not finite or exceeds 1e12 (None if never)."""
    pts = [(x, y)]
    for k in range(1, steps + 1):
        r = 1.0 - x * y
        x, y = x + lr * r * y, y + lr * r * x
        pts.append((x, y))
        with np.errstate(all="ignore"):
            bad = not np.isfinite(0.5 * (1 - x * y) ** 2) or 0.5 * (1 - x * y) ** 2 > 1e12
        if bad:
            return np.array(pts), k
    return np.array(pts), None


def _top_eig(x, y):
    return np.linalg.eigvalsh(np.array([[y * y, 2 * x * y - 1], [2 * x * y - 1, x * x]]))[-1]


# ---------------------------------------------------------------- the toy

@pytest.mark.parametrize("lr, final", [(0.1, 9.153), (0.25, 5.877), (0.4, 2.002)])
def test_toy_final_sharpness_matches_a_hand_loop(ex, lr, final):
    e = ex["toy"]
    e.update(start="(3, 0.05)", lr=lr, steps=100)
    assert e.values["lr"] == lr  # the notebook's rates are on the grid exactly
    pts, k = _toy_loop(3.0, 0.05, lr, 100)
    lam = _top_eig(*pts[-1])
    assert k is None and round(lam, 3) == final and lam <= 2 / lr
    text = e.status_text
    assert _num("lr =", text) == lr and _num("2/lr =", text) == pytest.approx(2 / lr, rel=1e-3)
    assert _num("sharpness", text) == pytest.approx(lam, abs=1.5e-3)
    assert text.endswith("loss < 1e-12")  # converged: the loss is below the drawn floor
    path = [d for d in e.drawn() if d["type"] == "line" and d["axes"] == 0 and len(d["x"]) > 3][0]
    np.testing.assert_allclose(path["x"], pts[:, 0], atol=0.01)
    np.testing.assert_allclose(path["y"], pts[:, 1], atol=0.01)
    e.update(steps=3)  # the status reads the loss at the cut (2 digits)
    assert _num("loss", e.status_text) == pytest.approx(0.5 * (1 - pts[3, 0] * pts[3, 1]) ** 2, rel=0.03)


def test_toy_divergence_and_catapult_match_hand_loops(ex):
    e = ex["toy"]
    e.update(start="(3, 0.05)", lr=1.0, steps=100)
    _, k = _toy_loop(3.0, 0.05, 1.0, 100)
    assert gradclip.run(gradclip.problems.ScalarFactorization(), [3.0, 0.05], 1.0, 100).diverged_at == k
    assert e.status_text.endswith(f"diverged at step {k}")
    e.update(start="(2, 0.49)", lr=0.6, steps=100)  # above 2/4.26: thrown to a flatter minimum
    lr = e.values["lr"]  # 0.6 snapped to the grid
    pts, k = _toy_loop(2.0, 0.49, lr, 100)
    assert k is None and _top_eig(*pts[-1]) < 2 / lr < _top_eig(2.0, 0.49)
    assert _num("sharpness", e.status_text) == pytest.approx(_top_eig(*pts[-1]), abs=1.5e-3)


def test_toy_ticks_are_the_minima_of_sharpness_2_over_lr(ex):
    e = ex["toy"]
    for lr in (0.1, 0.4, 0.9):
        e.update(lr=lr)
        lr = e.values["lr"]
        ticks = [d for d in e.drawn() if d["type"] == "line" and d["marker"] == "D"][0]
        x, y = np.asarray(ticks["x"]), np.asarray(ticks["y"])
        if 2 / lr < 2:
            assert not np.isfinite(x).any()
            continue
        np.testing.assert_allclose(x * y, 1.0, atol=3e-3)
        np.testing.assert_allclose(x**2 + y**2, 2 / lr, rtol=3e-3)


def test_toy_factory_checks_its_arguments():
    for kwargs, word in [(dict(lr=5.0), "lr"), (dict(lr=0.001), "lr"), (dict(start="(1, 1)"), "start"),
                         (dict(steps=0), "steps"), (dict(max_steps=5), "max_steps"),
                         (dict(steps=50, max_steps=20), "steps")]:
        with pytest.raises(ValueError, match=word):
            widgets.toy_explorer(**kwargs)


# ---------------------------------------------------------------- the net

def test_eos_status_matches_one_run_of_the_core(ex):
    e = ex["eos"]
    X, y, net = eos_task()
    track = gd_with_sharpness(net, X, y, 0.4, 1000, every=10)
    win, _ = edge_window(track.steps, track.sharpness, 0.4)
    for t in (0, 20, 50, 100):
        e.update(lr=0.4, t=t)
        text = e.status_text
        assert _num("step", text) == 10 * t
        assert _num("λmax", text) == pytest.approx(track.sharpness[t], rel=0.03, abs=0.01)
        assert _num("loss", text) == pytest.approx(track.training.losses[10 * t], rel=0.05)
        assert _num("from step", text) == pytest.approx(win, abs=10)
    assert 300 <= win <= 600


def test_eos_every_run_settles_near_its_edge_and_the_lines_are_the_runs(ex):
    e = ex["eos"]
    _, runs = eosview.eos_runs()
    for i, lr in enumerate(EOS_LRS):
        e.update(lr=lr, t=100)
        assert "within 10 % from step" in e.status_text
        lines = [d for d in e.drawn() if d["type"] == "line" and d["axes"] == 1]
        full = max(lines, key=lambda d: len(d["x"]))
        np.testing.assert_allclose(full["y"], runs.sharpness[i], rtol=1e-3, atol=1e-3)
        edge = [d for d in e.drawn() if d["type"] == "hline" and d["axes"] == 1]
        assert sorted(d["at"] for d in edge) == pytest.approx(sorted([1.8 / lr, 2 / lr, 2.2 / lr]), rel=1e-5)
        assert abs(runs.sharpness[i, -1] - 2 / lr) < 0.1 * 2 / lr


def test_eos_factory_checks_its_arguments():
    for kwargs, word in [(dict(lr=0.05), "lr"), (dict(lr=2.0), "lr"), (dict(t=101), "t"), (dict(t=-1), "t"),
                         (dict(t=1.5), "t")]:
        with pytest.raises(ValueError, match=word):
            widgets.eos_explorer(**kwargs)
