"""Certified NNGP/NTK values and kernel Gram spectra on a user's own points (python-flint arb).

Every quantity is an arb ball (midpoint and radius, FLINT's interval arithmetic: the true value
is guaranteed to lie inside). The inputs are the user's floats, which are exact dyadic
rationals; the recursion is the same as :func:`specbias.derive.ntk.kernels.kernels` (Jacot et
al. 2018; Lee et al. 2019; Arora et al. 2019, Eq. (4)-(6); the standard parametrization of
Sohl-Dickstein et al. 2020), with each dual activation lambdified from its SymPy derivation
(:func:`specbias.derive.ntk.arccos.dual_activation`, one source of truth) into arb arithmetic.
The angle of each layer comes from the non-negative part of 1 ∓ ρ (ρ the correlation ball):
rigorous even when the ball touches ±1 (identical directions), at the price of a wider radius
there.

:func:`gram_eigenvalues` then encloses every eigenvalue of the kernel's Gram matrix on the
points with ``arb_mat.eig`` (FLINT's ``acb_mat_eig_simple``, van der Hoeven and Mourrain's
certification of an approximate QR decomposition; clusters through ``acb_mat_eig_multiple``),
raising the working precision until each eigenvalue carries the requested relative accuracy.
Cost is O(n^3) in arb: see ``MAX_POINTS``.
"""

from __future__ import annotations

from functools import lru_cache

import flint
import numpy as np
import sympy
from sympy.printing.pycode import MpmathPrinter

from specbias.derive.ntk.arccos import POWERS, dual_activation, q11, q12, q22, theta
from specbias.derive.ntk.kernels import (check_depth, check_parametrization, check_variances,
                                         check_activation)
from specbias.errors import InvalidArgument, require

arb = flint.arb
#: Largest Gram matrix whose spectrum is certified (arb_mat.eig is O(n^3); README: timings).
MAX_POINTS = 400
#: Working precision (bits) is doubled at most up to this before giving up.
MAX_PREC = 4096


class _ArbNamespace:
    """What MpmathPrinter's code calls (``mpmath.sin`` ...), mapped onto arb at the current
    precision (``pi`` is recomputed per use: a module constant would freeze one precision)."""

    mpf = staticmethod(arb)

    @property
    def pi(self):
        return arb.pi()

    sin = staticmethod(lambda x: arb(x).sin())
    cos = staticmethod(lambda x: arb(x).cos())
    asin = staticmethod(lambda x: arb(x).asin())
    sqrt = staticmethod(lambda x: arb(x).sqrt())


@lru_cache(maxsize=None)
def _dual(activation: str) -> dict:
    """E[σσ], E[σ'σ'] and E[σ(u)²] of ``activation`` as arb functions of (q11, q22, q12, θ)."""
    dual = dual_activation(activation)
    ns = {"mpmath": _ArbNamespace()}
    lam = lambda args, e: sympy.lambdify(args, e, modules=[ns], printer=MpmathPrinter)  # noqa: E731
    args = (q11, q22, q12, theta)
    return {"value": lam(args, dual.value),
            "derivative": None if activation == "step" else lam(args, dual.derivative),
            "diagonal": lam((q11,), dual.diagonal)}


def _as_arb_rows(X) -> list[list]:
    """Rows of a float array as exact arb numbers (floats are dyadic rationals)."""
    X = np.asarray(X)
    require(X.ndim == 2, f"points of shape {X.shape}: use a 2-d array (n, d)")
    require(np.issubdtype(X.dtype, np.floating), f"points of dtype {X.dtype}: use a float array")
    require(bool(np.isfinite(X).all()), "points contain NaN or infinity: use finite values")
    return [[arb(float(v)) for v in row] for row in X.astype(np.float64)]


def _dot(u, v):
    out = arb(0)
    for a, b in zip(u, v):
        out += a * b
    return out


def _angle(q1, q2, c):
    """θ = acos(ρ), ρ = c / sqrt(q1 q2), as 2 asin(sqrt((1 − ρ)/2)) (or π minus that with
    1 + ρ for ρ < 0): the root of a quantity known to be >= 0 is taken of its non-negative
    part, so balls that touch ρ = ±1 (identical or opposite directions) stay finite and
    rigorous; acos itself returns NaN there."""
    rho = c / (q1 * q2).sqrt()
    if float(rho.mid()) >= 0:
        return 2 * ((1 - rho) / 2).nonnegative_part().sqrt().asin()
    return arb.pi() - 2 * ((1 + rho) / 2).nonnegative_part().sqrt().asin()


