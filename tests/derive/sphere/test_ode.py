"""The exact eigen-equation: its symbol, jumps, and matching conditions on Ritz eigenfunctions."""

from __future__ import annotations

import mpmath
import sympy

from specbias.derive.sphere.circle import circle_kernel, fourier_coefficients, q_sym
from specbias.derive.sphere.density import two_level_period_pi
from specbias.derive.sphere.galerkin import circle_spectrum
from specbias.derive.sphere.ode import derive_eigen_equation, matching_conditions, q


def test_symbol_reproduces_fourier_coefficients():
    eq, _ = derive_eigen_equation()
    c, _ = fourier_coefficients()
    assert sympy.simplify(eq["uniform_eigenvalue"].subs(q, q_sym) - c["general"]) == 0


def test_jumps_against_finite_differences():
    """The SymPy jumps of k^(j) at 0 and π against high-precision one-sided differences."""
    eq, _ = derive_eigen_equation()
    k = circle_kernel().mp()
    with mpmath.workdps(60):
        h = mpmath.mpf(10) ** -12
        for point, c in (("0", 0), ("pi", mpmath.pi)):
            for j in range(4):
                right = mpmath.diff(k, c + h, j) if j else k(c + h)
                left = mpmath.diff(k, c - h, j) if j else k(c - h)
                exact = mpmath.mpf(sympy.N(eq["jumps"][point][j], 50))
                assert abs((right - left) - exact) < mpmath.mpf(10) ** -9


def test_matching_conditions_on_ritz_eigenfunctions():
    """λ[f''] = Σ [k^(i)] [p f^(r)] at a breakpoint of a period-π density, for eigenfunction 5."""
    sp = circle_spectrum(two_level_period_pi(3), count=8, dps=14)
    conds = dict(matching_conditions(order=3))
    assert conds[0] == [] and conds[1] == []            # f and f' are continuous
    lam = float(sp.mp_values[4])
    panels = sp.panels
    k = next(i for i in range(len(panels)) if panels[i].p != panels[i - 1].p)
    f2 = sp.panel_derivative(4, k, 2, -1.0) - sp.panel_derivative(4, k - 1, 2, 1.0)
    f0 = sp.panel_derivative(4, k, 0, -1.0)
    jump_p = float(panels[k].p - panels[k - 1].p)
    (coef, shift, r), = conds[2]
    assert shift == 0 and r == 0
    assert abs(lam * f2 - float(coef) * jump_p * f0) < 1e-9 * abs(jump_p * f0)
