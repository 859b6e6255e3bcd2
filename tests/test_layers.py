"""The three layers are rules, checked here rather than described.

* every module of the package imports on its own in a fresh interpreter;
* ``import gradclip`` and every core module load neither matplotlib nor ipywidgets;
* nothing under ``gradclip.plots``, nor ``gradclip.figures``, loads ipywidgets;
* no import circle among the package's modules, counting imports inside functions (a late
  import hides a circle, it does not remove it);
* a name starting with ``_`` is not imported from another module unless that module is itself
  private (``gradclip._engine``: its names are public within the package), and a private module
  is not used from another layer.

Layers, lowest first: ``core`` (the modules directly in ``gradclip/``), ``plots``
(``gradclip.plots``), ``widgets`` (``gradclip.widgets``) and the tools on top (``figures``,
``site``). A layer may use the layers below it, never those above.
"""

import ast
import json
import subprocess
import sys
from pathlib import Path

import pytest

PACKAGE = Path(__file__).resolve().parents[1] / "gradclip"
TOOLS = {"figures", "site"}
ORDER = {"core": 0, "plots": 1, "widgets": 2, "tools": 3}
UI = ("ipywidgets", "anywidget", "ipympl")


def module_names(root=PACKAGE):
    names = []
    for path in sorted(root.rglob("*.py")):
        rel = path.relative_to(root.parent).with_suffix("")
        parts = list(rel.parts)
        if parts[-1] == "__init__":
            parts = parts[:-1]
        if parts[-1] == "__main__":
            continue
        names.append(".".join(parts))
    return names


def layer(name):
    parts = name.split(".")
    if len(parts) == 1:
        return "core"
    if parts[1] in ("plots", "widgets"):
        return parts[1]
    if parts[1] in TOOLS:
        return "tools"
    return "core"


def loaded_after_import(name):
    """Import ``name`` in a fresh interpreter; return the top-level packages it loaded."""
    code = ("import importlib, json, sys; importlib.import_module(sys.argv[1]); "
            "print(json.dumps(sorted({m.split('.')[0] for m in sys.modules})))")
    proc = subprocess.run([sys.executable, "-c", code, name], capture_output=True, text=True,
                          timeout=120, cwd=PACKAGE.parent)
    assert proc.returncode == 0, f"`import {name}` fails in a fresh interpreter:\n{proc.stderr[-2000:]}"
    return set(json.loads(proc.stdout.strip().splitlines()[-1]))


def all_loaded(names):
    """One subprocess per module, run a few at a time."""
    from concurrent.futures import ThreadPoolExecutor

    with ThreadPoolExecutor(max_workers=2) as pool:
        return dict(zip(names, pool.map(loaded_after_import, names)))


def layer_violations(loaded):
    """Every broken import rule, as a sentence, for ``{module: loaded packages}``."""
    problems = []
    for name, mods in sorted(loaded.items()):
        lay = layer(name)
        if lay == "core" and "matplotlib" in mods:
            problems.append(f"{name} (core) loads matplotlib")
        if lay in ("core", "plots") or name.endswith(".figures"):
            for ui in UI:
                if ui in mods:
                    problems.append(f"{name} ({lay}) loads {ui}")
    return problems


def _resolve(module, level, current, root=PACKAGE):
    """Absolute module name of a (possibly relative) ``from`` import inside ``current``."""
    if level == 0:
        return module or ""
    base = current.split(".")
    is_package = (root.parent / Path(*base) / "__init__.py").exists()
    keep = len(base) - level + (1 if is_package else 0)
    prefix = base[:keep]
    return ".".join(prefix + ([module] if module else []))


def _is_module(name, root=PACKAGE):
    path = root.parent / Path(*name.split("."))
    return path.with_suffix(".py").exists() or (path / "__init__.py").exists()


def _private(name):
    """A private module: a part of its dotted name starts with ``_`` (``gradclip._engine``)."""
    return any(p.startswith("_") and not p.startswith("__") for p in name.split("."))


