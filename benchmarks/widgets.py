"""Time one explorer update (lookup + in-place artist update + redraw) against a bare redraw.

    python benchmarks/widgets.py [--n 50]

For each explorer: the median over ``n`` random settings of one ``update(...)``, which ends in
``fig.canvas.draw_idle()`` (with Agg that renders at once, so the redraw is counted), and of a
bare ``fig.canvas.draw()`` of the same figure. Goal: <= 50 ms and <= 1.3x the bare draw.
Both draws restore the cached static background and redraw only the moving artists; the
full redraw (axes, ticks, labels, contours: what a figure without the cache pays every time)
is printed for comparison.
"""

import argparse
import time

import matplotlib

matplotlib.use("Agg")

import numpy as np  # noqa: E402

import gradclip  # noqa: E402
from gradclip import widgets  # noqa: E402


def _random_settings(ex, rng):
    out = {}
    for name, c in ex.controls.items():
        if hasattr(c, "options"):
            out[name] = str(rng.choice(list(c.options)))
        elif hasattr(c, "base"):
            out[name] = float(c.base ** rng.uniform(c.min, c.max))
        else:
            out[name] = int(rng.integers(c.min, c.max + 1))
    return out


def _median_ms(fn, n):
    times = []
    for _ in range(n):
        t = time.perf_counter()
        fn()
        times.append(time.perf_counter() - t)
    return 1e3 * float(np.median(times))


def bench(name, ex, n, rng):
    settings = [_random_settings(ex, rng) for _ in range(n)]
    ex.fig.canvas.draw()
    it = iter(settings)
    t_update = _median_ms(lambda: ex.update(**next(it)), n)
    t_draw = _median_ms(ex.fig.canvas.draw, n)

    def full():
        ex.fig.invalidate()
        ex.fig.canvas.draw()

    t_full = _median_ms(full, max(5, n // 5))
    print(f"{name:<24} update {t_update:6.1f} ms   bare draw {t_draw:6.1f} ms   "
          f"ratio {t_update / t_draw:4.2f}   (full redraw without the cached background "
          f"{t_full:5.1f} ms)")
    return t_update, t_draw


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--n", type=int, default=50)
    args = parser.parse_args(argv)
    gradclip.setup(seed=0)
    rng = np.random.default_rng(0)
    for name, factory in (("learning_rate_explorer", widgets.learning_rate_explorer),
                          ("condition_explorer", widgets.condition_explorer),
                          ("clipping_explorer", widgets.clipping_explorer)):
        t = time.perf_counter()
        ex = factory()
        print(f"{name:<24} built (all runs precomputed) in {time.perf_counter() - t:.2f} s")
        bench(name, ex, args.n, rng)
        ex.close()


if __name__ == "__main__":
    main()
