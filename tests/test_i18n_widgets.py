"""Explorers in Chinese: every word an explorer shows comes from the catalog.

For every explorer factory, built with ``lang="zh"``: the words the page shows (control and
option labels, status and label templates, the words their fields pick, ``spec["strings"]``),
the texts of the static figure (titles, axis labels, keys, notes, tick labels) and the texts of
the stored picture of several states (status line and labels) hold no English word: no run of
three ASCII letters or more outside ``$math$``, except the identifiers and units of
:data:`ALLOWED`. The English build is the one built with ``lang`` omitted, and a preset made in
English gives the same values and the same drawing in Chinese.
"""

import json
import re
import warnings
from pathlib import Path

import matplotlib

matplotlib.use("Agg")

import matplotlib.text  # noqa: E402
import pytest  # noqa: E402
from matplotlib.figure import Figure  # noqa: E402

import gradclip  # noqa: E402
from gradclip import i18n, widgets  # noqa: E402
from gradclip.plots import animation  # noqa: E402
from gradclip.widgets import encoding, words  # noqa: E402
from gradclip.widgets.evaluate import Evaluator  # noqa: E402
from gradclip.widgets.stage import Stage, isin, pick, value, where  # noqa: E402

ROOT = Path(__file__).resolve().parents[1]
CATALOG = ROOT / "gradclip" / "locale" / "zh" / "widgets.json"
GLOSSARY = ROOT / "translations" / "glossary.json"
STATIC = ROOT / "gradclip" / "widgets" / "static"

#: Words that stay as they are in Chinese: identifiers (methods, activations, initialisations,
#: models) and units/functions written in formulas.
ALLOWED = {"lr", "Adam", "SGD", "AutoClip", "ZClip", "AGC", "RNN", "CliffRNN", "MLP", "tanh",
           "relu", "sigmoid", "xavier", "Student", "max", "min", "log", "nan", "inf",
           "grad_norm"}  # the column name a pasted table is read by (replay.js)
from conftest import EXPLORER_FACTORIES as FACTORIES, SMALL_SETTINGS as SMALL  # noqa: E402
_WORD = re.compile(r"[A-Za-z][A-Za-z_]{2,}")


def english_words(text):
    """The runs of three ASCII letters or more in ``text`` outside ``$math$`` and template
    ``{fields}``, and not in :data:`ALLOWED`."""
    plain = re.sub(r"\{[^{}]*\}", "", re.sub(r"\$[^$]*\$", "", text))
    return [w for w in _WORD.findall(plain) if w not in ALLOWED]


def _scene():
    prob, theta0 = widgets.demo_regression()
    runs = [gradclip.run(prob, theta0, lr, 20) for lr in (0.1, 0.5)]
    return animation.TrajectoryScene(prob, runs, ["no clipping", "clip by norm ≤ 0.5"], (-2, 8), (-2, 8))


def _build(name, **kw):
    gradclip.setup(seed=0)
    if name == "player":
        return widgets.player(_scene(), **kw)
    return getattr(widgets, name)(**SMALL.get(name, {}), **kw)


@pytest.fixture(scope="module")
def built():
    made = {}

    def get(name, lang):
        if (name, lang) not in made:
            with warnings.catch_warnings(record=True) as caught:
                warnings.simplefilter("always")
                ex = _build(name) if lang is None else _build(name, lang=lang)
                ex.picture()
            ex.missing_glyphs = [str(w.message) for w in caught if "missing from font" in str(w.message)]
            made[name, lang] = ex
        return made[name, lang]
    yield get
    i18n.set_language("en")


def _field_words(f):
    """The strings a field can show (the labels it picks, its string constants)."""
    if isinstance(f, str):
        return [f]
    if not isinstance(f, dict):
        return []
    kind = f.get("kind")
    if kind == "pick":
        return list(f["labels"]) + _field_words(f["field"])
    if kind == "where":
        return _field_words(f["a"]) + _field_words(f["b"]) + _field_words(f["cond"])
    if kind == "const" and isinstance(f.get("value"), str):
        return [f["value"]]
    return []


def spec_texts(spec):
    """Every string of ``spec`` the page shows (the explorer's name taken out of the alt text)."""
    out = []
    for c in spec["controls"]:
        out.append(c["label"])
        out += c.get("option_labels", [])
    st = spec.get("status")
    if st is not None:
        out += st["templates"]
        for f in st["fields"].values():
            out += _field_words(f)
    for a in spec["artists"]:
        if a["type"] == "text":
            out.append(a["template"])
            for f in a["fields"].values():
                out += _field_words(f)
    out += [s.replace(spec["name"], "") for s in spec["strings"].values()]
    out += list(spec.get("replay", {}).get("strings", {}).values())  # the "your log" panel
    out += [a[k] for a in spec["artists"] for k in ("xname", "yname") if k in a]  # readout names
    out += [A[k]["name"] for A in spec["axes"] for k in ("x", "y") if k in A and "name" in A[k]]
    return out


