"""Distributional derivatives of ReLU units (claim Z10).

d^2/dx^2 sigma(x - b) = d^2/db^2 sigma(x - b) = delta(x - b) in 1D, and
Delta_x sigma(w.x - b) = |w|^2 delta(w.x - b) in R^d, where delta(w.x - b) pairs with a
test function as |w|^-1 times its integral over the hyperplane {w.x = b}.

Each identity is checked the way distributions are defined: by pairing with test
functions (Gaussians with symbolic centre and width, so SymPy proves it for the whole
family) after differentiating the test function instead (integration by parts), and
independently by SymPy's own DiracDelta calculus.
"""

from __future__ import annotations

import mpmath
import sympy

from specbias.notation import inline, tex
from specbias.records import Derivation

b, c = sympy.symbols("b c", real=True)
s = sympy.Symbol("s", positive=True)
t = sympy.Symbol("x", real=True)
sigma, phi_fn, psi_fn = sympy.Function("sigma"), sympy.Function("phi"), sympy.Function("psi")
SOURCE = ('H. Zhao, "Numerical Analysis 101 for Neural Networks" (lecture slides), claim Z10')


def relu(arg: sympy.Expr) -> sympy.Expr:
    return arg * sympy.Heaviside(arg)


def mollified_pairing(bias, centre, width, eps, dps: int = 30):
    """int sigma_eps''(x - b) phi(x) dx for the smooth ReLU sigma_eps(t) = eps log(1 + e^(t/eps)).

    sigma_eps'' is a bump of mass 1 and width ~eps, so the pairing tends to the pairing
    with the true second derivative as eps -> 0 (error O(eps^2)). Independent of any
    symbolic delta calculus.
    """
    with mpmath.workdps(dps):
        bb, cc, ss, ee = (mpmath.mpf(v) for v in (bias, centre, width, eps))

        def bump(u):  # d^2/dt^2 of eps*log(1+exp(t/eps)) = logistic'(t/eps)/eps
            z = mpmath.exp(-abs(u) / ee)
            return z / (1 + z) ** 2 / ee

        f = lambda xx: bump(xx - bb) * mpmath.exp(-(xx - cc) ** 2 / (2 * ss**2))  # noqa: E731
        pts = [bb - 60 * ee, bb - ee, bb, bb + ee, bb + 60 * ee]
        return mpmath.quad(f, pts) + mpmath.quad(f, [-mpmath.inf, pts[0]]) + mpmath.quad(
            f, [pts[-1], mpmath.inf])


