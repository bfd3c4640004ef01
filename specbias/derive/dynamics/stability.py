"""Linear stability of SGD on a one-dimensional quadratic (E4; Wu, Ma, E, NeurIPS 2018).

Losses ℓ_j(θ) = H_j θ²/2, j = 1..n; one SGD step with a batch I of size B is
θ ← (1 − η X̄_I) θ, X̄_I the batch mean of the H_j. The second moment obeys
E θ²_{t+1} = ρ E θ²_t with ρ = E(1 − η X̄_I)² = (1 − ηa)² + η² Var(X̄_I), a = mean H_j,
s² = mean H_j² − a². Var(X̄_I) depends on how the batch is drawn:

* with replacement (B i.i.d. indices): Var = s²/B, the slide's (1 − ηa)² + η²s²/B;
* without replacement (a uniformly random B-subset): Var = (s²/B)(n − B)/(n − 1).

:func:`multiplier_derivation` builds both from the moment identities with SymPy;
:func:`exact_multiplier` enumerates every batch in exact rational arithmetic (an independent
check); :func:`lyapunov_exponent` is E log|1 − ηX̄_I|, whose sign decides almost-sure rather than
mean-square stability.
"""

from __future__ import annotations

import itertools
import math
from fractions import Fraction

import sympy

from specbias.errors import require
from specbias.records import Derivation

eta, a, s, B, n = sympy.symbols("eta a s B n", positive=True)
SAMPLINGS = ("with", "without")


def multiplier_derivation() -> tuple[dict, Derivation]:
    """{"with": ρ, "without": ρ} as SymPy expressions in η, a, s, B, n, and the derivation."""
    d = Derivation("Mean-square multiplier of SGD on a 1D quadratic", assumptions=[
        "theta_{t+1} = (1 - eta Xbar) theta_t, Xbar the mean of H over a batch of size B",
        "a = mean of H_j, s^2 = mean of H_j^2 - a^2 over the n losses"])
    m2 = d.step("Second moment of one draw: E H^2 = s^2 + a^2", s ** 2 + a ** 2, labels=["E H^2"])
    cross_with = d.step("Two distinct batch slots, with replacement (independent): E H_i H_j",
                        a ** 2, labels=["E H_i H_j"])
    cross_without = d.step("Two distinct indices without replacement: "
                           "E H_i H_j = (n^2 a^2 - n E H^2)/(n(n - 1))",
                           sympy.simplify((n ** 2 * a ** 2 - n * m2) / (n * (n - 1))),
                           labels=["E H_i H_j"])
    out = {}
    for name, cross in (("with", cross_with), ("without", cross_without)):
        second = (B * m2 + B * (B - 1) * cross) / B ** 2
        rho = sympy.factor(sympy.expand(1 - 2 * eta * a + eta ** 2 * second))
        var = sympy.factor(sympy.simplify(second - a ** 2))
        d.step(f"Sampling {name} replacement: Var(Xbar) = E Xbar^2 - a^2 and "
               "rho = 1 - 2 eta a + eta^2 E Xbar^2", var, rho, labels=["Var(Xbar)", "rho"])
        slide = (1 - eta * a) ** 2 + eta ** 2 * s ** 2 / B
        d.step(f"rho minus the slide's (1 - eta a)^2 + eta^2 s^2/B ({name} replacement):",
               sympy.factor(sympy.simplify(rho - slide)), labels=["difference"])
        out[name] = rho
    d.result, d.result_label = out["without"], "rho (without replacement)"
    return out, d


def _batches(n_items: int, batch: int, sampling: str):
    if sampling == "with":
        return itertools.product(range(n_items), repeat=batch)
    return itertools.combinations(range(n_items), batch)


def exact_multiplier(H: list, lr, batch: int, sampling: str, limit: int = 10 ** 6) -> Fraction:
    """E(1 − η X̄)² over every batch, in exact rationals (``H`` and ``lr`` as Fractions or
    decimal strings); at most ``limit`` batches."""
    require(sampling in SAMPLINGS, f"sampling {sampling!r} is unknown: use with or without")
    require(1 <= batch <= len(H), f"batch {batch} must be between 1 and n = {len(H)}")
    count = len(H) ** batch if sampling == "with" else math.comb(len(H), batch)
    require(count <= limit, f"{count} batches exceed the enumeration limit {limit}: use a "
            "smaller n or batch")
    Hq, lr = [Fraction(h) for h in H], Fraction(lr)
    total = sum((1 - lr * sum(Hq[i] for i in idx) / batch) ** 2
                for idx in _batches(len(H), batch, sampling))
    return total / count


def lyapunov_exponent(H: list, lr: float, batch: int, sampling: str) -> float:
    """E log|1 − ηX̄| over every batch (float): negative means θ_t → 0 almost surely."""
    vals = [math.log(abs(1 - lr * sum(H[i] for i in idx) / batch) or 1e-300)
            for idx in _batches(len(H), batch, sampling)]
    return sum(vals) / len(vals)
