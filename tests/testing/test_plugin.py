"""The pytest plugin: light to import, profiles defined once, fixtures usable in a user's project."""

from __future__ import annotations

import os
import subprocess
import sys
import textwrap
from importlib.metadata import entry_points
from pathlib import Path

from hypothesis import settings

from specbias.testing import plugin

ROOT = Path(__file__).parents[2]


def test_plugin_import_loads_neither_torch_nor_sympy():
    code = ("import sys, specbias.testing.plugin, specbias.testing; "
            "print(sorted(m for m in ('torch', 'sympy', 'numba', 'flint') if m in sys.modules))")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True,
                         env={**os.environ, "PYTHONPATH": str(ROOT)}, cwd=ROOT)
    assert out.stdout.strip() == "[]"


def test_profiles_are_registered_once_with_their_sizes():
    assert settings.get_profile("dev").max_examples == 10
    assert settings.get_profile("ci").max_examples == 25 and settings.get_profile("ci").derandomize
    assert settings.get_profile("thorough").max_examples == 300
    assert settings.get_profile("thorough").deadline is None
    conftest = (ROOT / "tests" / "conftest.py").read_text()
    assert "register_profile" not in conftest  # one definition: the plugin's


def test_seed_is_stable_per_test():
    assert plugin.seed_for("a::b") == plugin.seed_for("a::b") != plugin.seed_for("a::c")


USER_TEST = """
import numpy as np
from hypothesis import given, settings

from specbias.derive.ntk.kernels import kernels
from specbias.testing import assert_kernel_close, strategies as sts


def test_rng_fixture(specbias_rng):
    assert isinstance(specbias_rng, np.random.Generator)


@given(pair=sts.angle_pairs(dim=3))
def test_my_kernel(pair, specbias_kernel_reference):
    X, Y = pair.stacked()
    mine = lambda A, B: kernels(A, B, 1, "relu", 2.0, 0.1)[1]
    assert_kernel_close(mine, X, Y, depth=1, bias_var=0.1)
    assert specbias_kernel_reference(X, Y, depth=1, bias_var=0.1).shape == (1, 1)


def test_profile_is_thorough():
    assert settings.default.max_examples == 300
"""


def test_a_user_project_gets_fixtures_and_profiles(tmp_path):
    """pytest in a bare project: the plugin comes from the entry point when the package is
    installed with it, else from -p (this checkout before reinstalling)."""
    (tmp_path / "test_user.py").write_text(textwrap.dedent(USER_TEST))
    installed = any(ep.name == "specbias" for ep in entry_points(group="pytest11"))
    args = [] if installed else ["-p", "specbias.testing.plugin"]
    env = {**os.environ, "PYTHONPATH": str(ROOT), "SPECBIAS_HYPOTHESIS_PROFILE": "thorough"}
    out = subprocess.run([sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider",
                          "-k", "rng or profile", *args], cwd=tmp_path, env=env,
                         capture_output=True, text=True)
    assert out.returncode == 0, out.stdout + out.stderr
    assert "2 passed" in out.stdout
