"""Curved loss surfaces beyond the quadratic: a valley, a power bowl, a scalar factorisation.

:class:`Rosenbrock` (a narrow curved valley), :class:`Power` (curvature that grows with the
gradient: (L0, L1)-smooth, not L-smooth) and :class:`ScalarFactorization` (the smallest net with
the edge of stability). Like every problem of :mod:`gradclip.problems`, ``loss`` and ``grad``
broadcast over leading axes of ``theta``.
"""

import numpy as np

from . import validation as v
from .base import Problem

__all__ = ["Rosenbrock", "Power", "ScalarFactorization"]


class Rosenbrock(Problem):
    r"""The Rosenbrock function, a curved narrow valley.

    .. math::

        f(x, y) = (a - x)^2 + c\,(y - x^2)^2

    with its only minimum ``f = 0`` at ``(a, a^2)``. The gradient is
    ``(-2 (a - x) - 4 c x (y - x^2), 2 c (y - x^2))``. Along the valley floor ``y = x^2``
    the loss falls slowly; across it the curvature is about ``2 c``, so the stable learning
    rate is small (:meth:`max_stable_lr`) and plain gradient descent creeps along the valley.
    ``loss``, ``grad`` and ``hessian`` broadcast over leading axes of ``theta``.

    Parameters
    ----------
    a : float
        Position of the minimum: ``(a, a^2)``. Default 1, as in :func:`scipy.optimize.rosen`.
    c : float
        Positive steepness of the valley walls (default 100, as in scipy).

    See Also
    --------
    scipy.optimize.rosen, scipy.optimize.rosen_der : the same function for ``a = 1, c = 100``.

    Examples
    --------
    >>> r = Rosenbrock()
    >>> float(r.loss([1.0, 1.0])), bool(np.all(r.grad([1.0, 1.0]) == 0))
    (0.0, True)
    >>> float(r.loss([0.0, 0.0])), r.grad([0.0, 0.0]).tolist()
    (1.0, [-2.0, 0.0])
    >>> Rosenbrock(a=2.0).solution().tolist()
    [2.0, 4.0]
    >>> round(r.max_stable_lr(), 6)   # 2 / the largest Hessian eigenvalue at (1, 1)
    0.001997
    """

    dim = 2

    def __init__(self, a=1.0, c=100.0):
        self.a = float(v.as_float_array(a, "a"))
        self.c = v.positive(c, "c")

    def loss(self, theta):
        theta = self._theta(theta)
        x, y = theta[..., 0], theta[..., 1]
        with np.errstate(over="ignore", invalid="ignore"):
            return (self.a - x) ** 2 + self.c * (y - x**2) ** 2

    def grad(self, theta):
        theta = self._theta(theta)
        x, y = theta[..., 0], theta[..., 1]
        with np.errstate(over="ignore", invalid="ignore"):
            dx = -2 * (self.a - x) - 4 * self.c * x * (y - x**2)
            dy = 2 * self.c * (y - x**2)
        return np.stack([dx, dy], axis=-1)

    def hessian(self, theta):
        """Hessian at ``theta`` (batched), shape ``(..., 2, 2)``."""
        theta = self._theta(theta)
        x, y = theta[..., 0], theta[..., 1]
        hxx = 2 - 4 * self.c * (y - x**2) + 8 * self.c * x**2
        hxy = -4 * self.c * x
        hyy = np.full_like(x, 2 * self.c)
        return np.stack([np.stack([hxx, hxy], -1), np.stack([hxy, hyy], -1)], -2)

    def solution(self):
        return np.array([self.a, self.a**2])

    def max_stable_lr(self):
        """``2 / lambda_max`` of the Hessian at the minimum (the local stability edge)."""
        return float(2.0 / np.linalg.eigvalsh(self.hessian(self.solution()))[-1])

    def __repr__(self):
        return f"Rosenbrock(a={self.a}, c={self.c})"


