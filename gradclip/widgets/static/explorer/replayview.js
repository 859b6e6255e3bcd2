// "Your log": a panel under an explorer whose spec has `replay` (the spike explorer). The reader
// pastes gradient norms, opens a file (read by FileReader: nothing leaves the page) or loads the
// example log carried in the spec; the page parses it and replays a fixed threshold, AutoClip
// and ZClip over it (replay.js, the twin of gradclip.replay_thresholds) with the explorer's
// current settings, and draws the norms (log scale), the chosen rule's threshold and the steps it
// clips, with every rule's count in the panel's status line. The panel has its own canvas and is
// redrawn in its own animation frame when a setting or the log changes, never inside a paint.
//
// spec.replay: {strings (the panel's words: open, intro, load, example, run, status template,
// bad_line, empty, bad_norm, xname, yname), example (text), controls ({rule, threshold,
// percentile, z}: the explorer's control names), rules ({option: "fixed" | "autoclip" |
// "zclip"}), colors ({norm, threshold, clipped}), size ([width, height] CSS px)}.

import { formatG, formatTemplate } from "./format.js";
import { parseNormLog, replayThresholds } from "./replay.js";

const FONT = '"DejaVu Sans", Verdana, "PingFang SC", "Microsoft YaHei", "Noto Sans CJK SC", sans-serif';
const PAD = {left: 56, right: 14, top: 10, bottom: 36};  // CSS px around the plot box

function niceStep(span, count) {  // 1, 2 or 5 x 10^e, about `count` ticks over `span`
  const raw = span / count, e = 10 ** Math.floor(Math.log10(raw));
  return [1, 2, 5, 10].map((f) => f * e).find((s) => s >= raw);
}

export class ReplayPanel {
  // ex: the Explorer; the panel goes after its figure
  constructor(ex) {
    const R = ex.spec.replay, w = R.strings;
    this.ex = ex; this.R = R; this.norms = null; this.result = null; this.key = ""; this.raf = 0;
    const el = (tag, cls, text) => {
      const e = document.createElement(tag);
      if (cls) e.className = cls;
      if (text !== undefined) e.textContent = text;
      return e;
    };
    const box = el("details", "gc-replay"), summary = el("summary", null, w.open);
    const intro = el("p", "gc-replay-intro", w.intro);
    const text = el("textarea", "gc-replay-text");
    text.rows = 4;
    text.spellcheck = false;
    text.setAttribute("aria-label", w.intro);
    const bar = el("div", "gc-replay-bar");
    const run = el("button", "gc-replay-run", w.run), example = el("button", "gc-replay-example", w.example);
    run.type = example.type = "button";
    example.hidden = !R.example;  // no example log where the package has none
    const file = el("input", "gc-replay-file"), fileLabel = el("label", "gc-replay-load", w.load);
    file.type = "file";
    file.accept = ".csv,.txt,.tsv,.log,text/plain,text/csv";
    fileLabel.append(" ", file);
    bar.append(run, example, fileLabel);
    const status = el("div", "gc-replay-status");
    status.setAttribute("role", "status");
    status.setAttribute("aria-live", "polite");
    const canvas = el("canvas", "gc-replay-canvas");
    canvas.setAttribute("aria-hidden", "true");
    canvas.hidden = true;
    box.append(summary, intro, text, bar, status, canvas);
    ex.root.appendChild(box);
    Object.assign(this, {box, text, run, example, file, status, canvas});
    run.addEventListener("click", () => this.load(text.value));
    example.addEventListener("click", () => { text.value = R.example; this.load(R.example); });
    file.addEventListener("change", () => {
      const f = file.files && file.files[0];
      if (!f) return;
      const reader = new FileReader();  // read in the page: the file is not sent anywhere
      reader.onload = () => { text.value = String(reader.result); this.load(text.value); };
      reader.readAsText(f);
    });
  }

  /** Parse `source` and replay it; a bad line is reported in the reader's language. */
  load(source) {
    const w = this.R.strings;
    this.norms = null;
    this.key = "";
    try {
      const norms = parseNormLog(source);
      const bad = norms.findIndex((g) => !(Number.isFinite(g) && g > 0));
      if (bad >= 0) throw Object.assign(new Error("bad norm"), {step: bad + 1, value: norms[bad]});
      this.norms = norms;
    } catch (e) {
      let message = w.empty;
      if (e.line) {
        const line = source.split(/\r\n|\r|\n/)[e.line - 1] ?? "";
        message = formatTemplate(w.bad_line, {line: e.line, text: line.slice(0, 60)});
      } else if (e.step) message = formatTemplate(w.bad_norm, {step: e.step, value: String(e.value)});
      this.show(message, true);
      this.canvas.hidden = true;
      delete this.ex.root.dataset.replaySteps;
      delete this.ex.root.dataset.replayCounts;
      return;
    }
    this.schedule();
  }

  schedule() {
    if (this.norms && !this.raf) this.raf = requestAnimationFrame(() => { this.raf = 0; this.update(); });
  }

  settings() {
    const c = this.R.controls, ex = this.ex;
    return {threshold: ex.value(c.threshold), percentile: ex.value(c.percentile), zThresh: ex.value(c.z)};
  }

