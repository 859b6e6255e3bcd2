"""Time one recompute of a phase diagram: `gradclip.sweep` on an n x n (lr, threshold) grid.

    python benchmarks/phase.py [--n 100] [--steps 200] [--repeat 3]

A live phase diagram recomputes the whole grid when a control moves; the budget is 0.5 s.
Three problems: the linear regression of the article, `CliffRNN` (T = 50) and `TinyNet`, a
one-unit tanh network with two weights standing in for an MLP (`gradclip.MLP` holds one set
of parameters, so it cannot be swept in one pass).

The solvers evaluate every iterate once, with the problem's `loss_and_grad`. `CliffRNN`'s
computes the loss and the gradient in one forward and one backward pass over its T steps;
evaluated separately (`loss`, then `grad`, which runs the recurrence again) a descent step
costs three passes (two forward, one backward). The script times both on the same grid and
checks that they give the SAME numbers (the fused pass evaluates the same expressions in the
same order, so the maps agree bit for bit). It also times
a grid of one run: the loop over the T time steps costs a fixed time per descent step (numpy
calls on small arrays), so even a single CliffRNN run is not free.
"""

import argparse
import time

import numpy as np

import gradclip
from gradclip.tinynet import TinyNet


class SeparatePasses:
    """A problem seen through ``loss`` and ``grad`` only: the solvers then call one after the
    other (for CliffRNN: two forward passes and one backward pass per descent step)."""

    def __init__(self, problem):
        self.problem, self.dim = problem, problem.dim

    def loss(self, theta):
        return self.problem.loss(theta)

    def grad(self, theta):
        return self.problem.grad(theta)


def best_time(fn, repeat):
    """Best wall-clock and CPU time of ``repeat`` calls, and the last result."""
    out, wall, cpu = None, np.inf, np.inf
    for _ in range(repeat):
        w, c = time.perf_counter(), time.process_time()
        out = fn()
        wall, cpu = min(wall, time.perf_counter() - w), min(cpu, time.process_time() - c)
    return wall, cpu, out


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--n", type=int, default=100, help="grid side (n x n configurations)")
    parser.add_argument("--steps", type=int, default=200)
    parser.add_argument("--repeat", type=int, default=3, help="timings taken; the best is shown")
    args = parser.parse_args(argv)
    n, steps = args.n, args.steps

    reg, reg0 = gradclip.demo_regression()
    edge = reg.max_stable_lr()
    cliff, cliff0 = gradclip.CliffRNN(), np.array([4.5, -2.8])
    cliff_lrs, cliff_thr = np.geomspace(0.03, 3, n), np.geomspace(0.01, 10, n)
    cases = [
        ("linear regression", reg, reg0, edge * np.geomspace(0.01, 3, n), np.geomspace(0.01, 100, n)),
        ("CliffRNN (T=50)", cliff, cliff0, cliff_lrs, cliff_thr),
        ("CliffRNN, 3 passes", SeparatePasses(cliff), cliff0, cliff_lrs, cliff_thr),
        ("TinyNet (2 weights)", TinyNet(), np.array([0.1, 0.1]),
         np.geomspace(0.01, 30, n), np.geomspace(0.01, 10, n)),
    ]
    print(f"grid {n} x {n} = {n * n} configurations, {steps} steps, clip by norm; budget 0.5 s "
          f"(wall clock and CPU time, best of {args.repeat})")
    results = {}
    for name, prob, theta0, lrs, thr in cases:
        wall, cpu, res = best_time(lambda: gradclip.sweep(prob, theta0, lrs, thr, steps, "norm"), args.repeat)
        results[name] = (cpu, res)
        print(f"{name:22s} wall {wall * 1e3:7.1f} ms  cpu {cpu * 1e3:7.1f} ms  "
              f"({cpu / (n * n * steps) * 1e9:5.1f} ns per run-step)  {'ok' if cpu <= 0.5 else 'over budget'}")

    (t_fused, fused), (t_sep, sep) = results["CliffRNN (T=50)"], results["CliffRNN, 3 passes"]
    same = np.array_equal(fused.final_loss, sep.final_loss) and np.array_equal(fused.diverged_at, sep.diverged_at)
    print(f"CliffRNN: one forward + one backward pass per step is {t_sep / t_fused:.1f}x faster than "
          f"loss then grad (three passes); final losses and divergence steps identical: {same}")
    _, t_one, _ = best_time(lambda: gradclip.sweep(cliff, cliff0, cliff_lrs[:1], cliff_thr[:1], steps, "norm"),
                            args.repeat)
    print(f"{'CliffRNN, ONE run':22s} cpu {t_one * 1e3:7.1f} ms  (the floor: {t_one / steps * 1e3:.2f} ms per "
          f"descent step for the T-step Python loops, whatever the grid size)")
    _, t_half, _ = best_time(lambda: gradclip.sweep(cliff, cliff0, cliff_lrs[::2], cliff_thr[::2], steps, "norm"),
                             args.repeat)
    print(f"{'CliffRNN, half grid':22s} cpu {t_half * 1e3:7.1f} ms  ({n // 2} x {n // 2})")


if __name__ == "__main__":
    main()
