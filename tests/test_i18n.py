"""The package in Chinese: catalogs, translate/message, setup(lang=...), figures and exercise feedback.

Figures are checked by what is drawn: every text of a Chinese figure is read back from matplotlib
and searched for English words (three letters or more outside math), with an allow-list of
names that stay as they are (identifiers, model names, units).
"""

import json
import re
from pathlib import Path
from string import Formatter

import matplotlib
import numpy as np
import pytest

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402
import matplotlib.text  # noqa: E402

import gradclip  # noqa: E402
from gradclip import exercises, i18n, plots, style  # noqa: E402
from gradclip.plots.localize import localize, localized  # noqa: E402

LOCALE = Path(i18n.__file__).resolve().parent / "locale" / "zh"
GLOSSARY = Path(__file__).resolve().parents[1] / "translations" / "glossary.json"
#: Words a Chinese figure keeps in Latin letters: model and method names, identifiers, functions.
KEPT = {"MLP", "RNN", "CliffRNN", "SGD", "Adam", "AutoClip", "ZClip", "tanh", "relu", "sigmoid", "eps", "max",
        "min", "std", "log", "params"}


@pytest.fixture(autouse=True)
def _english_afterwards():
    saved = matplotlib.rcParams.copy()
    i18n.clear_untranslated()
    yield
    i18n.set_language("en")
    matplotlib.rcParams.update(saved)
    plt.close("all")


def fields(template):
    """The placeholders of ``template`` (braces inside ``$math$`` are TeX)."""
    plain = re.sub(r"\$[^$]*\$", "", template)
    return sorted(name for _, name, _, _ in Formatter().parse(plain) if name is not None)


def english_words(text):
    """Words of three letters or more outside math and {fields}, not parts of identifiers (h_t, W_hh)."""
    plain = re.sub(r"\$[^$]*\$|\{[^}]*\}", "", text)
    return [w for w in re.findall(r"(?<![\\_])\b[A-Za-z]{3,}\b(?!_)", plain) if w not in KEPT]


def drawn_texts(fig):
    fig.canvas.draw()
    return [t.get_text() for t in fig.findobj(matplotlib.text.Text) if t.get_visible() and t.get_text()]


@pytest.fixture
def zh():
    gradclip.setup(seed=0, lang="zh")


# --- translate and message -------------------------------------------------------------------

def test_translate_exact_pattern_and_english():
    assert i18n.translate("learning rate", "zh") == "学习率"
    assert i18n.translate("learning rate", "en") == "learning rate"
    # a placeholder matches any text; a field with words is translated in turn
    assert i18n.translate("global norm ≤ 1: final 0.036", "zh") == "全局范数 ≤ 1：最终 0.036"
    assert i18n.translate("diverged at step 17", "zh") == "在第 17 步发散"
    assert i18n.untranslated("zh") == []


def test_missing_strings_are_recorded_and_numbers_are_not():
    assert i18n.translate("a sentence nobody wrote", "zh") == "a sentence nobody wrote"
    assert i18n.translate("0.5 × 2/λmax", "zh") == "0.5 × 2/λmax"
    assert i18n.translate("$\\lambda_{max}$", "zh") == "$\\lambda_{max}$"
    assert i18n.untranslated("zh") == ["a sentence nobody wrote"]
    i18n.clear_untranslated()
    assert i18n.untranslated("zh") == []


def test_message_translates_the_template_then_fills_it():
    assert i18n.message("{name} = {value} is right", "zh", name="lr", value="0.5") == "lr = 0.5 正确"
    assert i18n.message("{name} = {value} is right", "en", name="lr", value="0.5") == "lr = 0.5 is right"
    assert i18n.message("an unknown template {x}", "zh", x=1) == "an unknown template 1"
    assert i18n.untranslated("zh") == ["an unknown template {x}"]


@pytest.mark.parametrize("bad", ["fr", "ZH", "", None, 1])
def test_language_is_checked(bad):
    if bad is not None:
        with pytest.raises(ValueError, match="lang must be one of"):
            i18n.untranslated(bad)
        with pytest.raises(ValueError, match="lang must be one of"):
            i18n.translate("loss", bad)
    with pytest.raises(ValueError, match="lang must be one of"):
        gradclip.setup(seed=0, lang=bad if bad is not None else "None")


