"""Loss surfaces to descend on.

Every problem has ``dim``, ``loss(theta)`` and ``grad(theta)``. Both accept one parameter
vector of shape ``(dim,)`` or a batch of shape ``(..., dim)`` and return shapes ``(...)`` and
``(..., dim)``, so a whole grid of points (a loss surface) or a whole sweep of configurations
is one call; ``loss_and_grad(theta)`` returns both. Where curvature is defined, ``hessian``,
``eigenvalues`` and ``max_stable_lr`` give it, in the style of scipy's ``rosen`` /
``rosen_der`` / ``rosen_hess`` family.

This module holds the quadratics (:class:`LinearRegression`,
:class:`Quadratic`); the other problems live by topic and are importable from here too:
:class:`~gradclip.landscapes.Rosenbrock`, :class:`~gradclip.landscapes.Power`,
:class:`~gradclip.landscapes.ScalarFactorization` (:mod:`gradclip.landscapes`),
:class:`~gradclip.cliff.CliffRNN` (:mod:`gradclip.cliff`) and
:class:`~gradclip.tinynet.TinyNet` (:mod:`gradclip.tinynet`); the base class
:class:`~gradclip.base.Problem`, which they all subclass, lives in :mod:`gradclip.base`.
"""

import numpy as np

from . import validation as v
from .base import Problem
from .cliff import CliffRNN
from .landscapes import Power, Rosenbrock, ScalarFactorization
from .tinynet import TinyNet

__all__ = ["Problem", "LinearRegression", "Quadratic", "Rosenbrock", "CliffRNN", "Power",
           "ScalarFactorization", "TinyNet"]


class _QuadraticForm(Problem):
    """Shared algebra for losses ``J(theta) = J_min + 1/2 (theta - theta*)^T H (theta - theta*)``."""

    def _setup(self, H, b):
        self._H = H
        self._b = b
        self.dim = H.shape[0]
        self._eig = np.linalg.eigvalsh(H)
        self._star = np.linalg.lstsq(H, b, rcond=None)[0]

    def grad(self, theta):
        """Gradient ``H theta - b`` (batched)."""
        theta = self._theta(theta)
        with np.errstate(over="ignore", invalid="ignore"):
            return theta @ self._H - self._b

    def hessian(self, theta=None):
        """The constant Hessian ``H`` (a new array)."""
        return self._H.copy()

    def eigenvalues(self):
        """Eigenvalues of the Hessian, ascending."""
        return self._eig.copy()

    def condition_number(self):
        """``lambda_max / lambda_min`` of the Hessian (inf when singular)."""
        lo, hi = self._eig[0], self._eig[-1]
        return float(hi / lo) if lo > 0 else np.inf

    def max_stable_lr(self):
        """The stability edge ``2 / lambda_max``: gradient descent diverges for larger rates."""
        return float(2.0 / self._eig[-1])

    def solution(self):
        """The minimiser (least-squares / minimum-norm when singular)."""
        return self._star.copy()

    def _excess(self, theta):
        e = theta - self._star
        with np.errstate(over="ignore", invalid="ignore"):
            return 0.5 * np.sum((e @ self._H) * e, axis=-1)