class _Config:
    """Validated kernel parameters, shared by the entry and spectrum functions."""

    def __init__(self, kernel, activation, depth, weight_var, bias_var, parametrization):
        if kernel not in ("ntk", "nngp"):
            raise InvalidArgument(f"kernel {kernel!r} is unknown: use ntk or nngp")
        self.kernel = kernel
        self.activation = check_activation(activation)
        if kernel == "ntk" and self.activation == "step":
            raise InvalidArgument("the step activation has no finite NTK (σ' = δ): use relu, "
                                  "relu2 or erf, or --kernel nngp")
        self.depth = check_depth(depth)
        self.sw2, self.sb2 = check_variances(weight_var, bias_var)
        self.parametrization = check_parametrization(parametrization)

    def key(self) -> dict:
        return {"kernel": self.kernel, "activation": self.activation, "depth": self.depth,
                "weight_var": self.sw2, "bias_var": self.sb2,
                "parametrization": self.parametrization}


def _diagonal_layers(cfg: _Config, norms2, dim: int) -> list[list]:
    """q^(l)(x, x) for each point and layer l = 1..L+1 (the NNGP diagonal)."""
    sw2, sb2 = arb(cfg.sw2), arb(cfg.sb2)
    diag = _dual(cfg.activation)["diagonal"]
    qs = [[sw2 * n2 / dim + sb2 for n2 in norms2]]
    for _ in range(cfg.depth):
        qs.append([sw2 * diag(q) + sb2 for q in qs[-1]])
    return qs


def _parallel(x, y) -> bool:
    """Whether float rows x and y point exactly the same way (all 2x2 minors x_i y_j − x_j y_i
    vanish and x·y > 0), decided exactly: products of doubles are exact at 128 bits."""
    with flint.ctx.workprec(2 * 53 + 8):
        if not float(_dot(x, y).mid()) > 0:
            return False
        return all((x[i] * y[j] - x[j] * y[i]).is_zero()
                   for i in range(len(x)) for j in range(i + 1, len(x)))


def _aligned_layer(cfg: _Config, q1, q2, same: bool):
    """Σ^(l+1) and the next angle when the layer's inputs are perfectly correlated (θ = 0):
    Σ' = σ_w² E[σ(u)σ(v)] at θ = 0, and 1 − cos θ' = σ_w² c₀ σ_b² (r₁ − r₂)² / (g (g + Σ'))
    with r = q^(p/2), g = sqrt(q₁' q₂'), c₀ = J_p(0)/2π: a sum of non-negative terms, so the
    next angle is rigorous without any cancellation. Returns (Σ', θ' or None if θ' = 0)."""
    f = _dual(cfg.activation)
    sw2, sb2 = arb(cfg.sw2), arb(cfg.sb2)
    zero = arb(0)
    new = sw2 * f["value"](q1, q2, (q1 * q2).sqrt(), zero) + sb2
    if same or cfg.sb2 == 0:
        return new, None
    p = POWERS[cfg.activation]
    n1 = sw2 * f["diagonal"](q1) + sb2
    n2 = sw2 * f["diagonal"](q2) + sb2
    c0 = f["diagonal"](arb(1))
    g = (n1 * n2).sqrt()
    gap = q1.sqrt() ** p - q2.sqrt() ** p
    vers = sw2 * c0 * sb2 * gap * gap / (g * (g + new))
    return new, 2 * (vers / 2).nonnegative_part().sqrt().asin()


