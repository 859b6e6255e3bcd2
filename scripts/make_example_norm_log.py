"""Write data/example_grad_norms.csv: a synthetic gradient-norm log to replay clipping rules on.

    python scripts/make_example_norm_log.py             # (re)write data/example_grad_norms.csv
    python scripts/make_example_norm_log.py --check     # exit 1 if the file differs from what it makes

It looks like the log of a small transformer's pre-training, 2000 steps, but every number is
drawn from ``np.random.default_rng(0)``: the global gradient norm decays from about 3.2 to
0.35 in the first hundred steps (as at the end of a learning-rate warm-up), then drifts slowly
upwards (+25 %) with a small slow wave, times log-normal noise (sigma 0.15); six isolated steps
carry a spike (4 to 12 times the norm) and steps 1400-1411 a burst (up to 10 times). The loss
falls from about 10 to 2.5 with small Gaussian noise and rises briefly after each spike.
Columns: step, grad_norm (6 significant digits), loss (4 decimals); the first line is a ``#``
comment saying all this.
"""

import argparse
import sys
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parents[1]
OUT = ROOT / "data" / "example_grad_norms.csv"
STEPS, SEED = 2000, 0
BURST_START = 1400
BURST = (2.0, 3.5, 6.0, 9.0, 10.0, 7.5, 5.0, 4.0, 3.0, 2.5, 2.0, 1.6)  # the norm's factor in the burst


def norms_and_losses(steps=STEPS, seed=SEED):
    """``(grad_norm, loss, spike_steps)`` of the synthetic run (arrays over steps 1..steps)."""
    rng = np.random.default_rng(seed)
    t = np.arange(1, steps + 1, dtype=np.float64)
    trend = (0.35 + 3.0 * np.exp(-t / 25.0)) * (1.0 + 0.25 * t / steps) \
        * (1.0 + 0.05 * np.sin(2 * np.pi * t / 700.0))
    norm = trend * np.exp(0.15 * rng.standard_normal(steps))
    isolated = np.sort(rng.choice(np.arange(200, steps - 50), size=6, replace=False))
    factor = np.ones(steps)
    factor[isolated - 1] = rng.uniform(4.0, 12.0, size=isolated.size)
    factor[BURST_START - 1:BURST_START - 1 + len(BURST)] = BURST
    norm = norm * factor
    bump = np.zeros(steps)  # the loss jumps after a spike and recovers over ~20 steps
    for k in np.flatnonzero(factor > 1.5):
        after = np.arange(k + 1, steps)
        bump[after] += 0.03 * (factor[k] - 1.0) * np.exp(-(after - k - 1) / 20.0)
    loss = 2.4 + 7.6 * np.exp(-t / 300.0) + 0.05 * t / steps + bump \
        + 0.04 * rng.standard_normal(steps)
    spikes = np.concatenate([isolated, BURST_START + np.arange(len(BURST))])
    return norm, loss, spikes


def make_log(steps=STEPS, seed=SEED):
    """The text of the CSV file."""
    norm, loss, spikes = norms_and_losses(steps, seed)
    isolated = ", ".join(str(s) for s in spikes[:-len(BURST)])
    lines = [f"# synthetic gradient-norm log, not a real run: made by scripts/make_example_norm_log.py "
             f"(np.random.default_rng({seed}), {steps} steps): warm-up decay, slow drift, log-normal "
             f"noise, isolated spikes at steps {isolated}, a burst at steps {BURST_START}-"
             f"{BURST_START + len(BURST) - 1}",
             "step,grad_norm,loss"]
    lines += [f"{k},{g:.6g},{f:.4f}" for k, (g, f) in enumerate(zip(norm, loss), 1)]
    return "\n".join(lines) + "\n"


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--out", type=Path, default=OUT)
    parser.add_argument("--check", action="store_true", help="exit 1 if the file is not what the script makes")
    args = parser.parse_args(argv)
    text = make_log()
    if args.check:
        same = args.out.is_file() and args.out.read_text(encoding="utf-8") == text
        print(f"{args.out}: {'up to date' if same else 'differs from what the script makes'}")
        return 0 if same else 1
    args.out.parent.mkdir(parents=True, exist_ok=True)
    args.out.write_text(text, encoding="utf-8")
    print(f"wrote {args.out} ({text.count(chr(10)) - 2} steps)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
