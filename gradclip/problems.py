"""Loss surfaces to descend on.

Every problem has ``dim``, ``loss(theta)`` and ``grad(theta)``. Both accept one parameter
vector of shape ``(dim,)`` or a batch of shape ``(..., dim)`` and return shapes ``(...)`` and
``(..., dim)``, so a whole grid of points (a loss surface) or a whole sweep of configurations
is one call. Where curvature is defined, ``hessian``, ``eigenvalues`` and ``max_stable_lr``
give it, in the style of scipy's ``rosen`` / ``rosen_der`` / ``rosen_hess`` family.
"""

import numpy as np

from . import validation as v

__all__ = ["Problem", "LinearRegression", "Quadratic", "Rosenbrock", "CliffRNN", "Power"]


class Problem:
    """Base class: input checks shared by all problems."""

    dim = 2

    def _theta(self, theta):
        theta = v.as_float_array(theta, "theta")
        if theta.ndim == 0 or theta.shape[-1] != self.dim:
            raise ValueError(
                f"theta must have shape (..., {self.dim}) for {type(self).__name__}, "
                f"got shape {theta.shape}"
            )
        return theta

    def loss(self, theta):  # pragma: no cover - abstract
        raise NotImplementedError

    def grad(self, theta):  # pragma: no cover - abstract
        raise NotImplementedError

    def __repr__(self):
        return f"{type(self).__name__}(dim={self.dim})"


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


def _sigmoid(x):
    with np.errstate(over="ignore"):
        return 0.5 * (1.0 + np.tanh(0.5 * x))


class CliffRNN(Problem):
    """One-unit recurrent net with a cliff in its loss (Pascanu, Mikolov & Bengio 2013, Fig. 6).

    ``x_t = w * sigmoid(x_{t-1}) + b`` for ``t = 1..T`` from ``x_0``, and the loss is
    ``(sigmoid(x_T) - target)^2`` over ``theta = (w, b)``. Near the bifurcation of the map the
    loss drops abruptly: a wall where the gradient is huge and an unclipped step flies far away.
    The gradient is computed by backpropagation through time, vectorised over the batch.

    Parameters
    ----------
    T : int
        Number of time steps (>= 1).
    x0 : float
        Initial state.
    target : float
        Target in (0, 1) for ``sigmoid(x_T)``.

    References
    ----------
    Pascanu, Mikolov & Bengio (2013), "On the difficulty of training recurrent neural
    networks", ICML: the one-unit recurrent net whose loss has a wall (their cliff figure).
    https://arxiv.org/abs/1211.5063

    Examples
    --------
    >>> p = CliffRNN(T=50)
    >>> float(p.loss([5.0, -3.5])) > 0.1 > float(p.loss([5.0, -2.0]))
    True
    """

    dim = 2

    def __init__(self, T=50, x0=0.5, target=0.7):
        T = v.non_negative_int(T, "T")
        if T < 1:
            raise ValueError(f"T must be >= 1, got {T!r}")
        self.T = T
        self.x0 = float(v.as_float_array(x0, "x0"))
        if not np.isfinite(self.x0):
            raise ValueError(f"x0 must be finite, got {x0!r}")
        target = float(v.as_float_array(target, "target"))
        if not 0.0 < target < 1.0:
            raise ValueError(f"target must lie in (0, 1), got {target!r}")
        self.target = target

    def states(self, theta):
        """Hidden states ``x_0..x_T``, shape ``(T + 1, ...)``."""
        theta = self._theta(theta)
        w, b = theta[..., 0], theta[..., 1]
        xs = np.empty((self.T + 1,) + w.shape)
        xs[0] = self.x0
        with np.errstate(over="ignore", invalid="ignore"):
            for t in range(1, self.T + 1):
                xs[t] = w * _sigmoid(xs[t - 1]) + b
        return xs

    def jacobian_factors(self, theta):
        """Per-step factors ``dx_t / dx_{t-1} = w * sigmoid'(x_{t-1})``, shape ``(T, ...)``.

        Backpropagation through time multiplies these: ``dx_T / dx_0`` is their product, so
        the gradient explodes when they are mostly above 1 in magnitude and vanishes when
        they are mostly below 1.
        """
        theta = self._theta(theta)
        xs = self.states(theta)
        s = _sigmoid(xs[:-1])
        return theta[..., 0] * s * (1.0 - s)

    def loss(self, theta):
        """The loss ``(sigmoid(x_T) - target)^2`` after ``T`` steps of the recurrence.

        Parameters
        ----------
        theta : array_like, shape (..., 2)
            ``(w, b)``, batched over leading axes.

        Returns
        -------
        numpy.ndarray, shape (...)
            The loss, in ``[0, 1)``. Across the wall it changes from near 0 to near
            ``target^2`` or ``(1 - target)^2`` within a tiny change of ``b``.

        See Also
        --------
        grad : its gradient by backpropagation through time.
        jacobian_factors : the per-step factors whose product makes the wall steep.

        Examples
        --------
        >>> p = CliffRNN(T=1, x0=0.0, target=0.5)   # x_1 = w sigmoid(0) + b = w / 2 + b
        >>> float(p.loss([0.0, 0.0]))
        0.0
        >>> p.loss([[2.0, 0.0], [0.0, 1.0]]).round(6)   # both: (sigmoid(1) - 0.5)^2
        array([0.053388, 0.053388])
        """
        xs = self.states(theta)
        return (_sigmoid(xs[-1]) - self.target) ** 2

    def grad(self, theta):
        """Gradient by backpropagation through time (batched)."""
        theta = self._theta(theta)
        w = theta[..., 0]
        xs = self.states(theta)
        s_T = _sigmoid(xs[-1])
        with np.errstate(over="ignore", invalid="ignore"):
            delta = 2.0 * (s_T - self.target) * s_T * (1.0 - s_T)  # dL/dx_T
            dw = np.zeros_like(w)
            db = np.zeros_like(w)
            for t in range(self.T, 0, -1):
                s = _sigmoid(xs[t - 1])
                dw = dw + delta * s
                db = db + delta
                delta = delta * w * s * (1.0 - s)
        return np.stack([dw, db], axis=-1)

    def __repr__(self):
        return f"CliffRNN(T={self.T}, x0={self.x0}, target={self.target})"


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


__all__ += ["ScalarFactorization"]
