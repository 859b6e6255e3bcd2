"""Build the Chinese notebooks from the English ones and their translation catalogs.

    python scripts/translate_notebooks.py status            # missing / stale / orphan entries
    python scripts/translate_notebooks.py extract [NN ...]  # add an entry for each new cell
    python scripts/translate_notebooks.py accept NN [ID ...] # a reviewed entry matches its English again
    python scripts/translate_notebooks.py build [NN ...]    # write notebooks/zh/NN_*.ipynb (then execute)

The English notebooks are the source of code and structure. ``translations/zh/NN_name.json``
holds, for each cell (by its stable cell id), the English text it translates, a hash of that
text and the Chinese. Every markdown cell needs an entry; a code cell may have one, whose code
must equal the English code except for comments and the text of messages (strings given to
``print`` or to a ``hint=``, ``name=``, ``what=``, ``title=``, ``label=``, ``xlabel=`` or
``ylabel=`` argument): :func:`code_differences` checks it. A translated code cell keeps the
English paths and ``gc.setup`` call: the build rewrites both, as it does for untranslated cells. When an English cell changes, its
hash no longer matches and ``status`` (and ``tests/test_translations.py``) report the entry
stale until a translator updates the Chinese and runs ``accept``.

``build`` writes a zh notebook whose cells keep the English ids and code, call
``gc.setup(..., lang="zh")``, link the zh neighbours, and point at ``figures/zh/`` where a
figure has a Chinese version. It keeps a committed notebook's outputs when its code cells did
not change (only prose did); a notebook whose code changed must be executed (``python scripts/execute_notebooks.py
notebooks/zh/NN_*.ipynb``) before it is committed.
"""

import argparse
import ast
import copy
import hashlib
import json
import re
import sys
from pathlib import Path

import nbformat

ROOT = Path(__file__).resolve().parents[1]
NOTEBOOKS = ROOT / "notebooks"
CATALOGS = ROOT / "translations"
FIGURES = ROOT / "figures"
LANG = "zh"
#: Keyword arguments whose strings are messages a translation may reword.
MESSAGE_KEYWORDS = {"hint", "name", "what", "title", "label", "xlabel", "ylabel", "caption"}


def english_notebooks():
    return sorted(NOTEBOOKS.glob("[0-9][0-9]_*.ipynb"))


def target(path, lang=LANG):
    return NOTEBOOKS / lang / Path(path).name


def catalog_path(path, lang=LANG):
    return CATALOGS / lang / (Path(path).stem + ".json")


def text_hash(text):
    """The first 12 hex digits of the SHA-256 of ``text`` (UTF-8)."""
    return hashlib.sha256(text.encode("utf-8")).hexdigest()[:12]


def lines(text):
    return text.splitlines(keepends=True)


def joined(value):
    return "".join(value) if isinstance(value, list) else str(value)


def load_catalog(path, lang=LANG):
    p = catalog_path(path, lang)
    if not p.exists():
        return {"source": f"notebooks/{Path(path).name}", "language": lang, "cells": []}
    return json.loads(p.read_text(encoding="utf-8"))


def save_catalog(path, cat, lang=LANG):
    p = catalog_path(path, lang)
    p.parent.mkdir(parents=True, exist_ok=True)
    p.write_text(json.dumps(cat, ensure_ascii=False, indent=1) + "\n", encoding="utf-8")


def entries(cat):
    return {e["id"]: e for e in cat["cells"]}


