"""Spectra of zonal kernels on S^(d−1) by the Funk–Hecke formula, for deep NNGP/NTK kernels.

For k(x, z) = κ(x·z) on S^(d−1) with the uniform probability measure σ, every spherical
harmonic of degree l is an eigenfunction of f ↦ ∫ k(x, z) f(z) dσ(z) with eigenvalue

    μ_l = (|S^(d−2)| / |S^(d−1)|) ∫_0^π κ(cos θ) P_l^(d)(cos θ) sin^(d−2) θ dθ,

P_l^(d) the Gegenbauer polynomial C_l^((d−2)/2) normalized to P_l^(d)(1) = 1 (Chebyshev T_l for
d = 2), multiplicity N(d, l) = (2l + d − 2)(l + d − 3)! / (l! (d − 2)!) (C. Müller, Spherical
Harmonics, LNM 17, 1966, Thm. 6; Atkinson & Han, Spherical Harmonics and Approximations on the
Unit Sphere, 2012, Ch. 2). For d = 2 this is the Fourier coefficient (1/2π)∫ κ(cos δ) cos(lδ) dδ.

κ is the depth-L NNGP Σ^(L+1) or NTK Θ^(L+1) of the ``ntk`` parametrization of
:mod:`specbias.derive.ntk.kernels` evaluated at unit inputs (all diagonals equal, so each layer
has one variance q_l and the recursion runs in the correlation ρ), with the Gaussian duals of
:mod:`specbias.derive.sphere.duals`. The θ-integral uses the double-exponential (tanh–sinh)
rule, which keeps its geometric convergence at the endpoint singularities of ReLU kernels
(κ is not analytic at θ = 0); two step sizes certify it. The working precision adds the digits
that the cancellation in μ_l costs (estimated from a first pass).
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field

import mpmath
import numpy as np

from specbias.derive.ntk.kernels import check_depth, check_variances
from specbias.derive.sphere.duals import check_activation, gaussian_dual
from specbias.errors import InvalidArgument, require
from specbias.records import Spectrum
from specbias.support.params import check_count, check_dps

KERNELS = ("ntk", "nngp")
MAX_DIM = 64


def check_dimension(d: object) -> int:
    if isinstance(d, bool) or not isinstance(d, int):
        raise InvalidArgument(f"dimension d = {d!r} must be an integer >= 2 (S^(d-1) in R^d)")
    require(2 <= d <= MAX_DIM, f"dimension d = {d} is out of range: use 2..{MAX_DIM}")
    return d


def multiplicity(d: int, l: int) -> int:
    """N(d, l), the dimension of the degree-l spherical harmonics on S^(d−1)."""
    if l == 0:
        return 1
    if d == 2:
        return 2
    return (2 * l + d - 2) * math.comb(l + d - 3, l - 1) // l


def zonal_kernel(depth: int, activation: str, kernel: str = "ntk", d: int = 3,
                 weight_var: float = 2.0, bias_var: float = 0.0, dps: int = 30):
    """κ(t) (mpmath callable) for unit inputs in R^d, the ``ntk`` parametrization:
    Σ¹ = σ_w² t/d + σ_b², Σ^(l+1) = σ_w² V_l(ρ_l) + σ_b², Σ̇^(l+1) = σ_w² V̇_l(ρ_l),
    Θ^(l+1) = Σ^(l+1) + Θ^(l) Σ̇^(l+1), ρ_l = Σ^(l)/q_l, q_(l+1) = σ_w² V_l(1) + σ_b².
    Returns (κ, info) with the per-layer variances and the duals' certificates."""
    depth = check_depth(depth)
    activation = check_activation(activation)
    if kernel not in KERNELS:
        raise InvalidArgument(f"kernel {kernel!r} is unknown: use ntk or nngp")
    if kernel == "ntk" and activation == "step":
        raise InvalidArgument("the step activation has no finite NTK (σ' = δ): use relu, relu2, "
                              "erf, tanh, sigmoid, gelu, or --kernel nngp")
    sw2, sb2 = (mpmath.mpf(v) for v in check_variances(weight_var, bias_var))
    qs = [sw2 / d + sb2]
    duals = []
    for _ in range(depth):
        dual = gaussian_dual(activation, qs[-1], dps)
        duals.append(dual)
        qs.append(sw2 * dual.diagonal + sb2)

    def kappa(t):
        sig = sw2 * t / d + sb2
        ntk = sig
        for l, dual in enumerate(duals):
            rho = sig / qs[l]
            rho = max(mpmath.mpf(-1), min(mpmath.mpf(1), rho))
            sig_next = sw2 * dual.value(rho) + sb2
            if kernel == "ntk":
                ntk = sig_next + ntk * sw2 * dual.derivative(rho)
            sig = sig_next
        return ntk if kernel == "ntk" else sig

    return kappa, {"variances": [mpmath.nstr(q, 12) for q in qs],
                   "duals": [dl.certificate for dl in duals]}


