"""``specbias derive lfp`` and ``specbias verify lfp``: output, JSON, one-line errors."""

from __future__ import annotations

import json

import pytest

from specbias.cli import main


def test_derive_lfp_json_and_markdown(capsys):
    assert main(["derive", "lfp", "--json"]) == 0
    data = json.loads(capsys.readouterr().out)
    assert "LFP multiplier" in data["title"] and data["steps"]
    assert main(["derive", "lfp", "--dim", "2"]) == 0
    assert "here $d = 2$" in capsys.readouterr().out


@pytest.mark.parametrize("argv,fragment", [
    (["derive", "lfp", "--dim", "0"], "dimension 0"),
    (["derive", "lfp", "--activation", "sigmoid"], "invalid choice: 'sigmoid'"),
    (["derive", "lfp", "--dim", "2", "--activation", "tanh"], "covers relu"),
    (["verify", "lfp", "--regime", "quadratic"], "invalid choice: 'quadratic'"),
    (["verify", "lfp", "--regime", "cubic", "--width", "0"], "width 0 is out of range"),
    (["verify", "lfp", "--regime", "cubic", "--points", "2"], "points 2 is out of range"),
])
def test_bad_input_is_one_line_and_exit_2(argv, fragment, capsys):
    assert main(argv) == 2
    err = capsys.readouterr().err.strip()
    assert err.startswith("specbias: error:") and fragment in err and "\n" not in err


def test_verify_lfp_json(capsys):
    assert main(["verify", "lfp", "--regime", "linear", "--width", "64", "--points", "8", "--json"]) == 0
    out = json.loads(capsys.readouterr().out)
    assert out["regime"] == "linear" and len(out["rates"]["xi"]) == len(out["rates"]["tau_network"])
    assert out["interpolant"]["largest_training_residual"] < 1e-3
