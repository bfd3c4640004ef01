"""B9: the median-ratio rule against perturbed times (it can fail, and says when it cannot
discriminate)."""

from __future__ import annotations

import numpy as np
import pytest

from specbias.claims import basri_sphere as bs


def _runs(ratios: dict, spread: float, seeds: int = 5) -> dict:
    """Per-seed times whose sparse/dense ratio is ratios[r] (times a seeded spread)."""
    rng = np.random.default_rng(7)
    out = {}
    for r, value in ratios.items():
        per = []
        for _ in range(seeds):
            dense = np.array([10.0, 40.0, 90.0])
            sparse = dense * value * (1 + spread * rng.standard_normal())
            times = {"sparse": list(sparse), "dense": list(dense)}
            per.append({"kernel": times, "by_target": {"sectoral": times, "polar": times}})
        out[r] = per
    return out


@pytest.mark.parametrize("source,passes", [("slide", True), ("conjecture", False)])
def test_b9_median_ratios_discriminate(source, passes):
    """Times built to give the slide's ratios pass; the conjecture's fail (small spread)."""
    values = dict(bs.SEED_RATIOS) if source == "slide" else {r: float(r) for r in (2, 3, 4)}
    ev = bs.median_ratios(_runs(values, 0.01), 1000)
    assert ev.passed is passes and ev.data["discriminates"]


def test_b9_median_ratios_say_when_they_cannot_discriminate():
    ev = bs.median_ratios(_runs({r: float(r) for r in (2, 3, 4)}, 0.5), 1000)
    assert not ev.data["discriminates"]
    assert "too large" in ev.summary


def test_b9_bound_check_fails_when_the_sparse_half_is_too_slow():
    assert bs.ratios_within_bound(_runs({2: 1.9, 3: 2.8, 4: 3.7}, 0.01)).passed
    assert not bs.ratios_within_bound(_runs({2: 3.0, 3: 4.5, 4: 6.0}, 0.01)).passed
