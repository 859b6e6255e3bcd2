// Replaying clipping rules over a learner's own gradient-norm log, in the page: the twin of
// gradclip.adaptive's parse_norm_log and replay_thresholds (a fixed threshold, AutoClip, ZClip),
// with the same numbers (tests/test_replay_parity.py runs both). No DOM, no dependencies.
//
// parseNormLog(text) -> Float64Array of the norms (an Error naming the line of a bad one, its
// number also in error.line, so a page can word it in the reader's language).
// replayThresholds(norms, options) -> {norms, settings, fixed, autoclip, zclip}, each rule
// {thresholds (Float64Array, Infinity: left alone), clipped (booleans), clippedNorms, count,
// fraction}. Options (Python's names in camelCase): threshold 1, percentile 10, alpha 0.97,
// zThresh 2.5, warmupSteps 25, clipOption "adaptive_scaling", maxGradNorm null.

/** Column names read as the gradient norm, in order of preference (NORM_COLUMNS in Python). */
export const NORM_COLUMNS = ["grad_norm", "gradient_norm", "total_norm", "norm"];
const NUMBER = /^[+-]?(?:(?:\d+\.?\d*|\.\d+)(?:[eE][+-]?\d+)?|nan|inf|infinity)$/i;
const ZCLIP_OPTIONS = ["adaptive_scaling", "z_bound", "mean"];
const ZCLIP_EPS = 1e-6;
const REPLAY_DEFAULTS = {threshold: 1.0, percentile: 10.0, alpha: 0.97, zThresh: 2.5, warmupSteps: 25,
                         clipOption: "adaptive_scaling", maxGradNorm: null};

function lineError(number, message) {
  return Object.assign(new Error(`text line ${number}: ${message}`), {line: number});
}

function stripBlanks(s) {
  return s.replace(/^[ \t]+|[ \t]+$/g, "");
}

function logFields(line, sep) {
  const parts = sep === null ? line.split(/[ \t]+/) : line.split(sep);
  return parts.map((part) => {
    part = stripBlanks(part);
    if (part.length >= 2 && part[0] === '"' && part[part.length - 1] === '"') part = stripBlanks(part.slice(1, -1));
    return part;
  });
}

function logColumnName(field) {
  return field.toLowerCase().split("/").pop().replace(/[ -]+/g, "_");
}

function logNumber(field) {
  if (/^[+-]?nan$/i.test(field)) return NaN;
  if (/^[+-]?inf(inity)?$/i.test(field)) return field[0] === "-" ? -Infinity : Infinity;
  return Number(field);
}

/** The gradient norms of a training log's text (one number a line, or a table with or without
 *  a header: the column named like NORM_COLUMNS, else the last numeric one). */
export function parseNormLog(text) {
  if (typeof text !== "string") throw new Error(`text must be a string, got ${typeof text}`);
  if (text.startsWith("\ufeff")) text = text.slice(1);
  let sep = null, column = null, header = null;
  const values = [];
  const lines = text.split(/\r\n|\r|\n/);
  for (let i = 0; i < lines.length; i++) {
    const number = i + 1, raw = lines[i];
    const line = stripBlanks(raw.split("#", 1)[0]);
    if (!line) continue;
    if (column === null) {
      if (sep === null && header === null) sep = [",", "\t", ";"].find((s) => line.includes(s)) ?? null;
      const numeric = logFields(line, sep).map((f) => NUMBER.test(f));
      if (header === null && !numeric.every(Boolean)) {
        header = logFields(line, sep).map(logColumnName);
        const name = NORM_COLUMNS.find((n) => header.includes(n));
        column = name === undefined ? null : header.indexOf(name);
        continue;
      }
      if (!numeric.some(Boolean)) throw lineError(number, `no number in '${raw}'`);
      column = numeric.lastIndexOf(true);
    }
    const fields = logFields(line, sep);
    if (column >= fields.length || !NUMBER.test(fields[column])) {
      const got = column < fields.length ? fields[column] : "nothing";
      throw lineError(number, `expected a number in column ${column + 1}, got '${got}' in '${raw}'`);
    }
    values.push(logNumber(fields[column]));
  }
  if (values.length === 0) throw new Error("text holds no numbers");
  return Float64Array.from(values);
}

function pairwiseSum(a, start, n) {  // numpy's pairwise summation of a[start .. start + n), bit for bit
  if (n < 8) {
    let res = 0;
    for (let i = start; i < start + n; i++) res += a[i];
    return res;
  }
  if (n <= 128) {
    const r = a.slice(start, start + 8);
    let i = 8;
    for (; i < n - (n % 8); i += 8) for (let j = 0; j < 8; j++) r[j] += a[start + i + j];
    let res = ((r[0] + r[1]) + (r[2] + r[3])) + ((r[4] + r[5]) + (r[6] + r[7]));
    for (; i < n; i++) res += a[start + i];
    return res;
  }
  let n2 = Math.floor(n / 2);
  n2 -= n2 % 8;
  return pairwiseSum(a, start, n2) + pairwiseSum(a, start + n2, n - n2);
}

