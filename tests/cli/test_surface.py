"""The findings of issue 10, each as a test: start-up imports, pipes, file modes, output paths,
progress counts, bounds, and the library fixes found on the way."""

from __future__ import annotations

import io
import json
import os
import subprocess
import sys

import pytest

from specbias.cli import main
from specbias.cli.common import progress_bar

HEAVY = ("sympy", "torch", "numba", "scipy", "matplotlib", "mpmath", "numpy", "gmpy2", "tqdm")


def python(code: str, **kw) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                          timeout=120, **kw)


def test_help_and_argument_errors_import_nothing_heavy():
    """Start-up: the parser, --help and an argument error load none of the heavy libraries
    (their import is what made --help take 1.7 s); benchmarks/bench_startup.py times it."""
    code = ("import sys, contextlib, io\nfrom specbias.cli import main\n"
            "with contextlib.redirect_stdout(io.StringIO()), contextlib.redirect_stderr(io.StringIO()):\n"
            "    codes = [main(['--help']), main(['derive', 'gram', '--power', '9']),\n"
            "             main(['verify', 'ntk', '--width', '8']), main(['cutoffs', 'gram', '--n', '0'])]\n"
            f"print(codes, [m for m in {HEAVY!r} if m in sys.modules])")
    assert python(code).stdout.strip() == "[0, 2, 2, 2] []"
    assert python(f"import specbias, sys; print([m for m in {HEAVY!r} if m in sys.modules])"
                  ).stdout.strip() == "[]"


def test_public_api_is_lazy_and_complete():
    import specbias
    from specbias import api

    for name in api.PUBLIC:
        assert callable(getattr(specbias, name)), name
    with pytest.raises(AttributeError, match="public API"):
        specbias.no_such_function  # noqa: B018


def test_broken_pipe_is_quiet():
    """``specbias claims --json | head -1``: no traceback, status 141 like a SIGPIPE'd filter."""
    proc = subprocess.run(f"{sys.executable} -m specbias claims --json | head -c 1; "
                          "echo \" ${PIPESTATUS[0]}\"", shell=True, executable="/bin/bash",
                          capture_output=True, text=True, timeout=120)
    assert proc.stdout.split()[-1] == "141" and proc.stderr == "", proc.stderr


def test_json_error_and_result_on_stdout(capsys):
    assert main(["eigen", "gram", "--power", "1", "--dps", "1", "--json"]) == 2
    out, err = capsys.readouterr()
    data = json.loads(out)
    assert data["exit_status"] == 2 and "dps 1" in data["error"] and err.count("\n") == 1
    assert main(["cutoffs", "theory", "--dims", "1", "--dtypes", "float64", "--json"]) == 0
    assert json.loads(capsys.readouterr().out)["rows"][0]["k_d"] == "8192"


@pytest.mark.parametrize("argv,needle", [
    (["audit", "--out", ""], "folder '' is empty"),
    (["report", "--from", "x.json", "--out", ""], "folder '' is empty"),
    (["audit", "--out", "/dev/null/x"], "is a file, not a folder"),
    (["cutoffs", "gram", "--plot", "plot.txt"], "must end in .png or .pdf"),
    (["cutoffs", "gram", "--plot", "/proc/x.png"], "not writable"),
    (["lstsq", "--target", "x", "--n", "2", "--noise", "nan"], "'nan' is not a finite number"),
    (["spectrum", "gram", "--power", "1", "--n", "4", "--dps", "10000"], "use 5..50"),
    (["spectrum", "gram", "--power", "1", "--n", "100000"], "use 1..20000"),
    (["spectrum", "gram", "--power", "1", "--n", "4", "--knots", "random:"], "missing a seed"),
    (["derive", "ntk", "--depth", "1000"], "use 1..100"),
    (["verify", "ntk", "--width", "8"], "at least 2"),
    (["verify", "ntk", "--width", "8,8"], "repeats 8"),
    (["verify", "ntk", "--width", "10000000,8"], "use 1..65536"),
    (["cutoffs", "--n", "50"], "choose from 'theory', 'gram'"),
    (["lstsq", "--target", "exp(700*x)", "--n", "10"], "divide it by a constant"),
    (["lstsq", "--target", "exp(1000*x)", "--n", "10"], "overflows float64"),
    (["lstsq", "--target", "x", "--n", "20000"], "design matrix"),
])
def test_findings_answered_in_one_line(argv, needle, capsys):
    assert main(argv) == 2
    out, err = capsys.readouterr()
    assert needle in err and err.count("\n") == 1 and out == "", err