def _de_rule(h, prec_digits: int):
    """Tanh–sinh nodes θ_j ∈ (0, π) and weights for ∫_0^π with step h in t."""
    tmax = mpmath.log(4 * prec_digits * mpmath.log(10) / mpmath.pi + 4) + 0.5
    m = int(mpmath.ceil(tmax / h))
    nodes, weights = [], []
    half = mpmath.pi / 2
    for j in range(-m, m + 1):
        t = j * h
        u = half * mpmath.sinh(t)
        th = half * (1 + mpmath.tanh(u))
        w = half * half * mpmath.cosh(t) / mpmath.cosh(u) ** 2 * h
        if 0 < th < mpmath.pi:
            nodes.append(th)
            weights.append(w)
    return nodes, weights


def _gegenbauer_all(t, d: int, lmax: int) -> list:
    """P_0^(d)(t)..P_lmax^(d)(t), normalized P_l(1) = 1 (three-term recurrence)."""
    out = [mpmath.mpf(1), t]
    for l in range(1, lmax):
        # (l + d − 2) P_(l+1) = (2l + d − 2) t P_l − l P_(l−1)
        out.append(((2 * l + d - 2) * t * out[l] - l * out[l - 1]) / (l + d - 2))
    return out[:lmax + 1]


def funk_hecke_values(kappa, d: int, lmax: int, h) -> tuple[list, list]:
    """(μ_0..μ_lmax, Σ|integrand| per l) by the tanh–sinh rule of step h."""
    nodes, weights = _de_rule(h, mpmath.mp.dps)
    ratio = mpmath.gamma(mpmath.mpf(d) / 2) / (mpmath.sqrt(mpmath.pi) * mpmath.gamma(mpmath.mpf(d - 1) / 2))
    mu = [mpmath.mpf(0)] * (lmax + 1)
    absint = [mpmath.mpf(0)] * (lmax + 1)
    for th, w in zip(nodes, weights):
        c = mpmath.cos(th)
        base = kappa(c) * w * mpmath.sin(th) ** (d - 2)
        polys = [mpmath.cos(l * th) for l in range(lmax + 1)] if d == 2 else _gegenbauer_all(c, d, lmax)
        for l, P in enumerate(polys):
            mu[l] += base * P
            absint[l] += abs(base * P)
    return [m * ratio for m in mu], [a * ratio for a in absint]


@dataclass
class SphereSpectrum:
    """μ_l, l = 0..count−1 (distinct Funk–Hecke eigenvalues) with multiplicities."""

    d: int
    depth: int
    activation: str
    kernel: str
    values: list
    digits: int
    multiplicities: list
    certificate: dict
    mp_values: list = field(repr=False, default_factory=list)

    def to_spectrum(self) -> Spectrum:
        return Spectrum(self.values, self.digits,
                        "Funk-Hecke, tanh-sinh quadrature in the angle (two step sizes)",
                        f"{self.kernel.upper()} of a depth-{self.depth} {self.activation} network "
                        f"on S^{self.d - 1} (ntk parametrization), eigenvalues mu_l by degree l",
                        params={"d": self.d, "depth": self.depth, "activation": self.activation,
                                "kernel": self.kernel, "count": len(self.values)},
                        extras={"multiplicities": self.multiplicities,
                                "certificate": self.certificate})


