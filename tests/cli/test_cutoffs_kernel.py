"""``specbias cutoffs kernel``: measured cutoffs against the certified spectrum; bad points files."""

from __future__ import annotations

import json

import numpy as np
import pytest

from specbias.cli import main
from specbias.derive.ntk.certified import gram_eigenvalues


def run(capsys, *argv):
    code = main(list(argv))
    out = capsys.readouterr()
    return code, out.out, out.err


def test_json_cutoffs(tmp_path, capsys):
    X = np.random.default_rng(0).standard_normal((24, 3))
    X[1] = X[0] + 1e-9  # a near-duplicate: one tiny eigenvalue
    np.save(tmp_path / "x.npy", X)
    code, out, _ = run(capsys, "cutoffs", "kernel", "--kernel", "ntk", "--depth", "2",
                       "--points", str(tmp_path / "x.npy"), "--dtypes", "float32,float64",
                       "--json")
    data = json.loads(out)
    assert code == 0 and data["n"] == 24 and data["reference"]["all_certified"]
    # the reference printed is the library's certified spectrum (a second, direct call)
    assert data["reference"]["values"] == gram_eigenvalues(X, "ntk", depth=2)["values"]
    by = {(r["dtype"], r["backend"]): r for r in data["results"]}
    lam = np.array([float(v) for v in data["reference"]["values"]])
    # float32 cannot hold lambda_24 / lambda_1 ~ 1e-9 < eps: its smallest eigenvalue is lost
    assert lam[-1] / lam[0] < 1e-7
    assert by[("float32", "numpy")]["cutoffs"]["1.0"] is not None
    # float64 keeps it to 1% (eps / 1e-9 ~ 1e-7 relative)
    assert by[("float64", "numpy")]["cutoffs"]["0.01"] is None


def test_text_output_nngp_and_plot(tmp_path, capsys):
    np.save(tmp_path / "x.npy", np.eye(3))
    code, out, _ = run(capsys, "cutoffs", "kernel", "--kernel", "nngp", "--activation", "step",
                       "--points", str(tmp_path / "x.npy"), "--plot", str(tmp_path / "cut.png"))
    assert code == 0 and "float16  numpy        float32" in out
    assert (tmp_path / "cut.png").stat().st_size > 1000 and (tmp_path / "cut.pdf").exists()


def test_unwritable_plot_folder_is_refused_before_computing(tmp_path, capsys):
    np.save(tmp_path / "x.npy", np.eye(3))
    code, out, err = run(capsys, "cutoffs", "kernel", "--kernel", "ntk", "--points",
                         str(tmp_path / "x.npy"), "--plot", str(tmp_path / "no" / "such" / "p.png"))
    assert code == 2 and out == "" and "does not exist or is not writable" in err


@pytest.mark.parametrize("content, match", [
    (np.zeros(5), "(n, d) float"), (np.zeros((3, 2), dtype=np.int64), "(n, d) float"),
    (np.full((2, 2), np.inf), "infinity"), (np.ones((401, 2)), "at most 400"),
    (None, "not a NumPy .npy"), ("missing", "does not exist"),
])
def test_bad_points_exit_2(tmp_path, capsys, content, match):
    path = tmp_path / "p.npy"
    if content is None:
        path.write_text("not numpy")
    elif isinstance(content, np.ndarray):
        np.save(path, content)
    code, out, err = run(capsys, "cutoffs", "kernel", "--kernel", "ntk", "--points", str(path))
    assert code == 2 and out == "" and err.count("\n") == 1 and match in err


def test_object_arrays_are_refused_without_unpickling(tmp_path, capsys):
    np.save(tmp_path / "o.npy", np.array([{"a": 1}], dtype=object), allow_pickle=True)
    code, _, err = run(capsys, "cutoffs", "kernel", "--kernel", "ntk", "--points",
                       str(tmp_path / "o.npy"))
    assert code == 2 and "not a NumPy .npy" in err
