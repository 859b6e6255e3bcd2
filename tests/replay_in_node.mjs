// Replay clipping rules and parse norm logs with the page's own code under node (no npm packages).
//
// node tests/replay_in_node.mjs MODULE < cases.json > results.json
// MODULE: the joined page module (gradclip.widgets.esm.joined()) or explorer/replay.js itself;
// cases.json: {replays: [{name, norms, options}], texts: [{name, text}]}. For each replay it
// writes every rule's thresholds, clipped mask, clipped norms, count and fraction; for each
// text parseNormLog's values or {error: message, line}. Non-finite numbers are written as the strings
// "NaN", "Infinity", "-Infinity": JSON has no such numbers.

import { readFileSync } from "node:fs";
import { pathToFileURL } from "node:url";

const page = await import(pathToFileURL(process.argv[2]).href);
const cases = JSON.parse(readFileSync(0, "utf8"));
const num = (v) => (Number.isFinite(v) ? v : String(v));
const list = (a) => Array.from(a, num);

const replays = cases.replays.map(({name, norms, options}) => {
  const r = page.replayThresholds(norms, options);
  const out = {name};
  for (const rule of ["fixed", "autoclip", "zclip"]) {
    const {thresholds, clipped, clippedNorms, count, fraction} = r[rule];
    out[rule] = {thresholds: list(thresholds), clipped, clippedNorms: list(clippedNorms), count, fraction};
  }
  return out;
});
const texts = cases.texts.map(({name, text}) => {
  try {
    return {name, values: list(page.parseNormLog(text))};
  } catch (e) {
    return {name, error: e.message, line: e.line ?? null};
  }
});
process.stdout.write(JSON.stringify({replays, texts}));
