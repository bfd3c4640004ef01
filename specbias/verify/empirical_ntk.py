"""Empirical NTKs of torch models with torch.func, and their convergence to the analytic kernel.

Θ̂(x, x') = Σ_p s_p ∂f(x)/∂p · ∂f(x')/∂p over trainable parameters p, with ``s_p`` the model's
learning-rate scale (``model.lr_scales``, default 1). The Jacobians come from
``torch.func.vmap(jacrev(...))`` and are contracted block by block (Novak et al., ICML 2022,
"Fast finite width neural tangent kernel", Jacobian contraction).
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np
import torch
from torch.func import functional_call, jacrev, vmap

from specbias.errors import require


def empirical_ntk(model: torch.nn.Module, X: torch.Tensor, Y: torch.Tensor | None = None,
                  chunk: int = 64) -> torch.Tensor:
    """Θ̂(X, Y) of a scalar-output ``model`` (n, k matrix), inputs in chunks of ``chunk`` rows."""
    params = {k: v.detach() for k, v in model.named_parameters() if v.requires_grad}
    buffers = {k: v.detach() for k, v in model.named_buffers()}
    scales = getattr(model, "lr_scales", {})

    def f(p, x):
        return functional_call(model, (p, buffers), (x[None],))[0]

    jac = vmap(jacrev(f), (None, 0))

    def jacobians(Z):
        out = [jac(params, Z[i:i + chunk]) for i in range(0, Z.shape[0], chunk)]
        return {k: torch.cat([o[k].reshape(o[k].shape[0], -1) for o in out]) for k in params}

    JX = jacobians(X)
    JY = JX if Y is None else jacobians(Y)
    return sum(scales.get(k, 1.0) * JX[k] @ JY[k].T for k in params)


@dataclass
class ConvergenceFit:
    """log(error) = intercept + slope·log(width), fitted on the seed-averaged errors.

    ``slope_stderr`` is the standard error of the slope from the spread across seeds at each
    width (weighted least squares with weights 1/var(log error mean)).
    """

    widths: list
    errors: list          # seed-mean relative Frobenius error per width
    spread: list          # seed standard deviation of the log error per width (of the error
                          # over its mean, for arithmetic means: the delta method)
    slope: float
    slope_stderr: float
    intercept: float


def fit_power_law(widths, errors_by_seed, mean: str = "geometric") -> ConvergenceFit:
    """Weighted least squares of the log of the mean error against log width.

    ``mean="geometric"`` fits the mean of the log errors; ``"arithmetic"`` the log of the mean
    error, with the delta-method variance (sd / mean)^2 / seeds, so that the fit and
    ``errors`` are the arithmetic means a report's table shows.
    """
    require(mean in ("geometric", "arithmetic"),
            f"mean {mean!r} is unknown: use 'geometric' or 'arithmetic'")
    w = np.log(np.asarray(widths, float))
    e = np.asarray(errors_by_seed, float)                     # (widths, seeds)
    if mean == "arithmetic":
        level, sd = np.log(e.mean(1)), e.std(1, ddof=1) / e.mean(1)
    else:
        level, sd = np.log(e).mean(1), np.log(e).std(1, ddof=1)
    var = (sd ** 2) / e.shape[1]
    var = np.maximum(var, 1e-12)
    A = np.stack([np.ones_like(w), w], 1)
    W = np.diag(1 / var)
    cov = np.linalg.inv(A.T @ W @ A)
    beta = cov @ A.T @ W @ level
    # inflate by the reduced chi-square when the straight line does not fit within the noise
    resid = level - A @ beta
    chi2 = float(resid @ W @ resid) / max(1, len(w) - 2)
    stderr = math.sqrt(cov[1, 1] * max(1.0, chi2))
    return ConvergenceFit(list(widths), np.exp(level).tolist(), sd.tolist(), float(beta[1]),
                          stderr, float(beta[0]))


def log_drop(errors_by_width) -> tuple[float, float]:
    """Mean log error at the last width minus at the first, and its standard error from the
    spread over seeds (at least two seeds per width): a fall that assumes no law in between."""
    a, b = (np.log(np.asarray(errors_by_width[i], float)) for i in (0, -1))
    return (float(b.mean() - a.mean()),
            math.sqrt(a.var(ddof=1) / len(a) + b.var(ddof=1) / len(b)))


def relative_error(emp: torch.Tensor, ana: torch.Tensor) -> float:
    return float(torch.linalg.norm(emp - ana) / torch.linalg.norm(ana))


def width_convergence(make_model, analytic: torch.Tensor, X: torch.Tensor, widths, seeds,
                      progress=None) -> ConvergenceFit:
    """Relative error of Θ̂ against ``analytic`` for each width and seed, and the fitted rate.

    ``make_model(width, seed)`` builds the network; ``progress()`` is called once per model.
    The fit needs two or more different widths and two or more seeds (checked before any work).
    """
    widths, seeds = list(widths), list(seeds)
    require(len(set(widths)) == len(widths) >= 2,
            f"widths {widths} must be two or more different values, e.g. [64, 256, 1024]")
    require(len(set(seeds)) == len(seeds) >= 2,
            f"seeds {seeds} must be two or more different values: the rate's error bar needs them")
    errors = []
    for m in widths:
        row = []
        for s in seeds:
            row.append(relative_error(empirical_ntk(make_model(m, s), X), analytic))
            if progress is not None:
                progress()
        errors.append(row)
    return fit_power_law(widths, errors)
