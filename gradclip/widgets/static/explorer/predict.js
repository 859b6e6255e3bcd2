// Predict first (spec.predict, written by gradclip/widgets/predict.py ask): while the learner
// predicts, the root has data-predicting="true", the artists listed in predict.hide and the
// status line are not drawn and the other controls are locked; the learner moves the asked
// control to a guess and commits (button.gc-commit); the page draws everything and says how
// far the guess was (output.gc-verdict); button.gc-again hides it again. The truth is in the
// spec: nothing is sent. verdictText is the twin of gradclip.widgets.predict.verdict.

import { formatTemplate, formatValue } from "./format.js";
import { word } from "./controls.js";

/** The sentence for the guess at control position `p` (the control's readout as the guess). */
export function verdictText(spec, p) {
  const q = spec.predict, c = spec.controls.find((d) => d.name === q.control);
  const g = c.kind === "slider" ? c.values[p] : p, shown = c.kind === "slider" ? c.labels[p] : String(p);
  const t = q.truth, off = Math.abs(g - t) / Math.abs(t);
  const side = q.sides[g < t ? 0 : 1];
  const key = off <= q.tolerance ? "right" : g < t ? "below" : "above";
  return formatTemplate(q.templates[key], {guess: shown, truth: formatValue(t, q.fmt),
    pct: formatValue(100 * off, ".0f"), what: q.what, side});
}

/** The question, the commit and again buttons and the verdict; the explorer starts predicting. */
export function predictElement(ex) {
  const q = ex.spec.predict, box = document.createElement("div");
  box.className = "gc-predict";
  const ask = document.createElement("span");
  ask.className = "gc-question";
  ask.textContent = q.question;
  const commit = document.createElement("button");
  commit.type = "button";
  commit.className = "gc-commit";
  commit.textContent = word(ex, "commit");
  const again = document.createElement("button");
  again.type = "button";
  again.className = "gc-again";
  again.textContent = word(ex, "again");
  const out = document.createElement("output");
  out.className = "gc-verdict";
  out.setAttribute("aria-live", "polite");
  commit.addEventListener("click", () => setPredicting(ex, false));
  again.addEventListener("click", () => setPredicting(ex, true));
  box.append(ask, commit, again, out);
  ex.predictBox = {box, commit, again, out, hide: new Set(q.hide)};
  return box;
}

/** Predict (true: hide, lock the other controls) or reveal with the verdict (false). */
export function setPredicting(ex, on) {
  const q = ex.spec.predict, pb = ex.predictBox;
  ex.predicting = on;
  ex.root.dataset.predicting = String(on);
  pb.commit.hidden = !on;
  pb.again.hidden = on;
  pb.out.textContent = on ? "" : verdictText(ex.spec, ex.pos[q.control]);
  for (const c of ex.spec.controls) {
    if (c.name === q.control) continue;
    for (const inp of [].concat(ex.inputs[c.name])) inp.disabled = on;
    ex.wraps[c.name].classList.toggle("gc-locked", on);
    delete ex.wraps[c.name].dataset.active;  // the next paint sets the active state again
  }
  if (ex.playButton && ex.spec.controls.some((c) => c.kind === "player" && c.name !== q.control)) {
    ex.playButton.disabled = on;
  }
  ex.schedule(null);
}

/** The artists to draw now: all but the hidden ones while predicting. */
export function shownArtists(ex, artists) {
  return ex.predicting ? artists.filter((a) => !ex.predictBox.hide.has(a.i)) : artists;
}

/** While predicting, cover the boxes of the axes listed in predict.cover (an outcome the
 * static picture shows, e.g. a phase map); called after the covers are drawn. */
export function coverAxes(ex, ctx) {
  if (!ex.predicting) return;
  for (const i of ex.spec.predict.cover || []) {
    const [left, top, width, height] = ex.spec.axes[i].bbox;
    ctx.fillStyle = "#ececec";
    ctx.fillRect(left - 1, top - 1, width + 2, height + 2);
  }
}
