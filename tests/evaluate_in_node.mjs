// Evaluate explorer states with the page's own code under node (no DOM, no npm packages).
//
// node tests/evaluate_in_node.mjs MODULE < cases.json > results.json
// MODULE: the page's code as one ES module (gradclip.widgets.esm.joined()); cases.json:
// {explorers: [{name, spec, states: [{control: position}]}], formats: [[number, fmt]]}.
// For each state it writes the status line and, per artist of the spec (in spec order), null
// when hidden, else its resolved style and the points of a line, the place of a rule or the
// text of a label; for each [number, fmt] the page's formatValue. Non-finite numbers are
// written (and read) as the strings "NaN", "Infinity", "-Infinity": JSON has no such numbers.

import { readFileSync } from "node:fs";
import { pathToFileURL } from "node:url";

const page = await import(pathToFileURL(process.argv[2]).href);
const cases = JSON.parse(readFileSync(0, "utf8"));
const num = (v) => (typeof v === "number" && !Number.isFinite(v) ? String(v) : v);

function drawn(ev, pos) {
  const artists = ev.spec.artists.map((art) => {
    if (!ev.visible(art, pos)) return null;
    const out = {style: ev.style(art, pos)};
    if (art.type === "line") {
      const p = ev.points(art, pos);
      out.x = p.x.map(num);
      out.y = p.y.map(num);
    } else if (art.type === "text") out.text = ev.text(art, pos);
    else out.at = num(ev.rule(art, pos));
    return out;
  });
  return {status: ev.status(pos), artists};
}

const explorers = [];
for (const {name, spec, states} of cases.explorers) {
  const ev = new page.Evaluator(spec, await page.decodeArrays(spec.arrays));
  explorers.push({name, states: states.map((pos) => drawn(ev, pos))});
}
const formats = cases.formats.map(([v, fmt]) => page.formatValue(typeof v === "string" ? Number(v) : v, fmt));
process.stdout.write(JSON.stringify({explorers, formats}));
