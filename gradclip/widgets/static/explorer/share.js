// A state you can share: an explorer's settings as a preset string ("lr=1.6;steps=60", the
// format of Python's Explorer.preset / apply_preset in gradclip/widgets/live.py) and the
// states of a page's explorers in its address (#learning_rate-0:lr=1.6;steps=60&clipping-0:...).
//
// presetOf / applyPreset / hashOf / parseHash are pure (tests/share_in_node.mjs runs them under
// node against Python's preset strings). linkExplorers wires a static page: it restores the
// states in the address after mount, keeps the address in step with the controls
// (history.replaceState: no reload, no history entry, at most a few times a second) and adds a
// "copy link" button to each explorer's control bar (its words from spec.strings).

import { formatG } from "./format.js";
import { word } from "./controls.js";

/** The settings at positions `pos` ({control: position}) as Python's preset string. */
export function presetOf(spec, pos) {
  return spec.controls.map((c) => {
    const p = pos[c.name];
    if (c.kind === "slider") return `${c.name}=${formatG(c.values[p], 4)}`;
    if (c.kind === "toggle") return `${c.name}=${c.options[p]}`;
    return `${c.name}=${p}`;
  }).join(";");
}

function presetNumber(name, raw) {  // Python's float(raw): no empty text, inf/nan spelled out
  const t = raw.trim().toLowerCase().replace(/^([+-]?)infinity$/, "$1inf");
  const n = /^[+-]?inf$/.test(t) ? (t[0] === "-" ? -Infinity : Infinity) : t === "nan" ? NaN :
    t !== "" && /^[+-]?(\d+\.?\d*|\.\d+)(e[+-]?\d+)?$/.test(t) ? Number(t) : null;
  if (n === null) throw new Error(`${name} must be a number, got '${raw}'`);
  return n;
}

function sliderPosition(c, x) {  // GridSlider.index: the nearest grid entry (in log10 if log)
  const v = c.values, lo = v[0], hi = v[v.length - 1];
  const tol = c.log ? 0 : 1e-3 * Math.abs(hi - lo);
  const ok = c.log ? lo * (1 - 1e-3) <= x && x <= hi * (1 + 1e-3) : lo - tol <= x && x <= hi + tol;
  if (!Number.isFinite(x) || !ok) {
    throw new Error(`${c.name}=${x} is outside the slider range [${formatG(lo, 4)}, ${formatG(hi, 4)}]`);
  }
  const d = (a) => (c.log ? Math.abs(Math.log10(a) - Math.log10(x)) : Math.abs(a - x));
  let best = 0;
  v.forEach((a, i) => { if (d(a) < d(v[best])) best = i; });
  return best;
}

/** The positions a preset string sets ({control: position}, only the controls it names);
 * throws an Error naming the entry, as Python's apply_preset raises ValueError. */
export function applyPreset(spec, preset) {
  if (typeof preset !== "string" || !preset.trim()) {
    throw new Error(`preset must be a non-empty string like 'lr=0.1;steps=50', got '${preset}'`);
  }
  const controls = Object.fromEntries(spec.controls.map((c) => [c.name, c]));
  const names = Object.keys(controls).sort();
  const out = {};
  for (const part of preset.trim().replace(/^;+|;+$/g, "").split(";")) {
    const eq = part.indexOf("="), key = (eq < 0 ? part : part.slice(0, eq)).trim();
    const raw = eq < 0 ? "" : part.slice(eq + 1).trim(), c = controls[key];
    if (eq < 0 || !c) {
      throw new Error(`preset entry '${part}': unknown key '${key}'; expected ${names.join(", ")}`);
    }
    try {
      if (c.kind === "toggle") {
        const i = c.options.indexOf(raw);
        if (i < 0) throw new Error(`${key}='${raw}' is not one of ${c.options.join(", ")}`);
        out[key] = i;
      } else if (c.kind === "slider") {
        out[key] = sliderPosition(c, presetNumber(key, raw));
      } else {
        const x = presetNumber(key, raw);
        if (!Number.isInteger(x) || x < c.min || x > c.max) {
          throw new Error(`${key}=${raw} must be an integer in [${c.min}, ${c.max}]`);
        }
        out[key] = x;
      }
    } catch (err) {
      throw new Error(`preset entry '${part}': ${err.message}`);
    }
  }
  return out;
}

