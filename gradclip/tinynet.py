"""The smallest curved network: one tanh unit with two weights, fitted to 16 points.

:class:`TinyNet` is a problem like those of :mod:`gradclip.problems`: its loss and gradient
broadcast over leading axes of ``theta = (w1, w2)``, so a whole map of runs (every learning
rate and threshold of a phase diagram) is one :func:`gradclip.run_batch` call. Unlike an
:class:`~gradclip.MLP`, which holds one set of parameters, it is batched over parameter
vectors.
"""

import numpy as np

from . import validation as v
from .base import Problem

__all__ = ["TinyNet"]


class TinyNet(Problem):
    r"""A one-unit tanh network fitted to 16 points: the smallest MLP, batched over ``theta``.

    .. math::

        J(w_1, w_2) = \frac{1}{2m} \sum_i r_i^2, \qquad r_i = w_2 \tanh(w_1 x_i) - y_i,

        \nabla J = \frac{1}{m} \sum_i r_i
        \begin{pmatrix} w_2 (1 - h_i^2)\, x_i \\ h_i \end{pmatrix}, \qquad h_i = \tanh(w_1 x_i),

    with ``x ~ U(-2, 2)`` and ``y = 0.8 tanh(1.5 x) + N(0, 0.05^2)`` drawn from
    ``default_rng(seed)`` (x first). ``(0, 0)`` is a saddle (zero gradient); the minimum lies
    near ``(1.43, 0.80)``. Unlike a quadratic its curvature changes from place to place, so
    ``max_stable_lr`` is the edge ``2 / lambda_max`` AT THE MINIMUM only.

    Parameters
    ----------
    seed : int
        Seed of the data.
    m : int
        Number of points (at least 2).

    See Also
    --------
    gradclip.MLP : networks of any size, one parameter set at a time.

    Examples
    --------
    >>> net = TinyNet()
    >>> net.solution().round(3).tolist(), round(net.max_stable_lr(), 3)
    ([1.434, 0.802], 2.521)
    >>> net.grad([[0.0, 0.0], [1.0, 1.0]]).shape
    (2, 2)
    >>> net.grad([0.0, 0.0]).tolist()       # the saddle at the origin
    [0.0, 0.0]
    """

    dim = 2

    def __init__(self, seed=0, m=16):
        m = v.non_negative_int(m, "m")
        if m < 2:
            raise ValueError(f"m must be at least 2, got {m!r}")
        rng = np.random.default_rng(v.non_negative_int(seed, "seed"))
        self.x = rng.uniform(-2.0, 2.0, m)
        self.y = 0.8 * np.tanh(1.5 * self.x) + rng.normal(scale=0.05, size=m)
        self._star = None

    def _parts(self, theta):
        theta = self._theta(theta)
        w1, w2 = theta[..., :1], theta[..., 1:]
        with np.errstate(over="ignore", invalid="ignore"):
            h = np.tanh(w1 * self.x)
            return w1, w2, h, w2 * h - self.y

    @staticmethod
    def _loss(r):
        with np.errstate(over="ignore", invalid="ignore"):
            return 0.5 * np.mean(r * r, axis=-1)

    def _grad(self, w2, h, r):
        with np.errstate(over="ignore", invalid="ignore"):
            d1 = np.mean(r * w2 * (1 - h * h) * self.x, axis=-1)
            d2 = np.mean(r * h, axis=-1)
        return np.stack([d1, d2], axis=-1)

    def loss(self, theta):
        """``mean(r^2) / 2`` with residuals ``r = w2 tanh(w1 x) - y`` (batched)."""
        return self._loss(self._parts(theta)[-1])

    def grad(self, theta):
        """``(mean(r w2 (1 - h^2) x), mean(r h))`` with ``h = tanh(w1 x)`` (batched)."""
        _, w2, h, r = self._parts(theta)
        return self._grad(w2, h, r)

    def loss_and_grad(self, theta):
        """Both from one evaluation of the unit (batched)."""
        _, w2, h, r = self._parts(theta)
        return self._loss(r), self._grad(w2, h, r)

    def hessian(self, theta):
        """The 2 x 2 Hessian ``mean(grad r grad r^T + r hess r)`` at one ``theta``."""
        theta = v.as_float_array(theta, "theta")
        if theta.shape != (2,):
            raise ValueError(f"theta must have shape (2,) for TinyNet.hessian, got shape {theta.shape}")
        _, w2, h, r = self._parts(theta)
        s = 1 - h * h
        dr = np.stack([w2 * s * self.x, h])
        d11 = -2.0 * w2 * h * s * self.x ** 2
        d12 = s * self.x
        H = dr @ dr.T / len(self.x)
        H += np.array([[np.mean(r * d11), np.mean(r * d12)], [np.mean(r * d12), 0.0]])
        return H

    def solution(self):
        """The minimum with ``w1 > 0`` (Newton's method from ``(1.5, 0.8)``)."""
        if self._star is None:
            theta = np.array([1.5, 0.8])
            for _ in range(50):
                theta = theta - np.linalg.solve(self.hessian(theta), self.grad(theta))
            self._star = theta
        return self._star.copy()

    def max_stable_lr(self):
        """``2 / lambda_max`` of the Hessian at :meth:`solution`."""
        return float(2.0 / np.linalg.eigvalsh(self.hessian(self.solution()))[-1])

    def __repr__(self):
        return f"TinyNet(m={len(self.x)})"
