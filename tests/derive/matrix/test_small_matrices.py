"""Certified spectra of matrices no larger than the B-spline band (N <= P + 1), which used to
fail in the conditioning estimate, against float64 LAPACK on the same Gram matrix."""

from __future__ import annotations

import numpy as np
import pytest

from specbias.derive.matrix.knots import knots
from specbias.derive.matrix.spectrum import gram_matrix_spectrum
from specbias.verify.precision import gram_float64


@pytest.mark.parametrize("power,n", [(2, 2), (3, 2), (3, 3), (6, 1), (6, 4), (6, 7)])
def test_small_n_against_lapack(power, n):
    kn = knots("uniform", n)
    certified = np.array([float(v) for v in gram_matrix_spectrum(power, kn, dps=20,
                                                                  use_cache=False).values])
    lapack = np.sort(np.linalg.eigvalsh(gram_float64(kn, power)))[::-1]
    # LAPACK's eigenvalues are backward stable: each is off by a few eps * lambda_1 at most
    assert np.all(np.abs(certified - lapack) <= 64 * n * np.finfo(float).eps * lapack[0])
