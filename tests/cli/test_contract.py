"""The CLI contract, for every subcommand, on argument vectors that Hypothesis generates.

Each vector mixes valid options (small sizes, so that a valid run is quick) with, usually, one
invalid value, an unknown option or a missing required option. Every run, in-process through
:func:`specbias.cli.main`, must

* exit with 0 or 2 (no exception escapes: that would be a traceback),
* on exit 2 print exactly one line, ``specbias: error: ...``, that names the bad value (or the
  option) and the fix,
* under ``--json`` print JSON on stdout, the result or ``{"error": ..., "exit_status": 2}``,
* emit no warnings (a stray RuntimeWarning is noise on a pipeline's stderr).
"""

from __future__ import annotations

import contextlib
import io
import json
import warnings

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from specbias.cli import main

#: Words one of which every error message carries: its fix.
FIX_WORDS = ("use ", "give ", "choose ", "see --help", "e.g.", "divide ", "shrink ")


def run_cli(argv: list[str]) -> tuple[int, str, str, list]:
    """Run the command line in-process; return (status, stdout, stderr, warnings)."""
    out, err = io.StringIO(), io.StringIO()
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        with contextlib.redirect_stdout(out), contextlib.redirect_stderr(err):
            status = main(argv)
    return status, out.getvalue(), err.getvalue(), [w for w in caught
                                                     if not issubclass(w.category, DeprecationWarning)]


def check_contract(argv: list[str], bad: str | None) -> int:
    """Assert the contract for one run; ``bad`` is the invalid value injected (or None)."""
    status, out, err, caught = run_cli(argv)
    assert status in (0, 2), (argv, status, err)
    assert "Traceback" not in err, (argv, err)
    assert not caught, (argv, [str(w.message) for w in caught])
    if status == 2:
        lines = [line for line in err.splitlines() if line.strip()]
        assert len(lines) == 1 and lines[0].startswith("specbias: error: "), (argv, err)
        message = lines[0]
        assert any(w in message for w in FIX_WORDS), (argv, message)
        if bad is not None and status == 2:
            assert bad in message or repr(bad) in message or bad.strip() == "", (argv, bad, message)
    if "--json" in argv:
        data = json.loads(out)
        if status == 2:
            assert data["exit_status"] == 2 and data["error"] in err
    elif status == 2:
        assert out == "", (argv, out)
    return status


# ------------------------------------------------------------------ strategies

def junk() -> st.SearchStrategy[str]:
    """Text no option accepts: words, symbols, huge and negative numbers, NaN, empty."""
    return st.one_of(
        st.sampled_from(["", "abc", "nan", "inf", "-inf", "1e400", "1.5", "0x10", "--", "x,y",
                         ",", "1,,2", "-7", "99999999999999999999", "../..", "$x$", "é"]),
        st.text(alphabet="abc019,.-:/ +*()", min_size=1, max_size=8),
        st.integers(min_value=-10**6, max_value=10**12).map(str))


def option_vector(path: list[str], valid: dict, invalid: dict, required=(), flags=()):
    """argv strategies for one subcommand: ``valid[opt]`` and ``invalid[opt]`` are strategies of
    values; ``required`` options are always present unless the case is 'missing'. Returns
    (argv, bad) with ``bad`` the injected invalid value or None."""

    @st.composite
    def build(draw):
        mode = draw(st.sampled_from(["valid", "invalid", "invalid", "unknown", "missing"]))
        chosen = {opt for opt in valid if opt in required or draw(st.booleans())}
        values = {opt: draw(valid[opt]) for opt in chosen}
        bad = None
        if mode == "invalid" and invalid:
            opt = draw(st.sampled_from(sorted(invalid)))
            bad = draw(invalid[opt])
            values[opt] = bad
        argv = list(path)
        for opt, value in values.items():
            argv += [opt, value] if draw(st.booleans()) or value.startswith("-") else [f"{opt}={value}"]
        argv += [f for f in flags if draw(st.booleans())]
        if mode == "unknown":
            argv.append(draw(st.sampled_from(["--bogus", "--jsn", "--n-knots", "extra"])))
            bad = None
        if mode == "missing" and required:
            drop = draw(st.sampled_from(sorted(required)))
            i = argv.index(drop) if drop in argv else None
            if i is not None:
                del argv[i:i + 2]
            else:
                argv = [a for a in argv if not a.startswith(drop + "=")]
            bad = drop
        if draw(st.booleans()):  # before the options or after them
            argv.insert(len(path) if draw(st.booleans()) else len(argv), "--json")
        return argv, bad

    return build()


