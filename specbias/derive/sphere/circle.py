"""The two-layer NTK with bias on S¹, in angles (claim B2), under each initialization convention.

The network is Basri et al.'s (ICML 2020, Eq. (6)): f(x) = m^(−1/2) Σ_r a_r σ(w_rᵀx + b_r),
σ = ReLU, a_r = ±1 fixed, (w_r, b_r) trained, x = (cos x, sin x) ∈ S¹. Writing the bias as the
weight of a constant input coordinate, the input is x̃ = s·(cos x, sin x, 1) and the trained
weight w̃ = (w, b); the tangent kernel is x̃ᵀx̃' E[σ'(w̃ᵀx̃)σ'(w̃ᵀx̃')] (Arora et al., ICML 2019,
Eq. (3)-(4), with the bias coordinate added). Two choices change it:

* ``bias``: ``"zero"`` — b(0) = 0 (Basri et al.), so the expectation is over w ~ N(0, I₂)
  only and sees the angle |x − z| of the circle; ``"gaussian"`` — b(0) ~ N(0, 1), so it sees
  the angle of x̃, x̃' in R³, arccos((1 + cos(x − z))/2).
* ``inputs``: ``"augmented"`` — s = 1, x̃ = (x, 1); ``"normalized"`` — s = 1/√2, x̃ ∈ S².

Everything below is derived by SymPy from the step function's dual activation
(:func:`specbias.derive.ntk.arccos.dual_activation`), and the Fourier coefficients (the
eigenvalues for the uniform density, p = 1/(2π)) by SymPy's integrator.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache

import mpmath
import sympy

from specbias.derive.ntk.arccos import dual_activation, q11, q12, q22, theta
from specbias.errors import InvalidArgument
from specbias.records import Derivation

BIASES = ("zero", "gaussian")
INPUTS = ("normalized", "augmented")
#: The default convention: the one under which the slide's B2 form holds (checked in the
#: B2 audit and in the tests by simplifying the ratio to 1).
DEFAULT_CONVENTION = ("zero", "normalized")

#: The angle x − z reduced to [−π, π] and the integer frequency q of the Fourier coefficients.
delta = sympy.Symbol("delta", real=True)
q_sym = sympy.Symbol("q", integer=True, positive=True)
_x, _z = sympy.symbols("x z", real=True)
SOURCES = ("Basri, Galun, Geifman, Jacobs, Kasten, Kritchman, Frequency bias in neural networks "
           "for input of non-uniform density, ICML 2020 (Eq. (6), (11))",
           "Arora, Du, Hu, Li, Wang, Fine-grained analysis of optimization and generalization for "
           "overparameterized two-layer neural networks, ICML 2019 (Eq. (3)-(4))")


def check_convention(bias: object, inputs: object) -> tuple[str, str]:
    if bias not in BIASES:
        raise InvalidArgument(f"bias convention {bias!r} is unknown: use one of {', '.join(BIASES)}")
    if inputs not in INPUTS:
        raise InvalidArgument(f"input convention {inputs!r} is unknown: use one of "
                              f"{', '.join(INPUTS)}")
    return str(bias), str(inputs)


@dataclass(frozen=True)
class CircleKernel:
    """k(x, z) = k(δ), δ = x − z ∈ [−π, π], for one convention.

    ``expr`` is the SymPy expression in ``delta`` (valid for 0 ≤ δ ≤ π; k is even in δ);
    ``scale`` and ``family`` describe the kernels of the form scale·(1 + cos δ)(π − |δ|)
    (bias at zero), which :mod:`specbias.derive.sphere.galerkin` can integrate exactly;
    ``family`` is False for the Gaussian bias.
    """

    bias: str
    inputs: str
    expr: sympy.Expr
    derivation: Derivation
    scale: sympy.Expr | None

    @property
    def family(self) -> bool:
        return self.scale is not None

    @property
    def label(self) -> str:
        return (f"bias {'b(0) = 0' if self.bias == 'zero' else 'b(0) ~ N(0, 1)'}, inputs "
                f"{'(x, 1)/sqrt(2)' if self.inputs == 'normalized' else '(x, 1)'}")

    def at_zero(self) -> sympy.Expr:
        """k(0): the trace of the operator is k(0) ∫ p = k(0)."""
        return sympy.simplify(self.expr.subs(delta, 0))

    def mp(self):
        """k(δ) as an mpmath function of a real δ (any real: reduced to [−π, π], |δ| used)."""
        f = sympy.lambdify(delta, self.expr, modules="mpmath")

        def k(d):
            d = mpmath.mpf(d)
            d = abs(d - 2 * mpmath.pi * mpmath.nint(d / (2 * mpmath.pi)))
            return f(d)
        return k


@lru_cache(maxsize=None)
def circle_kernel(bias: str = "zero", inputs: str = "normalized") -> CircleKernel:
    """Derive k(δ) for the convention (see the module docstring)."""
    bias, inputs = check_convention(bias, inputs)
    s2 = sympy.Rational(1, 2) if inputs == "normalized" else sympy.Integer(1)
    d = Derivation(f"Two-layer ReLU NTK with bias on the circle ({bias} bias, {inputs} inputs)",
                   assumptions=["Inputs $(\\cos x, \\sin x)$ and $(\\cos z, \\sin z)$ on the "
                                "circle; $\\delta = x - z$ reduced to $[-\\pi, \\pi]$.",
                                "The bias is the weight of a constant input: $\\tilde x = s (x, 1)$ "
                                f"with $s^2 = {sympy.latex(s2)}$.",
                                "$a_r = \\pm 1$ fixed, $(w_r, b_r)$ trained, "
                                "$f = m^{-1/2} \\sum_r a_r \\sigma(\\tilde w_r^\\top \\tilde x)$.",
                                "$b_r(0) = 0$ and $w_r(0) \\sim N(0, I_2)$." if bias == "zero" else
                                "$(w_r(0), b_r(0)) \\sim N(0, I_3)$."],
                   references=list(SOURCES))
    X = sympy.Matrix([sympy.cos(_x), sympy.sin(_x), 1]) * sympy.sqrt(s2)
    Z = sympy.Matrix([sympy.cos(_z), sympy.sin(_z), 1]) * sympy.sqrt(s2)
    dot = d.step("The gradient of $f$ with respect to $\\tilde w_r$ is "
                 "$m^{-1/2} a_r \\sigma'(\\tilde w_r^\\top \\tilde x) \\tilde x$, so the NTK is "
                 "$\\tilde x^\\top \\tilde x' \\, E[\\sigma'\\sigma']$; the inner product, "
                 "simplified by SymPy:",
                 sympy.simplify(sympy.trigsimp((X.T * Z)[0]).subs(_x - _z, delta).subs(_x, _z + delta)),
                 labels=[sympy.Symbol("\\tilde{x}^{\\top}\\tilde{x}'")], rule="trigsimp")
    step = dual_activation("step")
    if bias == "zero":
        # w̃ᵀx̃ = s wᵀx with w ~ N(0, I₂): the angle between x and x' in R² is |δ|.
        cov = {q11: 1, q22: 1, q12: sympy.cos(delta)}
        angle = delta
        text = ("With $b(0) = 0$ only $w \\sim N(0, I_2)$ is random and "
                "$\\tilde w^\\top \\tilde x = s\\, w^\\top x$: the expectation is the step "
                "function's dual at the angle $\\delta$ of the circle ($0 \\le \\delta \\le \\pi$):")
    else:
        norm2 = sympy.simplify((X.T * X)[0])
        cos_phi = sympy.simplify(dot / norm2)
        cov = {q11: norm2, q22: norm2, q12: dot}
        angle = sympy.acos(cos_phi)
        text = ("With $b(0) \\sim N(0, 1)$, $\\tilde w \\sim N(0, I_3)$ sees the angle $\\varphi$ "
                "of $\\tilde x, \\tilde x'$ in three dimensions, "
                f"$\\cos\\varphi = {sympy.latex(cos_phi)}$; the step dual at that angle:")
    dual = d.step(text, step.value.subs(cov).subs(theta, angle) if bias == "zero" else
                  step.value.subs(theta, angle), labels=[sympy.Symbol("E[\\sigma'\\sigma']")])
    k = d.step("The kernel, the product of the two (for $0 \\le \\delta \\le \\pi$; it is even "
               "in $\\delta$):", sympy.simplify(dot * dual), labels=[sympy.Function("k")(delta)],
               rule="simplify")
    scale = None
    if bias == "zero":
        scale = sympy.simplify(k / ((1 + sympy.cos(delta)) * (sympy.pi - delta)))
        d.step("It is a constant times $(1 + \\cos\\delta)(\\pi - \\vert\\delta\\vert)$; "
               "the constant:", scale, labels=["constant factor"])
    d.result, d.result_lhs = k, sympy.Function("k")(delta)
    return CircleKernel(bias, inputs, k, d, scale)


def slide_b2(d: sympy.Expr = delta) -> sympy.Expr:
    """The statement under audit (B2, Eq. (11) of the slides), for 0 ≤ δ ≤ π."""
    return (sympy.cos(d) + 1) * (sympy.pi - d) / (4 * sympy.pi)


def matching_conventions() -> list[tuple[str, str]]:
    """The conventions whose derived kernel equals the slide's B2 form identically."""
    out = []
    for b in BIASES:
        for i in INPUTS:
            ratio = sympy.simplify(circle_kernel(b, i).expr / slide_b2())
            if ratio == 1:
                out.append((b, i))
    return out


