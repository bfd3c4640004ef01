"""NTK and NNGP kernels of fully connected networks, derived from the dual activations.

Conventions (each parametrization states its normalization; verify/models.py builds the
matching torch networks and tests compare both):

* deep, ``ntk`` parametrization (Jacot et al. 2018; Lee et al. 2019; Arora et al. 2019, B3), in
  the indexing of Arora et al. (2019), which the slides use: the pre-activations of layer h + 1
  are h^(h+1) = σ_w n_h^(-1/2) W^(h+1) σ(h^h) + σ_b b^(h+1) (h^1 = σ_w d^(-1/2) W¹x + σ_b b¹),
  all entries N(0, 1), f = h^(L+1) for L hidden layers; Σ^(h) is the covariance of h^(h+1):
  Σ^(0) = σ_w² xᵀx'/d + σ_b²,  Σ^(h) = σ_w² E_Λ^(h)[σσ] + σ_b²,  Σ̇^(h) = σ_w² E_Λ^(h)[σ'σ'],
  with Λ^(h) built from Σ^(h−1);  Θ^(0) = Σ^(0),  Θ^(h) = Σ^(h) + Θ^(h−1) Σ̇^(h); the NTK is Θ^(L).
* deep, ``standard`` parametrization with layer-wise learning rates 1/fan-in (Sohl-Dickstein et
  al. 2020): W ~ N(0, σ_w²/n_h), b ~ N(0, σ_b²); then Θ^(0) = xᵀx'/d + 1 and
  Θ^(h) = E_Λ^(h)[σσ] + 1 + Θ^(h−1) Σ̇^(h) (Σ, Σ̇ as above; the 1 only with biases).
* the two-layer parametrizations (``arora``, ``basri``, ``random-features``) are in
  :mod:`specbias.derive.ntk.two_layer`.

Numerics carry the angle between the two inputs through the layers instead of their cosine:
the first angle from the raw vectors (Kahan's 2·atan2(|u−v|, |u+v|)), each next one from the
deviation J_p(0) − J_p(θ), which is evaluated from its Taylor polynomial near θ = 0 (see
:func:`specbias.derive.ntk.arccos.deviation_split`). So the deviation k(x, x) − k(x, x') keeps
its relative accuracy as θ → 0 where arccos(cos θ) loses every digit below θ ≈ 1e-8.
"""

from __future__ import annotations

import math
import os
from concurrent.futures import ThreadPoolExecutor

import sympy

from specbias.derive.ntk.arccos import (POWERS, SERIES_SWITCH, check_activation, dual_activation,
                                        numeric_factors, q11, q12, q22, theta)
from specbias.derive.ntk.options import MAX_DEPTH, MAX_DERIVE_DEPTH, PARAMETRIZATIONS, TWO_LAYER
from specbias.derive.ntk.symbols import DIM, Dot, layer_angle, layer_kernel, x, x_prime
from specbias.errors import InvalidArgument, require
from specbias.records import Derivation



def check_depth(depth: object) -> int:
    if isinstance(depth, bool) or not isinstance(depth, int) or depth < 1:
        raise InvalidArgument(f"depth {depth!r} must be an integer >= 1 (hidden layers)")
    require(depth <= MAX_DEPTH, f"depth {depth} is too large: use at most {MAX_DEPTH}")
    return depth


def check_parametrization(name: object, allowed=PARAMETRIZATIONS) -> str:
    if name not in allowed:
        raise InvalidArgument(f"parametrization {name!r} is unknown: use one of {', '.join(allowed)}")
    return str(name)


def check_variances(weight_var: float, bias_var: float) -> tuple[float, float]:
    for what, v in (("weight variance", weight_var), ("bias variance", bias_var)):
        if not isinstance(v, (int, float)) or not math.isfinite(v) or v < 0:
            raise InvalidArgument(f"{what} {v!r} must be a finite number >= 0")
    require(weight_var > 0, f"weight variance {weight_var} must be > 0, e.g. 2 for ReLU")
    return float(weight_var), float(bias_var)


# ---------------------------------------------------------------- symbolic statements

