"""The explorers of notebook 07 against hand-written loops and closed forms.

Each explorer is built once (small settings where the factory allows them); the numbers in its
status line and the lines it draws are compared with plain loops written out here. What every
explorer must do (controls, presets, the stored bundle) is tested in test_widgets.py.
"""

import re

import numpy as np
import pytest

import gradclip
from conftest import control_ends
from gradclip import widgets
from gradclip.widgets.arrays import label_codes


@pytest.fixture(scope="module")
def ex():
    gradclip.setup(seed=0)
    return {"smooth": widgets.smoothness_explorer(),
            "noise": widgets.noise_explorer(steps=40, n_runs=60),
            "bias": widgets.bias_explorer(steps=40, n_runs=20),
            "spikes": widgets.spike_explorer(steps=150),
            "momentum": widgets.momentum_explorer(max_steps=40, steps=40)}


def _rounded(values):
    """Numbers rounded to 6 decimals, NaN as None (so that equal drawings compare equal)."""
    return [None if np.isnan(x) else x for x in np.round(np.asarray(values, dtype=float), 6).ravel().tolist()]


def _drawing(e):
    return [(d["type"], str(d.get("color")), _rounded(d.get("x", [])), _rounded(d.get("y", d.get("at", []))))
            for d in e.drawn()]


def _numbers(text):
    return [float(x) for x in re.findall(r"-?\d+(?:\.\d+)?(?:e[+-]?\d+)?", text)]


def test_label_codes():
    codes, labels = label_codes(np.array([["b", "a"], ["b", "c"]], dtype=object))
    assert labels == ["a", "b", "c"] and codes.tolist() == [[1, 0], [1, 2]]


# ---------------------------------------------------------------- smoothness

def _hand_count(x0, lr, rule, c=None, target=1e-3, cap=2000):
    """Steps of plain, clipped or normalized descent on x^4 to reach x^4 <= target (-1: never)."""
    x = x0
    for k in range(1, cap + 1):
        g = 4 * x ** 3
        if rule == "clipped":
            g = g * min(1.0, c / abs(g)) if g != 0 else g
        elif rule == "normalized":
            g = np.sign(g)
        x = x - lr * g
        if not np.isfinite(x) or abs(x) > 1e6:
            return -1
        if x ** 4 <= target:
            return k
    return -1


def test_smoothness_status_counts_match_hand_loops(ex):
    e = ex["smooth"]
    for x0, lr, c in ((10.0, 0.5, 1.0), (2.0, 0.1, 3.0), (20.0, 0.003, 10.0), (5.0, 0.01, 0.1)):
        e.update(x0=x0, lr=lr, threshold=c)
        x0, lr, c = e.values["x0"], e.values["lr"], e.values["threshold"]
        text = e.status_text
        edge = 1 / (2 * x0 ** 2)
        fixed = re.search(r"fixed: ([^·]+)", text).group(1).strip()
        if lr >= edge:
            assert fixed == "diverges"
        else:
            n = _hand_count(x0, lr, "fixed")
            assert fixed == (str(n) if n > 0 else "> 2000"), (x0, lr, text)
        for rule in ("clipped", "normalized"):
            n = _hand_count(x0, lr, rule, c, cap=500)
            shown = re.search(rf"{rule}: ([^·]+)", text).group(1).strip()
            assert shown == (str(n) if n > 0 else "> 500"), (rule, x0, lr, c, text)


def test_smoothness_loss_curves_match_a_hand_loop(ex):
    e = ex["smooth"]
    e.update(x0=5.0, lr=0.2, threshold=1.0)
    lr, c = e.values["lr"], e.values["threshold"]
    x, losses = 5.0, [625.0]
    for _ in range(40):
        g = 4 * x ** 3
        x -= lr * g * min(1.0, c / abs(g))
        losses.append(max(x ** 4, 1e-12))
    green = [d for d in e.drawn() if d["axes"] == 0 and d["type"] == "line"
             and d["color"] == gradclip.style.PALETTE["good"]][0]
    np.testing.assert_allclose(green["y"], losses, rtol=0.02)
    edge_line = [d for d in e.drawn() if d["type"] == "vline" and d["axes"] == 1][0]
    assert edge_line["at"] == pytest.approx(1 / 50, rel=1e-6)


def test_smoothness_factory_checks_its_arguments():
    with pytest.raises(ValueError, match="steps"):
        widgets.smoothness_explorer(steps=5)
    with pytest.raises(ValueError, match="x0"):
        widgets.smoothness_explorer(x0=500.0)


