"""Oracles: compare a user's kernel, deviation or spectrum with a certified reference.

References: NTK/NNGP entries and kernel Gram spectra from arb balls
(:mod:`specbias.derive.ntk.certified`), deviations Θ(x,x) − Θ(x,x') from the mpmath closed
forms at 60 digits (:func:`specbias.derive.ntk.deviation.reference_deviation`), ReLU^P Gram
spectra from :func:`specbias.derive.matrix.spectrum.gram_matrix_spectrum`. The tolerance is
derived from the dtype under test: ``ulps`` units of its machine epsilon relative, plus the
same times sqrt(K(x,x) K(y,y)) absolute for kernel entries (entries that nearly vanish, e.g.
at θ near π without bias, carry the rounding of any float evaluation at that scale). A failure raises
:class:`OracleFailure` whose message names the worst input, the reference, the value and
the relative error in ulps of that dtype.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from functools import lru_cache

import numpy as np

from specbias.errors import InvalidArgument, require


class OracleFailure(AssertionError):
    """An oracle found a value outside its tolerance; ``comparison`` holds the numbers."""

    def __init__(self, message: str, comparison: "Comparison"):
        super().__init__(message)
        self.comparison = comparison


@dataclass
class Comparison:
    """The outcome of one oracle call: the worst entry and how far it is."""

    what: str
    dtype: str
    worst: tuple
    reference: float
    value: float
    rel_err: float
    ulps: float
    rtol: float
    atol: float
    bad: int
    total: int
    rel_errors: np.ndarray = field(repr=False, default=None)

    @property
    def passed(self) -> bool:
        return self.bad == 0


def eps_of(dtype) -> float:
    """Machine epsilon of a NumPy/torch dtype name or object."""
    name = str(dtype).replace("torch.", "")
    try:
        return float(np.finfo(np.dtype(name)).eps)
    except TypeError:
        raise InvalidArgument(f"dtype {dtype!r} is not a float dtype: use float16, float32 "
                              "or float64") from None


def to_numpy(out) -> np.ndarray:
    """A user's result (NumPy, torch, JAX, lists) as a float64 NumPy array."""
    if hasattr(out, "detach"):
        out = out.detach().cpu()
    arr = np.asarray(out)
    if arr.dtype == object or not (np.issubdtype(arr.dtype, np.floating)
                                   or np.issubdtype(arr.dtype, np.integer)):
        raise InvalidArgument(f"the function returned {type(out).__name__} of dtype {arr.dtype}: "
                              "return a float array")
    return arr.astype(np.float64)


def _dtype_name(arr) -> str:
    return str(getattr(arr, "dtype", "float64")).replace("torch.", "")


def _compare(what, values, ref, dtype, rtol, atol_rel, index_of, scale=None) -> Comparison:
    """Entrywise |v − r| <= rtol |r| + atol_rel scale; NaN or inf counts as wrong.
    ``scale`` (default max|r|) may be an array of per-entry scales."""
    values, ref = np.asarray(values, dtype=np.float64), np.asarray(ref, dtype=np.float64)
    require(values.shape == ref.shape, f"{what}: the result has shape {values.shape}, the "
            f"reference {ref.shape}: return one value per input")
    if scale is None:
        scale = float(np.max(np.abs(ref))) if ref.size else 0.0
    err = np.abs(values - ref)
    err[~np.isfinite(values)] = np.inf
    tol = rtol * np.abs(ref) + atol_rel * scale
    # relative to |r|, floored at the absolute tolerance's scale (a zero reference is no 'inf')
    rel = err / np.maximum(np.abs(ref), atol_rel * np.asarray(scale) + 1e-300)
    bad = int(np.count_nonzero(~(err <= tol)))
    k = int(np.argmax(np.where(np.isnan(rel), np.inf, rel))) if rel.size else 0
    spacing = float(np.spacing(np.array(abs(ref.flat[k]) if ref.size else 1.0, dtype=dtype)))
    ulps = float(err.flat[k] / spacing) if spacing > 0 else float("inf")
    return Comparison(what, str(np.dtype(dtype)), index_of(k), float(ref.flat[k]) if ref.size else 0.0,
                      float(values.flat[k]) if values.size else 0.0, float(rel.flat[k]) if rel.size else 0.0,
                      ulps, rtol, atol_rel, bad, int(ref.size), rel)


