// Drawing on the canvas, in figure CSS px of the spec (the caller scales the context): the
// artists of a state in z order, line dashes and markers like matplotlib's, and the covers
// (boxes of the background picture copied back over the moving artists).

// labels in Chinese: a system CJK font if there is one, else the package's subset (style.py)
const CJK = '"PingFang SC", "Microsoft YaHei", "Noto Sans CJK SC", "Source Han Sans SC", "gradclip CJK"';
const DASHES = {"--": [3.7, 1.6], ":": [1, 1.65], "-.": [6.4, 1.6, 1, 1.6]};

/** Data -> figure px of axes `axesIndex` (-1: the figure itself, already in px). */
export function mapper(spec, axesIndex) {
  if (axesIndex < 0) return {x: (x) => x, y: (y) => y, box: [0, 0, spec.size[0], spec.size[1]]};
  const A = spec.axes[axesIndex], [l, t, w, h] = A.bbox;
  const lin = (scale, from, span, flip) => {
    const log = scale.log, a = log ? Math.log10(scale.lim[0]) : scale.lim[0];
    const b = log ? Math.log10(scale.lim[1]) : scale.lim[1], k = span / (b - a);
    return (v) => {
      const u = log ? (v > 0 ? Math.log10(v) : NaN) : v;
      return flip ? from + span - (u - a) * k : from + (u - a) * k;
    };
  };
  return {x: A.x ? lin(A.x, l, w, false) : (x) => x, y: A.y ? lin(A.y, t, h, true) : (y) => y,
          box: [l, t, w, h]};
}

/** Draw every visible artist (sorted by z) of the state `pos`; px: CSS px per point. Each
 *  line drawn is pushed onto `drawn` (if given) as {art, pts, m}: its data points and mapper. */
export function drawArtists(ctx, ev, pos, artists, px, drawn) {
  const s = ev.spec;
  for (const art of artists) {
    if (!ev.visible(art, pos)) continue;
    const m = mapper(s, art.axes);
    ctx.save();
    if (art.clip !== null && art.clip !== undefined) {
      const [l, t, w, h] = art.clip < 0 ? [0, 0, s.size[0], s.size[1]] : s.axes[art.clip].bbox;
      ctx.beginPath();
      ctx.rect(l, t, w, h);
      ctx.clip();
    }
    const st = ev.style(art, pos);
    ctx.globalAlpha = st.alpha ?? 1;
    if (art.type === "line") {
      const pts = ev.points(art, pos);
      drawLine(ctx, pts, st, m, px);
      if (drawn) drawn.push({art, pts, m});
    }
    else if (art.type === "vline" || art.type === "hline") {
      drawRule(ctx, art.type, ev.rule(art, pos), st, m, px);
    }
    else if (art.type === "text") drawText(ctx, art, ev.text(art, pos), st, m, s, px);
    ctx.restore();
  }
}

// Keys and labels of the static layer stay on top: their boxes are copied back from the
// picture over whatever the moving artists drew there.
export function drawCovers(ctx, spec, img) {
  if (!spec.covers || !spec.covers.length || !img.complete || !img.naturalWidth) return;
  const rx = img.naturalWidth / spec.size[0], ry = img.naturalHeight / spec.size[1];
  for (const [l, t, w, h] of spec.covers) {
    ctx.clearRect(l, t, w, h);
    ctx.drawImage(img, l * rx, t * ry, w * rx, h * ry, l, t, w, h);
  }
}

function strokeStyle(ctx, st, px) {
  ctx.strokeStyle = st.color;
  ctx.lineWidth = st.lw * px;
  ctx.lineJoin = "round";
  const dash = DASHES[st.ls];
  ctx.lineCap = dash ? "butt" : "square";
  ctx.setLineDash(dash ? dash.map((d) => d * st.lw * px) : []);
}

function drawLine(ctx, pts, st, m, px) {
  const clamp = (v) => Math.max(-1e6, Math.min(1e6, v));
  const xy = pts.x.map((x, j) => [m.x(x), m.y(pts.y[j])]).map(([x, y]) =>
    Number.isFinite(x) && Number.isFinite(y) ? [clamp(x), clamp(y)] : null);
  if (st.ls !== "none" && xy.length > 1) {
    strokeStyle(ctx, st, px);
    ctx.beginPath();
    let pen = false;
    for (const p of xy) {
      if (!p) { pen = false; continue; }
      if (pen) ctx.lineTo(p[0], p[1]); else { ctx.moveTo(p[0], p[1]); pen = true; }
    }
    ctx.stroke();
  }
  if (st.marker) drawMarkers(ctx, xy.filter(Boolean), st, px);
}

function drawMarkers(ctx, pts, st, px) {
  const r = (st.ms * px) / 2, face = st.mfc ?? st.color, edge = st.mec ?? st.color;
  const lineOnly = ["x", "+", "|", "_"].includes(st.marker);
  ctx.setLineDash([]);
  ctx.lineWidth = st.mew * px;
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

function drawRule(ctx, type, at, st, m, px) {
  const [l, t, w, h] = m.box;
  strokeStyle(ctx, st, px);
  ctx.lineCap = "butt";
  ctx.beginPath();
  if (type === "vline") {
    const x = m.x(at);
    if (!Number.isFinite(x)) return;
    ctx.moveTo(x, t); ctx.lineTo(x, t + h);
  } else {
    const y = m.y(at);
    if (!Number.isFinite(y)) return;
    ctx.moveTo(l, y); ctx.lineTo(l + w, y);
  }
  ctx.stroke();
}

function drawText(ctx, art, text, st, m, spec, px) {
  let x, y;
  if (art.coords === "data") { x = m.x(art.x); y = m.y(art.y); }
  else if (art.coords === "axes" && art.axes >= 0) {
    const [l, t, w, h] = m.box; x = l + art.x * w; y = t + (1 - art.y) * h;
  } else { x = art.x * spec.size[0]; y = (1 - art.y) * spec.size[1]; }
  ctx.fillStyle = st.color;
  ctx.font = `${st.weight === "bold" ? "bold " : ""}${st.size * px}px "DejaVu Sans", Verdana, ${CJK}, sans-serif`;
  ctx.textAlign = {left: "left", center: "center", right: "right"}[st.ha] || "left";
  ctx.textBaseline = {top: "top", center: "middle", bottom: "bottom", baseline: "alphabetic"}[st.va] || "top";
  ctx.fillText(text, x, y);
}
