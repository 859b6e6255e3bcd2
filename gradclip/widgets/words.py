"""The words an explorer shows, in its language.

An explorer is written in English: control labels, toggle options, status and label templates,
the names a field picks, the keys and labels of its static figure. When it is built in another
language (``lang`` of a factory, else the one ``gradclip.setup(lang=...)`` chose), every one of
them is translated once, at build, from the catalog of :mod:`gradclip.i18n`
(``gradclip/locale/<lang>/widgets.json``): the figure's texts by
:func:`gradclip.plots.localize.localize` before the picture is drawn, the spec's by
:func:`translate_spec`. The page has no words of its own: the few it needs (the busy mark, the
play button's name, the line shown where only a kernel can compute) come in ``spec["strings"]``
(:func:`page_strings`).

What stays English, so that a preset works in every language: control names and option
*values* (a toggle shows ``option_labels``, its options' translations), identifiers and numbers.
Templates keep their ``{field:format}`` placeholders; the translation may move them.

Examples
--------
>>> page_strings("demo", "en")["play"]
'play'
>>> translate_spec({"status": {"templates": ["step {k}"], "fields": {}}}, "en")["status"]
{'templates': ['step {k}'], 'fields': {}}
"""

from contextlib import contextmanager

from .. import i18n
from ..style import use_cjk_font

__all__ = ["PAGE", "LIVE_HINT", "speaking", "page_strings", "translate_spec", "shown_control",
           "text"]

#: The page's fixed words (``spec["strings"]``), in English; ``alt`` names the explorer.
PAGE = {"busy": "computing…", "play": "play", "pause": "pause",
        "needs_kernel": "This setting is computed by the kernel: run the notebook to see it.",
        "alt": "{name} explorer: axes and labels",
        "copy_link": "copy link", "link_copied": "link copied"}
#: The plain-text output: what to do to make the explorer live.
LIVE_HINT = "Run this notebook to make the sliders live (the picture shows the explorer's start)."


@contextmanager
def speaking(lang):
    """Within the block, ``lang`` is the current language (restored after), so that every
    figure and word an explorer's code makes is in ``lang``. For Chinese, matplotlib gets the
    CJK font first (:func:`gradclip.style.use_cjk_font`; a text takes its fonts when it is
    made) and keeps it: the stored picture draws its status line later."""
    lang = i18n.check_language(lang)
    if lang == "zh":
        use_cjk_font(True)
    old = i18n.language()
    i18n.set_language(lang)
    try:
        yield lang
    finally:
        i18n.set_language(old)


def text(s, lang):
    """``s`` translated, the whitespace around it kept (pieces of templates start with one)."""
    if not isinstance(s, str) or lang == "en" or not s.strip():
        return s
    core = s.strip()
    lead, trail = s[: len(s) - len(s.lstrip())], s[len(s.rstrip()):]
    return lead + i18n.translate(core, lang) + trail


def page_strings(name, lang):
    """The page's fixed words in ``lang`` (``spec["strings"]``)."""
    lang = i18n.check_language(lang)
    return {k: i18n.message(v, lang, name=name) if "{name}" in v else text(v, lang)
            for k, v in PAGE.items()}


def _field(f, lang, toggles):
    """A field with the words it can show translated: strings of ``where``, ``pick`` labels,
    string constants, and a toggle's value (shown as its option label: a ``pick`` by position).
    The numbers and the options a field tests (``isin``) are kept."""
    if isinstance(f, str):
        return text(f, lang)
    if not isinstance(f, dict):
        return f
    kind = f.get("kind")
    if kind == "value" and f["control"] in toggles:
        return {"kind": "pick", "field": {"kind": "position", "control": f["control"]},
                "labels": [text(o, lang) for o in toggles[f["control"]]]}
    if kind == "pick":
        return dict(f, field=_field(f["field"], lang, toggles),
                    labels=[text(s, lang) for s in f["labels"]])
    if kind == "where":
        return dict(f, cond=_field(f["cond"], lang, toggles), a=_field(f["a"], lang, toggles),
                    b=_field(f["b"], lang, toggles))
    if kind == "const" and isinstance(f.get("value"), str):
        return dict(f, value=text(f["value"], lang))
    return f


def translate_spec(spec, lang, toggles=None):
    """A copy of ``spec`` with the parts that hold words (``status``, text ``artists``)
    translated into ``lang``; ``toggles``: ``{name: options}`` of the toggle controls.

    Status and text templates are translated whole (an entry per template, its placeholders
    kept); the words of their fields one by one (:func:`_field`). Other keys are the same
    objects. English returns the spec as it is.
    """
    lang = i18n.check_language(lang)
    if lang == "en":
        return dict(spec)
    toggles = dict(toggles or {})

    def fields(fs):
        return {k: _field(f, lang, toggles) for k, f in fs.items()}

    out = dict(spec)
    if spec.get("status") is not None:
        st = spec["status"]
        out["status"] = dict(st, templates=[text(t, lang) for t in st["templates"]],
                             fields=fields(st["fields"]))
    if "artists" in spec:
        out["artists"] = [dict(a, template=text(a["template"], lang), fields=fields(a["fields"]))
                          if a.get("type") == "text" else a for a in spec["artists"]]
        # a line's own names for its values in the readout (the axes' come from the figure)
        out["artists"] = [dict(a, **{k: text(a[k], lang) for k in ("xname", "yname") if k in a})
                          for a in out["artists"]]
    return out


def shown_control(control, lang):
    """What a control shows in ``lang``: its ``label`` and, for a toggle in a language other
    than English, ``option_labels`` (the buttons show the options themselves without them)."""
    out = {"label": text(control.label, lang)}
    if lang != "en" and getattr(control, "options", None) is not None:
        out["option_labels"] = [text(o, lang) for o in control.options]
    return out
