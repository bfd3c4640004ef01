"""The commands, through a subprocess, as a user runs them."""

from __future__ import annotations

import json
import subprocess
import sys

import pytest


def run(*args, check=True):
    proc = subprocess.run([sys.executable, "-m", "specbias", *args], capture_output=True,
                          text=True, timeout=300)
    if check:
        assert proc.returncode == 0, proc.stderr
    return proc


def test_derive_gram_formats():
    data = json.loads(run("derive", "gram", "--power", "2", "--interval", "-1,2", "--json").stdout)
    assert data["steps"] and "Piecewise" in data["result"]["sympy"]
    assert "```math" in run("derive", "gram", "--power", "0").stdout
    assert r"\begin{document}" in run("derive", "gram", "--power", "1", "--format", "latex").stdout


def test_derive_eigen_ode_json():
    data = json.loads(run("derive", "eigen-ode", "--power", "1", "--json").stdout)
    assert any("det" in s["text"].lower() or "Characteristic" in s["text"] for s in data["steps"])


def test_eigen_gram_json():
    data = json.loads(run("eigen", "gram", "--power", "1", "--count", "4", "--dps", "25",
                          "--json").stdout)
    assert len(data["values"]) == 4 and data["certificate"]["trace_ok"]
    assert data["asymptotic"]["n"] == 4


@pytest.mark.parametrize("args,needle", [
    (["derive", "gram", "--power", "9"], "power 9"),
    (["derive", "gram", "--power", "1", "--interval", "2,1"], "reversed"),
    (["derive", "gram", "--power", "1", "--interval", "x,1"], "'x'"),
    (["derive", "gram", "--power", "1", "--format", "html"], "'html'"),
    (["eigen", "gram", "--power", "1", "--count", "0"], "count 0"),
    (["eigen", "gram", "--power", "1", "--dps", "500"], "dps 500"),
    (["audit", "--claims", "Z99", "--out", "unused"], "'Z99'"),
    (["derive", "gram"], "--power"),
])
def test_bad_input_one_line(args, needle):
    proc = run(*args, check=False)
    assert proc.returncode != 0
    assert needle in proc.stderr
    assert len(proc.stderr.strip().splitlines()) == 1 and "Traceback" not in proc.stderr


def test_audit_writes_reports(tmp_path):
    out = tmp_path / "rep"
    proc = run("audit", "--claims", "Z1,B6", "--quick", "--out", str(out))
    data = json.loads((out / "audit.json").read_text())
    statuses = {c["id"]: c["status"] for c in data["claims"]}
    assert set(statuses) == {"Z1", "B6"}
    assert all(s in {"confirmed", "corrected", "approximate", "refuted", "unverified"}
               for s in statuses.values())
    for c in data["claims"]:
        assert set(c) >= {"id", "status", "statement", "summary", "correction", "evidence"}
    assert (out / "index.md").exists() and (out / "Z1.md").exists()
    assert (out / "latex" / "audit.tex").exists()
    assert "Z1" in proc.stdout


def test_claims_list_json():
    data = json.loads(run("claims", "--json").stdout)
    assert any(c["id"] == "Z1" and c["audit"]["function"].endswith("audit_z1")
               for c in data["claims"])


def test_report_rerenders_audit_json_identically(tmp_path):
    first = tmp_path / "first"
    run("audit", "--claims", "Z1", "--quick", "--out", str(first))
    again = tmp_path / "again"
    run("report", "--from", str(first / "audit.json"), "--out", str(again))
    for name in ("Z1.md", "index.md", "audit.json", "latex/Z1.tex"):
        assert (first / name).read_text() == (again / name).read_text()
    bad = run("report", "--from", str(first / "Z1.md"), "--out", str(tmp_path / "x"), check=False)
    assert bad.returncode == 2 and "not JSON" in bad.stderr


def test_derive_ntk_and_verify_ntk():
    data = json.loads(run("derive", "ntk", "--activation", "erf", "--depth", "2", "--bias",
                          "--parametrization", "standard", "--json").stdout)
    assert "asin" in json.dumps(data) and data["result"]["latex"]
    out = json.loads(run("verify", "ntk", "--width", "32,128", "--seeds", "2", "--n", "4",
                         "--json").stdout)
    assert out["device"] == "cpu" and len(out["relative_errors"]) == 2
    # independent of the fit: the larger width is closer to the analytic kernel on average
    assert out["relative_errors"][1] < out["relative_errors"][0]


