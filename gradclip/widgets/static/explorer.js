// gradclip explorer: the moving layer of an explorer, drawn in the page from precomputed arrays.
//
// Exports: `default {render}` for anywidget (model traits: `spec` JSON text, `values` {name:
// value}, `patch` JSON text of kernel answers; requests go out with model.send) and
// `mount(el, spec)` that runs the same UI from a spec without a kernel (a static page).
// The spec ("gradclip.explorer/1") is described in gradclip/widgets/stage.py: a background
// PNG drawn once by matplotlib, each axes' pixel box and data limits, controls, arrays
// (gradclip/widgets/encoding.py), artists, fields, a status line and `covers` (boxes of the
// picture, keys and labels, copied back over the moving artists so they stay readable).
//
// DOM (kept stable for tests): div.gradclip-explorer[data-explorer] > div.gc-controls
// (input.gc-slider[data-name] + output.gc-readout[data-name]; button.gc-toggle[data-name]
// [data-value][aria-pressed]; button.gc-play) and div.gc-figure (img.gc-background, canvas.gc-canvas,
// div.gc-status[role=status][aria-live=polite], div.gc-busy). After each paint the root gets
// data-frame (a counter) and data-last-paint-ms (input event -> end of paint, performance.now()).
// A control with an `active` field is disabled while that field is 0: its inputs get `disabled`
// and aria-disabled="true", its div.gc-control the class gc-inactive (greyed); it keeps its value.
// Values go to the kernel (model.set + save_changes) but are never written back into a control
// while it is dragged; values set from Python move the controls.

const SLIDER_KEYS = new Set(["ArrowLeft", "ArrowRight", "ArrowUp", "ArrowDown", "Home", "End",
  "PageUp", "PageDown"]);
const FORMAT = "gradclip.explorer/1";
// the status line of a state that only a kernel can compute, on a page without one
const NEEDS_KERNEL = "This setting is computed by the kernel: run the notebook to see it.";
let uid = 0;

// ---------- arrays ----------------------------------------------------------------------
async function inflate(b64) {
  const bin = atob(b64);
  const bytes = new Uint8Array(bin.length);
  for (let i = 0; i < bin.length; i++) bytes[i] = bin.charCodeAt(i);
  const stream = new Blob([bytes]).stream().pipeThrough(new DecompressionStream("deflate"));
  return new Uint8Array(await new Response(stream).arrayBuffer());
}

export async function decodeArray(spec) {
  const n = spec.shape.reduce((a, b) => a * b, 1);
  const body = await inflate(spec.data);
  const out = new Float32Array(n);
  if (spec.enc === "f32") {
    out.set(new Float32Array(body.buffer, body.byteOffset, n));
  } else {
    const w = spec.bytes, last = spec.shape[spec.shape.length - 1] || 1, q = spec.quantum;
    let acc = 0;
    for (let i = 0; i < n; i++) {
      let z = body[i] + body[n + i] * 256;
      if (w === 4) z += body[2 * n + i] * 65536 + body[3 * n + i] * 16777216;
      if (i % last === 0) acc = 0;
      acc += z % 2 ? -(z + 1) / 2 : z / 2;
      const v = acc * q;
      out[i] = spec.log ? Math.pow(10, v) : v;
    }
  }
  if (spec.nan) {
    const bits = await inflate(spec.nan);
    for (let i = 0; i < n; i++) if (bits[i >> 3] & (128 >> (i & 7))) out[i] = NaN;
  }
  return out;
}

function strides(shape) {
  const s = new Array(shape.length).fill(1);
  for (let i = shape.length - 2; i >= 0; i--) s[i] = s[i + 1] * shape[i + 1];
  return s;
}

// ---------- Python-compatible number formatting (format(x, ".3g"), ".1f", "d") ------------
function special(x) {
  return Number.isNaN(x) ? "nan" : x > 0 ? "inf" : "-inf";
}

function sigDigits(ax, p) {  // p significant digits of ax > 0, rounded half to even like Python
  const [m, e] = ax.toExponential(p - 1).split("e");
  let digits = m.replace(".", ""), exp = +e;
  const [m2, e2] = ax.toExponential(100).split("e");
  const all = m2.replace(".", "");
  if (all[p] === "5" && /^0*$/.test(all.slice(p + 1)) && +all[p - 1] % 2 === 0) {
    digits = all.slice(0, p);
    exp = +e2;
  }
  return [digits, exp];
}

