"""The ball kernel of sigma(w.x - b) and its Nystrom spectrum, each checked against an
independent computation: mpmath quadrature, Monte Carlo over (w, b), the dense Nystrom matrix."""

from __future__ import annotations

import json

import mpmath
import numpy as np
import pytest
import sympy

from specbias.derive.ball.kernel import (b_integral, b_integral_values, kernel,
                                         kernel_monte_carlo, sphere_area)
from specbias.derive.ball.spectrum import angular_rule, ball_spectrum, fit_decay, radial_rule
from specbias.errors import InvalidArgument
from specbias.records import Derivation
from specbias.reports.render import derivation_md


def ball_points(n, d, seed):
    rng = np.random.default_rng(seed)
    x = rng.standard_normal((n, d))
    return x / np.linalg.norm(x, axis=1, keepdims=True) * rng.uniform(0, 1, (n, 1)) ** (1 / d)


@pytest.mark.parametrize("power", [0, 1, 2, 3])
def test_b_integral_closed_form_vs_mpmath(power):
    rng = np.random.default_rng(power)
    pts = rng.uniform(-1, 1, (8, 2))
    closed = b_integral_values(pts[:, 0], pts[:, 1], "relu", power)
    with mpmath.workdps(30):
        for (u, v), c in zip(pts, closed):
            m = min(u, v)  # the integrand is a polynomial on (-1, min) and zero beyond
            ref = mpmath.quad(lambda b: (mpmath.mpf(u) - b) ** power * (mpmath.mpf(v) - b) ** power,
                              [-1, m])
            # float64 evaluation of a positive-coefficient polynomial: a few ulps
            assert abs(c - float(ref)) <= 1e-14 * abs(float(ref)) + 1e-300


def test_b_integral_split_and_derivation():
    bi = b_integral(1)
    assert bi.coefficient == sympy.Rational(1, 12)
    assert bi.derivation.steps and "Check" in bi.derivation.steps[-1].text
    assert str(bi.derivation.steps[-1].exprs[0]) == "0"
    # the result, read back as S_P + c_P |t1 - t2|^3, is the kernel's own closed form
    t1, t2 = sympy.symbols("t1 t2", real=True)
    lower = bi.derivation.result.subs(sympy.Abs(t1 - t2), t2 - t1)
    assert sympy.expand(lower - bi.lower) == 0


def test_b_integral_derivation_in_the_project_notation():
    """Labels are SymPy left-hand sides or prose captions; it renders and reads back from JSON."""
    d = b_integral(2).derivation
    assert d.result_lhs is not None and not hasattr(d, "result_label")
    md = derivation_md(d)
    assert "I_{P}{\\left(t_{1},t_{2} \\right)} = " in md and "t1" not in md
    back = Derivation.from_json(json.loads(json.dumps(d.to_json())))
    assert derivation_md(back) == md


@pytest.mark.parametrize("activation", ["tanh", "sigmoid"])
def test_analytic_b_integral_vs_mpmath(activation):
    u, v = 0.3, -0.7
    got = float(b_integral_values(np.array([u]), np.array([v]), activation)[0])
    s = {"tanh": mpmath.tanh, "sigmoid": lambda t: 1 / (1 + mpmath.exp(-t))}[activation]
    with mpmath.workdps(30):
        ref = mpmath.quad(lambda b: s(u - b) * s(v - b), [-1, 1])
    # 40-point Gauss on an entire integrand: rounding only, relative to int |integrand| <= 2
    assert abs(got - float(ref)) < 1e-14 * 2


def test_kernel_2d_vs_mpmath_quadrature():
    """d = 2: w = (cos phi, sin phi), mpmath.quad over phi with breaks at the kinks
    phi = angle(x - y) +- pi/2, the b-integral from the closed form in mpmath."""
    x, y = ball_points(3, 2, seed=1), ball_points(3, 2, seed=2)
    got = kernel(x, y)
    lower = sympy.lambdify(sympy.symbols("t1 t2", real=True), b_integral(1).lower, "mpmath")
    with mpmath.workdps(25):
        for xi, yi, g in zip(x, y, got):
            z = np.arctan2(*(xi - yi)[::-1])
            breaks = sorted(((z + s * np.pi / 2 + np.pi) % (2 * np.pi)) - np.pi for s in (-1, 1))

            def f(phi):
                w = (mpmath.cos(phi), mpmath.sin(phi))
                u, v = w[0] * xi[0] + w[1] * xi[1], w[0] * yi[0] + w[1] * yi[1]
                return lower(min(u, v), max(u, v))

            ref = mpmath.quad(f, [-mpmath.pi, *breaks, mpmath.pi])
            assert abs(g - float(ref)) < 1e-12 * abs(float(ref))


@pytest.mark.parametrize("d,activation,power", [(2, "relu", 1), (3, "relu", 1), (2, "relu", 2),
                                                (3, "tanh", 1)])
def test_kernel_vs_monte_carlo(d, activation, power):
    x, y = ball_points(4, d, seed=3), ball_points(4, d, seed=4)
    mc, se = kernel_monte_carlo(x, y, activation, power, samples=50_000, seed=5)
    # 5 standard errors: 4 points, false alarm probability < 1e-5
    assert np.all(np.abs(kernel(x, y, activation, power) - mc) < 5 * se)


