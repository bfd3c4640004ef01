"""The public Python API: what a notebook calls, reachable as ``specbias.NAME``.

Every name below is imported on first use (``import specbias`` loads none of SymPy, torch or
numba), and this list is the stable surface: its names and their documented arguments change
only with a new minor version. Everything else in the package is internal.

Gram kernels and spectra (the ReLU^P basis on an interval):
    :func:`gram_kernel`, :func:`eigen_ode`, :func:`gram_eigenvalues` (the continuous operator),
    :func:`knots`, :func:`gram_matrix_spectrum` (finite Gram matrices, certified).
Precision cutoffs:
    :func:`cutoff_table` (k_d = eps^(-1/(d+3))), :func:`gram_cutoffs` (measured).
NTK and NNGP kernels:
    :func:`derive_ntk` (the derivation), :func:`kernels`, :func:`nngp`,
    :func:`two_layer_kernel`, :func:`angular_deviation` (Theta(x,x) - Theta(x,x') accurately).
Empirical NTKs of PyTorch networks:
    :class:`DeepFC`, :class:`TwoLayer`, :func:`empirical_ntk`, :func:`width_convergence`.
Least squares:
    :func:`lstsq_fit`.
Audits of the claims:
    :func:`audit`, :func:`audited_ids`, :func:`write_reports`.
Errors:
    :class:`InvalidArgument` (a ``ValueError`` whose message names the bad value and the fix).
"""

from __future__ import annotations

import importlib

#: Public name -> (module, attribute).
PUBLIC = {
    "gram_kernel": ("specbias.derive.gram.kernel", "gram_kernel"),
    "eigen_ode": ("specbias.derive.gram.eigen_ode", "eigen_ode"),
    "gram_eigenvalues": ("specbias.derive.gram.spectrum", "gram_eigenvalues"),
    "knots": ("specbias.derive.matrix.knots", "knots"),
    "gram_matrix_spectrum": ("specbias.derive.matrix.spectrum", "gram_matrix_spectrum"),
    "cutoff_table": ("specbias.derive.matrix.cutoffs", "cutoff_table"),
    "gram_cutoffs": ("specbias.verify.precision", "gram_cutoffs"),
    "derive_ntk": ("specbias.derive.ntk.kernels", "derive_ntk"),
    "kernels": ("specbias.derive.ntk.kernels", "kernels"),
    "nngp": ("specbias.derive.ntk.kernels", "nngp"),
    "two_layer_kernel": ("specbias.derive.ntk.two_layer", "two_layer_kernel"),
    "angular_deviation": ("specbias.derive.ntk.deviation", "angular_deviation"),
    "DeepFC": ("specbias.verify.models", "DeepFC"),
    "TwoLayer": ("specbias.verify.models", "TwoLayer"),
    "empirical_ntk": ("specbias.verify.empirical_ntk", "empirical_ntk"),
    "width_convergence": ("specbias.verify.empirical_ntk", "width_convergence"),
    "lstsq_fit": ("specbias.verify.lstsq", "fit"),
    "audit": ("specbias.api", "audit"),
    "audited_ids": ("specbias.claims", "audited_ids"),
    "write_reports": ("specbias.reports.audit", "write_reports"),
    "InvalidArgument": ("specbias.errors", "InvalidArgument"),
}


def load(name: str):
    """The public object ``name``, imported now (AttributeError for other names)."""
    try:
        module, attr = PUBLIC[name]
    except KeyError:
        raise AttributeError(f"specbias has no public name {name!r}; the public API is "
                             f"{', '.join(sorted(PUBLIC))}") from None
    return getattr(importlib.import_module(module), attr)


def audit(claim_id: str, quick: bool = False, seed: int = 0):
    """Audit one claim of ``CLAIMS.md`` and return its :class:`~specbias.records.Verdict`.

    ``quick`` uses the small sizes of the tests; a claim without an audit comes back
    ``unverified`` with the reason. :func:`write_reports` renders verdicts to Markdown/LaTeX.
    """
    from specbias.claims import AuditContext, run_audit

    return run_audit(claim_id, AuditContext(quick=quick, seed=seed))


def __getattr__(name: str):
    return load(name)


def __dir__() -> list[str]:
    return sorted(set(globals()) | set(PUBLIC))


__all__ = sorted(PUBLIC)
