"""Stored certified spectra (tests/data) against independent float64 and operator values."""

from __future__ import annotations

import json
from pathlib import Path

import mpmath
import numpy as np
import pytest

from specbias.derive.matrix.knots import knots
from specbias.verify.precision import gram_float64

DATA = Path(__file__).resolve().parents[2] / "data"


@pytest.mark.parametrize("power,n", [(1, 1000), (2, 400)])
def test_stored_spectrum_recomputed_by_the_compiled_path(power, n):
    """The stored values came from the gmpy2 path (float64 dense starts); the compiled
    double-double/quad-double path (starts from inertia counts) reproduces every one of them
    within the certified 10^-32 (so the 30-digit strings agree up to a last-digit rounding)."""
    from specbias.derive.matrix.spectrum import gram_matrix_spectrum
    data = json.loads((DATA / f"gram_spectrum_P{power}_N{n}_uniform.json").read_text())
    spec = gram_matrix_spectrum(power, "uniform", n, dps=30, use_cache=False)
    assert "quad-double" in spec.extras["certificate"].arithmetic
    assert spec.extras["certificate"].certified
    with mpmath.workdps(40):
        worst = max(abs(mpmath.mpf(a) / mpmath.mpf(b) - 1) for a, b in zip(spec.values, data["values"]))
    assert worst < mpmath.mpf(10) ** -29


@pytest.mark.parametrize("power,n", [(1, 1000), (2, 400)])
def test_stored_spectrum_matches_float64_top(power, n):
    data = json.loads((DATA / f"gram_spectrum_P{power}_N{n}_uniform.json").read_text())
    assert len(data["values"]) == n and all(data["certificate"]["indexed"])
    ref = np.array([float(v) for v in data["values"]])
    assert np.all(np.diff(ref) < 0)
    lam = np.sort(np.linalg.eigvalsh(gram_float64(knots("uniform", n), power)))[::-1]
    # float64 eigvalsh has absolute error ~ n u lambda_1: relative 1e-10 holds where
    # lambda_k > 1e-4 lambda_1
    top = ref > 1e-4 * ref[0]
    assert np.max(np.abs(lam[top] / ref[top] - 1)) < 1e-10
