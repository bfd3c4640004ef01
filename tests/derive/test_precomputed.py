"""Stored certified spectra (tests/data) against independent float64 and operator values."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pytest

from specbias.derive.knots import knots
from specbias.verify.precision import gram_float64

DATA = Path(__file__).resolve().parent.parent / "data"


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