def private_imports(name, source, root=PACKAGE):
    """Private names (``_x``) that module ``name`` takes from a module that is not private,
    and names it takes from a private module of another layer."""
    tree = ast.parse(source)
    mine = layer(name)
    found = []
    aliases = {}  # local name -> gradclip module it refers to
    for node in ast.walk(tree):
        if isinstance(node, ast.ImportFrom):
            src = _resolve(node.module, node.level, name, root)
            if not src.startswith("gradclip"):
                continue
            for alias in node.names:
                target = f"{src}.{alias.name}"
                is_module = _is_module(target, root)
                if is_module:
                    aliases[alias.asname or alias.name] = target
                where = target if is_module else src
                other = layer(where)
                hidden = alias.name.startswith("_") and not alias.name.startswith("__")
                if (hidden or _private(where)) and other != mine:
                    found.append(f"{name} ({mine}) imports {alias.name} from {src} ({other})")
                elif hidden and not _private(where):
                    found.append(f"{name} imports {alias.name} from {src}, which is not a private module")
        elif isinstance(node, ast.Import):
            for alias in node.names:
                if alias.name.startswith("gradclip"):
                    aliases[alias.asname or alias.name.split(".")[0]] = alias.name
    for node in ast.walk(tree):
        if isinstance(node, ast.Attribute) and node.attr.startswith("_") and not node.attr.startswith("__"):
            if isinstance(node.value, ast.Name) and node.value.id in aliases:
                target = aliases[node.value.id]
                if layer(target) != mine:
                    found.append(f"{name} ({mine}) uses {node.value.id}.{node.attr} ({layer(target)})")
                elif not _private(target):
                    found.append(f"{name} uses {node.value.id}.{node.attr}, from a module that is not private")
    return found


def imports_of(name, source, root=PACKAGE):
    """Every module of the package that ``name`` imports, at the top or inside a function.

    ``from . import x`` counts as an import of the module ``x`` when ``x`` is one; a module's
    own enclosing packages are left out (Python has started running them before the module).
    """
    found = set()
    for node in ast.walk(ast.parse(source)):
        if isinstance(node, ast.ImportFrom):
            src = _resolve(node.module, node.level, name, root)
            targets = [f"{src}.{a.name}" if _is_module(f"{src}.{a.name}", root) else src for a in node.names]
        elif isinstance(node, ast.Import):
            targets = [a.name for a in node.names]
        else:
            continue
        for target in targets:
            if (target == "gradclip" or target.startswith("gradclip.")) and target != name \
                    and not name.startswith(target + "."):
                found.add(target)
    return found


def import_circles(graph):
    """The import circles of ``{module: modules it imports}``: each strongly connected group of
    two or more modules, as a sorted list (Tarjan's algorithm)."""
    index, low, stack, on_stack, circles = {}, {}, [], set(), []

    def visit(node):
        index[node] = low[node] = len(index)
        stack.append(node)
        on_stack.add(node)
        for nxt in sorted(graph.get(node, ())):
            if nxt not in index:
                visit(nxt)
                low[node] = min(low[node], low[nxt])
            elif nxt in on_stack:
                low[node] = min(low[node], index[nxt])
        if low[node] == index[node]:
            group = []
            while True:
                top = stack.pop()
                on_stack.discard(top)
                group.append(top)
                if top == node:
                    break
            if len(group) > 1:
                circles.append(sorted(group))

    for node in sorted(graph):
        if node not in index:
            visit(node)
    return sorted(circles)


def source_of(name, root=PACKAGE):
    path = root.parent / Path(*name.split("."))
    path = path / "__init__.py" if path.is_dir() else path.with_suffix(".py")
    return path.read_text(encoding="utf-8")


def import_graph(root=PACKAGE):
    return {name: imports_of(name, source_of(name, root), root) for name in module_names(root)}


def package_violations(root=PACKAGE):
    """Import circles and private names crossing modules in the package tree at ``root``."""
    circles = [" -> ".join(c) for c in import_circles(import_graph(root))]
    private = [p for name in module_names(root) for p in private_imports(name, source_of(name, root), root)]
    return circles, private


