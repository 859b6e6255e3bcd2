"""Lectures: a short list of scenes, shown one at a time at projector size.

A lecture is a plain TOML file in ``lectures/`` (``lectures/clipping.toml`` becomes
``site/lectures/clipping.html``, and ``site/zh/lectures/clipping.html`` with its Chinese
captions)::

    title = "Clipping in twelve scenes"
    title_zh = "十二幕讲剪裁"                 # optional

    [[scene]]
    notebook = "01_gradient_descent"          # a notebook's file name, without .ipynb
    explorer = 0                              # its explorers in page order, from 0 (or a name)
    preset = "lr=1.6;steps=60"                # optional: the explorer's start when left out
    caption = "Past 2/λ the run diverges."
    caption_zh = "越过 2/λ，运行发散。"        # optional: the zh page shows the English one

Each scene shows the explorer live (mounted from the spec the notebook's page stores) with the
preset applied and the caption above it; → / PageDown / Space (a clicker's keys) go to the next
scene, ← / PageUp back, Home / End to the first / last; the scene's number is the page's
address (``#3``), so a reload stays. The file is checked when the site is built: an unknown
notebook, explorer or control, a value outside a control's range, a missing caption: a
ValueError naming the file, the scene and the field.

TOML is read with :mod:`tomllib` (Python 3.11+); on Python 3.10 a small reader of the same
subset (``key = "text"`` / ``'text'`` / integers, ``[[scene]]``, comments) takes its place, so
the package keeps its Python 3.10 floor for one build step.
"""

import html
import json
import re
from pathlib import Path

from ..widgets.controls import GridSlider, IntSlider, Toggle

try:
    import tomllib
except ImportError:  # pragma: no cover - Python 3.10
    tomllib = None

__all__ = ["read_lecture", "parse_toml_subset", "preset_positions", "resolve_scenes", "lecture_page"]

TOP_FIELDS = {"title": str, "title_zh": str, "scene": list}
SCENE_FIELDS = {"notebook": str, "explorer": (int, str), "preset": str, "caption": str, "caption_zh": str}
REQUIRED = ("notebook", "explorer", "caption")
_LINE = re.compile(r"""^([A-Za-z_][\w-]*)\s*=\s*("(?:[^"\\]|\\.)*"|'[^']*'|[+-]?\d+)\s*(?:#.*)?$""")


def parse_toml_subset(text, name="lecture"):
    """The lecture subset of TOML as a dict (what :func:`tomllib.loads` gives for it).

    Examples
    --------
    >>> parse_toml_subset('title = "A"  # c\\n[[scene]]\\nexplorer = 1\\ncaption = \\'b\\'\\n')
    {'title': 'A', 'scene': [{'explorer': 1, 'caption': 'b'}]}
    """
    out, table = {}, None
    for number, raw in enumerate(text.splitlines(), 1):
        line = raw.strip()
        if not line or line.startswith("#"):
            continue
        if re.fullmatch(r"\[\[\s*([A-Za-z_]\w*)\s*\]\]\s*(#.*)?", line):
            key = re.match(r"\[\[\s*(\w+)", line)[1]
            table = {}
            out.setdefault(key, []).append(table)
            continue
        m = _LINE.match(line)
        if m is None:
            raise ValueError(f"{name}: line {number}: expected 'key = \"text\"', 'key = 3' or "
                             f"'[[scene]]', got {raw!r}")
        key, value = m[1], m[2]
        value = json.loads(value) if value[0] == '"' else value[1:-1] if value[0] == "'" else int(value)
        target = out if table is None else table
        if key in target:
            raise ValueError(f"{name}: line {number}: {key!r} is given twice")
        target[key] = value
    return out