export function formatG(x, p) {
  if (!Number.isFinite(x)) return special(x);
  if (p === 0) p = 1;
  if (x === 0) return 1 / x < 0 ? "-0" : "0";
  const [digits, exp] = sigDigits(Math.abs(x), p);
  let out;
  if (exp >= -4 && exp < p) {
    const int = exp >= 0 ? digits.slice(0, exp + 1) : "0";
    const frac = (exp >= 0 ? digits.slice(exp + 1) : "0".repeat(-exp - 1) + digits).replace(/0+$/, "");
    out = frac ? `${int}.${frac}` : int;
  } else {
    const frac = digits.slice(1).replace(/0+$/, "");
    out = digits[0] + (frac ? "." + frac : "") + "e" + (exp < 0 ? "-" : "+") +
      String(Math.abs(exp)).padStart(2, "0");
  }
  return (x < 0 ? "-" : "") + out;
}

export function formatF(x, n) {
  if (!Number.isFinite(x)) return special(x);
  let s = x.toFixed(n);
  const ax = Math.abs(x);
  if (ax < 1e21) {
    const ex = ax.toFixed(Math.min(100, n + 60));
    const dot = ex.indexOf(".");
    const tail = ex.slice(dot + 1 + n);
    if (/^50*$/.test(tail)) {
      const kept = ex.slice(0, n ? dot + 1 + n : dot);
      if (+kept[kept.length - 1] % 2 === 0) s = (x < 0 ? "-" : "") + kept;
    }
  }
  return s;
}

export function formatValue(v, fmt) {
  if (typeof v === "string") return v;
  if (!fmt || fmt === "d") return Number.isInteger(v) ? String(v) : fmt === "d" ? formatF(v, 0) : String(v);
  const m = /^\.(\d+)([gf])$/.exec(fmt);
  if (!m) return String(v);
  return m[2] === "g" ? formatG(v, +m[1]) : formatF(v, +m[1]);
}

function formatTemplate(template, fields) {
  return template.replace(/\{(\w+)(?::([^{}]*))?\}/g, (_, k, f) => formatValue(fields[k], f || ""));
}

// ---------- the explorer ----------------------------------------------------------------
const DASHES = {"--": [3.7, 1.6], ":": [1, 1.65], "-.": [6.4, 1.6, 1, 1.6]};

class Explorer {
  constructor(el, spec, host) {
    if (spec.format !== FORMAT) throw new Error(`gradclip explorer: unknown spec format ${spec.format}`);
    this.el = el; this.spec = spec; this.host = host;
    this.pos = {}; this.inputs = {}; this.frame = 0; this.t0 = null; this.raf = 0;
    this.timers = []; this.seq = 0; this.arrays = {}; this.playing = null;
    this.px = spec.dpi / 72;  // CSS px per point
    this.controls = Object.fromEntries(spec.controls.map((c) => [c.name, c]));
    for (const c of spec.controls) this.pos[c.name] = c.position;
    // request name -> the key of the state whose arrays are loaded (the stored one at first)
    this.loaded = Object.fromEntries(Object.entries(spec.requests || {})
      .map(([rname, req]) => [rname, this.requestKey(req)]));
    this.artists = spec.artists.map((a, i) => ({...a, i})).sort((a, b) => a.z - b.z || a.i - b.i);
    this.build();
  }

  async start() {
    await this.loadArrays(this.spec.arrays);
    this.ready = true;
    this.paint();
  }

  async loadArrays(arrays) {
    const names = Object.keys(arrays);
    const decoded = await Promise.all(names.map((k) => decodeArray(arrays[k])));
    names.forEach((k, i) => {
      const a = arrays[k];
      this.arrays[k] = {data: decoded[i], shape: a.shape, axes: a.axes, strides: strides(a.shape),
                        integer: a.integer};
    });
  }

