"""The phase-diagram explorer: its map against gradclip.sweep, its picked runs against
gradclip.run, the solved marks against the map's contour rule, the kernel-backed request,
every control at both ends, and bad input. (Its problems are tested in the core's tests.)"""

import numpy as np
import pytest

import gradclip as gc
from gradclip.widgets import encoding, phaseview as pv


@pytest.fixture(scope="module")
def explorer():
    return pv.phase_explorer(max_steps=60, steps=60)


def _run(name, clip, lr, threshold, steps):
    sc = pv.scenes()[name]
    kw = {} if clip == "none" else {"clip": clip, "threshold": threshold}
    return gc.run(sc["problem"], sc["theta0"], lr, steps, **kw)


# ---- the map: every step count is the sweep of that many steps

@pytest.mark.parametrize("clip", ["none", "value", "norm"])
def test_map_at_every_step_count_is_gradclip_sweep(clip):
    runs = pv.phase_runs("regression", clip, steps=60)
    prob, theta0 = gc.demo_regression()
    for k in (7, 60):
        res = runs.at(k)
        if clip == "none":
            ref = gc.sweep(prob, theta0, pv.LRS, steps=k)
            np.testing.assert_array_equal(res.diverged[:, 0], ref.diverged)
            np.testing.assert_allclose(res.final_loss[:, 5], ref.final_loss, rtol=1e-12)
        else:
            ref = gc.sweep(prob, theta0, pv.LRS, pv.THRESHOLDS, steps=k, clip=clip)
            np.testing.assert_array_equal(res.diverged, ref.diverged)
            np.testing.assert_allclose(res.final_loss, ref.final_loss, rtol=1e-12)
    if clip == "none":
        assert runs.at(60).diverged[:, 0].tolist() == list(pv.LRS > prob.max_stable_lr() * 1.03)


# ---- the explorer against single runs

def test_status_and_drawn_run_agree_with_gradclip_run(explorer):
    ex = explorer.update(lr=0.398, threshold=0.1, steps=40)
    lr, thr = ex.values["lr"], ex.values["threshold"]
    t = _run("regression", "norm", lr, thr, 40)
    text = ex.status_text
    assert text.startswith("regression: lr 0.398, clip by norm at 0.1")
    assert f"loss after 40 steps {t.losses[40]:.3g}" in text
    assert f"clipped {100 * t.clipped[:40].mean():.0f} %" in text
    line = [d for d in ex.drawn() if d["type"] == "line" and len(d["x"]) == 41][0]
    np.testing.assert_allclose(line["x"], t.thetas[:41, 0], atol=0.01)
    np.testing.assert_allclose(line["y"], t.thetas[:41, 1], atol=0.02)


def test_divergence_is_reported_with_its_step(explorer):
    explorer.request("grid", problem="regression", clip="none", steps=60)
    ex = explorer.update(lr=float(pv.LRS[::2][-1]), threshold=0.1)
    t = _run("regression", "none", ex.values["lr"], None, 60)
    assert t.diverged_at is not None
    assert ex.status_text.endswith(f"diverged at step {t.diverged_at}")
    assert ex._status_color == gc.style.PALETTE["divergent"]
    explorer.request("grid", problem="regression", clip="norm", steps=60)


def test_request_redraws_the_map_keeps_the_mapping_and_patches_the_runs(explorer):
    before = [a["bbox"] + a["x"]["lim"] + a["y"]["lim"] for a in explorer.spec["axes"]]
    png = explorer.spec["background"]["src"]
    patch = explorer.request("grid", problem="tiny net", clip="value", steps=30)
    assert set(patch) == {"background", "arrays"} and explorer.spec["background"]["src"] != png
    assert [a["bbox"] + a["x"]["lim"] + a["y"]["lim"] for a in explorer.spec["axes"]] == before
    ex = explorer.update(lr=1.0, threshold=0.398)
    t = _run("tiny net", "value", ex.values["lr"], ex.values["threshold"], 30)
    assert ex.status_text.startswith("tiny net: lr 1, clip by value at 0.398")
    assert f"loss after 30 steps {t.losses[30]:.3g}" in ex.status_text
    loss = encoding.decode_array(patch["arrays"]["loss"])
    i, j = np.argmin(abs(pv.LRS[::2] - 1.0)), np.argmin(abs(pv.THRESHOLDS[::2] - 0.398))
    np.testing.assert_allclose(loss[i, j, :31], t.losses, rtol=0.006)
    explorer.request("grid", problem="regression", clip="norm", steps=60)


def test_every_control_at_both_ends(explorer):
    lrs, thrs = pv.LRS[::2], pv.THRESHOLDS[::2]
    for lr in (lrs[0], lrs[-1]):
        for thr in (thrs[0], thrs[-1]):
            for steps in (1, 60):
                text = explorer.update(lr=lr, threshold=thr, steps=steps).status_text
                assert text.startswith("regression: lr ") and ("after " in text or "diverged" in text)
    for name in pv.PROBLEMS:
        for clip in pv.CLIPS:
            explorer.request("grid", problem=name, clip=clip, steps=5)
            assert explorer.status_text.startswith(f"{name}: lr ")
    explorer.request("grid", problem="regression", clip="norm", steps=60)


def test_preset_round_trip_and_a_preset_on_another_problem():
    ex = pv.phase_explorer(max_steps=30, steps=30,
                           preset="problem=cliff RNN;clip=norm;lr=1;threshold=0.398;steps=20")
    assert ex.values == {"problem": "cliff RNN", "clip": "norm", "lr": 1.0,
                         "threshold": pytest.approx(0.398, rel=0.01), "steps": 20}
    t = _run("cliff RNN", "norm", 1.0, ex.values["threshold"], 20)
    assert f"loss after 20 steps {t.losses[20]:.3g}" in ex.status_text
    assert ex.preset().startswith("problem=cliff RNN;clip=norm;lr=1;")


@pytest.mark.parametrize("kwargs, match", [
    (dict(problem="mlp"), "problem must be one of"),
    (dict(clip="agc"), "clip must be one of"),
    (dict(steps=0), r"steps must be an integer in \[1, 200\], got 0"),
    (dict(steps=50, max_steps=40), r"steps must be an integer in \[1, 40\], got 50"),
    (dict(max_steps=500, steps=10), r"max_steps must be an integer in \[1, 400\]"),
    (dict(lr=100.0), "outside the slider range"),
])
def test_invalid_arguments_name_the_value(kwargs, match):
    with pytest.raises(ValueError, match=match):
        pv.phase_explorer(**kwargs)


def test_phase_runs_rejects_unknown_problem_and_clip():
    with pytest.raises(ValueError, match="problem must be one of"):
        pv.phase_runs("quadratic")
    with pytest.raises(ValueError, match="clip must be one of"):
        pv.phase_runs("regression", clip="global_norm")
