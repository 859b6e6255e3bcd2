// Reading a value off a curve: hovering (or touching) the figure shows the data point of a
// drawn line or marker nearest the pointer, within RADIUS CSS px, in a small box
// (div.gc-readout-tip[role=tooltip], with a ring div.gc-readout-dot on the point): the x and y
// named after the axes' labels (spec axes[i].x.name / .y.name, or an artist's own xname /
// yname), numbers formatted like the control readouts. The lines are the ones the last paint
// drew (draw.js hands them over); their pixels are computed once per paint, on the first hover
// after it, and the box is moved in its own animation frame, never inside a paint.

import { formatValue } from "./format.js";

/** How near (CSS px on screen) a drawn point must be to be read. */
export const RADIUS = 12;

/** The point nearest (x, y) among `lines` ([{px, py}]: pixel coordinates, NaN: not drawn),
 *  within `radius`: {line, index, d} (the last line wins a tie: it is drawn on top), or null. */
export function nearestPoint(lines, x, y, radius) {
  let best = null, bestD2 = radius * radius;
  lines.forEach((ln, li) => {
    for (let j = 0; j < ln.px.length; j++) {
      const dx = ln.px[j] - x, dy = ln.py[j] - y, d2 = dx * dx + dy * dy;
      if (d2 <= bestD2) { bestD2 = d2; best = {line: li, index: j}; }
    }
  });
  return best && {...best, d: Math.sqrt(bestD2)};
}

/** A number as the readouts show it: an integer as it is, else 4 significant digits. */
export function readoutNumber(v) {
  return Number.isInteger(v) ? String(v) : formatValue(v, ".4g");
}

export class Readout {
  // ex: the Explorer (its figure element, spec and the lines of its last paint)
  constructor(ex) {
    this.ex = ex; this.lines = []; this.pixels = null; this.at = null; this.raf = 0;
    const tip = document.createElement("div"), dot = document.createElement("div");
    tip.className = "gc-readout-tip";
    tip.setAttribute("role", "tooltip");
    tip.hidden = true;
    dot.className = "gc-readout-dot";
    dot.hidden = true;
    ex.figure.append(dot, tip);
    Object.assign(this, {tip, dot});
    const move = (e) => { this.at = [e.clientX, e.clientY]; this.schedule(); };
    this.handlers = {
      pointermove: move, pointerdown: move,
      pointerleave: (e) => { if (e.pointerType !== "touch") this.hide(); },  // a touch keeps it
    };
    for (const [k, f] of Object.entries(this.handlers)) ex.figure.addEventListener(k, f);
  }

  /** The lines a paint drew ({art, pts, m} of draw.js): their pixels are computed when read. */
  painted(drawn) {
    this.lines = drawn;
    this.pixels = null;
    if (this.at && !this.tip.hidden) this.schedule();
  }

  schedule() {
    if (!this.raf) this.raf = requestAnimationFrame(() => { this.raf = 0; this.show(); });
  }

  hide() {
    this.at = null;
    this.tip.hidden = this.dot.hidden = true;
    delete this.tip.dataset.x;
    delete this.tip.dataset.y;
  }

  show() {
    if (!this.at) return;
    const ex = this.ex, s = ex.spec, rect = ex.figure.getBoundingClientRect();
    if (!rect.width) return;
    const k = rect.width / s.size[0];  // screen px per figure px
    if (!this.pixels) {
      this.pixels = this.lines.map(({pts, m}) => ({
        px: Float64Array.from(pts.x, (x, j) => (Number.isFinite(pts.y[j]) ? m.x(x) : NaN)),
        py: Float64Array.from(pts.y, (y) => m.y(y)),
      }));
    }
    const fx = (this.at[0] - rect.left) / k, fy = (this.at[1] - rect.top) / k;
    const hit = nearestPoint(this.pixels, fx, fy, RADIUS / k);
    if (!hit) { this.tip.hidden = this.dot.hidden = true; return; }
    const {art, pts} = this.lines[hit.line], x = pts.x[hit.index], y = pts.y[hit.index];
    const A = art.axes >= 0 ? s.axes[art.axes] : {};
    const xname = art.xname ?? A.x?.name ?? "x", yname = art.yname ?? A.y?.name ?? "y";
    this.tip.textContent = `${xname} ${readoutNumber(x)} · ${yname} ${readoutNumber(y)}`;
    Object.assign(this.tip.dataset, {x: String(x), y: String(y)});
    const px = this.pixels[hit.line].px[hit.index] * k, py = this.pixels[hit.line].py[hit.index] * k;
    this.dot.style.left = `${px}px`;
    this.dot.style.top = `${py}px`;
    this.tip.hidden = this.dot.hidden = false;
    // beside the point, turned to the left / below near the right / top edge
    const w = this.tip.offsetWidth, h = this.tip.offsetHeight;
    this.tip.style.left = `${px + 10 + w > rect.width ? Math.max(0, px - 10 - w) : px + 10}px`;
    this.tip.style.top = `${py - 10 - h < 0 ? py + 10 : py - 10 - h}px`;
  }

  destroy() {
    if (this.raf) cancelAnimationFrame(this.raf);
    for (const [k, f] of Object.entries(this.handlers)) this.ex.figure.removeEventListener(k, f);
  }
}
