"""Identities of gradient flow in the kernel (linear) regime: claims L6, L7, L8.

Zhang, Xu, Luo, Ma, "A type of generalization error induced by initialization in deep neural
networks", MSML 2020 (seeds/003, Theorems 2, 3, 5, 6, and the anti-symmetrical initialization).
Notation: k(x, X) the row of kernel values, K = k(X, X) positive definite, J the n x P Jacobian
of the network at theta_0 (K = J J^T), h_ini the function at initialization.
"""

from __future__ import annotations

from functools import lru_cache

import sympy

from specbias.derive.lfp.transforms import named
from specbias.notation import tex
from specbias.records import Derivation

n = sympy.Symbol("n", integer=True, positive=True)


def _mats():
    kx = sympy.MatrixSymbol("k(x, X)", 1, n)          # k(x, X)
    Ki = sympy.MatrixSymbol("K^{-1}", n, n)
    Y = sympy.MatrixSymbol("Y", n, 1)
    HX = sympy.MatrixSymbol(r"h_{\mathrm{ini}}(X)", n, 1)
    hx = sympy.MatrixSymbol(r"h_{\mathrm{ini}}(x)", 1, 1)
    return kx, Ki, Y, HX, hx


def flow_limit(kx, Ki, Y, HX, hx):
    """h_k(x; h_ini, X, Y) = h_ini(x) + k(x, X) K^-1 (Y - h_ini(X)) (t -> infinity of kernel flow)."""
    return hx + kx * Ki * (Y - HX)


@lru_cache(maxsize=None)
def initialization_decomposition() -> tuple[sympy.Expr, Derivation]:
    """L6: the decomposition of Theorem 2 (returns the difference of its two sides, expected 0)."""
    d = Derivation("Initialization decomposition of the kernel-flow limit (Theorem 2)", assumptions=[
        "kernel gradient flow $\\partial_t h(x) = -k(x, X)(h(X) - Y)$ from $h = h_{ini}$, $K = k(X, X)$ "
        "positive definite"])
    lam, t = sympy.Symbol("lambda", positive=True), sympy.Symbol("t", positive=True)
    d.step("On the data $h(X, t) - Y = e^{-Kt}(h_{ini}(X) - Y)$; off the data $\\partial_t h(x) = -k(x, X)"
           "e^{-Kt}(h_{ini}(X) - Y)$, and each eigenvalue $\\lambda$ of $K$ integrates to",
           sympy.integrate(sympy.exp(-lam * t), (t, 0, sympy.oo)), rule="integrate")
    kx, Ki, Y, HX, hx = _mats()
    limit = flow_limit(kx, Ki, Y, HX, hx)
    d.step("so the limit is", limit, labels=[named("h_k(x; h_{\\mathrm{ini}}, X, Y)")])
    zero = sympy.ZeroMatrix(n, 1)
    rhs = flow_limit(kx, Ki, Y, zero, sympy.ZeroMatrix(1, 1)) + hx - flow_limit(kx, Ki, HX, zero,
                                                                               sympy.ZeroMatrix(1, 1))
    diff = sympy.simplify(sympy.expand(limit - rhs))
    d.step("Theorem 2's right side $h_k(x; 0, X, Y) + h_{ini}(x) - h_k(x; 0, X, h_{ini}(X))$, minus the "
           "limit:", rhs, diff, labels=["right side", "difference"], rule="expand")
    d.step("The bias term $h_{ini} - h_k(\\cdot; 0, X, h_{ini}(X)) = (I - P)h_{ini}$ is linear in $h_{ini}$ "
           "($P$ the kernel interpolation of the data values). With $A = h_k(\\cdot; 0, X, f(X)) - f$, "
           "$B = (I - P)h_{ini}$: $E\\Vert A + B\\Vert ^2 = \\Vert A\\Vert ^2 + 2\\langle A, (I - P)E h_{ini}\\rangle + "
           "E\\Vert B\\Vert ^2$, and the middle term vanishes when $E h_{ini} = 0$ (Theorem 3).", rule="linearity")
    d.result = diff
    d.result_lhs = named("h_k(x; 0, X, Y) + h_{\\mathrm{ini}}(x) - h_k(x; 0, X, h_{\\mathrm{ini}}(X)) "
                         "- h_k(x; h_{\\mathrm{ini}}, X, Y)")
    return diff, d


