"""Gram matrix spectra: the exact congruence, and the fast certified method vs mpmath.eigsy."""

from __future__ import annotations

import json

import mpmath
import pytest

from specbias.derive.matrix.bspline import banded_pencil, congruence_derivation, gram_matrix_exact
from specbias.support.cache import load
from specbias.derive.matrix.knots import knots
from specbias.derive.matrix.spectrum import MatrixCertificate, gram_matrix_spectrum
from specbias.errors import InvalidArgument
from specbias.records import Derivation
from specbias.reports.render import derivation_md


@pytest.mark.parametrize("power", [0, 1, 2, 3])
def test_congruence_exact(power):
    """S^T G S is banded and equals direct piecewise integration of the B-splines, exactly."""
    derivation, ok = congruence_derivation(power)
    assert ok and len(derivation.steps) == 5
    assert "NOT" not in " ".join(st.text for st in derivation.steps)


def test_congruence_derivation_in_the_project_notation():
    """Labels are SymPy left-hand sides or prose captions; it renders and reads back from JSON."""
    derivation, _ = congruence_derivation(1, 4)
    assert derivation.result_lhs is not None and not hasattr(derivation, "result_label")
    md = derivation_md(derivation)
    assert "S^{T} G S = M" in md and "S^T" not in derivation.title
    back = Derivation.from_json(json.loads(json.dumps(derivation.to_json())))
    assert derivation_md(back) == md


def _dense_reference(kn, power, dps):
    g = gram_matrix_exact([v for v in kn.values if v < 1], power)
    with mpmath.workdps(dps):
        a = mpmath.matrix([[mpmath.mpf(int(v.numerator)) / int(v.denominator) for v in r] for r in g])
        return sorted(mpmath.eigsy(a, eigvals_only=True), reverse=True)


@pytest.mark.parametrize("power,rule,n", [(1, "uniform", 24), (0, "uniform", 9), (2, "random:1", 20),
                                          (4, "chebyshev", 14), (3, "adaptive:atan(5*x)", 12),
                                          (1, "list:-1,0.5", 2), (2, "uniform", 1)])
def test_against_mpmath_eigsy(power, rule, n, monkeypatch):
    """All eigenvalues agree with dense mpmath.eigsy at 2D + 20 digits (independent method)."""
    monkeypatch.setenv("SPECBIAS_CACHE", "off")
    dps = 25
    kn = knots(rule, n, dps)
    spec = gram_matrix_spectrum(power, kn, dps=dps)
    # eigsy at dps+40 digits: its error is ~cond * 10^-(dps+40), far below 10^-dps even for
    # cond(G) ~ 10^30 (P = 4, N = 14); the certified values are within 10^-(dps+2) relative.
    ref = _dense_reference(kn, power, dps + 40)
    assert spec.extras["certificate"].certified
    with mpmath.workdps(dps + 10):
        nonzero = [(mpmath.mpf(a), b) for a, b in zip(spec.values, ref) if a != "0"]
        worst = max(abs(a / b - 1) for a, b in nonzero)
        assert worst < mpmath.mpf(10) ** -(dps - 1), (rule, mpmath.nstr(worst, 3))
        zeros = [b for a, b in zip(spec.values, ref) if a == "0"]
        assert all(abs(b) < mpmath.mpf(10) ** -(dps + 20) for b in zeros)


def test_eigenvectors_residual(monkeypatch):
    monkeypatch.setenv("SPECBIAS_CACHE", "off")
    kn = knots("random:3", 16, 30)
    spec = gram_matrix_spectrum(2, kn, dps=30, vectors=3)
    g = gram_matrix_exact(kn.values, 2)
    with mpmath.workdps(50):
        a = mpmath.matrix([[mpmath.mpf(int(v.numerator)) / int(v.denominator) for v in r] for r in g])
        lam1 = mpmath.mpf(spec.values[0])
        for k in range(3):
            x = mpmath.matrix([mpmath.mpf(c) for c in spec.extras["vectors"][k]])
            lam = mpmath.mpf(spec.values[k])
            # vector components carry 30 digits: residual ~ 10^-30 * lambda_1
            assert mpmath.norm(a * x - lam * x) < 1e-27 * lam1
            assert abs(mpmath.norm(x) - 1) < 1e-28


def test_cache_round_trip(tmp_path, monkeypatch):
    monkeypatch.setenv("SPECBIAS_CACHE", str(tmp_path))
    first = gram_matrix_spectrum(1, "uniform", 10, dps=20)
    files = list(tmp_path.rglob("*.json"))
    assert len(files) == 1 and not list(tmp_path.rglob(".tmp-*"))
    assert load("gram-matrix-spectrum", {"power": 1, "knots": "uniform", "n": 10, "dps": 20,
                                         "vectors": 0, "knots_sha": "x"}) is None
    second = gram_matrix_spectrum(1, "uniform", 10, dps=20)
    assert second.values == first.values
    # the certificate comes back from the cache as the same typed object, not a dict
    assert isinstance(second.extras["certificate"], MatrixCertificate)
    assert second.extras["certificate"] == first.extras["certificate"]


def test_certificate_json_round_trip(monkeypatch):
    """to_json keeps the published keys; from_json restores every field."""
    monkeypatch.setenv("SPECBIAS_CACHE", "off")
    cert = gram_matrix_spectrum(2, "list:-1,-0.5,0.25,1", 4, dps=20).extras["certificate"]
    data = cert.to_json()
    assert data["bracket_rel_halfwidth"] == "1e-22" and data["zero_units"] == 1
    assert data["indexed"] == [True] * 4 and cert.count == 4
    assert MatrixCertificate.from_json(data) == cert


def test_pencil_rejects_right_end_and_bad_dps():
    with pytest.raises(InvalidArgument):
        banded_pencil([0, 1], 1)
    with pytest.raises(InvalidArgument, match="dps 60"):
        gram_matrix_spectrum(1, "uniform", 5, dps=60)