def problems(path, lang=LANG):
    """``{"missing": [...], "stale": [...], "orphan": [...], "code": [...]}``: cell ids whose
    entry is absent or empty, translates an older English text, names no cell, or whose code
    differs from the English beyond comments and messages."""
    nb = nbformat.read(path, as_version=4)
    have = entries(load_catalog(path, lang))
    out = {"missing": [], "stale": [], "orphan": [], "code": []}
    ids = set()
    for cell in nb.cells:
        ids.add(cell.id)
        e = have.get(cell.id)
        if e is None or not joined(e.get(lang, "")).strip():
            if cell.cell_type == "markdown":
                out["missing"].append(cell.id)
            continue
        if e.get("hash") != text_hash(cell.source):
            out["stale"].append(cell.id)
        elif cell.cell_type == "code" and code_differences(rewrite_code(cell.source, lang),
                                                            rewrite_code(joined(e[lang]), lang)):
            out["code"].append(cell.id)
    out["orphan"] = sorted(set(have) - ids)
    return out


# ---- code: the same program, messages and comments aside
class _Messages(ast.NodeTransformer):
    """Blank the strings of messages: ``print`` arguments and message keyword arguments."""

    def _blank(self, node):
        for sub in ast.walk(node):
            if isinstance(sub, ast.Constant) and isinstance(sub.value, str):
                sub.value = ""
            if isinstance(sub, ast.JoinedStr):
                sub.values = [x for x in sub.values if isinstance(x, ast.FormattedValue)]
        return node

    def visit_Call(self, node):
        self.generic_visit(node)
        if isinstance(node.func, ast.Name) and node.func.id == "print":
            node.args = [self._blank(a) for a in node.args]
        for kw in node.keywords:
            if kw.arg in MESSAGE_KEYWORDS:
                kw.value = self._blank(kw.value)
        return node


def _program(source):
    lines_ = [ln for ln in source.splitlines() if not ln.lstrip().startswith(("%", "!"))]
    return ast.dump(_Messages().visit(ast.parse("\n".join(lines_))), include_attributes=False)


def code_differences(english, translated):
    """'' when ``translated`` is ``english`` up to comments and message strings, else a reason."""
    try:
        a, b = _program(english), _program(translated)
    except SyntaxError as exc:
        return f"does not parse: {exc}"
    return "" if a == b else "the code differs from the English beyond comments and messages"


# ---- building
_SETUP = re.compile(r"gc\.setup\(([^()]*)\)")
_REL = re.compile(r"""(\]\(|src=\\?"|src='|Image\(\\?")\.\./([^)"'\\\s]+)""")


def rewrite_code(source, lang=LANG):
    """The English code as the zh notebook runs it: ``gc.setup(..., lang="zh")`` and paths."""
    def setup(m):
        args = m.group(1).strip()
        return f'gc.setup({args + ", " if args else ""}lang="{lang}")'
    return rewrite_paths(_SETUP.sub(setup, source), lang, code=True)


_QUOTED = re.compile(r"""(["'])\.\./([^"'\s]+)""")


def rewrite_paths(text, lang=LANG, code=False):
    """Relative links one folder deeper (in code: every string starting ``../``); a figure
    with a ``figures/<lang>/`` version uses it; the README links the README of ``lang``."""
    def fix(m):
        rest = m.group(2)
        if rest.startswith("figures/") and (FIGURES / lang / rest[len("figures/"):]).exists():
            rest = f"figures/{lang}/" + rest[len("figures/"):]
        if rest == "README.md" or rest.startswith("README.md#"):
            rest = "README.zh-CN.md" + rest[len("README.md"):]
        return f"{m.group(1)}../../{rest}"
    return (_QUOTED if code else _REL).sub(fix, text)


def build(path, lang=LANG):
    """The zh notebook for the English notebook ``path`` (no outputs)."""
    nb = nbformat.read(path, as_version=4)
    have = entries(load_catalog(path, lang))
    out = copy.deepcopy(nb)
    for cell in out.cells:
        e = have.get(cell.id)
        text = joined(e[lang]) if e and joined(e.get(lang, "")).strip() else None
        if cell.cell_type == "markdown":
            if text is None:
                raise ValueError(f"{Path(path).name}: cell {cell.id} has no translation")
            cell.source = rewrite_paths(text, lang) if "../" in text else text
        elif cell.cell_type == "code":
            cell.source = rewrite_code(text if text is not None else cell.source, lang)
            cell.outputs, cell.execution_count = [], None
    out.metadata["gradclip"] = {"lang": lang, "source": f"../{Path(path).name}"}
    return out


