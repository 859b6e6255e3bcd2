// gradclip explorer: the moving layer of an explorer, drawn in the page from precomputed arrays.
//
// Exports: `default {render}` for anywidget (model traits: `spec` JSON text, `values` {name:
// value}, `patch` JSON text of kernel answers; requests go out with model.send) and
// `mount(el, spec)` that runs the same UI from a spec without a kernel (a static page).
// The spec ("gradclip.explorer/1") is described in gradclip/widgets/spec.py: a background
// PNG drawn once by matplotlib, each axes' pixel box and data limits, controls, arrays
// (gradclip/widgets/encoding.py), artists, fields, a status line and `covers` (boxes of the
// picture, keys and labels, copied back over the moving artists so they stay readable).
//
// The code lives in the ES modules of explorer/, one topic each: format.js (Python's number
// formats), arrays.js (decoding), evaluate.js (the spec language, no DOM), draw.js (canvas),
// controls.js (the controls' DOM), kernel.js (reports, requests, patches), view.js (the
// Explorer: state, layout, painting). The static site imports this file as it is; anywidget
// gets these files joined into one module (gradclip/widgets/esm.py explains why and how).
//
// DOM (kept stable for tests): div.gradclip-explorer[data-explorer] > div.gc-controls
// (input.gc-slider[data-name] + output.gc-readout[data-name]; button.gc-toggle[data-name]
// [data-value][aria-pressed]; button.gc-play) and div.gc-figure (img.gc-background, canvas.gc-canvas,
// div.gc-status[role=status][aria-live=polite], div.gc-busy). After each paint the root gets
// data-frame (a counter) and data-last-paint-ms (input event -> end of paint, performance.now()).
// A control with an `active` field is disabled while that field is 0: its inputs get `disabled`
// and aria-disabled="true", its div.gc-control the class gc-inactive (greyed); it keeps its value.
// Values go to the kernel (model.set + save_changes) but are never written back into a control
// while it is dragged; values set from Python move the controls.

import { Explorer } from "./explorer/view.js";

/** Run an explorer from a spec, without a kernel (a static page). Returns the explorer. */
export async function mount(el, spec) {
  const ex = new Explorer(el, typeof spec === "string" ? JSON.parse(spec) : spec, null);
  await ex.start();
  return ex;
}

async function render({model, el}) {
  let ex = null, local = false;
  const host = {
    report(values) {
      local = true;
      try { model.set("values", values); model.save_changes(); } finally { local = false; }
    },
    request(msg) { model.send(msg); },
  };
  const start = async () => {
    if (ex) ex.destroy();
    ex = new Explorer(el, JSON.parse(model.get("spec")), host);
    const values = model.get("values");
    if (values && Object.keys(values).length) ex.setValues(values);
    await ex.start();
  };
  const onValues = () => { if (!local && ex) ex.setValues(model.get("values")); };
  const onPatch = () => { if (ex) ex.reply(model.get("patch")); };
  const onSpec = () => { start(); };
  model.on("change:values", onValues);
  model.on("change:patch", onPatch);
  model.on("change:spec", onSpec);
  await start();
  return () => {
    model.off("change:values", onValues);
    model.off("change:patch", onPatch);
    model.off("change:spec", onSpec);
    if (ex) ex.destroy();
  };
}

export default {render};
