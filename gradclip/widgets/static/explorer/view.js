// The Explorer: one explorer in the page. It keeps the control positions, builds the root,
// the figure (background picture, canvas, status line, busy mark) and the controls, and
// repaints the moving layer at most once per animation frame after any change. Its words (the
// picture's alt text, the busy mark, the line of a state only a kernel can compute) come from
// spec.strings, in the explorer's language (spec.lang, set on the root).

import { decodeArrays } from "./arrays.js";
import { controlElement, positionOf, showActive, showControl, word } from "./controls.js";
import { drawArtists, drawCovers } from "./draw.js";
import { Evaluator, FORMAT } from "./evaluate.js";
import { maybeRequest, needsKernel, reply, report, requestKey } from "./kernel.js";
import { Readout } from "./readout.js";
import { ReplayPanel } from "./replayview.js";
import { coverAxes, predictElement, setPredicting, shownArtists } from "./predict.js";

export class Explorer {
  // el: the element to fill; spec: the parsed spec; host: the kernel ({report, request}) or null
  constructor(el, spec, host) {
    if (spec.format !== FORMAT) throw new Error(`gradclip explorer: unknown spec format ${spec.format}`);
    this.el = el; this.spec = spec; this.host = host;
    this.pos = {}; this.inputs = {}; this.readouts = {}; this.wraps = {};
    this.frame = 0; this.t0 = null; this.raf = 0; this.seq = 0; this.arrays = {}; this.playing = null;
    this.px = spec.dpi / 72;  // CSS px per point
    this.ev = new Evaluator(spec, this.arrays);
    this.controls = this.ev.controls;
    for (const c of spec.controls) this.pos[c.name] = c.position;
    // request name -> the key of the state whose arrays are loaded (the stored one at first)
    this.loaded = Object.fromEntries(Object.entries(spec.requests || {})
      .map(([rname, req]) => [rname, requestKey(req, this.pos)]));
    this.artists = spec.artists.map((a, i) => ({...a, i})).sort((a, b) => a.z - b.z || a.i - b.i);
    this.build();
  }

  async start() {
    await this.loadArrays(this.spec.arrays);
    this.ready = true;
    this.paint();
  }

  async loadArrays(arrays) {
    Object.assign(this.arrays, await decodeArrays(arrays));
  }

  build() {
    const s = this.spec, root = document.createElement("div");
    root.className = "gradclip-explorer";
    root.dataset.explorer = s.name;
    if (s.lang) root.lang = s.lang;
    if (s.presentation) root.classList.add("gradclip-presentation");
    const bar = document.createElement("div");
    bar.className = "gc-controls";
    for (const c of s.controls) bar.appendChild(controlElement(this, c));
    // one label width for the explorer's sliders, so that their tracks line up row under row
    const longest = Math.max(0, ...s.controls.filter((c) => c.kind !== "toggle").map((c) => c.label.length));
    root.style.setProperty("--gc-label-width", `${Math.max(4.5, 0.62 * longest).toFixed(2)}em`);
    const fig = document.createElement("div");
    fig.className = "gc-figure";
    fig.style.width = `${s.size[0]}px`;
    fig.style.aspectRatio = `${s.size[0]} / ${s.size[1]}`;
    const img = document.createElement("img");
    img.className = "gc-background";
    img.alt = word(this, "alt");
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
    busy.textContent = word(this, "busy");
    fig.append(img, canvas, status, busy);
    root.append(bar, fig);
    if (s.predict) root.insertBefore(predictElement(this), fig);  // predict first: see predict.js
    this.el.appendChild(root);
    Object.assign(this, {root, img, canvas, status, busy, figure: fig});
    this.readout = new Readout(this);  // the values under the pointer
    if (s.replay) this.replayPanel = new ReplayPanel(this);  // a learner's own norm log
    if (s.predict) setPredicting(this, true);
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

  value(name) {
    return this.ev.value(this.pos, name);
  }

  values() {
    return Object.fromEntries(Object.keys(this.controls).map((k) => [k, this.value(k)]));
  }

  // a control moved in the page (commit: a click or a release, not a drag)
  input(name, position, ev, commit) {
    this.pos[name] = position;
    showControl(this, name);
    this.schedule(ev);
    this.report(commit);
    if (commit) maybeRequest(this, name);
    if (this.onChange) this.onChange(name);  // a page's own hook (share.js keeps the address)
  }

  commit(name) {  // a slider released
    this.report(true);
    maybeRequest(this, name);
  }

  report(now) {
    report(this, now);
  }

  reply(text) {
    return reply(this, text);
  }

  // values set from Python: move the controls (never called for the page's own changes)
  setValues(values) {
    for (const [name, v] of Object.entries(values)) {
      const c = this.controls[name];
      if (!c) continue;
      const p = positionOf(c, v);
      this.pos[name] = p;
      if (c.kind !== "toggle") this.inputs[name].value = p;
      showControl(this, name);
    }
    this.schedule(null);
  }

  schedule(ev) {
    const t = ev && ev.timeStamp > 0 && ev.timeStamp <= performance.now() ? ev.timeStamp : performance.now();
    if (this.t0 === null || t < this.t0) this.t0 = t;
    if (!this.raf) this.raf = requestAnimationFrame(() => { this.raf = 0; this.paint(); });
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
    showActive(this);
    const drawn = [];
    drawArtists(ctx, this.ev, this.pos, shownArtists(this, this.artists), this.px, drawn);
    drawCovers(ctx, s, this.img);
    coverAxes(this, ctx);  // while predicting: an outcome the picture shows
    if (s.status) this.showStatus(cw, k);
    this.frame += 1;
    this.root.dataset.frame = String(this.frame);
    if (this.t0 !== null) this.root.dataset.lastPaintMs = (performance.now() - this.t0).toFixed(2);
    this.t0 = null;
    this.readout.painted(drawn);  // each redraws in a frame of its own, if it shows something
    if (this.replayPanel) this.replayPanel.schedule();
  }

  showStatus(cw, k) {  // one line at the spec's size, shrunk to fit the figure's width
    const offline = needsKernel(this), st = this.ev.status(this.pos);
    const text = this.predicting ? "" : offline ? word(this, "needs_kernel") : st.text;
    if (this.status.textContent !== text || this.statusK !== k) {
      this.status.textContent = text;
      this.statusK = k;
      let size = this.spec.status.size * k;
      this.status.style.fontSize = `${size}px`;
      const room = cw - this.status.offsetLeft - 4, wide = this.status.scrollWidth;
      if (wide > room && room > 0) {  // never past the figure's right edge
        size = Math.max(size * 0.6, (size * room) / wide);
        this.status.style.fontSize = `${size}px`;
      }
    }
    this.status.style.color = offline ? "#555555" : st.color;
  }

  destroy() {
    if (this.playing) clearInterval(this.playing);
    clearTimeout(this.reportTimer);
    if (this.raf) cancelAnimationFrame(this.raf);
    this.readout.destroy();
    if (this.replayPanel) this.replayPanel.destroy();
    this.resize.disconnect();
    if (this.fit) window.removeEventListener("resize", this.fit);
    this.root.remove();
  }
}