_REFERENCES = ["Jacot, Gabriel, Hongler, NeurIPS 2018", "Lee et al., NeurIPS 2019",
               "Arora et al., On exact computation with an infinitely wide neural net, NeurIPS "
               "2019 (Eq. (4)-(6))",
               "Sohl-Dickstein et al., arXiv:2001.07301 (standard parametrization)"]


def unrolled_ntk(depth: int) -> tuple[sympy.Expr, sympy.Expr]:
    """(recursion, sum form) of the NTK Θ^(L) of the ntk parametrization, in layer kernels.

    The recursion Θ^(0) = Σ^(0), Θ^(h) = Σ^(h) + Θ^(h−1) Σ̇^(h), expanded by SymPy, and the
    sum Σ_{h=0}^{L} Σ^(h) Π_{h'=h+1}^{L} Σ̇^(h') of Arora et al. (2019, Eq. (6)): their
    difference is zero (the caller checks it).
    """
    depth = check_depth(depth)
    S = [layer_kernel("Sigma", h)(x, x_prime) for h in range(depth + 1)]
    Sd = [None] + [layer_kernel("Sigmadot", h)(x, x_prime) for h in range(1, depth + 1)]
    T = S[0]
    for h in range(1, depth + 1):
        T = S[h] + T * Sd[h]
    form = sympy.Add(*[S[h] * sympy.Mul(*Sd[h + 1:]) for h in range(depth + 1)])
    return sympy.expand(T), form


def derive_ntk(activation: str = "relu", depth: int = 1, bias: bool = False,
               parametrization: str = "ntk", progress=None) -> Derivation:
    """The NNGP Σ^(h), its derivative kernel Σ̇^(h) and the NTK Θ^(h), layer by layer.

    Indexing of Arora et al. (2019), which the slides use: Σ^(0) is the covariance of the
    first pre-activations, Λ^(h) is built from Σ^(h−1), and the network's NTK is Θ^(L).
    ``depth`` is at most :data:`~specbias.derive.ntk.options.MAX_DERIVE_DEPTH`;
    ``progress(n)`` is told of each of the ``depth + 2`` stages (the dual activation, each
    layer, the unrolled form).
    """
    activation = check_activation(activation)
    depth = check_depth(depth)
    require(depth <= MAX_DERIVE_DEPTH, f"depth {depth} is too deep to print a derivation: use at "
                                       f"most {MAX_DERIVE_DEPTH} (kernels() computes deeper ones)")
    tick = progress or (lambda n=1: None)
    parametrization = check_parametrization(parametrization)
    dual = dual_activation(activation)
    sw2 = sympy.Symbol("sigma_w^2", positive=True)
    sb2 = sympy.Symbol("sigma_b^2", nonnegative=True) if bias else sympy.Integer(0)
    scaling = ("weights $N(0, 1)$ times $\\sigma_w / \\sqrt{\\text{fan-in}}$"
               + (", biases $N(0, 1)$ times $\\sigma_b$" if bias else "")
               if parametrization == "ntk" else
               "weights $N(0, \\sigma_w^2 / \\text{fan-in})$ learning at rate $1/\\text{fan-in}$"
               + (", biases $N(0, \\sigma_b^2)$" if bias else ""))
    d = Derivation(
        f"NTK of a fully connected network with $L = {depth}$ hidden layers, activation "
        f"{activation} ({parametrization} parametrization{', with biases' if bias else ''})",
        assumptions=[f"hidden layers $h = 1, \\ldots, L$ of widths tending to infinity, scalar "
                     f"output; {scaling}",
                     "$\\Sigma^{(h)}$ is the covariance of the pre-activations of layer $h + 1$ "
                     "(layer $L + 1$ is the output); $\\Lambda^{(h)}$, the covariance of the "
                     "pre-activations $(u, v)$ of layer $h$ at $x$ and $x'$, has entries "
                     "$q_{11} = \\Sigma^{(h-1)}(x, x)$, $q_{12} = \\Sigma^{(h-1)}(x, x')$, "
                     "$q_{22} = \\Sigma^{(h-1)}(x', x')$"],
        references=list(_REFERENCES))
    d.steps.extend(dual.derivation.steps)
    S = lambda h, a=x, b=x_prime: layer_kernel("Sigma", h)(a, b)  # noqa: E731
    Sd = lambda h: layer_kernel("Sigmadot", h)(x, x_prime)  # noqa: E731
    T = lambda h: layer_kernel("Theta", h)(x, x_prime)  # noqa: E731
    dot = Dot(x, x_prime)
    first = sw2 * dot / DIM + sb2
    theta0 = first if parametrization == "ntk" else dot / DIM + (1 if bias else 0)
    tick(1)
    d.step("The input layer:", first, theta0, labels=[S(0), T(0)])
    for h in range(1, depth + 1):
        covariances = {q11: S(h - 1, x, x), q22: S(h - 1, x_prime, x_prime), q12: S(h - 1)}
        angle = layer_angle(h)
        exprs, labels = [], []
        if dual.J is not None:  # the arc-cosine family: the dual is written with the angle
            exprs.append(sympy.acos(covariances[q12] / sympy.sqrt(covariances[q11] * covariances[q22])))
            labels.append(angle)
        sig = sw2 * dual.value.subs(covariances).subs(theta, angle) + sb2
        sigdot = sw2 * dual.derivative.subs(covariances).subs(theta, angle)
        ntk = (S(h) if parametrization == "ntk" else (S(h) - sb2) / sw2 + (1 if bias else 0)) \
            + T(h - 1) * Sd(h)
        d.step(f"Layer {h}: $(u, v) \\sim N(0, \\Lambda^{{({h})}})$"
               + (f" with angle $\\theta^{{({h})}}$" if dual.J is not None else "") + ":",
               *exprs, sig, sigdot, ntk, labels=[*labels, S(h), Sd(h), T(h)])
        tick(1)
    result = T(0)
    for h in range(1, depth + 1):
        result = (S(h) if parametrization == "ntk" else (S(h) - sb2) / sw2 + (1 if bias else 0)) \
            + result * Sd(h)
    if parametrization == "ntk":
        expanded, form = unrolled_ntk(depth)
        d.step("Unrolled, with $\\Theta^{(0)} = \\Sigma^{(0)}$ (Arora et al., Eq. (6)); SymPy's "
               "expansion of the recursion minus this sum:", form,
               sympy.expand(expanded - form), labels=[T(depth), "difference"])
        result = form
    tick(1)
    d.result, d.result_lhs = result, T(depth)
    return d


