// Python's number formatting in the page: format(x, ".3g"), ".1f", "d" and the status
// templates "{name}" / "{name:fmt}" (gradclip/widgets/controls.py format_value is the twin).

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
  const ax = Math.abs(x), sign = x < 0 || Object.is(x, -0) ? "-" : "";  // Python keeps -0's sign
  if (ax >= 1e21) return sign + BigInt(ax) + (n ? "." + "0".repeat(n) : "");  // toFixed would use e+21
  let s = ax.toFixed(n);
  const ex = ax.toFixed(Math.min(100, n + 60)), dot = ex.indexOf(".");
  if (/^50*$/.test(ex.slice(dot + 1 + n))) {  // a tie: Python rounds half to even, toFixed up
    const kept = ex.slice(0, n ? dot + 1 + n : dot);
    if (+kept[kept.length - 1] % 2 === 0) s = kept;
  }
  return sign + s;
}

export function formatValue(v, fmt) {
  if (typeof v === "string") return v;
  if (!fmt || fmt === "d") return Number.isInteger(v) ? String(v) : fmt === "d" ? formatF(v, 0) : String(v);
  const m = /^\.(\d+)([gf])$/.exec(fmt);
  if (!m) return String(v);
  return m[2] === "g" ? formatG(v, +m[1]) : formatF(v, +m[1]);
}

export function formatTemplate(template, fields) {
  return template.replace(/\{(\w+)(?::([^{}]*))?\}/g, (_, k, f) => formatValue(fields[k], f || ""));
}