  update() {
    if (!this.norms) return;
    const o = this.settings(), key = `${o.threshold};${o.percentile};${o.zThresh}`;
    if (key !== this.key) {
      this.result = replayThresholds(this.norms, o);
      this.key = key;
      const r = this.result, counts = {fixed: r.fixed.count, autoclip: r.autoclip.count, zclip: r.zclip.count};
      this.show(formatTemplate(this.R.strings.status, {n: this.norms.length, c: o.threshold,
        p: o.percentile, z: o.zThresh, ...counts}), false);
      Object.assign(this.ex.root.dataset, {replaySteps: String(this.norms.length),
        replayCounts: `${counts.fixed},${counts.autoclip},${counts.zclip}`});
    }
    this.draw();
  }

  show(message, error) {
    this.status.textContent = message;
    this.status.classList.toggle("gc-replay-error", error);
  }

  draw() {
    const R = this.R, r = this.result, n = r.norms.length, canvas = this.canvas;
    const rule = R.rules[this.ex.value(R.controls.rule)];  // undefined: no rule, the norms only
    canvas.hidden = false;
    const cw = canvas.clientWidth || R.size[0], ch = (cw * R.size[1]) / R.size[0];
    const dpr = window.devicePixelRatio || 1;
    canvas.width = Math.round(cw * dpr);
    canvas.height = Math.round(ch * dpr);
    const ctx = canvas.getContext("2d");
    ctx.setTransform(dpr, 0, 0, dpr, 0, 0);
    ctx.clearRect(0, 0, cw, ch);
    const l = PAD.left, t = PAD.top, w = cw - PAD.left - PAD.right, h = ch - PAD.top - PAD.bottom;
    let lo = Infinity, hi = -Infinity;
    for (const g of r.norms) { lo = Math.min(lo, g); hi = Math.max(hi, g); }
    const a = Math.floor(Math.log10(lo / 1.5)), b = Math.max(a + 1, Math.ceil(Math.log10(hi * 1.5)));
    const X = (k) => l + (w * k) / Math.max(1, n), Y = (v) => t + h * (1 - (Math.log10(v) - a) / (b - a));
    // frame, decades and steps
    ctx.font = `11px ${FONT}`;
    ctx.fillStyle = "#333";
    ctx.strokeStyle = "#e4e4e4";
    ctx.lineWidth = 1;
    ctx.textAlign = "right";
    ctx.textBaseline = "middle";
    const every = Math.ceil((b - a) / 6);
    for (let e = a; e <= b; e += every) {
      ctx.beginPath(); ctx.moveTo(l, Y(10 ** e)); ctx.lineTo(l + w, Y(10 ** e)); ctx.stroke();
      ctx.fillText(formatG(10 ** e, 6), l - 4, Y(10 ** e));  // 0.01, 0.1, 1, 10, ...
    }
    ctx.textAlign = "center";
    ctx.textBaseline = "top";
    const dx = niceStep(n, 6);
    for (let k = 0; k <= n; k += dx) ctx.fillText(String(k), X(k), t + h + 4);
    ctx.strokeStyle = "#555";
    ctx.strokeRect(l, t, w, h);
    ctx.fillText(R.strings.xname, l + w / 2, t + h + 19);
    ctx.save();
    ctx.translate(13, t + h / 2);
    ctx.rotate(-Math.PI / 2);
    ctx.fillText(R.strings.yname, 0, -6);
    ctx.restore();
    ctx.save();
    ctx.beginPath();
    ctx.rect(l, t, w, h);
    ctx.clip();
    const polyline = (ys, color, lw) => {  // step k + 1 at the k-th norm; a gap where not finite
      ctx.strokeStyle = color;
      ctx.lineWidth = lw;
      ctx.beginPath();
      let pen = false;
      for (let k = 0; k < n; k++) {
        if (!Number.isFinite(ys[k])) { pen = false; continue; }
        if (pen) ctx.lineTo(X(k + 1), Y(ys[k])); else { ctx.moveTo(X(k + 1), Y(ys[k])); pen = true; }
      }
      ctx.stroke();
      ctx.beginPath();  // a value alone between gaps (ZClip's threshold where it clips): a dash
      for (let k = 0; k < n; k++) {
        if (Number.isFinite(ys[k]) && !Number.isFinite(ys[k - 1]) && !Number.isFinite(ys[k + 1])) {
          ctx.moveTo(X(k + 1) - 4, Y(ys[k])); ctx.lineTo(X(k + 1) + 4, Y(ys[k]));
        }
      }
      ctx.stroke();
    };
    polyline(r.norms, R.colors.norm, 1);
    if (rule) {
      const rr = r[rule];
      polyline(rr.thresholds, R.colors.threshold, 1.4);
      ctx.fillStyle = R.colors.clipped;
      for (let k = 0; k < n; k++) {
        if (!rr.clipped[k]) continue;
        ctx.beginPath(); ctx.arc(X(k + 1), Y(r.norms[k]), 2.6, 0, 2 * Math.PI); ctx.fill();
      }
    }
    ctx.restore();
    this.ex.root.dataset.replayRule = rule || "";
  }

  destroy() {
    if (this.raf) cancelAnimationFrame(this.raf);
  }
}
