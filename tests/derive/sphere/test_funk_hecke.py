"""Gaussian duals (Hermite) and Funk–Hecke spectra against independent computations."""

from __future__ import annotations

import math

import mpmath
import numpy as np
import pytest
from hypothesis import given, settings, strategies as st

from specbias.derive.ntk.kernels import angles, kernels
from specbias.derive.sphere.circle import BIASES, INPUTS, circle_kernel, uniform_eigenvalue
from specbias.derive.sphere.duals import _hermite_dual, gaussian_dual
from specbias.derive.sphere.funk_hecke import (fit_decay, multiplicity, sphere_spectrum,
                                               zonal_kernel)
from specbias.errors import InvalidArgument


def test_hermite_route_reproduces_the_erf_closed_form():
    with mpmath.workdps(40):
        q = mpmath.mpf("0.7")
        h = _hermite_dual("formula:erf(t)", q, 25)
        c = gaussian_dual("erf", q)
        for rho in ("-0.9", "0", "0.5", "0.99"):
            r = mpmath.mpf(rho)
            assert abs(h.value(r) - c.value(r)) < mpmath.mpf(10) ** -25
            assert abs(h.derivative(r) - c.derivative(r)) < mpmath.mpf(10) ** -24


def test_tanh_dual_against_gauss_hermite_float64():
    with mpmath.workdps(30):
        d = gaussian_dual("tanh", mpmath.mpf(1), 20)
        x, w = np.polynomial.hermite.hermgauss(120)   # ∫ e^{-x²} g, nodes for N(0, 1/2)
        z1, z2 = np.meshgrid(x * math.sqrt(2), x * math.sqrt(2), indexing="ij")
        W = np.outer(w, w) / math.pi
        for rho in (0.3, 0.8):
            u, v = z1, rho * z1 + math.sqrt(1 - rho ** 2) * z2
            ref = float(np.sum(W * np.tanh(u) * np.tanh(v)))
            dref = float(np.sum(W / np.cosh(u) ** 2 / np.cosh(v) ** 2))
            assert abs(float(d.value(rho)) - ref) < 1e-10
            assert abs(float(d.derivative(rho)) - dref) < 1e-10


def test_zonal_kernel_matches_the_float_recursion():
    """κ(t) against specbias.derive.ntk.kernels on unit vectors (ntk parametrization)."""
    rng = np.random.default_rng(0)
    X = rng.standard_normal((5, 4))
    X /= np.linalg.norm(X, axis=1, keepdims=True)
    _, ntk = kernels(X, X, 3, "relu", 2.0, 0.1, "ntk")
    theta = angles(X, X, np)[0]   # the recursion's own angles (κ is Hölder-1/2 at t = 1)
    with mpmath.workdps(25):  # κ is Hölder-1/2 at t = 1: build and evaluate at one precision
        kap, _ = zonal_kernel(3, "relu", "ntk", 4, 2.0, 0.1, 20)
        for i in range(5):
            for j in range(5):
                t = mpmath.cos(mpmath.mpf(float(theta[i, j])))
                assert abs(float(kap(t)) - ntk[i, j]) < 1e-13 * abs(ntk[i, j])


def test_funk_hecke_against_direct_quadrature():
    sp = sphere_spectrum(4, 2, "relu", "ntk", count=6, dps=15)
    with mpmath.workdps(20):
        kap, _ = zonal_kernel(2, "relu", "ntk", 4, 2.0, 0.0, 20)
        for l in (0, 2, 5):
            # d = 4: C_l^(1)(cos θ) = U_l(cos θ) = sin((l+1)θ)/sin θ, U_l(1) = l + 1; the weight
            # (1 − t²)^(1/2) dt = sin²θ dθ
            val = mpmath.quad(lambda th: kap(mpmath.cos(th)) * mpmath.sin((l + 1) * th)
                              * mpmath.sin(th) / (l + 1), [0, mpmath.pi / 2, mpmath.pi])
            val *= mpmath.gamma(2) / (mpmath.sqrt(mpmath.pi) * mpmath.gamma(mpmath.mpf(3) / 2))
            assert abs(val / sp.mp_values[l] - 1) < 1e-10


def test_multiplicity_counts_harmonic_polynomials():
    for d in range(2, 9):
        for l in range(0, 8):
            harmonic = math.comb(l + d - 1, d - 1) - (math.comb(l + d - 3, d - 1) if l >= 2 else 0)
            assert multiplicity(d, l) == harmonic


def test_decay_rate_of_the_relu_ntk_is_d():
    """Bietti & Mairal (2019): μ_l ~ l^(-d) for the ReLU NTK; the fit carries its error bar."""
    for d in (3, 5):
        sp = sphere_spectrum(d, 1, "relu", "ntk", count=41, dps=15, bias_var=0.1)
        fit = fit_decay(sp.mp_values, 20, 40)
        assert abs(fit.exponent - d) < 3 * fit.stderr and fit.stderr < 0.1
        nngp = sphere_spectrum(d, 1, "relu", "nngp", count=41, dps=15, bias_var=0.1)
        fit = fit_decay(nngp.mp_values, 20, 40)   # the arc-cosine kernel: l^-(d+2)
        assert abs(fit.exponent - (d + 2)) < 3 * fit.stderr and fit.stderr < 0.2


@settings(max_examples=3)
@given(st.sampled_from(BIASES), st.sampled_from(INPUTS), st.integers(min_value=0, max_value=6))
def test_d2_funk_hecke_equals_circle_fourier_coefficients(bias, inputs, l):
    k = circle_kernel(bias, inputs).mp()
    sp = sphere_spectrum(2, count=l + 1, dps=12, kappa=lambda t: k(mpmath.acos(t)))
    with mpmath.workdps(25):
        assert abs(sp.mp_values[l] / uniform_eigenvalue(l, bias, inputs, 16) - 1) < 1e-11


@pytest.mark.parametrize("kwargs,needle", [
    (dict(d=1), "dimension d = 1"), (dict(d=3, activation="foo"), "activation 'foo'"),
    (dict(d=3, activation="step"), "no finite NTK"), (dict(d=3, count=0), "count 0"),
    (dict(d=3, kernel="gp"), "kernel 'gp'"), (dict(d=3, depth=0), "depth 0")])
def test_bad_arguments(kwargs, needle):
    with pytest.raises(InvalidArgument) as err:
        sphere_spectrum(**kwargs)
    assert needle in str(err.value)
