"""The Chinese notebooks stay in step with the English ones they translate.

* every markdown cell of every English notebook has a Chinese entry; no entry translates an
  older English text (its hash names the English it was written for) or a cell that is gone;
* a translated code cell is the English program (comments and message strings aside);
* each committed ``notebooks/zh/`` notebook has exactly the cells the build script makes;
* the checked cells of a zh notebook print the same numbers as the English notebook;
* the glossary's terms are used one way.
"""

import importlib.util
import json
import re
from pathlib import Path

import nbformat
import pytest

ROOT = Path(__file__).resolve().parents[1]
_spec = importlib.util.spec_from_file_location("translate_notebooks",
                                               ROOT / "scripts" / "translate_notebooks.py")
tn = importlib.util.module_from_spec(_spec)
_spec.loader.exec_module(tn)

ENGLISH = tn.english_notebooks()
GLOSSARY = json.loads((ROOT / "translations" / "glossary.json").read_text(encoding="utf-8"))["terms"]
NUMBER = re.compile(r"[-+]?(?:\d+\.?\d*|\.\d+)(?:[eE][-+]?\d+)?|nan|inf")


def test_there_are_nine_english_notebooks():
    assert [p.name[:2] for p in ENGLISH] == [f"{i:02d}" for i in range(9)]


@pytest.mark.parametrize("path", ENGLISH, ids=lambda p: p.stem)
def test_catalog_in_step(path):
    found = tn.problems(path)
    assert not any(found.values()), (
        f"{path.name}: {found} (python scripts/translate_notebooks.py status {path.name[:2]})")


@pytest.mark.parametrize("path", ENGLISH, ids=lambda p: p.stem)
def test_committed_zh_notebook_is_the_build(path):
    committed = tn.target(path)
    assert committed.exists(), f"{committed} is missing: run the build script and execute it"
    assert tn.same_cells(nbformat.read(committed, as_version=4), tn.build(path)), (
        f"{committed.name} differs from what scripts/translate_notebooks.py build makes")


def test_a_changed_english_sentence_makes_its_entry_stale(tmp_path):
    """Edit one sentence of an English notebook (a copy): its entry turns stale and the build
    of the committed zh notebook no longer matches."""
    src = ENGLISH[1]
    nb = nbformat.read(src, as_version=4)
    cell = next(c for c in nb.cells if c.cell_type == "markdown" and "learning rate" in c.source)
    cell.source = cell.source.replace("learning rate", "step size", 1)
    copy = tmp_path / src.name
    nbformat.write(nb, copy)  # same name: the catalog of notebook 01 is used
    assert tn.problems(src)["stale"] == []
    assert tn.problems(copy)["stale"] == [cell.id]


def test_a_changed_program_is_rejected():
    english = 'x = gc.run(p, lr=0.1)\nprint("edge", round(x, 3), hint="h")\n'
    assert tn.code_differences(english, '# 注释\nx = gc.run(p, lr=0.1)\nprint("边缘", round(x, 3), hint="提示")\n') == ""
    assert tn.code_differences(english, 'x = gc.run(p, lr=0.2)\nprint("边缘", round(x, 3), hint="h")\n')
    assert tn.code_differences(english, 'x = gc.run(p, lr="0.1")\nprint("edge", round(x, 3), hint="h")\n')


def test_paths_move_one_folder_down():
    text = '![a](../figures/01_regimes.png) <img src="../figures/x.gif"> [r](../README.md#setup)'
    out = tn.rewrite_paths(text)
    assert "](../../figures/" in out and 'src="../../figures/' in out
    assert "](../../README.zh-CN.md#setup)" in out
    assert tn.rewrite_code('rng = gc.setup(seed=0)') == 'rng = gc.setup(seed=0, lang="zh")'
    assert tn.rewrite_code('gc.setup()') == 'gc.setup(lang="zh")'


def _checked_numbers(path):
    nb = nbformat.read(path, as_version=4)
    out = {}
    for cell in nb.cells:
        if cell.cell_type != "code" or "NBVAL_CHECK_OUTPUT" not in cell.source:
            continue
        texts = []
        for o in cell.outputs:
            if o.get("output_type") == "stream":
                texts.append(o.get("text", ""))
            elif "text/plain" in o.get("data", {}):
                texts.append(o["data"]["text/plain"])
        out[cell.id] = NUMBER.findall("".join(texts))
    return out


@pytest.mark.parametrize("path", ENGLISH, ids=lambda p: p.stem)
def test_zh_notebook_prints_the_same_numbers(path):
    zh = tn.target(path)
    assert zh.exists(), f"{zh} is missing"
    en_nums, zh_nums = _checked_numbers(path), _checked_numbers(zh)
    assert set(en_nums) == set(zh_nums)
    assert en_nums, f"{path.name} has no checked cell"
    for cid, nums in en_nums.items():  # the same numbers; a sentence may order them its own way
        assert sorted(zh_nums[cid]) == sorted(nums), f"{zh.name} cell {cid} prints other numbers"