# --- catalogs ---------------------------------------------------------------------------------

@pytest.mark.parametrize("name", ["plots.json", "exercises.json"])
def test_every_entry_keeps_its_fields_and_the_glossary(name):
    strings = json.loads((LOCALE / name).read_text(encoding="utf-8"))["strings"]
    assert len(strings) >= 30
    terms = json.loads(GLOSSARY.read_text(encoding="utf-8"))["terms"]
    for en, zh in strings.items():
        assert fields(en) == fields(zh), en
        for term in terms:  # an avoided variant, outside the term itself (尖锐度 holds 锐度)
            assert not any(a in zh.replace(term["zh"], "") for a in term["avoid"]), (en, zh, term["zh"])
        assert re.search(r"[\u4e00-\u9fff]", zh) or not english_words(en), (en, zh)
        # matplotlib draws a text with $...$ by mathtext, whose fonts have no CJK glyphs
        assert "$" not in zh or not re.search(r"[\u3000-\u9fff\uff00-\uffef]", zh), (en, zh)


def test_the_catalogs_load_together():
    exact, patterns = i18n.catalog("zh")  # an English string translated two ways would raise
    for name in ("plots.json", "exercises.json"):
        assert set(json.loads((LOCALE / name).read_text(encoding="utf-8"))["strings"]) <= set(exact)
    assert patterns


# --- setup(lang=...) --------------------------------------------------------------------------

def test_setup_zh_sets_language_and_font_and_en_undoes_it():
    gradclip.setup(seed=0, lang="zh")
    assert i18n.language() == "zh"
    assert list(matplotlib.rcParams["font.family"]) == ["sans-serif", style.CJK_FAMILY]
    assert matplotlib.rcParams["font.sans-serif"][-1] == style.CJK_FAMILY
    from matplotlib import font_manager

    assert Path(font_manager.findfont(style.CJK_FAMILY)) == style.CJK_FONT_OTF
    assert Path(font_manager.findfont(font_manager.FontProperties(family=style.CJK_FAMILY,
                                                                  weight="bold"))) == style.CJK_FONT_OTF
    gradclip.setup(seed=0)
    assert i18n.language() == "en"
    assert style.CJK_FAMILY not in matplotlib.rcParams["font.family"]
    assert style.CJK_FAMILY not in matplotlib.rcParams["font.sans-serif"]


def test_chinese_is_drawn_with_the_subset_not_as_boxes():
    """Each CJK character of a title comes from the subset: drawn ink differs between characters."""
    gradclip.setup(seed=0, lang="zh")
    fig = plt.figure(figsize=(2.0, 0.6), dpi=100)
    fig.text(0.05, 0.3, "梯度剪裁", fontsize=20)
    fig.canvas.draw()
    img = np.asarray(fig.canvas.buffer_rgba())[..., 0] < 128
    cols = np.flatnonzero(img.any(axis=0))
    assert cols.size > 40  # four glyphs of ink, not empty
    with pytest.warns(UserWarning, match="missing from font"):  # a character outside the subset
        fig.text(0.05, 0.05, "\u9fa0", fontsize=8)
        fig.canvas.draw()


def test_page_css_inlines_the_font_of_the_language():
    gradclip.setup(seed=0)
    small = len(style.page_css(False))
    gradclip.setup(seed=0, lang="zh")
    assert len(style.page_css(False)) > small * 5
    assert style.CJK_FONT_EN.stat().st_size < style.CJK_FONT.stat().st_size


# --- figures ----------------------------------------------------------------------------------

