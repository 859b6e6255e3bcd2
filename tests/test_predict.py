"""Predict first (gradclip.widgets.predict): the questions' truths against independent
references, the verdict's cases, and the page's sentence (static/explorer/predict.js under
node, as anywidget loads it) equal to Python's for guesses below, near and above the truth."""

import json
import shutil
import subprocess
from pathlib import Path

import numpy as np
import pytest

import gradclip as gc
from gradclip import widgets
from gradclip.widgets import esm
from gradclip.widgets.predict import ask, verdict

HARNESS = Path(__file__).parent / "predict_in_node.mjs"


@pytest.fixture(scope="module")
def asked():
    return {"condition": widgets.condition_explorer(preset="condition=100;lr=1;steps=100",
                                                    predict="below_0.01"),
            "cliff": widgets.cliff_explorer(w=5.0, offset=1e-3, T=50, predict="peak"),
            "eos": widgets.eos_explorer(preset="lr=0.4;t=0", predict="settle"),
            "cliff_zh": widgets.cliff_explorer(w=5.0, offset=1e-3, T=50, predict="peak", lang="zh"),
            "clipping": widgets.clipping_explorer(preset="lr=1;threshold=0.5;clip=norm;steps=60",
                                                  predict="wall"),
            "momentum": widgets.momentum_explorer(preset="beta=0.7;lr=2;steps=100", predict="edge")}


def test_condition_truth_is_the_hand_loop(asked):
    """κ = 100, lr = 1 from (-4, 3): a hand-written descent loop crosses J - Jmin < 0.01 at 118."""
    prob = gc.Quadratic.with_condition(100.0)
    theta, star = np.array([-4.0, 3.0]), prob.solution()
    floor, k = prob.loss(star), 0
    while prob.loss(theta) - floor >= 0.01:
        theta = theta - 1.0 * prob.grad(theta)
        k += 1
    assert asked["condition"].spec["predict"]["truth"] == k == 118


def test_cliff_truth_is_the_largest_product(asked):
    ex = asked["cliff"]
    prod = np.abs(ex._stage._raw["prod"][12, 11])
    truth = ex.spec["predict"]["truth"]
    assert prod[int(truth)] == prod[1:].max() and truth == 31


def test_eos_truth_is_where_sharpness_stays_near_the_edge(asked):
    """From the truth's snapshot on, the sharpness stays within 10 % of 2/lr (and not before)."""
    ex = asked["eos"]
    st = ex._stage
    lam = st._raw["lam"][st.controls["lr"].position(0.4)]
    t = int(ex.spec["predict"]["truth"])
    near = np.abs(lam * 0.4 / 2 - 1) <= 0.1
    assert near[t:].all() and not near[t - 1] and ex.spec["predict"]["cover"] == [0]


def test_clipping_truth_is_a_hand_loop(asked):
    """The cliff from (5, -3.5), lr 1, each gradient clipped to norm 0.5 by hand: the largest
    raw gradient norm of the first 60 steps is at step 37; the norm panel draws the gradients
    at steps 0 .. steps - 1, so it shows that norm from steps = 38 on: the truth."""
    cliff, theta, norms = gc.CliffRNN(), np.array([5.0, -3.5]), []
    for _ in range(60):
        g = cliff.grad(theta)
        norms.append(np.linalg.norm(g))
        theta = theta - 1.0 * g * min(1.0, 0.5 / norms[-1])
    assert int(np.argmax(norms)) == 37 and asked["clipping"].spec["predict"]["truth"] == 38


def test_momentum_truth_is_the_last_slider_rate_below_the_heavy_ball_edge(asked):
    """β = 0.7 on Quadratic.with_condition(10): the heavy-ball edge 2 (1 + β) / λmax = 3.4 lies
    between the slider's 3.311 (the truth) and 3.631; a hand-written heavy ball converges at the
    truth and diverges at the next slider rate."""
    ex = asked["momentum"]
    quad, truth = gc.Quadratic.with_condition(10.0), ex.spec["predict"]["truth"]
    edge = 2 * 1.7 / np.linalg.eigvalsh(quad.hessian()).max()
    rates = ex.controls["lr"].values
    assert truth == rates[rates < edge].max() == pytest.approx(3.311, abs=1e-3)
    for lr, grows in ((truth, False), (rates[rates > edge].min(), True)):
        theta, z = np.array([-4.0, 3.0]), np.zeros(2)
        with np.errstate(all="ignore"):
            for _ in range(2000):
                z = 0.7 * z + quad.grad(theta)
                theta = theta - lr * z
        assert (not np.all(np.abs(theta) < 1e3)) == grows


