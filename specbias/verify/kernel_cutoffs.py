"""Where float16/float32/float64 eigensolvers lose a kernel Gram matrix's eigenvalues, measured
on a user's own points against a certified reference.

The NTK/NNGP matrix K(X, X) is formed in float64 by :func:`specbias.derive.ntk.kernels.kernels`
(a few ulps per entry), rounded to each dtype and handed to ``numpy.linalg.eigvalsh`` and
``torch.linalg.eigvalsh`` (CPU, and CUDA when present). float16 has no LAPACK or cuSOLVER
eigensolver: its matrix is stored in float16 and solved in float32 (labelled so). Each
spectrum is compared, index by index in descending order, with
:func:`specbias.derive.ntk.certified.gram_eigenvalues`; the cutoff for a threshold τ is the
first k with |λ̂_k / λ_k − 1| > τ (:func:`specbias.verify.precision.first_exceeding`).
"""

from __future__ import annotations

import numpy as np

from specbias.derive.ntk.certified import check_points, gram_eigenvalues
from specbias.derive.ntk.kernels import kernels
from specbias.verify.precision import THRESHOLDS, backends, eigvalsh, first_exceeding

KERNEL_DTYPES = ("float16", "float32", "float64")


def kernel_matrix(X, kernel, activation, depth, weight_var, bias_var, parametrization) -> np.ndarray:
    """K(X, X) in float64 (the NTK, or the NNGP for ``kernel="nngp"``)."""
    S, T = kernels(X, X, depth, activation, weight_var, bias_var, parametrization,
                   want_ntk=(kernel == "ntk"))
    return T if kernel == "ntk" else S


def solve(matrix: np.ndarray, dtype: str, backend: str) -> np.ndarray:
    """Descending eigenvalues of ``matrix`` rounded to ``dtype`` (float16: solved in float32)."""
    if dtype == "float16":
        return eigvalsh(matrix.astype(np.float16).astype(np.float32), "float32", backend)
    return eigvalsh(matrix, dtype, backend)


def kernel_cutoffs(X, kernel: str = "ntk", activation: str = "relu", depth: int = 1,
                   weight_var: float = 2.0, bias_var: float = 0.0, parametrization: str = "ntk",
                   dtypes=KERNEL_DTYPES, digits: int = 20, backend_list=None) -> dict:
    """Cutoff indices per (dtype, backend) and the relative error of every eigenvalue."""
    X = check_points(X)
    ref = gram_eigenvalues(X, kernel, activation, depth, weight_var, bias_var, parametrization,
                           digits)
    lam = np.array([float(v) for v in ref["values"]])
    K = kernel_matrix(X, kernel, activation, depth, weight_var, bias_var, parametrization)
    results = []
    for dtype in dtypes:
        for backend in backend_list or backends():
            got = solve(K, dtype, backend)
            with np.errstate(divide="ignore", invalid="ignore"):
                rel = np.abs(got / lam - 1)
            rel[~np.isfinite(rel)] = np.inf
            results.append({"dtype": dtype, "backend": backend,
                            "solver_dtype": "float32" if dtype == "float16" else dtype,
                            "cutoffs": {str(t): first_exceeding(rel, t) for t in THRESHOLDS},
                            "rel_err": [float(f"{v:.3g}") for v in rel]})
    return {"n": int(X.shape[0]), "dim": int(X.shape[1]), "kernel": kernel,
            "activation": activation, "depth": depth, "weight_var": weight_var,
            "bias_var": bias_var, "parametrization": parametrization,
            "reference": {"digits": digits, "prec_bits": ref["prec"],
                          "values": ref["values"], "all_certified": all(ref["certified"])},
            "results": results}


__all__ = ["KERNEL_DTYPES", "kernel_cutoffs", "kernel_matrix", "solve"]
