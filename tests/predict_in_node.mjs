// The page's verdict sentence under node: node tests/predict_in_node.mjs MODULE < cases.json
// MODULE: the page's code as one ES module (gradclip.widgets.esm.joined()); cases.json:
// [{spec: {predict, controls}, positions: [p, ...]}]; writes [[sentence, ...], ...].

import { readFileSync } from "node:fs";
import { pathToFileURL } from "node:url";

const page = await import(pathToFileURL(process.argv[2]).href);
const cases = JSON.parse(readFileSync(0, "utf8"));
process.stdout.write(JSON.stringify(cases.map(({spec, positions}) =>
  positions.map((p) => page.verdictText(spec, p)))));