  // ---- DOM
  build() {
    const s = this.spec, root = document.createElement("div");
    root.className = "gradclip-explorer";
    root.dataset.explorer = s.name;
    if (s.presentation) root.classList.add("gradclip-presentation");
    const bar = document.createElement("div");
    bar.className = "gc-controls";
    for (const c of s.controls) bar.appendChild(this.control(c));
    // one label width for the explorer's sliders, so that their tracks line up row under row
    const longest = Math.max(0, ...s.controls.filter((c) => c.kind !== "toggle").map((c) => c.label.length));
    root.style.setProperty("--gc-label-width", `${Math.max(4.5, 0.62 * longest).toFixed(2)}em`);
    const fig = document.createElement("div");
    fig.className = "gc-figure";
    fig.style.width = `${s.size[0]}px`;
    fig.style.aspectRatio = `${s.size[0]} / ${s.size[1]}`;
    const img = document.createElement("img");
    img.className = "gc-background";
    img.alt = `${s.name} explorer: axes and labels`;
    img.width = Math.round(s.size[0]);
    img.height = Math.round(s.size[1]);
    img.src = s.background.src;
    const canvas = document.createElement("canvas");
    canvas.className = "gc-canvas";
    canvas.setAttribute("aria-hidden", "true");
    const status = document.createElement("div");
    status.className = "gc-status";
    status.setAttribute("role", "status");
    status.setAttribute("aria-live", "polite");
    const busy = document.createElement("div");
    busy.className = "gc-busy";
    busy.hidden = true;
    busy.textContent = "computing…";
    fig.append(img, canvas, status, busy);
    root.append(bar, fig);
    this.el.appendChild(root);
    Object.assign(this, {root, img, canvas, status, busy, figure: fig});
    if (s.status) {
      status.style.left = `${(100 * s.status.box[0]) / s.size[0]}%`;
      status.style.top = `${(100 * s.status.box[1]) / s.size[1]}%`;
    }
    img.addEventListener("load", () => this.schedule(null));  // covers need the picture
    this.resize = new ResizeObserver(() => this.schedule(null));
    this.resize.observe(fig);
    if (s.presentation) {  // on a projector the controls and the whole figure fit one screen
      this.fit = () => {
        const room = window.innerHeight - bar.getBoundingClientRect().height - 24;
        fig.style.width = `${Math.max(240, Math.min(s.size[0], (room * s.size[0]) / s.size[1]))}px`;
      };
      window.addEventListener("resize", this.fit);
      requestAnimationFrame(this.fit);
    }
  }

  control(c) {
    const wrap = document.createElement("div");
    wrap.className = "gc-control";
    wrap.dataset.kind = c.kind;
    this.wraps = {...(this.wraps || {}), [c.name]: wrap};
    const id = `gc-${++uid}-${c.name}`;
    const label = document.createElement(c.kind === "toggle" ? "span" : "label");
    label.className = "gc-label";
    label.textContent = c.label;
    if (c.kind === "toggle") {
      wrap.setAttribute("role", "group");
      wrap.setAttribute("aria-label", c.label);
      wrap.appendChild(label);
      this.inputs[c.name] = c.options.map((opt, i) => {
        const b = document.createElement("button");
        b.type = "button";
        b.className = "gc-toggle";
        b.dataset.name = c.name;
        b.dataset.value = opt;
        b.textContent = opt;
        b.addEventListener("click", (ev) => this.input(c.name, i, ev, true));
        wrap.appendChild(b);
        return b;
      });
      this.showControl(c.name);
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
    input.addEventListener("input", (ev) => this.input(c.name, +input.value, ev, false));
    input.addEventListener("change", () => { this.report(true); this.maybeRequest(c.name); });
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
      play.setAttribute("aria-label", "play");
      play.textContent = "▶";
      play.addEventListener("click", () => this.togglePlay(c));
      this.playButton = play;
      wrap.appendChild(play);
    }
    wrap.append(label, input, out);
    this.inputs[c.name] = input;
    this.readouts = {...(this.readouts || {}), [c.name]: out};
    this.showControl(c.name);
    return wrap;
  }

  readout(name) {
    const c = this.controls[name], p = this.pos[name];
    return c.kind === "slider" ? c.labels[p] : c.kind === "toggle" ? c.options[p] : String(p);
  }

