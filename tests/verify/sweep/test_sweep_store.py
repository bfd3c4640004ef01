"""The content-addressed store: keys, atomic records, unwritable folders."""

from __future__ import annotations

import dataclasses
import json

import numpy as np
import pytest

from specbias.errors import InvalidArgument
from specbias.verify.sweep import get, resolve_one
from specbias.verify.sweep.store import Store, _module_source_hash, code_version

DEMO = get("demo")


def test_key_depends_on_config_version_and_name(tmp_path):
    store = Store(tmp_path)
    cfg = resolve_one(DEMO, steps=10)
    assert store.key(DEMO, cfg) == store.key(DEMO, dict(cfg))
    assert store.key(DEMO, cfg) != store.key(DEMO, resolve_one(DEMO, steps=11))
    assert store.key(DEMO, cfg) != store.key(dataclasses.replace(DEMO, version="2"), cfg)
    assert store.key(DEMO, cfg) != store.key(dataclasses.replace(DEMO, name="demo2"), cfg)
    # the same run however its values were written
    assert store.key(DEMO, resolve_one(DEMO, steps="1e1")) == store.key(DEMO, cfg)


def test_code_version_follows_the_module_source(tmp_path, monkeypatch):
    mod = tmp_path / "sweep_code_version_probe.py"
    mod.write_text("X = 1\n")
    monkeypatch.syspath_prepend(str(tmp_path))
    before = _module_source_hash("sweep_code_version_probe")
    mod.write_text("X = 2\n")
    assert _module_source_hash("sweep_code_version_probe") != before
    assert code_version(DEMO).startswith("0.") and "+" in code_version(DEMO)
    with pytest.raises(InvalidArgument, match="no_such_module"):
        _module_source_hash("no_such_module")


def test_save_then_load_round_trips_numpy_values(tmp_path):
    store = Store(tmp_path)
    cfg = resolve_one(DEMO, steps=10)
    key = store.key(DEMO, cfg)
    assert store.load(DEMO, key) is None
    result = {"a": np.float64(0.1), "b": np.arange(3), "c": (1, 2), "d": None}
    record = store.save(DEMO, key, cfg, result, 1.25, "host")
    assert record["result"] == {"a": 0.1, "b": [0, 1, 2], "c": [1, 2], "d": None}
    assert store.load(DEMO, key) == record
    meta = json.loads((store.folder(DEMO, key) / "config.json").read_text())
    assert meta["config"] == cfg and meta["code"] == code_version(DEMO)
    assert sorted(p.name for p in store.folder(DEMO, key).iterdir()) == ["config.json", "result.json"]
    assert [r["key"] for r in store.finished(DEMO)] == [key]


def test_truncated_result_is_not_finished(tmp_path):
    store = Store(tmp_path)
    cfg = resolve_one(DEMO, steps=10)
    key = store.key(DEMO, cfg)
    store.save(DEMO, key, cfg, {"x": 1}, 0.0)
    path = store.folder(DEMO, key) / "result.json"
    path.write_text(path.read_text()[:20])
    assert store.load(DEMO, key) is None


def test_unwritable_store_is_named(tmp_path):
    blocker = tmp_path / "a-file"
    blocker.write_text("")
    with pytest.raises(InvalidArgument, match="a-file.*--store"):
        Store(blocker)
    with pytest.raises(InvalidArgument, match="cannot be written.*--store"):
        Store(blocker / "below")


def test_non_json_result_raises_type_error(tmp_path):
    store = Store(tmp_path)
    cfg = resolve_one(DEMO, steps=10)
    with pytest.raises(TypeError):
        store.save(DEMO, store.key(DEMO, cfg), cfg, {"x": object()}, 0.0)
    assert store.load(DEMO, store.key(DEMO, cfg)) is None