def asi_ntk_ratio(c: sympy.Expr) -> tuple[sympy.Expr, Derivation]:
    """L7: k_ASI / k at initialization for h_ASI = c (h(theta) - h(theta')): 2 c^2 (one line)."""
    cs = sympy.Symbol("c", positive=True)
    d = Derivation("Anti-symmetrical initialization", assumptions=[
        "$h_{ASI}(x) = c\\,(h(x, \\theta) - h(x, \\theta'))$ with $\\theta$ and $\\theta'$ separate trained "
        "parameters (tied parameters would keep $h_{ASI} = 0$ for all time), $\\theta'(0) = \\theta(0)$"])
    general = d.step("At initialization $h(x, \\theta) = h(x, \\theta')$, so $h_{ASI} = 0$. The NTK sums over "
                     "both parameter sets, $k_{ASI} = c^2 k_\\theta + c^2 k_{\\theta'}$, and $k_\\theta = "
                     "k_{\\theta'} = k$ at initialization:", 2 * cs ** 2,
                     labels=[named("k_{ASI}/k")], rule="sum over parameters")
    ratio = sympy.nsimplify(general.subs(cs, c))
    d.step(f"With the slide's factor $c = {tex(c)}$:", ratio, labels=[named("k_{ASI}/k")], rule="substitute")
    d.result, d.result_lhs = ratio, named("k_{ASI}/k")
    return ratio, d


@lru_cache(maxsize=None)
def min_norm_limit() -> Derivation:
    """L8: the linearized flow's limit is the minimum-norm interpolating parameter (Theorems 5, 6)."""
    P = sympy.Symbol("P", integer=True, positive=True)
    J = sympy.MatrixSymbol("J", n, P)
    lam = sympy.MatrixSymbol("lambda", n, 1)
    b = sympy.MatrixSymbol("b", n, 1)         # b = Y - h(X, theta_0)
    d = Derivation("Limit of the linearized gradient flow (Theorems 5, 6)", assumptions=[
        "linearized model $h(x, \\theta_0) + \\nabla_\\theta h(x, \\theta_0)(\\theta - \\theta_0)$; $J$ of "
        "rank $n < P$; a loss $\\mathrm{dist}(h(X), Y)$ whose flow converges to an interpolant"])
    d.step("$\\dot\\theta = -J^T\\nabla\\mathrm{dist}$ keeps $\\theta(t) - \\theta_0$ in the row space of "
           "$J$, whatever the loss; write $\\theta - \\theta_0 = J^T\\lambda$.")
    d.step("Interpolation $J(\\theta - \\theta_0) = b$ ($b = Y - h(X, \\theta_0)$) gives $JJ^T\\lambda = b$:",
           sympy.Eq(J * J.T * lam, b), rule="substitute")
    theta = J.T * (J * J.T).I * b
    d.step("The unique such point, which is also the stationary point of the Lagrangian of "
           "$\\min\\frac{1}{2}\\Vert \\theta - \\theta_0\\Vert ^2$ subject to $J(\\theta - \\theta_0) = b$:", theta,
           labels=[named("\\theta_{\\infty} - \\theta_{0}")])
    d.step("Its function is $h_{ini}(x) + \\nabla_\\theta h(x)J^T(JJ^T)^{-1}b = h_{ini}(x) + k(x, X)K^{-1}"
           "(Y - h_{ini}(X))$ with $K = JJ^T$: the minimum-$\\Vert \\cdot\\Vert _k$ interpolant (Theorem 6).")
    d.result, d.result_lhs = theta, named("\\theta_{\\infty} - \\theta_{0}")
    return d
