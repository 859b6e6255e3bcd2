"""The Stage contract: pixel mapping, array encoding, fields, requests, stored picture."""

import base64
import io
import json
import struct
import zlib

import numpy as np
import pytest
from matplotlib.figure import Figure
from PIL import Image

from gradclip.widgets import encoding
from gradclip.widgets.evaluate import format_template
from gradclip.widgets.live import LIVE_HINT, MIME
from gradclip.widgets.stage import (Stage, at, between, div, isin, pick, position, reduce, switch,
                                    value, where)


def _png_size(data):
    assert data[:8] == b"\x89PNG\r\n\x1a\n"
    assert data[12:16] == b"IHDR"
    return struct.unpack(">II", data[16:24])


def _figure(dpi=100):
    fig = Figure(figsize=(6, 3), dpi=dpi, layout="constrained")
    lin, log = fig.add_subplot(1, 2, 1), fig.add_subplot(1, 2, 2)
    lin.set_xlim(-3, 5)
    lin.set_ylim(10, -2)  # inverted on purpose
    log.set_xscale("log")
    log.set_yscale("log")
    log.set_xlim(1e-3, 10)
    log.set_ylim(1e-8, 1e2)
    lin.set_ylabel("a label that takes room")
    return fig, lin, log


def _map(box, xspec, yspec, x, y):
    """The contract's formula, written plainly."""
    left, top, width, height = box

    def u(v, spec):
        return np.log10(v) if spec["log"] else v

    a, b = (u(v, xspec) for v in xspec["lim"])
    c, d = (u(v, yspec) for v in yspec["lim"])
    return left + width * (u(x, xspec) - a) / (b - a), top + height * (1 - (u(y, yspec) - c) / (d - c))


@pytest.mark.parametrize("dpi, ratio", [(100, 1.0), (125, 1.0), (100, 2.0)])
def test_exported_mapping_lands_on_matplotlib_pixels(dpi, ratio):
    fig, lin, log = _figure(dpi)
    st = Stage("map", fig, pixel_ratio=ratio)
    st.freeze()
    axes = st.mapping()
    w, h = st.size()
    assert (w, h) == pytest.approx((6 * dpi, 3 * dpi))
    rng = np.random.default_rng(0)
    for i, ax in enumerate((lin, log)):
        spec = axes[i]
        if ax is lin:
            xs, ys = rng.uniform(-3, 5, 50), rng.uniform(-2, 10, 50)
        else:
            xs, ys = 10 ** rng.uniform(-3, 1, 50), 10 ** rng.uniform(-8, 2, 50)
        px, py = _map(spec["bbox"], spec["x"], spec["y"], xs, ys)
        disp = ax.transData.transform(np.column_stack([xs, ys]))
        assert np.max(np.abs(px - disp[:, 0])) < 1.0
        assert np.max(np.abs(py - (h - disp[:, 1]))) < 1.0


def test_background_is_a_png_of_the_figure_size_times_the_ratio():
    fig, lin, _ = _figure()
    st = Stage("bg", fig, pixel_ratio=2.0)
    st.slider("a", [1.0, 2.0])
    st.array("ys", [[0.0, 1.0], [0.0, 2.0]], ("a", "pt"))
    st.line(lin, [0.0, 1.0][0], "ys", along="pt")
    ex = st.build({"a": 1.0})
    src = ex.spec["background"]["src"]
    assert src.startswith("data:image/png;base64,")
    assert _png_size(base64.b64decode(src.split(",", 1)[1])) == (1200, 600)
    assert ex.spec["background"]["ratio"] == 2.0