def sphere_spectrum(d: int, depth: int = 1, activation: str = "relu", kernel: str = "ntk",
                    count: int = 20, dps: int = 20, weight_var: float = 2.0,
                    bias_var: float = 0.0, kappa=None) -> SphereSpectrum:
    """The first ``count`` Funk–Hecke eigenvalues μ_0..μ_(count−1) to ``dps`` digits.

    ``kappa`` (an mpmath callable of t = cos θ) replaces the network kernel when given.
    Eigenvalues whose magnitude is below 10^(−dps) of the integral of |κ P_l| are reported as
    such (for instance the odd degrees ≥ 3 of a bias-free two-layer ReLU NTK vanish).
    """
    d = check_dimension(d)
    count = check_count(count, 400, "count")
    dps = check_dps(dps)
    lmax = count - 1
    with mpmath.workdps(dps + 15):
        if kappa is None:
            kappa, info = zonal_kernel(depth, activation, kernel, d, weight_var, bias_var, dps + 10)
        else:
            info = {"kernel": "user zonal function"}
        h0 = mpmath.mpf(1) / (10 + 0.6 * lmax + dps / 2)
        mu, absint = funk_hecke_values(kappa, d, lmax, h0)
    # cancellation: digits lost in μ_l = ∫ κ P_l w (the integrand is O(absint))
    lost = max(0.0, max(float(mpmath.log10(a / abs(m))) if m != 0 else 0.0
                        for m, a in zip(mu, absint)))
    lost = min(lost, 3 * dps)
    work = dps + 12 + int(math.ceil(lost))
    with mpmath.workdps(work):
        if kappa is not None and info.get("kernel") != "user zonal function":
            # the kernel's relative error is multiplied by 10^lost in mu_l
            kappa, info = zonal_kernel(depth, activation, kernel, d, weight_var, bias_var,
                                       dps + 3 + int(math.ceil(lost)))
        h = mpmath.mpf(1) / (10 + 0.6 * lmax + dps / 2)
        mu1, absint = funk_hecke_values(kappa, d, lmax, h)
        mu2, _ = funk_hecke_values(kappa, d, lmax, h * 4 / 5)
        zero = [abs(b) < mpmath.mpf(10) ** (-(dps + 3)) * a for b, a in zip(mu2, absint)]
        rel = [abs(a - b) / abs(b) for a, b, z in zip(mu1, mu2, zero) if not z]
        worst = max(rel) if rel else mpmath.mpf(0)
        values = ["0 (below 1e-%d of its integrand)" % (dps + 3) if z else
                  mpmath.nstr(v, dps, min_fixed=-1, max_fixed=-1) for v, z in zip(mu2, zero)]
        trace = mpmath.fsum(multiplicity(d, l) * v for l, v in enumerate(mu2))
        k1 = kappa(mpmath.mpf(1))
    require(worst < mpmath.mpf(10) ** (-dps), f"Funk–Hecke quadrature did not converge to {dps} "
                                              f"digits (step change {mpmath.nstr(worst, 3)})")
    cert = {"step_change_rel": mpmath.nstr(worst, 3), "working_digits": work,
            "cancellation_digits": round(lost, 1), "zero_degrees": [l for l, z in enumerate(zero) if z],
            "trace_partial": mpmath.nstr(trace, 15), "kappa_at_1": mpmath.nstr(k1, 15),
            "trace_note": "sum_l N(d,l) mu_l -> kappa(1) (Mercer); the partial sum is below it",
            **info}
    return SphereSpectrum(d, depth, str(activation), kernel, values, dps,
                          [multiplicity(d, l) for l in range(count)], cert,
                          [v for v in mu2])


@dataclass(frozen=True)
class DecayFit:
    """μ_l ≈ C l^(−exponent) (1 + a/l + b/l²) on degrees [l_lo, l_hi]: least squares of log μ
    on log l, 1/l and 1/l². ``stderr`` combines the residuals' standard error with the model
    error, the change of the exponent when the 1/l² term is dropped. ``local``: local slopes."""

    exponent: float
    stderr: float
    l_lo: int
    l_hi: int
    local: list


def _fit_exponent(L, Y, ls, terms: int) -> tuple[float, float]:
    cols = [np.ones_like(L), -L] + [1.0 / ls ** k for k in range(1, terms + 1)]
    X = np.column_stack(cols)
    coef, *_ = np.linalg.lstsq(X, Y, rcond=None)
    res = Y - X @ coef
    cov = np.linalg.pinv(X.T @ X) * float(res @ res) / max(1, len(ls) - X.shape[1])
    return float(coef[1]), float(math.sqrt(max(cov[1, 1], 0.0)))


def fit_decay(values, l_lo: int, l_hi: int, step: int = 1) -> DecayFit:
    """Fit the decay exponent of the nonzero μ_l for l in [l_lo, l_hi] (every ``step``-th)."""
    ls = [l for l in range(l_lo, l_hi + 1, step) if l < len(values) and values[l] > 0]
    require(len(ls) >= 6, f"too few nonzero eigenvalues in degrees {l_lo}..{l_hi} to fit a rate")
    la = np.array(ls, dtype=float)
    L = np.log(la)
    Y = np.array([float(mpmath.log(values[l])) for l in ls])
    s2, se2 = _fit_exponent(L, Y, la, 2)
    s1, _ = _fit_exponent(L, Y, la, 1)
    local = [float(-(Y[i + 1] - Y[i]) / (L[i + 1] - L[i])) for i in range(len(ls) - 1)]
    return DecayFit(s2, float(math.hypot(se2, s2 - s1)), ls[0], ls[-1], local)


__all__ = ["DecayFit", "KERNELS", "SphereSpectrum", "check_dimension", "fit_decay",
           "funk_hecke_values", "multiplicity", "sphere_spectrum", "zonal_kernel"]