def one_dimensional() -> tuple[Derivation, dict]:
    """Derive d^2_x sigma(x-b) and d^2_b sigma(x-b) and pair them with Gaussian test functions.

    Returns the derivation and a dict of checks: ``by_parts_x`` and ``by_parts_b`` (the
    definition <T'', phi> = <T, phi''> gives phi(b), exactly, for all c and s),
    ``mollifier`` (a smooth ReLU's pairing converges to phi(b), numerically), and
    ``sympy_delta_calculus`` (whether integrating SymPy's own DiracDelta form agrees).
    """
    test = sympy.exp(-(t - c) ** 2 / (2 * s**2))
    d = Derivation(
        title="Second derivatives of a ReLU unit as distributions",
        assumptions=["$\\sigma(t) = \\max(0, t) = t H(t)$",
                     "test functions " + inline(sympy.Eq(phi_fn(t), test)) + ", $c$ real, $s > 0$ "
                     "symbolic"],
        references=[SOURCE, "Schwartz distributions: $\\langle T'', \\varphi \\rangle = "
                    "\\langle T, \\varphi'' \\rangle$"],
    )
    unit = relu(t - b)
    dxx = sympy.diff(unit, t, 2)
    dbb = sympy.diff(unit, b, 2)
    d.step("SymPy's derivatives in $x$ and in $b$ (DiracDelta calculus):", dxx, dbb,
           labels=[sympy.Derivative(sigma(t - b), (t, 2)), sympy.Derivative(sigma(t - b), (b, 2))],
           rule="sympy.diff")
    by_parts = sympy.simplify(sympy.integrate((t - b) * sympy.diff(test, t, 2), (t, b, sympy.oo)))
    check_x = sympy.simplify(by_parts - test.subs(t, b))
    d.step("By definition $\\langle T'', \\varphi \\rangle = \\langle T, \\varphi'' "
           "\\rangle$: integrate $\\sigma(x - b) \\varphi''(x)$ over $x > b$; the difference "
           "from $\\varphi(b)$ simplifies to 0 for every $c$ and $s$.", by_parts, check_x,
           labels=[sympy.Integral(sigma(t - b) * sympy.Derivative(phi_fn(t), (t, 2)), t),
                   "the pairing minus $\\varphi(b)$"], rule="sympy.integrate")
    test_b = test.subs(t, b)
    by_parts_b = sympy.simplify(sympy.integrate((t - b) * sympy.diff(test_b, b, 2), (b, -sympy.oo, t)))
    check_b = sympy.simplify(by_parts_b - test)
    d.step("In the bias: integrate $\\sigma(x - b) \\psi''(b)$ over $b < x$, for "
           + inline(sympy.Eq(psi_fn(b), test_b)) + ".",
           by_parts_b, check_b,
           labels=[sympy.Integral(sigma(t - b) * sympy.Derivative(psi_fn(b), (b, 2)), b),
                   "the pairing minus $\\psi(x)$"], rule="sympy.integrate")
    paired = sympy.simplify(sympy.integrate(dxx * test, (t, -sympy.oo, sympy.oo)))
    ratio = sympy.simplify(paired / test.subs(t, b))
    d.step("For comparison, integrate SymPy's DiracDelta form of $\\partial_x^2 \\sigma$ "
           "against $\\varphi$. The ratio to $\\varphi(b)$ should be 1 ($x \\delta'(x) = "
           "-\\delta(x)$ as distributions).",
           paired, ratio, labels=["the pairing of SymPy's form with $\\varphi$",
                                  "its ratio to $\\varphi(b)$"],
           rule="sympy.integrate with DiracDelta")
    with mpmath.workdps(30):
        bb, cc, ss = mpmath.mpf("0.3"), mpmath.mpf("-0.2"), mpmath.mpf("0.7")
        target = mpmath.exp(-(bb - cc) ** 2 / (2 * ss**2))
        errors = [abs(mollified_pairing(bb, cc, ss, eps) / target - 1) for eps in ("1e-2", "1e-3", "1e-4")]
    d.step("Independent numerical check with a smooth ReLU $\\epsilon \\log(1 + "
           "e^{t/\\epsilon})$ at $b = 0.3$, $c = -0.2$, $s = 0.7$: relative distance of the "
           "pairing from $\\varphi(b)$ for $\\epsilon = 10^{-2}, 10^{-3}, 10^{-4}$ "
           "($O(\\epsilon^2)$ expected).",
           sympy.Matrix([[sympy.Float(mpmath.nstr(e, 5), 5) for e in errors]]),
           rule="mpmath.quad")
    checks = {
        "by_parts_x": check_x == 0,
        "by_parts_b": check_b == 0,
        "mollifier": bool(errors[-1] < 1e-6 and errors[-1] < errors[0]),
        "mollifier_rel_errors": [float(e) for e in errors],
        "sympy_delta_calculus": sympy.simplify(ratio - 1) == 0,
        "sympy_delta_ratio": ratio,
    }
    d.result = sympy.DiracDelta(t - b)
    d.result_lhs = sympy.Derivative(sigma(t - b), (t, 2))
    return d, checks


