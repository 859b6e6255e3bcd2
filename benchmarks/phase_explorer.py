"""Time the phase-diagram explorer of notebook 05: its build and each kernel-backed recompute.

    python benchmarks/phase_explorer.py [--repeat 3]

The explorer keeps every run of one (problem, clip mode) pair for all ``max_steps`` steps
(31 x 31 = 961 runs, 200 steps). Two kinds of request reach the kernel:

* a new step count (the steps slider released): the map is re-read from the stored losses and
  redrawn, and the picked runs' arrays are sent again;
* a new problem or clip mode (a toggle): on its first visit the 961 runs of the pair are
  computed with ``gradclip.run_batch`` (timed on fresh explorers, so nothing is cached), then
  drawn; a later visit of the pair only redraws.

The budget for one recompute is 0.5 s. Times are the best of ``--repeat`` (wall clock and CPU
time of this process: on a busy machine the wall clock includes waiting for a core).
"""

import argparse
import time

import matplotlib
import numpy as np

matplotlib.use("Agg")

from gradclip.widgets import phaseview  # noqa: E402


def best(fn, repeat):
    wall = cpu = float("inf")
    for _ in range(repeat):
        w, c = time.perf_counter(), time.process_time()
        fn()
        wall, cpu = min(wall, time.perf_counter() - w), min(cpu, time.process_time() - c)
    return wall, cpu


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeat", type=int, default=3)
    args = parser.parse_args(argv)
    holder = {}
    wall, cpu = best(lambda: holder.update(ex=phaseview.phase_explorer()), args.repeat)
    ex = holder["ex"]
    print(f"grid {len(phaseview.LRS)} x {len(phaseview.THRESHOLDS)}, 200 steps kept; budget 0.5 s per recompute")
    print(f"{'build (regression, norm)':44s} wall {wall * 1e3:7.1f} ms   cpu {cpu * 1e3:7.1f} ms")
    # A first visit of a pair computes its runs: time it on fresh explorers (nothing cached),
    # one per repeat, each visiting every pair once; a later visit only redraws.
    first = {}
    for _ in range(args.repeat):
        fresh = phaseview.phase_explorer()
        for problem in phaseview.PROBLEMS:
            for clip in phaseview.CLIPS:
                if (problem, clip) == ("regression", "norm"):
                    continue  # computed by the build
                w, c = time.perf_counter(), time.process_time()
                fresh.request("grid", problem=problem, clip=clip, steps=200)
                t = (time.perf_counter() - w, time.process_time() - c)
                old = first.get((problem, clip), (np.inf, np.inf))
                first[(problem, clip)] = (min(old[0], t[0]), min(old[1], t[1]))
    for problem in phaseview.PROBLEMS:
        for clip in phaseview.CLIPS:
            if (problem, clip) in first:
                wall, cpu = first[(problem, clip)]
                print(f"{'first visit: ' + problem + ', ' + clip:44s} wall {wall * 1e3:7.1f} ms   "
                      f"cpu {cpu * 1e3:7.1f} ms   {'ok' if cpu <= 0.5 else 'over budget'}")
    for problem in phaseview.PROBLEMS:
        for clip in ("norm", "none"):
            ex.request("grid", problem=problem, clip=clip, steps=200)
            steps = iter([50, 120, 199, 80, 160] * args.repeat)
            wall, cpu = best(lambda: ex.request("grid", problem=problem, clip=clip, steps=next(steps)), args.repeat)
            print(f"{'new steps: ' + problem + ', ' + clip:44s} wall {wall * 1e3:7.1f} ms   cpu {cpu * 1e3:7.1f} ms"
                  f"   {'ok' if cpu <= 0.5 else 'over budget'}")


if __name__ == "__main__":
    main()
