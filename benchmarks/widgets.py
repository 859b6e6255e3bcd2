"""Build time, size and kernel-side update time of each explorer.

    python benchmarks/widgets.py [--n 50]

For each explorer: the time to build it (every run its controls reach, the static picture,
the encoded arrays; wall and CPU time: on a shared machine compare CPU times), the size of its spec (the JSON a notebook stores and a static page
mounts; the static picture is inside) and of the stored picture, the time to draw that
picture, and the median time of one ``update(...)`` in the kernel (lookups and the status
line: the page draws by itself, so this is not on the path of a slider drag). Goals: build
<= 0.5 s, spec < 600 kB (three explorers and their pictures < 2 MB in a notebook).
The training explorer and the depth lab read the runs of their default build from
``gradclip/widgets/data``; ``--computed`` times them computing those runs instead.
The page's own repaint time is measured in a browser (``data-last-paint-ms``).
"""

import argparse
import json
import time
from pathlib import Path

import numpy as np

import gradclip
from gradclip import widgets


def _random_settings(ex, rng):
    out = {}
    for name, c in ex.controls.items():
        if c.kind == "toggle":
            out[name] = str(rng.choice(c.options))
        elif c.kind == "slider":
            out[name] = float(rng.choice(c.values))
        else:
            out[name] = int(rng.integers(c.lo, c.hi + 1))
    return out


def bench(name, factory, n, rng):
    t, cpu = time.perf_counter(), time.process_time()
    ex = factory()
    build, cpu = time.perf_counter() - t, time.process_time() - cpu
    spec = len(json.dumps(ex.to_spec(), separators=(",", ":")))
    t = time.perf_counter()
    png = ex.picture()
    picture = time.perf_counter() - t
    settings = [_random_settings(ex, rng) for _ in range(n)]
    times = []
    for s in settings:
        t = time.perf_counter()
        ex.update(**s)
        times.append(time.perf_counter() - t)
    print(f"{name:<24} build {build:5.2f} s (CPU {cpu:4.2f} s)   spec {spec / 1e3:6.0f} kB   picture "
          f"{len(png) / 1e3:4.0f} kB ({1e3 * picture:4.0f} ms)   update {1e3 * np.median(times):5.2f} ms")
    return build, spec


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--n", type=int, default=50)
    parser.add_argument("--computed", action="store_true",
                        help="compute the runs the explorers otherwise read from gradclip/widgets/data")
    parser.add_argument("names", nargs="*", help="explorer factories (default: every one)")
    args = parser.parse_args(argv)
    if args.computed:
        from gradclip.widgets import depthview, trainview

        depthview.STORED = trainview.STORED = Path("/nonexistent/stored-runs.npz")
    gradclip.setup(seed=0)
    rng = np.random.default_rng(0)
    t = time.perf_counter()
    widgets.learning_rate_explorer(max_steps=5, steps=5)  # first figure: fonts, mathtext caches
    print(f"first figure of a session (fonts, caches), paid once: {time.perf_counter() - t:.2f} s")
    names = args.names or [n for n in widgets.__all__ if n.endswith("_explorer")]
    for name in names:
        bench(name, getattr(widgets, name), args.n, rng)


if __name__ == "__main__":
    main()