def default_ulps(depth: int) -> int:
    """Tolerance in ulps: a few per layer (specbias's own float64 kernels keep <= 5)."""
    return 8 * (depth + 1)


def _fmt(v: float) -> str:
    return f"{v:.17g}"


# ------------------------------------------------------------------ kernels

@lru_cache(maxsize=512)
def _reference_cached(xb: bytes, yb: bytes, shape_x, shape_y, kernel, activation, depth, wv, bv, par):
    from specbias.derive.ntk.certified import reference_matrix

    X = np.frombuffer(xb, dtype=np.float64).reshape(shape_x)
    Y = np.frombuffer(yb, dtype=np.float64).reshape(shape_y)
    K = reference_matrix(X, Y, kernel, activation, depth, wv, bv, par, digits=20)
    return np.array([[float(v.mid()) for v in row] for row in K]).reshape(shape_x[0], shape_y[0])


def kernel_reference(X, Y=None, *, kernel: str = "ntk", activation: str = "relu", depth: int = 1,
                     weight_var: float = 2.0, bias_var: float = 0.0,
                     parametrization: str = "ntk") -> np.ndarray:
    """The certified kernel matrix K(X, Y) rounded to float64 (cached per input)."""
    X = np.ascontiguousarray(X, dtype=np.float64)
    Y = X if Y is None else np.ascontiguousarray(Y, dtype=np.float64)
    return _reference_cached(X.tobytes(), Y.tobytes(), X.shape, Y.shape, kernel, activation,
                             depth, float(weight_var), float(bias_var), parametrization)


def entry_scale(X, Y, **cfg) -> np.ndarray:
    """sqrt(|K(x,x)| |K(y,y)|) per entry: the Cauchy–Schwarz bound of a PSD kernel and the
    natural size of the rounding error of any float evaluation of K(x, y)."""
    dx = np.array([kernel_reference(x[None, :], **cfg)[0, 0] for x in X])
    dy = np.array([kernel_reference(y[None, :], **cfg)[0, 0] for y in Y])
    return np.sqrt(np.abs(np.outer(dx, dy)))


def _angle_rad(x, y) -> float:
    from specbias.derive.ntk.kernels import angles

    return float(angles(x[None, :], y[None, :], np)[0][0, 0])


def _kernel_message(c: Comparison, cfg: str, X, Y) -> str:
    i, j = c.worst
    x, y = X[i], Y[j]
    where = "diagonal entry" if np.array_equal(x, y) else "entry"
    return (f"{c.what} mismatch ({cfg}; {c.dtype}): {c.bad} of {c.total} entries outside "
            f"{c.rtol:.2g} relative + {c.atol:.2g} x sqrt(K(x,x) K(y,y)) absolute\n"
            f"  worst {where} ({i}, {j}): x = {np.array2string(x, precision=17)}, "
            f"y = {np.array2string(y, precision=17)}, angle {_angle_rad(x, y):.6g} rad\n"
            f"  reference {_fmt(c.reference)} (certified)\n"
            f"  value     {_fmt(c.value)}\n"
            f"  relative error {c.rel_err:.3g} = {c.ulps:.3g} ulps of {c.dtype}")


def _config_text(kernel, activation, depth, weight_var, bias_var, parametrization) -> str:
    return (f"{kernel} {activation} depth={depth} weight_var={weight_var} bias_var={bias_var} "
            f"{parametrization} parametrization")


