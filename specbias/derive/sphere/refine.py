"""High-precision eigenvalues of a symmetric matrix by iterative refinement from float64.

The matrix is a python-flint ``arb_mat`` (ball arithmetic at ``flint.ctx.prec`` bits); its
float64 copy is diagonalized by LAPACK (``numpy.linalg.eigh``) and the eigenvectors are refined
with the algorithm of Ogita and Aishima, "Iterative refinement for symmetric eigenvalue
decomposition", Japan J. Indust. Appl. Math. 35 (2018), Alg. 1: with R = I − XᵀX and
S = XᵀAX,

    λ_i = S_ii / (1 − R_ii),  E_ij = (S_ij + λ_j R_ij) / (λ_j − λ_i)  (i ≠ j, separated),
    E_ij = R_ij / 2 (i = j, or λ_i and λ_j in one cluster),  X ← X + XE,

which converges quadratically and costs only matrix products (fast in FLINT). Clusters
(relative gaps below ``CLUSTER_GAP``) are diagonalized exactly inside their span at every step
(mpmath's ``eigsy`` on the small block), as Ogita and Aishima's cluster variant (2019) does, so
that nearly equal eigenvalues never divide a large numerator by a small gap.
"""

from __future__ import annotations

import mpmath
import numpy as np

from specbias.errors import require

#: Eigenvalues closer than this (relative) are refined as one cluster.
CLUSTER_GAP = 1e-6


def to_numpy(M) -> np.ndarray:
    """Midpoints of an arb_mat as float64."""
    return np.array([[float(v) for v in row] for row in M.mid().tolist()], dtype=float)


def _clusters(lam: list, gap: float) -> list[list[int]]:
    """Index groups of consecutive (sorted) values whose relative gaps are below ``gap``."""
    order = sorted(range(len(lam)), key=lambda i: -lam[i])
    groups, cur = [], [order[0]]
    for a, b in zip(order, order[1:]):
        scale = max(abs(lam[a]), abs(lam[b]), 1e-300)
        if abs(lam[a] - lam[b]) <= gap * scale:
            cur.append(b)
        else:
            groups.append(cur)
            cur = [b]
    groups.append(cur)
    return [g for g in groups if len(g) > 1]


def _rotate_clusters(X, S, lam_f: list, dps: int):
    """X_c ← X_c V with V the eigenvectors of S restricted to each cluster c."""
    from flint import arb, arb_mat

    n = X.nrows()
    groups = _clusters(lam_f, CLUSTER_GAP)
    if not groups:
        return X, False
    V = arb_mat(n, n)
    for i in range(n):
        V[i, i] = arb(1)
    with mpmath.workdps(dps):
        for g in groups:
            block = mpmath.matrix([[mpmath.mpf(S[i, j].mid().str(dps + 5, radius=False))
                                    for j in g] for i in g])
            _, Q = mpmath.eigsy(block)
            for a, i in enumerate(g):
                for b, j in enumerate(g):
                    V[i, j] = arb(mpmath.nstr(Q[a, b], dps + 5))
    return (X * V).mid(), True


def refine_symmetric(A, dps: int, max_iter: int = 8):
    """All eigenvalues (descending, as arb) and eigenvectors (arb_mat columns) of symmetric A.

    Returns (values, X, info) where info has the iterations, the final max |E| and the
    residual bound max_i |(AX − XΛ)_i| / |λ_i| of the top eigenpairs.
    """
    from flint import arb, arb_mat

    n = A.nrows()
    A0 = to_numpy(A)
    w, V = np.linalg.eigh((A0 + A0.T) / 2)
    order = np.argsort(-w)
    X = arb_mat([[float(V[i, j]) for j in order] for i in range(n)])
    I = arb_mat(n, n)
    for i in range(n):
        I[i, i] = arb(1)
    target = mpmath.mpf(10) ** (-(dps + 4))
    history = []
    lam = [arb(float(v)) for v in w[order]]
    for it in range(max_iter):
        AX = A * X
        S = (X.transpose() * AX).mid()
        lam_f = [float(S[i, i]) for i in range(n)]
        X, rotated = _rotate_clusters(X, S, lam_f, dps + 10)
        if rotated:
            S = (X.transpose() * (A * X)).mid()
        R = (I - X.transpose() * X).mid()
        lam = [S[i, i] / (1 - R[i, i]) for i in range(n)]
        # The corrections are tiny (|E| ~ the current error), so float64 carries them to a
        # relative 1e-16 of their size: the new X is exact to |E|·1e-16, beyond quadratic.
        Sf, Rf = to_numpy(S), to_numpy(R)
        lf = np.array([float(v) for v in lam])
        off = Sf - np.diag(np.diag(Sf))
        delta = 2 * (np.linalg.norm(off) + np.max(np.abs(lf)) * np.linalg.norm(Rf))  # Frobenius ≥ 2-norm
        gap = lf[None, :] - lf[:, None]
        # pairs inside one cluster were diagonalized by the rotation: only orthogonalize them
        close = np.abs(gap) <= np.maximum(delta, CLUSTER_GAP * np.maximum(np.abs(lf)[:, None],
                                                                         np.abs(lf)[None, :]))
        with np.errstate(divide="ignore", invalid="ignore"):
            Ef = np.where(close, Rf / 2, (Sf + lf[None, :] * Rf) / np.where(close, 1.0, gap))
        emax = float(np.max(np.abs(Ef)))
        X = (X + X * arb_mat(Ef.tolist())).mid()
        history.append(emax)
        if emax < target:
            break
    require(history[-1] < 1e-8, f"eigenvector refinement did not converge (max |E| = "
                                f"{history[-1]:.1e}): raise the precision")
    order = sorted(range(n), key=lambda i: -float(lam[i]))
    X = arb_mat([[X[i, j] for j in order] for i in range(n)])
    values = [lam[i] for i in order]
    return values, X, {"iterations": len(history), "max_correction": history}