def _decode_plainly(spec):
    """The documented "q" format, decoded step by step (independent of decode_array)."""
    body = zlib.decompress(base64.b64decode(spec["data"]))
    n, w = int(np.prod(spec["shape"])), spec["bytes"]
    vals = []
    for i in range(n):
        z = sum(body[j * n + i] << (8 * j) for j in range(w))
        vals.append(z // 2 if z % 2 == 0 else -(z + 1) // 2)
    rows = np.array(vals, dtype=np.int64).reshape(-1, spec["shape"][-1])
    out = np.cumsum(rows, axis=1) * spec["quantum"]
    if spec["log"]:
        out = 10.0**out
    out = out.reshape(spec["shape"])
    if "nan" in spec:
        bits = zlib.decompress(base64.b64decode(spec["nan"]))
        for i in range(n):
            if bits[i // 8] & (128 >> (i % 8)):
                out.flat[i] = np.nan
    return out


@pytest.mark.parametrize("log", [False, True])
def test_quantized_arrays_round_trip_within_half_a_quantum(log):
    rng = np.random.default_rng(1)
    a = rng.normal(size=(3, 4, 17)).cumsum(axis=-1) * 5
    if log:
        a = 10.0 ** (a / 4)
    a[0, 1, 5:] = np.nan
    a[2, 3, 0] = np.nan
    q = 0.01
    spec = encoding.encode_array(a, quantum=q, log=log)
    json.dumps(spec)
    got = encoding.decode_array(spec)
    plain = _decode_plainly(spec)
    assert got.dtype == np.float32 and got.shape == a.shape
    nan = np.isnan(a)
    assert np.array_equal(np.isnan(got), nan) and np.array_equal(np.isnan(plain), nan)
    np.testing.assert_allclose(got[~nan], plain[~nan].astype(np.float32), rtol=1e-6)
    err = np.abs(np.log10(got[~nan]) - np.log10(a[~nan])) if log else np.abs(got[~nan] - a[~nan])
    assert err.max() <= q / 2 + 1e-5 * (1 if log else np.abs(a[~nan]).max())


def test_float32_and_integer_arrays_are_exact():
    a = np.array([[1.5, -2.25, np.nan], [1e-30, 3e20, 0.1]])
    got = encoding.decode_array(encoding.encode_array(a))
    assert np.array_equal(got, a.astype(np.float32), equal_nan=True)
    k = np.array([-1, 0, 37, 150, 70000, -70000])
    assert encoding.decode_array(encoding.encode_array(k, quantum=1.0)).tolist() == k.tolist()
    assert encoding.encode_array(k, quantum=1.0)["bytes"] == 4


def test_encoding_rejects_bad_arguments():
    with pytest.raises(ValueError, match="quantum"):
        encoding.encode_array([1.0, 2.0], quantum=-1)
    with pytest.raises(ValueError, match="values"):
        encoding.encode_array(3.0)


def _field_stage():
    fig = Figure(figsize=(4, 3))
    ax = fig.add_subplot()
    st = Stage("fields", fig)
    st.slider("a", [0.1, 1.0, 10.0], label="a")
    st.toggle("mode", ["off", "on"])
    st.int_slider("n", 1, 4)
    st.array("v", [[3.0, 1.0, np.nan, 4.0, 1.0], [5.0, 9.0, 2.0, 6.0, 5.0], [0.5, 0.25, 0.0, 1.0, 2.0]],
             ("a", "n"), quantum=0.25)
    st.array("flags", [[1, 0, 1, 1, 0]] * 3, ("a", "n"), integer=True)
    st.line(ax, 0.0, "v", along="n", cut="n", color=switch(isin("mode", ["on"]), ["#000000", "#ff0000"]))
    total = reduce("v", "sum", "n", "n")
    st.status(["{a:.2g} {mode}: sum {s:.3g} max {m:.3g} n {c} flags {f} ratio {r:.1f} {w}",
               "high {p}"],
              case=between(at("v"), 5, 100),
              fields={"a": value("a"), "mode": value("mode"), "s": total,
                      "m": reduce("v", "max", "n", "n"), "c": reduce("v", "count", "n", "n"),
                      "f": reduce("flags", "sum", "n", "n", -1), "r": div(total, value("n"), 10),
                      "w": pick(where(isin("mode", ["on"]), position("a"), 0), ["x", "y", "z"]),
                      "p": at("v")})
    return st.build({"a": 0.1, "mode": "off", "n": 3})


def test_fields_follow_their_definitions():
    ex = _field_stage()
    # a = 0.1 (row 0), n = 3: points 0..3 = 3, 1, nan, 4; flags over 0..2 = 1, 0, 1
    assert ex.status_text == "0.1 off: sum 8 max 4 n 3 flags 2 ratio 26.7 x"
    ex.update(mode="on", n=2)  # v at n=2 is NaN: not between 5 and 100
    assert ex.status_text == "0.1 on: sum 4 max 3 n 2 flags 1 ratio 20.0 x"
    ex.update(a=1.0, n=1)  # row 1: v[1] = 9 -> second template
    assert ex.status_text == "high 9"
    lines = [d for d in ex.drawn() if d["type"] == "line"]
    assert lines[0]["color"] == "#ff0000" and lines[0]["y"].tolist() == [5.0, 9.0]


def test_format_template_matches_python_format():
    fields = {"x": 0.000123456, "k": 37, "f": 12.5, "s": "norm", "g": 2.5e-7}
    tpl = "{x:.3g} {k} {f:.0f} {s} {g:.2g} {x:.1f}"
    assert format_template(tpl, fields) == "0.000123 37 12 norm 2.5e-07 0.0"


def test_requests_patch_arrays_and_cache_answers():
    fig = Figure(figsize=(4, 3))
    ax = fig.add_subplot()
    st = Stage("req", fig)
    st.int_slider("scale", 1, 3)
    st.array("ys", [0.0, 1.0, 2.0], ("pt",), quantum=0.01)
    st.line(ax, 0.0, "ys", along="pt")
    calls = []

    def handler(values):
        calls.append(values)
        return {"arrays": {"ys": np.array([0.0, 1.0, 2.0]) * values["scale"]}}

    st.request("rescale", ["scale"], handler, cache=[{"scale": 2}])
    ex = st.build({"scale": 1})
    assert calls == [{"scale": 2}]
    cached = ex.spec["requests"]["rescale"]["cache"]["scale=2"]
    assert encoding.decode_array(cached["arrays"]["ys"]).tolist() == [0.0, 2.0, 4.0]
    patch = ex.request("rescale", scale=3)
    assert ex.values == {"scale": 3} and "arrays" in patch
    assert ex.drawn()[0]["y"].tolist() == [0.0, 3.0, 6.0]
    with pytest.raises(ValueError, match="request"):
        ex.request("nope")


def test_mimebundle_has_view_picture_hint_and_spec():
    ex = _field_stage()
    bundle = ex._repr_mimebundle_()
    assert "application/vnd.jupyter.widget-view+json" in bundle
    assert bundle["text/plain"] == LIVE_HINT and "live" in LIVE_HINT
    w, h = _png_size(base64.b64decode(bundle["image/png"]))
    assert (w, h) == (400, 300)
    spec = json.loads(json.dumps(bundle[MIME]))
    assert spec["format"] == "gradclip.explorer/1" and spec["name"] == "fields"
    assert [c["name"] for c in spec["controls"]] == ["a", "mode", "n"]


def test_page_values_are_kept_without_writing_back():
    ex = _field_stage()
    w = ex.widget
    sent = []
    w.observe(lambda ch: sent.append(ch["new"]), names="values")
    w.values = {"a": 10.0, "mode": "on", "n": 4}  # as if the page reported a drag
    assert ex.values == {"a": 10.0, "mode": "on", "n": 4}
    assert sent == [{"a": 10.0, "mode": "on", "n": 4}]  # nothing written back
    ex.update(n=2)  # Python -> page
    assert w.values["n"] == 2


@pytest.mark.parametrize("call, match", [
    (lambda st, ax: Stage("", st.fig), "name"),
    (lambda st, ax: Stage("x", "not a figure"), "fig"),
    (lambda st, ax: st.slider("b", [2.0, 1.0]), "values"),
    (lambda st, ax: st.slider("a", [1.0, 2.0]), "already"),
    (lambda st, ax: st.int_slider("m", 3, 3), "hi"),
    (lambda st, ax: st.toggle("t", ["one"]), "options"),
    (lambda st, ax: st.array("z", [1.0, 2.0], ("a",)), "axis 'a'"),
    (lambda st, ax: st.array("z", [[1.0]], ("a",)), "dimensions"),
    (lambda st, ax: st.line(ax, "nope", 0.0), "unknown array"),
    (lambda st, ax: st.line(ax, 0.0, 0.0, ls="~"), "ls"),
    (lambda st, ax: st.line(ax, 0.0, 0.0, marker="?"), "marker"),
    (lambda st, ax: st.line(ax, 0.0, 0.0, cut="nope"), "cut"),
    (lambda st, ax: st.line(Figure().add_subplot(), 0.0, 0.0), "ax"),
    (lambda st, ax: st.build({"a": 5.0}), "a="),
    (lambda st, ax: st.build({}), "values"),
])
def test_invalid_declarations_raise_value_error_naming_the_argument(call, match):
    fig = Figure(figsize=(3, 2))
    ax = fig.add_subplot()
    st = Stage("bad", fig)
    st.slider("a", [1.0, 2.0, 3.0])
    with pytest.raises(ValueError, match=match):
        call(st, ax)


def _picture_stage(ratio):
    fig, lin, log = _figure()
    st = Stage("pic", fig, pixel_ratio=ratio)
    st.slider("k", [1.0, 2.0, 4.0], log=False)
    st.array("xs", [-2.0, 0.0, 4.0], ("i",))
    st.array("ys", [[0.0, 1.0, 2.0], [0.0, 2.0, 4.0], [0.0, 4.0, 8.0]], ("k", "i"))
    st.line(lin, "xs", "ys", along="i", color="#d55e00", lw=3)
    return st.build({"k": 2.0}), lin


@pytest.mark.parametrize("ratio", [1.0, 2.0])
def test_stored_picture_is_the_full_matplotlib_drawing(ratio):
    """The picture rasterises only the moving layer over the cached static layer; it must
    equal a plain draw of the whole figure with the same line added, and leave the figure as
    it was (no artist, same limits, same static pixels)."""
    from matplotlib.backends.backend_agg import FigureCanvasAgg

    ex, lin = _picture_stage(ratio)
    before = ex._stage.render()
    n_lines, limits = len(lin.lines), (lin.get_xlim(), lin.get_ylim())
    picture = np.asarray(Image.open(io.BytesIO(ex.picture())))
    assert len(lin.lines) == n_lines and (lin.get_xlim(), lin.get_ylim()) == limits
    assert np.array_equal(ex._stage.render(), before)

    line, = lin.plot([-2.0, 0.0, 4.0], [0.0, 2.0, 4.0], color="#d55e00", lw=3)
    fig = ex.fig
    dpi = fig.dpi
    fig.dpi = dpi * ratio
    canvas = FigureCanvasAgg(fig)
    canvas.draw()
    full = np.asarray(canvas.buffer_rgba())[..., :3].astype(int)
    fig.dpi = dpi
    line.remove()
    assert picture.shape == full.shape
    assert np.abs(picture.astype(int) - full).max() <= 2
    orange = (np.abs(picture.astype(int) - [213, 94, 0]).max(axis=-1) < 30).sum()
    assert orange > 100 * ratio ** 2  # the line is really there


def test_arrays_in_any_memory_order_round_trip():
    """A Fortran-ordered or strided array (e.g. from fancy indexing) encodes like its copy."""
    a = np.arange(24.0).reshape(4, 6) / 7
    for view in (np.asfortranarray(a), a[:, [5, 0, 3]], a[::2, ::-1]):
        spec = encoding.encode_array(view, quantum=1e-3)
        np.testing.assert_allclose(encoding.decode_array(spec), view, atol=1e-3)