def _pair(cfg: _Config, dot, qx, qy, dim, aligned: bool, same: bool):
    """(Σ^(L+1), Θ^(L+1)) for one pair, from x·y and the diagonal layers of x and y.

    ``aligned``: x and y point exactly the same way (θ = 0, where acos has no finite ball);
    ``same``: x = y. The arc-cosine layers then follow :func:`_aligned_layer`."""
    f = _dual(cfg.activation)
    sw2, sb2 = arb(cfg.sw2), arb(cfg.sb2)
    bias_grad = 1 if cfg.sb2 > 0 else 0
    arccos = cfg.activation in POWERS
    sig = sw2 * dot / dim + sb2
    ntk = sig if cfg.parametrization == "ntk" else dot / dim + bias_grad
    th = arb(0) if aligned else None
    for layer in range(cfg.depth):
        q1, q2 = qx[layer], qy[layer]
        if not arccos:
            th = arb(0)
        elif th is None:
            th = _angle(q1, q2, sig)
        if arccos and th.is_zero():
            new, th_next = _aligned_layer(cfg, q1, q2, same)
        else:
            new, th_next = sw2 * f["value"](q1, q2, sig, th) + sb2, None
        if cfg.kernel == "ntk":
            sdot = sw2 * f["derivative"](q1, q2, sig, th)
            head = new if cfg.parametrization == "ntk" else (new - sb2) / sw2 + bias_grad
            ntk = head + ntk * sdot
        keep = arccos and th.is_zero() and th_next is None
        sig, th = new, (arb(0) if keep else th_next)
    return sig, (ntk if cfg.kernel == "ntk" else None)


def kernel_balls(X, Y=None, kernel: str = "ntk", activation: str = "relu", depth: int = 1,
                 weight_var: float = 2.0, bias_var: float = 0.0, parametrization: str = "ntk",
                 prec: int = 128) -> list[list]:
    """The (n, m) matrix of arb balls enclosing ``kernel`` (ntk or nngp) on rows of X and Y.

    Y defaults to X (then only the upper triangle is computed and mirrored).

    >>> import numpy as np
    >>> K = kernel_balls(np.array([[1.0, 0.0], [0.6, 0.8]]), kernel="nngp", prec=100)
    >>> bool(K[0][0].contains(1)), K[0][1].rad() < 1e-28
    (True, True)
    """
    cfg = _Config(kernel, activation, depth, weight_var, bias_var, parametrization)
    require(isinstance(prec, int) and 53 <= prec <= MAX_PREC,
            f"precision {prec!r} bits: use an integer from 53 to {MAX_PREC}")
    same = Y is None
    with flint.ctx.workprec(prec):
        Xf = np.asarray(X, dtype=np.float64)
        Yf = Xf if same else np.asarray(Y, dtype=np.float64)
        A = _as_arb_rows(X)
        B = A if same else _as_arb_rows(Y)
        require(not A or not B or len(A[0]) == len(B[0]),
                f"points of dimensions {len(A[0])} and {len(B[0])}: use the same d")
        dim = len(A[0]) if A else 1
        na = [_dot(r, r) for r in A]
        nb = na if same else [_dot(r, r) for r in B]
        for what, norms in (("X", na), ("Y", nb)):
            if any(v.is_zero() for v in norms):
                raise InvalidArgument(f"a row of {what} is zero: the angle to it is undefined; "
                                      "remove zero rows or add a bias coordinate")
        qa = list(zip(*_diagonal_layers(cfg, na, dim)))
        qb = qa if same else list(zip(*_diagonal_layers(cfg, nb, dim)))
        out = [[None] * len(B) for _ in A]
        for i, a in enumerate(A):
            for j in range(i if same else 0, len(B)):
                d = _dot(a, B[j])
                equal = bool(np.array_equal(Xf[i], Yf[j]))
                # θ¹ = 0 exactly: the same row, or (without bias) rows pointing the same way
                aligned = equal or (cfg.activation in POWERS and cfg.sb2 == 0
                                    and (na[i] * nb[j] - d * d).contains(0) and _parallel(a, B[j]))
                sig, ntk = _pair(cfg, d, qa[i], qb[j], dim, aligned, equal)
                out[i][j] = ntk if kernel == "ntk" else sig
                if same:
                    out[j][i] = out[i][j]
    return out