def ints(lo, hi):
    return st.integers(lo, hi).map(str)


def bad_ints(lo, hi):
    return st.one_of(st.integers(hi + 1, hi + 10**6).map(str),
                     st.integers(-10**6, lo - 1).map(str),
                     st.sampled_from(["x", "1.5", "", "nan"]))


CASES = {
    "derive gram": option_vector(
        ["derive", "gram"], {"--power": ints(0, 2), "--interval": st.sampled_from(["-1,1", "0,1"]),
                             "--format": st.sampled_from(["markdown", "latex"])},
        {"--power": bad_ints(0, 6), "--interval": st.one_of(junk(), st.sampled_from(["1,1", "2,1", "0"])),
         "--format": junk()}, required={"--power"}),
    "derive eigen-ode": option_vector(
        ["derive", "eigen-ode"], {"--power": ints(0, 1), "--interval": st.sampled_from(["-1,1"])},
        {"--power": bad_ints(0, 6), "--interval": st.sampled_from(["3,-3", "1/0,1", "a,b"])},
        required={"--power"}),
    "derive ntk": option_vector(
        ["derive", "ntk"], {"--activation": st.sampled_from(["relu", "relu2", "step", "erf"]),
                            "--depth": ints(1, 3),
                            "--parametrization": st.sampled_from(["ntk", "standard"])},
        {"--activation": junk(), "--depth": bad_ints(1, 100), "--parametrization": junk()},
        flags=("--bias",)),
    "eigen gram": option_vector(
        ["eigen", "gram"], {"--power": ints(0, 1), "--count": ints(1, 3), "--dps": ints(5, 15)},
        {"--power": bad_ints(0, 6), "--count": bad_ints(1, 2000), "--dps": bad_ints(5, 200),
         "--interval": st.sampled_from(["1,0", "x,1", "1,2,3"])}, required={"--power"}),
    "spectrum gram": option_vector(
        ["spectrum", "gram"], {"--power": ints(0, 2), "--n": ints(1, 6), "--dps": ints(5, 20),
                               "--knots": st.sampled_from(["uniform", "chebyshev", "random:3"]),
                               "--arithmetic": st.sampled_from(["auto", "mpfr"])},
        {"--power": bad_ints(0, 6), "--n": bad_ints(1, 20000), "--dps": bad_ints(5, 50),
         "--vectors": bad_ints(0, 20000), "--arithmetic": junk(),
         "--knots": st.sampled_from(["random:", "random:x", "list:", "list:0,0", "adaptive:",
                                     "adaptive:foo(x)", "weird", "uniform:3"])},
        required={"--power", "--n"}),
    "cutoffs theory": option_vector(
        ["cutoffs", "theory"], {"--dims": st.sampled_from(["1", "1,3", "2,10"]),
                                "--dtypes": st.sampled_from(["float32", "float16,float64"])},
        {"--dims": st.one_of(junk(), st.sampled_from(["0", "1001", "1,,2"])),
         "--dtypes": st.one_of(junk(), st.just("float8"))}),
    "cutoffs gram": option_vector(
        ["cutoffs", "gram"], {"--n": ints(2, 8), "--power": ints(0, 2),
                              "--dtypes": st.sampled_from(["float32", "float64"])},
        {"--n": bad_ints(1, 10000), "--dtypes": st.sampled_from(["float16", "x"]),
         "--plot": st.sampled_from(["plot.txt", "", "/nonexistent-dir-xyz/p.png", "/"])}),
    "lstsq": option_vector(
        ["lstsq"], {"--target": st.sampled_from(["x", "sin(3*x)", "atan(25*x)", "abs(x)", "-x"]),
                    "--n": ints(1, 8), "--basis": st.sampled_from(["relu", "hat"]),
                    "--knots": st.sampled_from(["uniform", "adaptive"]),
                    "--dtype": st.sampled_from(["float32", "float64"]),
                    "--solver": st.sampled_from(["lstsq", "normal"]),
                    "--samples": ints(20, 200), "--noise": st.sampled_from(["0", "0.1"]),
                    "--seed": ints(0, 5)},
        {"--target": st.sampled_from(["exp(700*x)", "exp(1000*x)", "import os", "1/x",
                                      "log(x)", "__import__('os')", "x**", ""]),
         "--n": bad_ints(1, 20000), "--samples": bad_ints(1, 200000),
         "--noise": st.sampled_from(["nan", "-1", "inf", "x"]), "--seed": bad_ints(0, 2**63 - 1),
         "--basis": junk(), "--solver": junk(), "--dtype": st.just("float16")},
        required={"--target", "--n"}),
    "verify ntk": option_vector(
        ["verify", "ntk"], {"--width": st.sampled_from(["4,8", "8,16"]), "--n": ints(2, 3),
                            "--dim": ints(1, 3), "--seeds": st.just("2"), "--depth": ints(1, 2),
                            "--activation": st.sampled_from(["relu", "erf"]),
                            "--dtype": st.sampled_from(["float32", "float64"]),
                            "--bias-var": st.sampled_from(["0", "0.1"])},
        {"--width": st.sampled_from(["8", "8,8", "0,4", "10000000,20", "a,b", ""]),
         "--seeds": st.sampled_from(["1", "0", "x"]), "--n": bad_ints(2, 1024),
         "--weight-var": st.sampled_from(["0", "-1", "nan"]), "--activation": st.just("step"),
         "--device": st.just("tpu"), "--dtype": st.just("float16")}),
    "claims": option_vector(["claims"], {}, {}),
    "audit": option_vector(
        ["audit"], {}, {"--out": st.sampled_from(["", "/proc/version", "/proc/xyz", "/dev/null/x"]),
                        "--claims": st.sampled_from(["Z99", "Q", ",", "all,Z1x"])},
        flags=("--quick",)),
    "report": option_vector(
        ["report"], {"--out": st.just("/tmp/specbias-contract-report")},
        {"--from": st.sampled_from(["/nonexistent.json", "/proc", "/etc/hostname", ""]),
         "--out": st.sampled_from(["", "/proc/version"])}, required={"--from", "--out"}),
}
#: Commands whose valid runs do real work; "audit" without an invalid value would run an audit.
NEEDS_INVALID = {"audit", "report"}


