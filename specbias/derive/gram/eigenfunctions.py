"""Eigenfunctions of the Gram operator from the characteristic matrix, and their anatomy.

At a root omega_k of det M(omega), the null vector a of M(omega_k) gives
phi_k = sum_m a_m f_m over the real fundamental system of
:mod:`specbias.derive.gram.eigen_ode`. The columns split into the purely oscillatory pair
cos(omega x), sin(omega x) (the root r = i) and boundary-layer functions (Re r != 0),
each O(1) only within ~1/omega of one end. Their share of ||phi_k|| measures how far
phi_k is from a Fourier mode (Zhao, seeds/000: "leading eigenfunctions mix exponentials
and Fourier modes, later ones are essentially Fourier modes").
"""

from __future__ import annotations

from dataclasses import dataclass

import mpmath
import numpy as np
import sympy

from specbias.derive.gram.eigen_ode import EigenODE, omega
from specbias.derive.gram.kernel import x


@dataclass(frozen=True)
class Eigenfunction:
    """phi(x) = sum_m coefficients[m] * basis[m](x; omega), normalized in L^2."""

    ode: EigenODE
    omega: object  # mpf
    coefficients: tuple  # mpf, L^2-normalized

    @property
    def mu(self):
        return self.ode.mu_of_omega(self.omega)

    def _columns(self, oscillatory: bool | None):
        return [m for m, f in enumerate(self.ode.basis)
                if oscillatory is None or (f.re == 0) == oscillatory]

    def mpmath_function(self, oscillatory: bool | None = None):
        """x -> phi(x) (or only its oscillatory / boundary-layer part) in mpmath."""
        fs = [sympy.lambdify((x, omega), self.ode.basis[m].expr, modules="mpmath")
              for m in self._columns(oscillatory)]
        cs = [self.coefficients[m] for m in self._columns(oscillatory)]
        return lambda t: mpmath.fsum(c * f(t, self.omega) for c, f in zip(cs, fs))

    def numpy_values(self, grid: np.ndarray, oscillatory: bool | None = None) -> np.ndarray:
        """phi (or a part of it) on a float64 grid."""
        w = float(self.omega)
        out = np.zeros_like(grid, dtype=float)
        for m in self._columns(oscillatory):
            f = sympy.lambdify((x, omega), self.ode.basis[m].expr, modules="numpy")
            out = out + float(self.coefficients[m]) * np.broadcast_to(f(grid, w), grid.shape)
        return out


def eigenfunction(ode: EigenODE, root) -> Eigenfunction:
    """The eigenfunction at a characteristic root (null vector of M by SVD, at current dps)."""
    m = mpmath.matrix(sympy.lambdify(omega, ode.matrix, modules="mpmath")(root))
    _, s, v = mpmath.svd_r(m)
    n = m.rows
    a = [v[n - 1, j] for j in range(n)]
    k = ode.kernel
    f = Eigenfunction(ode, root, tuple(a)).mpmath_function()
    norm = mpmath.sqrt(mpmath.quad(lambda t: f(t) ** 2, [k.a, k.b]))
    sign = 1 if f(k.a) >= 0 else -1
    return Eigenfunction(ode, root, tuple(sign * c / norm for c in a))


def boundary_layer_share(ef: Eigenfunction, points: int = 20001) -> float:
    """||boundary-layer part|| / ||phi|| in L^2 (trapezoid on a float64 grid)."""
    k = ef.ode.kernel
    grid = np.linspace(float(k.a), float(k.b), points)
    layer = ef.numpy_values(grid, oscillatory=False)
    full = ef.numpy_values(grid)
    return float(np.sqrt(np.trapezoid(layer**2, grid) / np.trapezoid(full**2, grid)))


def integral_equation_residual(ef: Eigenfunction, at) -> object:
    """|int G(at, y) phi(y) dy - mu phi(at)| / |mu| by mpmath quadrature (split at y = at).

    An independent check of the ODE, the boundary conditions and the root together.
    """
    k = ef.ode.kernel
    g = k.numeric("mpmath")
    phi_ = ef.mpmath_function()
    integral = mpmath.quad(lambda t: g(at, t) * phi_(t), [k.a, at, k.b])
    return abs(integral - ef.mu * phi_(at)) / abs(ef.mu)