# ---------------------------------------------------------------- noise

def _hand_noise(df, c, steps=40, n=60, lr=0.1):
    errors = []
    for i in range(n):
        xi = np.random.default_rng([0, i]).standard_t(df, (steps, 2))
        th = np.array([5.0, 5.0])
        for k in range(steps):
            g = th + xi[k]
            if c is not None:
                norm = np.sqrt(g @ g)
                g = g * min(1.0, c / norm)
            th = th - lr * g
        errors.append(np.sqrt(th @ th))
    return np.array(errors)


def test_noise_status_matches_a_hand_loop_over_seeds(ex):
    e = ex["noise"]
    e.update(df=1.5, threshold=1.0)
    plain, clipped = _hand_noise(1.5, None), _hand_noise(1.5, 1.0)
    text = e.status_text
    got = _numbers(text.split("plain ")[1].split("·")[0].replace("/", " ")) + _numbers(
        text.split("clipped ")[1].replace("/", " "))
    want = [np.median(plain), np.percentile(plain, 99), plain.max(),
            np.median(clipped), np.percentile(clipped, 99), clipped.max()]
    np.testing.assert_allclose(got, want, rtol=0.05)  # two digits
    assert "infinite variance" in e.status_text
    e.update(df=3.0)
    assert "variance 3" in e.status_text
    curve = [d for d in e.drawn() if d["axes"] == 0 and d["type"] == "line"
             and d["color"] == gradclip.style.PALETTE["good"]][0]
    e.update(df=1.5)
    curve = [d for d in e.drawn() if d["axes"] == 0 and d["type"] == "line"
             and d["color"] == gradclip.style.PALETTE["good"]][0]
    np.testing.assert_allclose(curve["x"], np.clip(np.sort(clipped), 1e-2, 1e3), rtol=0.01)
    np.testing.assert_allclose(curve["y"], (np.arange(60) + 0.5) / 60, atol=1e-4)


def test_noise_factory_checks_its_arguments():
    with pytest.raises(ValueError, match="n_runs"):
        widgets.noise_explorer(n_runs=5)
    with pytest.raises(ValueError, match="df"):
        widgets.noise_explorer(df=100.0, steps=20, n_runs=50)


# ---------------------------------------------------------------- per-example clipping

def test_bias_status_is_the_closed_form_interval(ex):
    e = ex["bias"]
    for c in e.controls["threshold"].values:
        e.update(threshold=float(c), sigma=0.0)
        if c < 3:
            assert f"[{-(3 - c):.3g}, {3 - c:.3g}]" in e.status_text
        else:
            assert "the only stationary point is 0" in e.status_text


def test_bias_curves_and_runs_match_hand_loops(ex):
    e = ex["bias"]
    e.update(threshold=1.0, sigma=0.0)
    g = [d for d in e.drawn() if d["axes"] == 0 and d["type"] == "line"
         and d["color"] == gradclip.style.PALETTE["good"]][0]
    xs = np.asarray(g["x"])
    want = (np.clip(xs + 3, -1, 1) + np.clip(xs - 3, -1, 1)) / 2
    np.testing.assert_allclose(g["y"], want, atol=0.02)
    x = 6.0
    for _ in range(40):
        x -= 0.5 * (np.clip(x + 3, -1, 1) + np.clip(x - 3, -1, 1)) / 2
    path = [d for d in e.drawn() if d["axes"] == 1 and d["type"] == "line"][0]
    assert path["y"][-1] == pytest.approx(x, abs=0.02) and x == pytest.approx(2.0, abs=1e-3)
    # with DP noise: sigma c / n times N(0, 1) per step, run i from default_rng([0, i])
    e.update(sigma=2.0, threshold=1.0)
    finals = []
    for i in range(20):
        z = np.random.default_rng([0, i]).standard_normal((40, 1))[:, 0]
        x = 6.0
        for k in range(40):
            x -= 0.5 * ((np.clip(x + 3, -1, 1) + np.clip(x - 3, -1, 1)) / 2 + 2.0 * 1.0 / 2 * z[k])
        finals.append(x)
    rms = float(re.search(r"RMS distance ([\d.]+)", e.status_text).group(1))
    assert rms == pytest.approx(np.sqrt(np.mean(np.square(finals))), rel=0.03)


