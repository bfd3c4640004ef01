"""E2: Monte Carlo integration error and random-feature approximation error against m.

* ``part=integration``: I_m(g) = (1/m) Σ g(x_j), x_j ~ U[0, 1]^d i.i.d., for the product
  integrand of :mod:`specbias.derive.dynamics.monte_carlo`; the mean of (I(g) − I_m(g))² over
  ``reps`` repetitions per m, with its standard error, beside var(g)/m (var(g) exact).
* ``part=features``: the target f = Σ_i c_i k(·, z_i) of known RKHS norm on μ = U[−1, 1]^d;
  m features σ(w_jᵀx), w_j ~ N(0, I/d); the least-squares fit min_a ‖f − (1/m) Σ a_j σ(w_jᵀ·)‖
  on ``fit_points`` samples of μ and the Monte Carlo estimator a_j = a*(w_j) (the
  representation's own coefficients), both measured in L²(μ) on ``test_points`` fresh samples.
  Each of the ``feature_reps`` draws takes m_max features once and uses its first m (nested
  sets: the fit-sample error cannot rise with m). Beside them V = E_w[a*(w)²‖σ(wᵀ·)‖²_μ] − ‖f‖²_μ
  from 20,000 independent draws of w, for which E‖f − f_m‖² = V/m exactly for the Monte Carlo
  estimator.

  The cube is centred: on [0, 1]^d (x ≥ 0) about 5% of the features vanish on the whole sample
  and 4% are linear on it (wᵀx of one sign over the cube), so the feature matrix is
  rank-deficient from m ≈ 20 on (condition numbers 1e18 and more) and least squares jumps
  from draw to draw; on [−1, 1]^d every feature has its kink inside the data and the
  condition number stays below about 300 at m = 320.
"""

from __future__ import annotations

import numpy as np

from specbias.derive.dynamics import monte_carlo as MC
from specbias.verify.sweep.registry import Experiment, register
from specbias.verify.experiments.common import Config, as_list, progress_bar, torch_threads

NAME = "monte_carlo"
SUMMARY = ("E2: Monte Carlo integration error and random-feature approximation error against m "
           "(var(g)/m and ||f||_H/sqrt(m))")
DEFAULTS = dict(seed=0, part="integration", dim=10, m_min=10, m_max=1000, m_count=7, reps=400,
                feature_reps=10, centers=20, fit_points=8000, test_points=4000)
PROFILES = {"quick": dict(DEFAULTS, m_max=320, m_count=6, reps=1000, feature_reps=8, fit_points=2000,
                          test_points=2000),
            "full": dict(DEFAULTS, m_max=3000, m_count=11, reps=4000, fit_points=30000,
                         test_points=10000)}
V_DRAWS = 20000


def m_values(cfg: Config) -> list[int]:
    """Log-spaced distinct integers from m_min to m_max (m_count of them at most)."""
    lo, hi = cfg.integer("m_min", 1, 10 ** 9), cfg.integer("m_max", 1, 10 ** 9)
    count = cfg.integer("m_count", 1, 100)
    from specbias.errors import require

    require(lo <= hi, f"{NAME}: m_min={lo} exceeds m_max={hi}: use m_min <= m_max")
    return sorted(set(np.round(np.geomspace(lo, hi, count)).astype(int).tolist()))


