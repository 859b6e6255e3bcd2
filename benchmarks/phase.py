"""Time one recompute of a phase diagram: `gradclip.sweep` on an n x n (lr, threshold) grid.

    python benchmarks/phase.py [--n 100] [--steps 200] [--repeat 3]

A live phase diagram recomputes the whole grid when a control moves; the budget is 0.5 s.
Three problems: the linear regression of the article, `CliffRNN` (T = 50) and a tiny
two-weight network ``f(x) = w2 * tanh(w1 * x)`` fitted to 16 points, standing in for an MLP
(`gradclip.MLP` is not batched over configurations, so it cannot be swept in one pass).

`CliffRNN` computes the loss and the gradient in separate passes through its T steps, and the
solver asks for the loss of the new point and then for the gradient at the same point: three
passes of the recurrence per descent step (two forward, one backward). `FusedCliffRNN` below
computes both in ONE forward pass (forward-mode differentiation: the derivatives of x_t with
respect to w and b are carried along with x_t) and keeps the gradient for the next call.
The script checks that it gives the same phase map and reports the speed-up. It also times a
grid of one run: the loop over the T time steps costs a fixed time per descent step (numpy
calls on small arrays), so even a single CliffRNN run is not free.
"""

import argparse
import time

import numpy as np

import gradclip


def _sigmoid(x):
    with np.errstate(over="ignore"):
        return 0.5 * (1.0 + np.tanh(0.5 * x))   # the same form as CliffRNN's


class FusedCliffRNN(gradclip.CliffRNN):
    """CliffRNN with the loss and gradient from one forward-mode pass, cached by value."""

    _cache = None

    def _fused(self, theta):
        theta = self._theta(theta)
        if self._cache is not None and self._cache[0].shape == theta.shape \
                and np.array_equal(self._cache[0], theta):
            return self._cache[1], self._cache[2]
        w, b = theta[..., 0], theta[..., 1]
        with np.errstate(over="ignore", invalid="ignore"):
            x = np.full(w.shape, self.x0)
            dxw, dxb = np.zeros_like(w), np.zeros_like(w)
            for _ in range(self.T):
                s = _sigmoid(x)
                ws1 = w * (s * (1.0 - s))
                dxw = s + ws1 * dxw
                dxb = 1.0 + ws1 * dxb
                x = w * s + b
            s_T = _sigmoid(x)
            r = s_T - self.target
            delta = 2.0 * r * s_T * (1.0 - s_T)
            loss, grad = r * r, np.stack([delta * dxw, delta * dxb], axis=-1)
        self._cache = (theta.copy(), loss, grad)
        return loss, grad

    def loss(self, theta):
        return self._fused(theta)[0]

    def grad(self, theta):
        return self._fused(theta)[1]


class TinyNet(gradclip.Problem):
    """``J(w1, w2) = mean((w2 tanh(w1 x) - y)^2) / 2`` over 16 points, batched over theta."""

    dim = 2

    def __init__(self, seed=0, m=16):
        rng = np.random.default_rng(seed)
        self.x = rng.uniform(-2, 2, m)
        self.y = 0.8 * np.tanh(1.5 * self.x) + rng.normal(scale=0.05, size=m)

    def _parts(self, theta):
        theta = self._theta(theta)
        w1, w2 = theta[..., :1], theta[..., 1:]
        with np.errstate(over="ignore", invalid="ignore"):
            h = np.tanh(w1 * self.x)
            return theta, w1, w2, h, w2 * h - self.y

    def loss(self, theta):
        *_, r = self._parts(theta)
        with np.errstate(over="ignore", invalid="ignore"):
            return 0.5 * np.mean(r * r, axis=-1)

    def grad(self, theta):
        _, w1, w2, h, r = self._parts(theta)
        with np.errstate(over="ignore", invalid="ignore"):
            d1 = np.mean(r * w2 * (1 - h * h) * self.x, axis=-1)
            d2 = np.mean(r * h, axis=-1)
        return np.stack([d1, d2], axis=-1)