@pytest.fixture(autouse=True, scope="module")
def _cache(tmp_path_factory):
    with pytest.MonkeyPatch.context() as mp:
        mp.setenv("SPECBIAS_CACHE", str(tmp_path_factory.mktemp("cache")))
        yield


@pytest.mark.parametrize("name", sorted(CASES))
def test_contract(name):
    @settings(suppress_health_check=[HealthCheck.too_slow, HealthCheck.filter_too_much],
              deadline=None)
    @given(CASES[name])
    def check(case):
        argv, bad = case
        if name in NEEDS_INVALID and bad is None and "--bogus" not in argv and not any(
                a.startswith(("--jsn", "--n-knots", "extra")) for a in argv):
            argv = argv + ["--claims", "Z99"] if name == "audit" else argv + ["--from", ""]
        check_contract(argv, bad)

    check()


def test_missing_subcommand_prints_help_and_exits_2():
    status, out, err, _ = run_cli(["derive"])
    assert status == 2 and "gram" in err and out == ""
    status, out, err, _ = run_cli([])
    assert status == 2 and "COMMAND" in err


def test_help_and_version_exit_0():
    assert run_cli(["--help"])[0] == 0
    status, out, _, _ = run_cli(["--version"])
    assert status == 0 and out.startswith("specbias ")
