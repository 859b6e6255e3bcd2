"""Controls that are inactive in some states: the ``active`` field of the explorer spec."""

import json

import pytest
from matplotlib.figure import Figure

from gradclip.widgets import encoding
from gradclip.widgets.evaluate import Evaluator
from gradclip.widgets.stage import Stage, between, isin, value


def _stage(**active):
    fig = Figure(figsize=(3, 2))
    ax = fig.add_subplot()
    st = Stage("demo", fig)
    st.toggle("mode", ["a", "b"], active=active.get("mode"))
    st.slider("c", [0.5, 1.0, 2.0], active=active.get("c"))
    st.int_slider("k", 0, 3, active=active.get("k"))
    st.array("ys", [[0, 0.5], [0, 1.0], [0, 2.0]], ("c", "pt"))
    st.line(ax, x=0.0, y="ys", along="pt")
    st.status(["{mode} {c:.2g} {k}"], fields={"mode": value("mode"), "c": value("c"), "k": value("k")})
    return st


def _active(ex):
    spec = json.loads(ex.spec_json())
    ev = Evaluator(spec, {k: encoding.decode_array(a) for k, a in spec["arrays"].items()}, ex.controls)
    pos = ev.positions(ex.values)
    return {c["name"]: bool(ev.field(c["active"], ex.values, pos)) if "active" in c else None
            for c in spec["controls"]}


def test_active_fields_travel_in_the_spec_and_follow_the_state():
    ex = _stage(c=isin("mode", ["b"]), k=between(value("c"), 1.0, 2.0)).build({"mode": "a", "c": 0.5, "k": 0})
    assert _active(ex) == {"mode": None, "c": False, "k": False}
    ex.update(mode="b")
    assert _active(ex) == {"mode": None, "c": True, "k": False}
    ex.update(c=2.0)
    assert _active(ex) == {"mode": None, "c": True, "k": True}
    ex.update(mode="a")  # an inactive control keeps its value and still sets the state
    assert _active(ex)["c"] is False and ex.values["c"] == 2.0 and ex.status_text == "a 2 0"


def test_controls_without_active_keep_the_old_spec():
    ex = _stage().build({"mode": "a", "c": 1.0, "k": 2})
    controls = json.loads(ex.spec_json())["controls"]
    assert all("active" not in c for c in controls)
    assert [sorted(c) for c in controls] == [
        ["kind", "label", "name", "options", "position"],
        ["kind", "label", "labels", "log", "name", "position", "values"],
        ["kind", "label", "max", "min", "name", "position"]]


@pytest.mark.parametrize("bad", [True, "mode == 'b'", {"field": 1}, 1])
def test_active_must_be_a_field(bad):
    fig = Figure(figsize=(3, 2))
    fig.add_subplot()
    st = Stage("demo", fig)
    with pytest.raises(ValueError, match="active"):
        st.slider("c", [0.5, 1.0], active=bad)
    assert "c" not in st.controls
