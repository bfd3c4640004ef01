"""``specbias spectrum circle`` and ``specbias spectrum sphere`` as a user runs them."""

from __future__ import annotations

import json
import subprocess
import sys

import pytest

from specbias.cli import sphere as cli_sphere
from specbias.derive.sphere import circle, duals, funk_hecke


def run(*args, check=True):
    proc = subprocess.run([sys.executable, "-m", "specbias", *args], capture_output=True,
                          text=True, timeout=600)
    if check:
        assert proc.returncode == 0, proc.stderr
    return proc


def test_choices_mirror_the_library():
    assert cli_sphere.BIASES == circle.BIASES and cli_sphere.INPUTS == circle.INPUTS
    assert cli_sphere.KERNELS == funk_hecke.KERNELS and cli_sphere.ACTIVATIONS == duals.ACTIVATIONS


def test_circle_json():
    data = json.loads(run("spectrum", "circle", "--density", "0:1,2/3pi:2,4/3pi:4", "--count",
                          "4", "--dps", "12", "--json").stdout)
    assert len(data["values"]) == 4 and data["certificate"]["ritz_monotone"]
    assert data["convention"].startswith("bias b(0) = 0")


def test_sphere_text():
    out = run("spectrum", "sphere", "--dim", "3", "--count", "4", "--dps", "10").stdout
    assert "mu_3" in out and "multiplicity 7" in out


@pytest.mark.parametrize("args,needle", [
    (["spectrum", "circle", "--density", "0:1,1:0"], "weight 0"),
    (["spectrum", "circle", "--density", "1:1,0.5:2"], "not increasing"),
    (["spectrum", "circle", "--density", "0:1,0:2"], "repeated"),
    (["spectrum", "circle", "--density", "0:1,9:2"], "outside [0, 2π)"),
    (["spectrum", "circle", "--count", "0"], "count 0"),
    (["spectrum", "sphere", "--dim", "1"], "d = 1"),
    (["spectrum", "sphere", "--dim", "3", "--activation", "swish"], "activation 'swish'"),
])
def test_bad_input_one_line_exit_2(args, needle):
    proc = run(*args, check=False)
    assert proc.returncode == 2 and needle in proc.stderr and len(proc.stderr.splitlines()) == 1
