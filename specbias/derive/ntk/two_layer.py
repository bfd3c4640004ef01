"""Kernels of two-layer networks, derived from the dual activations, and their evaluation.

Parametrizations (verify/models.py builds the matching torch networks; tests compare both):

* ``arora`` (Arora et al., ICML 2019, Eq. (3)-(4)): f(x) = m^(-1/2) Σ_r a_r σ(w_rᵀx), a_r = ±1
  fixed, w_r ~ N(0, I) trained. NTK: Θ(x, x') = xᵀx' E[σ'(wᵀx)σ'(wᵀx')].
* ``basri`` (Basri et al., ICML 2020): the same with a bias, f = m^(-1/2) Σ a_r σ(w_rᵀx + b_r),
  b_r(0) = 0, (w, b) trained. NTK: (xᵀx' + 1) E[σ'(wᵀx)σ'(wᵀx')].
* ``random-features`` (E, Ma, Wu 2020; claims E1, E3): w ~ N(0, I/d) frozen, the output layer
  trained; the kernel is E_w[σ(wᵀx)σ(wᵀx')] (the NNGP of the hidden layer).

:func:`two_layer_derivation` records the derivation (the dual activation, then the covariances
of (wᵀx, wᵀx') put in); :func:`two_layer_kernel` evaluates its result on arrays, lambdified from
it (one source of truth), with the angle from :func:`specbias.derive.ntk.kernels.angles`.
"""

from __future__ import annotations

from functools import lru_cache

import sympy

from specbias.derive.ntk.arccos import (angular_factor, check_activation, dual_activation, q11, q12,
                                        q22, theta)
from specbias.derive.ntk.kernels import TWO_LAYER, _module_name, angles, check_parametrization
from specbias.derive.ntk.symbols import DIM, Dot, Norm, kernel_function, x, x_prime
from specbias.errors import InvalidArgument
from specbias.notation import tex
from specbias.records import Derivation

#: The symbols the two-layer kernels are written in: the input norms and the input dimension.
NORM_X, NORM_Y = Norm(x), Norm(x_prime)

_NETWORK = {
    "arora": "$f(x) = m^{-1/2} \\sum_r a_r \\sigma(w_r^{T} x)$ with $a_r = \\pm 1$ fixed and "
             "$w_r \\sim N(0, I)$ trained (Arora et al., ICML 2019)",
    "basri": "$f(x) = m^{-1/2} \\sum_r a_r \\sigma(w_r^{T} x + b_r)$ with $a_r = \\pm 1$ fixed, "
             "$w_r \\sim N(0, I)$ and $b_r(0) = 0$ trained (Basri et al., ICML 2020)",
    "random-features": "$f(x) = \\sum_r a_r \\sigma(w_r^{T} x)$ with $w_r \\sim N(0, I/d)$ frozen "
                       "and the output weights $a_r$ trained (E, Ma, Wu 2020)",
}