def read_lecture(path):
    """A lecture file as ``{"name", "title", "title_zh", "scenes": [dict, ...]}``, checked
    for its shape (ValueError naming the file, the scene and the field)."""
    path = Path(path)
    text = path.read_text(encoding="utf-8")
    where = f"{path.parent.name}/{path.name}"
    if tomllib is not None:
        try:
            data = tomllib.loads(text)
        except tomllib.TOMLDecodeError as err:
            raise ValueError(f"{where}: {err}") from None
    else:  # pragma: no cover - Python 3.10
        data = parse_toml_subset(text, where)
    for key, value in data.items():
        if key not in TOP_FIELDS:
            raise ValueError(f"{where}: unknown field {key!r}; expected {sorted(TOP_FIELDS)}")
        if not isinstance(value, TOP_FIELDS[key]):
            raise ValueError(f"{where}: field {key!r} must be a {TOP_FIELDS[key].__name__}, got {value!r}")
    if not data.get("title", "").strip():
        raise ValueError(f"{where}: field 'title' is missing or empty")
    scenes = data.get("scene") or []
    if not scenes:
        raise ValueError(f"{where}: no scenes; add one or more [[scene]] tables")
    for k, scene in enumerate(scenes, 1):
        for key, value in scene.items():
            if key not in SCENE_FIELDS:
                raise ValueError(f"{where}: scene {k}: unknown field {key!r}; expected {sorted(SCENE_FIELDS)}")
            if isinstance(value, bool) or not isinstance(value, SCENE_FIELDS[key]):
                raise ValueError(f"{where}: scene {k}: field {key!r} has the wrong type: {value!r}")
        for key in REQUIRED:
            if key not in scene or (isinstance(scene[key], str) and not scene[key].strip()):
                raise ValueError(f"{where}: scene {k}: field {key!r} is missing or empty")
    return {"name": path.stem, "where": where, "title": data["title"],
            "title_zh": data.get("title_zh"), "scenes": [dict(s) for s in scenes]}


def _control(c):
    """The Python control of a control's spec entry (to parse and check preset values)."""
    if c["kind"] == "slider":
        return GridSlider(c["name"], c["values"], log=c.get("log", True))
    if c["kind"] == "toggle":
        return Toggle(c["name"], c["options"])
    return IntSlider(c["name"], c["min"], c["max"])


def preset_positions(controls, preset):
    """``{control: position}`` a preset string sets on an explorer with the spec's
    ``controls`` (the rules of ``Explorer.apply_preset``); ValueError naming a bad entry.

    Examples
    --------
    >>> preset_positions([{"name": "lr", "kind": "slider", "values": [0.1, 1.0, 10.0], "log": True}],
    ...                  "lr=0.9")
    {'lr': 1}
    """
    made = {c["name"]: _control(c) for c in controls}
    out = {}
    for part in preset.strip().strip(";").split(";"):
        key, sep, raw = part.partition("=")
        key, raw = key.strip(), raw.strip()
        if not sep or key not in made:
            raise ValueError(f"preset entry {part!r}: unknown control {key!r}; expected {sorted(made)}")
        try:
            ctl = made[key]
            out[key] = ctl.position(ctl.check(ctl.parse(raw)))
        except ValueError as err:
            raise ValueError(f"preset entry {part!r}: {err}") from None
    return out


def resolve_scenes(lecture, explorers, lang="en", fallback=None):
    """Each scene with its explorer found: ``explorers`` is ``{notebook stem: [(link, spec),
    ...]}`` of one edition of the site (``fallback``: the English one, used where the other
    language's notebook has no stored explorers). Returns a list of dicts (``spec``: the link
    from the site folder of that edition, ``notebook``, ``preset``, ``caption``)."""
    where, out = lecture["where"], []
    for k, scene in enumerate(lecture["scenes"], 1):
        stem = scene["notebook"].removesuffix(".ipynb")
        found = explorers.get(stem) or (fallback or {}).get(stem)
        if stem not in explorers and stem not in (fallback or {}):
            known = sorted(set(explorers) | set(fallback or {}))
            raise ValueError(f"{where}: scene {k}: field 'notebook': unknown notebook {stem!r}; "
                             f"expected one of {known}")
        which = scene["explorer"]
        names = [spec.get("name") for _, spec in found]
        if isinstance(which, int):
            if not 0 <= which < len(found):
                raise ValueError(f"{where}: scene {k}: field 'explorer': {stem} has {len(found)} "
                                 f"explorers (0 to {len(found) - 1}), got {which}")
            index = which
        else:
            if names.count(which) != 1:
                raise ValueError(f"{where}: scene {k}: field 'explorer': {which!r} is not the name of "
                                 f"exactly one explorer of {stem} ({names}); give its index")
            index = names.index(which)
        link, spec = found[index]
        preset = scene.get("preset", "").strip()
        if preset:
            try:
                preset_positions(spec["controls"], preset)
            except ValueError as err:
                raise ValueError(f"{where}: scene {k}: field 'preset': {err}") from None
        caption = scene.get(f"caption_{lang}") if lang != "en" else None
        out.append({"spec": link, "notebook": stem, "name": spec.get("name"), "preset": preset,
                    "caption": caption or scene["caption"]})
    return out