  value(name) {
    const c = this.controls[name], p = this.pos[name];
    return c.kind === "slider" ? c.values[p] : c.kind === "toggle" ? c.options[p] : p;
  }

  showControl(name) {  // readouts and ARIA of one control from this.pos
    const c = this.controls[name], inp = this.inputs[name];
    if (c.kind === "toggle") {
      inp.forEach((b, i) => b.setAttribute("aria-pressed", String(i === this.pos[name])));
      return;
    }
    const text = this.readout(name);
    this.readouts[name].textContent = text;
    inp.setAttribute("aria-valuetext", text);
  }

  showActive() {  // disable the controls whose `active` field is 0 in this state
    for (const c of this.spec.controls) {
      if (!c.active) continue;
      const on = Boolean(this.field(c.active)), wrap = this.wraps[c.name];
      if (wrap.dataset.active === String(on)) continue;
      wrap.dataset.active = String(on);
      wrap.classList.toggle("gc-inactive", !on);
      const inputs = [].concat(this.inputs[c.name]);
      if (c.kind === "player" && this.playButton) inputs.push(this.playButton);
      for (const inp of inputs) {
        inp.disabled = !on;
        if (on) inp.removeAttribute("aria-disabled"); else inp.setAttribute("aria-disabled", "true");
      }
      if (!on && c.kind === "player" && this.playing) this.togglePlay(c);
    }
  }

  input(name, position, ev, commit) {
    this.pos[name] = position;
    this.showControl(name);
    this.schedule(ev);
    this.report(commit);
    if (commit) this.maybeRequest(name);
  }

  // values set from Python: move the controls (never called for the page's own changes)
  setValues(values) {
    for (const [name, v] of Object.entries(values)) {
      const c = this.controls[name];
      if (!c) continue;
      let p;
      if (c.kind === "slider") {
        let best = 0;
        c.values.forEach((x, i) => { if (Math.abs(x - v) < Math.abs(c.values[best] - v)) best = i; });
        p = best;
      } else if (c.kind === "toggle") {
        p = Math.max(0, c.options.indexOf(v));
      } else {
        p = Math.round(v);
      }
      this.pos[name] = p;
      if (c.kind !== "toggle") this.inputs[name].value = p;
      this.showControl(name);
    }
    this.schedule(null);
  }

  values() {
    return Object.fromEntries(Object.keys(this.controls).map((k) => [k, this.value(k)]));
  }

  report(now) {  // to the kernel, at most every 50 ms while dragging, always on release
    if (!this.host) return;
    clearTimeout(this.reportTimer);
    const send = () => { this.lastReport = performance.now(); this.host.report(this.values()); };
    const wait = 50 - (performance.now() - (this.lastReport || 0));
    if (now || wait <= 0) send();
    else this.reportTimer = setTimeout(send, wait);
  }

  togglePlay(c) {
    if (this.playing) {
      clearInterval(this.playing);
      this.playing = null;
      this.playButton.textContent = "▶";
      this.playButton.setAttribute("aria-label", "play");
      this.report(true);
      return;
    }
    if (this.pos[c.name] >= c.max) this.pos[c.name] = c.min;
    this.playButton.textContent = "❚❚";
    this.playButton.setAttribute("aria-label", "pause");
    const tick = () => {
      const next = this.pos[c.name] + 1;
      if (next > c.max) { this.togglePlay(c); return; }
      this.inputs[c.name].value = next;
      this.input(c.name, next, null, false);
    };
    tick();
    this.playing = setInterval(tick, c.interval);
  }

  // ---- kernel-backed states
  requestKey(req) {
    return req.controls.map((k) => `${k}=${this.pos[k]}`).join(";");
  }

  maybeRequest(name) {
    for (const [rname, req] of Object.entries(this.spec.requests || {})) {
      if (!req.controls.includes(name)) continue;
      const key = this.requestKey(req);
      if (this.loaded[rname] === key) continue;
      const cached = req.cache && req.cache[key];
      if (cached) { this.loaded[rname] = key; this.applyPatch(cached); continue; }
      if (!this.host) { this.schedule(null); continue; }  // paint() says a kernel is needed
      const seq = ++this.seq;
      this.pending = [rname, key];
      this.busy.hidden = false;
      this.root.dataset.busy = "true";
      const values = Object.fromEntries(req.controls.map((k) => [k, this.value(k)]));
      this.host.request({kind: "request", name: rname, values, seq});
    }
  }

