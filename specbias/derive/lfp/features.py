"""NTKs of Fourier-feature networks (claim P3; Tancik et al., NeurIPS 2020, arXiv:2006.10739).

The mapping gamma(v) = [a_j cos(2 pi b_j . v), a_j sin(2 pi b_j . v)]_{j=1..m} (rows b_j of B)
has gamma(v) . gamma(v') = sum_j a_j^2 cos(2 pi b_j . (v - v')) and |gamma(v)|^2 = sum_j a_j^2.
The NTK of a fully connected network with Gaussian first-layer weights depends on its inputs
only through their dot products and norms, so the composed kernel depends on v - v' alone: it
is stationary. Its spectrum follows from (a_j, b_j): in 1D with b_j = j on [0, 1) the kernel is
1-periodic and the Gram matrix on a uniform grid is circulant, diagonalized by the DFT.
"""

from __future__ import annotations

from functools import lru_cache

import numpy as np
import sympy

from specbias.derive.ntk.kernels import kernels
from specbias.derive.lfp.transforms import named
from specbias.errors import InvalidArgument, require
from specbias.records import Derivation

#: The MLP on the features (Tancik et al.'s 1D notebook: 4 dense layers of width 1024, ReLU):
#: 3 hidden ReLU layers, NTK parametrization, sigma_w^2 = 2, no bias.
MLP = {"depth": 3, "activation": "relu", "weight_var": 2.0, "bias_var": 0.0, "parametrization": "ntk"}


@lru_cache(maxsize=None)
def stationarity(dim: int = 2, count: int = 2) -> Derivation:
    """SymPy: gamma(v) . gamma(v') - sum a_j^2 cos(2 pi b_j . (v - v')) and |gamma|^2 - sum a_j^2."""
    v = sympy.Matrix(sympy.symbols(f"v1:{dim + 1}", real=True))
    vp = sympy.Matrix(sympy.symbols(f"w1:{dim + 1}", real=True))
    a = sympy.symbols(f"a1:{count + 1}", real=True)
    B = sympy.Matrix(count, dim, lambda i, j: sympy.Symbol(f"b_{i + 1}{j + 1}", real=True))

    def gamma(u):
        args = [2 * sympy.pi * (B[j, :] * u)[0] for j in range(count)]
        return sympy.Matrix([a[j] * sympy.cos(args[j]) for j in range(count)]
                            + [a[j] * sympy.sin(args[j]) for j in range(count)])

    d = Derivation("Fourier features make the NTK stationary", assumptions=[
        f"$\\gamma(v) = [a_j\\cos(2\\pi b_j\\cdot v), a_j\\sin(2\\pi b_j\\cdot v)]$, $v \\in \\mathbb{{R}}^{dim}$, "
        f"{count} features with symbolic $a_j$, $b_j$ (the argument is the same for any number)",
        "an MLP whose first layer has i.i.d. Gaussian weights: its NNGP and NTK depend on the inputs "
        "only through $x\\cdot x'$, $\\vert x\\vert ^2$, $\\vert x'\\vert ^2$ (Jacot et al. 2018; Lee et al. 2019)"])
    dot = gamma(v).dot(gamma(vp))
    target = sum(a[j] ** 2 * sympy.cos(2 * sympy.pi * (B[j, :] * (v - vp))[0]) for j in range(count))
    d.step("Inner product of the features at $v$ and $v'$:", dot)
    diff = sympy.expand(sympy.expand_trig(sympy.expand(dot - target)))
    d.step("minus $\\sum_j a_j^2\\cos(2\\pi b_j\\cdot(v - v'))$:", diff,
           labels=[named("\\gamma(v)\\cdot\\gamma(v') - \\sum_j a_j^{2}\\cos(2\\pi b_j\\cdot(v - v'))")], rule="trigsimp")
    norm = sympy.trigsimp(gamma(v).dot(gamma(v)) - sum(x ** 2 for x in a))
    d.step("and $\\vert \\gamma(v)\\vert ^2 - \\sum_j a_j^2$:", norm,
           labels=[named("\\vert \\gamma(v) \\vert^{2} - \\sum_j a_j^{2}")], rule="trigsimp")
    d.step("So every input to the MLP's kernel is a function of $v - v'$ (or a constant): the "
           "composed NNGP and NTK are stationary, $k(v, v') = \\kappa(v - v')$.")
    d.result = diff
    d.references.append("Tancik et al., NeurIPS 2020, arXiv:2006.10739, Sec. 4")
    return d