def test_localize_translates_texts_legends_and_tick_labels_in_place(zh):
    fig, ax = plt.subplots()
    ax.bar(["clip by value", "clip by norm"], [1.0, 2.0], label="final loss")
    ax.set_title("learning rate")
    ax.set_ylabel("‖gradient‖")
    ax.legend()
    ax.annotate("the wall", (0, 1))
    fig.suptitle("diverged at step 12")
    assert localize(fig, "zh") is fig
    texts = drawn_texts(fig)
    for zh in ("学习率", "‖梯度‖", "最终损失", "悬崖壁", "在第 12 步发散", "按值剪裁", "按范数剪裁"):
        assert zh in texts
    assert [t.get_text() for t in ax.get_yticklabels()][:2] == ["0.00", "0.25"]  # numbers keep their formatter
    before = list(texts)
    localize(fig, "zh")  # twice changes nothing, records nothing
    assert drawn_texts(fig) == before and i18n.untranslated("zh") == []
    with pytest.raises(ValueError, match="fig must be a matplotlib Figure"):
        localize(ax, "zh")
    with pytest.raises(ValueError, match="lang must be one of"):
        localize(fig, "de")


def test_english_figures_are_unchanged():
    fig = plots.rnn.through_time_figure(T=20, n=2)
    assert "gradient reaching step t" in " ".join(drawn_texts(fig))


def _cliff_figure():
    from gradclip.figures import cliff_runs

    prob, raw, clipped = cliff_runs()
    fig, ax = plt.subplots()
    plots.plot_cliff(ax, prob, raw, clipped)
    return fig


@pytest.mark.parametrize("draw", [
    lambda: plots.rnn.through_time_figure(T=20, n=2),
    _cliff_figure,
    lambda: plots.regimes_figure(*_regime_runs()),
    lambda: plots.depth.depth_lab_figure(*_depth_run()),
], ids=["through_time", "plot_cliff", "regimes", "depth_lab"])
def test_a_chinese_figure_has_no_english_word(zh, draw):
    fig = draw()
    words = sorted({w for text in drawn_texts(fig) for w in english_words(text)})
    assert words == [], [t for t in drawn_texts(fig) if english_words(t)]
    assert any(re.search(r"[\u4e00-\u9fff]", t) for t in drawn_texts(fig))
    assert i18n.untranslated("zh") == []


def _regime_runs():
    from gradclip.data import demo_regression
    from gradclip.solvers import classify_rate, run

    prob, theta0 = demo_regression()
    lam = prob.eigenvalues()[-1]
    trajs = [run(prob, theta0, f / lam, 20) for f in (0.1, 0.8, 1.8, 2.05)]
    return prob, trajs, [f"{classify_rate(f / lam, lam)}\nlr·λmax = {f:g}" for f in (0.1, 0.8, 1.8, 2.05)]


def _depth_run():
    from gradclip.plots import depth

    X, y = depth.depth_task()
    run = depth.depth_run(depth.depth_net(6, "tanh", "xavier"), X, y, lr=0.05, steps=4, record_every=2)
    return run, 2, "tanh"


def test_animation_frames_are_translated(zh):
    from gradclip.data import demo_regression
    from gradclip.solvers import run

    prob, theta0 = demo_regression()
    traj = run(prob, theta0, 0.1, 6)
    anim = plots.descent_animation(prob, traj, *plots.view_box(theta0, prob.solution()), surface=False)
    anim._func(anim.frame_list[-1])  # the frame function sets "step k / n"
    assert anim.scene.step_text.get_text() == "第 6 / 6 步"


def test_a_file_writer_saves_the_chinese_figure(zh, tmp_path, monkeypatch):
    saved = []

    def write(path):
        fig, ax = plt.subplots()
        ax.set_title("the wall")
        fig.savefig(path)
        saved.append(ax.get_title())

    localized(write)(tmp_path / "a.png")
    assert saved == ["悬崖壁"] and (tmp_path / "a.png").stat().st_size > 0
    from matplotlib.figure import Figure

    assert Figure.savefig.__name__ == "savefig"  # restored after the call


def test_every_public_plot_function_is_wrapped_once():
    import inspect

    for module in (plots.animation, plots.depth, plots.eos, plots.practice, plots.rnn, plots.theory,
                   plots.theoryfigs):
        for name in module.__all__:
            func = getattr(module, name)
            if inspect.isfunction(func):
                assert hasattr(func, "__wrapped__") and not hasattr(func.__wrapped__, "__wrapped__"), name
    assert plots.plot_cliff is plots.clipping.plot_cliff