def assert_kernel_close(fn, X=None, Y=None, *, thetas=None, dim: int = 2, kernel: str = "ntk",
                        activation: str = "relu", depth: int = 1, weight_var: float = 2.0,
                        bias_var: float = 0.0, parametrization: str = "ntk", dtype=None,
                        ulps: float | None = None, rtol: float | None = None,
                        atol: float | None = None, examples: int | None = None) -> Comparison:
    """Check ``fn`` against the certified NTK/NNGP of a fully connected network.

    Matrix mode: ``fn(X, Y)`` returns the (n, m) kernel matrix (Y defaults to X, so the
    diagonal is included). Deviation mode (``thetas`` given): ``fn(thetas)`` returns
    k(x, x) − k(x, x') for unit inputs in R^dim at those angles (relu and relu2). Search mode
    (neither given): :func:`specbias.testing.search.search_kernel` runs every property with
    ``examples`` per property (default: the current Hypothesis profile's), in ``dtype``
    (default float64), and the first shrunk counterexample is raised.
    ``dtype`` (default: the dtype of X or thetas) sets the tolerance: ``ulps`` (default
    8 per layer, plus 8) machine epsilons relative; ``rtol``/``atol`` override it. Returns
    the :class:`Comparison`; raises :class:`OracleFailure` when an entry is outside.
    """
    cfg = _config_text(kernel, activation, depth, weight_var, bias_var, parametrization)
    src = thetas if thetas is not None else X
    if src is None:
        return _assert_by_search(fn, kernel, activation, depth, weight_var, bias_var,
                                 parametrization, str(dtype or "float64").replace("torch.", ""),
                                 ulps, rtol, dim, examples)
    dtype = _dtype_name(src) if dtype is None else str(dtype).replace("torch.", "")
    e = eps_of(dtype)
    u = default_ulps(depth) if ulps is None else ulps
    rtol = u * e if rtol is None else rtol
    if thetas is not None:
        return _assert_deviation(fn, thetas, dim, kernel, activation, depth, weight_var, bias_var,
                                 parametrization, dtype, rtol, cfg)
    atol = u * e if atol is None else atol
    Xn = to_numpy(X)
    Yn = Xn if Y is None else to_numpy(Y)
    ref = kernel_reference(Xn, Yn, kernel=kernel, activation=activation, depth=depth,
                           weight_var=weight_var, bias_var=bias_var, parametrization=parametrization)
    got = to_numpy(fn(X, X if Y is None else Y))
    scale = entry_scale(Xn, Yn, kernel=kernel, activation=activation, depth=depth,
                        weight_var=weight_var, bias_var=bias_var, parametrization=parametrization)
    c = _compare(kernel, got, ref, dtype, rtol, atol, lambda k: divmod(k, ref.shape[1]), scale)
    if not c.passed:
        raise OracleFailure(_kernel_message(c, cfg, Xn, Yn), c)
    return c


def _assert_by_search(fn, kernel, activation, depth, wv, bv, par, dtype, ulps, rtol, dim,
                      examples):
    from hypothesis import settings

    from specbias.testing.search import search_kernel

    if rtol is not None:
        ulps = rtol / eps_of(dtype)
    res = search_kernel(fn, kernel=kernel, activation=activation, depth=depth, weight_var=wv,
                        bias_var=bv, parametrization=par, dtypes=(dtype,), dim=max(dim, 2),
                        examples=examples or settings.default.max_examples, ulps=ulps)
    if res.found:
        first = res.counterexamples[0]
        c = Comparison(f"{kernel} search", dtype, (0,), 0.0, 0.0, float("inf"), float("inf"),
                       0.0, 0.0, len(res.counterexamples), len(res.counterexamples))
        raise OracleFailure(f"{len(res.counterexamples)} propert"
                            f"{'y fails' if len(res.counterexamples) == 1 else 'ies fail'}; "
                            f"first ({first.prop}), shrunk:\n{first.message}", c)
    return Comparison(f"{kernel} search", dtype, (), 0.0, 0.0,
                      max(res.worst_by_dtype.values(), default=0.0), 0.0, 0.0, 0.0, 0,
                      res.examples)