# ---------------------------------------------------------------- numerics (numpy or torch)

def _module_name(xp) -> str:
    return "torch" if xp.__name__ == "torch" else "numpy"


#: Above this |cos θ| the angle (and 1 − cos θ) comes from Kahan's formula, not from the cosine.
KAHAN_ABOVE = 0.9


def _sum_last(a):
    return (a * a).sum(-1)


def angles(X, Y, xp, block: int = 2 ** 22, kahan_above: float = KAHAN_ABOVE):
    """Pairwise angles between the rows of X (n, d) and Y (k, d), and the row norms.

    θ = arccos(u·v) where |u·v| ≤ ``kahan_above`` (there dθ = dc / sin θ costs at most a few
    ulps); elsewhere θ = 2 atan2(|u − v|, |u + v|) from the raw unit vectors (Kahan), which is
    accurate to a few ulps relative as θ → 0 or π, where arccos loses every digit.
    """
    th, _, _, nx, ny, _ = _angles(X, Y, xp, block, kahan_above)
    return th, nx, ny


def _unit_rows(X, Y, xp):
    """The rows of X and Y scaled to unit length, and their norms."""
    nx, ny = xp.sqrt(_sum_last(X)), xp.sqrt(_sum_last(Y))
    if bool((nx == 0).any()) or bool((ny == 0).any()):
        raise InvalidArgument("an input vector is zero: the angle to it is undefined; "
                              "remove zero rows or add a bias coordinate")
    return X / nx[:, None], Y / ny[:, None], nx, ny


