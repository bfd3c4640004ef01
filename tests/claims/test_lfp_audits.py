"""The audits of L1-L8 and P3 run end to end (quick sizes), earn their verdicts, and change them
when the statement under audit is replaced by a correct one."""

from __future__ import annotations

import json

import numpy as np
import pytest
import torch

from specbias.claims import AuditContext, run_audit
from specbias.claims import fourier_features as ff_claims
from specbias.claims import lfp as lfp_claims
from specbias.claims import lfp_bias, lfp_tanh
from specbias.derive.lfp import ddim, multiplier

torch.set_num_threads(1)
MODULES = {"L1": "lfp_tanh", "L2": "lfp", "L3": "lfp", "L4": "lfp_bias", "L5": "lfp_bias", "L6": "lfp_init",
           "L7": "lfp_init", "L8": "lfp_init", "P3": "fourier_features"}


@pytest.mark.parametrize("cid", list(MODULES))
def test_quick_audit(cid):
    v = run_audit(cid, AuditContext(quick=True))
    checks = [e.passed for e in v.evidence if e.passed is not None]
    assert checks and all(e.source.startswith(f"specbias.claims.{MODULES[cid]}.") for e in v.evidence)
    statement = [e.passed for e in v.evidence if e.tests in ("statement", "approximation")]
    assert (v.status in ("confirmed", "approximate")) == all(statement)
    if v.status == "corrected":
        assert v.shown_correction
    json.dumps(v.to_json())


def test_l1_accepts_the_derived_large_k_form(monkeypatch):
    monkeypatch.setattr(lfp_tanh, "slide_l1", lfp_tanh.asymptotic_l1)
    a, w, b = np.array([1.0, -0.5, 0.7]), np.array([1.0, -1.3, 1.5]), np.array([0.3, -0.4, 0.8])
    assert lfp_tanh.slide_l1_checked(a, w, b, np.linspace(2, 12, 21), draws=5).passed


def test_l2_accepts_the_derived_multiplier(monkeypatch):
    assert not lfp_claims.slide_constants_l2().passed
    derived = multiplier.lfp_multiplier("relu")[0]
    monkeypatch.setattr(lfp_claims, "slide_l2", lambda: derived)
    assert lfp_claims.slide_constants_l2().passed


def test_l3_still_fails_with_the_derived_constant():
    """Restoring the constant is not enough: the slide has no angular term."""
    radial = ddim.multiplier_ddim()[0]
    original = ddim.slide_l3
    try:
        ddim.slide_l3 = lambda: radial
        assert not lfp_claims.slide_constants_l3().passed
    finally:
        ddim.slide_l3 = original


def test_l4_lecture_conditions_pass_when_swapped(monkeypatch):
    from specbias.verify.lfp_runs import InterpolantRun
    from specbias.derive.lfp.variational import linear_spline, natural_cubic_spline
    from specbias.verify.lfp_runs import spline_data

    x, y = spline_data(6, 0)
    grid = np.linspace(-1, 1, 101)
    fake = {r: InterpolantRun(x, y, grid, f(x, y, grid), f(x, y, grid), f(x, y, grid), 0.0, 0, {"width": 1})
            for r, f in (("cubic", natural_cubic_spline), ("linear", linear_spline))}
    assert not lfp_bias.lecture_conditions(fake).passed
    assert lfp_bias.crossover_conditions(fake).passed
    original = lfp_bias.slide_case_of
    monkeypatch.setattr(lfp_bias, "slide_case_of", lambda *m: {"case 1": "case 2", "case 2": "case 1"}[original(*m)])
    assert lfp_bias.lecture_conditions(fake).passed


def test_p3_spectrum_checks_detect_a_wrong_order(monkeypatch):
    """If the feature amplitudes grew with j (a_j = j^p), the p-ordering check must fail."""
    from specbias.derive.lfp import features

    real = features.deterministic_features
    monkeypatch.setattr(features, "deterministic_features",
                        lambda p, count=16: (real(p, count)[0], np.arange(1, count + 1, dtype=float) ** min(p, 4.0)))
    assert not ff_claims.spectrum_versus_p().passed


