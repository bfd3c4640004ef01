"""References shared by the audits of Z3, Z4 and Z6 (H. Zhao, "Numerical Analysis 101 for
Neural Networks"): eigenvalues of the Gram operator and of finite Gram matrices, and the small
statistics the audits use (power-law growth with an error bar, bootstrap quantiles).

This module registers no audit; it only computes. Every eigenvalue comes from
:mod:`specbias.derive`: the operator's mu_k from the certified roots of its characteristic
equation (:func:`specbias.derive.gram.spectrum.gram_eigenvalues`) and the derived asymptotic
form beyond them; a Gram matrix's lambda_k either certified
(:func:`specbias.derive.matrix.spectrum.gram_matrix_spectrum`) or by float64 ``eigvalsh`` with
its error bound (:func:`float64_bound`), which the audits compare with the certified values.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache

import mpmath
import numpy as np

from specbias.derive.gram.kernel import gram_kernel
from specbias.derive.gram.spectrum import gram_eigenvalues
from specbias.derive.matrix.knots import Knots
from specbias.derive.matrix.spectrum import gram_matrix_spectrum
from specbias.numbers import Certified, Measured
from specbias.records import Spectrum

#: Digits of every certified reference used by these audits (far more than any check needs).
DPS = 20
#: Operator eigenvalues computed as roots; beyond, the asymptotic form (exponentially accurate).
KNOWN_ROOTS = 40
#: float64 unit roundoff.
U64 = float(np.finfo(np.float64).eps) / 2


@lru_cache(maxsize=8)
def operator_spectrum(power: int) -> Spectrum:
    """The first KNOWN_ROOTS eigenvalues mu_k of the Gram operator of ReLU^power on (-1, 1)."""
    return gram_eigenvalues(power, (-1, 1), KNOWN_ROOTS, DPS)


def operator_mu(power: int, count: int) -> np.ndarray:
    """mu_1..mu_count in float64: the certified roots, then the derived asymptotic form
    C (k - k0)^-(2P+2), whose relative error is exponentially small in k (checked against the
    roots in ``tests/claims/test_zhao_matrix.py``)."""
    spec = operator_spectrum(power)
    asym = spec.extras["asymptotic"]
    with mpmath.workdps(DPS):
        known = [float(mpmath.mpf(v)) for v in spec.values[:count]]
        tail = [float(asym.mu(k)) for k in range(len(known) + 1, count + 1)]
    return np.array(known + tail)


def slide_centre(n: int, mu: np.ndarray) -> np.ndarray:
    """(n/2) mu_k: where the slides (claims Z3, Z4) put the eigenvalues of the n x n Gram
    matrix. The statement under audit, not a reference."""
    return n / 2 * mu


def mu_1(power: int = 1, digits: int = 12) -> Certified:
    """The largest operator eigenvalue mu_1, shown to ``digits`` of its certified digits."""
    spec = operator_spectrum(power)
    return Certified(spec.values[0], min(digits, spec.digits))


def certified_lambda(power: int, kn: Knots) -> tuple[np.ndarray, object]:
    """All eigenvalues of the Gram matrix at the knots ``kn``, certified to DPS digits (as
    float64, descending) and the certificate (:class:`~specbias.derive.matrix.spectrum.
    MatrixCertificate`)."""
    spec = gram_matrix_spectrum(power, kn, dps=DPS)
    with mpmath.workdps(DPS):
        return np.array([float(mpmath.mpf(v)) for v in spec.values]), spec.extras["certificate"]


def float64_gram(b: np.ndarray, power: int = 1) -> np.ndarray:
    """G_ij = G_P(b_i, b_j) in float64, from the derived kernel (lambdified)."""
    b = np.asarray(b, dtype=np.float64)
    return gram_kernel(power).numeric("numpy")(b[:, None], b[None, :])


def float64_lambda(b: np.ndarray, power: int = 1) -> np.ndarray:
    """Eigenvalues of the float64 Gram matrix at knots ``b``, descending (LAPACK eigvalsh)."""
    return np.linalg.eigvalsh(float64_gram(b, power))[::-1]


def float64_bound(lam: np.ndarray) -> float:
    """An error bound for every float64 eigenvalue: 2 n u lambda_1. Forming G rounds each
    entry by at most u |G_ij| (a perturbation of 2-norm <= n u max|G_ij| <= n u lambda_1), and
    eigvalsh is backward stable with a backward error of the same order (Weyl's inequality turns
    both into absolute eigenvalue errors); the audits check it against certified spectra."""
    return 2 * lam.size * U64 * float(lam[0])


def quasi_even_knots(n: int, size: float, seed: int) -> np.ndarray:
    """b_i = -1 + 2(i - 1)/n + size (2/n) u_i, u_i uniform on [-1/2, 1/2) (seeded, centred, so
    the jitter does not also shift the grid), with b_1 kept at -1 or above (the Gram kernel is
    that of (-1, 1)): the slide's quasi-even knots, perturbed by at most ``size``/2 knot
    spacings (o(1/n) when size -> 0)."""
    u = np.random.default_rng(seed).uniform(-0.5, 0.5, n)
    return np.maximum(-1 + 2 * np.arange(n) / n + size * (2 / n) * u, -1.0)


def deformed_knots(n: int, delta: float) -> np.ndarray:
    """b_i = x_i + delta (1 - x_i^2)/2 with x_i = -1 + 2(i - 1)/n: a smooth deformation of the
    slide's knots by at most delta/2 (monotone for delta < 1; b_1 = -1 stays)."""
    x = -1 + 2 * np.arange(n) / n
    return x + delta * (1 - x**2) / 2