#: The lecture page's script: one explorer at a time, the scene's number in the address.
LECTURE_SCRIPT = """<script type="module">
import { mount } from "{up}static/explorer.js";
import { showPreset } from "{up}static/explorer/share.js";
const scenes = JSON.parse(document.getElementById("gc-scenes").textContent);
const stage = document.querySelector(".gc-stage"), caption = document.querySelector(".gc-caption");
const number = document.querySelector(".gc-scene-number"), source = document.querySelector(".gc-scene-source");
const specs = new Map();
let ex = null, shown = 0, turn = 0;
const fit = () => {  // the whole explorer inside the stage: the figure as wide as the room allows
  if (!ex) return;
  const bar = ex.root.querySelector(".gc-controls"), s = ex.spec;
  const room = stage.clientHeight - bar.getBoundingClientRect().height - 16;
  ex.figure.style.width = `${Math.max(200, Math.min(stage.clientWidth, (room * s.size[0]) / s.size[1]))}px`;
};
async function show(k) {
  k = Math.min(scenes.length, Math.max(1, k));
  const mine = ++turn, scene = scenes[k - 1];
  shown = k;
  if (location.hash !== `#${k}`) history.replaceState(null, "", `#${k}`);
  document.body.dataset.scene = String(k);
  caption.textContent = scene.caption;
  number.textContent = `${k} / ${scenes.length}`;
  source.href = `${scene.page}`;
  source.textContent = scene.title;
  stage.dataset.mounted = "false";
  try {
    if (!specs.has(scene.spec)) {
      specs.set(scene.spec, fetch(scene.spec).then((r) => {
        if (!r.ok) throw new Error(`${r.status} ${r.url}`);
        return r.json();
      }));
    }
    const spec = await specs.get(scene.spec);
    if (mine !== turn) return;
    if (ex) ex.destroy();
    stage.replaceChildren();
    const live = {...spec};
    delete live.predict;  // a lecture shows the outcome: the room predicts aloud, the instructor reveals
    ex = await mount(stage, live);
    if (mine !== turn) return;
    ex.root.classList.add("gradclip-presentation");
    if (scene.preset) showPreset(ex, scene.preset);
    fit();
    stage.dataset.mounted = "true";
    stage.dataset.explorer = scene.name;
  } catch (err) {
    stage.dataset.mountError = String(err);
    console.error("lecture scene", k, err);
  }
}
const go = (k) => { if (k !== shown) show(k); };
const STEPS = {ArrowRight: 1, PageDown: 1, " ": 1, ArrowLeft: -1, PageUp: -1};
// PageDown / PageUp (a clicker's keys) always step, even from a focused slider (capture);
// the arrows and Space step unless a control took them (a slider moves, a button presses)
document.addEventListener("keydown", (ev) => {
  if (ev.key === "PageDown" || ev.key === "PageUp") {
    ev.preventDefault(); ev.stopPropagation(); go(shown + STEPS[ev.key]);
  }
}, true);
document.addEventListener("keydown", (ev) => {
  if (ev.defaultPrevented || ev.altKey || ev.ctrlKey || ev.metaKey) return;
  const t = ev.target, control = t && t.closest && t.closest("input, button, a, textarea, select");
  if (ev.key === "Home" || ev.key === "End") { ev.preventDefault(); go(ev.key === "Home" ? 1 : scenes.length); }
  else if (ev.key in STEPS && !(control && (ev.key === " " || t.type === "range"))) {
    ev.preventDefault(); go(shown + STEPS[ev.key]);
  }
});
document.querySelector(".gc-scene-prev").addEventListener("click", () => go(shown - 1));
document.querySelector(".gc-scene-next").addEventListener("click", () => go(shown + 1));
window.addEventListener("hashchange", () => go(parseInt(location.hash.slice(1), 10) || 1));
window.addEventListener("resize", fit);
show(parseInt(location.hash.slice(1), 10) || 1);
</script>"""