def figure_texts(fig):
    """The texts of a matplotlib figure (titles, labels, keys, notes, tick labels)."""
    return [t.get_text() for t in fig.findobj(matplotlib.text.Text) if t.get_text()]


def _states(ex):
    """The start, each toggle's every option and every other control's ends."""
    start = ex.values
    states = [start]
    for name, c in ex.controls.items():
        ends = c.options if c.kind == "toggle" else (
            [c.values[0], c.values[-1]] if c.kind == "slider" else [c.lo, c.hi])
        states += [dict(start, **{name: v}) for v in ends]
    return states


def picture_texts(ex):
    """The texts of the stored picture of several states: status line and labels."""
    start, out = ex.values, []
    try:
        for vals in _states(ex):
            ex.update(**vals)
            out.append(ex.status_text)
            out += [d["text"] for d in ex.drawn() if d["type"] == "text"]
    finally:
        ex.update(**start)
    return out


def untranslated_in(ex):
    """``{text: [English words]}`` of everything ``ex`` shows."""
    texts = spec_texts(ex.to_spec()) + figure_texts(ex.fig) + picture_texts(ex)
    return {t: english_words(t) for t in texts if english_words(t)}


# ---------------------------------------------------------------- every explorer in Chinese

_MATH = re.compile(r"\$[^$]*\$")
_CJK = re.compile(r"[\u3000-\u303f\u3400-\u9fff\uff00-\uffef]")


@pytest.mark.parametrize("name", FACTORIES)
def test_chinese_explorer_shows_no_english_word(built, name):
    ex = built(name, "zh")
    assert ex.lang == "zh" and ex.spec["lang"] == "zh"
    assert untranslated_in(ex) == {}
    assert ex.missing_glyphs == []  # matplotlib has the CJK font for every text it draws
    # matplotlib draws a text with $math$ in it entirely with the math fonts, which have no CJK
    assert [t for t in figure_texts(ex.fig) if _MATH.search(t) and _CJK.search(t)] == []
    assert ex.picture()[:4] == b"\x89PNG"  # the stored picture draws with these texts


@pytest.mark.parametrize("name", FACTORIES)
def test_english_build_is_the_build_without_lang(built, name):
    en, default = built(name, "en"), built(name, None)
    assert en.lang == default.lang == "en"
    assert en.spec_json() == default.spec_json()
    assert spec_texts(en.to_spec()) == spec_texts(default.to_spec())
    assert figure_texts(en.fig) == figure_texts(default.fig)
    assert not any("option_labels" in c for c in en.spec["controls"])  # the buttons show the options


@pytest.mark.parametrize("name", FACTORIES)
def test_english_preset_gives_the_same_state_in_chinese(built, name):
    en, zh = built(name, "en"), built(name, "zh")
    start_en, start_zh = en.values, zh.values
    try:
        for vals in _states(en)[1:]:
            preset = en.update(**vals).preset()
            zh.apply_preset(preset)
            assert zh.values == en.values and zh.preset() == preset
            assert [d["type"] for d in zh.drawn()] == [d["type"] for d in en.drawn()]
            assert _case(zh) == _case(en)
    finally:
        en.update(**start_en)
        zh.update(**start_zh)


def _case(ex):
    """Which status template the explorer shows now (None without a status line)."""
    spec = ex.to_spec()
    if spec["status"] is None:
        return None
    ev = Evaluator(spec, {k: encoding.decode_array(a) for k, a in spec["arrays"].items()}, ex.controls)
    return ev.field(spec["status"]["case"], ex.values, ev.positions(ex.values))


# ---------------------------------------------------------------- the language, where it comes from

def test_setup_language_is_the_default_and_lang_overrides_it():
    try:
        i18n.set_language("zh")
        ex = widgets.learning_rate_explorer(steps=20)
        en = widgets.learning_rate_explorer(steps=20, lang="en")
        assert i18n.language() == "zh"  # a factory's lang does not change the reader's language
    finally:
        i18n.set_language("en")
    assert ex.lang == "zh" and untranslated_in(ex) == {}
    assert en.lang == "en" and en.controls["steps"].label == "steps"
    assert en.spec["strings"]["play"] == "play" and ex.spec["strings"]["play"] == "播放"


def test_factories_take_lang_and_reject_a_bad_one():
    for name in FACTORIES:
        sig = getattr(widgets, name).__signature__
        assert "lang" in sig.parameters, name
        assert "lang : {'en', 'zh'}" in getattr(widgets, name).__doc__, name
    with pytest.raises(ValueError, match="lang must be one of"):
        widgets.learning_rate_explorer(lang="fr")