def _angles(X, Y, xp, block: int = 2 ** 22, kahan_above: float = KAHAN_ABOVE):
    """:func:`angles` plus 1 − cos θ (= |u − v|²/2 where Kahan's formula is used), cos θ, and
    1 + cos θ (= |u + v|²/2 there: accurate as θ → π, where 2 − (1 − cos θ) is not)."""
    U, V, nx, ny = _unit_rows(X, Y, xp)
    c = xp.clip(U @ V.T, -1, 1)
    th, vers, anti = xp.arccos(c), 1 - c, 1 + c
    near = xp.abs(c) > kahan_above
    if bool(near.any()):
        i, j = xp.nonzero(near) if xp.__name__ == "numpy" else near.nonzero(as_tuple=True)
        step = max(1, block // U.shape[1])
        ths, d2s, s2s = [], [], []
        for s in range(0, len(i), step):
            u, v = U[i[s:s + step]], V[j[s:s + step]]
            d2, s2 = _sum_last(u - v), _sum_last(u + v)
            ths.append(2 * xp.arctan2(xp.sqrt(d2), xp.sqrt(s2)))
            d2s.append(d2)
            s2s.append(s2)
        cat = xp.concatenate if xp.__name__ == "numpy" else xp.cat
        th[near], vers[near], anti[near] = cat(ths), cat(d2s) / 2, cat(s2s) / 2
        c[near] = 1 - vers[near]
    return th, vers, c, nx, ny, anti


def deviation(p: int, th, xp, cos=None, sin=None, vers=None):
    """D_p(θ) = J_p(0) − J_p(θ) with full relative accuracy: π(B(1) − B(cos θ)) from 1 − cos θ,
    plus the small part h from its Taylor polynomial below SERIES_SWITCH
    (:func:`specbias.derive.ntk.arccos.deviation_split`). cos, sin, 1 − cos θ if known."""
    f = numeric_factors(p, _module_name(xp))
    if cos is None:
        cos, sin, vers = xp.cos(th), xp.sin(th), 2 * xp.sin(th / 2) ** 2
    out = f["pi_part"](vers) + f["h"](th, cos, sin)
    small = th < SERIES_SWITCH
    if bool(small.any()):
        out[small] = f["pi_part"](vers[small]) + f["h_series"](th[small])
    return out


def _angle_from_versine(vers, xp):
    """θ from 1 − cos θ = vers ∈ [0, 2] without cancellation: θ = 2 asin(sqrt(vers/2))."""
    return 2 * xp.arcsin(xp.sqrt(xp.clip(vers, 0, 2) / 2))


def _trig_from_versine(vers, xp):
    """(θ, cos θ, sin θ) from vers = 1 − cos θ ≥ 0: one asin and two square roots, no cos or sin
    (vers is a sum of non-negative terms; rounding may only push it past 2)."""
    vers = xp.minimum(vers, 2.0) if xp.__name__ == "numpy" else xp.clamp(vers, max=2.0)
    return 2 * xp.arcsin(xp.sqrt(vers / 2)), 1 - vers, xp.sqrt(vers * (2 - vers))


def _trig_from_versines(vers, anti, xp):
    """(θ, cos θ, sin θ) from vers = 1 − cos θ and anti = 1 + cos θ, both ≥ 0 and each
    accurate where it is small: θ = 2 atan2(sqrt(vers), sqrt(anti)), sin θ = sqrt(vers anti),
    accurate near 0 and near π (where sqrt(vers (2 − vers)) loses digits to 2 − vers)."""
    return (2 * xp.arctan2(xp.sqrt(vers), xp.sqrt(anti)), (anti - vers) / 2,
            xp.sqrt(vers * anti))


def _homogeneous_layer(p, q1, q2, vers, sw2, sb2, xp, anti=None):
    """One arc-cosine layer: (q1', q2', Σ', vers', Σ̇' or None), the angle carried as
    vers = 1 − cos θ (accurate as θ → 0, where cos θ itself keeps no digits of θ) and, for the
    first layer, anti = 1 + cos θ too (the only layer whose angle can be near π: after it the
    correlations are >= 0)."""
    f = numeric_factors(p, _module_name(xp))
    c0 = f["J0f"] / (2 * math.pi)
    th, cos, sin = (_trig_from_versine(vers, xp) if anti is None
                    else _trig_from_versines(vers, anti, xp))
    r1, r2 = q1 ** (p / 2), q2 ** (p / 2)
    sp = r1[:, None] * r2[None, :]                      # (q11 q22)^(p/2)
    a1, a2 = sw2 * c0 * q1 ** p + sb2, sw2 * c0 * q2 ** p + sb2
    J = f["J_cs"](th, cos, sin)
    scale = sp * (sw2 / (2 * math.pi))
    sig = scale * J + sb2
    # 1 − cos θ' = [(sqrt(a1 a2) − C) + (C − Σ')] / sqrt(a1 a2), C = Σ' at θ = 0; both terms ≥ 0:
    #   C − Σ' = σ_w² s^p D_p(θ)/2π,  a1 a2 − C² = σ_w² c0 σ_b² (q1^(p/2) − q2^(p/2))².
    geo = xp.sqrt(a1)[:, None] * xp.sqrt(a2)[None, :]
    vers = scale * deviation(p, th, xp, cos, sin, vers)
    if sb2 > 0:  # in place: these are the largest arrays of the layer
        gap = r1[:, None] - r2[None, :]
        gap *= gap
        den = sp * (sw2 * c0)
        den += geo
        den += sb2
        gap /= den
        gap *= sw2 * c0 * sb2
        vers += gap
    vers /= geo
    sigdot = None
    if p >= 1:
        g = numeric_factors(p - 1, _module_name(xp))
        sigdot = (sw2 * p ** 2 / (2 * math.pi)) * g["J_cs"](th, cos, sin)
        if p > 1:  # (q11 q22)^((p-1)/2)
            sigdot *= (q1 ** ((p - 1) / 2))[:, None] * (q2 ** ((p - 1) / 2))[None, :]
    return a1, a2, sig, vers, sigdot


def _erf_layer(q1, q2, sig_prev, sw2, sb2, xp):
    """One erf layer in covariances (erf has no angular singularity)."""
    a = (1 + 2 * q1)[:, None] * (1 + 2 * q2)[None, :]
    sig = sw2 * (2 / math.pi) * xp.arcsin(2 * sig_prev / xp.sqrt(a)) + sb2
    d1 = sw2 * (2 / math.pi) * xp.arcsin(2 * q1 / (1 + 2 * q1)) + sb2
    d2 = sw2 * (2 / math.pi) * xp.arcsin(2 * q2 / (1 + 2 * q2)) + sb2
    sigdot = sw2 * 4 / (math.pi * xp.sqrt(a - 4 * sig_prev ** 2))
    return d1, d2, sig, sigdot


def kernels(X, Y, depth: int = 1, activation: str = "relu", weight_var: float = 2.0,
            bias_var: float = 0.0, parametrization: str = "ntk", xp=None, want_ntk: bool = True,
            history: list | None = None, compiled: bool = True):
    """(NNGP, NTK) matrices Σ^(L)(X, Y), Θ^(L)(X, Y) of a deep fully connected network.

    ``xp`` is numpy (default) or torch; X, Y are (n, d) and (k, d) arrays of that module.
    ``history``, when a list, receives (Σ^(h), Σ̇^(h)) for h = 1..L (Arora et al.'s indexing).
    NumPy float64 inputs of the arc-cosine family (relu, relu2, step) without ``history`` go
    through the compiled per-entry recursion of :mod:`specbias.derive.ntk.fused` unless
    ``compiled`` is False (the array path below: same formulas, same accuracy).
    """
    if xp is None:
        import numpy as xp
    depth = check_depth(depth)
    activation = check_activation(activation)
    parametrization = check_parametrization(parametrization)
    sw2, sb2 = check_variances(weight_var, bias_var)
    if X.ndim != 2 or Y.ndim != 2 or X.shape[1] != Y.shape[1]:
        raise InvalidArgument(f"inputs of shapes {tuple(X.shape)} and {tuple(Y.shape)}: "
                              "use 2-d arrays (n, d) and (k, d) with the same d")
    if not bool(xp.isfinite(X).all()) or not bool(xp.isfinite(Y).all()):
        raise InvalidArgument("inputs contain NaN or infinity: use finite values")
    if (compiled and history is None and xp.__name__ == "numpy" and activation != "erf"
            and X.dtype == xp.float64 and Y.dtype == xp.float64):
        if activation == "step" and want_ntk:
            _no_step_ntk()
        from specbias.derive.ntk.fused import fused_kernels
        return fused_kernels(*_unit_rows(X, Y, xp), depth, activation, sw2, sb2,
                             parametrization, want_ntk, KAHAN_ABOVE)
    rows = max(1, BLOCK_ENTRIES // max(1, Y.shape[0]))
    on_gpu = getattr(X, "is_cuda", False)
    if history is None and not on_gpu and X.shape[0] > rows:
        # cache-sized row blocks (~1.5x), on a thread per core (NumPy's loops release the GIL)
        def block(i):
            return _kernels_block(X[i:i + rows], Y, depth, activation, sw2, sb2, parametrization,
                                  xp, want_ntk, None)
        starts = range(0, X.shape[0], rows)
        workers = min(os.cpu_count() or 1, 8, len(starts)) if xp.__name__ == "numpy" else 1
        if workers > 1:
            with ThreadPoolExecutor(workers) as pool:
                parts = list(pool.map(block, starts))
        else:
            parts = [block(i) for i in starts]
        cat = xp.concatenate if xp.__name__ == "numpy" else xp.cat
        return cat([a for a, _ in parts]), (cat([b for _, b in parts]) if want_ntk else None)
    return _kernels_block(X, Y, depth, activation, sw2, sb2, parametrization, xp, want_ntk, history)


def _no_step_ntk():
    raise InvalidArgument("the step activation has no finite NTK (σ' = δ): use relu, "
                          "relu2 or erf, or ask for the NNGP only")


#: Pairs per block in :func:`kernels` (256 KiB of float64 per array).
BLOCK_ENTRIES = 1 << 15


def _kernels_block(X, Y, depth, activation, sw2, sb2, parametrization, xp, want_ntk, history):
    dim = X.shape[1]
    th, vers0, cos0, nx, ny, anti0 = _angles(X, Y, xp)
    q1, q2 = sw2 * nx ** 2 / dim + sb2, sw2 * ny ** 2 / dim + sb2
    # Σ^(0) = s cos θ + σ_b² with s = σ_w²|x||x'|/d; its angle by the split of _homogeneous_layer.
    s = nx[:, None] * ny[None, :] * (sw2 / dim)
    geo = xp.sqrt(q1[:, None] * q2[None, :])
    gap = sb2 * (sw2 / dim) * (nx[:, None] - ny[None, :]) ** 2 / (geo + s + sb2)
    sig = s * cos0 + sb2
    bias_grad = 1.0 if sb2 > 0 else 0.0
    ntk = sig if parametrization == "ntk" else s * cos0 / sw2 + bias_grad
    vers = (gap + s * vers0) / geo
    # 1 + cos θ¹ = [(geo − s) + σ_b² + s (1 + cos θ)] / geo, geo − s = σ_b²(a + c + σ_b²)/(geo + s)
    # with a, c = σ_w²|x|²/d, σ_w²|x'|²/d: non-negative terms, accurate as θ¹ → π
    ac = (sw2 / dim) * (nx[:, None] ** 2 + ny[None, :] ** 2)
    anti = (sb2 * (ac + sb2) / (geo + s) + sb2 + s * anti0) / geo
    p = POWERS.get(activation)
    for _ in range(depth):
        if activation == "erf":
            q1n, q2n, sig_n, sigdot = _erf_layer(q1, q2, sig, sw2, sb2, xp)
        else:
            q1n, q2n, sig_n, vers, sigdot = _homogeneous_layer(p, q1, q2, vers, sw2, sb2, xp,
                                                                anti)
            anti = None
        if sigdot is None and want_ntk:
            _no_step_ntk()
        if not want_ntk:
            ntk = None
        elif parametrization == "ntk":
            ntk = ntk * sigdot
            ntk += sig_n
        else:
            ntk = (sig_n - sb2) / sw2 + bias_grad + ntk * sigdot
        q1, q2, sig = q1n, q2n, sig_n
        if history is not None:
            history.append((sig, sigdot))
    return sig, ntk


def nngp(X, Y, depth: int = 1, activation: str = "relu", weight_var: float = 2.0,
         bias_var: float = 0.0, xp=None):
    """Σ^(L)(X, Y) alone (defined for the step activation too)."""
    return kernels(X, Y, depth, activation, weight_var, bias_var, "ntk", xp, want_ntk=False)[0]
