"""NTK and NNGP kernels of fully connected networks, derived from the dual activations.

Conventions (each parametrization states its normalization; verify/models.py builds the
matching torch networks and tests compare both):

* ``arora`` (Arora et al., ICML 2019, Eq. (3)-(4)): f(x) = m^(-1/2) Σ_r a_r σ(w_rᵀx), a_r = ±1
  fixed, w_r ~ N(0, I) trained. NTK: Θ(x, x') = xᵀx' E[σ'(wᵀx)σ'(wᵀx')].
* ``basri`` (Basri et al., ICML 2020): the same with a bias, f = m^(-1/2) Σ a_r σ(w_rᵀx + b_r),
  b_r(0) = 0, (w, b) trained. NTK: (xᵀx' + 1) E[σ'(wᵀx)σ'(wᵀx')].
* ``random-features`` (E, seeds/001; E1, E3): w ~ N(0, I/d) frozen, the output layer trained;
  the kernel is E_w[σ(wᵀx)σ(wᵀx')] (the NNGP of the hidden layer).
* deep, ``ntk`` parametrization (Jacot et al. 2018; Lee et al. 2019; Arora et al. 2019, B3):
  h¹ = σ_w d^(-1/2) W¹x + σ_b b¹, h^(l+1) = σ_w n_l^(-1/2) W^(l+1) σ(h^l) + σ_b b^(l+1),
  all entries N(0, 1), f = h^(L+1) for L hidden layers:
  Σ¹ = σ_w² xᵀx'/d + σ_b²,  Σ^(l+1) = σ_w² E_Λ^(l)[σσ] + σ_b²,  Σ̇^(l+1) = σ_w² E_Λ^(l)[σ'σ'],
  Θ¹ = Σ¹,  Θ^(l+1) = Σ^(l+1) + Θ^(l) Σ̇^(l+1).
* deep, ``standard`` parametrization with layer-wise learning rates 1/fan-in (Sohl-Dickstein et
  al. 2020): W ~ N(0, σ_w²/n_l), b ~ N(0, σ_b²); then Θ¹ = xᵀx'/d + 1 and
  Θ^(l+1) = E_Λ^(l)[σσ] + 1 + Θ^(l) Σ̇^(l+1) (Σ, Σ̇ as above).

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
from specbias.errors import InvalidArgument, require
from specbias.records import Derivation

PARAMETRIZATIONS = ("ntk", "standard")
#: Symbols of the two-layer statements: the input norms and the input dimension.
NORM_X, NORM_Y, DIM = sympy.symbols("|x| |x'| d", positive=True)
TWO_LAYER = ("arora", "basri", "random-features")


def check_depth(depth: object) -> int:
    if isinstance(depth, bool) or not isinstance(depth, int) or depth < 1:
        raise InvalidArgument(f"depth {depth!r} must be an integer >= 1 (hidden layers)")
    require(depth <= 1000, f"depth {depth} is too large: use at most 1000")
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

def derive_ntk(activation: str = "relu", depth: int = 1, bias: bool = False,
               parametrization: str = "ntk") -> Derivation:
    """The derivation of the NNGP Σ^(h), Σ̇^(h) and NTK Θ^(L+1) recursion, layer by layer."""
    activation = check_activation(activation)
    depth = check_depth(depth)
    parametrization = check_parametrization(parametrization)
    dual = dual_activation(activation)
    sw2, sb2 = sympy.Symbol("sigma_w^2", positive=True), (sympy.Symbol("sigma_b^2", nonnegative=True)
                                                           if bias else sympy.Integer(0))
    d = Derivation(f"NTK of a depth-{depth} {activation} network ({parametrization} parametrization"
                   f"{', with bias' if bias else ''})",
                   assumptions=["L = %d hidden layers of widths n_l → ∞, scalar output" % depth,
                                "(u, v) ~ N(0, Λ^(l)), Λ^(l) = [[Σ^(l)(x,x), Σ^(l)(x,x')], "
                                "[Σ^(l)(x,x'), Σ^(l)(x',x')]]"],
                   references=["Jacot, Gabriel, Hongler, NeurIPS 2018", "Lee et al., NeurIPS 2019",
                               "Arora et al., On exact computation with an infinitely wide neural "
                               "net, NeurIPS 2019 (Eq. (4)-(6))",
                               "Sohl-Dickstein et al., arXiv:2001.07301 (standard parametrization)"])
    d.steps.extend(dual.derivation.steps)
    xx, dim = sympy.Symbol("x^T x'", real=True), sympy.Symbol("d", positive=True)
    sig = sympy.IndexedBase("Sigma")
    sigd = sympy.IndexedBase("Sigmadot")
    th = sympy.IndexedBase("Theta")
    lam = sympy.IndexedBase("Lambda")
    first = sw2 * xx / dim + sb2
    d.step("Input layer:", first, first if parametrization == "ntk" else xx / dim + (1 if bias else 0),
           labels=["Σ^(1)(x, x')", "Θ^(1)(x, x')"])
    E_val = dual.value.subs({q11: lam[1, 1], q22: lam[2, 2], q12: lam[1, 2]})
    E_der = dual.derivative.subs({q11: lam[1, 1], q22: lam[2, 2], q12: lam[1, 2]})
    for l in range(1, depth + 1):
        s_next = sw2 * E_val + sb2
        sd_next = sw2 * E_der
        if parametrization == "ntk":
            t_next = sig[l + 1] + th[l] * sigd[l + 1]
        else:
            t_next = (sig[l + 1] - sb2) / sw2 + (1 if bias else 0) + th[l] * sigd[l + 1]
        d.step(f"Layer {l} → {l + 1} (Λ = Λ^({l}); θ = angle of Λ^({l})):", s_next, sd_next, t_next,
               labels=[f"Σ^({l + 1})", f"Σ̇^({l + 1})", f"Θ^({l + 1})"])
    unrolled = sympy.Add(*[sig[h] * sympy.Mul(*[sigd[k] for k in range(h + 1, depth + 2)])
                           for h in range(1, depth + 2)])
    d.step("Unrolled (ntk parametrization): Θ^(L+1) = Σ_h Σ^(h) Π_{h' > h} Σ̇^(h')", unrolled,
           labels=["Θ^(L+1)"])
    d.result, d.result_label = th[depth + 1], f"Θ^({depth + 1})(x, x')"
    return d


def two_layer_statement(parametrization: str, activation: str = "relu",
                        kernel: str = "ntk") -> sympy.Expr:
    """The two-layer kernel of ``parametrization`` in x, x' through θ and the norms (symbolic).

    ``kernel="ntk"``: the tangent kernel of the trained parameters (for random-features, the
    output layer: E_w[σσ]); ``kernel="nngp"``: the covariance of f at initialization when the
    output weights have unit variance (a = ±1, or a ~ N(0, 1)): E_w[σ(wᵀx)σ(wᵀx')], which with
    the bias starting at 0 (basri) is the same as arora's.
    """
    parametrization = check_parametrization(parametrization, TWO_LAYER)
    if kernel not in ("ntk", "nngp"):
        raise InvalidArgument(f"kernel {kernel!r} is unknown: use ntk or nngp")
    dual = dual_activation(check_activation(activation))
    nx, ny, d = NORM_X, NORM_Y, DIM
    dot = nx * ny * sympy.cos(theta)
    if parametrization == "random-features":
        return dual.value.subs({q11: nx ** 2 / d, q22: ny ** 2 / d, q12: dot / d})
    if kernel == "nngp":
        return dual.value.subs({q11: nx ** 2, q22: ny ** 2, q12: dot})
    der = dual.derivative.subs({q11: nx ** 2, q22: ny ** 2, q12: dot})
    return sympy.simplify(der * (dot + (1 if parametrization == "basri" else 0)))


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
    """(NNGP, NTK) matrices Σ^(L+1)(X, Y), Θ^(L+1)(X, Y) of a deep fully connected network.

    ``xp`` is numpy (default) or torch; X, Y are (n, d) and (k, d) arrays of that module.
    ``history``, when a list, receives (Σ^(l+1), Σ̇^(l+1)) for l = 1..L.
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
    # Σ¹ = s cos θ + σ_b² with s = σ_w²|x||x'|/d; its angle by the split of _homogeneous_layer.
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
    """Σ^(L+1)(X, Y) alone (defined for the step activation too)."""
    return kernels(X, Y, depth, activation, weight_var, bias_var, "ntk", xp, want_ntk=False)[0]


def two_layer_kernel(X, Y, parametrization: str = "arora", activation: str = "relu", xp=None,
                     kernel: str = "ntk"):
    """The two-layer kernel of :func:`two_layer_statement` on arrays X (n, d), Y (k, d),
    lambdified from that statement (one source of truth) with the angle from :func:`angles`."""
    if xp is None:
        import numpy as xp
    expr = two_layer_statement(parametrization, activation, kernel)
    fn = sympy.lambdify((NORM_X, NORM_Y, DIM, theta), expr, _module_name(xp), dummify=True)
    th, nx, ny = angles(X, Y, xp)
    return fn(nx[:, None], ny[None, :], X.shape[1], th)