  async reply(text) {
    if (!text) return;
    const r = JSON.parse(text);
    if (r.seq === null || r.seq === undefined) { if (r.patch) await this.applyPatch(r.patch); return; }
    if (r.seq !== this.seq) return;  // an older answer: a newer request is under way
    if (r.error) this.status.textContent = r.error;
    else {
      if (this.pending) this.loaded[this.pending[0]] = this.pending[1];
      await this.applyPatch(r.patch);
    }
    this.busy.hidden = true;
    delete this.root.dataset.busy;
  }

  async applyPatch(patch) {
    if (patch.arrays) {
      await this.loadArrays(patch.arrays);
      Object.assign(this.spec.arrays, patch.arrays);
    }
    if (patch.background) {
      this.spec.background = patch.background;
      this.img.src = patch.background.src;
    }
    this.schedule(null);
  }

  // ---- drawing
  schedule(ev) {
    const t = ev && ev.timeStamp > 0 && ev.timeStamp <= performance.now() ? ev.timeStamp : performance.now();
    if (this.t0 === null || t < this.t0) this.t0 = t;
    if (!this.raf) this.raf = requestAnimationFrame(() => { this.raf = 0; this.paint(); });
  }

  index(name, along) {  // offset, stride and length of an array at the current positions
    const a = this.arrays[name];
    let base = 0, stride = 0, n = 1;
    a.axes.forEach((ax, i) => {
      if (ax === along) { stride = a.strides[i]; n = a.shape[i]; }
      else base += this.pos[ax] * a.strides[i];
    });
    return {a, base, stride, n};
  }

  field(f) {
    if (f === null || typeof f !== "object") return f;
    switch (f.kind) {
      case "const": return f.value;
      case "value": return this.value(f.control);
      case "position": return this.pos[f.control];
      case "at": { const {a, base} = this.index(f.array, null); return a.data[base]; }
      case "reduce": {
        const {a, base, stride, n} = this.index(f.array, f.along);
        const m = Math.max(0, Math.min(n, this.pos[f.cut] + 1 + f.shift));
        let acc = f.op === "sum" || f.op === "count" ? 0 : NaN;
        for (let j = 0; j < m; j++) {
          const v = a.data[base + j * stride];
          if (Number.isNaN(v)) continue;
          if (f.op === "count") acc += 1;
          else if (f.op === "sum") acc += v;
          else if (Number.isNaN(acc) || (f.op === "max" ? v > acc : v < acc)) acc = v;
        }
        return acc;
      }
      case "between": {
        const x = this.field(f.field), lo = this.field(f.lo), hi = this.field(f.hi);
        return lo <= x && x <= hi ? 1 : 0;
      }
      case "isin": return f.options.includes(this.value(f.control)) ? 1 : 0;
      case "pick": {
        const i = Math.trunc(this.field(f.field));
        return f.labels[Math.min(Math.max(i, 0), f.labels.length - 1)];
      }
      case "where": return this.field(this.field(f.cond) ? f.a : f.b);
      case "div": { const b = this.field(f.b); return b ? (f.scale * this.field(f.a)) / b : 0; }
      default: throw new Error(`unknown field ${f.kind}`);
    }
  }

  resolve(v) {
    if (v && typeof v === "object" && "switch" in v) {
      const i = Math.trunc(this.field(v.switch));
      return v.values[Math.min(Math.max(i, 0), v.values.length - 1)];
    }
    return v;
  }

  mapper(axesIndex) {
    const s = this.spec;
    if (axesIndex < 0) return {x: (x) => x, y: (y) => y, box: [0, 0, s.size[0], s.size[1]]};
    const A = s.axes[axesIndex], [l, t, w, h] = A.bbox;
    const lin = (spec, from, span, flip) => {
      const log = spec.log, a = log ? Math.log10(spec.lim[0]) : spec.lim[0];
      const b = log ? Math.log10(spec.lim[1]) : spec.lim[1], k = span / (b - a);
      return (v) => {
        const u = log ? (v > 0 ? Math.log10(v) : NaN) : v;
        return flip ? from + span - (u - a) * k : from + (u - a) * k;
      };
    };
    return {x: A.x ? lin(A.x, l, w, false) : (x) => x, y: A.y ? lin(A.y, t, h, true) : (y) => y,
            box: [l, t, w, h]};
  }

