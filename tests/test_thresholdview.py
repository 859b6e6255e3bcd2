"""The threshold explorer (gradclip.widgets.thresholdview) and the core functions it asks
(gradclip.selection.clipped_share, threshold_for_share): hand-written counts over the norms."""

import json
import shutil
import subprocess
from pathlib import Path

import numpy as np
import pytest

from gradclip import widgets
from gradclip.selection import clipped_share, threshold_for_share
from gradclip.widgets import esm
from gradclip.widgets.predict import verdict
from gradclip.widgets.thresholdview import default_norms

HARNESS = Path(__file__).parent / "predict_in_node.mjs"


@pytest.fixture(scope="module")
def asked():
    return widgets.threshold_explorer(predict="p90")


def _count(norms, c):
    k = 0
    for g in norms:
        if g > c:
            k += 1
    return k


def test_truth_is_the_smallest_slider_value_clipping_at_most_a_tenth(asked):
    """Counted by hand over the 500 stored norms: at the truth at most 50 steps exceed it, at the
    slider value below it more than 50."""
    norms = default_norms()
    values = list(asked.controls["threshold"].values)
    truth = asked.spec["predict"]["truth"]
    i = values.index(truth)
    assert len(norms) == 500
    assert _count(norms, values[i]) <= 50 < _count(norms, values[i - 1])
    assert truth == pytest.approx(0.5623, abs=1e-4)
    assert asked.spec["predict"]["hide"] == [1]  # the clipped steps; the norms and c stay


def test_status_for_two_thresholds_is_a_hand_count(asked):
    norms = default_norms()
    for c in (0.562, 1.0):
        ex = asked.update(threshold=c)
        shown = ex.values["threshold"]
        k = _count(norms, shown)
        assert ex.status_text == (f"c = {shown:.3g}: clips {k} of 500 steps ({100 * k / 500:.1f} %) "
                                  f"· the largest norm {max(norms):.3g}")
    assert asked.update(threshold=1.0).status_text.startswith("c = 1: clips 10 of 500 steps (2.0 %)")


def test_core_functions_against_numpy_and_hand_counts():
    rng = np.random.default_rng(0)
    for n in (10, 101, 500):
        norms = rng.lognormal(size=n)
        for share in (0.0, 0.05, 0.1, 0.5):
            c = threshold_for_share(norms, share)
            assert c == np.quantile(norms, 1 - share, method="inverted_cdf")
            assert _count(norms, c) <= share * n
            below = norms[norms < c]
            assert below.size == 0 or _count(norms, below.max()) > share * n
        assert clipped_share(norms, 1.0) == _count(norms, 1.0) / n
    grid = [0.5, 1.0, 2.0, 4.0]
    assert threshold_for_share([0.1, 0.6, 1.5, 3.0], 0.25, candidates=grid) == 2.0
    with pytest.raises(ValueError, match="share"):
        threshold_for_share([1.0, 2.0], 1.0)
    with pytest.raises(ValueError, match="no candidate"):
        threshold_for_share([1.0, 2.0], 0.0, candidates=[0.5, 1.5])
    with pytest.raises(ValueError, match="grad_norms"):
        clipped_share([1.0, np.nan], 1.0)


def test_verdict_and_given_norms(asked):
    assert verdict(asked, 0.5) == ("You said 0.501; the smallest c clipping at most 10 % is 0.562: "
                                   "11 % below.")
    ex = widgets.threshold_explorer(norms=np.arange(1.0, 21.0), threshold=10, predict="p90")
    assert ex.spec["predict"]["truth"] == threshold_for_share(np.arange(1.0, 21.0), 0.1,
                                                              ex.controls["threshold"].values)
    assert _count(np.arange(1.0, 21.0), ex.spec["predict"]["truth"]) <= 2
    with pytest.raises(ValueError, match="norms"):
        widgets.threshold_explorer(norms=[1.0, 2.0])
    with pytest.raises(ValueError, match="threshold"):
        widgets.threshold_explorer(threshold=-1.0)


@pytest.mark.skipif(shutil.which("node") is None, reason="node is not installed")
def test_page_verdict_equals_python(asked, tmp_path):
    """The page's sentence (static/explorer/predict.js under node) at both ends, around the truth
    and in the middle of the slider, equal to Python's."""
    module = tmp_path / "explorer.mjs"
    module.write_text(esm.joined(), encoding="utf-8")
    c = asked.controls["threshold"]
    t = list(c.values).index(asked.spec["predict"]["truth"])
    positions = sorted({0, len(c) - 1, len(c) // 2, t - 1, t, t + 1})
    case = {"spec": {"predict": asked.spec["predict"], "controls": asked.to_spec()["controls"]},
            "positions": positions}
    out = subprocess.run(["node", str(HARNESS), str(module)], input=json.dumps([case]),
                         capture_output=True, text=True, timeout=60, check=True)
    assert json.loads(out.stdout) == [[verdict(asked, c.values[p]) for p in positions]]