@pytest.mark.parametrize("args,needle", [
    (["derive", "ntk", "--activation", "tanh"], "tanh"),
    (["derive", "ntk", "--depth", "0"], "depth 0"),
    (["derive", "ntk", "--parametrization", "mup"], "mup"),
    (["verify", "ntk", "--width", "0,4"], "widths 0"),
    (["verify", "ntk", "--dtype", "float16"], "float16"),
    (["verify", "ntk", "--seeds", "1"], "seeds 1"),
])
def test_ntk_commands_reject_bad_input_in_one_line(args, needle):
    proc = run(*args, check=False)
    assert proc.returncode == 2 and needle in proc.stderr and len(proc.stderr.strip().splitlines()) == 1


def test_spectrum_gram_json(tmp_path):
    import os
    env = dict(os.environ, SPECBIAS_CACHE=str(tmp_path))
    proc = subprocess.run([sys.executable, "-m", "specbias", "spectrum", "gram", "--power", "1",
                           "--n", "12", "--knots", "chebyshev", "--dps", "20", "--vectors", "1",
                           "--json"], capture_output=True, text=True, timeout=300, env=env)
    assert proc.returncode == 0, proc.stderr
    data = json.loads(proc.stdout)
    assert len(data["values"]) == 12 and all(data["certificate"]["indexed"])
    assert len(data["vectors"]) == 1 and len(data["knots"]) == 12


def test_spectrum_gram_arithmetic_paths_agree():
    """--arithmetic auto (compiled quad-double) and mpfr (gmpy2) certify the same values."""
    out = {a: json.loads(run("spectrum", "gram", "--power", "2", "--n", "30", "--no-cache",
                             "--arithmetic", a, "--json").stdout) for a in ("auto", "mpfr")}
    assert out["auto"]["certificate"]["arithmetic"].startswith("quad-double")
    assert out["auto"]["certificate"]["growth_digits"] <= 12
    assert out["auto"]["values"] == out["mpfr"]["values"]


def test_cutoffs_theory_json():
    data = json.loads(run("cutoffs", "theory", "--dims", "1,3", "--json").stdout)
    rows = {(r["dtype"], r["d"]): r for r in data["rows"]}
    assert rows[("float64", 1)]["k_d"] == "8192" and len(rows) == 8


@pytest.mark.parametrize("args,needle", [
    (["spectrum", "gram", "--power", "1", "--n", "0"], "N 0"),
    (["spectrum", "gram", "--power", "1", "--n", "5", "--knots", "weird"], "'weird'"),
    (["spectrum", "gram", "--power", "1", "--n", "2", "--knots", "list:0.1,0.1"], "repeated"),
    (["spectrum", "gram", "--power", "1", "--n", "2", "--knots", "list:0.1,3"], "outside"),
    (["spectrum", "gram", "--power", "1", "--n", "5", "--dps", "80"], "dps 80"),
    (["spectrum", "gram", "--power", "1", "--n", "5", "--knots", "adaptive:foo(x)"], "'foo'"),
    (["spectrum", "gram", "--power", "1", "--n", "5", "--knots", "adaptive:1/x"], "x = 0"),
    (["cutoffs", "theory", "--dtypes", "float8"], "'float8'"),
    (["cutoffs", "gram", "--dtypes", "float16"], "'float16'"),
    (["cutoffs", "theory", "--dims", "0"], "dimension 0"),
])
def test_bad_input_one_line_issue3(args, needle):
    proc = run(*args, check=False)
    assert proc.returncode == 2 and needle in proc.stderr, proc.stderr
    assert len(proc.stderr.strip().splitlines()) == 1 and "Traceback" not in proc.stderr


def test_lstsq_relu_equals_hat_in_float64():
    """Same P1 space: the two bases give the same fit in float64 (independent assembly)."""
    relu = json.loads(run("lstsq", "--target", "atan(25*x)", "--n", "50", "--basis", "relu",
                          "--json").stdout)
    hat = json.loads(run("lstsq", "--target", "atan(25*x)", "--n", "50", "--basis", "hat",
                         "--json").stdout)
    # both solves are backward stable in float64; cond of the ReLU design ~ n^2: 1e-8 is ample
    assert abs(relu["MSE"] / hat["MSE"] - 1) < 1e-8
    bad = run("lstsq", "--target", "import os", "--n", "5", check=False)
    assert bad.returncode == 2 and "formula" in bad.stderr


def test_spectrum_gram_text_reads_the_typed_certificate(tmp_path):
    """The text output reports the certificate from its fields (count, bracket, pivot growth)."""
    import os
    env = dict(os.environ, SPECBIAS_CACHE=str(tmp_path))
    proc = subprocess.run([sys.executable, "-m", "specbias", "spectrum", "gram", "--power", "1",
                           "--n", "6", "--dps", "20"], capture_output=True, text=True, timeout=300,
                          env=env)
    assert proc.returncode == 0, proc.stderr
    assert "within relative 1e-22): 6/6" in proc.stdout
    assert "# pivot growth (measured): 10^" in proc.stdout