def test_depth_truth_is_where_the_status_ratio_drops_below_a_tenth():
    """tanh, Xavier, no skips, step 0: the status line's 'layer 1 ÷ last layer gradient' is
    below 0.1 at the truth's depth (20) and not at the depth before it (10)."""
    ex = widgets.depth_explorer(depth=20, activation="tanh", init="xavier", predict="tenth")
    depth = ex.spec["predict"]["truth"]

    def ratio(d):
        return float(ex.update(depth=d).status_text.rsplit(" ", 1)[1])

    assert depth == 20 and ratio(20) < 0.1 <= ratio(10)


def test_phase_truth_is_the_last_solved_rate_of_hand_runs():
    """The demo regression, each gradient clipped to norm 0.1 by hand, 200 steps at each slider
    rate: the solved runs (final loss within 1 % of the least-squares minimum, the map's rule)
    end at lr 1, the truth; the next rate, 1.58, is not solved."""
    ex = widgets.phase_explorer(preset="problem=regression;clip=norm;lr=0.398;threshold=0.1;"
                                "steps=200", predict="solved")
    assert ex.spec["predict"]["truth"] == 1.0 and ex.spec["predict"]["cover"] == [0]
    prob, theta0 = gc.demo_regression()
    level = 1.01 * prob.loss(prob.solution())
    solved = []
    for lr in ex.controls["lr"].values:
        theta = np.array(theta0, dtype=float)
        with np.errstate(all="ignore"):
            for _ in range(200):
                g = prob.grad(theta)
                theta = theta - lr * g * min(1.0, 0.1 / np.linalg.norm(g))
        solved.append(bool(prob.loss(theta) <= level))
    last = max(i for i, ok in enumerate(solved) if ok)
    assert ex.controls["lr"].values[last] == 1.0 and not solved[last + 1]


def test_verdict_cases(asked):
    ex = asked["cliff"]
    assert verdict(ex, 20) == "You said 20; the T of the largest product is 31: 35 % below."
    assert verdict(ex, 31) == "You said 31; the T of the largest product is 31: right, 0 % above."
    assert verdict(ex, 40) == "You said 40; the T of the largest product is 31: 29 % above."
    assert verdict(asked["cliff_zh"], 20) == "你猜的是 20；乘积最大处的 T 是 31：低了 35 %。"


def test_hidden_artists_and_words(asked):
    spec = asked["condition"].spec
    assert spec["predict"]["hide"] == [3, 4, 5, 6, 7]  # contours, start and optimum stay
    assert [spec["artists"][i]["y"] for i in spec["predict"]["hide"]] == ["y", "y"] + ["excess"] * 3
    assert spec["strings"]["commit"] == "check my prediction"
    assert asked["cliff_zh"].spec["strings"]["again"] == "再试一次"


def test_bad_arguments(asked):
    ex = widgets.cliff_explorer(w=5.0, offset=1e-3, T=50)
    with pytest.raises(ValueError, match="truth"):
        ask(ex, "T", 0.0, "q", "w")
    with pytest.raises(ValueError, match="control"):
        ask(ex, "nope", 1.0, "q", "w")
    with pytest.raises(ValueError, match="hide"):
        ask(ex, "T", 3, "q", "w", hide=[999])
    with pytest.raises(ValueError, match="asks no question"):
        verdict(ex, 3)
    with pytest.raises(ValueError, match="predict"):
        widgets.cliff_explorer(w=5.0, offset=1e-3, T=50, predict="nope")
    with pytest.raises(ValueError, match="asks no question"):
        widgets.spike_explorer(predict="x")


@pytest.mark.skipif(shutil.which("node") is None, reason="node is not installed")
def test_page_sentence_equals_python(asked, tmp_path):
    module = tmp_path / "explorer.mjs"
    module.write_text(esm.joined(), encoding="utf-8")
    cases, expected = [], []
    for ex in asked.values():
        q = ex.spec["predict"]
        c = ex.controls[q["control"]]
        lo, hi = (0, len(c) - 1) if c.kind == "slider" else (c.lo, c.hi)
        t = int(round(q["truth"]))
        positions = sorted({lo, hi, (lo + hi) // 2, t - 1, t, t + 1, t + 3} & set(range(lo, hi + 1)))
        guesses = [c.values[p] if c.kind == "slider" else p for p in positions]
        cases.append({"spec": {"predict": q, "controls": ex.to_spec()["controls"]},
                      "positions": positions})
        expected.append([verdict(ex, g) for g in guesses])
    out = subprocess.run(["node", str(HARNESS), str(module)], input=json.dumps(cases),
                         capture_output=True, text=True, timeout=60, check=True)
    assert json.loads(out.stdout) == expected
