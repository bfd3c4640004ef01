"""Test harness: Hypothesis profiles, and a reset of every precision and seed per test.

Profiles: ``dev`` (default, few examples), ``ci`` (Hypothesis loads it when CI is set; we
register our own with the same name so it stays bounded), ``thorough`` (many examples).
Select with ``--hypothesis-profile NAME`` or ``SPECBIAS_HYPOTHESIS_PROFILE``.
"""

from __future__ import annotations

import os
import random

import mpmath
import numpy as np
import pytest
from hypothesis import HealthCheck, settings

# SymPy calls are slow on first use: no deadlines, bounded inputs in the strategies.
_common = dict(deadline=None, suppress_health_check=[HealthCheck.too_slow], print_blob=True)
settings.register_profile("dev", max_examples=10, **_common)
settings.register_profile("ci", max_examples=25, derandomize=True, **_common)
settings.register_profile("thorough", max_examples=300, **_common)
settings.load_profile(os.environ.get("SPECBIAS_HYPOTHESIS_PROFILE",
                                     "ci" if os.environ.get("CI") else "dev"))


@pytest.fixture(autouse=True)
def _reset_precision_and_seeds():
    """Every test starts at mpmath's default precision and fixed seeds, and leaves them so."""
    mpmath.mp.dps = 15
    random.seed(0)
    np.random.seed(0)
    try:
        import torch

        torch.manual_seed(0)
        torch.set_default_dtype(torch.float32)
    except ImportError:  # pragma: no cover
        pass
    yield
    assert mpmath.mp.dps == 15, "a test changed the global mpmath precision"
    mpmath.mp.dps = 15


def pytest_collection_modifyitems(config, items):
    """Skip ``gpu`` tests without CUDA."""
    try:
        import torch

        has_cuda = torch.cuda.is_available()
    except ImportError:  # pragma: no cover
        has_cuda = False
    if not has_cuda:
        skip = pytest.mark.skip(reason="needs CUDA")
        for item in items:
            if "gpu" in item.keywords:
                item.add_marker(skip)