# --- exercise feedback ------------------------------------------------------------------------

def _zh(fb):
    return repr(fb)


def test_every_check_speaks_chinese(zh):
    q = gradclip.Quadratic.with_condition(10.0)  # lambda_max = 1, edge 2
    cases = {
        "waiting": (exercises.check_edge(q, None), "✎ 请输入答案：把 None 换成你的稳定边界"),
        "number right": (exercises.check_edge(q, 2.0), "✓ 稳定边界 = 2 正确（精确值：2）"),
        "number wrong": (exercises.check_edge(q, 1.5), "✗ 稳定边界 = 1.5 偏差 25 %（计算 2 / 海森矩阵的最大特征值）"),
        "regime right": (exercises.check_regime(q, 0.1, "slow"), "✓ lr = 0.1 属于「缓慢」：lr * lambda_max = 0.1"),
        "regime wrong": (exercises.check_regime(q, 0.1, "good"),
                         "✗ 不是 'good'：把 lr * lambda_max 与 0.25、1 和 2 比较"),
        "clip right": (exercises.check_clip([3.0, 4.0], 1.0, "norm", [0.6, 0.8]), "✓ 按范数剪裁：[0.6, 0.8]"),
        "clip wrong": (exercises.check_clip([3.0, 4.0], 1.0, "value", [3.0, 4.0]),
                       "✗ 还不对：把每个分量剪裁到 [-threshold, threshold]"),
        "angle": (exercises.check_angle([2.0, 0.5], 1.0, 3.0), "✗ 3 度不对：用 cos(angle) = g·c / (|g| |c|)"),
        "global norm": (exercises.check_global_norm([[3.0, 4.0]], 5.0), "✓ 全局范数 = 5 正确（精确值：5）"),
        "array": (exercises.check_array([1.0, 2.0], [1.0, 3.0]), "✗ answer 与正确值相差最大的是第 1 个分量：2，应为 3"),
        "range": (exercises.check_range(3.0, lambda a: a * a, 1.0, 10.0),
                  "✓ answer = 3 时，结果为 9，在 1 与 10 之间"),
        "function": (exercises.check_function(lambda x: x, np.sin, [(1.0,)]),
                     "✗ 你的函数(1.0) 得到 1.0，应为 0.841471"),
        "function right": (exercises.check_function(np.sin, np.sin, [(1.0,)]),
                           "✓ 你的函数 在全部 1 个用例上与参考结果一致"),
    }
    for key, (fb, expected) in cases.items():
        assert _zh(fb) == expected, key
    assert i18n.untranslated("zh") == []


def test_feedback_keeps_its_verdict_and_takes_translated_regimes(zh):
    q = gradclip.Quadratic.with_condition(10.0)
    assert exercises.check_regime(q, 0.1, "缓慢") and not exercises.check_regime(q, 0.1, "良好")
    assert exercises.check_number(None, 1.0).correct is None
    i18n.set_language("en")
    assert repr(exercises.check_edge(q, 2.0)) == "✓ edge = 2 is right (exact: 2)"


def test_hints_and_names_from_a_notebook(zh):
    # an English hint with an entry is translated; a Chinese one, or one without an entry, is kept
    fb = exercises.check_global_norm([[3.0, 4.0]], 4.0)
    assert "把每个数组的每个分量平方" in repr(fb)
    fb = exercises.check_number(3.0, np.pi, name="因子", hint="再多算几位")
    assert repr(fb) == "✗ 因子 = 3 偏差 4.5 %（再多算几位）"
    fb = exercises.check_number(3.0, np.pi, name="x", hint="an English hint without an entry")
    assert repr(fb).endswith("（an English hint without an entry）")
    assert i18n.untranslated("zh") == []


def test_the_figure_builder_writes_chinese_figures_into_zh(tmp_path):
    from gradclip import figures

    written = figures.main(["--lang", "zh", "--only", "04_clipping_geometry.png"], output_dir=tmp_path)
    assert written == [tmp_path / "zh" / "04_clipping_geometry.png"] and written[0].stat().st_size > 10_000
    assert i18n.language() == "en" and i18n.untranslated("zh") == []  # builder leaves English behind
