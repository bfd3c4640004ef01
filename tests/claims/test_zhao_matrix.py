"""Quick audits of Z3-Z8 run end to end and earn their verdicts from computed evidence."""

from __future__ import annotations

import pytest

from specbias.claims import AuditContext, CLAIMS, run_audit
from specbias.claims.zhao_matrix import claimed_cutoffs, operator_mu
from specbias.derive.matrix.cutoffs import EPS, cutoff


@pytest.mark.parametrize("cid", ["Z3", "Z5", "Z6", "Z7", "Z8"])
def test_quick_audits_run(cid, monkeypatch, tmp_path):
    monkeypatch.setenv("SPECBIAS_CACHE", str(tmp_path))
    v = run_audit(cid, AuditContext(quick=True))
    assert v.evidence and all(e.summary for e in v.evidence)
    checks = [e.passed for e in v.evidence if e.passed is not None]
    assert checks, "an audit must carry checks"
    # the status follows from what the checks found
    if v.status == "confirmed":
        assert all(checks)
    elif v.status == "corrected":
        assert v.corrected and not all(checks)
    elif v.status == "unverified":
        assert v.reason


def test_claimed_cutoffs_parsed_and_recomputed():
    stated = claimed_cutoffs(CLAIMS["Z6"].statement)
    assert set(stated) == {(t, d) for t in ("float32", "float64") for d in (1, 2, 3, 10)}
    # the exact formula, independently: 2^(m/(d+3)) for eps = 2^-m
    for (dtype, d) in stated:
        m = {"float32": 23, "float64": 52}[dtype]
        assert abs(float(cutoff(EPS[dtype], d)) - 2 ** (m / (d + 3))) < 1e-9 * 2 ** (m / (d + 3))


def test_operator_mu_tail_continues_roots():
    """The asymptotic tail beyond the computed roots joins the roots smoothly (k = 40 vs 41)."""
    mu = operator_mu(1, 60, known=40)
    roots = operator_mu(1, 45, known=45)
    # derived asymptotics are exponentially accurate: at k = 41..45 they match the roots to 1e-12
    assert max(abs(mu[k] / roots[k] - 1) for k in range(40, 45)) < 1e-12