@pytest.mark.parametrize("d", [2, 3])
def test_kernel_symmetric_psd_and_rule_converged(d):
    x = ball_points(40, d, seed=6)
    i, j = np.meshgrid(np.arange(40), np.arange(40), indexing="ij")
    k = kernel(x[i.ravel()], x[j.ravel()]).reshape(40, 40)
    assert np.max(np.abs(k - k.T)) < 1e-13 * np.max(np.abs(k))
    assert np.linalg.eigvalsh(k).min() > -1e-12 * np.linalg.norm(k, 2)
    finer = kernel(x[i.ravel()], x[j.ravel()], q=30).reshape(40, 40)
    assert np.max(np.abs(k - finer)) < 1e-13 * np.max(np.abs(k))
    # K(0, 0) = |S^{d-1}| * int_{-1}^{0} b^2 db
    assert abs(kernel(np.zeros((1, d)), np.zeros((1, d)))[0] - sphere_area(d) / 3) < 1e-13


def test_block_nystrom_equals_dense_product_rule_2d():
    """d = 2, trapezoid in angle: the Funk-Hecke blocks diagonalize the dense matrix exactly."""
    n_r, m = 6, 16
    r, wr = radial_rule(2, n_r)
    phi = 2 * np.pi * np.arange(m) / m
    pts = np.stack([np.outer(r, np.cos(phi)).ravel(), np.outer(r, np.sin(phi)).ravel()], 1)
    wt = np.repeat(wr, m) * 2 * np.pi / m
    i, j = np.meshgrid(np.arange(pts.shape[0]), np.arange(pts.shape[0]), indexing="ij")
    dense = kernel(pts[i.ravel()], pts[j.ravel()]).reshape(i.shape) * np.sqrt(np.outer(wt, wt))
    ref = np.sort(np.linalg.eigvalsh(dense))[::-1]
    spec = ball_spectrum(2, n_r=n_r, m=m, l_max=m // 2)
    # the Nyquist mode l = m/2 of the trapezoid has multiplicity 1, not 2
    got = np.repeat(spec.values, np.where(spec.degree == m // 2, 1, spec.multiplicity))
    assert got.size == ref.size
    assert np.allclose(got, ref, rtol=1e-10, atol=1e-13 * ref[0])


def test_nystrom_converges_3d_and_matches_dense():
    a = ball_spectrum(3, n_r=12, m=24).expanded()
    b = ball_spectrum(3, n_r=20, m=40).expanded()
    assert np.max(np.abs(a[:30] / b[:30] - 1)) < 1e-5
    # a dense product Gauss rule on the sphere (Gauss in cos th x trapezoid in phi) agrees
    r, wr = radial_rule(3, 6)
    u, g = np.polynomial.legendre.leggauss(6)
    phi = 2 * np.pi * np.arange(12) / 12
    s = np.sqrt(1 - u ** 2)
    dirs = np.stack([np.outer(s, np.cos(phi)).ravel(), np.outer(s, np.sin(phi)).ravel(),
                     np.repeat(u, 12)], 1)
    pts = (r[:, None, None] * dirs[None]).reshape(-1, 3)
    wt = np.outer(wr, np.repeat(g, 12) * 2 * np.pi / 12).ravel()
    i, j = np.meshgrid(np.arange(pts.shape[0]), np.arange(pts.shape[0]), indexing="ij")
    dense = kernel(pts[i.ravel()], pts[j.ravel()]).reshape(i.shape) * np.sqrt(np.outer(wt, wt))
    ref = np.sort(np.linalg.eigvalsh(dense))[::-1]
    # the coarse dense rule carries its own discretization error; the leading modes are smooth
    assert np.max(np.abs(ref[:4] / b[:4] - 1)) < 1e-3


def test_nystrom_converges_2d():
    a = ball_spectrum(2, n_r=16, m=64).expanded()
    b = ball_spectrum(2, n_r=24, m=96).expanded()
    assert np.max(np.abs(a[:30] / b[:30] - 1)) < 1e-3


def test_angular_rule_legendre_orthogonality():
    gam, fh = angular_rule(3, 40, 6)
    # int_{S^2} P_l(e.e') P_n(e.e') de' = 4 pi / (2l + 1) delta_ln, P_3 written out by hand
    t = np.cos(gam)
    p3 = (5 * t ** 3 - 3 * t) / 2
    assert abs(fh[3] @ p3 - 4 * np.pi / 7) < 1e-12
    assert abs(fh[2] @ p3) < 1e-12


def test_fit_decay_recovers_exponent_and_bad_input():
    k = np.arange(1, 400) - 0.5
    lam = 3.0 * k ** -2.5 * np.exp(0.4 * k ** -0.5)  # exactly the corrected model
    assert abs(fit_decay(k, lam, 20, 400, correction=0.5).exponent - 2.5) < 1e-8
    assert fit_decay(k, lam, 20, 400).exponent > 2.5  # the plain fit sees the boundary term
    with pytest.raises(InvalidArgument, match="window"):
        fit_decay(k, lam, 500, 600)
    with pytest.raises(InvalidArgument, match="dimension"):
        ball_spectrum(4)
    with pytest.raises(InvalidArgument, match="activation"):
        kernel(np.zeros((1, 2)), np.zeros((1, 2)), "gelu")
    with pytest.raises(InvalidArgument, match="unit ball"):
        kernel(np.ones((1, 2)), np.zeros((1, 2)))
