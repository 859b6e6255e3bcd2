"""The spec language is interpreted twice: in the page (``static/explorer/evaluate.js``) and in
Python (``gradclip/widgets/evaluate.py``, the stored picture and ``status_text``). Both must
show the same thing: for every explorer the notebooks build and a sample of states (the start,
each control at its lowest, middle and highest position with the others at the start, every
toggle option, all controls lowest, all highest), the status line and every artist (visible
or not, resolved style, the points of a line, the place of a rule, the text of a label) are
equal. The page's code runs under node (``tests/evaluate_in_node.mjs``) as anywidget loads
it: the joined module of :mod:`gradclip.widgets.esm`.
"""

import json
import math
import shutil
import subprocess
from pathlib import Path

import numpy as np
import pytest

import gradclip as gc
from gradclip import plots, widgets
from gradclip.widgets import encoding, esm
from gradclip.widgets.controls import format_value
from gradclip.widgets.evaluate import Evaluator, format_template

HARNESS = Path(__file__).parent / "evaluate_in_node.mjs"


def _first_scene():
    """Notebook 01's player: one run over the 3-D loss surface."""
    prob, theta0 = gc.demo_regression(seed=0)
    run = gc.run(prob, theta0, 1.8 / prob.eigenvalues()[-1], 40)
    return plots.TrajectoryScene(prob, [run], ["oscillating: lr·λmax = 1.8"],
                                 *plots.view_box(theta0, prob.solution()), surface=True)


def _cliff_scene():
    """Notebook 04's player: the cliff, unclipped and clipped, side by side."""
    cliff = gc.CliffRNN()
    raw = gc.run(cliff, (5.0, -3.5), lr=1.0, steps=60)
    clipped = gc.run(cliff, (5.0, -3.5), lr=1.0, steps=60, clip="norm", threshold=0.5)
    return plots.TrajectoryScene(cliff, [raw, clipped], ["no clipping", "clip by norm ≤ 0.5"],
                                 (0.0, 10.0), (-6.0, 5.0), layout="side")


#: factory -> the explorers the notebooks build with it (keyword arguments, or a function
#: giving the positional ones)
CALLS = {
    "learning_rate_explorer": [dict(preset="lr=0.5;steps=40")],
    "condition_explorer": [dict(preset="condition=100;lr=1;steps=100")],
    "player": [_first_scene, _cliff_scene],
    "rnn_explorer": [dict(rho=0.9, T=100, activation="linear"),
                     dict(rho=0.9, T=100, activation="linear", lang="zh")],
    "cliff_explorer": [dict(w=5.0, offset=1e-3, T=50)],
    "depth_explorer": [dict(depth=20, activation="tanh", init="xavier")],
    "clipping_explorer": [dict(preset="lr=1;threshold=0.5;clip=norm;steps=60")],
    "phase_explorer": [dict(preset="problem=regression;clip=norm;lr=0.398;threshold=0.1;steps=200"),
                       dict(preset="problem=regression;clip=norm;lr=0.398;threshold=0.1;steps=200",
                            lang="zh")],  # status in Chinese: option labels picked by position
    "training_explorer": [dict(preset="lr=0.3;threshold=1;T=30")],
    "smoothness_explorer": [dict(preset="x0=10;lr=0.5;threshold=1")],
    "noise_explorer": [dict(preset="df=1.5;threshold=1")],
    "bias_explorer": [dict(preset="threshold=1;sigma=1")],
    "spike_explorer": [dict(preset="rule=ZClip;z=2.5")],
    "momentum_explorer": [dict(preset="beta=0.9;lr=3.6;steps=100")],
    "adam_explorer": [dict(preset="eps=0;lr=0.1;threshold=0.1")],
    "toy_explorer": [dict(preset="start=(3, 0.05);lr=0.25;steps=40")],
    "eos_explorer": [dict(preset="lr=0.4;t=50")],
    "threshold_explorer": [dict(preset="threshold=0.562"), dict(preset="threshold=0.0631")],
}
CASES = [(f"{name}-{i}", name, how) for name, calls in CALLS.items() for i, how in enumerate(calls)]


def _factories():
    return {n for n in widgets.__all__ if n.endswith("_explorer") or n == "player"}


