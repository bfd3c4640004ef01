"""The Z3-Z8 audits (quick sizes): each status follows from its own checks, the verdict survives
a JSON round trip, and a perturbed statement is caught by the same audit."""

from __future__ import annotations

import json

import mpmath
import numpy as np
import pytest

from specbias.claims import AuditContext, run_audit
from specbias.claims.zhao_spectra import operator_mu, operator_spectrum
from specbias.derive.gram.spectrum import gram_eigenvalues
from specbias.records import Verdict, decide

MODULES = {"Z3": "zhao_matrix", "Z4": "zhao_matrix", "Z5": "zhao_matrix", "Z6": "zhao_matrix",
           "Z7": "zhao_lstsq", "Z8": "zhao_stability"}
_VERDICTS: dict = {}


def quick(cid: str) -> Verdict:
    """The quick audit of ``cid``, computed once per test session."""
    if cid not in _VERDICTS:
        _VERDICTS[cid] = run_audit(cid, AuditContext(quick=True))
    return _VERDICTS[cid]


@pytest.mark.parametrize("cid", sorted(MODULES))
def test_status_follows_from_checks(cid):
    v = quick(cid)
    checks = [e for e in v.evidence if e.passed is not None]
    assert checks, "an audit must carry checks"
    assert v.source == f"specbias.claims.{MODULES[cid]}.audit_{cid.lower()}"
    assert all(e.source.startswith("specbias.claims.zhao_") for e in v.evidence)
    assert v.status == decide(v.evidence)
    if v.status == "confirmed":
        assert all(e.passed for e in checks)
    if v.status in ("corrected", "approximate", "refuted"):
        assert not all(e.passed for e in checks if e.tests == "statement") or \
            any(e.tests == "approximation" for e in checks)
    if v.refinement:
        assert all(e.passed for e in checks if e.tests == "refinement")
    # the verdict is written and read back with the same status, nothing re-parsed by hand
    back = Verdict.from_json(json.loads(json.dumps(v.to_json())))
    assert back.status == v.status and back.summary == v.summary


def test_z3_finds_the_constant():
    """Z3: the refinement C = mu_1 is earned by the limit of the gap and by the tip values."""
    v = quick("Z3")
    assert v.status == "confirmed" and v.refinement
    limit = np.array(next(e for e in v.evidence if e.source.endswith("gap_limit")).data["limit"])
    assert np.all(np.abs(limit - 1) < 0.05)


def test_z3_catches_a_wrong_centre(monkeypatch):
    """Centre the gap at 0.95 (n/2) mu_k instead: it grows like n and the audit says so."""
    import specbias.claims.zhao_gaps as zg

    monkeypatch.setattr(zg, "slide_centre", lambda n, mu: 0.95 * n / 2 * mu)
    v = run_audit("Z3", AuditContext(quick=True))
    assert v.status == "refuted"
    assert "not bounded" in v.summary


def test_z4_catches_a_wrong_bound(monkeypatch):
    """Drop the factor n from the bound's shape: the constant must then grow like sqrt(n)."""
    import specbias.claims.zhao_random as zr

    k_shape = zr.bound_shape
    monkeypatch.setattr(zr, "bound_shape", lambda n: k_shape(n) / n)
    v = run_audit("Z4", AuditContext(quick=True))
    assert quick("Z4").status == "corrected"       # the density, corrected by n nu_k
    assert v.status == "refuted"                     # now nothing holds, not even the correction
    growth = next(e for e in v.evidence if e.source.endswith("growth_with_n"))
    assert growth.passed is False


def test_z4_can_be_approximate(monkeypatch):
    """With the non-uniform knots drawn uniformly instead, nothing contradicts the claim: the
    same rule then returns approximate (a probability bound with an unknown C is never more)."""
    import specbias.claims.zhao_random as zr

    draw = zr.random_knots
    monkeypatch.setattr(zr, "random_knots", lambda n, seed, density="uniform": draw(n, seed))
    monkeypatch.setattr(zr, "weighted_reference", lambda density, n, nodes: zr.claim_reference(n))
    assert run_audit("Z4", AuditContext(quick=True)).status == "approximate"


def test_z5_catches_a_faster_claimed_rate(monkeypatch):
    """Claim a rate faster than the data, (d+2P+2)/d: the O-bound check must fail."""
    import specbias.claims.zhao_ball as zb

    assert quick("Z5").status == "confirmed" and quick("Z5").refinement
    monkeypatch.setattr(zb.RateFit, "claimed", property(lambda f: (f.d + 2 * f.power + 2) / f.d))
    v = run_audit("Z5", AuditContext(quick=True))
    bound = next(e for e in v.evidence if e.source.endswith("power_bound"))
    assert bound.passed is False and v.status == "refuted"


def test_z5_two_sided_fails_on_a_wrong_exponent():
    """Fits that sit half a unit off (d+3)/d make the ReLU statement check fail; the same fits
    at the rate pass it (the check reads the data, not the derivation alone)."""
    from specbias.claims.zhao_ball import RateFit, relu_two_sided
    from specbias.numbers import Measured

    good = [RateFit("test", d, 1, Measured((d + 3) / d, 0.01), (1, 10), 1.1) for d in (1, 2)]
    bad = [RateFit("test", 1, 1, Measured(3.5, 0.01), (1, 10), 1.1)] + good[1:]
    assert relu_two_sided(good).passed is True
    assert relu_two_sided(bad).passed is False


