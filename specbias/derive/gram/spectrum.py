"""Eigenvalues mu_k of the Gram integral operator f -> int G_P(x, y) f(y) dy, to many digits.

Method: the roots omega_k of the characteristic equation det M(omega) = 0 derived in
:mod:`specbias.derive.gram.eigen_ode`, bracketed by sign changes on a grid much finer than
their asymptotic spacing pi/L and refined with mpmath, then mu_k = |c| / omega_k^n.

Certificates, each computed, none assumed:

* a lower bound on omega: mu_1 <= sum_k mu_k = int G(x, x) dx (Mercer's trace identity),
  so no root lies below omega_min = (|c| / trace)^(1/n) and the scan starts there;
* the trace identity itself: sum_{k<=K} mu_k + tail_K = int G(x, x) dx, with the tail from
  the derived asymptotics; a skipped root changes the sum by at least mu_K - mu_{K+1},
  so the check demands a residual below a quarter of that (and strictly increasing roots);
  the residual reported is usually many orders of magnitude smaller;
* digits: one Newton step at 20 more digits moves each root by less than 10^-(dps+2).
"""

from __future__ import annotations

from dataclasses import dataclass

import mpmath
import sympy

from specbias.derive.gram.eigen_ode import EigenODE, eigen_ode, omega
from specbias.derive.gram.kernel import x
from specbias.derive.gram.options import MAX_COUNT
from specbias.support.params import check_count, check_dps
from specbias.records import Spectrum

#: Grid points per asymptotic root spacing pi/L in the bracketing scan.
SCAN_POINTS_PER_SPACING = 16
#: Guard digits carried beyond the requested ones.
GUARD_DIGITS = 20
#: Roots found beyond the K asked for, to compare with the asymptotic tail.
EXTRA_TAIL = 5


@dataclass(frozen=True)
class Asymptotics:
    """mu_k ~ constant * (k - k0)^(-exponent), derived from the limit determinant."""

    constant: sympy.Expr
    k0: sympy.Expr
    exponent: int

    def mu(self, k):
        """The asymptotic mu_k (mpmath, at the current precision)."""
        return mpmath.mpf(sympy.N(self.constant, mpmath.mp.dps + 5)) * (
            k - mpmath.mpf(sympy.N(self.k0, mpmath.mp.dps + 5))) ** (-self.exponent)

    def to_json(self) -> dict:
        return {"form": "mu_k ~ C (k - k0)^(-n)", "C": sympy.sstr(self.constant),
                "C_decimal": str(sympy.N(self.constant, 20)), "k0": sympy.sstr(self.k0),
                "n": self.exponent, "omega_k": "omega_k L ~ (k - k0) pi"}

    def tail(self, k_max: int):
        """sum_{k > k_max} of the asymptotic mu_k (Hurwitz zeta)."""
        k0 = mpmath.mpf(sympy.N(self.k0, mpmath.mp.dps + 5))
        return mpmath.mpf(sympy.N(self.constant, mpmath.mp.dps + 5)) * mpmath.zeta(
            self.exponent, k_max + 1 - k0)


@dataclass(frozen=True)
class TraceCertificate:
    """What certifies the roots: Mercer's trace identity and a Newton step (module docstring).

    ``trace`` is the exact ``int G(x, x) dx``; the other numbers are mpmath values at the
    working precision.
    """

    trace: sympy.Rational
    residual: object            # trace - sum_{k<=K} mu_k - tail_K
    residual_over_mu_k: object  # |residual| / mu_K
    gap_ok: bool                # |residual| < (mu_K - mu_{K+1}) / 4 and roots strictly increase
    tail_rel: object            # max relative gap of mu_{K+1..K+5} to the asymptotic form
    newton_max: object          # max |delta omega / omega| of one Newton step at more digits
    digits_ok: bool             # newton_max < 10^-(dps + 2)
    omega_min: object           # the proven lower bound on the roots

    def to_json(self) -> dict:
        return {"trace_exact": str(self.trace), "trace_residual": mpmath.nstr(self.residual, 5),
                "trace_residual_over_mu_K": mpmath.nstr(self.residual_over_mu_k, 5),
                "trace_ok": self.gap_ok, "tail_vs_asymptotic_rel": mpmath.nstr(self.tail_rel, 5),
                "newton_rel_correction_max": mpmath.nstr(self.newton_max, 5),
                "digits_ok": self.digits_ok,
                "omega_lower_bound_from_trace": mpmath.nstr(self.omega_min, 10)}


def determinant_function(ode: EigenODE):
    """omega -> det M(omega) in mpmath at the current precision (lambdified from SymPy)."""
    f = sympy.lambdify(omega, ode.matrix, modules="mpmath")
    return lambda w: mpmath.det(mpmath.matrix(f(w)))


def trace(ode: EigenODE) -> sympy.Rational:
    """int_A^B G(x, x) dx, exactly."""
    k = ode.kernel
    return sympy.integrate(k.diagonal, (x, k.a, k.b))


def _phase_offset(ode: EigenODE):
    """theta with the limit roots at omega L = theta + pi/2 + m pi (alpha C + beta S = 0)."""
    return mpmath.atan2(mpmath.mpf(sympy.N(ode.limit_sin, mpmath.mp.dps)),
                        mpmath.mpf(sympy.N(ode.limit_cos, mpmath.mp.dps)))