  paint() {
    if (!this.ready) return;
    const s = this.spec, ctx = this.canvas.getContext("2d");
    const dpr = window.devicePixelRatio || 1;
    const cw = this.figure.clientWidth || s.size[0], k = cw / s.size[0];
    const W = Math.round(cw * dpr), H = Math.round(s.size[1] * k * dpr);
    if (this.canvas.width !== W || this.canvas.height !== H) {
      this.canvas.width = W;
      this.canvas.height = H;
    }
    ctx.setTransform(1, 0, 0, 1, 0, 0);
    ctx.clearRect(0, 0, W, H);
    ctx.setTransform(dpr * k, 0, 0, dpr * k, 0, 0);
    this.showActive();
    for (const art of this.artists) {
      if (art.visible !== null && !this.field(art.visible)) continue;
      const m = this.mapper(art.axes);
      ctx.save();
      if (art.clip !== null && art.clip !== undefined) {
        const [l, t, w, h] = art.clip < 0 ? [0, 0, s.size[0], s.size[1]] : s.axes[art.clip].bbox;
        ctx.beginPath();
        ctx.rect(l, t, w, h);
        ctx.clip();
      }
      const st = {};
      for (const [key, v] of Object.entries(art.style)) st[key] = this.resolve(v);
      ctx.globalAlpha = st.alpha ?? 1;
      if (art.type === "line") this.drawLine(ctx, art, st, m);
      else if (art.type === "vline" || art.type === "hline") this.drawRule(ctx, art, st, m);
      else if (art.type === "text") this.drawText(ctx, art, st, m);
      ctx.restore();
    }
    this.drawCovers(ctx);
    if (s.status) {
      const st = s.status;
      const c = st.case === null ? 0 : Math.trunc(this.field(st.case));
      const tpl = st.templates[Math.min(Math.max(c, 0), st.templates.length - 1)];
      const fields = Object.fromEntries(Object.entries(st.fields).map(([key, f]) => [key, this.field(f)]));
      const offline = !this.host && Object.entries(this.spec.requests || {})
        .some(([rname, req]) => this.requestKey(req) !== this.loaded[rname]);
      const text = offline ? NEEDS_KERNEL : formatTemplate(tpl, fields);
      if (this.status.textContent !== text || this.statusK !== k) {
        this.status.textContent = text;
        this.statusK = k;
        let size = st.size * k;
        this.status.style.fontSize = `${size}px`;
        const room = cw - this.status.offsetLeft - 4, wide = this.status.scrollWidth;
        if (wide > room && room > 0) {  // one line, never past the figure's right edge
          size = Math.max(size * 0.6, (size * room) / wide);
          this.status.style.fontSize = `${size}px`;
        }
      }
      this.status.style.color = offline ? "#555555" : this.resolve(st.color);
    }
    this.frame += 1;
    this.root.dataset.frame = String(this.frame);
    if (this.t0 !== null) this.root.dataset.lastPaintMs = (performance.now() - this.t0).toFixed(2);
    this.t0 = null;
  }

  // Keys and labels of the static layer stay on top: their boxes are copied back from the
  // picture over whatever the moving artists drew there.
  drawCovers(ctx) {
    const s = this.spec, img = this.img;
    if (!s.covers || !s.covers.length || !img.complete || !img.naturalWidth) return;
    const rx = img.naturalWidth / s.size[0], ry = img.naturalHeight / s.size[1];
    for (const [l, t, w, h] of s.covers) {
      ctx.clearRect(l, t, w, h);
      ctx.drawImage(img, l * rx, t * ry, w * rx, h * ry, l, t, w, h);
    }
  }

  vector(ref, along) {
    if (typeof ref === "number") return {get: () => ref, n: 1};
    const {a, base, stride, n} = this.index(ref, along);
    return {get: (j) => a.data[base + j * stride], n};
  }