def _zh_texts():
    """(where, Chinese text) of every notebook entry and package catalog string, article
    quotations (blockquote lines) left out."""
    for cat in sorted((ROOT / "translations" / "zh").glob("*.json")):
        for e in json.loads(cat.read_text(encoding="utf-8"))["cells"]:
            text = "".join(ln for ln in e.get("zh", []) if not ln.lstrip().startswith(">"))
            yield f"{cat.name}:{e['id']}", text
    for cat in sorted((ROOT / "gradclip" / "locale" / "zh").glob("*.json")):
        for en, zh in json.loads(cat.read_text(encoding="utf-8"))["strings"].items():
            yield f"{cat.name}:{en}", zh


def test_glossary_terms_used_one_way():
    used = [(where, term["zh"], bad) for where, text in _zh_texts()
            for term in GLOSSARY for bad in term["avoid"]
            if bad in text.replace(term["zh"], "\0")]  # 锐度 inside 尖锐度 is not a second way
    assert not used, "\n".join(f"{w}: {bad!r} where the glossary says {good!r}"
                               for w, good, bad in used[:20])


def _prose(text):
    """``text`` without code blocks, code spans, link targets, URLs and HTML attributes."""
    text = re.sub(r"```.*?```", "", text, flags=re.S)
    text = re.sub(r"`[^`]*`", "", text)
    text = re.sub(r"\]\([^)]*\)", "]", text)
    text = re.sub(r"https?://\S+", "", text)
    return re.sub(r"\w+=\"[^\"]*\"", "", text)


def test_glossary_terms_not_left_in_english():
    """A term the glossary translates is not left in English in Chinese prose."""
    left = [(where, word) for where, text in _zh_texts() for term in GLOSSARY
            for word in term.get("avoid_words", [])
            if re.search(rf"(?<![\w/.-]){word}(?![\w/.-])", _prose(text), re.I)]
    assert not left, "\n".join(f"{w}: {word!r} left in English" for w, word in left[:30])


def test_glossary_is_consistent():
    seen = {}
    for term in GLOSSARY:
        assert term["en"] not in seen, f"{term['en']!r} twice"
        seen[term["en"]] = term["zh"]
        assert term["zh"] not in term["avoid"]


def test_prose_uses_full_width_punctuation():
    """A Chinese sentence ends with '。', '：' or the like, not with ASCII punctuation."""
    bad = []
    for where, text in _zh_texts():
        for m in re.finditer(r"[\u4e00-\u9fff][,;:?!](?=\s|$)", text):
            bad.append(f"{where}: ...{text[max(0, m.start() - 12):m.end() + 4]!r}")
    assert not bad, "\n".join(bad[:20])


_CJK = "\u3400-\u4dbf\u4e00-\u9fff\u3000-\u303f\uff00-\uffef"
_BLOCK = re.compile(r"^\s*([-*+] |\d+\. |#|\||<|\$\$|```|>|$)")


def soft_breaks(text):
    """Lines of a Chinese paragraph broken after a Chinese character: the browser and Jupyter
    render such a break as a space between two Chinese characters."""
    lines, found, fence = text.split("\n"), [], False
    for a, b in zip(lines, lines[1:]):
        if a.lstrip().startswith("```"):
            fence = not fence
        if fence or not a.strip() or _BLOCK.match(b) or a.lstrip().startswith(("|", "#", "<", "$$")):
            continue
        if re.search(f"[{_CJK}]$", a.rstrip()) and re.match(rf"\s*[{_CJK}A-Za-z0-9$`(（“]", b):
            found.append(a.strip()[-12:] + " ⏎ " + b.strip()[:12])
    return found


def test_no_line_break_inside_a_chinese_paragraph():
    breaks = []
    for cat in sorted((ROOT / "translations" / "zh").glob("*.json")):
        for e in json.loads(cat.read_text(encoding="utf-8"))["cells"]:
            if e.get("type") == "markdown":
                breaks += [f"{cat.name}:{e['id']}: {b}" for b in soft_breaks("".join(e.get("zh", [])))]
    assert not breaks, f"{len(breaks)} breaks, e.g.\n" + "\n".join(breaks[:15])


def test_emphasis_renders_in_chinese():
    """'**标题。**正文' is not bold in CommonMark (a closing ** after punctuation must be followed
    by a space or punctuation): every * of a Chinese cell must become <strong>/<em>."""
    from gradclip.site.markdown import markdown_to_html

    left = []
    for cat in sorted((ROOT / "translations" / "zh").glob("*.json")):
        for e in json.loads(cat.read_text(encoding="utf-8"))["cells"]:
            if e.get("type") != "markdown":
                continue
            html = markdown_to_html("".join(e.get("zh", [])))
            text = re.sub(r"<code>.*?</code>|<pre>.*?</pre>|<math.*?</math>", "", html, flags=re.S)
            left += [f"{cat.name}:{e['id']}: ...{text[max(0, m.start() - 15):m.end() + 10]}"
                     for m in re.finditer(r"\*\*|(?<![\w*])\*(?![\s*])", text)]
    assert not left, "\n".join(left[:20])
