"""The page's modules joined into one ES module for anywidget (gradclip.widgets.esm)."""

import re
import shutil
import subprocess

import pytest

from gradclip.widgets import esm

STATIC = esm.ENTRY.parent


def _write(folder, files):
    for name, text in files.items():
        path = folder / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text, encoding="utf-8")
    return folder / "main.js"


def test_joins_dependencies_first_without_imports(tmp_path):
    entry = _write(tmp_path, {
        "main.js": 'import { twice } from "./lib/b.js";\nexport default {run: () => twice(2)};\n',
        "lib/a.js": "export function one() {\n  return 1;\n}\nconst hidden = 5;\n",
        "lib/b.js": 'import { one } from "./a.js";\nexport function twice(x) {\n  return 2 * x * one();\n}\n',
    })
    text = esm.joined(entry)
    assert not re.search(r"^\s*import\b", text, re.M)
    order = [text.index(f"// ---- {name}") for name in ("lib/a.js", "lib/b.js", "main.js")]
    assert order == sorted(order)
    assert "const hidden = 5;" in text and text.count("export default") == 1


def test_a_module_imported_twice_appears_once(tmp_path):
    entry = _write(tmp_path, {
        "main.js": 'import { a } from "./a.js";\nimport { b } from "./b.js";\nexport default {a, b};\n',
        "a.js": 'import { c } from "./c.js";\nexport const a = c;\n',
        "b.js": 'import { c } from "./c.js";\nexport const b = c;\n',
        "c.js": "export const c = 3;\n",
    })
    assert esm.joined(entry).count("export const c = 3;") == 1


@pytest.mark.parametrize("files, message", [
    ({"main.js": 'import { a as b } from "./a.js";\n', "a.js": "export const a = 1;\n"}, "no aliases"),
    ({"main.js": 'import {\n  a,\n} from "./a.js";\n', "a.js": "export const a = 1;\n"}, "one line"),
    ({"main.js": 'import { a } from "https://x.org/a.js";\n'}, "one line"),
    ({"main.js": 'export { a } from "./a.js";\n', "a.js": "export const a = 1;\n"}, "can be joined"),
    ({"main.js": 'import { a } from "./a.js";\n', "a.js": "const a = 1;\n"}, "does not export"),
    ({"main.js": 'import { a } from "./gone.js";\n'}, "does not exist"),
    ({"main.js": 'import { a } from "./a.js";\nconst a = 2;\n', "a.js": "export const a = 1;\n"},
     "declared in both"),
    ({"main.js": 'import { a } from "./a.js";\n',
      "a.js": 'import { b } from "./b.js";\nexport const a = 1;\n',
      "b.js": 'import { a } from "./a.js";\nexport const b = 2;\n'}, "import circle: a.js -> b.js -> a.js"),
    ({"main.js": 'import { a } from "./a.js";\n', "a.js": "export const a = 1;\nexport default a;\n"},
     "entry only"),
])
def test_rules_are_checked(tmp_path, files, message):
    with pytest.raises(ValueError, match=re.escape(message)):
        esm.joined(_write(tmp_path, files))


def test_the_page_modules_follow_the_rules():
    text = esm.joined()
    modules = sorted(p.relative_to(STATIC).as_posix() for p in (STATIC / "explorer").glob("*.js"))
    assert re.findall(r"^// ---- (\S+)", text, re.M)[-1] == "explorer.js"
    assert sorted(re.findall(r"^// ---- (explorer/\S+)", text, re.M)) == modules  # none unused
    for name in ("export default {render};", "export async function mount", "export class Evaluator"):
        assert name in text


def test_the_widget_gets_the_joined_module():
    from gradclip.widgets.live import _widget_class

    assert str(_widget_class()._esm) == esm.joined()


def test_node_imports_the_joined_module(tmp_path):
    node = shutil.which("node")
    if node is None:
        pytest.fail("node is not on PATH: it checks that the joined page module parses", pytrace=False)
    (tmp_path / "page.mjs").write_text(esm.joined(), encoding="utf-8")
    script = 'const m = await import("./page.mjs"); console.log(typeof m.default.render, typeof m.mount);'
    (tmp_path / "check.mjs").write_text(script, encoding="utf-8")
    run = subprocess.run([node, str(tmp_path / "check.mjs")], capture_output=True, text=True, timeout=60)
    assert run.stdout.split() == ["function", "function"], run.stderr


def test_entry_must_exist(tmp_path):
    with pytest.raises(ValueError, match="entry must be a .js file"):
        esm.joined(tmp_path / "missing.js")


def test_also_joins_modules_the_entry_does_not_import(tmp_path):
    entry = _write(tmp_path, {
        "main.js": "export default {};\n",
        "lib/extra.js": 'import { one } from "./one.js";\nexport function two() {\n  return 2 * one();\n}\n',
        "lib/one.js": "export function one() {\n  return 1;\n}\n",
    })
    assert "two" not in esm.joined(entry)  # not the page's entry: nothing added
    text = esm.joined(entry, also=[tmp_path / "lib" / "extra.js"])
    order = [text.index(f"// ---- {name}") for name in ("lib/one.js", "lib/extra.js", "main.js")]
    assert order == sorted(order) and "export function two()" in text
    with pytest.raises(ValueError, match="also lists gone.js, which does not exist"):
        esm.joined(entry, also=[tmp_path / "gone.js"])


def test_the_page_modules_are_joined_once_even_when_imported(tmp_path):
    entry = _write(tmp_path, {"main.js": 'import { a } from "./a.js";\nexport default {a};\n',
                              "a.js": "export const a = 1;\n"})
    assert esm.joined(entry, also=[tmp_path / "a.js"]).count("export const a = 1;") == 1
    assert all(p.is_file() for p in esm.PAGE_MODULES)
    assert esm.joined().count("// ---- explorer/replay.js") == 1
