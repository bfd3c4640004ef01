"""The deviation k(x, x) − k(x, x') of deep arc-cosine NNGP/NTK kernels, to full relative accuracy.

For inputs of equal norm (the sphere, where NTK spectra are studied) the kernels depend on
the angle θ between x and x' only, and near θ = 0 the interesting quantity is the deviation
Δ(θ) = k(θ=0) − k(θ): it sets the kernel's smoothness, its spectrum's tail and the conditioning
of kernel matrices on close points. Three evaluations:

* :func:`angular_deviation` (float64 or float32, numpy or torch): a recursion carried in
  (q, θ, Θ, ΔΘ) whose every term is non-negative, with J_p(0) − J_p(θ) from its Taylor
  polynomial near 0; relative error a few ulps per layer for every θ.
* :func:`reference_deviation` (mpmath, any precision): the closed forms, subtracting at high
  precision; an independent path (no series, no angle bookkeeping).
* :func:`arccos_deviation`: what common code does (θ = arccos of the rounded cosine, the closed
  forms, subtract at the end); the baseline whose digits vanish below θ ≈ 1e-8 in float64.
"""

from __future__ import annotations

import math

import mpmath

from specbias.derive.ntk.arccos import POWERS, check_activation, numeric_factors
from specbias.derive.ntk.kernels import (_angle_from_versine, _module_name, check_depth,
                                 check_parametrization, check_variances, deviation)
from specbias.errors import InvalidArgument


def _setup(activation, depth, weight_var, bias_var, parametrization):
    activation = check_activation(activation)
    if activation not in ("relu", "relu2"):
        raise InvalidArgument(f"activation {activation!r}: the angular deviation is implemented "
                              "for the arc-cosine family with a finite NTK: use relu or relu2")
    return (POWERS[activation], check_depth(depth), *check_variances(weight_var, bias_var),
            check_parametrization(parametrization))


def angular_deviation(th, depth: int = 1, activation: str = "relu", weight_var: float = 2.0,
                      bias_var: float = 0.0, parametrization: str = "ntk", dim: int = 1, xp=None):
    """(ΔΣ, ΔΘ) = (Σ(x,x) − Σ(x,x'), Θ(x,x) − Θ(x,x')) for unit inputs in R^dim at angle θ.

    ``th`` is an array of angles of module ``xp`` (numpy by default, or torch).
    """
    if xp is None:
        import numpy as xp
    p, depth, sw2, sb2, par = _setup(activation, depth, weight_var, bias_var, parametrization)
    f, g = numeric_factors(p, _module_name(xp)), numeric_factors(p - 1, _module_name(xp))
    c0, d0 = f["J0f"] / (2 * math.pi), g["J0f"] / (2 * math.pi)
    vers0 = 2 * xp.sin(th / 2) ** 2
    q = sw2 / dim + sb2 + 0 * th
    dsig = sw2 * vers0 / dim
    bias_grad = 1.0 if sb2 > 0 else 0.0
    T, dT = (q, dsig) if par == "ntk" else (1 / dim + bias_grad + 0 * th, vers0 / dim)
    th = _angle_from_versine(dsig / q, xp)
    for _ in range(depth):
        dsig = sw2 * q ** p * deviation(p, th, xp) / (2 * math.pi)
        qn = sw2 * c0 * q ** p + sb2
        sd = sw2 * p ** 2 * q ** (p - 1) * d0
        dsd = sw2 * p ** 2 * q ** (p - 1) * deviation(p - 1, th, xp) / (2 * math.pi)
        # Θ' = Σ' + Θ Σ̇' (ntk) so ΔΘ' = ΔΣ' + Θ ΔΣ̇' + ΔΘ (Σ̇' − ΔΣ̇'): every term ≥ 0.
        scale = 1.0 if par == "ntk" else 1 / sw2
        T, dT = ((qn if par == "ntk" else (qn - sb2) / sw2 + bias_grad) + T * sd,
                 scale * dsig + T * dsd + dT * (sd - dsd))
        q, th = qn, _angle_from_versine(dsig / qn, xp)
    return dsig, dT


def _recursion_mp(cos0, p, depth, sw2, sb2, par, dim, angle):
    """Σ, Θ on and off the diagonal by the closed forms, in mpmath (caller sets precision)."""
    f, g = numeric_factors(p, "mpmath"), numeric_factors(p - 1, "mpmath")
    bias_grad = 1 if sb2 > 0 else 0
    q, c = sw2 / mpmath.mpf(dim) + sb2, sw2 * cos0 / dim + sb2
    Td, To = (q, c) if par == "ntk" else (mpmath.mpf(1) / dim + bias_grad, cos0 / dim + bias_grad)
    for _ in range(depth):
        th = angle(c / q)
        qn = sw2 * q ** p * f["J"](0) / (2 * mpmath.pi) + sb2
        cn = sw2 * q ** p * f["J"](th) / (2 * mpmath.pi) + sb2
        sdd = sw2 * p ** 2 * q ** (p - 1) * g["J"](0) / (2 * mpmath.pi)
        sdo = sw2 * p ** 2 * q ** (p - 1) * g["J"](th) / (2 * mpmath.pi)
        if par == "ntk":
            Td, To = qn + Td * sdd, cn + To * sdo
        else:
            Td, To = (qn - sb2) / sw2 + bias_grad + Td * sdd, (cn - sb2) / sw2 + bias_grad + To * sdo
        q, c = qn, cn
    return q - c, Td - To


def reference_deviation(theta, depth: int = 1, activation: str = "relu", weight_var=2.0,
                        bias_var=0.0, parametrization: str = "ntk", dim: int = 1, dps: int = 60):
    """mpmath reference of :func:`angular_deviation` at one angle (closed forms, ``dps`` digits).

    >>> import mpmath
    >>> ref = reference_deviation(mpmath.mpf('1e-3'), depth=2)
    >>> fast = angular_deviation(__import__('numpy').array([1e-3]), depth=2)
    >>> [float(abs(fast[i][0] / ref[i] - 1)) < 1e-14 for i in (0, 1)]
    [True, True]
    """
    p, depth, sw2, sb2, par = _setup(activation, depth, weight_var, bias_var, parametrization)
    with mpmath.workdps(dps):
        th = mpmath.mpf(theta)
        return _recursion_mp(mpmath.cos(th), p, depth, mpmath.mpf(sw2), mpmath.mpf(sb2), par,
                             dim, mpmath.acos)


def arccos_deviation(theta: float, depth: int = 1, activation: str = "relu", weight_var=2.0,
                     bias_var=0.0, parametrization: str = "ntk", dim: int = 1):
    """The conventional float64 evaluation: θ_l = arccos(rounded cosine), subtract at the end."""
    p, depth, sw2, sb2, par = _setup(activation, depth, weight_var, bias_var, parametrization)
    with mpmath.workprec(53):  # mpmath at 53 bits rounds like float64, one operation at a time
        out = _recursion_mp(mpmath.cos(mpmath.mpf(theta)), p, depth, mpmath.mpf(sw2),
                            mpmath.mpf(sb2), par, dim,
                            lambda c: mpmath.acos(min(mpmath.mpf(1), c)))
    return float(out[0]), float(out[1])
