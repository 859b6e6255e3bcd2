"""The readout (values under the pointer) and the spike explorer's "your own log" panel.

The pure part of ``static/explorer/readout.js`` (the nearest drawn point) runs under node against
a brute-force search written here; the spec's names of the axes and lines, the panel's spec
(words in both languages, the example log, the controls it reads) and the site's copy of the
example log are checked in Python. The browser checks (hovering a known point, replaying a
pasted log) are in ``tests/browser/site_checks.py``.
"""

import json
import shutil
import subprocess
from pathlib import Path

import matplotlib

matplotlib.use("Agg")

import numpy as np  # noqa: E402
import pytest  # noqa: E402
from matplotlib.figure import Figure  # noqa: E402

import gradclip  # noqa: E402
from gradclip import widgets  # noqa: E402
from gradclip.widgets import spikeview  # noqa: E402
from gradclip.widgets.stage import Stage  # noqa: E402

ROOT = Path(__file__).resolve().parents[1]
READOUT = ROOT / "gradclip" / "widgets" / "static" / "explorer" / "readout.js"
EXAMPLE = ROOT / "data" / "example_grad_norms.csv"


def _nearest_reference(lines, x, y, radius):
    """Every point in turn; the last of equal distance wins (drawn on top)."""
    best, best_d = None, radius
    for li, (px, py) in enumerate(lines):
        for j, (u, v) in enumerate(zip(px, py)):
            d = float(np.hypot(u - x, v - y))
            if not np.isnan(d) and d <= best_d:
                best, best_d = (li, j), d
    return best


def test_nearest_point_in_node_matches_a_brute_force_search(tmp_path):
    node = shutil.which("node")
    if node is None:
        pytest.fail("node is not on PATH (the page's readout runs under node 18 or newer)", pytrace=False)
    rng = np.random.default_rng(0)
    lines = [(rng.uniform(0, 300, n), rng.uniform(0, 200, n)) for n in (50, 1, 200)]
    lines[2][1][::7] = np.nan  # gaps in a line
    lines.append((lines[0][0][:5].copy(), lines[0][1][:5].copy()))  # a line on top of another
    queries = [(float(x), float(y)) for x, y in rng.uniform(-20, 320, (300, 2))]
    queries += [(float(lines[0][0][2]), float(lines[0][1][2]))]  # exactly on a shared point
    script = tmp_path / "run.mjs"
    script.write_text(
        f'import {{ nearestPoint }} from "{READOUT.as_uri()}";\n'
        'import { readFileSync } from "node:fs";\n'
        'const {lines, queries} = JSON.parse(readFileSync(0, "utf-8"));\n'
        'const L = lines.map(([x, y]) => ({px: Float64Array.from(x, (v) => v ?? NaN),'
        ' py: Float64Array.from(y, (v) => v ?? NaN)}));\n'
        'console.log(JSON.stringify(queries.map(([x, y]) => {'
        ' const h = nearestPoint(L, x, y, 12); return h && [h.line, h.index]; })));\n')
    data = {"lines": [[[None if np.isnan(v) else float(v) for v in a] for a in ln] for ln in lines],
            "queries": queries}
    run = subprocess.run([node, str(script)], input=json.dumps(data), capture_output=True,
                         text=True, timeout=60)
    assert run.returncode == 0, run.stderr
    got = [tuple(h) if h else None for h in json.loads(run.stdout)]
    want = [_nearest_reference(lines, x, y, 12.0) for x, y in queries]
    assert got == want
    assert sum(h is not None for h in got) > 20 and got[-1] == (3, 2)


def test_axes_are_named_after_their_labels_or_a_panel_in_line_with_them():
    fig = Figure(figsize=(6, 4))
    top, bottom = fig.subplots(2, 1)
    top.set_ylabel("loss")
    bottom.set_xlabel("step")
    bottom.set_ylabel("factor")
    st = Stage("demo", fig)
    st.slider("a", [1.0, 2.0])
    st.array("ys", [[0, 1.0], [0, 2.0]], ("a", "k"))
    st.line(top, 0.0, "ys", along="k", yname="own name")
    names = [(A["x"]["name"], A["y"]["name"]) for A in st.build({"a": 1.0}).spec["axes"]]
    assert names == [("step", "loss"), ("step", "factor")]  # the top panel: the one under it
    lone = Figure(figsize=(3, 2))
    lone.add_subplot()
    assert [(A["x"]["name"], A["y"]["name"]) for A in Stage("lone", lone).mapping()] == [("x", "y")]
    assert st.artists[0]["yname"] == "own name" and "xname" not in st.artists[0]


@pytest.mark.parametrize("lang", ["en", "zh"])
def test_spike_explorer_names_its_values_and_carries_the_panel(lang):
    gradclip.setup(seed=0)
    ex = widgets.spike_explorer(steps=150, lang=lang)
    spec = ex.to_spec()
    step = {"en": "step", "zh": "步数"}[lang]
    assert spec["axes"][0]["x"]["name"] == step
    assert {a.get("yname") for a in spec["artists"]} >= {{"en": "threshold", "zh": "阈值"}[lang]}
    R = spec["replay"]
    assert R["example"] == EXAMPLE.read_text(encoding="utf-8")
    assert set(R["strings"]) == set(spikeview.REPLAY_WORDS)
    assert (R["strings"]["run"] == "replay") == (lang == "en")
    assert set(R["controls"].values()) <= set(ex.controls) and set(R["rules"]) <= set(spikeview.RULE_NAMES)
    assert json.loads(ex.spec_json())["replay"] == R


def test_the_panel_has_no_example_where_the_package_has_none():
    assert spikeview.replay_spec("en", example="")["example"] == ""


def test_the_site_serves_the_example_log(tmp_path):
    import nbformat
    from nbformat.v4 import new_markdown_cell, new_notebook

    from gradclip.site import build

    (tmp_path / "nb").mkdir()
    nbformat.write(new_notebook(cells=[new_markdown_cell("# One")]), tmp_path / "nb" / "01.ipynb")
    build(tmp_path / "nb", tmp_path / "site", root=ROOT)
    assert (tmp_path / "site" / "data" / "example_grad_norms.csv").read_bytes() == EXAMPLE.read_bytes()
