"""Names and bounds of the verification code, in a light module (no NumPy or torch) so that the
command line can offer them as ``choices=`` without importing torch."""

from functools import lru_cache

#: Devices of torch computations; "auto" is CUDA when available, else CPU.
DEVICES = ("cpu", "cuda", "auto")
#: torch dtypes of networks and empirical NTKs.
TORCH_DTYPES = ("float32", "float64")
#: dtypes LAPACK's symmetric eigensolvers accept (float16/bfloat16 have none).
SOLVER_DTYPES = ("float32", "float64")
#: Least squares (:func:`specbias.verify.lstsq.fit`): bases, knot rules, solvers, dtypes.
LSTSQ_BASES = ("relu", "hat")
LSTSQ_KNOTS = ("uniform", "uniform-ends", "adaptive")
#: Where the samples lie, and where the errors are measured (Table 1's conventions).
LSTSQ_SAMPLINGS = ("midpoints", "linspace")
LSTSQ_ERRORS = ("test", "samples")
LSTSQ_SOLVERS = ("lstsq", "normal")
LSTSQ_DTYPES = ("float32", "float64")
#: Seconds of one dense NumPy float64 ``eigvalsh`` at N = 10^4 here (2 cores; the README's table).
DENSE_EIGVALSH_SECONDS_AT_10000 = 78.0


def dense_eigvalsh_seconds(n: int) -> float:
    """Rough seconds of one dense symmetric eigensolve of size ``n`` here (O(n^3))."""
    return DENSE_EIGVALSH_SECONDS_AT_10000 * (n / 10_000) ** 3
#: Least squares: most knots, most samples, and most design-matrix entries (5e7 float64 entries
#: are 400 MB; LAPACK's gelsd works on a copy).
MAX_LSTSQ_N = 20_000
MAX_LSTSQ_SAMPLES = 200_000
MAX_DESIGN_ENTRIES = 50_000_000


def default_samples(n: int) -> int:
    """Samples of a least-squares fit with ``n`` knots when none are given: 10 n, at least 2000."""
    return max(10 * n, 2000)


def design_shape(n: int, samples: int | None = None, element_samples: bool = True) -> tuple:
    """(rows, columns) of the design matrix of a fit with ``n`` knots (plus the output bias),
    ``samples`` midpoints (default :func:`default_samples`) and two points per element."""
    m = default_samples(n) if samples is None else samples
    return m + (2 * (n + 1) if element_samples else 0), n + 1


def check_design_size(n: int, samples: int | None = None, element_samples: bool = True) -> None:
    """Refuse a design matrix beyond :data:`MAX_DESIGN_ENTRIES` entries, before any work."""
    from specbias.errors import InvalidArgument

    rows, cols = design_shape(n, samples, element_samples)
    if rows * cols > MAX_DESIGN_ENTRIES:
        raise InvalidArgument(
            f"n = {n} with {samples or default_samples(n)} samples is a "
            f"{rows} x {cols} design matrix ({rows * cols:.2g} entries, "
            f"{8 * rows * cols / 1e9:.2g} GB in float64): use fewer, at most "
            f"{MAX_DESIGN_ENTRIES:.0e} entries (with the default samples, n <= "
            f"{max_n_default_samples()})")


@lru_cache(maxsize=1)
def max_n_default_samples() -> int:
    """The largest n whose design matrix with the default samples (and two element points per
    knot interval) stays within :data:`MAX_DESIGN_ENTRIES`."""
    n = 1
    while (default_samples(n + 1) + 2 * (n + 2)) * (n + 2) <= MAX_DESIGN_ENTRIES:
        n += 1
    return n


#: Seconds per m n^2 of an SVD least-squares solve here (LAPACK gelsd, 2 cores; measured on a
#: 24000 x 2001 design matrix), and of the normal equations (their m n^2 product).
LSTSQ_SECONDS_PER_MN2 = {"lstsq": 2.0e-10, "normal": 2.0e-11}


def lstsq_seconds(rows: int, cols: int, solver: str) -> float:
    """Rough seconds of a least-squares solve of a ``rows`` x ``cols`` design matrix here."""
    return LSTSQ_SECONDS_PER_MN2.get(solver, 2e-10) * rows * cols ** 2


#: ``verify ntk`` bounds: widths, inputs, input dimension, networks per width, hidden layers.
#: Memory is checked too (:func:`empirical_ntk_bytes`): a width that fits the bound may not fit.
MAX_WIDTH = 65_536
MAX_INPUTS = 1024
MAX_INPUT_DIM = 4096
MAX_SEEDS = 64
MAX_NETWORK_DEPTH = 32
#: Seconds per (input x parameter) of an empirical NTK here (torch.func, float64, 2 cores:
#: width 1024, depth 2, 8 inputs took about 0.2 s per network).
SECONDS_PER_INPUT_PARAMETER = 2.5e-8


def network_parameters(dim: int, width: int, depth: int, bias: bool) -> int:
    """Trainable parameters of :class:`specbias.verify.models.DeepFC`."""
    weights = dim * width + (depth - 1) * width * width + width
    return weights + ((depth * width + 1) if bias else 0)


def empirical_ntk_bytes(n: int, dim: int, width: int, depth: int, bias: bool,
                        itemsize: int) -> int:
    """Peak bytes of one network and its empirical NTK on ``n`` inputs: the float64 draws of
    the weights, the Jacobians (n rows per parameter) held twice while they are
    concatenated, and one chunk of vmap's work."""
    p = network_parameters(dim, width, depth, bias)
    return p * (8 + itemsize * (2 * n + min(n, 64) + 2))


def empirical_ntk_seconds(n: int, dim: int, width: int, depth: int, bias: bool) -> float:
    """Rough seconds of one network's empirical NTK here."""
    return SECONDS_PER_INPUT_PARAMETER * n * network_parameters(dim, width, depth, bias)
