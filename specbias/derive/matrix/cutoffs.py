"""Precision cutoffs k_d = eps^(-1/(d+3)): how many Fourier modes a two-layer ReLU network can
resolve in d dimensions at machine precision eps (H. Zhao, "Numerical Analysis 101 for Neural
Networks", "Implications to numerical computation"; arXiv:2306.17301 Sec. 3).

Argument of the source: the Gram eigenvalues decay like lambda_k ~ lambda_1 k^(-(d+3)/d), and
eigenvalues below about eps*lambda_1 are lost in rounding, so about eps^(-d/(d+3)) eigenmodes
survive; as the Fourier modes of frequency <= k number about k^d, the resolved frequencies are
k_d = eps^(-1/(d+3)).

Convention: eps is the *machine epsilon* (spacing of floats at 1, 2^(1-p) for p significand
bits): float16 2^-10, bfloat16 2^-7, float32 2^-23, float64 2^-52 -- the convention of the
source (single eps = 2^-23). The unit roundoff u = eps/2 would multiply k_d by 2^(1/(d+3)).
"""

from __future__ import annotations

import sympy

from specbias.derive.matrix.options import EPS_BITS, MAX_DIM
from specbias.errors import InvalidArgument, require

#: Machine epsilon (exact) of each floating-point format.
EPS = {name: sympy.Integer(2) ** -bits for name, bits in EPS_BITS.items()}


def check_dtypes(text, allowed=tuple(EPS)) -> list[str]:
    """Parse ``"float32,float64"`` (or a list) into dtype names from ``allowed``."""
    names = [t.strip() for t in (text.split(",") if isinstance(text, str) else text) if t.strip()]
    require(names, f"dtypes {text!r} is empty: use e.g. float32,float64")
    for name in names:
        if name not in allowed:
            raise InvalidArgument(f"dtype {name!r} is unknown here: use one of {', '.join(allowed)}")
    return names


def check_dims(text) -> list[int]:
    """Parse ``"1,2,3,10"`` into positive dimensions."""
    parts = text.split(",") if isinstance(text, str) else list(text)
    out = []
    for p in parts:
        try:
            d = int(str(p).strip())
        except ValueError:
            raise InvalidArgument(f"dimension {p!r} is not an integer: use e.g. --dims 1,2,3,10") from None
        require(1 <= d <= MAX_DIM, f"dimension {d} is out of range: use 1..{MAX_DIM}")
        out.append(d)
    require(out, "no dimension given: use e.g. --dims 1,2,3,10")
    return out


def cutoff(eps: sympy.Expr, d: int) -> sympy.Expr:
    """k_d = eps^(-1/(d+3)), exactly (a power of two for these formats)."""
    return sympy.powsimp(eps ** sympy.Rational(-1, d + 3))


def modes(eps: sympy.Expr, d: int) -> sympy.Expr:
    """The number of resolved eigenmodes, eps^(-d/(d+3)) = k_d^d."""
    return sympy.powsimp(eps ** sympy.Rational(-d, d + 3))


def cutoff_table(dims=(1, 2, 3, 10), dtypes=tuple(EPS)) -> list[dict]:
    """One row per (dtype, d): eps, k_d exactly and to 6 digits, the number of modes.

    >>> row = cutoff_table([1], ["float64"])[0]
    >>> row["k_d"], row["k_d_decimal"]
    ('8192', '8192.00')
    """
    rows = []
    for name in check_dtypes(list(dtypes)):
        for d in check_dims(list(dims)):
            k = cutoff(EPS[name], d)
            m = modes(EPS[name], d)
            rows.append({"dtype": name, "eps": sympy.sstr(EPS[name]), "d": d,
                         "k_d": sympy.sstr(k), "k_d_latex": sympy.latex(k),
                         "k_d_decimal": str(sympy.N(k, 6)), "modes": str(sympy.N(m, 6))})
    return rows


__all__ = ["EPS", "check_dims", "check_dtypes", "cutoff", "cutoff_table", "modes"]