def laplacian_chain_rule(dim: int = 3) -> tuple[Derivation, bool]:
    """Delta_x g(w.x) = |w|^2 g''(w.x) for a generic g, symbolically in ``dim`` dimensions."""
    xs = sympy.symbols(f"x1:{dim + 1}", real=True)
    ws = sympy.symbols(f"w1:{dim + 1}", real=True)
    g = sympy.Function("g")
    u = g(sum(wi * xi for wi, xi in zip(ws, xs)))
    lap = sympy.simplify(sum(sympy.diff(u, xi, 2) for xi in xs))
    expected = sum(wi**2 for wi in ws) * sympy.diff(g(sympy.Symbol("t")), sympy.Symbol("t"), 2)
    d = Derivation(
        title=f"Laplacian of a ridge function in $\\mathbb{{R}}^{{{dim}}}$",
        assumptions=["$g$ is any twice differentiable profile; for $g = \\sigma(\\cdot - b)$, "
                     "$g'' = \\delta(\\cdot - b)$"],
        references=[SOURCE],
    )
    d.step("SymPy's Laplacian of $g(w \\cdot x)$:", lap, rule="sympy.diff, summed over coordinates")
    d.step("It equals $\\vert w \\vert^2 g''(w \\cdot x)$; so $\\Delta_x \\sigma(w \\cdot x - b) "
           "= \\vert w \\vert^2 \\delta(w \\cdot x - b)$, which is $\\delta(w \\cdot x - b)$ "
           "exactly when $\\vert w \\vert = 1$.", expected, rule="comparison")
    ratio = sympy.simplify(lap / sympy.Subs(sympy.Derivative(g(sympy.Symbol("t")), (sympy.Symbol("t"), 2)),
                                            sympy.Symbol("t"), sum(wi * xi for wi, xi in zip(ws, xs))).doit())
    ok = sympy.simplify(ratio - sum(wi**2 for wi in ws)) == 0
    ridge = sum(wi * xi for wi, xi in zip(ws, xs))
    d.result = sum(wi**2 for wi in ws) * sympy.Subs(sympy.Derivative(g(sympy.Symbol("t")),
                                                                     (sympy.Symbol("t"), 2)),
                                                    sympy.Symbol("t"), ridge)
    d.result_lhs = sympy.Symbol("Delta") * g(ridge)
    return d, ok


def pairing_2d(w: tuple, bias, centre: tuple, dps: int = 20, box: float = 9.0):
    """<Delta sigma(w.x - b), phi> in R^2 by Cartesian mpmath quadrature, and the line integral.

    phi(x) = exp(-|x - centre|^2 / 2). The left side is int sigma(w.x - b) Delta phi dx over
    [-box, box]^2 around the centre, the inner integral split where w.x = b; the right side
    is int_{w.x=b} phi dH^1 = sqrt(2 pi) exp(-(b - w.c)^2 / (2 |w|^2)) / ... computed by
    a 1D quadrature along the line. Returns (pairing, line_integral, |w|).
    """
    with mpmath.workdps(dps):
        w1, w2 = (mpmath.mpf(v) for v in w)
        c1, c2 = (mpmath.mpf(v) for v in centre)
        bb = mpmath.mpf(bias)

        def lap_phi(x1, x2):
            r2 = (x1 - c1) ** 2 + (x2 - c2) ** 2
            return (r2 - 2) * mpmath.exp(-r2 / 2)

        def inner(x1):
            cut = (bb - w1 * x1) / w2
            lo, hi = c2 - box, c2 + box
            pts = [lo, min(max(cut, lo), hi), hi]
            return mpmath.quad(lambda x2: max(w1 * x1 + w2 * x2 - bb, 0) * lap_phi(x1, x2), pts)

        pairing = mpmath.quad(inner, [c1 - box, c1, c1 + box])
        norm = mpmath.sqrt(w1**2 + w2**2)
        # the line {w.x = b}: x = p0 + u * (-w2, w1)/|w|, p0 = b w / |w|^2
        p1, p2 = bb * w1 / norm**2, bb * w2 / norm**2

        def on_line(u):
            x1, x2 = p1 - u * w2 / norm, p2 + u * w1 / norm
            return mpmath.exp(-((x1 - c1) ** 2 + (x2 - c2) ** 2) / 2)

        line = mpmath.quad(on_line, [-mpmath.inf, mpmath.inf])
        return pairing, line, norm
