"""The page's code as one ES module: the explorer's modules joined for anywidget.

The page code is plain ES modules with no build step: ``static/explorer.js`` (the entry:
``mount`` for a static page, ``default {render}`` for anywidget) imports the modules of
``static/explorer/``, one topic each (number formats, array decoding, the spec language,
canvas drawing, the controls, the kernel, the explorer's view). The three places the page
runs get them as follows:

* The static site copies ``static/`` as it is; its pages ``import { mount } from
  "./static/explorer.js"`` and the browser follows the relative imports.
* anywidget (JupyterLab, Voila) sends the text of ``_esm`` to the page, which imports it from
  a ``blob:`` URL: relative imports cannot resolve there. :func:`joined` gives it one module:
  every file the entry reaches, dependencies first, with their ``import`` lines dropped and
  their ``export`` keywords kept, so the joined module exports what each file exports.
* The tests run the joined module under node (``tests/evaluate_in_node.mjs``).

A module of ``static/explorer/`` that no module imports yet (its exports are for page code
still to come) is listed in :data:`PAGE_MODULES`: the page's entry is joined with it, so the
widget's module carries it too.

The rules that make joining safe, checked by :func:`joined` (ValueError naming the file):
imports are single lines ``import { a, b } from "./file.js";`` at the top level (no
aliases, no other modules), each imported name is exported by that file, top-level
names are unique across the files, no import circle, ``export default`` only in the entry.
"""

import re
from pathlib import Path

__all__ = ["ENTRY", "PAGE_MODULES", "joined"]

#: The page's entry module.
ENTRY = Path(__file__).parent / "static" / "explorer.js"
#: Modules joined with the page's entry although it does not import them: replay.js (the
#: clipping rules replayed over a learner's norm log, the twin of gradclip.replay_thresholds)
#: and share.js (presets and the page's address, the twin of Explorer.preset / apply_preset).
PAGE_MODULES = (ENTRY.parent / "explorer" / "replay.js", ENTRY.parent / "explorer" / "share.js")

_IMPORT = re.compile(r'import\s*\{([^{}]*)\}\s*from\s*"(\.{1,2}/[^"]+\.js)"\s*;?\s*')
_STATEMENT = re.compile(r"(import|export)\b(?!\s*\()")
_DECLARED = re.compile(r"(export\s+)?(?:async\s+)?(?:function\s*\*?|class|const|let|var)\s+"
                       r"([A-Za-z_$][\w$]*)")


def _parse(path):
    """``(body lines, [(dependency path, names)], {top-level name: exported})`` of one file."""
    body, deps, names = [], [], {}
    for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1):
        where = f"{path.name}:{number}"
        if line.startswith("import"):
            m = _IMPORT.fullmatch(line)
            if m is None:
                raise ValueError(f"{where}: an import must be one line "
                                 f'\'import {{ a, b }} from "./file.js";\', got {line!r}')
            imported = [n.strip() for n in m.group(1).split(",") if n.strip()]
            if any(not n.isidentifier() for n in imported):
                raise ValueError(f"{where}: import plain names (no aliases), got {line!r}")
            deps.append(((path.parent / m.group(2)).resolve(), imported))
            continue
        if line.lstrip().startswith("import ") or re.match(r"export\s*(\*|\{)", line):
            raise ValueError(f"{where}: only top-level 'import {{...}} from' lines and exported "
                             f"declarations can be joined, got {line!r}")
        m = _DECLARED.match(line)
        if m:
            names[m.group(2)] = bool(m.group(1))
        body.append(line)
    return body, deps, names


def joined(entry=ENTRY, also=None):
    """The text of one ES module holding ``entry`` and every module it imports.

    Parameters
    ----------
    entry : str or Path
        The entry module (default: ``static/explorer.js``).
    also : sequence of str or Path, optional
        Modules joined too (before the entry, with what they import) although the entry does
        not import them; None: :data:`PAGE_MODULES` for the page's entry, none for another.

    Returns
    -------
    str
        The files, dependencies first, each after a ``// ---- name`` line, import lines
        dropped.

    Raises
    ------
    ValueError
        If a file breaks a rule of the module docstring (naming the file and line).

    Examples
    --------
    >>> text = joined()
    >>> "\\nimport " in text, "export default {render};" in text, "export class Evaluator" in text
    (False, True, True)
    >>> "export function replayThresholds" in text
    True
    """
    entry = Path(entry).resolve()
    if not entry.is_file():
        raise ValueError(f"entry must be a .js file, got {str(entry)!r}")
    if also is None:
        also = PAGE_MODULES if entry == ENTRY.resolve() else ()
    also = [Path(p).resolve() for p in also]
    for path in also:
        if not path.is_file():
            raise ValueError(f"also lists {path.name}, which does not exist")
    order, parsed, owner = [], {}, {}

    def visit(path, chain):
        if path in chain:
            circle = " -> ".join(p.name for p in chain[chain.index(path):] + [path])
            raise ValueError(f"import circle: {circle}")
        if path in parsed:
            return
        if not path.is_file():
            raise ValueError(f"{chain[-1].name} imports {path.name}, which does not exist")
        parsed[path] = _parse(path)
        for dep, imported in parsed[path][1]:
            visit(dep, chain + [path])
            missing = [n for n in imported if not parsed[dep][2].get(n)]
            if missing:
                raise ValueError(f"{path.name} imports {missing} from {dep.name}, "
                                 "which does not export them")
        for name in parsed[path][2]:
            if name in owner:
                raise ValueError(f"top-level name {name!r} is declared in both "
                                 f"{owner[name].name} and {path.name}")
            owner[name] = path
        order.append(path)

    for path in also:
        visit(path, [])
    visit(entry, [])
    parts = []
    for path in order:
        body = "\n".join(parsed[path][0]).strip("\n")
        if path != entry and re.search(r"^export\s+default\b", body, re.M):
            raise ValueError(f"{path.name}: 'export default' belongs in the entry only")
        rel = path.relative_to(entry.parent) if path.is_relative_to(entry.parent) else path.name
        parts.append(f"// ---- {rel}\n{body}\n")
    head = (f"// {entry.name} and the modules it imports, joined into one module by "
            "gradclip.widgets.esm (edit those files, not this text).\n")
    return head + "\n".join(parts)