class Power(Problem):
    r"""The power bowl ``f(theta) = sum_i |theta_i|^p``: (L0, L1)-smooth but not L-smooth.

    .. math::

        f(\theta) = \sum_i |\theta_i|^p, \qquad
        \partial_i f = p\,|\theta_i|^{p-1} \operatorname{sign}\theta_i, \qquad
        \nabla^2 f = \operatorname{diag}\big(p (p-1) |\theta_i|^{p-2}\big)

    For ``p > 2`` the curvature grows without bound away from the minimum, so no single
    Lipschitz constant ``L`` bounds the Hessian and no fixed learning rate is safe from every
    start. The curvature is bounded by the gradient instead,
    ``||hessian|| <= L0 + L1 ||grad||`` (Zhang, He, Sra & Jadbabaie 2020), the condition under
    which clipped and normalized gradient descent provably beat any fixed step.
    In one dimension (the default) this is ``|x|^p``; with ``dim=2`` the level sets are
    rounded squares, convenient for pictures.

    Parameters
    ----------
    p : float
        The power, ``p >= 2`` (``p = 2`` is the L-smooth quadratic ``sum theta_i^2``).
    dim : int
        Number of coordinates (>= 1).

    References
    ----------
    Zhang, He, Sra & Jadbabaie (2020), "Why gradient clipping accelerates training: a
    theoretical justification for adaptivity", ICLR. https://arxiv.org/abs/1905.11881

    Examples
    --------
    >>> f = Power(p=4)
    >>> float(f.loss([2.0])), f.grad([2.0]).tolist(), f.hessian([2.0]).tolist()
    (16.0, [32.0], [[48.0]])
    >>> f.edge_lr([10.0])             # gradient descent from x0 = 10 converges iff lr < 1/200
    0.005
    >>> [round(c, 6) for c in f.smoothness_constants()]   # (L0, L1) = (16/9, 3)
    [1.777778, 3.0]
    """

    def __init__(self, p=4.0, dim=1):
        p = v.positive(p, "p")
        if p < 2:
            raise ValueError(f"p must be >= 2, got {p!r}")
        dim = v.non_negative_int(dim, "dim")
        if dim < 1:
            raise ValueError(f"dim must be >= 1, got {dim!r}")
        self.p, self.dim = p, dim

    def loss(self, theta):
        """``sum_i |theta_i|^p`` (batched)."""
        theta = self._theta(theta)
        with np.errstate(over="ignore", invalid="ignore"):
            return np.sum(np.abs(theta) ** self.p, axis=-1)

    def grad(self, theta):
        """``p |theta_i|^(p-1) sign(theta_i)`` (batched)."""
        theta = self._theta(theta)
        with np.errstate(over="ignore", invalid="ignore"):
            return self.p * np.abs(theta) ** (self.p - 1) * np.sign(theta)

    def hessian(self, theta):
        """The diagonal Hessian ``diag(p (p-1) |theta_i|^(p-2))`` (batched), shape ``(..., d, d)``."""
        theta = self._theta(theta)
        with np.errstate(over="ignore", invalid="ignore"):
            diag = self.p * (self.p - 1) * np.abs(theta) ** (self.p - 2)
        return diag[..., :, None] * np.eye(self.dim)

    def smoothness_constants(self, L1=None):
        r"""The smallest ``L0`` with ``||hessian|| <= L0 + L1 ||grad||`` everywhere.

        With ``m = max_i |theta_i|`` the spectral norm of the Hessian is ``p (p-1) m^(p-2)`` and
        ``||grad|| >= p m^(p-1)`` (equality on an axis), so
        ``L0 = max_m [p (p-1) m^(p-2) - L1 p m^(p-1)] = p ((p-2) / L1)^(p-2)``, reached at
        ``m = (p-2) / L1``. For ``p = 4`` and the default ``L1 = p - 1 = 3``: ``L0 = 16/9``.

        Parameters
        ----------
        L1 : float, optional
            Positive weight of the gradient norm; ``p - 1`` by default.

        Returns
        -------
        tuple of float
            ``(L0, L1)``.
        """
        L1 = self.p - 1 if L1 is None else v.positive(L1, "L1")
        return float(self.p * ((self.p - 2) / L1) ** (self.p - 2)), float(L1)

    def edge_lr(self, theta0):
        r"""The exact learning rate above which gradient descent from ``theta0`` diverges.

        Each coordinate follows ``x <- x (1 - u)`` with ``u = lr p |x|^(p-2)``, and ``u`` itself
        follows ``u <- u |1 - u|^(p-2)``. For ``0 < u < 2`` the factor ``|1 - u|^(p-2)`` is
        below 1, so ``u`` shrinks at every step and ``x -> 0``; at ``u = 2`` the iterate flips
        between ``+x`` and ``-x`` forever; above 2, ``u`` grows and ``|x|`` explodes. Hence
        descent converges iff ``lr < 2 / (p max_i |theta0_i|^(p-2))``; for ``p = 4`` this is
        ``1 / (2 x0^2)``. It is three times the bound ``2 / ||hessian(theta0)||``.

        Parameters
        ----------
        theta0 : array_like, shape (..., d)
            Starting point(s).

        Returns
        -------
        float or numpy.ndarray
            The edge (``inf`` at the minimum when ``p > 2``).
        """
        theta0 = self._theta(theta0)
        m = np.max(np.abs(theta0), axis=-1)
        with np.errstate(divide="ignore", over="ignore"):
            edge = 2.0 / (self.p * m ** (self.p - 2))
        return float(edge) if np.ndim(edge) == 0 else edge

    def solution(self):
        """The minimiser, the origin."""
        return np.zeros(self.dim)

    def __repr__(self):
        return f"Power(p={self.p}, dim={self.dim})"