class LinearRegression(_QuadraticForm):
    """Least squares ``J(theta) = ||X theta - y||^2 / (2m)``, the seed article's problem.

    The gradient ``X^T (X theta - y) / m`` is the article's; it is computed as
    ``H theta - b`` with ``H = X^T X / m`` and ``b = X^T y / m`` precomputed, so a batch of
    parameter vectors costs no loop over samples.

    Parameters
    ----------
    X : array_like, shape (m, d)
        Design matrix (include a column of ones for an intercept).
    y : array_like, shape (m,)
        Targets.

    Examples
    --------
    >>> X = [[1.0, 0.0], [1.0, 1.0], [1.0, 2.0]]
    >>> prob = LinearRegression(X, [1.0, 3.0, 5.0])
    >>> prob.solution().round(6).tolist()
    [1.0, 2.0]
    >>> round(float(prob.loss([1.0, 2.0])), 12)
    0.0
    """

    def __init__(self, X, y):
        X = v.as_float_array(X, "X")
        y = v.as_float_array(y, "y")
        if X.ndim != 2 or X.shape[0] == 0 or X.shape[1] == 0:
            raise ValueError(f"X must be a non-empty 2-D array (m, d), got shape {X.shape}")
        if y.ndim == 2 and y.shape[1] == 1:
            y = y[:, 0]
        if y.ndim != 1 or y.shape[0] != X.shape[0]:
            raise ValueError(f"X and y must have the same number of rows: X has {X.shape[0]}, y has shape {y.shape}")
        if not (np.all(np.isfinite(X)) and np.all(np.isfinite(y))):
            raise ValueError("X and y must be finite")
        m = X.shape[0]
        self.X, self.y, self.m = X, y, m
        self._setup(X.T @ X / m, X.T @ y / m)
        r = X @ self._star - y
        self._jmin = float(r @ r / (2 * m))

    def loss(self, theta):
        """Mean squared error over two, ``||X theta - y||^2 / (2m)`` (batched)."""
        theta = self._theta(theta)
        return self._jmin + self._excess(theta)

    def __repr__(self):
        return f"LinearRegression(m={self.m}, d={self.dim})"


class Quadratic(_QuadraticForm):
    """The quadratic bowl ``J(theta) = 1/2 theta^T A theta - b^T theta``.

    Parameters
    ----------
    A : array_like, shape (d, d)
        Symmetric positive semi-definite matrix.
    b : array_like, shape (d,), optional
        Linear term (zeros by default, minimum at the origin).

    Examples
    --------
    >>> q = Quadratic.with_condition(10.0)
    >>> round(q.condition_number(), 6), q.max_stable_lr()
    (10.0, 2.0)
    """

    def __init__(self, A, b=None):
        A = v.as_float_array(A, "A")
        if A.ndim != 2 or A.shape[0] != A.shape[1] or A.shape[0] == 0:
            raise ValueError(f"A must be a square 2-D array, got shape {A.shape}")
        if not np.all(np.isfinite(A)) or not np.allclose(A, A.T, rtol=1e-10, atol=1e-12):
            raise ValueError("A must be finite and symmetric")
        if np.linalg.eigvalsh(A)[0] < -1e-12 * max(1.0, np.abs(A).max()):
            raise ValueError("A must be positive semi-definite")
        b = np.zeros(A.shape[0]) if b is None else v.as_float_array(b, "b")
        if b.shape != (A.shape[0],) or not np.all(np.isfinite(b)):
            raise ValueError(f"b must be a finite vector of length {A.shape[0]}, got {b.shape}")
        self.A, self.b = A, b
        self._setup(A, b)
        self._jmin = float(-0.5 * b @ self._star)

    @classmethod
    def with_condition(cls, condition, lam_max=1.0, angle=np.pi / 6, center=(0.0, 0.0)):
        """A 2-D bowl with eigenvalues ``lam_max`` and ``lam_max / condition``.

        The steep axis is rotated by ``angle`` (radians) so the zig-zag is not axis-aligned,
        and the minimum sits at ``center``.
        """
        kappa = v.positive(condition, "condition")
        if kappa < 1:
            raise ValueError(f"condition must be >= 1, got {condition!r}")
        lam = v.positive(lam_max, "lam_max")
        c, s = np.cos(angle), np.sin(angle)
        R = np.array([[c, -s], [s, c]])
        A = R @ np.diag([lam, lam / kappa]) @ R.T
        A = 0.5 * (A + A.T)
        center = v.as_float_array(center, "center")
        return cls(A, A @ center)

    def loss(self, theta):
        """``1/2 theta^T A theta - b^T theta`` (batched)."""
        theta = self._theta(theta)
        return self._jmin + self._excess(theta)