def _integration(cfg: Config, rng: np.random.Generator, ms: list[int]) -> dict:
    dim, reps = cfg.integer("dim", 1, 1000), cfg.integer("reps", 2, 10 ** 7)
    exact, _ = MC.product_integrand(dim)
    I, var = float(exact["integral"]), float(exact["variance"])
    mse, se = [], []
    bar = progress_bar(len(ms), f"{NAME} integration")
    for m in ms:
        sq = np.empty(reps)
        block = max(1, 2_000_000 // (m * dim))
        for r0 in range(0, reps, block):
            r1 = min(reps, r0 + block)
            X = rng.random((r1 - r0, m, dim))
            sq[r0:r1] = (MC.product_values(X.reshape(-1, dim)).reshape(r1 - r0, m).mean(1) - I) ** 2
        mse.append(sq.mean()), se.append(sq.std(ddof=1) / np.sqrt(reps))
        bar.update()
    bar.close()
    return {"integral": I, "variance": var, "mse": as_list(mse, 8), "mse_stderr": as_list(se, 4)}


def _features(cfg: Config, rng: np.random.Generator, ms: list[int]) -> dict:
    dim, reps = cfg.integer("dim", 1, 1000), cfg.integer("feature_reps", 2, 10 ** 6)
    p, n_fit = cfg.integer("centers", 1, 10 ** 4), cfg.integer("fit_points", 2, 10 ** 7)
    n_test = cfg.integer("test_points", 2, 10 ** 7)
    cube = lambda n: rng.uniform(-1, 1, (n, dim))  # noqa: E731  (μ = U[-1, 1]^d)
    Z, c = cube(p), rng.standard_normal(p) / np.sqrt(p)
    norms = MC.rkhs_target(Z, c)
    X_fit, X_test = cube(n_fit), cube(n_test)
    f_fit, f_test = MC.rf_kernel(X_fit, Z) @ c, MC.rf_kernel(X_test, Z) @ c
    f_norm2 = float(np.mean(f_test ** 2))
    W = rng.standard_normal((V_DRAWS, dim)) / np.sqrt(dim)
    a_star = np.maximum(Z @ W.T, 0).T @ c                      # a*(w) for each draw
    feat2 = (np.maximum(X_test @ W.T, 0) ** 2).mean(0)         # ‖σ(wᵀ·)‖²_μ per draw
    V = float(np.mean(a_star ** 2 * feat2) - f_norm2)
    e_ls, e_mc = np.empty((reps, len(ms))), np.empty((reps, len(ms)))
    bar = progress_bar(reps, f"{NAME} features")
    for i in range(reps):
        W_all = rng.standard_normal((ms[-1], dim)) / np.sqrt(dim)   # nested: the first m rows
        phi_fit, phi_test = np.maximum(X_fit @ W_all.T, 0), np.maximum(X_test @ W_all.T, 0)
        a_all = np.maximum(Z @ W_all.T, 0).T @ c
        for j, m in enumerate(ms):
            coef, *_ = np.linalg.lstsq(phi_fit[:, :m] / m, f_fit, rcond=None)
            e_ls[i, j] = np.sqrt(np.mean((phi_test[:, :m] @ coef / m - f_test) ** 2))
            e_mc[i, j] = np.mean((phi_test[:, :m] @ a_all[:m] / m - f_test) ** 2)
        bar.update()
    bar.close()
    return {"rkhs_norm": float(np.sqrt(norms["norm_squared"])),
            "l2_norm": float(np.sqrt(f_norm2)), "V": float(f"{V:.8g}"),
            "ls_error": as_list(e_ls.mean(0), 6), "ls_error_sd": as_list(e_ls.std(0, ddof=1), 3),
            "mc_error": as_list(np.sqrt(e_mc.mean(0)), 6)}


def run(config: dict) -> dict:
    """One part of E2 at every m; see the module docstring."""
    cfg = Config(config, NAME)
    part = cfg.choice("part", ("integration", "features"))
    rng = np.random.default_rng(cfg.seed())
    ms = m_values(cfg)
    with torch_threads(1):
        body = _integration(cfg, rng, ms) if part == "integration" else _features(cfg, rng, ms)
    return {"part": part, "m": ms, **body}


register(Experiment(NAME, run, PROFILES, SUMMARY, depends=("specbias.verify.experiments.common", "specbias.derive.dynamics.monte_carlo"),
                    keys={"part": "integration or features", "dim": "dimension d of [0, 1]^d",
                          "m_min": "smallest m", "m_max": "largest m", "m_count": "values of m",
                          "reps": "repetitions per m (integration)",
                          "feature_reps": "feature draws per m (features)",
                          "centers": "kernel centres of the target",
                          "fit_points": "samples for the least-squares fit",
                          "test_points": "samples for the L2 error"}))