def _inverse_sqrt_near_identity(G, terms: int = 6):
    """G^(−1/2) for G = I + F with ‖F‖ ≪ 1 (binomial series; F ~ 1e-16 needs two terms)."""
    from flint import arb, arb_mat
    n = G.nrows()
    I = arb_mat(n, n)
    for i in range(n):
        I[i, i] = arb(1)
    F = G - I
    out, term = I, I
    coef = arb(1)
    for k in range(1, terms):
        coef = coef * (arb(-1) / 2 - (k - 1)) / k      # binomial(−1/2, k)
        term = (term * F).mid()
        out = out + term * coef
    return out.mid()


def refine_top(A, count: int, dps: int, max_iter: int = 6):
    """The ``count`` largest eigenvalues (descending, arb) and eigenvectors of symmetric A.

    Mixed precision: LAPACK's float64 eigendecomposition A ≈ V M Vᵀ, then iterations of
    (1) Rayleigh–Ritz on span(X) in arb (the small projected problem by
    :func:`refine_symmetric`), (2) the residual R = AX − XΘ in arb, (3) the correction
    Δ_j = −Σ_(i > count) v_i (v_iᵀ r_j)/(μ_i − θ_j) in float64 (the residual is tiny, so
    float64 carries it to 1e-16 of its size). Each iteration multiplies the error by about
    1e-16·(spread/gap); the work per iteration is one N×N by N×count product in arb.
    ``count`` should end in a spectral gap (not inside a close pair).
    """
    from flint import arb_mat

    n = A.nrows()
    A0 = to_numpy(A)
    mu, V = np.linalg.eigh((A0 + A0.T) / 2)
    order = np.argsort(-mu)
    mu, V = mu[order], V[:, order]
    # end the refined block in a spectral gap: never cut a close pair
    count = min(n - 1, count + 4)
    while count < n - 1 and (mu[count - 1] - mu[count]) < 1e-3 * abs(mu[count - 1]):
        count += 1
    X = arb_mat(V[:, :count].tolist())
    Vout, muout = V[:, count:], mu[count:]
    target = 10.0 ** (-(dps + 4))
    history = []
    for it in range(max_iter):
        AX = (A * X).mid()
        G = (X.transpose() * X).mid()
        W = _inverse_sqrt_near_identity(G)
        H = (W.transpose() * (X.transpose() * AX) * W).mid()
        theta, Y, _ = refine_symmetric(H, dps)
        WY = (W * Y).mid()
        X = (X * WY).mid()
        AX = (AX * WY).mid()
        res = AX - X * _diag(theta)
        Rf = to_numpy(res)
        th = np.array([float(t) for t in theta])
        scale = np.max(np.abs(th))
        rnorm = float(np.max(np.linalg.norm(Rf, axis=0))) / scale
        history.append(rnorm)
        if rnorm < target or it == max_iter - 1:
            break
        coef = (Vout.T @ Rf) / (muout[:, None] - th[None, :])
        X = (X - arb_mat((Vout @ coef).tolist())).mid()
    require(history[-1] < 1e-8, f"eigenvector refinement did not converge (relative residual "
                                f"{history[-1]:.1e}): raise the degree or the precision")
    return theta, X, {"iterations": len(history), "relative_residual": history,
                      "next_float64": float(muout[0]) if len(muout) else None}


def _diag(values):
    from flint import arb_mat
    n = len(values)
    D = arb_mat(n, n)
    for i, v in enumerate(values):
        D[i, i] = v
    return D
__all__ = ["CLUSTER_GAP", "refine_symmetric", "refine_top", "to_numpy"]