def features(v: np.ndarray, B: np.ndarray, a: np.ndarray) -> np.ndarray:
    """gamma(v) for rows v (N, d), frequencies B (m, d), amplitudes a (m,): shape (N, 2m)."""
    v, B, a = np.atleast_2d(np.asarray(v, float)), np.atleast_2d(np.asarray(B, float)), np.asarray(a, float)
    require(v.shape[1] == B.shape[1], f"inputs of dimension {v.shape[1]} but B has {B.shape[1]} columns")
    arg = 2 * np.pi * v @ B.T
    return np.concatenate([a * np.cos(arg), a * np.sin(arg)], axis=1)


def deterministic_features(p: float, count: int = 16) -> tuple[np.ndarray, np.ndarray]:
    """Tancik et al.'s 1D features: b_j = j, a_j = j^(-p), j = 1..count (p = inf keeps j = 1)."""
    require(isinstance(count, int) and count >= 1, f"count {count!r} must be an integer >= 1")
    p = float(p)
    require(p == p and p >= 0, f"power p {p!r} must be >= 0 (inf allowed)")
    j = np.arange(1, count + 1, dtype=float)
    a = (j == 1).astype(float) if np.isinf(p) else j ** (-p)
    return j[:, None], a


def gaussian_features(sigma: float, count: int, seed: int, dim: int = 1) -> tuple[np.ndarray, np.ndarray]:
    """b_j ~ N(0, sigma^2 I) (seeded), a_j = 1."""
    require(np.isfinite(sigma) and sigma > 0, f"scale sigma {sigma!r} must be a finite number > 0")
    g = np.random.default_rng(seed)
    return sigma * g.standard_normal((count, dim)), np.ones(count)


def ff_ntk(v1, v2, B, a, **mlp) -> np.ndarray:
    """The analytic NTK of the MLP (:data:`MLP`, overridable) on the features of v1, v2."""
    cfg = dict(MLP, **mlp)
    X, Y = features(v1, B, a), features(v2, B, a)
    return kernels(X, Y, cfg["depth"], cfg["activation"], cfg["weight_var"], cfg["bias_var"],
                   cfg["parametrization"])[1]


def circulant_spectrum(row: np.ndarray) -> np.ndarray:
    """Eigenvalues of the symmetric circulant matrix with first row ``row`` for frequencies
    0..N/2 (each k in 1..N/2-1 is a double eigenvalue): the real DFT of the row."""
    row = np.asarray(row, float)
    if row.ndim != 1 or len(row) < 2:
        raise InvalidArgument("circulant_spectrum needs a 1-D row of length >= 2")
    return np.fft.rfft(row).real


def periodic_spectrum(B, a, points: int = 32, **mlp) -> np.ndarray:
    """The NTK Gram spectrum on ``points`` uniform points of [0, 1) by frequency (circulant case)."""
    v = np.arange(points)[:, None] / points
    return circulant_spectrum(ff_ntk(v[:1], v, B, a, **mlp)[0])


def gram_spectrum(B, a, points: int = 256, **mlp) -> np.ndarray:
    """Eigenvalues (descending) of the NTK Gram matrix on ``points`` uniform points of [0, 1)."""
    v = np.arange(points)[:, None] / points
    return np.linalg.eigvalsh(ff_ntk(v, v, B, a, **mlp))[::-1]
