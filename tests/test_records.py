"""The one rule from evidence to status, and verdicts that survive a JSON round trip."""

from __future__ import annotations

import json

import pytest
from hypothesis import given
from hypothesis import strategies as st

from specbias.errors import InvalidArgument
from specbias.records import STATUSES, TESTS, Evidence, Verdict, decide, line_plot

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


def test_every_plot_option_survives_the_json_round_trip():
    """`specbias report --from` must draw the same figures: no plot option is lost on reading."""
    plot = line_plot("F1", [{"label": "$k$", "x": [1, 2, 3], "y": [1.0, 0.5, 0.25],
                             "yerr": [0.1, 0.1, 0.1], "style": "o-", "group": 1, "panel": 0}],
                     xlabel="$q$", ylabel="error", title="t", xscale="log", yscale="log",
                     legend="outside", xticks=[1, 2, 3])
    e = Evidence("t", "s", True, "statement", plot=plot)
    assert Evidence.from_json(e.to_json()).to_json() == e.to_json()
    back = json.dumps(Evidence.from_json(json.loads(json.dumps(e.to_json()))).to_json())
    assert back == json.dumps(e.to_json())  # the same bytes: keys in the same order
    panel_first = line_plot("F1", [{"label": "a", "panel": 0, "group": 1, "x": [1], "y": [2]}],
                            xlabel="x", ylabel="y")
    assert list(panel_first["series"][0]) == ["label", "x", "y", "group", "panel"]


def test_formulas_with_dummies_serialize_the_same_in_every_run():
    """A Dummy's index is a process-wide counter with a random start: the JSON numbers them by
    order of appearance instead, so reports stay byte-identical."""
    import sympy

    from specbias.records import _formula_json

    def formula():
        xi = sympy.Dummy("xi_1")
        return sympy.Subs(sympy.Derivative(sympy.Function("g")(xi), (xi, 2)), (xi,),
                          (sympy.Symbol("x") ** 2,))

    a, b = formula(), formula()
    assert sympy.srepr(a) != sympy.srepr(b)  # two distinct Dummies
    assert _formula_json(a) == _formula_json(b)
