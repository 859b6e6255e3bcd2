// The controls in the page: sliders with readouts, toggle buttons, the play button; their
// ARIA, the inactive state (a control with an `active` field is disabled where the field is
// 0) and the position a value from Python snaps to. Each function takes the Explorer. The
// words shown come from the spec, in the explorer's language: a control's label, a toggle's
// option_labels (its options are the values, kept as they are), the play button's name.

const SLIDER_KEYS = new Set(["ArrowLeft", "ArrowRight", "ArrowUp", "ArrowDown", "Home", "End",
  "PageUp", "PageDown"]);
let uid = 0;

/** The div.gc-control of control `c`; its inputs go to ex.inputs, ex.readouts, ex.wraps. */
export function controlElement(ex, c) {
  const wrap = document.createElement("div");
  wrap.className = "gc-control";
  wrap.dataset.kind = c.kind;
  ex.wraps[c.name] = wrap;
  const id = `gc-${++uid}-${c.name}`;
  const label = document.createElement(c.kind === "toggle" ? "span" : "label");
  label.className = "gc-label";
  label.textContent = c.label;
  if (c.kind === "toggle") {
    wrap.setAttribute("role", "group");
    wrap.setAttribute("aria-label", c.label);
    wrap.appendChild(label);
    ex.inputs[c.name] = c.options.map((opt, i) => {
      const b = document.createElement("button");
      b.type = "button";
      b.className = "gc-toggle";
      b.dataset.name = c.name;
      b.dataset.value = opt;
      b.textContent = (c.option_labels || c.options)[i];
      b.addEventListener("click", (ev) => ex.input(c.name, i, ev, true));
      wrap.appendChild(b);
      return b;
    });
    showControl(ex, c.name);
    return wrap;
  }
  label.htmlFor = id;
  const input = document.createElement("input");
  input.type = "range";
  input.className = "gc-slider";
  input.id = id;
  input.dataset.name = c.name;
  input.min = c.kind === "slider" ? 0 : c.min;
  input.max = c.kind === "slider" ? c.values.length - 1 : c.max;
  input.step = 1;
  input.value = c.position;
  const out = document.createElement("output");
  out.className = "gc-readout";
  out.dataset.name = c.name;
  out.htmlFor = id;
  input.addEventListener("input", (ev) => ex.input(c.name, +input.value, ev, false));
  input.addEventListener("change", () => ex.commit(c.name));
  // The slider's own keys stay with the slider: JupyterLab's notebook listens for arrow keys
  // on the way up (command mode) and would cancel the range input's default step.
  input.addEventListener("keydown", (ev) => {
    if (SLIDER_KEYS.has(ev.key)) ev.stopPropagation();
  });
  if (c.kind === "player") {
    const play = document.createElement("button");
    play.type = "button";
    play.className = "gc-play";
    play.dataset.name = c.name;
    play.setAttribute("aria-label", word(ex, "play"));
    play.textContent = "▶";
    play.addEventListener("click", () => togglePlay(ex, c));
    ex.playButton = play;
    wrap.appendChild(play);
  }
  wrap.append(label, input, out);
  ex.inputs[c.name] = input;
  ex.readouts[c.name] = out;
  showControl(ex, c.name);
  return wrap;
}

/** The page's fixed word `key` in the explorer's language (spec.strings; empty if absent). */
export function word(ex, key) {
  return (ex.spec.strings || {})[key] || "";
}

function readout(c, p) {
  return c.kind === "slider" ? c.labels[p] : c.kind === "toggle" ? c.options[p] : String(p);
}

/** Readouts and ARIA of one control from ex.pos. */
export function showControl(ex, name) {
  const c = ex.controls[name], inp = ex.inputs[name];
  if (c.kind === "toggle") {
    inp.forEach((b, i) => b.setAttribute("aria-pressed", String(i === ex.pos[name])));
    return;
  }
  const text = readout(c, ex.pos[name]);
  ex.readouts[name].textContent = text;
  inp.setAttribute("aria-valuetext", text);
}

/** Disable the controls whose `active` field is 0 in this state (they keep their value). */
export function showActive(ex) {
  for (const c of ex.spec.controls) {
    if (!c.active) continue;
    const on = Boolean(ex.ev.field(c.active, ex.pos)), wrap = ex.wraps[c.name];
    if (wrap.dataset.active === String(on)) continue;
    wrap.dataset.active = String(on);
    wrap.classList.toggle("gc-inactive", !on);
    const inputs = [].concat(ex.inputs[c.name]);
    if (c.kind === "player" && ex.playButton) inputs.push(ex.playButton);
    for (const inp of inputs) {
      inp.disabled = !on;
      if (on) inp.removeAttribute("aria-disabled"); else inp.setAttribute("aria-disabled", "true");
    }
    if (!on && c.kind === "player" && ex.playing) togglePlay(ex, c);
  }
}

/** The position of control `c` for a value set from Python (a grid value snaps to the nearest). */
export function positionOf(c, v) {
  if (c.kind === "slider") {
    let best = 0;
    c.values.forEach((x, i) => { if (Math.abs(x - v) < Math.abs(c.values[best] - v)) best = i; });
    return best;
  }
  if (c.kind === "toggle") return Math.max(0, c.options.indexOf(v));
  return Math.round(v);
}

/** Play or pause the player control `c`: one step every c.interval ms up to its maximum. */
export function togglePlay(ex, c) {
  if (ex.playing) {
    clearInterval(ex.playing);
    ex.playing = null;
    ex.playButton.textContent = "▶";
    ex.playButton.setAttribute("aria-label", word(ex, "play"));
    ex.report(true);
    return;
  }
  if (ex.pos[c.name] >= c.max) ex.pos[c.name] = c.min;
  ex.playButton.textContent = "❚❚";
  ex.playButton.setAttribute("aria-label", word(ex, "pause"));
  const tick = () => {
    const next = ex.pos[c.name] + 1;
    if (next > c.max) { togglePlay(ex, c); return; }
    ex.inputs[c.name].value = next;
    ex.input(c.name, next, null, false);
  };
  tick();
  ex.playing = setInterval(tick, c.interval);
}
