"""The eigen-ODE behind a Gram kernel, derived from the kernel itself.

For G = G_P on [A, B] (:mod:`specbias.derive.gram.kernel`), both branches are polynomials in x,
so d^n/dx^n G vanishes off the diagonal for n = 2P + 2; the jump c of the (n-1)-th
x-derivative across x = y then gives the Green's-function identity

    d^n/dx^n G(x, y) = c * delta(x - y).

Applying it to mu * phi(x) = int G(x, y) phi(y) dy gives mu * phi^(n) = c * phi. The
boundary conditions are the orders j for which d^j/dx^j G(E, y) vanishes identically in y
at an endpoint E: then phi^(j)(E) = mu^-1 int d^j_x G(E, y) phi(y) dy = 0. Nothing here is
written per P: every fact is read off derivatives of the derived kernel.

With mu = |c| / omega^n the ODE has solutions exp(r omega x) with r^n = sign(c); the
boundary conditions applied to a real fundamental system give a matrix M(omega) whose
determinant is the characteristic equation (cf. the cantilever beam for P = 1).
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache

import sympy

from specbias.derive.gram.kernel import G_LOWER, G_UPPER, GramKernel, gram_kernel, x, y
from specbias.notation import inline, tex
from specbias.records import Derivation

omega = sympy.Symbol("omega", positive=True)
mu = sympy.Symbol("mu", positive=True)
phi = sympy.Function("phi")
#: Stand-ins for cos(omega L) and sin(omega L) in the large-omega limit.
C, S = sympy.symbols("C S", real=True)
L_SYM = sympy.Symbol("L", positive=True)
G_FN = sympy.Function("G")
D_INF = sympy.Symbol(r"D_\infty")

#: Largest P for which the full determinant is expanded symbolically (bigger ones stay
#: as det M(omega), evaluated numerically, to keep ``derive`` under a few seconds).
SYMBOLIC_DET_MAX_POWER = 1


@dataclass(frozen=True)
class BasisFunction:
    """exp(re*omega*(x - anchor)) * trig(im*omega*(x - anchor)), trig in {cos, sin, 1}."""

    re: sympy.Expr
    im: sympy.Expr
    trig: str
    anchor: sympy.Expr

    @property
    def expr(self) -> sympy.Expr:
        return _template(self.trig, self.re, self.im, self.anchor)

    def template(self, re: sympy.Expr, im: sympy.Expr, anchor=None) -> sympy.Expr:
        """The function with its rates replaced by ``re``, ``im`` (and its anchor)."""
        return _template(self.trig, re, im, self.anchor if anchor is None else anchor)

    def derivatives(self, order: int) -> list:
        """[f, f', ..., f^(order)] in x.

        The derivatives of the generic template exp(a w (x - e)) trig(b w (x - e)) are
        computed once per trig kind with symbolic a, b, e (each from the previous one), and
        only then given this function's algebraic rates and anchor: SymPy differentiates
        nested radicals such as cos(pi/10) = sqrt(5/8 + sqrt(5)/8) slowly.
        """
        generic = _template_derivatives(self.trig, order)
        values = {_A: self.re, _B: self.im, _E: self.anchor}
        return [e.subs(values) for e in generic]


_A, _B, _E = sympy.symbols("a b e", real=True)


def _template(trig: str, re, im, anchor) -> sympy.Expr:
    t = omega * (x - anchor)
    factor = {"cos": sympy.cos(im * t), "sin": sympy.sin(im * t), "1": sympy.Integer(1)}[trig]
    return sympy.exp(re * t) * factor


@lru_cache(maxsize=16)
def _template_derivatives(trig: str, order: int) -> tuple:
    out = [_template(trig, _A, _B, _E)]
    for _ in range(order):
        out.append(sympy.expand(sympy.diff(out[-1], x)))
    return tuple(out)


@dataclass(frozen=True)
class EigenODE:
    """Everything derived about the eigenproblem of G_P on [A, B]."""

    kernel: GramKernel
    order: int
    jump: sympy.Rational
    conditions: tuple  # ((endpoint, j), ...): phi^(j)(endpoint) = 0
    roots: tuple  # r with r^order = sign(jump)
    basis: tuple  # BasisFunction, one per root (real fundamental system)
    matrix: sympy.Matrix  # rows: conditions / omega^j, columns: basis
    characteristic: sympy.Expr  # = 0 at omega_k; det(matrix) expanded when small
    limit_cos: sympy.Expr  # alpha in det -> alpha cos(omega L) + beta sin(omega L)
    limit_sin: sympy.Expr
    derivation: Derivation

    @property
    def power(self) -> int:
        return self.kernel.power

    def mu_of_omega(self, w):
        """mu = |c| / omega^n."""
        return abs(self.jump) / w**self.order


def _roots_of_sign(n: int, sign: int) -> list[sympy.Expr]:
    """The n roots of r^n = sign, exactly, sorted by angle in [0, 2*pi)."""
    delta = 0 if sign > 0 else 1
    return [sympy.exp(sympy.I * sympy.pi * sympy.Rational(2 * m + delta, n)) for m in range(n)]


def _fundamental_system(roots, a, b) -> list[BasisFunction]:
    """Real solutions for the roots, each scaled to be at most 1 in size on [a, b].

    A growing exponential (Re r > 0) is anchored at b, a decaying one at a, so every
    function is O(1) at one end and exponentially small at the other.
    """
    out = []
    for r in roots:
        re, im = sympy.re(sympy.expand_complex(r)), sympy.im(sympy.expand_complex(r))
        if im < 0:
            continue
        anchor = b if re > 0 else a
        if im == 0:
            out.append(BasisFunction(re, im, "1", anchor))
        else:
            out.append(BasisFunction(re, im, "cos", anchor))
            out.append(BasisFunction(re, im, "sin", anchor))
    return out


def _drop_small_exponentials(e: sympy.Expr) -> sympy.Expr:
    """Set every exp(...omega...) left after evaluation at the endpoints to 0.

    At an endpoint, a basis function's exponential is either exp(0) = 1 (its own end) or
    exp(-|re| omega L), exponentially small as omega -> infinity.
    """
    return e.replace(lambda t: isinstance(t, sympy.exp) and t.has(omega), lambda t: sympy.Integer(0))


def _simplify_scaled(e: sympy.Expr, length) -> sympy.Expr:
    """``sympy.simplify`` in u = omega L, then back: every argument is a multiple of omega L,
    and trigsimp on cos(100 omega) expands it to a degree-100 polynomial (minutes), while in u
    the work is the same for every interval."""
    u = sympy.Dummy("u", positive=True)
    return sympy.simplify(e.subs(omega, u / length)).subs(u, omega * length)


#: Largest P whose limit determinant is expanded exactly; beyond it the entries carry nested
#: radicals (cos(pi/10), ...) on which SymPy's det/simplify take minutes, so alpha and beta
#: are evaluated with mpmath at LIMIT_DPS digits instead and reported as such.
SYMBOLIC_LIMIT_MAX_POWER = 3
LIMIT_DPS = 60


def _limit_coefficients(limit: sympy.Matrix, p: int, d: Derivation, length) -> tuple:
    """alpha, beta with det(limit) = alpha C + beta S; records the step in ``d``."""
    if p <= SYMBOLIC_LIMIT_MAX_POWER:
        det_limit = sympy.expand(limit.det(method="berkowitz"))
        alpha, beta = sympy.nsimplify(det_limit.coeff(C)), sympy.nsimplify(det_limit.coeff(S))
        rest = sympy.simplify(det_limit - alpha * C - beta * S)
        rule = "limit $\\omega \\to \\infty$; Matrix.det (berkowitz), exact"
    else:
        import mpmath

        f = sympy.lambdify((C, S), limit, modules="mpmath")
        with mpmath.workdps(LIMIT_DPS):
            det = lambda c, s: mpmath.det(mpmath.matrix(f(c, s)))  # noqa: E731
            a_, b_, r_ = det(1, 0), det(0, 1), det(0, 0)
            tol = mpmath.mpf(10) ** (-LIMIT_DPS + 10) * max(abs(a_), abs(b_))
            alpha, beta, rest = (sympy.Float(mpmath.nstr(v, 30), 30) if abs(v) > tol
                                 else sympy.Integer(0) for v in (a_, b_, r_))
        det_limit = alpha * C + beta * S + rest
        rule = (f"limit $\\omega \\to \\infty$; mpmath.det at {LIMIT_DPS} digits (values below "
                f"$10^{{-{LIMIT_DPS - 10}}}$ set to 0)")
    d.step(f"As $\\omega \\to \\infty$ the exponentially small entries "
           f"$e^{{-\\lvert \\mathrm{{Re}}\\, r \\rvert \\omega L}}$ drop out (${tex(L_SYM)} = "
           f"{tex(length)}$); with ${tex(C)} = {tex(sympy.cos(omega * L_SYM))}$ and "
           f"${tex(S)} = {tex(sympy.sin(omega * L_SYM))}$ the determinant tends to $D_\\infty$, "
           "and nothing remains after its $C$ and $S$ terms:",
           det_limit, rest, labels=[D_INF, "remainder"], rule=rule)
    if rest != 0:
        raise ArithmeticError("limit determinant is not of the form alpha cos + beta sin")
    return alpha, beta


def _derive(kernel: GramKernel, tick) -> EigenODE:
    """The derivation behind :func:`eigen_ode`; ``tick()`` after each recorded step."""
    a, b, p = kernel.a, kernel.b, kernel.power
    n = 2 * p + 2
    length = b - a
    d = Derivation(
        title=f"Eigen-ODE, boundary conditions and characteristic equation of $G_{{{p}}}$ on "
              f"${tex(sympy.Interval(a, b))}$",
        assumptions=[f"$G_{{{p}}}$ as derived symbolically (see the Gram kernel derivation)",
                     "eigenpairs: " + inline(sympy.Eq(sympy.Integral(G_FN(x, y) * phi(y), y),
                                                      mu * phi(x))) + ", $\\mu > 0$"],
        references=[kernel.derivation.references[0], "Green's functions: Coddington & Levinson, Ch. 7"],
    )
    d.step("The kernel on both sides of the diagonal (from the Gram kernel derivation): "
           "$G_<$ on $x \\le y$ and $G_>$ on $x \\ge y$.",
           kernel.lower, kernel.upper, labels=[G_LOWER, G_UPPER], rule="input")
    tick()
    degrees = (sympy.degree(kernel.lower, x), sympy.degree(kernel.upper, x))
    d_n = (sympy.diff(kernel.lower, x, n), sympy.diff(kernel.upper, x, n))
    d.step(f"Both branches are polynomials in $x$ of degrees {degrees[0]} and {degrees[1]}, so "
           f"their derivative of order {n} in $x$ vanishes off the diagonal.",
           *d_n, labels=[sympy.Derivative(G_LOWER, (x, n)), sympy.Derivative(G_UPPER, (x, n))],
           rule="sympy.diff")
    tick()
    jumps = [sympy.expand((sympy.diff(kernel.upper, x, j) - sympy.diff(kernel.lower, x, j)).subs(x, y))
             for j in range(n)]
    c = jumps[n - 1]
    d.step(f"Jumps $J_j$ of $\\partial_x^j G$ across $x = y$ for $j = 0, \\ldots, {n - 1}$: all "
           f"vanish except the last, a constant $c$. A jump $c$ in the derivative of order "
           f"{n - 1} of a function that is polynomial on each side gives "
           f"${tex(sympy.Eq(sympy.Derivative(G_FN(x, y), (x, n)), sympy.Symbol('c') * sympy.DiracDelta(x - y)))}$.",
           sympy.Matrix([jumps]), labels=[sympy.Matrix([[sympy.Symbol(f"J_{j}") for j in range(n)]])],
           rule="jump condition")
    tick()
    if any(j != 0 for j in jumps[:-1]) or not c.is_number or c == 0 or any(e != 0 for e in d_n):
        raise ArithmeticError(f"G_{p} is not the Green's function of d^{n}/dx^{n}")
    ode = sympy.Eq(sympy.Derivative(phi(x), (x, n)), (c / mu) * phi(x))
    d.step(f"Apply $\\partial_x^{{{n}}}$ to "
           + inline(sympy.Eq(mu * phi(x), sympy.Integral(G_FN(x, y) * phi(y), y))) + ":",
           ode, rule="Green's function")
    tick()
    conditions, shown = [], []
    for endpoint, branch in ((a, kernel.lower), (b, kernel.upper)):
        for j in range(n):
            value = sympy.expand(sympy.diff(branch, x, j).subs(x, endpoint))
            if value == 0:
                conditions.append((endpoint, j))
                shown.append(sympy.Eq(sympy.Subs(sympy.Derivative(phi(x), (x, j)), x, endpoint)
                                      if j else phi(endpoint), 0))
    d.step("Boundary conditions: $\\varphi^{(j)}(E) = \\mu^{-1} \\int \\partial_x^j G(E, y) "
           "\\varphi(y)\\, dy$ vanishes for every $\\varphi$ exactly when $\\partial_x^j G(E, y)$ is "
           f"identically zero in $y$. Checking $j = 0, \\ldots, {n - 1}$ at both ends finds "
           f"{len(conditions)} conditions (the ODE has order {n}).",
           *shown, rule="differentiate the kernel and evaluate at the endpoints")
    tick()
    if len(conditions) != n:
        raise ArithmeticError(f"found {len(conditions)} boundary conditions, expected {n}")
    sign = 1 if c > 0 else -1
    roots = _roots_of_sign(n, sign)
    d.step(f"Write $\\mu = \\lvert c \\rvert / \\omega^{{{n}}}$ ($\\omega > 0$). Then "
           f"$\\varphi^{{({n})}} = \\operatorname{{sign}}(c)\\, \\omega^{{{n}}} \\varphi$ has the "
           f"solutions $e^{{r \\omega x}}$ with $r^{{{n}}} = {sign}$:",
           *[sympy.nsimplify(sympy.expand_complex(r)) for r in roots],
           labels=[sympy.Symbol(f"r_{i}") for i in range(1, len(roots) + 1)],
           rule="characteristic polynomial of a constant-coefficient ODE")
    tick()
    basis = _fundamental_system(roots, a, b)
    d.step("A real fundamental system, each exponential anchored at the end where it is $O(1)$:",
           *[f.expr for f in basis], labels=[sympy.Function(f"f_{i}")(x) for i in range(1, len(basis) + 1)],
           rule="real and imaginary parts")
    tick()
    derivatives = [f.derivatives(n - 1) for f in basis]
    matrix = sympy.Matrix([[sympy.expand(ders[j].subs(x, endpoint) / omega**j) for ders in derivatives]
                           for endpoint, j in conditions])
    d.step("Apply the boundary conditions (row $j$ divided by $\\omega^j$) to the fundamental "
           "system: $\\varphi = \\sum_m a_m f_m$ is an eigenfunction exactly when "
           "$M(\\omega) a = 0$.",
           matrix, labels=[sympy.Function("M")(omega)], rule="substitution")
    tick()
    if p <= SYMBOLIC_DET_MAX_POWER:
        characteristic = _simplify_scaled(sympy.expand(matrix.det()), length)
        d.step("Characteristic equation $\\det M(\\omega) = 0$:", sympy.Eq(characteristic, 0),
               rule="Matrix.det; sympy.simplify")
        tick()
    else:
        characteristic = sympy.Determinant(matrix)
        d.step(f"Characteristic equation $\\det M(\\omega) = 0$ (the ${n} \\times {n}$ "
               "determinant is evaluated numerically with mpmath rather than expanded).",
               sympy.Eq(characteristic, 0), rule="definition")
        tick()
    limit = matrix.applyfunc(_drop_small_exponentials)
    limit = limit.subs({sympy.cos(omega * length): C, sympy.sin(omega * length): S})
    alpha, beta = _limit_coefficients(limit, p, d, length)
    tick()
    d.result = sympy.Eq(sympy.Derivative(phi(x), (x, n)), (c / mu) * phi(x))
    return EigenODE(kernel, n, c, tuple(conditions), tuple(roots), tuple(basis), matrix,
                    characteristic, alpha, beta, d)


#: Progress units of :func:`eigen_ode`: the Gram kernel, then each recorded step (the limit
#: step is recorded inside :func:`_limit_coefficients`, counted when it returns).
EIGEN_ODE_STAGES = 11
_DERIVED: dict = {}


def eigen_ode(power: int, interval: object = (-1, 1), progress=None) -> EigenODE:
    """Derive the eigen-ODE, boundary conditions and characteristic equation of G_P.

    ``progress(n)`` is told of each of the :data:`EIGEN_ODE_STAGES` stages as it ends
    (P = 6 takes about 8 s); results are kept for the session (up to 64 kernels).

    >>> ode = eigen_ode(1)
    >>> ode.order, ode.jump, ode.conditions
    (4, 1, ((-1, 2), (-1, 3), (1, 0), (1, 1)))
    """
    tick = (lambda: progress(1)) if progress is not None else (lambda: None)
    kernel = gram_kernel(power, interval)
    tick()
    if kernel not in _DERIVED:
        if len(_DERIVED) >= 64:
            _DERIVED.pop(next(iter(_DERIVED)))
        _DERIVED[kernel] = _derive(kernel, tick)
    elif progress is not None:
        progress(EIGEN_ODE_STAGES - 1)
    return _DERIVED[kernel]
