"""The kernel of a two-layer network with random unit directions and biases, on the unit ball.

For an activation sigma, directions w on the sphere S^{d-1} (surface measure dw) and biases
b in [-1, 1] (Lebesgue measure db),

    K(x, x') = int_{S^{d-1}} int_{-1}^{1} sigma(w.x - b) sigma(w.x' - b) db dw,   x, x' in B^d.

This is the kernel of claim Z5 (H. Zhao, "Numerical Analysis 101 for Neural Networks", lecture
slides; the d-dimensional Gram operator of Zhang, Zhao, Zhong, Zhou, arXiv:2306.17301, Sec. 4).

* ReLU^P (sigma(t) = max(0, t)^P): the inner b-integral I_P(t1, t2) with t = w.x in [-1, 1]
  is derived in closed form with SymPy (:func:`b_integral`). It is a polynomial on each side
  of t1 = t2, and splits as a symmetric polynomial plus c_P |t1 - t2|^(2P+1): the only kink of
  the w-integrand is the hyperplane w.(x - x') = 0 (for |x|, |x'| <= 1 the b-limits -1, 1 never
  cut the support, so w.x = +-1 is not a kink).
* tanh / sigmoid: I(t1, t2) by Gauss-Legendre in b (the integrand is entire in b).

The w-integral (:func:`kernel`) uses a frame whose pole e is (x - x')/|x - x'|: w = cos(th) e +
sin(th) v, v in S^{d-2} orthogonal to e, and Gauss rules on the two hemispheres th < pi/2 and
th > pi/2 separately, so no rule straddles the kink. For ReLU^P in d = 3 the rule (Gauss-Legendre
in u = cos th, trapezoid in the azimuth) is exact for the polynomial pieces; in d = 2 the
Gauss-Legendre rule in th on each half circle converges geometrically (checked against mpmath
in ``tests/derive/ball/test_ball_kernel.py``).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from functools import lru_cache
from typing import Callable

import numpy as np
import sympy

from specbias.support.params import check_power
from specbias.errors import InvalidArgument, require
from specbias.notation import tex
from specbias.records import Derivation

SOURCE = ('H. Zhao, "Numerical Analysis 101 for Neural Networks" (lecture slides), claim Z5; '
          "S. Zhang, H. Zhao, Y. Zhong, H. Zhou, arXiv:2306.17301, Sec. 4")
ACTIVATIONS = ("relu", "tanh", "sigmoid")
DIMENSIONS = (2, 3)

t1, t2, b = sympy.symbols("t1 t2 b", real=True)
a_, delta_ = sympy.symbols("a delta", nonnegative=True)


def check_activation(activation: object, power: object = 1) -> tuple[str, int]:
    """Validate (activation, power): power is used by 'relu' only (ReLU^P, P = 0..6)."""
    require(isinstance(activation, str) and activation in ACTIVATIONS,
            f"activation {activation!r} is unsupported: use one of {', '.join(ACTIVATIONS)}")
    return activation, (check_power(power) if activation == "relu" else 1)


def check_dimension(d: object) -> int:
    if isinstance(d, bool) or not isinstance(d, (int, np.integer)) or int(d) not in DIMENSIONS:
        raise InvalidArgument(f"dimension d = {d!r} is unsupported: use d = 2 or d = 3 "
                              "(d = 1 is the Gram kernel of specbias.derive.gram.kernel)")
    return int(d)


@dataclass(frozen=True)
class BIntegral:
    """I_P(t1, t2) = int_{-1}^{1} (t1 - b)_+^P (t2 - b)_+^P db for t1, t2 in [-1, 1].

    ``lower``: I_P on t1 <= t2 (a polynomial); ``smooth``: the symmetric polynomial S_P and
    ``coefficient`` c_P with I_P = S_P + c_P |t1 - t2|^(2P+1); ``positive``: I_P written in
    a = min(t1, t2) + 1 >= 0 and delta = |t1 - t2| >= 0 (all coefficients positive, so the
    float evaluation has no cancellation).
    """

    power: int
    lower: sympy.Expr
    smooth: sympy.Expr
    coefficient: sympy.Rational
    positive: sympy.Expr
    derivation: Derivation = field(compare=False, hash=False, repr=False)

    def numpy(self) -> Callable[[np.ndarray, np.ndarray], np.ndarray]:
        """I_P(t1, t2) on arrays, from :attr:`positive` (one source of truth, lambdified)."""
        f = sympy.lambdify((a_, delta_), self.positive, modules="numpy")
        return lambda u, v: f(np.minimum(u, v) + 1.0, np.abs(u - v)) + 0.0 * u


#: The bias integral and its parts as functions, to name them in derivations.
_I_P, _S_P = sympy.Function("I_P"), sympy.Function("S_P")
c_P = sympy.Symbol("c_P")


@lru_cache(maxsize=16)
def b_integral(power: int = 1) -> BIntegral:
    """Derive I_P in closed form, recording each step SymPy computes."""
    p = check_power(power)
    sigma, t = sympy.Function("sigma"), sympy.Symbol("t", real=True)
    d = Derivation(
        title=f"Bias integral of the ReLU$^{{{p}}}$ kernel on the unit ball",
        assumptions=[f"${tex(sigma(t))} = {tex(sympy.Max(0, t) ** p)}$",
                     "$t_1 = w \\cdot x$ and $t_2 = w \\cdot x'$ lie in $[-1, 1]$ "
                     "($\\vert w \\vert = 1$, $\\vert x \\vert, \\vert x' \\vert \\le 1$)",
                     "$b$ is uniform on $[-1, 1]$ (measure $db$)"],
        references=[SOURCE])
    d.step("Definition: the integrand vanishes unless $b < \\min(t_1, t_2)$ (and "
           "$\\min(t_1, t_2) \\ge -1$, so the lower limit $-1$ stays).",
           sympy.Integral(sympy.Max(0, t1 - b) ** p * sympy.Max(0, t2 - b) ** p, (b, -1, 1)),
           labels=[_I_P(t1, t2)], rule="support of $\\sigma$")
    lower = sympy.expand(sympy.integrate(sympy.expand((t1 - b) ** p * (t2 - b) ** p), (b, -1, t1)))
    d.step("For $t_1 \\le t_2$ integrate the polynomial over $(-1, t_1)$.", lower,
           labels=["$I_P(t_1, t_2)$ on $t_1 \\le t_2$"], rule="sympy.integrate (definite)")
    swapped = lower.subs({t1: t2, t2: t1}, simultaneous=True)
    smooth = sympy.expand((lower + swapped) / 2)
    odd = sympy.factor(sympy.expand((lower - swapped) / 2))
    coefficient = sympy.simplify(odd / (t2 - t1) ** (2 * p + 1))
    require(coefficient.is_Rational, f"the odd part {odd} is not c (t2 - t1)^{2 * p + 1}")
    d.step("Split into the symmetric part $S_P$ and the antisymmetric part; the latter factors "
           f"as $c_P (t_2 - t_1)^{{{2 * p + 1}}}$, so $I_P = S_P + c_P \\vert t_1 - t_2 "
           f"\\vert^{{{2 * p + 1}}}$: the only kink of the $w$-integrand is $w \\cdot x = w "
           "\\cdot x'$.",
           smooth, odd, coefficient,
           labels=[_S_P(t1, t2), "the antisymmetric part $(I_P(t_1, t_2) - I_P(t_2, t_1))/2$ "
                   "on $t_1 \\le t_2$", c_P],
           rule="sympy.expand; sympy.factor")
    positive = sympy.expand(lower.subs({t2: a_ - 1 + delta_, t1: a_ - 1}, simultaneous=True))
    require(all(c > 0 for c in sympy.Poly(positive, a_, delta_).coeffs()),
            f"I_P in (a, delta) has a non-positive coefficient: {positive}")
    d.step("Substitute $t_1 = a - 1$, $t_2 = a - 1 + \\delta$ ($a = \\min(t_1, t_2) + 1 \\ge 0$, "
           "$\\delta = \\vert t_1 - t_2 \\vert$): every coefficient is positive, so float64 "
           "evaluation loses no digits to cancellation.",
           positive, labels=[_I_P(a_, delta_)], rule="substitution; sympy.expand")
    check = sympy.expand(sympy.expand(smooth + coefficient * delta_ ** (2 * p + 1)
                         - positive.subs(delta_, t2 - t1).subs(a_, t1 + 1)).subs(delta_, t2 - t1))
    d.step("Check: $S_P + c_P (t_2 - t_1)^{2P+1}$ minus $I_P(a, \\delta)$, both on "
           "$t_1 \\le t_2$, expands to " + ("zero." if check == 0 else "a nonzero polynomial."),
           check, labels=[_S_P(t1, t2) + c_P * (t2 - t1) ** (2 * p + 1) - _I_P(a_, delta_)],
           rule="sympy.expand")
    require(check == 0, f"the split of I_{p} does not expand back to it: {check}")
    kink = sympy.Pow(sympy.Abs(t1 - t2), 2 * p + 1, evaluate=False)  # shown as |t1 - t2|^(2P+1)
    d.result = sympy.Add(smooth, sympy.Mul(coefficient, kink, evaluate=False), evaluate=False)
    d.result_lhs = _I_P(t1, t2)
    return BIntegral(p, lower, smooth, coefficient, positive, d)


_SIGMA = {"tanh": np.tanh, "sigmoid": lambda t: 0.5 * (1.0 + np.tanh(0.5 * t))}


def b_integral_values(u: np.ndarray, v: np.ndarray, activation: str = "relu", power: int = 1,
                      n_b: int = 40) -> np.ndarray:
    """I(u, v) = int_{-1}^1 sigma(u - b) sigma(v - b) db on arrays: ReLU^P from the closed
    form, tanh/sigmoid by an n_b-point Gauss-Legendre rule in b (entire integrand: geometric
    convergence; n_b = 40 is at rounding level for |u|, |v| <= 1)."""
    activation, power = check_activation(activation, power)
    if activation == "relu":
        return b_integral(power).numpy()(np.asarray(u, float), np.asarray(v, float))
    nodes, weights = np.polynomial.legendre.leggauss(n_b)
    s = _SIGMA[activation]
    u, v = np.asarray(u, float)[..., None], np.asarray(v, float)[..., None]
    return np.sum(weights * s(u - nodes) * s(v - nodes), axis=-1)


def sphere_area(d: int) -> float:
    """|S^{d-1}| = 2 pi^(d/2) / Gamma(d/2)."""
    return {2: 2 * np.pi, 3: 4 * np.pi}[check_dimension(d)]


@lru_cache(maxsize=32)
def hemisphere_rule(d: int, q: int) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    """Nodes of the kink-split w-rule in the frame (e, a, a'): returns (ce, ca, ca2, weight),
    w = ce e + ca a + ca2 a'. The two hemispheres w.e > 0 and w.e < 0 get separate rules.

    d = 2: Gauss-Legendre with q points in the angle on each half circle.
    d = 3: Gauss-Legendre with q points in u = cos(th) on each of [-1, 0], [0, 1] (surface
    element du dphi) times a (2q)-point trapezoid in the azimuth phi: exact for polynomials of
    degree <= 2q - 1 in w on each hemisphere (the ReLU^P pieces need q >= P + 1).
    """
    x, g = np.polynomial.legendre.leggauss(q)
    if d == 2:
        th = np.concatenate([np.pi / 4 * (x + 1), np.pi / 4 * (x + 1) + np.pi / 2])
        th = np.concatenate([th, -th])  # the two halves: th in (0, pi) on the +a and -a side
        wt = np.tile(np.pi / 4 * g, 4)
        return np.cos(th), np.sin(th), np.zeros_like(th), wt
    u = np.concatenate([(x - 1) / 2, (x + 1) / 2])
    gu = np.concatenate([g / 2, g / 2])
    phi = 2 * np.pi * np.arange(2 * q) / (2 * q)
    s = np.sqrt(1 - u ** 2)
    ce = np.repeat(u, phi.size)
    ca = np.outer(s, np.cos(phi)).ravel()
    ca2 = np.outer(s, np.sin(phi)).ravel()
    return ce, ca, ca2, np.repeat(gu, phi.size) * (2 * np.pi / phi.size)


def default_q(d: int, activation: str, power: int) -> int:
    """Points per hemisphere: exact (d = 3, ReLU^P) or at rounding level (d = 2; analytic)."""
    if d == 3 and activation == "relu":
        return power + 2
    return 16 + 2 * power


def kernel(x: np.ndarray, y: np.ndarray, activation: str = "relu", power: int = 1,
           q: int | None = None, chunk: int = 1 << 15) -> np.ndarray:
    """K(x, y) for paired points x[i], y[i] (arrays (n, d)) in the closed unit ball."""
    activation, power = check_activation(activation, power)
    x, y = np.atleast_2d(np.asarray(x, float)), np.atleast_2d(np.asarray(y, float))
    require(x.shape == y.shape and x.ndim == 2, f"x, y shapes {x.shape}, {y.shape}: use two "
            "arrays of the same shape (n, d)")
    d = check_dimension(x.shape[1])
    require(np.all(np.sum(x ** 2, 1) <= 1 + 1e-12) and np.all(np.sum(y ** 2, 1) <= 1 + 1e-12),
            "points outside the unit ball: use |x| <= 1")
    ce, ca, ca2, wt = hemisphere_rule(d, q or default_q(d, activation, power))
    out = np.empty(x.shape[0])
    for s in range(0, x.shape[0], chunk):
        xs, ys = x[s:s + chunk], y[s:s + chunk]
        e, a, a2 = _frames(xs - ys)
        px = [np.sum(xs * f, 1)[:, None] for f in (e, a, a2)]
        py = [np.sum(ys * f, 1)[:, None] for f in (e, a, a2)]
        u = px[0] * ce + px[1] * ca + px[2] * ca2
        v = py[0] * ce + py[1] * ca + py[2] * ca2
        out[s:s + chunk] = b_integral_values(u, v, activation, power) @ wt
    return out


def _frames(z: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Orthonormal frames (e, a, a') with e = z/|z| (any unit e where z = 0; a' = 0 in 2D)."""
    n, d = z.shape
    norm = np.linalg.norm(z, axis=1, keepdims=True)
    e = np.where(norm > 0, z / np.where(norm > 0, norm, 1), np.eye(d)[0])
    if d == 2:
        return e, np.stack([-e[:, 1], e[:, 0]], 1), np.zeros_like(e)
    helper = np.where(np.abs(e[:, :1]) < 0.9, np.eye(3)[0], np.eye(3)[1])
    a = helper - np.sum(helper * e, 1, keepdims=True) * e
    a /= np.linalg.norm(a, axis=1, keepdims=True)
    return e, a, np.cross(e, a)


def kernel_monte_carlo(x: np.ndarray, y: np.ndarray, activation: str = "relu", power: int = 1,
                       samples: int = 100_000, seed: int = 0) -> tuple[np.ndarray, np.ndarray]:
    """Monte Carlo estimate of K at paired points over (w, b) uniform on S^{d-1} x [-1, 1],
    with its standard error: (estimate, stderr). Independent of :func:`kernel`."""
    activation, power = check_activation(activation, power)
    x, y = np.atleast_2d(np.asarray(x, float)), np.atleast_2d(np.asarray(y, float))
    d = check_dimension(x.shape[1])
    rng = np.random.default_rng(seed)
    w = rng.standard_normal((samples, d))
    w /= np.linalg.norm(w, axis=1, keepdims=True)
    bb = rng.uniform(-1, 1, samples)
    sig = (lambda t: np.maximum(t, 0.0) ** power) if activation == "relu" else _SIGMA[activation]
    f = sig(x @ w.T - bb) * sig(y @ w.T - bb) * (2 * sphere_area(d))
    return f.mean(1), f.std(1, ddof=1) / np.sqrt(samples)