@lru_cache(maxsize=None)
def fourier_coefficients(bias: str = "zero", inputs: str = "normalized") -> tuple[dict, Derivation]:
    """c_q = (1/2π) ∫_{−π}^{π} k(δ) cos(qδ) dδ in closed form (bias at zero).

    These are the eigenvalues of f ↦ ∫ k(x − z) f(z) dz/(2π) (uniform density): e^{iqx} is
    an eigenfunction of every convolution on S¹. Returns {"general": c_q for q ≥ 2 (in
    (−1)^q), 0: c_0, 1: c_1, "even": ..., "odd": ...} and the derivation.
    """
    ker = circle_kernel(bias, inputs)
    if not ker.family:
        raise InvalidArgument("the Fourier coefficients of the Gaussian-bias kernel have no "
                              "closed form here: use fourier_coefficient_mp")
    d = Derivation(f"Fourier coefficients of the circle kernel ({ker.label})",
                   assumptions=["$k$ is even, so $c_q = \\frac{1}{\\pi}\\int_0^\\pi k(\\delta) "
                                "\\cos(q\\delta)\\, d\\delta$.",
                                "For the uniform density $p = 1/(2\\pi)$ the eigenvalue of "
                                "$\\cos(qx)$ and $\\sin(qx)$ is $c_q$."], references=[SOURCES[0]])
    raw = sympy.integrate(ker.expr * sympy.cos(q_sym * delta), (delta, 0, sympy.pi)) / sympy.pi
    # SymPy's raw Piecewise depends on hash order; its simplified q != 1 branch does not, so that
    # is what the derivation shows (q = 0, 1 follow separately)
    out = {"general": d.step("SymPy integrates with $q$ a positive integer ($q \\ne 1$ branch, "
                             "simplified):", _first_branch(sympy.simplify(sympy.piecewise_fold(raw))),
                             labels=[sympy.Symbol("c_q")], rule="integrate")}
    for q in (0, 1):
        out[q] = d.step(f"$q = {q}$ separately:", sympy.simplify(
            sympy.integrate(ker.expr * sympy.cos(q * delta), (delta, 0, sympy.pi)) / sympy.pi),
            labels=[sympy.Symbol(f"c_{q}")], rule="integrate")
    n = sympy.Symbol("n", integer=True, positive=True)
    out["even"] = d.step("Even $q \\ge 2$, where $(-1)^q = 1$:", sympy.factor(sympy.simplify(
        out["general"].subs(q_sym, 2 * n).subs((-1) ** (2 * n), 1)).subs(n, q_sym / 2)),
        labels=["even $q$"], rule="factor")
    out["odd"] = d.step("Odd $q \\ge 3$, where $(-1)^q = -1$:", _first_branch(sympy.factor(sympy.simplify(
        out["general"].subs((-1) ** q_sym, -1)))), labels=["odd $q$"], rule="factor")
    for q in range(2, 8):
        parity = out["even"] if q % 2 == 0 else out["odd"]
        direct = sympy.integrate(ker.expr * sympy.cos(q * delta), (delta, 0, sympy.pi)) / sympy.pi
        if sympy.simplify(parity.subs(q_sym, q) - direct) != 0:
            raise ArithmeticError(f"Fourier coefficient c_{q}: parity form disagrees with SymPy")
    d.step("Checked: the parity forms equal SymPy's integral at $q = 2, \\ldots, 7$.")
    d.result, d.result_lhs = out["general"], sympy.Symbol("c_q")
    return out, d