def _states(spec):
    """Positions: the start, each control lowest / middle / highest (every option of a
    toggle) with the others at the start, all lowest, all highest; no repeats."""
    start = {c["name"]: c["position"] for c in spec["controls"]}
    ends = {}
    for c in spec["controls"]:
        if c["kind"] == "toggle":
            ends[c["name"]] = list(range(len(c["options"])))
        else:
            lo, hi = (0, len(c["values"]) - 1) if c["kind"] == "slider" else (c["min"], c["max"])
            ends[c["name"]] = [lo, (lo + hi) // 2, hi]
    states = [start, {k: v[0] for k, v in ends.items()}, {k: v[-1] for k, v in ends.items()}]
    states += [dict(start, **{k: p}) for k, v in ends.items() for p in v]
    unique = {json.dumps(s, sort_keys=True): s for s in states}
    return list(unique.values())


def _num(v):
    """A number as the harness writes it (non-finite as "NaN", "Infinity", "-Infinity")."""
    if isinstance(v, (float, np.floating)) and not math.isfinite(v):
        return "NaN" if math.isnan(v) else ("Infinity" if v > 0 else "-Infinity")
    return float(v) if isinstance(v, np.floating) else (int(v) if isinstance(v, np.integer) else v)


def _python_twin(ev, controls, pos):
    """What gradclip.widgets.evaluate shows for the positions ``pos``, in the harness's form."""
    spec = ev.spec
    values = {k: c.value_at(pos[k]) for k, c in controls.items()}
    assert ev.positions(values) == pos
    artists = []
    for art in spec["artists"]:
        if not ev.visible(art, values, pos):
            artists.append(None)
            continue
        out = {"style": {k: _num(ev.resolve(v, values, pos)) for k, v in art["style"].items()}}
        if art["type"] == "line":
            x, y = ev.points(art, values, pos)
            out["x"], out["y"] = [_num(v) for v in x], [_num(v) for v in y]
        elif art["type"] == "text":
            out["text"] = format_template(art["template"], ev.fields(art["fields"], values, pos))
        else:
            out["at"] = _num(ev.field(art["x" if art["type"] == "vline" else "y"], values, pos))
        artists.append(out)
    status = None
    if spec.get("status") is not None:
        text, color = ev.status(values)
        status = {"text": text, "color": color}
    return {"status": status, "artists": artists}


def _node():
    node = shutil.which("node")
    if node is None:
        pytest.fail("node is not on PATH: the evaluator parity test runs the page's code under "
                    "node 18 or newer (Debian: apt-get install nodejs)", pytrace=False)
    version = subprocess.run([node, "--version"], capture_output=True, text=True).stdout.strip()
    if int(version.lstrip("v").split(".")[0]) < 18:
        pytest.fail(f"node {version} is too old: the harness needs node 18 or newer "
                    "(DecompressionStream, top-level await)", pytrace=False)
    return node


def _format_cases():
    """Numbers and formats of status lines and readouts: ties that round half to even, the
    switch to exponent notation, float32 values as the page reads them, signs, non-finite."""
    rng = np.random.default_rng(0)
    values = [0.0, -0.0, 0.125, 0.375, 2.5, 3.5, -2.5, 0.0625, 9.995, 99999.5, 1e-5, 1.234e-4,
              123456.0, 1e16, 2.0 ** 70, float("nan"), float("inf"), float("-inf")]
    values += [float(np.float32(v)) for v in (0.1, 0.3, 2.675, 1.005)]
    values += (10.0 ** rng.uniform(-6, 7, 60) * rng.choice([-1, 1], 60)).tolist()
    cases = [[v, fmt] for v in values for fmt in (".1g", ".2g", ".3g", ".4g", ".0f", ".1f", ".2f", ".3f")]
    return cases + [[v, fmt] for v in (0, 7, -12, 40.0, 1e6) for fmt in ("", "d")]


@pytest.fixture(scope="module")
def parity(tmp_path_factory):
    """Every explorer built, its states evaluated by the page's code under node and by
    Python; the number formats by both."""
    node = _node()
    gc.setup(seed=0)
    built = {}
    for case, name, how in CASES:
        factory = getattr(widgets, name)
        ex = factory(how()) if callable(how) else factory(**how)
        spec = json.loads(ex.spec_json())
        built[case] = (spec, dict(ex.controls), _states(spec))
    module = tmp_path_factory.mktemp("page") / "explorer.mjs"
    module.write_text(esm.joined(), encoding="utf-8")
    formats = _format_cases()
    cases = {"explorers": [{"name": case, "spec": spec, "states": states}
                           for case, (spec, _, states) in built.items()],
             "formats": [[_num(v), fmt] for v, fmt in formats]}
    run = subprocess.run([node, str(HARNESS), str(module)], input=json.dumps(cases),
                         capture_output=True, text=True, timeout=300)
    assert run.returncode == 0, f"the harness failed:\n{run.stderr}"
    result = json.loads(run.stdout, parse_int=float)  # JS writes 1e17 as 100000000000000000
    page = {r["name"]: r["states"] for r in result["explorers"]}
    out = {"formats": (formats, result["formats"])}
    for case, (spec, controls, states) in built.items():
        ev = Evaluator(spec, {k: encoding.decode_array(a) for k, a in spec["arrays"].items()}, controls)
        out[case] = (states, page[case], [_python_twin(ev, controls, pos) for pos in states])
    return out


def test_every_explorer_factory_is_compared():
    assert _factories() == set(CALLS), "give every explorer factory of gradclip.widgets a call in CALLS"


@pytest.mark.parametrize("case", [c[0] for c in CASES])
def test_page_and_python_show_the_same(parity, case):
    states, page, python = parity[case]
    assert len(page) == len(python) == len(states) >= 3
    for pos, js, py in zip(states, page, python):
        assert js["status"] == py["status"], f"{case} at {pos}: status"
        assert len(js["artists"]) == len(py["artists"])
        for i, (a, b) in enumerate(zip(js["artists"], py["artists"])):
            assert a == b, f"{case} at {pos}: artist {i}"


def test_page_formats_numbers_as_python(parity):
    cases, page = parity["formats"]
    wrong = [(v, fmt, js, format_value(v, fmt)) for (v, fmt), js in zip(cases, page)
             if js != format_value(v, fmt)]
    assert len(page) == len(cases) > 600 and not wrong, wrong[:5]