def test_z6_compares_every_table_entry(monkeypatch):
    """With the slide's table replaced by the nearest integers the table check passes and the
    verdict is no longer corrected; each wrong entry alone is caught."""
    import specbias.claims.zhao_cutoffs as zc
    from specbias.derive.matrix.cutoffs import EPS, cutoff

    assert quick("Z6").status == "corrected"
    right = {key: (zc.nearest(cutoff(EPS[zc.DTYPE[key[0]]], key[1])), False)
             for key in zc.SLIDE_CUTOFFS}
    monkeypatch.setattr(zc, "SLIDE_CUTOFFS", right)
    assert zc.cutoff_table_check().passed
    assert run_audit("Z6", AuditContext(quick=True)).status == "confirmed"
    for key in right:
        wrong = dict(right)
        wrong[key] = (right[key][0] + 1, False)
        monkeypatch.setattr(zc, "SLIDE_CUTOFFS", wrong)
        assert not zc.cutoff_table_check().passed, key


def test_z6_widening_rule_can_fail():
    """MSE that falls like n^-4 (every unit helps) fails the saturation rule; the measured
    float32 normal-equation errors of the quick audit pass it."""
    import specbias.claims.zhao_cutoffs as zc

    rows = [{"n": n, "resolved": 40 + n // 50} for n in (50, 100, 200)]
    sizes = (50, 100, 200, 400)
    helps = {"normal": [n ** -4.0 for n in sizes], "lstsq": [n ** -4.0 for n in sizes]}
    assert zc.widening(rows, sizes, helps).passed is False
    measured = next(e for e in quick("Z6").evidence if e.source.endswith("widening"))
    assert measured.passed is True and measured.data["control"] < zc.SATURATED


def test_z7_compares_every_cell(monkeypatch):
    """Every cell is compared: moving one reproduced cell by 10% loses exactly that cell."""
    import specbias.claims.zhao_lstsq as zl

    before = next(e for e in quick("Z7").evidence if e.source.endswith("table_cells"))
    assert len(before.table["rows"]) == 16        # n = 100: 4 rows x 2 precisions x 2 errors
    table = {k: dict(v) for k, v in zl.TABLE1.items()}
    mx, mse = table["FEM", "uniform"]["float64", 100]
    table["FEM", "uniform"]["float64", 100] = (mx * 1.1, mse)
    monkeypatch.setattr(zl, "TABLE1", table)
    v = run_audit("Z7", AuditContext(quick=True))
    after = next(e for e in v.evidence if e.source.endswith("table_cells"))
    count = lambda e: sum(n for n, _ in e.data["reproduced"].values())  # noqa: E731
    assert count(after) == count(before) - 1


def test_z7_table_consistency_flips(monkeypatch):
    """The table's NN adaptive float64 cells contradict its FEM row; copying the FEM values
    into them makes the consistency check pass."""
    import specbias.claims.zhao_lstsq as zl

    before = next(e for e in quick("Z7").evidence if e.source.endswith("table_consistency"))
    assert before.passed is False and before.data["inconsistent"] == 2   # n = 100: MAX, MSE
    table = {k: dict(v) for k, v in zl.TABLE1.items()}
    table["NN", "adaptive"]["float64", 100] = table["FEM", "adaptive"]["float64", 100]
    monkeypatch.setattr(zl, "TABLE1", table)
    measured = zl.measure_table((100,), AuditContext(quick=True))
    assert zl.table_consistency(measured).passed is True


def test_z8_catches_the_interpolation_threshold(monkeypatch):
    """Run the stability experiment with as many biases as samples: the fit amplifies noise."""
    import specbias.claims.zhao_stability as zl

    assert quick("Z8").status == "confirmed"
    monkeypatch.setattr(zl, "BIASES", zl.SAMPLES)
    v = run_audit("Z8", AuditContext(quick=True))
    assert v.status == "refuted" and v.summary.startswith("Not stable")


def test_z8_lowpass_rule_can_fail():
    """A truncated fit that passes half the noise through with 6 modes of 1000 samples is no
    low-pass filter; the quick audit's truncated fit is one."""
    import specbias.claims.zhao_stability as zl
    from specbias.verify.lstsq import NoiseResponse

    assert zl.lowpass_fit(NoiseResponse(0.5, 0.01, 6), 1000, 1500).passed is False
    lowpass = next(e for e in quick("Z8").evidence if e.source.endswith("lowpass_fit"))
    assert lowpass.passed is True and lowpass.data["gain"] < 0.1


def test_operator_mu_tail_continues_roots():
    """The asymptotic tail beyond the 40 certified roots matches roots 41..45 computed
    independently (exponentially accurate: 1e-12 is far above its error)."""
    mu = operator_mu(1, 45)
    roots = gram_eigenvalues(1, (-1, 1), 45, 20)
    with mpmath.workdps(20):
        ref = np.array([float(mpmath.mpf(v)) for v in roots.values])
    assert np.max(np.abs(mu[40:] / ref[40:] - 1)) < 1e-12
    assert np.max(np.abs(mu[:40] / ref[:40] - 1)) < 1e-15
    assert operator_spectrum(1).extras["certificate"].gap_ok