MODULES = module_names()


def test_every_module_imports_alone_and_keeps_its_layer():
    loaded = all_loaded(MODULES + ["gradclip"])
    assert "gradclip.plots" in loaded and "gradclip.widgets" in loaded
    assert layer_violations(loaded) == []
    assert "numpy" in loaded["gradclip"]


def test_no_private_name_crosses_a_layer():
    problems = [p for name in MODULES for p in private_imports(name, source_of(name))]
    assert problems == []


def test_no_import_circle_and_no_private_name_crosses_a_module():
    graph = import_graph()
    assert "gradclip.curvature" in graph["gradclip.nets"]  # a function-level import counts too
    assert package_violations() == ([], [])


def test_layers_only_look_down():
    problems = []
    for name in MODULES:
        mine = ORDER[layer(name)]
        tree = ast.parse(source_of(name))
        for node in ast.walk(tree):
            if isinstance(node, ast.ImportFrom):
                src = _resolve(node.module, node.level, name)
                targets = [f"{src}.{a.name}" for a in node.names] if src == "gradclip" else [src]
            elif isinstance(node, ast.Import):
                targets = [a.name for a in node.names]
            else:
                continue
            for target in targets:
                if target.startswith("gradclip.") and ORDER[layer(target)] > mine:
                    problems.append(f"{name} ({layer(name)}) imports {target} ({layer(target)})")
    assert problems == []


# ---- the checks themselves catch violations (each rule broken on purpose, in memory)

def test_the_checks_catch_a_core_module_that_loads_matplotlib():
    assert layer_violations({"gradclip.solvers": {"numpy", "matplotlib"}}) == [
        "gradclip.solvers (core) loads matplotlib"]
    assert layer_violations({"gradclip.plots.surfaces": {"matplotlib", "ipywidgets"}}) == [
        "gradclip.plots.surfaces (plots) loads ipywidgets"]
    assert layer_violations({"gradclip.figures": {"matplotlib", "anywidget"}}) == [
        "gradclip.figures (tools) loads anywidget"]
    assert layer_violations({"gradclip.widgets.views": {"matplotlib", "ipywidgets"}}) == []


def test_the_checks_catch_private_names_across_layers():
    assert private_imports("gradclip.plots.surfaces", "from ..widgets.figure import _regime\n") == [
        "gradclip.plots.surfaces (plots) imports _regime from gradclip.widgets.figure (widgets)"]
    assert private_imports("gradclip.widgets.views", "from .. import plots\nx = plots._levels\n") == [
        "gradclip.widgets.views (widgets) uses plots._levels (plots)"]
    assert private_imports("gradclip.plots.nets", "from .._validate import as_float_array\n") == [
        "gradclip.plots.nets (plots) imports as_float_array from gradclip._validate (core)"]
    # inside one layer too, a private name comes only from a private module
    assert private_imports("gradclip.solvers", "from .clipping import _row_norms\n") == [
        "gradclip.solvers imports _row_norms from gradclip.clipping, which is not a private module"]
    assert private_imports("gradclip.optim", "from . import solvers\nsolvers._grid(1)\n") == [
        "gradclip.optim uses solvers._grid, from a module that is not private"]
    assert private_imports("gradclip.solvers", "from ._engine import row_norms\n") == []
    assert private_imports("gradclip.solvers", "from . import _engine\n_engine.row_norms(1)\n") == []


def test_the_checks_catch_import_circles():
    assert import_circles({"a": {"b"}, "b": {"c"}, "c": {"a"}, "d": {"a"}}) == [["a", "b", "c"]]
    assert import_circles({"a": {"b"}, "b": set(), "c": {"d"}, "d": {"c"}}) == [["c", "d"]]
    assert import_circles({"a": {"b"}, "b": set()}) == []
    assert imports_of("gradclip.nets", "def f():\n    from .curvature import net_sharpness\n") == {
        "gradclip.curvature"}
    assert imports_of("gradclip.widgets.views", "from .. import plots, style\nfrom . import stage\n") == {
        "gradclip.plots", "gradclip.style", "gradclip.widgets.stage"}
    assert imports_of("gradclip.plots.rnn", "from . import _axes\nfrom .. import problems\n") == {
        "gradclip.plots._axes", "gradclip.problems"}


