"""BLAS threads for the package's small matrix products.

numpy hands every matrix product to its BLAS library (OpenBLAS in numpy's wheels), which
splits a product of more than about 2.6e5 multiply-adds over all cores. Our products are small
(an RNN's 32 x 1920 x 32 weight gradient, 500 times): on two cores the threads cost more than
they save, and on a busy machine (a shared JupyterHub, a CI runner), where a BLAS thread spins
waiting for a core, notebook 06's RNN training took 36 s instead of 3 s and the training
explorer's two runs 8 to 33 s instead of 0.8 s. :func:`blas_threads` limits the threads for a
block of code and restores them after it; :func:`set_blas_threads` sets them for the rest of
the session (:func:`gradclip.setup` does, to one thread, unless told otherwise).

Both call OpenBLAS's own ``set_num_threads`` on the library numpy loaded (found in
``/proc/self/maps``, Linux; the standard library's ``ctypes``, no other package); with another
BLAS or on another system they do nothing.
"""

import contextlib
import ctypes

from . import validation as v

__all__ = ["blas_threads", "set_blas_threads"]

# (setter, getter) of OpenBLAS builds: plain, 64-bit-integer and scipy-openblas (numpy's wheels)
_SYMBOLS = (("openblas_set_num_threads", "openblas_get_num_threads"),
            ("openblas_set_num_threads64_", "openblas_get_num_threads64_"),
            ("scipy_openblas_set_num_threads64_", "scipy_openblas_get_num_threads64_"),
            ("scipy_openblas_set_num_threads", "scipy_openblas_get_num_threads"))
_FOUND = []  # [(set, get)] of every OpenBLAS loaded, filled on first use


def _openblas():
    if not _FOUND:
        paths = set()
        try:
            with open("/proc/self/maps") as f:
                paths = {line.split()[-1] for line in f if "openblas" in line.rsplit("/", 1)[-1]}
        except OSError:
            pass
        for path in sorted(paths):
            try:
                lib = ctypes.CDLL(path)
            except OSError:
                continue
            for set_name, get_name in _SYMBOLS:
                if hasattr(lib, set_name) and hasattr(lib, get_name):
                    setter, getter = getattr(lib, set_name), getattr(lib, get_name)
                    setter.argtypes, getter.restype = [ctypes.c_int], ctypes.c_int
                    _FOUND.append((setter, getter))
                    break
        if not _FOUND:
            _FOUND.append(None)
    return [f for f in _FOUND if f is not None]


@contextlib.contextmanager
def blas_threads(n=1):
    """Run the block with at most ``n`` BLAS threads; the previous count is restored after.

    Examples
    --------
    >>> import numpy as np
    >>> with blas_threads(1):
    ...     float(np.ones((300, 300)) @ np.ones(300) @ np.ones(300))
    90000.0
    """
    n = v.positive_int(n, "n")
    libs = _openblas()
    before = [get() for _, get in libs]
    for (setter, _), was in zip(libs, before):
        setter(min(n, was))
    try:
        yield
    finally:
        for (setter, _), was in zip(libs, before):
            setter(was)


def set_blas_threads(n=1):
    """Set numpy's OpenBLAS to ``n`` threads from now on; return the previous counts
    (one per OpenBLAS loaded, empty when none was found: then nothing changed).

    Examples
    --------
    >>> before = set_blas_threads(1)
    >>> _ = [set_blas_threads(c) for c in before]   # back to what it was
    """
    n = v.positive_int(n, "n")
    libs = _openblas()
    before = [get() for _, get in libs]
    for setter, _ in libs:
        setter(n)
    return before
