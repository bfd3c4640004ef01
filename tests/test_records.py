"""The one rule from evidence to status, and verdicts that survive a JSON round trip."""

from __future__ import annotations

import json

import pytest
from hypothesis import given
from hypothesis import strategies as st

from specbias.errors import InvalidArgument
from specbias.records import STATUSES, TESTS, Evidence, Verdict, decide

CHECKS = [t for t in TESTS if t != "context"]


def _ev(tests: str, passed):
    return Evidence(f"{tests} check", "summary with $x$", passed, tests)


evidence_lists = st.lists(
    st.one_of(st.tuples(st.sampled_from(CHECKS), st.booleans()).map(lambda p: _ev(*p)),
              st.just(_ev("context", None))), max_size=8)


@given(evidence_lists)
def test_decide_follows_its_definition(evidence):
    status = decide(evidence)
    by = {t: [e.passed for e in evidence if e.tests == t] for t in TESTS}
    if not all(by["reference"]):
        assert status == "unverified"
    elif all(by["statement"]) and all(by["approximation"]):
        assert status == ("approximate" if by["approximation"] else
                          "confirmed" if by["statement"] else "unverified")
    else:
        assert status in ("corrected", "approximate", "refuted")
        assert (status == "corrected") == (bool(by["correction"]) and all(by["correction"]))


@given(evidence_lists)
def test_context_and_refinements_never_change_the_status(evidence):
    assert decide(evidence + [_ev("context", None)]) == decide(evidence)
    assert decide(evidence + [_ev("refinement", False)]) == decide(evidence)


def test_every_status_is_reachable():
    reached = {decide(ev) for ev in (
        [_ev("statement", True)], [_ev("statement", False), _ev("correction", True)],
        [_ev("statement", False), _ev("approximation", True)], [_ev("statement", False)],
        [_ev("context", None)])}
    assert reached == set(STATUSES)


def test_evidence_without_a_role_or_with_a_wrong_result_is_rejected():
    with pytest.raises(InvalidArgument, match="computed result"):
        Evidence("t", "s", None, "statement")
    with pytest.raises(InvalidArgument, match="no result"):
        Evidence("t", "s", True, "context")
    with pytest.raises(InvalidArgument, match="@check"):
        decide([Evidence("t", "s", True)])


def _verdict(**kw):
    base = dict(claim_id="Z1", statement="The claim $x$.", summary="Found.",
                evidence=[_ev("statement", False), _ev("correction", True)],
                correction="$y$.", measured={"error": 0.5})
    return Verdict(**{**base, **kw})


def test_verdict_round_trip_recomputes_the_status():
    v = _verdict()
    data = json.loads(json.dumps(v.to_json()))
    back = Verdict.from_json(data)
    assert back.status == v.status == "corrected" and back.to_json() == v.to_json()
    data["status"] = "confirmed"
    with pytest.raises(InvalidArgument, match="does not follow"):
        Verdict.from_json(data)


def test_a_corrected_verdict_must_state_its_correction_and_a_refinement_needs_evidence():
    with pytest.raises(InvalidArgument, match="state the correction"):
        _verdict(correction=None)
    with pytest.raises(InvalidArgument, match="refinement"):
        _verdict(refinement="$z$.")
    assert _verdict(evidence=[_ev("statement", True)]).shown_correction is None
