"""The experiment registry and config resolution (text coerced to the defaults' types)."""

from __future__ import annotations

import itertools
import subprocess
import sys
from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st

from specbias.errors import InvalidArgument
from specbias.verify.sweep import Experiment, experiments, get, register, resolve, resolve_one
from specbias.verify.sweep.config import grid_values, swept_keys
from specbias.verify.sweep.demo import run as demo_run

DEFAULTS = {"n": 3, "lr": 0.5, "flag": False, "name": "a", "ks": [1, 2], "device": "cpu", "seed": 0}
TOY = Experiment(name="toy", run=demo_run, profiles={"quick": DEFAULTS, "full": DEFAULTS},
                 summary="declared in a test, never run")


def test_registry_lists_and_looks_up():
    assert "demo" in experiments()
    assert get("demo").grid_keys == tuple(get("demo").profiles["quick"])
    with pytest.raises(InvalidArgument, match="'nope'.*demo"):
        get("nope")


def test_looking_up_demo_imports_no_other_experiment():
    """``get`` imports experiment modules only until the name is found (demo comes first)."""
    code = ("import sys; from specbias.verify.sweep.registry import get; get('demo'); "
            "print(sorted(m for m in sys.modules if m.startswith('specbias.verify.experiments')"
            " or m == 'torch'))")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True,
                         cwd=Path(__file__).resolve().parents[3]).stdout
    assert out.strip() == "[]"


def test_register_rejects_bad_declarations():
    def nested(config):
        return config

    with pytest.raises(InvalidArgument, match="module-level"):
        register(Experiment("bad", nested, {"quick": {"seed": 0}, "full": {"seed": 0}}, "x"))
    with pytest.raises(InvalidArgument, match="no 'seed'"):
        register(Experiment("bad", demo_run, {"quick": {"a": 0}, "full": {"a": 0}}, "x"))
    with pytest.raises(InvalidArgument, match="same keys"):
        register(Experiment("bad", demo_run, {"quick": {"seed": 0}, "full": {"seed": 0, "a": 1}}, "x"))
    with pytest.raises(InvalidArgument, match="exactly"):
        register(Experiment("bad", demo_run, {"quick": {"seed": 0}}, "x"))
    with pytest.raises(InvalidArgument, match="name"):
        register(Experiment("Bad Name", demo_run, {"quick": {"seed": 0}, "full": {"seed": 0}}, "x"))
    with pytest.raises(InvalidArgument, match="default"):
        register(Experiment("bad", demo_run, {"quick": {"seed": None}, "full": {"seed": 0}}, "x"))
    with pytest.raises(InvalidArgument, match="already registered"):
        register(Experiment("demo", resolve, {"quick": {"seed": 0}, "full": {"seed": 0}}, "x"))
    assert "bad" not in experiments()


@pytest.mark.parametrize("key,text,expected", [
    ("n", "4,5", [4, 5]), ("n", "1e3", [1000]), ("n", "2:5", [2, 3, 4]), ("n", "-1,1", [-1, 1]),
    ("lr", "3e-4, 0.1", [3e-4, 0.1]), ("flag", "true,NO", [True, False]),
    ("name", "x,y", ["x", "y"]), ("ks", "1/3/5,2", [[1, 3, 5], [2]]), ("n", "4,4,5", [4, 5]),
])
def test_text_is_coerced_to_the_default_type(key, text, expected):
    assert grid_values(key, DEFAULTS[key], text) == expected


@pytest.mark.parametrize("grid,needle", [
    ({"m": "1"}, "no key 'm'"), ({"n": ""}, "n=''"), ({"n": "1,,2"}, "n='1,,2'"),
    ({"n": "x"}, "'x' is not an integer"), ({"n": "1.5"}, "not an integer"),
    ({"lr": "fast"}, "'fast' is not a number"), ({"lr": "inf"}, "not a finite number"),
    ({"flag": "maybe"}, "not a boolean"), ({"ks": "1/x"}, "'x' is not an integer"),
    ({"n": "5:2"}, "B > A"), ({"device": "gpu"}, "device='gpu'"), ({"n": []}, "empty"),
])
def test_bad_grid_values_name_the_value(grid, needle):
    with pytest.raises(InvalidArgument, match=needle.replace("(", r"\(")):
        resolve(TOY, "quick", grid)


def test_unknown_profile():
    with pytest.raises(InvalidArgument, match="'huge'"):
        resolve(TOY, "huge", {})


def test_device_auto_is_resolved_here():
    import torch

    assert resolve_one(TOY, device="auto")["device"] == ("cuda" if torch.cuda.is_available() else "cpu")


@given(st.dictionaries(st.sampled_from(["n", "lr", "seed"]),
                       st.lists(st.integers(-50, 50), min_size=1, max_size=4, unique=True),
                       max_size=3))
def test_resolve_is_the_product_grid(grid):
    """Every combination once, in itertools.product order, every key present and typed."""
    configs = resolve(TOY, "quick", {k: ",".join(map(str, v)) for k, v in grid.items()})
    expected = list(itertools.product(*grid.values()))
    assert [tuple(c[k] for k in grid) for c in configs] == expected
    assert all(list(c) == list(DEFAULTS) and isinstance(c["lr"], float) for c in configs)
    assert swept_keys(configs) == [k for k in DEFAULTS if len(grid.get(k, ())) > 1]
