"""The demonstrations of the docs on code that specbias does not own: torch.linalg.eigvalsh in
float32 on Zhao's ReLU Gram matrix, where the search finds the size at which it first loses
1% of an eigenvalue (the naive arccos NTK is in test_oracles.py and tests/cli)."""

from __future__ import annotations

import numpy as np
import torch
from hypothesis import HealthCheck, Phase, find, settings

from specbias.derive.matrix.knots import knots as make_knots
from specbias.testing import strategies as sts
from specbias.testing.oracles import OracleFailure, assert_spectrum_close, gram_spectrum_reference
from specbias.verify.precision import gram_float64


def torch_float32_eigenvalues(kn) -> torch.Tensor:
    G = torch.tensor(gram_float64(kn, 1), dtype=torch.float32, device="cpu")
    return torch.linalg.eigvalsh(G)


def loses_one_percent(kn) -> bool:
    """Some eigenvalue of the float32 solve is more than 1% off the certified one."""
    try:
        assert_spectrum_close(torch_float32_eigenvalues(kn), gram_spectrum_reference(1, kn),
                              rtol=0.01, atol=0.0)
    except OracleFailure:
        return True
    return False


def test_search_finds_the_float32_cutoff_of_torch_eigvalsh():
    """find() shrinks the number of uniform knots to the smallest that fails; the size just
    below it passes, so the shrunk example is the cutoff itself (torch's float32 solver on
    this CPU: λ_n/λ_1 ~ n^-4 reaches eps_32 ~ 1e-7 near n ~ 20)."""
    opts = settings(max_examples=25, database=None, phases=[Phase.generate, Phase.shrink],
                    suppress_health_check=list(HealthCheck), deadline=None)
    kn = find(sts.knots(2, 64, rules=("uniform",)), loses_one_percent, settings=opts,
              random=__import__("random").Random(0))
    n = len(kn)
    assert 5 < n < 64
    assert not loses_one_percent(make_knots("uniform", n - 1))
    # the eigenvalue that fails is a small one: the cutoff is at the bottom of the spectrum
    ref = np.array([float(v) for v in gram_spectrum_reference(1, kn)])
    lam = np.sort(torch_float32_eigenvalues(kn).double().numpy())[::-1]
    worst = int(np.argmax(np.abs(lam / ref - 1)))
    assert ref[worst] / ref[0] < 1e-4