def _first_branch(expr: sympy.Expr) -> sympy.Expr:
    """The q ≥ 2 branch of SymPy's Piecewise answer (the other branch is q = 1, kept apart)."""
    return expr.args[0][0] if isinstance(expr, sympy.Piecewise) else expr


def uniform_eigenvalue(q: int, bias: str = "zero", inputs: str = "normalized", dps: int = 30):
    """c_q as an mpf (closed form for bias at zero, quadrature for the Gaussian bias)."""
    if q < 0:
        raise InvalidArgument(f"frequency q = {q} must be >= 0")
    ker = circle_kernel(bias, inputs)
    with mpmath.workdps(dps + 5):
        if ker.family:
            c, _ = fourier_coefficients(bias, inputs)
            expr = c[q] if q in (0, 1) else c["general"].subs(q_sym, q)
            val = sympy.N(expr, dps + 5)
            return +mpmath.mpf(str(val))
        return fourier_coefficient_mp(q, bias, inputs, dps)


def fourier_coefficient_mp(q: int, bias: str, inputs: str, dps: int = 30):
    """c_q by tanh–sinh quadrature on [0, π] (the kernel's only kink is at δ = 0, an endpoint)."""
    k = circle_kernel(bias, inputs).mp()
    with mpmath.workdps(dps + 10):
        pts = [mpmath.pi * j / max(1, 2 * q) for j in range(max(1, 2 * q) + 1)]
        val = mpmath.quad(lambda t: k(t) * mpmath.cos(q * t), pts) / mpmath.pi
    return val


__all__ = ["BIASES", "CircleKernel", "DEFAULT_CONVENTION", "INPUTS", "circle_kernel", "delta",
           "fourier_coefficient_mp", "fourier_coefficients", "matching_conventions", "q_sym", "slide_b2", "uniform_eigenvalue"]