function autoclipThresholds(norms, percentile) {  // AutoClip: numpy's linear percentile of the history
  const n = norms.length, q = percentile / 100, sorted = new Float64Array(n), out = new Float64Array(n);
  for (let k = 0; k < n; k++) {
    const g = norms[k];
    let lo = 0, hi = k;
    while (lo < hi) {
      const mid = (lo + hi) >> 1;
      if (sorted[mid] <= g) lo = mid + 1;
      else hi = mid;
    }
    sorted.copyWithin(lo + 1, lo, k);
    sorted[lo] = g;
    const vi = k * q;  // (count - 1) * q
    if (vi >= k) {
      out[k] = sorted[k];
      continue;
    }
    const prev = Math.floor(vi), gamma = vi - prev, a = sorted[prev], b = sorted[prev + 1], diff = b - a;
    out[k] = gamma >= 0.5 ? b - diff * (1 - gamma) : a + diff * gamma;
  }
  return out;
}

function zclipThresholds(norms, {alpha, zThresh, warmupSteps, clipOption, maxGradNorm}) {
  const out = new Float64Array(norms.length), cap = maxGradNorm === null ? Infinity : maxGradNorm;
  let mean = null, variance = null, buffer = [];
  for (let k = 0; k < norms.length; k++) {
    const g = norms[k];
    if (mean === null) {
      buffer.push(g);
      if (buffer.length >= warmupSteps) {
        mean = pairwiseSum(buffer, 0, buffer.length) / buffer.length;
        const sq = buffer.map((x) => (x - mean) * (x - mean));
        variance = pairwiseSum(sq, 0, sq.length) / sq.length;
        buffer = [];
      }
      out[k] = cap;
      continue;
    }
    const std = Math.sqrt(variance), z = (g - mean) / (std + ZCLIP_EPS);
    let threshold = Infinity;
    if (z > zThresh) {
      threshold = clipOption === "adaptive_scaling" ? mean + (zThresh * zThresh) * std / z
        : clipOption === "z_bound" ? mean + zThresh * std : mean;
    }
    const kept = Math.min(g, threshold);
    mean = alpha * mean + (1 - alpha) * kept;
    variance = alpha * variance + (1 - alpha) * ((kept - mean) * (kept - mean));
    out[k] = Math.min(threshold, cap);
  }
  return out;
}

function replayOptions(options) {
  const o = {...REPLAY_DEFAULTS};
  for (const [key, value] of Object.entries(options ?? {})) {
    if (!(key in REPLAY_DEFAULTS)) {
      throw new Error(`options has no setting ${key} (${Object.keys(REPLAY_DEFAULTS).join(", ")})`);
    }
    o[key] = value;
  }
  const finite = (x) => typeof x === "number" && Number.isFinite(x);
  const bad = (name, what) => new Error(`${name} must be ${what}, got ${o[name]}`);
  if (!(finite(o.threshold) && o.threshold > 0)) throw bad("threshold", "a positive finite number");
  if (!(finite(o.percentile) && o.percentile >= 0 && o.percentile <= 100)) {
    throw bad("percentile", "a number in [0, 100]");
  }
  if (!(finite(o.alpha) && o.alpha > 0 && o.alpha < 1)) throw bad("alpha", "a number in (0, 1)");
  if (!(finite(o.zThresh) && o.zThresh > 0)) throw bad("zThresh", "a positive finite number");
  if (!(Number.isInteger(o.warmupSteps) && o.warmupSteps >= 1)) throw bad("warmupSteps", "an integer >= 1");
  if (!ZCLIP_OPTIONS.includes(o.clipOption)) throw bad("clipOption", `one of ${ZCLIP_OPTIONS.join(", ")}`);
  if (o.maxGradNorm !== null && !(finite(o.maxGradNorm) && o.maxGradNorm > 0)) {
    throw bad("maxGradNorm", "null or a positive finite number");
  }
  return o;
}

/** Which steps of a gradient-norm log a fixed threshold, AutoClip and ZClip would clip (each
 *  rule online, as in training; a step is clipped when its norm is above the threshold). */
export function replayThresholds(norms, options = {}) {
  if (!(Array.isArray(norms) || ArrayBuffer.isView(norms)) || norms.length < 1) {
    throw new Error(`norms must be a sequence of at least 1 number, got ${norms}`);
  }
  const x = Float64Array.from(norms);
  for (let k = 0; k < x.length; k++) {
    if (!(Number.isFinite(x[k]) && x[k] > 0)) {
      throw new Error(`norms must be finite and > 0, got norms[${k}] = ${norms[k]}`);
    }
  }
  const o = replayOptions(options);
  const rule = (thresholds) => {
    const clipped = Array.from(x, (g, k) => g > thresholds[k]);
    const count = clipped.filter(Boolean).length;
    return {thresholds, clipped, clippedNorms: x.map((g, k) => Math.min(g, thresholds[k])),
            count, fraction: count / x.length};
  };
  return {norms: x, settings: o, fixed: rule(new Float64Array(x.length).fill(o.threshold)),
          autoclip: rule(autoclipThresholds(x, o.percentile)), zclip: rule(zclipThresholds(x, o))};
}