LECTURE_STYLE = """<style>
html, body { height: 100%; }
body.gc-lecture { display: flex; flex-direction: column; overflow: hidden; }
.gc-lecture-bar { display: flex; align-items: center; gap: 1rem; padding: .3rem 1.2rem; font-size: 16px;
  color: var(--muted); border-bottom: 1px solid var(--rule); }
body.gc-lecture header.gc-header { max-width: none; padding: .15rem 1.2rem; font-size: 13px; border: 0; }
.gc-lecture-bar > * { white-space: nowrap; }
.gc-lecture-bar .gc-lecture-title { font-weight: bold; color: var(--text); overflow: hidden;
  text-overflow: ellipsis; min-width: 0; flex: 0 1 auto; }
.gc-lecture-bar .gc-scene-source { overflow: hidden; text-overflow: ellipsis; min-width: 0; flex: 0 1 auto; }
.gc-lecture-bar .gc-spacer { flex: 1; }
.gc-lecture-bar button { font: inherit; padding: .1em .8em; cursor: pointer; }
.gc-scene-number { font-variant-numeric: tabular-nums; }
main.gc-lecture-scene { flex: 1; min-height: 0; display: flex; flex-direction: column;
  padding: .4rem 1.2rem .6rem; }
p.gc-caption { font-size: 30px; line-height: 1.25; margin: .2rem 0 .5rem; font-weight: 600; }
.gc-stage { flex: 1; min-height: 0; overflow: hidden; display: flex; justify-content: center; }
.gc-stage .gradclip-explorer .gc-controls { justify-content: center; }
.gc-stage .gradclip-explorer .gc-figure { margin: 0 auto; }
</style>"""


def lecture_page(lecture, scenes, words, head, up="../", root="../"):
    """The HTML of a lecture: ``scenes`` from :func:`resolve_scenes` (each with ``page`` and
    ``title`` of its notebook's page added), ``words`` the page's words in its language,
    ``head`` the site's page head, ``up`` the path from the page to its edition's folder,
    ``root`` to the site's root (where ``static/`` is)."""
    data = [{"spec": up + s["spec"], "preset": s["preset"], "caption": s["caption"],
             "name": s["name"], "page": up + s["page"], "title": s["title"]} for s in scenes]
    text = json.dumps(data, ensure_ascii=False).replace("</", "<\\/")
    title = html.escape(lecture["title"])
    return (f'{head}<nav class="gc-lecture-bar"><span class="gc-lecture-title">{title}</span>'
            f'<span class="gc-scene-number" aria-live="polite"></span>'
            f'<a class="gc-scene-source" href="#"></a><span class="gc-spacer"></span>'
            f'<button type="button" class="gc-scene-prev">{html.escape(words["previous"])}</button>'
            f'<button type="button" class="gc-scene-next">{html.escape(words["next"])}</button></nav>\n'
            f'<main class="gc-lecture-scene"><p class="gc-caption" aria-live="polite"></p>'
            f'<div class="gc-stage"></div></main>\n'
            f'<script type="application/json" id="gc-scenes">{text}</script>\n'
            f'{LECTURE_SCRIPT.replace("{up}", root)}\n</body>\n</html>\n')
