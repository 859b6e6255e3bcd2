"""Time one training step of `gradclip.RNN` (forward + backward through time + update).

    python benchmarks/rnn.py [--repeats 50]

For a few (batch n, length T, hidden H) on the adding problem, times
`train(net, X, y, lr, steps)` with mini-batches of n and reports the median time per step
over several runs (the first run, which warms caches, is dropped).
"""

import argparse
import time

import numpy as np

from gradclip.data import adding_problem
from gradclip.training import train
from gradclip.rnn import RNN

CASES = [(32, 10, 16), (32, 50, 16), (32, 50, 32), (32, 100, 32), (64, 100, 32), (128, 100, 64)]


def time_per_step(n, T, H, steps, repeats):
    X, y = adding_problem(4 * n, T, seed=0)
    net = RNN(2, H, 1, seed=0)
    times = []
    for _ in range(repeats + 1):
        start = time.perf_counter()
        train(net, X, y, lr=0.01, steps=steps, clip="global_norm", threshold=1.0, batch_size=n, seed=0)
        times.append((time.perf_counter() - start) / (steps + 1))
    return float(np.median(times[1:]))


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--steps", type=int, default=20, help="training steps per timed run")
    parser.add_argument("--repeats", type=int, default=5, help="timed runs per case")
    args = parser.parse_args(argv)
    print(f"{'n':>5} {'T':>5} {'H':>5} {'ms/step':>9} {'steps/s':>9}")
    for n, T, H in CASES:
        t = time_per_step(n, T, H, args.steps, args.repeats)
        print(f"{n:>5} {T:>5} {H:>5} {1e3 * t:>9.3f} {1 / t:>9.0f}")


if __name__ == "__main__":
    main()