def test_full_sizes_need_cuda_or_the_switch(monkeypatch):
    monkeypatch.setattr(torch.cuda, "is_available", lambda: False)
    monkeypatch.delenv(lfp_claims.FULL_ON_CPU, raising=False)
    assert lfp_claims.small_sizes(AuditContext(quick=False)) and lfp_claims.sizes_note(AuditContext(quick=False))
    monkeypatch.setenv(lfp_claims.FULL_ON_CPU, "1")
    assert not lfp_claims.small_sizes(AuditContext(quick=False)) and not lfp_claims.sizes_note(AuditContext())
    assert lfp_claims.small_sizes(AuditContext(quick=True))
    monkeypatch.delenv(lfp_claims.FULL_ON_CPU)
    monkeypatch.setattr(torch.cuda, "is_available", lambda: True)
    assert not lfp_claims.small_sizes(AuditContext(quick=False))


def test_l1_structure_check_passes_where_the_slide_is_right():
    """With b_j = 0 and one |w_j| (same sign) the slide's sum is a constant multiple of the exact
    transform: the structural check must pass there and fail once one b_j or one |w_j| moves."""
    a, ks = np.array([1.0, -0.5, 0.7]), np.linspace(2, 12, 21)
    w, b = np.array([1.2, 1.2, 1.2]), np.zeros(3)
    assert lfp_tanh.slide_l1_checked(a, w, b, ks, draws=5).passed
    assert not lfp_tanh.slide_l1_checked(a, w, np.array([0.0, 0.3, 0.0]), ks, draws=5).passed
    assert not lfp_tanh.slide_l1_checked(a, np.array([1.2, 1.5, 1.2]), b, ks, draws=5).passed


def test_l5_steps_fail_when_an_inequality_breaks():
    """The measured inequalities pass on real interpolants and fail when a norm is too large."""
    runs = lfp_bias._fp_draws((1,), (16,), 3, 0)
    assert lfp_bias.fp_steps_hold(runs).passed
    runs[0]["norm"] = runs[0]["norm"] * 0 + 1.01 * runs[0]["f_gamma"]
    assert not lfp_bias.fp_steps_hold(runs).passed
    bad = lfp_bias._fp_draws((1,), (16,), 3, 0)
    bad[0]["sup"] = bad[0]["sup"] * 10
    assert not lfp_bias.fp_steps_hold(bad).passed


def test_l6_cross_term_test_rejects_a_doubled_bias_term(monkeypatch):
    """If the risk were A + 2 E B (a cross term of mean E B), the zero-mean test must reject it."""
    from specbias.claims import lfp_init

    real = lfp_init._risk_terms

    def doubled(draws, width, seed, offset=0.0):
        t = real(draws, width, seed, offset)
        return {**t, "cross_mean": t["cross_mean"] + t["B_mean"]}

    assert lfp_init.risk_decomposition(200, 64, 3).passed
    monkeypatch.setattr(lfp_init, "_risk_terms", doubled)
    assert not lfp_init.risk_decomposition(200, 64, 3).passed


def test_l7_factor_check_fails_for_another_factor(monkeypatch):
    from specbias.claims import lfp_init
    import sympy

    assert lfp_init.asi_factor_derived().passed
    monkeypatch.setattr(lfp_init, "slide_l7_factor", lambda: sympy.Integer(1))
    assert not lfp_init.asi_factor_derived().passed


def test_p3_sigma_check_fails_when_the_scale_does_nothing(monkeypatch):
    """If B did not scale with sigma, the counts could not grow: the check must fail; and it must
    fail when the grid is too small to resolve the largest sigma (counts capped by the grid)."""
    from specbias.derive.lfp import features

    assert ff_claims.spectrum_versus_sigma((1.0, 2.0, 4.0, 8.0), 0, 1024).passed
    assert not ff_claims.spectrum_versus_sigma((1.0, 2.0, 4.0, 16.0), 0, 64).passed
    real = features.gaussian_features
    monkeypatch.setattr(features, "gaussian_features", lambda s, count, seed: real(1.0, count, seed))
    assert not ff_claims.spectrum_versus_sigma((1.0, 2.0, 4.0, 8.0), 0, 256).passed


def test_l8_fails_against_a_non_minimal_interpolating_step(monkeypatch):
    """Shift the reference step by a null-space vector of J (still interpolating, not minimal):
    gradient descent must then be reported far from it."""
    from specbias.claims import lfp_init

    real = lfp_init.min_norm_delta

    def shifted(J, h0, Y):
        star = real(J, h0, Y)
        v = torch.ones_like(star)
        v = v - J.T @ torch.linalg.solve(J @ J.T, J @ v)
        return star + v * torch.linalg.norm(star) / torch.linalg.norm(v)

    assert lfp_init.linearized_limit(64, 1, efolds=10).passed
    monkeypatch.setattr(lfp_init, "min_norm_delta", shifted)
    assert not lfp_init.linearized_limit(64, 1, efolds=10).passed
