"""Z11: Monte Carlo estimate of the Rashomon-set probability P(R_ε) against the frequency ν.

Parameters are drawn uniformly from the parameter domain of the seed's class
H_n = {h = (1/n) Σ a_j σ(w_j x − b_j): w_j ∈ S⁰ = {±1}, |a_j| ≤ A, |b_j| ≤ 1} on D = (−1, 1),
and each draw is tested exactly (no quadrature): ‖h − f‖² = ‖h‖² − 2⟨h, f⟩ + ‖f‖² with
‖h‖² = n⁻² aᵀGa (G from :func:`specbias.derive.dynamics.rashomon.ridge_gram`) and
⟨σ(w·x − b), f⟩ = g(wb) for Δg = f, g ∈ C²₀ (two integrations by parts). Counted: draws in
R_ε = {‖h − f‖ ≤ ε‖f‖} and in the larger event E = {⟨h, f⟩ ≥ (1 − ε)‖f‖²} that the proof bounds
by Hoeffding; beside them κ (computed for the target) and the bound
exp(−n(1 − ε)²‖f‖⁴/(2A²κ²)).
"""

from __future__ import annotations

import numpy as np
import sympy

from specbias.derive.dynamics import rashomon as R
from specbias.verify.sweep.registry import Experiment, register
from specbias.verify.experiments.common import Config, progress_bar

NAME = "rashomon"
SUMMARY = ("Z11: Monte Carlo probability of the Rashomon set of a two-layer ReLU class on (-1, 1) "
           "against the frequency nu, beside the Hoeffding bound with kappa computed")
DEFAULTS = dict(seed=0, target="bump", nu=2.0, neurons=2, eps=0.95, A=4.0, samples=1000000)
PROFILES = {"quick": dict(DEFAULTS, samples=200000), "full": dict(DEFAULTS, samples=20000000)}
CHUNK = 100000


def _draw(rng: np.random.Generator, size: int, n: int, A: float):
    a = rng.uniform(-A, A, (size, n))
    w = np.where(rng.random((size, n)) < 0.5, -1.0, 1.0)
    b = rng.uniform(-1, 1, (size, n))
    return a, w, b


def run(config: dict) -> dict:
    """Count draws in R_ε and in E for one (target, ν, n, ε, A); see the module docstring."""
    cfg = Config(config, NAME)
    seed, kind = cfg.seed(), cfg.choice("target", R.TARGETS)
    nu = R.check_frequency(cfg.raw.get("nu"))
    n, eps = cfg.integer("neurons", 1, 64), cfg.number("eps", 0, 1, open_lo=True)
    A, samples = cfg.number("A", 0, 1e6, open_lo=True), cfg.integer("samples", 1, 10 ** 10)
    f, g, _ = R.potential(kind, nu)
    kap, norm2 = float(R.kappa(g, dps=20)), float(R.norm_squared(f, dps=20))
    g_num = sympy.lambdify(R.x, g, "numpy")
    rng = np.random.default_rng(seed)
    hits_r = hits_e = 0
    best = np.inf
    bar = progress_bar(samples, f"{NAME} nu={nu}")
    for start in range(0, samples, CHUNK):
        size = min(CHUNK, samples - start)
        a, w, b = _draw(rng, size, n, A)
        inner = (a * g_num(w * b)).sum(1) / n
        G = R.ridge_gram(w, b)
        hh = np.einsum("si,sij,sj->s", a, G, a) / n ** 2
        dist2 = np.maximum(hh - 2 * inner + norm2, 0.0)
        hits_r += int((dist2 <= eps ** 2 * norm2).sum())
        hits_e += int((inner >= (1 - eps) * norm2).sum())
        best = min(best, float(np.sqrt(dist2.min() / norm2)))
        bar.update(size)
    bar.close()
    return {"target": kind, "nu": str(nu), "neurons": n, "eps": eps, "A": A, "samples": samples,
            "hits_rashomon": hits_r, "hits_inner": hits_e, "kappa": float(f"{kap:.15g}"),
            "norm_squared": float(f"{norm2:.15g}"),
            "bound": R.hoeffding_bound(n, eps, A, norm2, kap),
            "best_relative_error": float(f"{best:.6g}")}


register(Experiment(NAME, run, PROFILES, SUMMARY, depends=("specbias.verify.experiments.common",
                                                           "specbias.derive.dynamics.rashomon"),
                    keys={"target": "bump or projected", "nu": "frequency nu of the target",
                          "neurons": "n", "eps": "relative error epsilon of the Rashomon set",
                          "A": "bound on the outer weights", "samples": "Monte Carlo draws"}))