class ScalarFactorization(Problem):
    r"""The smallest net with the edge of stability: ``L(x, y) = (1 - x y)^2 / 2``.

    A one-unit linear "network" ``f = x y`` fitted to the target 1. Its minima form the
    hyperbola ``x y = 1``; the Hessian

    .. math::

        \nabla L = -(1 - xy) \begin{pmatrix} y \\ x \end{pmatrix}, \qquad
        \nabla^2 L = \begin{pmatrix} y^2 & 2xy - 1 \\ 2xy - 1 & x^2 \end{pmatrix}

    has eigenvalues ``0`` and ``x^2 + y^2`` on that curve, so the minima are sharp far out
    (``x = 3``: sharpness ``9.11``) and flattest at ``x = y = 1`` (sharpness 2). Gradient
    descent with step ``lr`` can only settle where ``x^2 + y^2 <= 2 / lr``: started at a
    sharper point it is thrown (catapulted) toward the balanced, flatter minima.
    ``loss``, ``grad`` and ``hessian`` broadcast over leading axes of ``theta = (x, y)``.

    References
    ----------
    A. Lewkowycz, Y. Bahri, E. Dyer, J. Sohl-Dickstein, G. Gur-Ari (2020), "The large
    learning rate phase of deep learning: the catapult mechanism".
    https://arxiv.org/abs/2003.02218

    Examples
    --------
    >>> f = ScalarFactorization()
    >>> float(f.loss([2.0, 0.5])), f.grad([2.0, 1.0]).tolist()   # 1 - x y = -1
    (0.0, [1.0, 2.0])
    >>> f.hessian([2.0, 0.5]).tolist(), f.sharpness_at_minimum(2.0)
    ([[0.25, 1.0], [1.0, 4.0]], 4.25)
    """

    dim = 2

    def loss(self, theta):
        """``(1 - x y)^2 / 2`` (batched)."""
        theta = self._theta(theta)
        with np.errstate(over="ignore", invalid="ignore"):
            return 0.5 * (1.0 - theta[..., 0] * theta[..., 1]) ** 2

    def grad(self, theta):
        """``-(1 - x y) (y, x)`` (batched)."""
        theta = self._theta(theta)
        x, y = theta[..., 0], theta[..., 1]
        with np.errstate(over="ignore", invalid="ignore"):
            r = 1.0 - x * y
            return np.stack([-r * y, -r * x], axis=-1)

    def hessian(self, theta):
        """``[[y^2, 2xy - 1], [2xy - 1, x^2]]`` (batched), shape ``(..., 2, 2)``."""
        theta = self._theta(theta)
        x, y = theta[..., 0], theta[..., 1]
        with np.errstate(over="ignore", invalid="ignore"):
            off = 2.0 * x * y - 1.0
            return np.stack([np.stack([y * y, off], -1), np.stack([off, x * x], -1)], -2)

    def sharpness(self, theta):
        """Largest Hessian eigenvalue ``t/2 + sqrt(t^2/4 - det)``, ``t = x^2 + y^2`` (batched)."""
        theta = self._theta(theta)
        x, y = theta[..., 0], theta[..., 1]
        with np.errstate(over="ignore", invalid="ignore"):
            half = 0.5 * (x * x + y * y)
            det = (x * y) ** 2 - (2.0 * x * y - 1.0) ** 2
            return half + np.sqrt(np.maximum(half * half - det, 0.0))

    def sharpness_at_minimum(self, x):
        """Sharpness ``x^2 + 1 / x^2`` of the minimum ``(x, 1 / x)`` (``x`` non-zero, batched)."""
        x = v.as_float_array(x, "x")
        if np.any(x == 0) or not np.all(np.isfinite(x)):
            raise ValueError(f"x must be finite and non-zero, got {x!r}")
        out = x * x + 1.0 / (x * x)
        return float(out) if out.ndim == 0 else out

    def __repr__(self):
        return "ScalarFactorization()"
