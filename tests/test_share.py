"""Presets are spelled twice: by Python (``Explorer.preset`` / ``apply_preset`` in
gradclip/widgets/live.py) and by the page (``static/explorer/share.js``, which keeps a static
page's address in step with its explorers). For every explorer the notebooks build, at its start
and at a few states, the page writes Python's preset string, and reading Python's string back
gives the same positions; both refuse the same bad presets. The page's code runs under node as
anywidget loads it (the joined module of :mod:`gradclip.widgets.esm`).
"""

import json
import subprocess
from pathlib import Path

import pytest

import gradclip as gc
from gradclip import widgets
from gradclip.widgets import esm

from test_evaluator_parity import CASES, _node, _states

HARNESS = Path(__file__).parent / "share_in_node.mjs"
BAD = ["nope=1", "lr", "", "lr=abc", "lr=1e9", "steps=2.5", "steps=100000", "clip=maybe"]


def _python_preset(ex, spec, pos):
    values = {k: c.value_at(pos[k]) for k, c in ex.controls.items()}
    return ex.update(**values).preset()


def _python_apply(ex, text):
    """Python's positions for a preset, or the error (the explorer restored after)."""
    before = ex.values
    try:
        ex.apply_preset(text)
    except ValueError as err:
        return {"error": str(err)}
    out = {k: c.position(ex.values[k]) for k, c in ex.controls.items()}
    ex.update(**before)
    return out


@pytest.fixture(scope="module")
def twins(tmp_path_factory):
    node = _node()
    gc.setup(seed=0)
    built = []
    for case, name, how in CASES:
        factory = getattr(widgets, name)
        ex = factory(how()) if callable(how) else factory(**how)
        spec = json.loads(ex.spec_json())
        states = _states(spec)[:6]
        presets = [_python_preset(ex, spec, pos) for pos in states]
        start = {c["name"]: c["position"] for c in spec["controls"]}
        ex.update(**{k: c.value_at(start[k]) for k, c in ex.controls.items()})
        built.append((case, ex, spec, states, presets))
    module = tmp_path_factory.mktemp("page") / "explorer.mjs"
    module.write_text(esm.joined(), encoding="utf-8")
    cases = [{"spec": spec, "states": states, "presets": presets + BAD}
             for _, _, spec, states, presets in built]
    run = subprocess.run([node, str(HARNESS), str(module)], input=json.dumps(cases),
                         capture_output=True, text=True, timeout=300)
    assert run.returncode == 0, f"the harness failed:\n{run.stderr}"
    return {case: (ex, spec, states, presets, page)
            for (case, ex, spec, states, presets), page in zip(built, json.loads(run.stdout))}


@pytest.mark.parametrize("case", [c[0] for c in CASES])
def test_the_page_writes_python_presets(twins, case):
    ex, spec, states, presets, page = twins[case]
    assert len(states) >= 3 and page["presets"] == presets
    assert page["presets"][0] == ex.preset()  # the start


@pytest.mark.parametrize("case", [c[0] for c in CASES])
def test_the_page_reads_python_presets(twins, case):
    ex, spec, states, presets, page = twins[case]
    for pos, text, got in zip(states, presets, page["applied"]):
        assert got == pos == _python_apply(ex, text), text


@pytest.mark.parametrize("case", [c[0] for c in CASES])
def test_both_refuse_the_same_presets(twins, case):
    ex, spec, states, presets, page = twins[case]
    for text, got in zip(BAD, page["applied"][len(presets):]):
        python = _python_apply(ex, text)
        assert ("error" in got) == ("error" in python), (text, got, python)
        if "error" in got and text:
            assert got["error"].startswith(f"preset entry '{text}'"), got


def test_the_address_holds_each_explorers_preset(twins):
    ex, spec, states, presets, page = twins["toy_explorer-0"]  # an option with "(3, 0.05)"
    assert page["hash"] == {f"{spec['name']}-{i}": p for i, p in enumerate(presets + BAD) if p}
    assert page["ids"] == [f"{spec['name']}-0", "other-0", f"{spec['name']}-1"]
