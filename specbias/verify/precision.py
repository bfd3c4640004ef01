"""Where float32/float64 eigenvalues of a Gram matrix stop being right, measured.

The matrix G_ij = G_P(b_i, b_j) is formed in float64 from the derived kernel, rounded to the
dtype, and handed to ``numpy.linalg.eigvalsh`` and ``torch.linalg.eigvalsh`` (CPU, and CUDA
when available, with explicit dtype and device). Each result is compared with the certified
high-precision reference (:func:`specbias.derive.matrix.spectrum.gram_matrix_spectrum`); the
cutoff for a threshold tau is the first index k with |lambda_k^dtype / lambda_k - 1| > tau.
"""

from __future__ import annotations

import functools
from contextlib import contextmanager

import mpmath
import numpy as np
from threadpoolctl import threadpool_limits

from specbias.derive.matrix.cutoffs import check_dtypes
from specbias.derive.gram.kernel import gram_kernel
from specbias.derive.matrix.knots import Knots
from specbias.derive.matrix.spectrum import gram_matrix_spectrum
from specbias.verify.options import SOLVER_DTYPES

THRESHOLDS = (0.01, 0.5, 1.0)


@contextmanager
def single_thread():
    """Run BLAS/LAPACK on one thread inside the block. A blocked float32 product or
    factorization sums in an order that depends on the thread count, so its rounding errors --
    the very thing a precision experiment measures -- would change with the machine's load
    and core count; on one thread the same input gives the same bits everywhere."""
    with threadpool_limits(limits=1):
        yield


def single_threaded(fn):
    """Decorator: run ``fn`` inside :func:`single_thread` (for an experiment built of small
    dense linear algebra, one thread is also the faster choice on a shared machine)."""
    @functools.wraps(fn)
    def run(*args, **kwargs):
        with single_thread():
            return fn(*args, **kwargs)
    return run


def backends() -> list[str]:
    """Available backends: numpy, torch-cpu, and torch-cuda when CUDA is present."""
    out = ["numpy", "torch-cpu"]
    try:
        import torch

        if torch.cuda.is_available():
            out.append("torch-cuda")
    except ImportError:  # pragma: no cover
        out.remove("torch-cpu")
    return out


def gram_float64(kn: Knots, power: int) -> np.ndarray:
    b = kn.floats()
    return gram_kernel(power).numeric("numpy")(b[:, None], b[None, :])


def eigvalsh(matrix: np.ndarray, dtype: str, backend: str) -> np.ndarray:
    """Eigenvalues, descending, of ``matrix`` rounded to ``dtype``, by ``backend``."""
    check_dtypes([dtype], SOLVER_DTYPES)
    if backend == "numpy":
        return np.sort(np.linalg.eigvalsh(matrix.astype(dtype)).astype(np.float64))[::-1]
    import torch

    device = "cuda" if backend == "torch-cuda" else "cpu"
    t = torch.tensor(matrix, dtype=getattr(torch, dtype), device=device)
    return np.sort(torch.linalg.eigvalsh(t).double().cpu().numpy())[::-1]


def first_exceeding(rel_err: np.ndarray, tau: float) -> int | None:
    """1-based index of the first relative error above tau (None if none)."""
    hit = np.nonzero(rel_err > tau)[0]
    return int(hit[0]) + 1 if hit.size else None


def gram_cutoffs(kn: Knots, power: int = 1, dtypes=("float32", "float64"), dps: int = 20,
                 backend_list=None, progress=None) -> dict:
    """Cutoff indices per (dtype, backend) and relative errors per k, against the reference."""
    dtypes = check_dtypes(dtypes, SOLVER_DTYPES)
    ref_spec = gram_matrix_spectrum(power, kn, dps=dps, progress=progress)
    with mpmath.workdps(dps):
        ref = np.array([float(mpmath.mpf(v)) for v in ref_spec.values])
    g = gram_float64(kn, power)
    results = []
    for dtype in dtypes:
        for backend in backend_list or backends():
            lam = eigvalsh(g, dtype, backend)
            rel = np.abs(lam / ref - 1)
            results.append({"dtype": dtype, "backend": backend,
                            "cutoffs": {str(t): first_exceeding(rel, t) for t in THRESHOLDS},
                            "rel_err": [float(v) for v in rel]})
    return {"n": len(kn), "power": power, "knots": kn.rule, "reference_digits": dps,
            "reference": ref_spec.values, "lambda_1": float(ref[0]), "results": results}


__all__ = ["SOLVER_DTYPES", "THRESHOLDS", "backends", "eigvalsh", "first_exceeding",
           "gram_cutoffs", "gram_float64", "single_thread", "single_threaded"]