@lru_cache(maxsize=None)
def two_layer_derivation(parametrization: str, activation: str = "relu",
                         kernel: str = "ntk") -> Derivation:
    """The two-layer kernel of ``parametrization`` in the norms of x, x' and their angle θ.

    ``kernel="ntk"``: the tangent kernel of the trained parameters (for random-features, the
    output layer: E_w[σσ]); ``kernel="nngp"``: the covariance of f at initialization when the
    output weights have unit variance (a = ±1, or a ~ N(0, 1)): E_w[σ(wᵀx)σ(wᵀx')], which with
    the bias starting at 0 (basri) is the same as arora's. The result is named ``k(x, x')``.
    """
    parametrization = check_parametrization(parametrization, TWO_LAYER)
    if kernel not in ("ntk", "nngp"):
        raise InvalidArgument(f"kernel {kernel!r} is unknown: use ntk or nngp")
    dual = dual_activation(check_activation(activation))
    scale = DIM if parametrization == "random-features" else sympy.Integer(1)
    cov = {q11: NORM_X ** 2 / scale, q22: NORM_Y ** 2 / scale,
           q12: NORM_X * NORM_Y * sympy.cos(theta) / scale}
    k = kernel_function()(x, x_prime)
    ntk = parametrization != "random-features" and kernel == "ntk"
    what = ("the random-feature kernel" if parametrization == "random-features" else
            "the covariance of $f(x)$ and $f(x')$ at initialization" if kernel == "nngp" else
            "the tangent kernel of the trained parameters")
    d = Derivation(f"Two-layer kernel: {what}, activation {activation}",
                   assumptions=[_NETWORK[parametrization],
                                "$\\theta$ is the angle between $x$ and $x'$"],
                   references=list(dual.derivation.references))
    if ntk and dual.power:  # the NTK needs E[σ'σ'] = p² E[σ_{p-1}σ_{p-1}]: derive J_{p-1}
        d.steps.extend(angular_factor(dual.power - 1)[1].steps)
        d.step(f"$\\sigma_{dual.power}' = {dual.power if dual.power > 1 else ''} "
               f"\\sigma_{dual.power - 1}$, so:", dual.derivative,
               labels=[f"$\\mathbb{{E}}[\\sigma_{dual.power}'(u) \\sigma_{dual.power}'(v)]$"])
    else:
        d.steps.extend(dual.derivation.steps)
    d.step("The covariances of $(w^{T} x, w^{T} x')$ that enter the dual activation:",
           *cov.values(), labels=list(cov))
    if not ntk:
        result = d.step("The kernel is $\\mathbb{E}_w[\\sigma(w^{T} x) \\sigma(w^{T} x')]$ at "
                        "these covariances, its angular factor collected in $\\cos\\theta$:",
                        collect_angle(dual.value.subs(cov)), labels=[k])
    else:
        bias = " + 1" if parametrization == "basri" else ""
        grad = "x" if parametrization == "arora" else "(x, 1)"
        factor = Dot(x, x_prime) + (1 if parametrization == "basri" else 0)
        d.step(f"The gradient of $f$ in $w_r${' and $b_r$' if bias else ''} is $m^{{-1/2}} a_r "
               f"\\sigma'(w_r^{{T}} x{' + b_r' if bias else ''}) {grad}$ and $a_r^2 = 1$, so "
               f"$k(x, x')$ is $x^{{T}} x'{bias}$ times $\\mathbb{{E}}_w[\\sigma'(w^{{T}} x) "
               "\\sigma'(w^{T} x')]$ at $b = 0$, at these covariances:",
               factor * dual.derivative.subs(cov), labels=[k])
        result = sympy.simplify(dual.derivative.subs(cov) * (cov[q12] + (1 if bias else 0)))
        d.step("With $x^{T} x' = \\Vert x \\Vert \\Vert x' \\Vert \\cos\\theta$:", result,
               labels=[k], rule="simplify")
    d.result, d.result_lhs = result, k
    return d


def collect_angle(expr: sympy.Expr) -> sympy.Expr:
    """``expr`` with every sum that involves theta collected in cos(theta): the arc-cosine factor
    J_1 reads (pi - theta) cos theta + sin theta, as Cho and Saul write it (NIPS 2009), instead of
    SymPy's expanded -theta cos theta + sin theta + pi cos theta. The same expression, rewritten."""
    return expr.replace(lambda e: e.is_Add and e.has(theta),
                        lambda e: sympy.collect(e, sympy.cos(theta)))


def two_layer_statement(parametrization: str, activation: str = "relu",
                        kernel: str = "ntk") -> sympy.Expr:
    """The result of :func:`two_layer_derivation`: a SymPy expression in NORM_X, NORM_Y, DIM, θ."""
    return two_layer_derivation(parametrization, activation, kernel).result


def two_layer_kernel(X, Y, parametrization: str = "arora", activation: str = "relu", xp=None,
                     kernel: str = "ntk"):
    """The two-layer kernel of :func:`two_layer_statement` on arrays X (n, d), Y (k, d),
    lambdified from that statement (one source of truth) with the angle from :func:`angles`."""
    if xp is None:
        import numpy as xp
    expr = two_layer_statement(parametrization, activation, kernel)
    fn = sympy.lambdify((NORM_X, NORM_Y, DIM, theta), expr, _module_name(xp), dummify=True)
    th, nx, ny = angles(X, Y, xp)
    return fn(nx[:, None], ny[None, :], X.shape[1], th)


__all__ = ["NORM_X", "NORM_Y", "two_layer_derivation", "two_layer_kernel", "two_layer_statement"]
