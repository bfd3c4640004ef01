"""pytest plugin of specbias (entry point ``pytest11: specbias``): Hypothesis profiles and fixtures.

Profiles (one definition, used by specbias's own tests too):

* ``dev``: 10 examples, for the edit-test loop;
* ``ci``: 25 examples, derandomized (the same examples on every run);
* ``thorough``: 300 examples.

All three have no deadline (the references and SymPy's first calls are slow) and print the
reproduction blob. The plugin registers them and loads one only when asked: pytest's own
``--hypothesis-profile NAME``, or the environment variable ``SPECBIAS_HYPOTHESIS_PROFILE``.

Fixtures: ``specbias_rng`` (a NumPy Generator seeded from the test's node id, so each test
draws its own reproducible stream), ``specbias_kernel_reference`` (the cached certified
kernel matrix, :func:`specbias.testing.oracles.kernel_reference`) and ``specbias_strategies``
(the strategies module). Importing this module imports neither torch nor SymPy.
"""

from __future__ import annotations

import hashlib
import os

import pytest
from hypothesis import HealthCheck, settings

PROFILES = {"dev": dict(max_examples=10), "ci": dict(max_examples=25, derandomize=True),
            "thorough": dict(max_examples=300)}
_COMMON = dict(deadline=None, suppress_health_check=[HealthCheck.too_slow], print_blob=True)
ENV = "SPECBIAS_HYPOTHESIS_PROFILE"


def register_profiles() -> None:
    """Register dev, ci and thorough with Hypothesis (idempotent)."""
    for name, opts in PROFILES.items():
        settings.register_profile(name, **opts, **_COMMON)


def default_profile() -> str:
    """The profile specbias's own suite loads: $SPECBIAS_HYPOTHESIS_PROFILE, else ci under CI,
    else dev."""
    return os.environ.get(ENV) or ("ci" if os.environ.get("CI") else "dev")


register_profiles()
if os.environ.get(ENV):
    settings.load_profile(os.environ[ENV])


def seed_for(nodeid: str) -> int:
    """A stable 32-bit seed from a test's node id."""
    return int.from_bytes(hashlib.sha256(nodeid.encode()).digest()[:4], "little")


@pytest.fixture
def specbias_rng(request):
    """numpy.random.Generator seeded from the test's node id."""
    import numpy as np

    return np.random.default_rng(seed_for(request.node.nodeid))


@pytest.fixture(scope="session")
def specbias_kernel_reference():
    """:func:`specbias.testing.oracles.kernel_reference` (certified, cached per input)."""
    from specbias.testing.oracles import kernel_reference

    return kernel_reference


@pytest.fixture(scope="session")
def specbias_strategies():
    """The module :mod:`specbias.testing.strategies`."""
    from specbias.testing import strategies

    return strategies