def omega_lower_bound(ode: EigenODE):
    """omega_min = (|c| / trace)^(1/n) <= omega_1, since mu_1 <= sum_k mu_k = trace."""
    return (abs(mpmath.mpf(sympy.N(ode.jump, mpmath.mp.dps)))
            / mpmath.mpf(sympy.N(trace(ode), mpmath.mp.dps))) ** (mpmath.mpf(1) / ode.order)


def characteristic_roots(ode: EigenODE, count: int, progress=None) -> list:
    """The first ``count`` roots omega_1 < omega_2 < ... of det M(omega), at the current dps."""
    det = determinant_function(ode)
    length = mpmath.mpf(sympy.N(ode.kernel.length, mpmath.mp.dps))
    w = omega_lower_bound(ode) * (1 - mpmath.mpf(10) ** -6)  # attained only if mu_2 = 0
    step = mpmath.pi / length / SCAN_POINTS_PER_SPACING
    roots, f_prev = [], det(w)
    while len(roots) < count:
        w_next = w + step
        f_next = det(w_next)
        if f_prev == 0 or f_prev * f_next < 0:
            roots.append(w if f_prev == 0 else mpmath.findroot(det, (w, w_next), solver="anderson"))
            if progress is not None:
                progress(1)
        w, f_prev = w_next, f_next
    return roots[:count]


def asymptotics(ode: EigenODE, first_roots: list) -> Asymptotics:
    """Constants of mu_k ~ C (k - k0)^-n from the limit determinant and the root indexing.

    The limit roots are omega L = theta + pi/2 + m pi; the integer m of the k-th computed
    root fixes k0 = k - m - 1/2 - theta/pi, checked to be the same for every k used.
    """
    length = ode.kernel.length
    theta = _phase_offset(ode)
    offsets = set()
    for k, w in enumerate(first_roots, start=1):
        m = int(mpmath.nint(w * mpmath.mpf(sympy.N(length, mpmath.mp.dps)) / mpmath.pi
                            - mpmath.mpf(1) / 2 - theta / mpmath.pi))
        offsets.add(k - m)
    if len(offsets) != 1:
        raise ArithmeticError(f"root indexing is inconsistent with the asymptotics: {offsets}")
    theta_over_pi = sympy.nsimplify(float(theta / mpmath.pi), rational=True, tolerance=1e-12)
    k0 = sympy.Integer(offsets.pop()) - sympy.Rational(1, 2) - theta_over_pi
    constant = abs(ode.jump) * (length / sympy.pi) ** ode.order
    return Asymptotics(constant, k0, ode.order)  # exact: nsimplify would round tiny C to 0


def _newton_correction(det, w, extra: int):
    """|delta omega / omega| of one Newton step at ``extra`` more digits."""
    with mpmath.extradps(extra):
        w = mpmath.mpf(w)
        return abs(det(w) / mpmath.diff(det, w) / w)


def gram_eigenvalues(power: int, interval: object = (-1, 1), count: int = 10, dps: int = 30,
                     progress=None) -> Spectrum:
    """The ``count`` largest eigenvalues mu_k of the Gram operator of ReLU^power on [A, B].

    Values are decimal strings with ``dps`` significant digits, with the certificates
    described in the module docstring in ``extras``. ``progress(1)`` is called for each root
    found: ``count + EXTRA_TAIL`` in all.

    >>> s = gram_eigenvalues(1, count=3, dps=20)
    >>> s.extras["certificate"].gap_ok, s.extras["certificate"].digits_ok
    (True, True)
    """
    count, dps = check_count(count, MAX_COUNT), check_dps(dps)
    ode = eigen_ode(power, interval)
    extra_tail = EXTRA_TAIL
    with mpmath.workdps(dps + GUARD_DIGITS):
        roots = characteristic_roots(ode, count + extra_tail, progress)
        asym = asymptotics(ode, roots)
        c = abs(mpmath.mpf(sympy.N(ode.jump, mpmath.mp.dps)))
        mus = [c / w**ode.order for w in roots]
        tr = mpmath.mpf(sympy.N(trace(ode), mpmath.mp.dps))
        residual = tr - mpmath.fsum(mus[:count]) - asym.tail(count)
        rel_tail = max(abs(mus[k] / asym.mu(k + 1) - 1) for k in range(count, count + extra_tail))
        det = determinant_function(ode)
        corrections = [_newton_correction(det, w, GUARD_DIGITS) for w in roots[:count]]
        worst = max(corrections)
        # A skipped root puts mu_{K+1} in place of some mu_j, j <= K, and moves the sum by at
        # least mu_K - mu_{K+1}; a root found twice would break strict increase.
        certificate = TraceCertificate(
            trace(ode), residual, abs(residual) / mus[count - 1],
            bool(abs(residual) < (mus[count - 1] - mus[count]) / 4
                 and all(a < b for a, b in zip(roots, roots[1:]))),
            rel_tail, worst, bool(worst < mpmath.mpf(10) ** -(dps + 2)), omega_lower_bound(ode))
        values = [mpmath.nstr(m, dps, strip_zeros=False) for m in mus[:count]]
        omegas = [mpmath.nstr(w, dps, strip_zeros=False) for w in roots[:count]]
    a, b = ode.kernel.a, ode.kernel.b
    return Spectrum(
        values=values, digits=dps, method="characteristic-equation roots (mpmath, bracketed)",
        description=f"eigenvalues of f -> int G_{power}(x,y) f(y) dy on [{a}, {b}]",
        params={"power": power, "interval": [str(a), str(b)], "count": count},
        extras={"omega": omegas, "certificate": certificate, "asymptotic": asym},
    )