def test_unwritable_output_fails_before_the_work(tmp_path, capsys):
    """--out in a folder without write permission (or a path under a file) costs no audit."""
    locked = tmp_path / "locked"
    locked.mkdir(mode=0o500)
    try:
        if os.access(locked, os.W_OK) and os.geteuid() == 0:
            target = "/dev/null/reports"  # root writes anywhere: a path under a file instead
        else:
            target = str(locked / "reports")
        assert main(["audit", "--claims", "Z1", "--out", target]) == 2
        assert "specbias: error:" in capsys.readouterr().err
    finally:
        locked.chmod(0o700)


def test_report_from_a_folder(tmp_path, capsys):
    assert main(["report", "--from", str(tmp_path), "--out", str(tmp_path / "o")]) == 2
    assert "audit.json' does not exist" in capsys.readouterr().err


def test_plot_written_to_exactly_the_path(tmp_path, capsys):
    path = tmp_path / "fig.pdf"
    assert main(["cutoffs", "gram", "--n", "8", "--dtypes", "float64", "--plot", str(path)]) == 0
    assert path.read_bytes()[:4] == b"%PDF" and not (tmp_path / "fig.png").exists()
    assert sorted(p.name for p in tmp_path.iterdir()) == ["fig.pdf"]


def test_report_files_follow_the_umask(tmp_path):
    from specbias.reports.audit import write_atomic

    old = os.umask(0o027)
    try:
        write_atomic(tmp_path / "a.md", "x")
    finally:
        os.umask(old)
    assert (tmp_path / "a.md").stat().st_mode & 0o777 == 0o640


class _Tty(io.StringIO):
    def isatty(self):
        return True


def test_progress_counts_whole_units_and_never_overrun(monkeypatch):
    """Half steps (the compiled spectrum's two phases) and extra calls: integer counts that
    stop at the total."""
    fake = _Tty()
    monkeypatch.setattr(sys, "stderr", fake)
    with progress_bar(4, "test") as update:
        for _ in range(7):
            update(0.5)
        for _ in range(5):
            update(1)
    text = fake.getvalue()
    counts = [part.split("/")[0].split()[-1] for part in text.replace("\r", "\n").split("\n")
              if "/4" in part]
    assert counts and all(c.isdigit() and int(c) <= 4 for c in counts), text
    assert "5/4" not in text and ".5/" not in text


def test_derivations_report_progress():
    from specbias.derive.gram.eigen_ode import EIGEN_ODE_STAGES, eigen_ode
    from specbias.derive.ntk.kernels import derive_ntk

    ticks = []
    eigen_ode(1, "0,3", progress=ticks.append)
    assert sum(ticks) == EIGEN_ODE_STAGES
    ticks.clear()
    derive_ntk("relu", 5, progress=ticks.append)
    assert sum(ticks) == 5 + 2


def test_eigenvalues_scale_with_the_interval():
    """mu_k on [A, B] is (L/2)^(2P+2) times mu_k on [-1, 1] (substitute x = A + L(s+1)/2):
    a tiny interval (was ZeroDivisionError) and a long one (eigen-ODE took minutes)."""
    import mpmath

    from specbias.derive.gram.spectrum import gram_eigenvalues

    base = gram_eigenvalues(1, (-1, 1), 3, 20).values
    for interval, half in (("0,1e-30", "5e-31"), ("0,100", "50")):
        scaled = gram_eigenvalues(1, interval, 3, 20).values
        with mpmath.workdps(30):
            half = mpmath.mpf(half)
            for a, b in zip(base, scaled):
                assert abs(mpmath.mpf(b) / (mpmath.mpf(a) * half ** 4) - 1) < mpmath.mpf(10) ** -18
