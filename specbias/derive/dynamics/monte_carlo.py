"""Constants of E2 (E, "Towards a Mathematical Theory of Machine Learning", the seed's Monte
Carlo and random-feature slides).

* Monte Carlo: E(I(g) − I_m(g))² = var(g)/m for i.i.d. samples of μ; here μ = U[0, 1]^d and the
  product integrand g(x) = Π_i φ(x_i), whose I(g) = (∫φ)^d and E g² = (∫φ²)^d SymPy integrates
  exactly.
* Random features: for k(x, x') = E_{w∼N(0, I/d)}[σ(wᵀx)σ(wᵀx')] (E1, the degree-1 arc-cosine
  kernel of :mod:`specbias.derive.ntk.kernels`) the target f = Σ_i c_i k(·, z_i) has
  ‖f‖²_{H_k} = cᵀK(Z, Z)c and the representation f(x) = E_w[a*(w)σ(wᵀx)] with
  a*(w) = Σ_i c_i σ(wᵀz_i), E_w a*(w)² = ‖f‖²_{H_k}.
"""

from __future__ import annotations

import functools

import numpy as np
import sympy

from specbias.derive.ntk.two_layer import two_layer_kernel
from specbias.errors import require
from specbias.records import Derivation

t = sympy.Symbol("t", real=True)
#: φ of the product integrand: e^t/(e − 1), so that I(g) = 1 in every dimension.
PHI = sympy.exp(t) / (sympy.E - 1)


@functools.lru_cache(maxsize=32)
def product_integrand(dim: int, phi: sympy.Expr = PHI) -> tuple[dict, Derivation]:
    """{"integral", "second_moment", "variance"} (SymPy, exact) of g(x) = Π_{i≤d} φ(x_i) under
    U[0, 1]^d, and the derivation."""
    require(isinstance(dim, int) and 1 <= dim <= 1000, f"dimension {dim!r} must be an integer "
            "from 1 to 1000")
    d = Derivation(f"var(g) for g(x) = prod phi(x_i), x ~ U[0, 1]^{dim}",
                   assumptions=["independent coordinates: E prod = prod E"])
    m1 = d.step("First moment of phi:", sympy.simplify(sympy.integrate(phi, (t, 0, 1))),
                labels=["int_0^1 phi"], rule="integrate")
    m2 = d.step("Second moment of phi:", sympy.simplify(sympy.integrate(phi ** 2, (t, 0, 1))),
                labels=["int_0^1 phi^2"], rule="integrate")
    var = d.step("var(g) = (int phi^2)^d - (int phi)^(2d):", sympy.simplify(m2 ** dim - m1 ** (2 * dim)),
                 labels=["var(g)"])
    d.result, d.result_label = var, "var(g)"
    return {"integral": m1 ** dim, "second_moment": m2 ** dim, "variance": var}, d


def product_values(X: np.ndarray, phi: sympy.Expr = PHI) -> np.ndarray:
    """g(x) = Π_i φ(x_i) for the rows of X (float64)."""
    return np.prod(sympy.lambdify(t, phi, "numpy")(X), axis=1)


def rf_kernel(X: np.ndarray, Y: np.ndarray) -> np.ndarray:
    """k(x, y) = E_{w∼N(0, I/d)}[σ(wᵀx)σ(wᵀy)], the random-feature kernel of E1."""
    return two_layer_kernel(X, Y, "random-features", kernel="nngp")


def rkhs_target(centers: np.ndarray, coeffs: np.ndarray) -> dict:
    """‖f‖²_{H_k} = cᵀK(Z, Z)c for f = Σ c_i k(·, z_i) (so ‖f‖_{H_k} is its square root).

    The Monte Carlo estimator f_m = (1/m) Σ a*(w_j)σ(w_jᵀ·) then has E‖f − f_m‖²_μ = V/m with
    V = E_w[a*(w)²‖σ(wᵀ·)‖²_μ] − ‖f‖²_μ; V/‖f‖²_{H_k} is *not* bounded by sup_x k(x, x) (the
    feature norm grows with |w|), so the constant of the rate is measured, not assumed."""
    K = rf_kernel(centers, centers)
    return {"norm_squared": float(coeffs @ K @ coeffs)}