def _assert_deviation(fn, thetas, dim, kernel, activation, depth, wv, bv, par, dtype, rtol, cfg):
    from specbias.derive.ntk.deviation import reference_deviation

    th = to_numpy(thetas).ravel()
    part = 1 if kernel == "ntk" else 0
    ref = np.array([float(reference_deviation(float(t), depth, activation, wv, bv, par, dim)[part])
                    for t in th])
    got = to_numpy(fn(thetas)).ravel()
    c = _compare(f"{kernel} deviation", got, ref, dtype, rtol, 0.0, lambda k: (k,))
    if not c.passed:
        raise OracleFailure(
            f"{c.what} mismatch ({cfg}; unit inputs in R^{dim}; {c.dtype}): {c.bad} of {c.total} "
            f"angles outside {rtol:.2g} relative\n"
            f"  worst angle {_fmt(th[c.worst[0]])} rad\n"
            f"  reference {_fmt(c.reference)} (mpmath, 60 digits)\n"
            f"  value     {_fmt(c.value)}\n"
            f"  relative error {c.rel_err:.3g} = {c.ulps:.3g} ulps of {c.dtype}", c)
    return c


# ------------------------------------------------------------------ spectra and PSD

def kernel_spectrum_reference(X, *, kernel: str = "ntk", activation: str = "relu",
                              depth: int = 1, weight_var: float = 2.0, bias_var: float = 0.0,
                              parametrization: str = "ntk", digits: int = 20) -> list[str]:
    """Certified eigenvalues (descending decimal strings) of K(X, X)."""
    from specbias.derive.ntk.certified import gram_eigenvalues

    return gram_eigenvalues(to_numpy(X), kernel, activation, depth, weight_var, bias_var,
                            parametrization, digits)["values"]


@lru_cache(maxsize=256)
def gram_spectrum_reference(power: int, knots, digits: int = 20) -> tuple[str, ...]:
    """Certified eigenvalues (descending) of the ReLU^P Gram matrix on ``knots`` (a
    :class:`~specbias.derive.matrix.knots.Knots`; cached, as shrinking repeats inputs)."""
    from specbias.derive.matrix.spectrum import gram_matrix_spectrum

    return tuple(gram_matrix_spectrum(power, knots, dps=digits).values)


def operator_spectrum_reference(power: int, count: int, interval=(-1, 1),
                                digits: int = 20) -> tuple[str, ...]:
    """The ``count`` largest eigenvalues μ_k of the continuous Gram operator of ReLU^P on
    [A, B] (:func:`specbias.derive.gram.spectrum.gram_eigenvalues`: characteristic roots with
    trace and Newton certificates). Spectra on S¹ and S^(d−1) (issue 11:
    ``circle_spectrum(...).values``, ``sphere_spectrum(...).values``) are references too."""
    from specbias.derive.gram.spectrum import gram_eigenvalues

    return tuple(gram_eigenvalues(power, interval, count, max(digits, 5)).values)


def assert_spectrum_close(values, reference, *, dtype=None, ulps: float = 4.0,
                          rtol: float | None = None, atol: float | None = None,
                          largest: bool = False) -> Comparison:
    """Compare eigenvalues with a certified reference (decimal strings or numbers), both
    sorted descending. Default tolerance: what a backward-stable symmetric eigensolver
    guarantees, |λ̂_k − λ_k| <= ulps·n·eps·|λ_1| (Weyl), i.e. ``atol = ulps·n·eps``
    relative to λ_1 and ``rtol = ulps·eps``; ask for relative accuracy with ``atol=0``.
    ``largest=True``: ``values`` are the largest few (an operator's leading eigenvalues, a
    truncated solver) and are compared with as many of the reference's largest."""
    got = np.sort(to_numpy(values).ravel())[::-1]
    ref = np.sort(np.array([float(v) for v in reference]))[::-1]
    if largest:
        require(len(got) <= len(ref), f"{len(got)} eigenvalues against a reference of only "
                f"{len(ref)}: compute a longer reference")
        ref = ref[:len(got)]
    require(len(got) == len(ref), f"{len(got)} eigenvalues against a reference of {len(ref)}: "
            "compare spectra of the same matrix, or pass largest=True for the leading ones")
    dtype = _dtype_name(values) if dtype is None else str(dtype).replace("torch.", "")
    e = eps_of(dtype)
    rtol = ulps * e if rtol is None else rtol
    atol = ulps * len(ref) * e if atol is None else atol
    c = _compare("spectrum", got, ref, dtype, rtol, atol, lambda k: (k + 1,))
    if not c.passed:
        raise OracleFailure(
            f"spectrum mismatch ({c.dtype}): {c.bad} of {c.total} eigenvalues outside "
            f"{rtol:.2g} relative + {atol:.2g} x lambda_1 absolute\n"
            f"  worst: lambda_{c.worst[0]} (descending)\n"
            f"  reference {_fmt(c.reference)} (certified)\n"
            f"  value     {_fmt(c.value)}\n"
            f"  relative error {c.rel_err:.3g} = {c.ulps:.3g} ulps of {c.dtype}", c)
    return c


