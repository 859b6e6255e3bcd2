"""Compact, JSON-safe encodings for the explorers' arrays and pictures.

An explorer ships every state its controls can reach as arrays. To keep a notebook small they
travel quantized and compressed; the page decodes them into ``Float32Array`` s with the exact
arithmetic of :func:`decode_array` (which the Python side also uses, so both show the same
numbers).

Array encodings (the dict :func:`encode_array` returns, all keys JSON):

``{"enc": "f32", "shape", "data"}``
    little-endian float32, zlib-compressed, base64.
``{"enc": "q", "shape", "quantum", "log", "bytes", "data", "nan"}``
    ``v = quantum * round(x / quantum)`` (of ``log10 x`` when ``log``); along the last axis
    the integers are delta-coded (first entry against 0), zig-zag mapped to unsigned
    (``0, -1, 1, -2 -> 0, 1, 2, 3``), stored in ``bytes`` (2 or 4) bytes, little-endian, the
    bytes of all values grouped by significance (all low bytes, then all next bytes, ...),
    zlib-compressed, base64. Decoding: cumulative sum along the last axis, times ``quantum``
    (in float64), ``10 ** v`` when ``log``, then float32. ``nan`` (optional) is a bit mask
    (``numpy.packbits`` order: first value in the high bit) of entries that are NaN;
    non-positive values of a ``log`` array are NaN too.

The error of a ``"q"`` array is at most ``quantum / 2`` (in decades when ``log``): pick the
quantum as a fraction of a pixel of the axes the array is drawn on.
"""

import base64
import io
import zlib

import numpy as np

__all__ = ["encode_array", "decode_array", "png_bytes", "b64"]

_LIMIT = 2.0**30  # quantized integers stay well inside int64 after delta coding


def b64(data):
    """Base64 text of ``data`` (bytes)."""
    return base64.b64encode(data).decode("ascii")


def _unb64(text):
    return base64.b64decode(text.encode("ascii"))


def encode_array(values, quantum=None, log=False, level=5):
    """Encode an array (see the module docstring); returns a JSON-safe dict.

    Parameters
    ----------
    values : array_like
        Any shape with at least one axis; NaN marks a gap (a line break, a missing point).
    quantum : float, optional
        Resolution of a ``"q"`` array (in the array's units, or in decades when ``log``);
        None stores float32.
    log : bool
        Quantize ``log10(values)`` (for data drawn on a log axis).
    level : int
        zlib compression level.

    Returns
    -------
    dict

    Examples
    --------
    >>> spec = encode_array([[0.0, 0.5, 1.0, np.nan]], quantum=0.25)
    >>> spec["enc"], spec["shape"], decode_array(spec).tolist()
    ('q', [1, 4], [[0.0, 0.5, 1.0, nan]])
    """
    return _encode(values, quantum, log, level)[0]


def encode_and_decode(values, quantum=None, log=False, level=5):
    """``(encode_array(values, ...), decode_array(of that))``, the second without decoding:
    the values the page will see come from the quantized integers (bit for bit the same).

    Examples
    --------
    >>> spec, page = encode_and_decode([[0.0, 0.26, np.nan]], quantum=0.25)
    >>> page.tolist(), np.array_equal(page, decode_array(spec), equal_nan=True)
    ([[0.0, 0.25, nan]], True)
    """
    return _encode(values, quantum, log, level)


def _encode(values, quantum, log, level):
    """(spec, the values the page decodes from it)."""
    a = np.asarray(values, dtype=np.float64, order="C")  # C order for the byte view; never written to
    if a.ndim == 0:
        raise ValueError(f"values must have at least one axis, got a scalar {values!r}")
    if quantum is not None and not (np.isfinite(quantum) and quantum > 0):
        raise ValueError(f"quantum must be a positive number or None, got {quantum!r}")
    with np.errstate(all="ignore"):
        if log:
            a = np.where(a > 0, np.log10(np.where(a > 0, a, 1.0)), np.nan)
    nan = ~np.isfinite(a)
    spec = {"shape": list(a.shape), "log": bool(log)}
    if quantum is None:
        if log:
            raise ValueError("log=True needs a quantum")
        page = a.astype("<f4")
        body = page.tobytes()
        page = page.astype(np.float32)
        spec["enc"] = "f32"
    else:
        q = np.where(nan, np.nan, np.clip(a / quantum, -_LIMIT, _LIMIT))
        q = _fill_forward(q)
        q = np.round(q).astype(np.int64)
        page = q.astype(np.float64) * float(quantum)  # what decode_array's cumsum gives back
        if log:
            page = 10.0**page
        page = page.astype(np.float32)
        page[nan] = np.nan
        d = np.diff(q, axis=-1, prepend=0) if q.shape[-1] else q
        z = (d << 1) ^ (d >> 63)
        width = 2 if z.size == 0 or int(z.max()) < 2**16 else 4
        z = z.astype(f"<u{width}")
        body = np.ascontiguousarray(z.view(np.uint8).reshape(-1, width).T).tobytes()
        spec.update(enc="q", quantum=float(quantum), bytes=width)
        if nan.any():
            spec["nan"] = b64(zlib.compress(np.packbits(nan.ravel()).tobytes(), level))
    spec["data"] = b64(zlib.compress(body, level))
    return spec, page


def _fill_forward(q):
    """Replace NaN by the previous finite entry along the last axis (0 before the first)."""
    flat = q.reshape(-1, q.shape[-1]) if q.shape[-1] else q.reshape(-1, 0)
    ok = np.isfinite(flat)
    rows = np.flatnonzero(~ok.all(axis=1))  # only the rows with a gap need filling
    if not rows.size:
        return q
    n = flat.shape[1]
    idx = np.where(ok[rows], np.arange(n), -1)
    np.maximum.accumulate(idx, axis=1, out=idx)
    filled = flat.copy()
    filled[rows] = np.take_along_axis(flat[rows], np.maximum(idx, 0), axis=1)
    filled[rows] = np.where(idx < 0, 0.0, filled[rows])
    return filled.reshape(q.shape)


def decode_array(spec):
    """Decode a dict made by :func:`encode_array` into a float32 array (as the page does)."""
    shape = tuple(spec["shape"])
    body = zlib.decompress(_unb64(spec["data"]))
    if spec["enc"] == "f32":
        return np.frombuffer(body, dtype="<f4").reshape(shape).astype(np.float32)
    width = spec["bytes"]
    z = np.frombuffer(body, dtype=np.uint8).reshape(width, -1).T.copy().view(f"<u{width}")
    z = z.reshape(shape).astype(np.int64)
    d = (z >> 1) ^ -(z & 1)
    v = np.cumsum(d, axis=-1).astype(np.float64) * spec["quantum"]
    if spec.get("log"):
        v = 10.0**v
    out = v.astype(np.float32)
    if "nan" in spec:
        bits = np.frombuffer(zlib.decompress(_unb64(spec["nan"])), dtype=np.uint8)
        mask = np.unpackbits(bits)[: out.size].astype(bool).reshape(shape)
        out[mask] = np.nan
    return out


def png_bytes(rgba, level=6):
    """PNG bytes of an ``(h, w, 4)`` uint8 image (drawn opaque: stored as RGB)."""
    from PIL import Image

    rgba = np.asarray(rgba)
    img = Image.fromarray(np.ascontiguousarray(rgba[..., :3]), "RGB")
    buf = io.BytesIO()
    img.save(buf, format="PNG", compress_level=level)
    return buf.getvalue()
