// The spec language: what a state shows, computed from the control positions and the decoded
// arrays, without the DOM. Fields ("const", "value", "position", "at", "reduce", "between",
// "isin", "pick", "where", "div"), style switches, the points of a line, the text of a label,
// the status line. gradclip/widgets/evaluate.py is the Python twin (tests/test_evaluator_parity.py
// runs both on every explorer).

import { formatTemplate } from "./format.js";

export const FORMAT = "gradclip.explorer/1";

export class Evaluator {
  // spec: the explorer's spec; arrays: decodeArrays(spec.arrays), updated in place by patches
  constructor(spec, arrays) {
    this.spec = spec;
    this.arrays = arrays;
    this.controls = Object.fromEntries(spec.controls.map((c) => [c.name, c]));
  }

  value(pos, name) {  // the value a control shows at its position
    const c = this.controls[name], p = pos[name];
    return c.kind === "slider" ? c.values[p] : c.kind === "toggle" ? c.options[p] : p;
  }

  index(pos, name, along) {  // offset, stride and length of an array at the positions
    const a = this.arrays[name];
    let base = 0, stride = 0, n = 1;
    a.axes.forEach((ax, i) => {
      if (ax === along) { stride = a.strides[i]; n = a.shape[i]; }
      else base += pos[ax] * a.strides[i];
    });
    return {a, base, stride, n};
  }

  field(f, pos) {
    if (f === null || typeof f !== "object") return f;
    switch (f.kind) {
      case "const": return f.value;
      case "value": return this.value(pos, f.control);
      case "position": return pos[f.control];
      case "at": { const {a, base} = this.index(pos, f.array, null); return a.data[base]; }
      case "reduce": {
        const {a, base, stride, n} = this.index(pos, f.array, f.along);
        const m = Math.max(0, Math.min(n, pos[f.cut] + 1 + f.shift));
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
        const x = this.field(f.field, pos), lo = this.field(f.lo, pos), hi = this.field(f.hi, pos);
        return lo <= x && x <= hi ? 1 : 0;
      }
      case "isin": return f.options.includes(this.value(pos, f.control)) ? 1 : 0;
      case "pick": {
        const i = Math.trunc(this.field(f.field, pos));
        return f.labels[Math.min(Math.max(i, 0), f.labels.length - 1)];
      }
      case "where": return this.field(this.field(f.cond, pos) ? f.a : f.b, pos);
      case "div": { const b = this.field(f.b, pos); return b ? (f.scale * this.field(f.a, pos)) / b : 0; }
      default: throw new Error(`unknown field ${f.kind}`);
    }
  }

  fields(fields, pos) {
    return Object.fromEntries(Object.entries(fields).map(([k, f]) => [k, this.field(f, pos)]));
  }

  resolve(v, pos) {  // a style value, or the entry a {switch, values} picks
    if (v && typeof v === "object" && "switch" in v) {
      const i = Math.trunc(this.field(v.switch, pos));
      return v.values[Math.min(Math.max(i, 0), v.values.length - 1)];
    }
    return v;
  }

  style(art, pos) {
    return Object.fromEntries(Object.entries(art.style).map(([k, v]) => [k, this.resolve(v, pos)]));
  }

  visible(art, pos) {
    return art.visible === null || Boolean(this.field(art.visible, pos));
  }

  vector(pos, ref, along) {
    if (typeof ref === "number") return {get: () => ref, n: 1};
    const {a, base, stride, n} = this.index(pos, ref, along);
    return {get: (j) => a.data[base + j * stride], n};
  }

  /** The data points a line artist draws: {x: [...], y: [...]}, NaN where the line breaks. */
  points(art, pos) {
    const X = this.vector(pos, art.x, art.along), Y = this.vector(pos, art.y, art.along);
    let n = Math.max(X.n, Y.n);
    if (art.cut !== null && art.cut !== undefined) n = Math.max(0, Math.min(n, pos[art.cut] + 1 + art.shift));
    const M = art.mask !== null && art.mask !== undefined ? this.vector(pos, art.mask, art.along) : null;
    const xs = [], ys = [];
    for (let j = 0; j < n; j++) {
      const x = X.get(X.n === 1 ? 0 : j);
      let y = Y.get(Y.n === 1 ? 0 : j);
      if (art.fill_y !== null && art.fill_y !== undefined && !Number.isFinite(y)) y = art.fill_y;
      if (M && !M.get(M.n === 1 ? 0 : j)) y = NaN;
      if (art.only === "last") {
        if (Number.isFinite(x) && Number.isFinite(y)) { xs[0] = x; ys[0] = y; }
        continue;
      }
      xs.push(x);
      ys.push(y);
    }
    return {x: xs, y: ys};
  }

  /** Where a "vline" / "hline" artist stands, in data units. */
  rule(art, pos) {
    return this.field(art.type === "vline" ? art.x : art.y, pos);
  }

  text(art, pos) {
    return formatTemplate(art.template, this.fields(art.fields, pos));
  }

  /** {text, color} of the status line, or null when the spec has none. */
  status(pos) {
    const st = this.spec.status;
    if (!st) return null;
    const c = st.case === null ? 0 : Math.trunc(this.field(st.case, pos));
    const tpl = st.templates[Math.min(Math.max(c, 0), st.templates.length - 1)];
    return {text: formatTemplate(tpl, this.fields(st.fields, pos)), color: this.resolve(st.color, pos)};
  }
}
