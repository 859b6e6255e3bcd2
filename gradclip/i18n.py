"""The language of what gradclip shows a reader: English (the source) or Chinese.

Every string the package shows — explorer controls, status lines, figure labels, exercise
feedback — is written in English in the code and translated on its way out by
:func:`translate`, from one catalog per language (the JSON files of ``gradclip/locale/<lang>/``, one per part
of the package). A catalog
maps an English string to its translation; an English entry may hold placeholders
(``"step {step}: loss {loss}"``), which match any text in a shown string and are carried into
the translation by name, so strings formatted with numbers need one entry, not one per number.

The language is set for a notebook by ``gradclip.setup(lang="zh")`` (:func:`set_language`) and
can be given per explorer. The catalog is keyed by the English text itself (as gettext is):
when an English string changes, its old entry no longer matches and the tests that scan every
shown string report the new one as untranslated.

Examples
--------
>>> translate("learning rate", "zh")
'学习率'
>>> translate("learning rate", "en")
'learning rate'
>>> message("{name} = {value} is right", "zh", name="lr", value="0.5")
'lr = 0.5 正确'
"""

import functools
import json
import re
from pathlib import Path
from string import Formatter

__all__ = ["LANGUAGES", "set_language", "language", "check_language", "translate", "message",
           "catalog", "untranslated", "clear_untranslated"]

#: The languages a reader can choose; English is the source.
LANGUAGES = ("en", "zh")
LOCALE = Path(__file__).resolve().parent / "locale"
_state = {"lang": "en"}
_missing = {}


def check_language(lang, name="lang"):
    """``lang`` if it is one of :data:`LANGUAGES` (``None``: the current language)."""
    if lang is None:
        return _state["lang"]
    if lang not in LANGUAGES:
        raise ValueError(f"{name} must be one of {LANGUAGES}, got {lang!r}")
    return lang


def set_language(lang):
    """Show every later figure, explorer and message in ``lang`` ('en' or 'zh')."""
    _state["lang"] = check_language(lang)
    return _state["lang"]


def language():
    """The current language ('en' unless :func:`set_language` chose another)."""
    return _state["lang"]


@functools.lru_cache(maxsize=None)
def catalog(lang):
    """``(exact, patterns)`` of ``lang``: a dict of every entry and a list of
    ``(regex, translation template, field names)`` for entries with placeholders."""
    lang = check_language(lang)
    if lang == "en":
        return {}, []
    entries = {}
    for path in sorted((LOCALE / lang).glob("*.json")):
        for en, tr in json.loads(path.read_text(encoding="utf-8"))["strings"].items():
            if en in entries and entries[en][0] != tr:
                raise ValueError(f"{path.name}: {en!r} is translated twice: {entries[en][0]!r}, {tr!r}")
            entries[en] = (tr, path)
    exact, patterns = {}, []
    for en, (tr, path) in entries.items():
        exact[en] = tr  # a template is also looked up whole, by :func:`message`
        fields = _fields(en)
        if not fields:
            continue
        if set(_fields(tr)) != set(fields):
            raise ValueError(f"catalog {path.name}: {en!r} and {tr!r} name different fields")
        patterns.append((_regex(en), tr, fields))
    patterns.sort(key=lambda p: -len(p[0].pattern))  # the most specific entry first
    return exact, patterns


def _fields(template):
    """The placeholders of ``template``; braces inside ``$math$`` are TeX, not placeholders."""
    plain = re.sub(r"\$[^$]*\$", "", template)
    return [name for _, name, _, _ in Formatter().parse(plain) if name is not None]


def _regex(template):
    out = []
    for literal, name, _, _ in Formatter().parse(template):
        out.append(re.escape(literal))
        if name is not None:
            out.append(f"(?P<{name}>.+?)")
    return re.compile("".join(out) + r"\Z", re.S)


def translate(text, lang=None):
    """``text`` in ``lang`` (default: the current language).

    A fixed entry matches the whole string; otherwise the first entry with placeholders whose
    literal parts match, its fields filled from the matched text. A string with no entry comes
    back unchanged and is recorded (see :func:`untranslated`), unless it holds no letters
    (numbers, symbols, math).
    """
    if not isinstance(text, str):
        raise ValueError(f"text must be a string, got {text!r}")
    lang = check_language(lang)
    if lang == "en" or not text.strip():
        return text
    exact, patterns = catalog(lang)
    if text in exact:
        return exact[text]
    for regex, tr, _ in patterns:
        m = regex.match(text)
        if m:
            return tr.format(**{k: translate(s, lang) if _has_words(s) else s
                                for k, s in m.groupdict().items()})
    if _has_words(text):
        _missing.setdefault(lang, set()).add(text)
    return text


def message(template, lang=None, **fields):
    """The English ``template`` translated into ``lang``, then formatted with ``fields``.

    Use it where the package builds a sentence: the catalog entry is the template, so the
    translation can put the fields in its own order.
    """
    lang = check_language(lang)
    if lang != "en":
        exact, _ = catalog(lang)
        if template in exact:
            template = exact[template]
        elif _has_words(template):
            _missing.setdefault(lang, set()).add(template)
    return template.format(**fields)


_WORD = re.compile(r"(?<![\\$_{])\b[A-Za-z]{3,}\b")


def _has_words(text):
    """Whether ``text`` holds a word to translate: three letters or more outside math."""
    plain = re.sub(r"\$[^$]*\$", "", text)
    return bool(_WORD.search(plain))


def untranslated(lang="zh"):
    """The strings :func:`translate` and :func:`message` met without an entry (sorted)."""
    return sorted(_missing.get(check_language(lang), ()))


def clear_untranslated():
    """Forget the recorded untranslated strings."""
    _missing.clear()
