// Talking to the kernel through the host ({report(values), request(msg)}; none on a static
// page): values reported at most every 50 ms while dragging and always on release; the named
// requests whose arrays only a kernel can compute (answered from the spec's cache when it has
// the state), their replies and patches. Each function takes the Explorer. The line shown for
// a state only a kernel can compute, on a page without one, is spec.strings.needs_kernel.

/** The key of a request's state: "control=position;..." in the request's order. */
export function requestKey(req, pos) {
  return req.controls.map((k) => `${k}=${pos[k]}`).join(";");
}

/** True on a page without a kernel when some request's loaded arrays are not this state's. */
export function needsKernel(ex) {
  return !ex.host && Object.entries(ex.spec.requests || {})
    .some(([rname, req]) => requestKey(req, ex.pos) !== ex.loaded[rname]);
}

export function report(ex, now) {
  if (!ex.host) return;
  clearTimeout(ex.reportTimer);
  const send = () => { ex.lastReport = performance.now(); ex.host.report(ex.values()); };
  const wait = 50 - (performance.now() - (ex.lastReport || 0));
  if (now || wait <= 0) send();
  else ex.reportTimer = setTimeout(send, wait);
}

/** Ask for the arrays of every request that control `name` belongs to, unless loaded or cached. */
export function maybeRequest(ex, name) {
  for (const [rname, req] of Object.entries(ex.spec.requests || {})) {
    if (!req.controls.includes(name)) continue;
    const key = requestKey(req, ex.pos);
    if (ex.loaded[rname] === key) continue;
    const cached = req.cache && req.cache[key];
    if (cached) { ex.loaded[rname] = key; applyPatch(ex, cached); continue; }
    if (!ex.host) { ex.schedule(null); continue; }  // paint() says a kernel is needed
    const seq = ++ex.seq;
    ex.pending = [rname, key];
    ex.busy.hidden = false;
    ex.root.dataset.busy = "true";
    const values = Object.fromEntries(req.controls.map((k) => [k, ex.value(k)]));
    ex.host.request({kind: "request", name: rname, values, seq});
  }
}

/** A reply from the kernel (JSON text of {seq, patch} or {seq, error}). */
export async function reply(ex, text) {
  if (!text) return;
  const r = JSON.parse(text);
  if (r.seq === null || r.seq === undefined) { if (r.patch) await applyPatch(ex, r.patch); return; }
  if (r.seq !== ex.seq) return;  // an older answer: a newer request is under way
  if (r.error) ex.status.textContent = r.error;
  else {
    if (ex.pending) ex.loaded[ex.pending[0]] = ex.pending[1];
    await applyPatch(ex, r.patch);
  }
  ex.busy.hidden = true;
  delete ex.root.dataset.busy;
}

export async function applyPatch(ex, patch) {
  if (patch.arrays) {
    await ex.loadArrays(patch.arrays);
    Object.assign(ex.spec.arrays, patch.arrays);
  }
  if (patch.background) {
    ex.spec.background = patch.background;
    ex.img.src = patch.background.src;
  }
  ex.schedule(null);
}