def reference_matrix(X, Y=None, kernel: str = "ntk", activation: str = "relu", depth: int = 1,
                     weight_var: float = 2.0, bias_var: float = 0.0, parametrization: str = "ntk",
                     digits: int = 20) -> list[list]:
    """:func:`kernel_balls` with the precision doubled until every entry's radius is below
    10^-digits times max(|entry|, 10^-digits max|K|) (entries that nearly vanish, e.g. at
    θ near π without bias, are held to the matrix scale)."""
    prec = int(3.33 * digits) + 64
    while True:
        K = kernel_balls(X, Y, kernel, activation, depth, weight_var, bias_var,
                         parametrization, prec)
        scale = max((abs(float(v.mid())) for row in K for v in row), default=0.0)
        floor = 10.0 ** -digits * scale
        worst = max((float(v.rad()) / max(abs(float(v.mid())), floor, 1e-300)
                     for row in K for v in row), default=0.0)
        if worst < 10.0 ** -digits or 2 * prec > MAX_PREC:
            return K
        prec *= 2


def check_points(X, max_points: int = MAX_POINTS) -> np.ndarray:
    """Validate a point set for a certified Gram spectrum: (n, d) finite floats, 1 <= n <= bound."""
    X = np.asarray(X)
    if X.ndim != 2 or not np.issubdtype(X.dtype, np.floating):
        raise InvalidArgument(f"points of shape {X.shape} and dtype {X.dtype}: use an (n, d) "
                              "float array (numpy.save of float32 or float64)")
    require(X.shape[0] >= 1 and X.shape[1] >= 1, f"points of shape {X.shape}: give at least one point")
    require(X.shape[0] <= max_points,
            f"{X.shape[0]} points is too many for the certified reference (O(n^3) in arb): "
            f"use at most {max_points}, e.g. a random subset")
    require(bool(np.isfinite(X).all()), "points contain NaN or infinity: use finite values")
    return X.astype(np.float64)


def _enclose(balls, prec: int) -> list:
    """Real enclosures of the eigenvalues of the symmetric ball matrix, descending."""
    with flint.ctx.workprec(prec):
        M = flint.arb_mat(balls)
        try:
            eig = M.eig()
        except (ValueError, ZeroDivisionError):
            eig = M.eig(multiple=True)
        vals = [e.real for e in eig]
    return sorted(vals, key=lambda v: float(v.mid()), reverse=True)


def relative_radius(v) -> float:
    """rad/|mid| of a ball as a float (inf for a ball around 0)."""
    mid = abs(float(v.mid()))
    return float(v.rad()) / mid if mid > 0 else float("inf")


def gram_eigenvalues(X, kernel: str = "ntk", activation: str = "relu", depth: int = 1,
                     weight_var: float = 2.0, bias_var: float = 0.0,
                     parametrization: str = "ntk", digits: int = 20,
                     max_points: int = MAX_POINTS) -> dict:
    """Every eigenvalue of the kernel Gram matrix K(X, X), certified to ``digits`` digits.

    Starts at ``3.33 digits + 64`` bits and doubles the precision until each eigenvalue ball
    has relative radius below 10^-digits (or MAX_PREC is reached; eigenvalues whose ball still
    contains 0, e.g. from repeated points, are reported as such). Returns
    ``{"values": [decimal strings, descending], "radii": [...], "prec": bits,
    "certified": [bool per eigenvalue]}``.

    >>> import numpy as np
    >>> X = np.array([[1.0, 0.0], [0.0, 1.0]])
    >>> out = gram_eigenvalues(X, kernel="nngp", digits=15)
    >>> all(out["certified"]), len(out["values"])
    (True, 2)
    """
    X = check_points(X, max_points)
    require(isinstance(digits, int) and 3 <= digits <= 200,
            f"digits {digits!r}: use an integer from 3 to 200")
    prec = int(3.33 * digits) + 64
    while True:
        balls = kernel_balls(X, None, kernel, activation, depth, weight_var, bias_var,
                             parametrization, prec)
        vals = _enclose(balls, prec)
        ok = [relative_radius(v) < 10.0 ** -digits for v in vals]
        if all(ok) or 2 * prec > MAX_PREC:
            break
        prec *= 2
    with flint.ctx.workdps(digits + 5):
        strings = [v.mid().str(digits, radius=False) for v in vals]
    return {"values": strings, "radii": [float(v.rad()) for v in vals], "prec": prec,
            "certified": ok, "digits": digits}


__all__ = ["MAX_POINTS", "check_points", "gram_eigenvalues", "kernel_balls", "reference_matrix",
           "relative_radius"]