/** The address part (with "#") holding [[id, preset], ...]; "" when there is none. */
export function hashOf(states) {
  if (!states.length) return "";
  const text = (preset) => encodeURI(preset).replace(/[#&]/g, encodeURIComponent);
  return "#" + states.map(([id, preset]) => `${id}:${text(preset)}`).join("&");
}

/** {id: preset} from an address part ("#a-0:lr=1&b-0:..."); parts without "id:" are ignored. */
export function parseHash(hash) {
  const out = {};
  for (const part of String(hash || "").replace(/^#/, "").split("&")) {
    const m = /^([\w-]+):(.+)$/.exec(part);
    if (!m) continue;
    try { out[m[1]] = decodeURIComponent(m[2]); } catch (err) { /* a broken escape: skip it */ }
  }
  return out;
}

/** Ids of a page's explorers in page order: "<name>-<k>", k counting explorers of that name. */
export function explorerIds(names) {
  const seen = {};
  return names.map((n) => `${n}-${(seen[n] = (seen[n] ?? -1) + 1)}`);
}

function positionsOf(ex) {
  return Object.fromEntries(ex.spec.controls.map((c) => [c.name, ex.pos[c.name]]));
}

/** Set an explorer's controls to a preset (values as the page shows them; no request). */
export function showPreset(ex, preset) {
  const pos = applyPreset(ex.spec, preset);
  ex.setValues(Object.fromEntries(Object.entries(pos).map(([k, p]) => [k, ex.ev.value({[k]: p}, k)])));
  return pos;
}

function copyButton(ex, link) {
  const button = document.createElement("button");
  button.type = "button";
  button.className = "gc-copy-link";
  button.textContent = word(ex, "copy_link");
  button.addEventListener("click", async () => {
    const href = link();
    let done = false;
    try {
      if (navigator.clipboard && window.isSecureContext) {
        await navigator.clipboard.writeText(href);
        done = true;
      }
    } catch (err) { /* no permission: fall back to a field to copy from */ }
    let field = ex.root.querySelector("input.gc-link-text");
    if (!done) {
      if (!field) {
        field = document.createElement("input");
        field.className = "gc-link-text";
        field.readOnly = true;
        field.setAttribute("aria-label", word(ex, "copy_link"));
        button.after(field);
      }
      field.value = href;
      field.select();
      try { done = document.execCommand("copy"); } catch (err) { done = false; }
    } else if (field) field.remove();
    button.dataset.copied = String(done);
    button.textContent = word(ex, done ? "link_copied" : "copy_link");
    clearTimeout(button.timer);
    button.timer = setTimeout(() => { button.textContent = word(ex, "copy_link"); }, 1600);
  });
  const bar = ex.root.querySelector(".gc-controls");
  (bar || ex.root).appendChild(button);
  return button;
}

/** A static page's explorers and its address: `items` is [{name, el, ex}] in page order (ex
 * null where one failed to mount); each gets its id (explorerIds; on el as data-explorer-id).
 * Restores the states the address holds, then keeps the address in step. */
export function linkExplorers(items, {copy = true, wait = 250} = {}) {
  explorerIds(items.map((it) => it.name || "explorer")).forEach((id, i) => {
    items[i].id = id;
    if (items[i].el) items[i].el.dataset.explorerId = id;
  });
  const live = items.filter((it) => it.ex && it.ex.spec && it.ex.pos);
  const saved = parseHash(location.hash);
  for (const it of live) {
    it.start = presetOf(it.ex.spec, positionsOf(it.ex));
    if (saved[it.id]) {
      try { showPreset(it.ex, saved[it.id]); } catch (err) {
        it.ex.root.dataset.presetError = err.message;
        console.error("explorer", it.id, err.message);
      }
    }
  }
  let timer = 0, last = 0;
  const write = () => {
    timer = 0;
    last = performance.now();
    const states = live.map((it) => [it.id, presetOf(it.ex.spec, positionsOf(it.ex))])
      .filter(([id, p], i) => p !== live[i].start);
    const others = Object.entries(parseHash(location.hash)).filter(([id]) => !live.some((it) => it.id === id));
    const hash = hashOf([...others, ...states]);
    if (hash === location.hash) return;
    history.replaceState(history.state, "", hash || location.pathname + location.search);
  };
  const changed = () => {
    if (!timer) timer = setTimeout(write, Math.max(0, wait - (performance.now() - last)));
  };
  for (const it of live) {
    it.ex.onChange = changed;
    if (copy) copyButton(it.ex, () => { if (timer) { clearTimeout(timer); write(); } return location.href; });
  }
  return {flush: () => { if (timer) { clearTimeout(timer); write(); } }};
}
