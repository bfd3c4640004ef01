"""How the audits of training dynamics run their experiments: through the sweep engine.

Every audit of Z9, L9, P2, E2, E4 and Z11 asks :func:`grid_runs` for a product grid of one
registered experiment; the engine (:func:`specbias.verify.sweep.runner.run_sweep`) looks each
resolved config up in the default store (``$SPECBIAS_SWEEP_STORE`` or
``~/.cache/specbias/sweeps``) and computes only what is missing, so that a rerun of
``make audit`` reuses finished runs and a run finished on a bigger machine (or a GPU) is reused
rather than repeated. The profile is ``quick`` unless ``$SPECBIAS_AUDIT_PROFILE`` says ``full``
(the papers' scale); the executor is ``serial`` unless ``$SPECBIAS_AUDIT_EXECUTOR`` names
another (``local``, ``dask://HOST:PORT``).
"""

from __future__ import annotations

import os
from dataclasses import dataclass

import numpy as np

from specbias.claims import AuditContext
from specbias.errors import require
from specbias.numbers import Measured
from specbias.verify.empirical_ntk import fit_power_law


def audit_profile() -> str:
    """``quick`` (default) or ``full``, from ``$SPECBIAS_AUDIT_PROFILE``."""
    profile = os.environ.get("SPECBIAS_AUDIT_PROFILE", "quick").strip() or "quick"
    require(profile in ("quick", "full"), f"SPECBIAS_AUDIT_PROFILE={profile!r}: use quick or full")
    return profile


def grid_runs(ctx: AuditContext, experiment: str, grid: dict) -> list[tuple[dict, dict]]:
    """(config, result) of every run of the product ``grid`` at :func:`audit_profile`."""
    from specbias.verify.sweep.runner import run_sweep

    ctx.note(f"{experiment}: {audit_profile()} profile, grid {grid}")
    sweep = run_sweep(experiment, grid, audit_profile(),
                      executor=os.environ.get("SPECBIAS_AUDIT_EXECUTOR", "serial"),
                      progress=False)
    failed = [r for r in sweep.runs if r.status not in ("reused", "computed")]
    require(not failed, f"{experiment}: {len(failed)} runs failed: {failed[0].error if failed else ''}")
    return [(r.config, r.result) for r in sweep.runs]


def select(runs: list[tuple[dict, dict]], **match) -> list[tuple[dict, dict]]:
    """The runs whose config has every ``key=value`` of ``match``."""
    return [(c, r) for c, r in runs if all(c.get(k) == v for k, v in match.items())]


@dataclass
class Exponent:
    """A power law y ≈ C x^p fitted to seed means, p with its standard error over seeds."""

    xs: list
    means: list
    exponent: Measured
    censored: list

    @property
    def value(self) -> float:
        return self.exponent.value

    @property
    def stderr(self) -> float:
        return self.exponent.uncertainty


def fit_exponent(xs: list, values_by_x: list[list]) -> Exponent | None:
    """Fit log y = log C + p log x over the x whose every seed has a value (None marks a
    censored run: the x is left out and listed). The standard error of p comes from the spread
    over seeds (weighted least squares of :func:`specbias.verify.empirical_ntk.fit_power_law`,
    inflated by the reduced chi-square when the line does not fit within that spread)."""
    keep = [i for i, vals in enumerate(values_by_x) if vals and all(v is not None for v in vals)]
    censored = [xs[i] for i in range(len(xs)) if i not in keep]
    if len(keep) < 2:
        return None
    vals = np.array([[max(float(v), 1e-300) for v in values_by_x[i]] for i in keep])
    if vals.shape[1] < 2:   # one seed: no spread; duplicate with a tiny jitter-free copy
        vals = np.concatenate([vals, vals], 1)
    fit = fit_power_law([xs[i] for i in keep], vals)
    return Exponent([xs[i] for i in keep], np.exp(np.log(vals).mean(1)).tolist(),
                    Measured(fit.slope, max(fit.slope_stderr, 1e-12)), censored)


def log_stats(values_by_x: list[list]) -> tuple[np.ndarray, np.ndarray]:
    """Per x: the mean over seeds of log y and its standard error (0 with one seed)."""
    logs = [np.log(np.asarray(v, float)) for v in values_by_x]
    mean = np.array([v.mean() for v in logs])
    se = np.array([v.std(ddof=1) / np.sqrt(len(v)) if len(v) > 1 else 0.0 for v in logs])
    return mean, se


def local_slopes(xs: list, values_by_x: list[list]) -> list[float]:
    """d log y / d log x between successive x, from the seed means of log y: the exponent a
    power law would have over each interval (no law assumed over the whole range)."""
    mean, _ = log_stats(values_by_x)
    lx = np.log(np.asarray(xs, float))
    return (np.diff(mean) / np.diff(lx)).tolist()
