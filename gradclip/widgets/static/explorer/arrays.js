// The spec's arrays (gradclip/widgets/encoding.py): base64 of deflated bytes, either float32
// or zig-zag deltas along the last axis in 2 or 4 byte planes times a quantum (optionally
// log10), with a deflated bitmask of NaNs. Decoded to Float32Array, indexed by control position.

async function inflate(b64) {
  const bin = atob(b64);
  const bytes = new Uint8Array(bin.length);
  for (let i = 0; i < bin.length; i++) bytes[i] = bin.charCodeAt(i);
  const stream = new Blob([bytes]).stream().pipeThrough(new DecompressionStream("deflate"));
  return new Uint8Array(await new Response(stream).arrayBuffer());
}

export async function decodeArray(spec) {
  const n = spec.shape.reduce((a, b) => a * b, 1);
  const body = await inflate(spec.data);
  const out = new Float32Array(n);
  if (spec.enc === "f32") {
    out.set(new Float32Array(body.buffer, body.byteOffset, n));
  } else {
    const w = spec.bytes, last = spec.shape[spec.shape.length - 1] || 1, q = spec.quantum;
    let acc = 0;
    for (let i = 0; i < n; i++) {
      let z = body[i] + body[n + i] * 256;
      if (w === 4) z += body[2 * n + i] * 65536 + body[3 * n + i] * 16777216;
      if (i % last === 0) acc = 0;
      acc += z % 2 ? -(z + 1) / 2 : z / 2;
      const v = acc * q;
      out[i] = spec.log ? Math.pow(10, v) : v;
    }
  }
  if (spec.nan) {
    const bits = await inflate(spec.nan);
    for (let i = 0; i < n; i++) if (bits[i >> 3] & (128 >> (i & 7))) out[i] = NaN;
  }
  return out;
}

function strides(shape) {
  const s = new Array(shape.length).fill(1);
  for (let i = shape.length - 2; i >= 0; i--) s[i] = s[i + 1] * shape[i + 1];
  return s;
}

/** Decode the spec's `arrays` ({name: encoded}) into {name: {data, shape, axes, strides, integer}}. */
export async function decodeArrays(arrays) {
  const names = Object.keys(arrays);
  const decoded = await Promise.all(names.map((k) => decodeArray(arrays[k])));
  return Object.fromEntries(names.map((k, i) => {
    const a = arrays[k];
    return [k, {data: decoded[i], shape: a.shape, axes: a.axes, strides: strides(a.shape),
                integer: a.integer}];
  }));
}