def assert_psd(K, *, dtype=None, ulps: float = 4.0, tol: float | None = None) -> Comparison:
    """K is symmetric and positive semidefinite up to rounding: |K − Kᵀ| <= tol max|K| and
    every eigenvalue >= −tol·|λ|_max, tol = ulps·n·eps(dtype) by default (Weyl: what rounding
    the entries of a PSD matrix can do). Reports the most negative eigenvalue and the rows
    its eigenvector weighs most."""
    A = to_numpy(K)
    require(A.ndim == 2 and A.shape[0] == A.shape[1], f"matrix of shape {A.shape}: use a square matrix")
    dtype = _dtype_name(K) if dtype is None else str(dtype).replace("torch.", "")
    n = A.shape[0]
    tol = ulps * n * eps_of(dtype) if tol is None else tol
    if not np.isfinite(A).all():
        i, j = np.argwhere(~np.isfinite(A))[0]
        c = Comparison("psd", dtype, (int(i), int(j)), 0.0, float(A[i, j]), np.inf, np.inf, tol, tol, 1, A.size)
        raise OracleFailure(f"matrix is not finite: entry ({i}, {j}) = {A[i, j]}", c)
    scale = float(np.max(np.abs(A))) or 1.0
    asym = np.abs(A - A.T)
    i, j = np.unravel_index(int(np.argmax(asym)), A.shape)
    if asym[i, j] > tol * scale:
        c = Comparison("symmetry", dtype, (int(i), int(j)), float(A[j, i]), float(A[i, j]),
                       float(asym[i, j] / scale), float(asym[i, j] / np.spacing(np.array(abs(A[j, i]) or 1.0, dtype=dtype))), tol, tol, 1, A.size)
        raise OracleFailure(f"matrix is not symmetric: K[{i}, {j}] = {_fmt(A[i, j])} but "
                            f"K[{j}, {i}] = {_fmt(A[j, i])} (difference {asym[i, j] / scale:.3g} "
                            f"x max|K|, tolerance {tol:.2g})", c)
    lam, vec = np.linalg.eigh((A + A.T) / 2)
    top = float(np.max(np.abs(lam)))
    k = int(np.argmin(lam))
    c = Comparison("psd", dtype, (k,), 0.0, float(lam[k]), float(-lam[k] / top) if top else 0.0,
                   float(-lam[k] / np.spacing(np.array(top, dtype=dtype))), tol, tol,
                   int(np.count_nonzero(lam < -tol * top)), n)
    if not c.passed:
        rows = np.argsort(-np.abs(vec[:, k]))[:3]
        raise OracleFailure(f"matrix is not positive semidefinite ({dtype}): eigenvalue "
                            f"{_fmt(lam[k])} = {-lam[k] / top:.3g} x |lambda|_max below zero "
                            f"(tolerance {tol:.2g}); its eigenvector weighs rows "
                            f"{', '.join(str(r) for r in rows)} most", c)
    return c


__all__ = ["Comparison", "OracleFailure", "assert_kernel_close", "assert_psd",
           "assert_spectrum_close", "default_ulps", "eps_of", "gram_spectrum_reference",
           "operator_spectrum_reference",
           "entry_scale", "kernel_reference", "kernel_spectrum_reference", "to_numpy"]