  strokeStyle(ctx, st) {
    ctx.strokeStyle = st.color;
    ctx.lineWidth = st.lw * this.px;
    ctx.lineJoin = "round";
    const dash = DASHES[st.ls];
    ctx.lineCap = dash ? "butt" : "square";
    ctx.setLineDash(dash ? dash.map((d) => d * st.lw * this.px) : []);
  }

  drawLine(ctx, art, st, m) {
    const X = this.vector(art.x, art.along), Y = this.vector(art.y, art.along);
    let n = Math.max(X.n, Y.n);
    if (art.cut !== null && art.cut !== undefined) n = Math.max(0, Math.min(n, this.pos[art.cut] + 1 + art.shift));
    const M = art.mask !== null && art.mask !== undefined ? this.vector(art.mask, art.along) : null;
    const pts = [];
    const clamp = (v) => Math.max(-1e6, Math.min(1e6, v));
    for (let j = 0; j < n; j++) {
      const x = X.get(X.n === 1 ? 0 : j);
      let y = Y.get(Y.n === 1 ? 0 : j);
      if (art.fill_y !== null && art.fill_y !== undefined && !Number.isFinite(y)) y = art.fill_y;
      if (M && !M.get(M.n === 1 ? 0 : j)) y = NaN;
      if (art.only === "last") { if (Number.isFinite(x) && Number.isFinite(y)) pts[0] = [x, y]; continue; }
      pts.push([x, y]);
    }
    const px = pts.map(([x, y]) => [m.x(x), m.y(y)]).map(([x, y]) =>
      Number.isFinite(x) && Number.isFinite(y) ? [clamp(x), clamp(y)] : null);
    if (st.ls !== "none" && px.length > 1) {
      this.strokeStyle(ctx, st);
      ctx.beginPath();
      let pen = false;
      for (const p of px) {
        if (!p) { pen = false; continue; }
        if (pen) ctx.lineTo(p[0], p[1]); else { ctx.moveTo(p[0], p[1]); pen = true; }
      }
      ctx.stroke();
    }
    if (st.marker) this.drawMarkers(ctx, px.filter(Boolean), st);
  }

  drawMarkers(ctx, pts, st) {
    const r = (st.ms * this.px) / 2, face = st.mfc ?? st.color, edge = st.mec ?? st.color;
    const lineOnly = ["x", "+", "|", "_"].includes(st.marker);
    ctx.setLineDash([]);
    ctx.lineWidth = st.mew * this.px;
    ctx.lineJoin = "miter";
    ctx.fillStyle = face;
    ctx.strokeStyle = lineOnly ? st.mec ?? st.color : edge;
    for (const [x, y] of pts) {
      ctx.beginPath();
      markerPath(ctx, st.marker, x, y, r);
      if (!lineOnly && face !== "none") ctx.fill();
      ctx.stroke();
    }
  }

  drawRule(ctx, art, st, m) {
    const [l, t, w, h] = m.box;
    this.strokeStyle(ctx, st);
    ctx.lineCap = "butt";
    ctx.beginPath();
    if (art.type === "vline") {
      const x = m.x(this.field(art.x));
      if (!Number.isFinite(x)) return;
      ctx.moveTo(x, t); ctx.lineTo(x, t + h);
    } else {
      const y = m.y(this.field(art.y));
      if (!Number.isFinite(y)) return;
      ctx.moveTo(l, y); ctx.lineTo(l + w, y);
    }
    ctx.stroke();
  }

  drawText(ctx, art, st, m) {
    const s = this.spec;
    const fields = Object.fromEntries(Object.entries(art.fields).map(([k, f]) => [k, this.field(f)]));
    let x, y;
    if (art.coords === "data") { x = m.x(art.x); y = m.y(art.y); }
    else if (art.coords === "axes" && art.axes >= 0) {
      const [l, t, w, h] = m.box; x = l + art.x * w; y = t + (1 - art.y) * h;
    } else { x = art.x * s.size[0]; y = (1 - art.y) * s.size[1]; }
    ctx.fillStyle = st.color;
    ctx.font = `${st.weight === "bold" ? "bold " : ""}${st.size * this.px}px "DejaVu Sans", Verdana, sans-serif`;
    ctx.textAlign = {left: "left", center: "center", right: "right"}[st.ha] || "left";
    ctx.textBaseline = {top: "top", center: "middle", bottom: "bottom", baseline: "alphabetic"}[st.va] || "top";
    ctx.fillText(formatTemplate(art.template, fields), x, y);
  }

