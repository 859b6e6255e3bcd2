"""setup() and presentation(): rcParams switch both ways, bad input is rejected."""

import matplotlib as mpl
import numpy as np
import pytest

import gradclip
from gradclip import style


@pytest.fixture(autouse=True)
def _restore(monkeypatch):
    monkeypatch.delenv("GRADCLIP_PRESENTATION", raising=False)
    saved = mpl.rcParams.copy()
    yield
    mpl.rcParams.update(saved)
    style._state["presentation"] = False


def test_setup_sets_normal_style_and_seeds():
    rng = gradclip.setup(seed=3)
    assert rng.normal() == np.random.default_rng(3).normal()
    assert mpl.rcParams["font.size"] == 11
    assert tuple(mpl.rcParams["figure.figsize"]) == (8.0, 4.5)
    assert not gradclip.style.is_presentation()


def test_presentation_switches_both_ways():
    gradclip.setup(seed=0)
    assert gradclip.presentation() is True
    assert style.is_presentation()
    # the whole figure grows: same size in inches and points, drawn 1.5 times denser
    assert mpl.rcParams["figure.dpi"] == mpl.rcParams["savefig.dpi"] == 150
    assert mpl.rcParams["font.size"] == 11
    assert tuple(mpl.rcParams["figure.figsize"]) == (8.0, 4.5)
    assert gradclip.presentation(False) is False
    assert not style.is_presentation()
    assert mpl.rcParams["figure.dpi"] == 100


def test_setup_presentation_flag_and_reset():
    gradclip.setup(seed=0, presentation=True)
    assert style.is_presentation() and mpl.rcParams["figure.dpi"] == 150
    gradclip.setup(seed=0)
    assert not style.is_presentation() and mpl.rcParams["figure.dpi"] == 100


def test_every_projector_key_grows():
    gradclip.setup(seed=0)
    small = {k: mpl.rcParams[k] for k in style._PROJECTOR}
    gradclip.presentation()
    for key, value in small.items():
        big = mpl.rcParams[key]
        assert np.all(np.asarray(big, dtype=float) > np.asarray(value, dtype=float)), key


@pytest.mark.parametrize("value", ["1", "true", "YES", " on "])
def test_environment_turns_projector_mode_on(monkeypatch, value):
    monkeypatch.setenv("GRADCLIP_PRESENTATION", value)
    gradclip.setup(seed=0)
    assert style.is_presentation() and mpl.rcParams["figure.dpi"] == 150


@pytest.mark.parametrize("value", ["", "0", "false", "off"])
def test_environment_leaves_normal_mode(monkeypatch, value):
    monkeypatch.setenv("GRADCLIP_PRESENTATION", value)
    gradclip.setup(seed=0)
    assert not style.is_presentation()


@pytest.mark.parametrize("bad", ["yes", 1, 0, None, 1.0])
def test_presentation_rejects_non_bool(bad):
    with pytest.raises(ValueError, match="on must be True or False"):
        gradclip.presentation(bad)
    with pytest.raises(ValueError, match="presentation must be True or False"):
        gradclip.setup(seed=0, presentation=bad)


@pytest.mark.parametrize("bad", [-1, 1.5, "0", True, None])
def test_setup_rejects_bad_seed(bad):
    with pytest.raises(ValueError, match="seed"):
        gradclip.setup(seed=bad)


def test_projector_mode_scales_a_figure_uniformly():
    """Every text keeps its place relative to the figure: sizes in pixels grow by one factor."""
    import matplotlib.pyplot as plt

    def extents(on):
        gradclip.setup(seed=0, presentation=on)
        fig, ax = plt.subplots()
        ax.plot([0, 1], [0, 1], label="a line")
        ax.set_title("title"); ax.set_xlabel("x"); ax.legend()
        fig.canvas.draw()
        r = fig.canvas.get_renderer()
        boxes = [t.get_window_extent(r).bounds for t in (ax.title, ax.xaxis.label)]
        size = fig.canvas.get_width_height()
        plt.close(fig)
        return np.array(boxes), np.array(size)

    small, small_size = extents(False)
    big, big_size = extents(True)
    np.testing.assert_allclose(big_size / small_size, style.PROJECTOR_SCALE, rtol=0.01)
    np.testing.assert_allclose(big, small * style.PROJECTOR_SCALE, rtol=0.03, atol=2)


def test_page_css_hides_exercises_only_in_dashboards_and_grows_text_in_projector_mode():
    normal, big = style.page_css(False), style.page_css(True)
    assert "#rendered_cells .gradclip-exercise" in normal and "max-width: 100%" in normal
    assert "font-size: 22px" in big and "font-size: 22px" not in normal


def test_import_stays_numpy_only():
    import subprocess
    import sys

    code = "import gradclip, sys; print('matplotlib' in sys.modules)"
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "False"


def test_page_css_carries_the_cjk_font_inline():
    """setup()'s styles declare the CJK subset as a data: URI a font parser can read."""
    import base64
    import io
    import re

    from fontTools.ttLib import TTFont

    css = style.page_css(False)
    faces = re.findall(r'@font-face \{ font-family: "([^"]+)"; src: url\("data:font/woff;base64,'
                       r'([A-Za-z0-9+/=]+)"\)', css)
    assert [family for family, _ in faces] == ["gradclip CJK"]
    data = base64.b64decode(faces[0][1], validate=True)
    assert len(data) < 40_000
    cmap = TTFont(io.BytesIO(data)).getBestCmap()
    assert {ord(ch) for ch in "梯度爆炸消失，"} <= set(cmap)
    # rendered prose keeps JupyterLab's fonts and falls back to the subset last
    rule = re.search(r"\.jp-RenderedMarkdown, \.jp-RenderedHTMLCommon \{\s*font-family: ([^;]+);", css)
    assert rule[1].startswith("var(--jp-content-font-family") and rule[1].endswith('"gradclip CJK"')
    assert style.page_css(True).startswith(css.split("\n")[0])  # projector mode has it too


def test_cjk_font_face_rejects_unsafe_urls():
    for bad in ["", 'a"b', "a\\b", "a\nb", None]:
        with pytest.raises(ValueError, match="src must be a URL"):
            style.cjk_font_face(bad)


def test_setup_holds_numpy_blas_to_the_threads_asked_for():
    from gradclip import threads

    counts = lambda: [get() for _, get in threads._openblas()]  # noqa: E731
    assert counts(), "numpy's OpenBLAS was not found"
    was = threads.set_blas_threads(2)
    try:
        style.setup(seed=0)
        assert counts() == [1] * len(counts())
        threads.set_blas_threads(2)
        style.setup(seed=0, blas_threads=None)           # left alone
        assert counts() == [2] * len(counts())
        style.setup(seed=0, blas_threads=2)
        assert counts() == [2] * len(counts())
        for bad in (0, -1, 1.5, True, "1"):
            with pytest.raises(ValueError, match="blas_threads"):
                style.setup(seed=0, blas_threads=bad)
    finally:
        for c in set(was):
            threads.set_blas_threads(c)
        style.setup(seed=0)
