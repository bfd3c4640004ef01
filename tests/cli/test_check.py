"""``specbias check``: exit 0 (nothing found), 1 (counterexample), 2 (bad input, one line)."""

from __future__ import annotations

import json
import textwrap

import pytest

from specbias.cli import main

GOOD = """
from specbias.derive.ntk.kernels import kernels

def ntk(X, Y):
    return kernels(X, Y, 2)[1]

def ntk_torch(X, Y):  # torch tensors in (--array torch), a torch tensor back
    import torch
    assert isinstance(X, torch.Tensor) and isinstance(Y, torch.Tensor)
    return kernels(X, Y, 2, "relu", 2.0, 0.1, xp=torch)[1]

def one_arg(X):
    return X

not_callable = 3

raise_on_import = False
"""


@pytest.fixture
def user_module(tmp_path, monkeypatch, request):
    """A module of the user's in the current directory (as ``specbias check`` finds it)."""
    name = f"userkernels_{abs(hash(request.node.nodeid))}"
    (tmp_path / f"{name}.py").write_text(textwrap.dedent(GOOD))
    (tmp_path / f"{name}_broken.py").write_text("import no_such_module_anywhere\n")
    monkeypatch.chdir(tmp_path)
    return name


def run(capsys, *argv):
    code = main(list(argv))
    out = capsys.readouterr()
    return code, out.out, out.err


def test_a_correct_kernel_exits_0(capsys, user_module):
    code, out, _ = run(capsys, "check", f"{user_module}:ntk", "--against", "ntk", "--depth", "2",
                       "--examples", "8")
    assert code == 0 and "no counterexample found" in out
    assert "worst relative error by angle" in out and "1e-12 .. 1e-11" in out


def test_the_naive_kernel_exits_1_with_shrunk_counterexamples(capsys, monkeypatch):
    monkeypatch.chdir(__import__("pathlib").Path(__file__).parents[2])  # the repo root: examples/
    code, out, _ = run(capsys, "check", "examples.naive_ntk:ntk", "--against", "ntk", "--depth",
                       "2", "--examples", "20", "--json")
    data = json.loads(out)
    assert code == 1 and data["found"]
    props = {c["property"] for c in data["counterexamples"]}
    assert {"pairs", "diagonal"} <= props
    assert data["worst_relative_error_by_dtype"]["float64"] > 1e-10


@pytest.mark.parametrize("target, extra, match", [
    ("nocolon", [], "MODULE:FUNCTION"),
    ("no_such_module_xyz:ntk", [], "cannot import module 'no_such_module_xyz'"),
    ("{m}_broken:ntk", [], "ModuleNotFoundError"),
    ("{m}:missing", [], "no function 'missing'"),
    ("{m}:not_callable", [], "no function 'not_callable'"),
    ("{m}:one_arg", [], "two arguments"),
    ("{m}:ntk", ["--against", "cntk"], "invalid choice: 'cntk'"),
    ("{m}:ntk", ["--activation", "tanh"], "invalid choice: 'tanh'"),
    ("{m}:ntk", ["--dtype", "float8"], "float8"),
    ("{m}:ntk", ["--examples", "0"], "--examples 0"),
    ("{m}:ntk", ["--depth", "0"], "depth 0"),
    ("{m}:ntk", ["--activation", "step"], "step"),
    ("{m}:ntk", ["--device", "cuda"], "cuda"),
])
def test_bad_input_exits_2_with_one_line(capsys, user_module, target, extra, match):
    argv = ["check", target.format(m=user_module)] + (extra if "--against" in extra
                                                      else ["--against", "ntk"] + extra)
    code, out, err = run(capsys, *argv)
    assert code == 2 and out == ""
    assert err.count("\n") == 1 and err.startswith("specbias: error:") and match in err


def test_float32_and_torch_results(capsys, user_module):
    code, out, _ = run(capsys, "check", f"{user_module}:ntk_torch", "--against", "ntk", "--depth",
                       "2", "--bias-var", "0.1", "--dtype", "float32", "--examples", "5",
                       "--array", "torch", "--json")
    data = json.loads(out)
    assert code == 0 and list(data["worst_relative_error_by_dtype"]) == ["float32"]
    # float32 arithmetic: errors of order eps_32 = 1.2e-7, well above float64's
    assert 1e-9 < data["worst_relative_error_by_dtype"]["float32"] < 1e-5


def test_choices_are_the_library_tuples():
    from specbias.cli import check
    from specbias.derive.ntk import arccos, kernels
    from specbias.testing import strategies

    assert check.ACTIVATIONS == arccos.ACTIVATIONS and check.PARAMETRIZATIONS == kernels.PARAMETRIZATIONS
    assert check.DTYPES == strategies.DTYPES
