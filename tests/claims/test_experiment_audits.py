"""The audits built on experiment runners (Z9, P2, L9, E2, E4, Z11): each runs through the
sweep engine, yields typed evidence, a rerun reuses the stored runs (identical verdict), and a
perturbed statement or perturbed data changes the verdict (every rule can fail)."""

import json
import math
import time

import numpy as np
import pytest

from specbias.claims import AuditContext, run_audit
from specbias.records import decide

pytestmark = pytest.mark.slow


@pytest.fixture(scope="module")
def store(tmp_path_factory):
    """One store for the module: the perturbation tests reuse the runs of the first audits."""
    return str(tmp_path_factory.mktemp("sweeps"))


@pytest.fixture
def audit(store, monkeypatch):
    monkeypatch.setenv("SPECBIAS_SWEEP_STORE", store)
    return lambda cid: run_audit(cid, AuditContext(quick=True))


@pytest.mark.parametrize("claim", ["Z9", "P2", "L9", "E2", "E4", "Z11"])
def test_audit_runs_and_a_rerun_reuses_the_store(claim, audit):
    first = audit(claim)
    assert first.evidence and all(e.tests and e.source for e in first.evidence)
    assert any(e.plot for e in first.evidence)
    checks = [e.passed for e in first.evidence if e.passed is not None]
    assert checks and (first.status in ("confirmed", "approximate")) == all(checks)
    start = time.perf_counter()
    second = audit(claim)
    reuse = time.perf_counter() - start
    assert json.dumps(second.to_json(), sort_keys=True) == json.dumps(first.to_json(), sort_keys=True)
    assert reuse < 30, f"the rerun took {reuse:.1f} s: it should only read the store"


def test_z9_a_steeper_claimed_bound_is_refuted(audit, monkeypatch):
    """Claim O(m^4) for trained biases: the measured T(m) falls below T(1) m^4."""
    import specbias.claims.zhao_dynamics as Z

    assert audit("Z9").status == "approximate"
    monkeypatch.setattr(Z, "TRAINED_POWERS", (1, 4))
    v = audit("Z9")
    assert v.status == "refuted" and not v.evidence[1].passed


def test_p2_reversed_order_fails(audit, monkeypatch):
    """The same runs read with the frequencies reversed: the order checks must fail (at test
    sizes too few frequencies are learned for a verdict, so the checks are compared)."""
    import specbias.claims.dynamics as D

    before = audit("P2")
    assert [e.passed for e in before.evidence[:2]] == [True, True]
    learned = D.half_steps
    monkeypatch.setattr(D, "half_steps", lambda run: learned(run)[::-1])
    after = audit("P2")
    assert [e.passed for e in after.evidence[:2]] == [False, False]
    assert after.status in ("refuted", "unverified") and after.status != "confirmed"


def _spectrum_run(curves, steps):
    return {"frequencies": [5, 10, 15, 20], "steps": steps,
            "normalized_amplitude": np.array(curves).T.tolist()}


def test_p2_an_untrained_network_cannot_pass():
    """An untrained network's spectrum decays with k but nothing reaches half: the order check is
    vacuous and the learning check fails, so the verdict is unverified, never confirmed."""
    from specbias.claims.dynamics import p2_enough_learning, p2_order

    steps = list(range(0, 1000, 100))
    flat = [[1e-3 / k] * len(steps) for k in (5, 10, 15, 20)]
    runs = [({"seed": s, "case": "equal"}, _spectrum_run(flat, steps)) for s in (0, 1)]
    evidence = [p2_order("equal", runs), p2_enough_learning({"equal": runs})]
    assert decide(evidence) == "unverified"
    staircase = [[min(1.0, t / (200.0 * (i + 1) ** 2)) for t in steps] for i in range(4)]
    good = [({"seed": s, "case": "equal"}, _spectrum_run(staircase, steps)) for s in (0, 1)]
    assert decide([p2_order("equal", good), p2_enough_learning({"equal": good})]) == "confirmed"
    reverse = [({"seed": s, "case": "equal"}, _spectrum_run(staircase[::-1], steps)) for s in (0, 1)]
    assert decide([p2_order("equal", reverse), p2_enough_learning({"equal": reverse})]) == "refuted"


def test_l9_reversed_frequencies_are_refuted(audit, monkeypatch):
    import specbias.claims.dynamics as D

    assert audit("L9").evidence[0].passed
    times = D._curve_times
    monkeypatch.setattr(D, "_curve_times", lambda run: tuple(v[::-1] for v in times(run)))
    assert audit("L9").status == "refuted"


def test_l9_filter_rule_rejects_smoother_predictors():
    """Constant predictors smoother than the labels (e_low < e_high at once) and an exact fit
    fail the filter rule; low-first learning passes it."""
    from specbias.claims.dynamics import filter_order

    assert not filter_order([0.93], [1.0])[0]          # the label mean
    assert not filter_order([0.39], [1.33])[0]         # affine least squares
    assert not filter_order([1.0, 0.1, 0.0], [1.0, 0.1, 0.0])[0]   # both learned together
    assert filter_order([1.0, 0.5, 0.15, 0.05], [1.0, 1.2, 0.9, 0.4])[0]


def test_e2_a_faster_claimed_rate_is_refuted(audit, monkeypatch):
    import specbias.claims.sampling as E

    assert audit("E2").status == "confirmed"
    monkeypatch.setattr(E, "RATE", 1.5)
    assert audit("E2").status == "refuted"


def test_e4_a_wrong_sgd_formula_is_refuted(audit, monkeypatch):
    import specbias.claims.stability as S

    assert audit("E4").evidence[4].passed
    monkeypatch.setattr(S, "SLIDE_MULTIPLIER", (1 - S.S.eta * S.S.a) ** 2
                        + S.S.eta ** 2 * S.S.s ** 2 / S.S.B ** 2)
    v = audit("E4")
    assert v.status == "refuted" and not v.evidence[4].passed


def test_z11_a_tighter_claimed_bound_is_refuted(audit, monkeypatch):
    """A bound with twenty times the exponent (e^-10 instead of e^-1/2 in the test runs) is below
    the measured probability of the proof's event."""
    import specbias.claims.rashomon as Z

    assert audit("Z11").evidence[0].passed
    bound = Z.slide_bound
    monkeypatch.setattr(Z, "slide_bound", lambda *a: math.exp(20 * math.log(bound(*a))))
    v = audit("Z11")
    assert v.status == "refuted" and not v.evidence[0].passed