def test_bias_status_names_the_flat_band_of_a_hand_loop(ex):
    """The status gives every c whose RMS over the seeds is within two standard errors (+0.005)
    of the lowest, not one noisy argmin; here against hand loops of the same 20 seeds, 40 steps."""
    e = ex["bias"]
    cs = np.asarray(e.controls["threshold"].values, float)
    z = np.stack([np.random.default_rng([0, i]).standard_normal((40, 1))[:, 0] for i in range(20)])
    for sigma in (1.0, 4.0):
        sq = []
        for c in cs:
            x = np.full(20, 6.0)
            for k in range(40):
                x = x - 0.5 * ((np.clip(x + 3, -c, c) + np.clip(x - 3, -c, c)) / 2 + sigma * c / 2 * z[:, k])
            sq.append(x ** 2)
        sq = np.array(sq)
        rms = np.sqrt(sq.mean(axis=1))
        low = int(np.argmin(rms))
        se = sq[low].std() / (2 * rms[low] * np.sqrt(20))
        band = cs[rms <= rms[low] + 2 * se + 0.005]
        e.update(threshold=1.0, sigma=sigma)
        want = (f"lowest at c = {cs[low]:.2g}" if len(band) == 1 else
                f"flat for c {band.min():.2g}–{band.max():.2g}")
        assert want in e.status_text and "(20 seeds)" in e.status_text


def test_bias_factory_checks_its_arguments():
    with pytest.raises(ValueError, match="a must"):
        widgets.bias_explorer(a=[[1.0, 2.0]], steps=20, n_runs=10)
    with pytest.raises(ValueError, match="sigma"):
        widgets.bias_explorer(sigma=10.0, steps=20, n_runs=10)


# ---------------------------------------------------------------- spikes

def _hand_rule_run(threshold_of, steps=150):
    """SGD from (5, 5), lr 0.5, on Quadratic.with_condition(10) plus the spike noise, clipped
    to ``threshold_of(norms so far)``."""
    proc = gradclip.spike_process(steps, 2, seed=0)
    q = gradclip.Quadratic.with_condition(10.0)
    th, hist, clipped, losses = np.array([5.0, 5.0]), [], [], []
    for k in range(steps):
        g = q.grad(th) + proc.noise[k]
        n = np.sqrt(g @ g)
        hist.append(n)
        c = threshold_of(hist)
        clipped.append(n > c)
        th = th - 0.5 * g * min(1.0, c / n)
        losses.append(float(q.loss(th)))
    return np.array(clipped), proc.spikes, losses


def test_spike_status_matches_hand_loops_for_fixed_and_autoclip(ex):
    e = ex["spikes"]
    for rule, key, val, thr in (("fixed", "threshold", 2.0, lambda h: 2.0),
                                ("AutoClip", "percentile", 10.0, lambda h: np.percentile(h, 10))):
        e.update(rule=rule, **{key: val})
        clipped, spikes, losses = _hand_rule_run(thr)
        text = e.status_text
        assert f"caught {int(np.sum(clipped & spikes))}/{int(spikes.sum())} spikes" in text
        assert text.startswith(f"{rule}: ")
        assert f"clipped {100 * clipped.mean():.1f} % ·" in text
        # losses[j] is the loss after j + 1 steps: from step 50 on is losses[49:], which
        # leaves out the descent from the start (the loss after step 1 is no spike's doing)
        worst = float(re.search(r"worst loss from step 50: ([\d.e+]+)", text).group(1))
        assert worst == pytest.approx(max(losses[49:]), rel=5e-3)  # three digits
        assert worst < max(losses[:49])
        final = float(re.search(r"final ([\d.e+-]+)", text).group(1))
        assert final == pytest.approx(losses[-1], rel=0.03)  # two digits


def test_spike_zclip_agrees_with_run_with_rule_and_marks_clipped_steps(ex):
    e = ex["spikes"]
    e.update(rule="ZClip", z=2.5)
    proc = gradclip.spike_process(150, 2, seed=0)
    ref = gradclip.run_with_rule(gradclip.Quadratic.with_condition(10.0), [5.0, 5.0], 0.5, proc,
                                 gradclip.ZClip(z_thresh=2.5))
    assert f"caught {ref.caught}/{int(proc.spikes.sum())}" in e.status_text
    q, th = gradclip.Quadratic.with_condition(10.0), np.array([5.0, 5.0])
    hand = [float(0.5 * th @ q.A @ th)]
    for k in range(150):  # the clipped steps ZClip chose, applied by hand; loss of each iterate
        g = q.grad(th) + proc.noise[k]
        th = th - 0.5 * g * min(1.0, ref.thresholds[k] / np.sqrt(g @ g))
        hand.append(float(0.5 * th @ q.A @ th))
    worst = float(re.search(r"worst loss from step 50: ([\d.e+]+)", e.status_text).group(1))
    assert worst == pytest.approx(max(hand[50:]), rel=5e-3)
    marks = [d for d in e.drawn() if d["axes"] == 0 and d["marker"] == "o"][0]
    shown = np.asarray(marks["x"])[np.isfinite(marks["y"])]
    assert shown.tolist() == np.flatnonzero(ref.clipped).tolist()
    e.update(rule="none")
    assert e.status_text.startswith("none: caught 0/")