  destroy() {
    if (this.playing) clearInterval(this.playing);
    clearTimeout(this.reportTimer);
    if (this.raf) cancelAnimationFrame(this.raf);
    this.resize.disconnect();
    if (this.fit) window.removeEventListener("resize", this.fit);
    this.root.remove();
  }
}

function markerPath(ctx, marker, x, y, r) {
  switch (marker) {
    case "s": ctx.rect(x - r, y - r, 2 * r, 2 * r); break;
    case "D": { const d = r * Math.SQRT2 * 0.85; ctx.moveTo(x, y - d); ctx.lineTo(x + d, y); ctx.lineTo(x, y + d); ctx.lineTo(x - d, y); ctx.closePath(); break; }
    case "^": ctx.moveTo(x, y - r); ctx.lineTo(x + r, y + r); ctx.lineTo(x - r, y + r); ctx.closePath(); break;
    case "v": ctx.moveTo(x, y + r); ctx.lineTo(x + r, y - r); ctx.lineTo(x - r, y - r); ctx.closePath(); break;
    case "*": for (let i = 0; i < 10; i++) {
      const a = -Math.PI / 2 + (i * Math.PI) / 5, rr = i % 2 ? r * 0.382 : r;
      if (i) ctx.lineTo(x + rr * Math.cos(a), y + rr * Math.sin(a)); else ctx.moveTo(x + rr * Math.cos(a), y + rr * Math.sin(a));
    } ctx.closePath(); break;
    case "X": { const a = r * 0.95, b = r * 0.32;  // a filled x: a cross of two bars turned 45 degrees
      const pts = [[0, -b], [a - b, -a], [a, -a + b], [b, 0], [a, a - b], [a - b, a], [0, b], [-a + b, a], [-a, a - b], [-b, 0], [-a, -a + b], [-a + b, -a]];
      pts.forEach(([u, v], i) => (i ? ctx.lineTo(x + u, y + v) : ctx.moveTo(x + u, y + v)));
      ctx.closePath(); break; }
    case "x": ctx.moveTo(x - r, y - r); ctx.lineTo(x + r, y + r); ctx.moveTo(x - r, y + r); ctx.lineTo(x + r, y - r); break;
    case "+": ctx.moveTo(x - r, y); ctx.lineTo(x + r, y); ctx.moveTo(x, y - r); ctx.lineTo(x, y + r); break;
    case "|": ctx.moveTo(x, y - r); ctx.lineTo(x, y + r); break;
    case "_": ctx.moveTo(x - r, y); ctx.lineTo(x + r, y); break;
    default: ctx.arc(x, y, r, 0, 2 * Math.PI);
  }
}

// ---------- entry points -----------------------------------------------------------------
/** Run an explorer from a spec, without a kernel (a static page). Returns the explorer. */
export async function mount(el, spec) {
  const ex = new Explorer(el, typeof spec === "string" ? JSON.parse(spec) : spec, null);
  await ex.start();
  return ex;
}

async function render({model, el}) {
  let ex = null, local = false;
  const host = {
    report(values) {
      local = true;
      try { model.set("values", values); model.save_changes(); } finally { local = false; }
    },
    request(msg) { model.send(msg); },
  };
  const start = async () => {
    if (ex) ex.destroy();
    ex = new Explorer(el, JSON.parse(model.get("spec")), host);
    const values = model.get("values");
    if (values && Object.keys(values).length) ex.setValues(values);
    await ex.start();
  };
  const onValues = () => { if (!local && ex) ex.setValues(model.get("values")); };
  const onPatch = () => { if (ex) ex.reply(model.get("patch")); };
  const onSpec = () => { start(); };
  model.on("change:values", onValues);
  model.on("change:patch", onPatch);
  model.on("change:spec", onSpec);
  await start();
  return () => {
    model.off("change:values", onValues);
    model.off("change:patch", onPatch);
    model.off("change:spec", onSpec);
    if (ex) ex.destroy();
  };
}

export default {render};
