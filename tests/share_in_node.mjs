// Presets with the page's own code under node (static/explorer/share.js, joined as anywidget
// loads it): node tests/share_in_node.mjs MODULE < cases.json > results.json
// cases.json: [{spec, states: [{control: position}], presets: [text]}]. For each case it writes
// presetOf(spec, state) for every state, and for every preset applyPreset's positions, or
// {error: message} when it throws.

import { readFileSync } from "node:fs";
import { pathToFileURL } from "node:url";

const page = await import(pathToFileURL(process.argv[2]).href);
const cases = JSON.parse(readFileSync(0, "utf8"));
const out = cases.map(({spec, states, presets}) => ({
  presets: states.map((pos) => page.presetOf(spec, pos)),
  applied: presets.map((text) => {
    try { return page.applyPreset(spec, text); } catch (err) { return {error: err.message}; }
  }),
  hash: page.parseHash(page.hashOf(presets.map((p, i) => [`${spec.name}-${i}`, p]))),
  ids: page.explorerIds([spec.name, "other", spec.name]),
}));
process.stdout.write(JSON.stringify(out));