def test_a_planted_circle_and_private_import_in_a_package_tree_are_caught(tmp_path):
    """Copy the package, plant a circle behind a function-level import and a private name taken
    from a public module, and run the real checks on the copy."""
    import shutil

    copy = tmp_path / "gradclip"
    shutil.copytree(PACKAGE, copy, ignore=shutil.ignore_patterns("__pycache__", "static"))
    assert package_violations(copy) == ([], [])
    base = copy / "base.py"
    base.write_text(base.read_text(encoding="utf-8")
                    + "\n\ndef example():\n    from .problems import Quadratic\n\n    return Quadratic.with_condition(2.0)\n",
                    encoding="utf-8")
    optim = copy / "optim.py"
    optim.write_text(optim.read_text(encoding="utf-8") + "\n\nfrom .solvers import _grid  # noqa: E402\n",
                     encoding="utf-8")
    circles, private = package_violations(copy)
    assert circles == ["gradclip.base -> gradclip.cliff -> gradclip.landscapes -> gradclip.problems "
                       "-> gradclip.tinynet"]
    assert private == ["gradclip.optim imports _grid from gradclip.solvers, which is not a private module"]


def test_a_real_violation_in_a_fresh_interpreter_is_caught(tmp_path):
    """Copy the package, make its core import matplotlib, and run the real check on it."""
    import shutil

    copy = tmp_path / "gradclip"
    shutil.copytree(PACKAGE, copy, ignore=shutil.ignore_patterns("__pycache__"))
    clipping = copy / "clipping.py"
    clipping.write_text("import matplotlib\n" + clipping.read_text(encoding="utf-8"), encoding="utf-8")
    code = ("import importlib, json, sys; sys.path.insert(0, sys.argv[2]); "
            "importlib.import_module(sys.argv[1]); "
            "print(json.dumps(sorted({m.split('.')[0] for m in sys.modules})))")
    proc = subprocess.run([sys.executable, "-c", code, "gradclip", str(tmp_path)],
                          capture_output=True, text=True, timeout=120, cwd=tmp_path)
    assert proc.returncode == 0, proc.stderr
    loaded = set(json.loads(proc.stdout.strip().splitlines()[-1]))
    assert layer_violations({"gradclip": loaded}) == ["gradclip (core) loads matplotlib"]


def test_figures_run_without_ipywidgets(tmp_path):
    """``python -m gradclip.figures`` with ipywidgets (and anywidget, ipympl) unimportable."""
    blocker = tmp_path / "sitecustomize.py"
    blocker.write_text(
        "import sys\n"
        "class _Block:\n"
        "    def find_spec(self, name, path=None, target=None):\n"
        f"        if name.split('.')[0] in {UI!r}:\n"
        "            raise ImportError(f'{name} is blocked for this test')\n"
        "sys.meta_path.insert(0, _Block())\n", encoding="utf-8")
    import os

    env = dict(os.environ, PYTHONPATH=f"{tmp_path}{os.pathsep}{os.environ.get('PYTHONPATH', '')}",
               MPLBACKEND="Agg")
    probe = subprocess.run([sys.executable, "-c", "import ipywidgets"], env=env,
                           capture_output=True, text=True, timeout=60)
    assert probe.returncode != 0 and "blocked" in probe.stderr
    out = tmp_path / "figures"
    proc = subprocess.run([sys.executable, "-m", "gradclip.figures", str(out), "--only", "01_regimes.png",
                           "--only", "04_clipping_geometry.png", "--only", "05_phase.png"],
                          env=env, capture_output=True, text=True, timeout=300, cwd=PACKAGE.parent)
    assert proc.returncode == 0, proc.stderr[-2000:]
    assert sorted(p.name for p in out.iterdir()) == ["01_regimes.png", "04_clipping_geometry.png",
                                                     "05_phase.png"]