def test_stage_build_lang_translates_labels_options_status_and_figure():
    fig = Figure(figsize=(4, 3))
    ax = fig.add_subplot()
    ax.set_xlabel("step")
    ax.set_title("no clipping")
    st = Stage("demo", fig, lang="en")
    st.toggle("clip", ["none", "norm"], label="clip")
    st.slider("lr", [0.1, 0.2], label="threshold")
    st.array("y", [[1.0, 2.0], [3.0, 4.0]], ("clip", "lr"))
    st.text(ax, 0.5, 0.5, "loss after {n} steps", {"n": value("lr")})
    st.status(["no clipping", "diverged at step {k}  (lr = {lr:.3g}, clip = {clip})"],
              case=isin("clip", ["norm"]), fields={"k": 3, "lr": value("lr"), "clip": value("clip"),
                                                   "w": where(isin("clip", ["none"]), "+ skips", ""),
                                                   "r": pick(0, ["oscillating"])})
    ex = st.build({"clip": "norm", "lr": 0.1}, lang="zh")
    assert [c["label"] for c in ex.spec["controls"]] == ["剪裁", "阈值"]
    assert ex.spec["controls"][0]["options"] == ["none", "norm"]  # values: presets stay as they are
    assert ex.spec["controls"][0]["option_labels"] == ["无", "按范数"]
    assert ex.status_text == "在第 3 步发散（lr = 0.1，剪裁 = 按范数）"
    assert ex.update(clip="none").status_text == "不剪裁"
    assert ex.spec["status"]["fields"]["w"]["a"] == "+ 残差连接"
    assert ex.spec["status"]["fields"]["r"]["labels"] == ["振荡"]
    assert [d["text"] for d in ex.drawn() if d["type"] == "text"] == ["0.1 步后的损失"]
    assert (ax.get_xlabel(), ax.get_title()) == ("步数", "不剪裁")
    assert ex.apply_preset("clip=norm;lr=0.2").values == {"clip": "norm", "lr": 0.2}
    with pytest.raises(ValueError, match="already in 'zh'"):
        st.build({"clip": "norm", "lr": 0.1}, lang="en")


def test_plain_text_output_and_page_words_follow_the_language(built):
    zh = built("learning_rate_explorer", "zh")
    bundle = zh._repr_mimebundle_()
    assert bundle["text/plain"] == i18n.translate(words.LIVE_HINT, "zh") != words.LIVE_HINT
    assert set(zh.spec["strings"]) == set(words.PAGE)
    assert not any(english_words(s.replace(zh.name, "")) for s in zh.spec["strings"].values())


def test_the_page_code_has_no_words_of_its_own():
    code = "\n".join(p.read_text(encoding="utf-8") for p in sorted((STATIC / "explorer").glob("*.js")))
    code += (STATIC / "explorer.js").read_text(encoding="utf-8")
    for english in (words.PAGE["needs_kernel"], "explorer: axes and labels", "computing"):
        assert english not in code
    shown = re.findall(r"""(?:textContent\s*=|"aria-label",|\.alt\s*=)\s*["'`]([^"'`]*)""", code)
    assert shown and not [s for s in shown if english_words(s)]  # "▶", "❚❚" only


# ---------------------------------------------------------------- the catalog

def _placeholders(s):
    return sorted(re.findall(r"\{[^{}$]*\}", re.sub(r"\$[^$]*\$", "", s)))


def test_catalog_entries_keep_their_placeholders_and_the_glossary():
    strings = json.loads(CATALOG.read_text(encoding="utf-8"))["strings"]
    assert len(strings) > 200
    terms = json.loads(GLOSSARY.read_text(encoding="utf-8"))["terms"]
    for en, zh in strings.items():
        assert _placeholders(en) == _placeholders(zh), en  # names and formats
        # the glossary's term, never a variant it lists to avoid (锐度 inside 尖锐度 is the term)
        assert not [b for t in terms for b in t["avoid"] if b in zh.replace(t["zh"], "\0")], (en, zh)
        assert not english_words(zh), (en, zh)


def test_a_missing_catalog_entry_is_found(monkeypatch):
    """The scan fails when one entry is taken out of the catalog (here the title of the
    learning-rate explorer's surface and one status template)."""
    exact, patterns = i18n.catalog("zh")
    gone = {"trajectory on the loss surface",
            "{regime}: lr = {lr:.3g} = {ratio:.2g} × edge ({edge:.3g}) · J − Jₘᵢₙ = {ex:.2g} "
            "after {steps} steps"}
    assert gone <= set(exact)
    fewer = ({k: v for k, v in exact.items() if k not in gone},
             [p for p in patterns if p[1] not in {exact[g] for g in gone}])
    monkeypatch.setattr(i18n, "catalog", lambda lang: fewer)
    ex = widgets.learning_rate_explorer(steps=20, lang="zh")
    found = untranslated_in(ex)
    assert "trajectory on the loss surface" in found
    assert any(t.startswith("{regime}: lr =") for t in found)
