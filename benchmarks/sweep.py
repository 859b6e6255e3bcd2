"""Time `gradclip.sweep` on a 100 x 100 (lr, threshold) grid against a plain Python loop.

    python benchmarks/sweep.py [--n 100] [--steps 200] [--loop-sample 400]

The loop runs `gradclip.run` once per configuration, as one would without a batched solver.
Timing all 10,000 loop runs takes minutes, so the loop is timed on a seeded random sample of
configurations and scaled to the full grid (the cost per configuration is flat). Both paths
are checked to agree on that sample before any time is reported.
"""

import argparse
import time

import numpy as np

import gradclip


def problem():
    rng = np.random.default_rng(0)
    x = rng.uniform(-2.0, 4.0, size=200)
    X = np.column_stack([np.ones_like(x), x])
    y = 1.5 + 2.0 * x + rng.normal(scale=0.5, size=x.size)
    return gradclip.LinearRegression(X, y)


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--n", type=int, default=100, help="grid side (n x n configurations)")
    parser.add_argument("--steps", type=int, default=200)
    parser.add_argument("--loop-sample", type=int, default=400, help="loop runs actually timed")
    args = parser.parse_args(argv)

    prob = problem()
    theta0 = np.array([-3.0, 4.0])
    edge = prob.max_stable_lr()
    lrs = edge * np.logspace(-2, np.log10(3.0), args.n)
    thresholds = np.logspace(-2, 2, args.n)

    best = np.inf
    for _ in range(3):
        t0 = time.perf_counter()
        res = gradclip.sweep(prob, theta0, lrs, thresholds, steps=args.steps, clip="norm")
        best = min(best, time.perf_counter() - t0)

    rng = np.random.default_rng(1)
    sample = rng.choice(args.n * args.n, size=min(args.loop_sample, args.n * args.n), replace=False)
    t0 = time.perf_counter()
    for flat in sample:
        i, j = divmod(int(flat), args.n)
        traj = gradclip.run(prob, theta0, lrs[i], args.steps, clip="norm", threshold=thresholds[j])
        assert traj.diverged == res.diverged[i, j]
        if not traj.diverged:
            assert np.isclose(traj.final_loss, res.final_loss[i, j], rtol=1e-9, atol=1e-12)
    per_run = (time.perf_counter() - t0) / len(sample)
    loop_total = per_run * args.n * args.n

    # the leanest hand-written loop: no validation, no recording, just the update
    H, b = prob.hessian(), prob.grad(np.zeros(2)) * -1.0
    t0 = time.perf_counter()
    for flat in sample:
        i, j = divmod(int(flat), args.n)
        theta, lr, c = theta0.copy(), lrs[i], thresholds[j]
        for _ in range(args.steps):
            g = H @ theta - b
            n = np.sqrt(g @ g)
            theta = theta - lr * (g * (c / n) if n > c else g)
        if lrs[i] < edge:  # above the edge the clipped oscillation is chaotic: rounding differs
            assert np.isclose(prob.loss(theta), res.final_loss[i, j], rtol=1e-9, atol=1e-12)
    lean_total = (time.perf_counter() - t0) / len(sample) * args.n * args.n

    print(f"grid: {args.n} x {args.n} = {args.n * args.n} configurations, {args.steps} steps, clip by norm")
    print(f"sweep (vectorised): {best * 1e3:9.1f} ms")
    print(f"python loop of run: {loop_total * 1e3:9.1f} ms  ({per_run * 1e3:.2f} ms per run, {len(sample)} timed)")
    print(f"lean hand loop:     {lean_total * 1e3:9.1f} ms")
    print(f"diverged: {int(res.diverged.sum())} of {res.diverged.size}")
    print(f"speed-up vs loop of run: {loop_total / best:.0f}x  (goal >= 100x)")
    print(f"speed-up vs lean hand loop: {lean_total / best:.0f}x")


if __name__ == "__main__":
    main()