def best_time(fn, repeat):
    out, best = None, np.inf
    for _ in range(repeat):
        t0 = time.perf_counter()
        out = fn()
        best = min(best, time.perf_counter() - t0)
    return best, out


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--n", type=int, default=100, help="grid side (n x n configurations)")
    parser.add_argument("--steps", type=int, default=200)
    parser.add_argument("--repeat", type=int, default=3, help="timings taken; the best is shown")
    args = parser.parse_args(argv)
    n, steps = args.n, args.steps

    reg, reg0 = gradclip.demo_regression()
    edge = reg.max_stable_lr()
    cases = [
        ("linear regression", reg, reg0, edge * np.geomspace(0.01, 3, n), np.geomspace(0.01, 100, n)),
        ("CliffRNN (T=50)", gradclip.CliffRNN(), np.array([4.5, -2.8]),
         np.geomspace(0.03, 3, n), np.geomspace(0.01, 10, n)),
        ("tiny net (2 weights)", TinyNet(), np.array([0.1, 0.1]),
         np.geomspace(0.01, 30, n), np.geomspace(0.01, 10, n)),
    ]
    print(f"grid {n} x {n} = {n * n} configurations, {steps} steps, clip by norm; budget 0.5 s")
    times = {}
    for name, prob, theta0, lrs, thr in cases:
        t, res = best_time(lambda: gradclip.sweep(prob, theta0, lrs, thr, steps, "norm"), args.repeat)
        times[name] = (t, res)
        print(f"{name:22s} {t * 1e3:8.1f} ms  ({t / (n * n * steps) * 1e9:5.1f} ns per run-step)"
              f"  {'ok' if t <= 0.5 else 'over budget'}")

    _, plain = times["CliffRNN (T=50)"]
    _, theta0, lrs, thr = cases[1][1:]
    t_fused, fused = best_time(lambda: gradclip.sweep(FusedCliffRNN(), theta0, lrs, thr, steps, "norm"),
                               args.repeat)
    rng = np.random.default_rng(0)
    points = np.column_stack([rng.uniform(-2, 8, 2000), rng.uniform(-6, 2, 2000)])
    g_plain, g_fused = gradclip.CliffRNN().grad(points), FusedCliffRNN().grad(points)
    grad_err = np.max(np.abs(g_plain - g_fused) / np.maximum(np.abs(g_plain), 1e-300))
    same = np.isclose(fused.final_loss, plain.final_loss, rtol=1e-6, atol=1e-12)
    same_map = np.mean((fused.final_loss < 0.01) == (plain.final_loss < 0.01))
    print(f"{'CliffRNN fused':22s} {t_fused * 1e3:8.1f} ms  "
          f"({times['CliffRNN (T=50)'][0] / t_fused:.1f}x faster)  {'ok' if t_fused <= 0.5 else 'over budget'}")
    print(f"fused vs plain: gradients at 2000 random points agree to {grad_err:.1e} (relative); "
          f"final losses equal (rtol 1e-6) in {same.mean():.1%} of runs, solved map (loss < 0.01) "
          f"equal in {same_map:.1%}: rounding differences grow along the chaotic oscillation at the wall")
    t_one, _ = best_time(lambda: gradclip.sweep(gradclip.CliffRNN(), theta0, lrs[:1], thr[:1], steps, "norm"),
                         args.repeat)
    print(f"{'CliffRNN, ONE run':22s} {t_one * 1e3:8.1f} ms  (the floor: {t_one / steps * 1e3:.2f} ms per "
          f"descent step for 3 passes of the T-step Python loop, whatever the grid size)")
    t_half, _ = best_time(lambda: gradclip.sweep(FusedCliffRNN(), theta0, lrs[::2], thr[::2], steps, "norm"),
                          args.repeat)
    print(f"{'CliffRNN fused, half grid':26s} {t_half * 1e3:8.1f} ms  ({n // 2} x {n // 2})")


if __name__ == "__main__":
    main()