def random_knots(n: int, seed: int, density: str = "uniform") -> np.ndarray:
    """n i.i.d. knots on [-1, 1), sorted: ``uniform`` (rho = 1/2) or ``linear``
    (rho(x) = (2 + x)/4, bounded between 1/4 and 3/4; inverse CDF x = -2 + sqrt(1 + 8u))."""
    u = np.random.default_rng(seed).uniform(0.0, 1.0, n)
    b = 2 * u - 1 if density == "uniform" else -2 + np.sqrt(1 + 8 * u)
    return np.sort(b)


def density(name: str):
    """The density rho(x) of :func:`random_knots` as a NumPy function."""
    if name == "uniform":
        return lambda x: np.full_like(np.asarray(x, float), 0.5)
    return lambda x: (2 + np.asarray(x, float)) / 4


def quantile_nodes(name: str, count: int) -> np.ndarray:
    """Midpoint nodes in probability, y_i = F^-1((i - 1/2)/count), of the density ``name``."""
    u = (np.arange(count) + 0.5) / count
    return 2 * u - 1 if name == "uniform" else -2 + np.sqrt(1 + 8 * u)


def weighted_operator_eigenvalues(name: str, count: int, nodes: int) -> np.ndarray:
    """nu_1..nu_count of f -> int G(x, y) f(y) rho(y) dy by Nystrom's method in probability
    space: the eigenvalues of (1/N) G(y_i, y_j) at the midpoint nodes y_i = F^-1((i-1/2)/N)
    (K. Atkinson, The Numerical Solution of Integral Equations of the Second Kind, ch. 4);
    error O(N^-2) for the kernel's continuous second derivatives. For rho = 1/2 these are
    mu_k / 2, which the audit checks against the certified roots."""
    return float64_lambda(quantile_nodes(name, nodes))[:count] / nodes


@dataclass(frozen=True)
class PowerLaw:
    """y ~ a n^exponent fitted by weighted least squares in log-log, with the exponent's
    standard error (from the points' own error bars, or from the residuals when there are
    none)."""

    exponent: Measured
    prefactor: float

    def __call__(self, n):
        return self.prefactor * np.asarray(n, float) ** self.exponent.value


def power_law(ns, ys, errors=None) -> PowerLaw:
    """Fit y = a n^s to positive ``ys`` at ``ns``; ``errors`` are the ys' standard errors."""
    x, y = np.log(np.asarray(ns, float)), np.log(np.asarray(ys, float))
    a = np.vstack([x, np.ones_like(x)]).T
    if errors is not None:
        w = np.asarray(ys, float) / np.maximum(np.asarray(errors, float), 1e-300)  # 1/sigma(log y)
        coef, *_ = np.linalg.lstsq(a * w[:, None], y * w, rcond=None)
        cov = np.linalg.inv((a * w[:, None]).T @ (a * w[:, None]))
        resid = (y - a @ coef) * w
        scale = max(1.0, float(resid @ resid) / max(len(x) - 2, 1))  # widen if they scatter more
        se = float(np.sqrt(cov[0, 0] * scale))
    else:
        coef, *_ = np.linalg.lstsq(a, y, rcond=None)
        resid = y - a @ coef
        cov = np.linalg.inv(a.T @ a) * float(resid @ resid) / max(len(x) - 2, 1)
        se = float(np.sqrt(cov[0, 0]))
    return PowerLaw(Measured(float(coef[0]), se), float(np.exp(coef[1])))


def bootstrap_quantile(samples: np.ndarray, q: float, rng: np.random.Generator,
                       resamples: int = 400) -> Measured:
    """The empirical q-quantile of ``samples`` with its bootstrap standard error."""
    samples = np.asarray(samples, float)
    boot = np.quantile(rng.choice(samples, (resamples, samples.size)), q, axis=1)
    return Measured(float(np.quantile(samples, q)), float(np.std(boot, ddof=1)))


__all__ = ["DPS", "KNOWN_ROOTS", "PowerLaw", "bootstrap_quantile", "certified_lambda", "density",
           "float64_bound", "float64_gram", "float64_lambda", "mu_1", "operator_mu",
           "operator_spectrum", "power_law", "quantile_nodes", "quasi_even_knots", "deformed_knots",
           "random_knots", "slide_centre", "weighted_operator_eigenvalues"]