def _active(e):
    """Which controls the page shows as active in the current state (the spec's ``active``
    fields, evaluated as the page does)."""
    from gradclip.widgets import encoding
    from gradclip.widgets.evaluate import Evaluator

    spec = e.to_spec()
    ev = Evaluator(spec, {k: encoding.decode_array(a) for k, a in spec["arrays"].items()}, e.controls)
    pos = ev.positions(e.values)
    return {c["name"]: bool(ev.field(c["active"], e.values, pos)) if "active" in c else True
            for c in spec["controls"]}


def test_spike_sliders_of_other_rules_are_inactive_and_keep_their_values(ex):
    e = ex["spikes"]
    start = e.preset()
    own = {"none": None, "fixed": "threshold", "AutoClip": "percentile", "ZClip": "z"}
    for rule, mine in own.items():
        e.update(rule=rule)
        active = _active(e)
        assert active["rule"]
        assert [k for k in ("threshold", "percentile", "z") if active[k]] == ([mine] if mine else [])
        # an inactive slider changes nothing that is drawn or said
        for other in {"threshold", "percentile", "z"} - {mine}:
            before = (_drawing(e), e.status_text)
            lo, hi = control_ends(e.controls[other])
            e.update(**{other: hi})
            assert (_drawing(e), e.status_text) == before, (rule, other)
            e.update(**{other: lo})
    e.apply_preset("rule=fixed;threshold=8;percentile=90;z=1.5")
    kept = e.values
    e.update(rule="ZClip")
    assert e.values == dict(kept, rule="ZClip")
    assert e.apply_preset(start).preset() == start


def test_spike_factory_checks_its_arguments():
    with pytest.raises(ValueError, match="rule"):
        widgets.spike_explorer(rule="sometimes")
    with pytest.raises(ValueError, match="steps"):
        widgets.spike_explorer(steps=50)


# ---------------------------------------------------------------- momentum

def _hand_heavy_ball(lr, beta, steps=40):
    h = gradclip.Quadratic.with_condition(10.0)
    th, z = np.array([-4.0, 3.0]), np.zeros(2)
    path, loss0 = [th.copy()], float(h.loss(th))
    for k in range(steps):
        z = beta * z + h.grad(th)
        th = th - lr * z
        path.append(th.copy())
        loss = float(h.loss(th))
        if not np.isfinite(loss) or loss > loss0 + 1e6 * (1 + loss0):  # solvers.DIVERGENCE_FACTOR
            return np.array(path), k + 1
    return np.array(path), None


def test_momentum_edge_and_divergence_match_a_hand_loop(ex):
    e = ex["momentum"]
    assert gradclip.solvers.DIVERGENCE_FACTOR == 1e6
    for beta in (0.0, 0.5, 0.9):
        for lr in e.controls["lr"].values[::5]:
            e.update(beta=beta, lr=float(lr), steps=40)
            path, k = _hand_heavy_ball(float(lr), beta)
            assert f"edge {2 * (1 + beta):.3g}" in e.status_text
            assert ("diverged at step" in e.status_text) == (k is not None), (beta, lr, e.status_text)
            if k is not None:
                assert f"diverged at step {k}" in e.status_text
                assert lr > 2 * (1 + beta)
            else:
                line = [d for d in e.drawn() if d["axes"] == 0 and d["marker"] == "o" and len(d["x"]) > 1][0]
                inside = np.all(np.abs(path) < 6, axis=1)
                m = int(np.argmin(inside)) if not inside.all() else len(path)
                np.testing.assert_allclose(line["x"][:m], path[:m, 0], atol=0.02)


def test_momentum_factory_checks_its_arguments():
    with pytest.raises(ValueError, match="max_steps"):
        widgets.momentum_explorer(max_steps=1000)
    with pytest.raises(ValueError, match="steps"):
        widgets.momentum_explorer(steps=0, max_steps=20)
