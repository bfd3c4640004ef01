"""Names and bounds of the finite-matrix code, in a light module (no SymPy, NumPy or numba) so
that the command line can offer them as ``choices=`` without importing the mathematics."""

#: Knot rules of :func:`specbias.derive.matrix.knots.knots` (as users write them).
KNOT_RULES = ("uniform", "random:SEED", "chebyshev", "adaptive:EXPR", "list:V1,V2,...")
#: Most knots any rule produces.
MAX_KNOTS = 100_000
#: Arithmetic of the certified spectrum (:func:`specbias.derive.matrix.spectrum.gram_matrix_spectrum`).
ARITHMETIC = ("auto", "mpfr")
#: Digits a certified matrix spectrum accepts (the compiled path holds 62; 12 are guard digits).
MAX_SPECTRUM_DPS = 50
#: Largest matrix a certified spectrum accepts: N = 20000 takes about 11 min for P <= 2 here
#: (N = 10^4: 162 s for P = 1, 226 s for P = 2), the reason for the bound.
MAX_SPECTRUM_N = 20_000
#: Binary digits of machine epsilon, eps = 2^-bits, of each floating-point format.
EPS_BITS = {"float16": 10, "bfloat16": 7, "float32": 23, "float64": 52}
#: Formats with a machine epsilon (the theory table).
FLOAT_FORMATS = tuple(EPS_BITS)
#: Dimensions of the theory table.
MAX_DIM = 1000
#: Seconds of a certified spectrum at N = 1000, 30 digits, uniform knots, by P, on 2 cores.
#: P = 1, 2 measured (benchmarks/results/matrix_spectrum*.json); P = 0 taken as P = 1; P >= 3
#: from the ratios to P = 1 at N = 400 in one run (1.4x for P = 3, 3x for P = 6), doubled,
#: because at N = 10^4 their quad-double starting values cost about ten times more.
SPECTRUM_SECONDS_AT_1000 = {0: 2.2, 1: 2.2, 2: 2.9, 3: 6.2, 4: 8.8, 5: 11.0, 6: 13.2}
#: Growth of that time with N (N = 1000 -> 10^4 took 74x for P = 1 and 78x for P = 2).
SPECTRUM_TIME_EXPONENT = 1.9
#: The gmpy2 path (``arithmetic="mpfr"``) took 3.1x (P = 1) and 3.4x (P = 2) at N = 1000.
MPFR_FACTOR = 3.4


def spectrum_seconds(power: int, n: int, dps: int = 30, arithmetic: str = "auto") -> float:
    """A rough estimate (a factor of 2 either way) of the seconds a certified spectrum of N
    knots takes here, from the measurements above; dps changes it little up to 50 digits."""
    t = SPECTRUM_SECONDS_AT_1000.get(power, max(SPECTRUM_SECONDS_AT_1000.values()))
    t *= (n / 1000) ** SPECTRUM_TIME_EXPONENT
    return t * (MPFR_FACTOR if arithmetic == "mpfr" else 1.0)
#: Largest matrix of the measured cutoffs (``cutoffs gram``): a certified reference at 20 digits
#: plus dense float32/float64 eigensolvers, O(N^3) (NumPy float64 took 78 s at N = 10^4 here).
MAX_CUTOFF_N = 10_000