def same_cells(a, b):
    """Whether two notebooks have the same cells (ids, types and sources)."""
    key = lambda nb: [(c.id, c.cell_type, c.source) for c in nb.cells]  # noqa: E731
    return key(a) == key(b)


# ---- commands
def _select(names):
    paths = english_notebooks()
    if not names:
        return paths
    return [p for p in paths if any(p.name.startswith(n) for n in names)]


def cmd_status(args):
    bad = 0
    for path in _select(args.notebooks):
        found = problems(path)
        n = sum(len(v) for v in found.values())
        bad += n
        detail = ", ".join(f"{k} {len(v)}" for k, v in found.items() if v) or "in step"
        print(f"{path.name}: {detail}")
        for kind, ids in found.items():
            for i in ids:
                print(f"    {kind}: {i}")
    return 1 if bad else 0


def cmd_extract(args):
    for path in _select(args.notebooks):
        nb = nbformat.read(path, as_version=4)
        cat = load_catalog(path)
        have = entries(cat)
        cells = []
        for cell in nb.cells:
            if cell.id in have:
                cells.append(have.pop(cell.id))
            elif cell.cell_type == "markdown":
                cells.append({"id": cell.id, "type": "markdown", "hash": text_hash(cell.source),
                              "en": lines(cell.source), LANG: []})
        cells.extend(have.values())  # orphans stay until removed by hand
        cat["cells"] = cells
        save_catalog(path, cat)
        print(f"{catalog_path(path).relative_to(ROOT)}: {len(cells)} entries")
    return 0


def cmd_accept(args):
    path = _select([args.notebook])[0]
    nb = nbformat.read(path, as_version=4)
    cat = load_catalog(path)
    have = entries(cat)
    for cell in nb.cells:
        e = have.get(cell.id)
        if e is None or (args.ids and cell.id not in args.ids):
            continue
        if e.get("hash") != text_hash(cell.source):
            e["hash"], e["en"] = text_hash(cell.source), lines(cell.source)
            print(f"accepted {cell.id}")
    save_catalog(path, cat)
    return 0


def cmd_build(args):
    for path in _select(args.notebooks):
        new = build(path)
        dest = target(path)
        old = nbformat.read(dest, as_version=4) if dest.exists() else None
        if old is not None and same_cells(old, new):
            print(f"{dest.relative_to(ROOT)}: unchanged")
            continue
        dest.parent.mkdir(parents=True, exist_ok=True)
        code = lambda nb: [(c.id, c.source) for c in nb.cells if c.cell_type == "code"]  # noqa: E731
        if old is not None and code(old) == code(new):  # only prose changed: keep the outputs
            ran = {c.id: c for c in old.cells if c.cell_type == "code"}
            for c in new.cells:
                if c.cell_type == "code":
                    c.outputs, c.execution_count = ran[c.id].outputs, ran[c.id].execution_count
            new.metadata = old.metadata
            nbformat.write(new, dest)
            print(f"{dest.relative_to(ROOT)}: prose updated (outputs kept)")
            continue
        nbformat.write(new, dest)
        print(f"{dest.relative_to(ROOT)}: written (execute it before committing)")
    return 0


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    sub = parser.add_subparsers(dest="command", required=True)
    for name in ("status", "extract", "build"):
        p = sub.add_parser(name)
        p.add_argument("notebooks", nargs="*", help="notebook numbers or name prefixes")
    p = sub.add_parser("accept")
    p.add_argument("notebook")
    p.add_argument("ids", nargs="*")
    args = parser.parse_args(argv)
    return {"status": cmd_status, "extract": cmd_extract, "accept": cmd_accept,
            "build": cmd_build}[args.command](args)


if __name__ == "__main__":
    sys.exit(main())
