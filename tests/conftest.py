"""Test harness: Hypothesis profiles, and a reset of every precision and seed per test.

The profiles ``dev`` (default), ``ci`` (when CI is set) and ``thorough`` are defined once, in
the pytest plugin :mod:`specbias.testing.plugin` (entry point ``pytest11``); this file makes
sure the plugin is registered when the package is not installed, and loads the default.
Select another with ``--hypothesis-profile NAME`` or ``SPECBIAS_HYPOTHESIS_PROFILE``.
"""

from __future__ import annotations

import random

import mpmath
import numpy as np
import pytest
from hypothesis import settings

from specbias.testing import plugin as specbias_plugin

settings.load_profile(specbias_plugin.default_profile())


def pytest_configure(config):
    """Register the plugin under its entry-point name unless the entry point already did."""
    pm = config.pluginmanager
    if not pm.has_plugin("specbias") and not pm.is_registered(specbias_plugin):
        pm.register(specbias_plugin, "specbias")


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
