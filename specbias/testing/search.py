"""Property search against a user's kernel function (what ``specbias check`` runs).

For each property and dtype, Hypothesis's :func:`hypothesis.find` looks for an input on which
the oracle fails and shrinks it to a minimal one:

* ``pairs``: one pair (x, y) at a controlled angle (1e-12 .. π − 1e-12, norms 1/4 .. 4):
  fn([x], [y]) against the certified entry;
* ``diagonal``: fn([x], [x]) (where x = x' has its own closed form);
* ``matrices``: fn(X, X) on point sets with near-duplicates and scaled copies (entries,
  including the diagonal);
* ``symmetry``: fn(X, Y) = fn(Y, X)ᵀ to rounding;
* ``psd``: fn(X, X) positive semidefinite to rounding (:func:`assert_psd`).

Every evaluated entry is also binned by the angle between its inputs (decades) and by dtype,
so the summary shows where the function loses digits even when nothing fails.
"""

from __future__ import annotations

import math
import random
import traceback
from dataclasses import dataclass, field

import numpy as np
from hypothesis import HealthCheck, Phase, find, settings
from hypothesis.errors import NoSuchExample

from specbias.errors import require
from specbias.testing import strategies as sts
from specbias.testing.oracles import (OracleFailure, _compare, assert_psd, default_ulps,
                                      entry_scale, eps_of, kernel_reference, to_numpy)

PROPERTIES = ("pairs", "diagonal", "matrices", "symmetry", "psd")
#: What the user's function receives: NumPy arrays or torch tensors.
ARRAYS = ("numpy", "torch")
#: Angle bins of the summary: decades from 1e-12 to 1, then [1, π − 1e-3) and the last 1e-3 to π.
BIN_EDGES = [10.0 ** k for k in range(-12, 1)] + [math.pi - 1e-3, math.pi + 1e-9]


def bin_label(lo: float, hi: float) -> str:
    if hi > math.pi:
        return "pi - 1e-3 .. pi"
    if lo >= 1:
        return "1 .. pi - 1e-3"
    return f"{lo:.0e} .. {hi:.0e}"


@dataclass
class Counterexample:
    """A shrunk failing input and the oracle's message."""

    prop: str
    dtype: str
    message: str
    inputs: dict

    def as_dict(self) -> dict:
        return {"property": self.prop, "dtype": self.dtype, "message": self.message,
                "inputs": {k: np.asarray(v).tolist() for k, v in self.inputs.items()}}


@dataclass
class SearchResult:
    config: dict
    counterexamples: list = field(default_factory=list)
    worst_by_angle: dict = field(default_factory=dict)   # (dtype, bin) -> worst rel. error
    worst_by_dtype: dict = field(default_factory=dict)
    examples: int = 0

    @property
    def found(self) -> bool:
        return bool(self.counterexamples)

    def as_dict(self) -> dict:
        return {"config": self.config, "examples_per_property": self.examples,
                "counterexamples": [c.as_dict() for c in self.counterexamples],
                "worst_relative_error_by_dtype": {k: _sig(v) for k, v in self.worst_by_dtype.items()},
                "worst_relative_error_by_angle": [
                    {"dtype": d, "angles": b, "worst": _sig(v)}
                    for (d, b), v in sorted(self.worst_by_angle.items(), key=_bin_order)]}


def _sig(v: float) -> float:
    """Two significant digits: what a worst relative error carries."""
    return float(f"{v:.2g}") if math.isfinite(v) else v


def _bin_order(item):
    (d, b), _ = item
    labels = [bin_label(lo, hi) for lo, hi in zip(BIN_EDGES, BIN_EDGES[1:])]
    return d, labels.index(b) if b in labels else -1


class _Runner:
    """Calls the user's function on one input, compares, records the statistics."""

    def __init__(self, fn, kernel, cfg, dtype, ulps, result, array="numpy", device="cpu"):
        self.fn, self.kernel, self.cfg, self.dtype = fn, kernel, cfg, dtype
        self.array, self.device = array, device
        self.result = result
        self.e = eps_of(dtype)
        self.ulps = default_ulps(cfg["depth"]) if ulps is None else ulps

    def _call(self, X, Y):
        X, Y = X.astype(self.dtype), Y.astype(self.dtype)
        if self.array == "torch":
            import torch

            X, Y = (torch.tensor(A, device=self.device) for A in (X, Y))
        return to_numpy(self.fn(X, Y))

    def _record(self, X, Y, rel):
        from specbias.derive.ntk.kernels import angles

        th = angles(X, Y, np)[0]
        rel = np.asarray(rel).reshape(th.shape)
        w = self.result.worst_by_dtype
        finite = np.where(np.isfinite(rel), rel, np.inf)
        w[self.dtype] = max(w.get(self.dtype, 0.0), float(finite.max()))
        idx = np.clip(np.searchsorted(BIN_EDGES, th.ravel(), side="right") - 1, 0, len(BIN_EDGES) - 2)
        for k, r in zip(idx, finite.ravel()):
            key = (self.dtype, bin_label(BIN_EDGES[k], BIN_EDGES[k + 1]))
            self.result.worst_by_angle[key] = max(self.result.worst_by_angle.get(key, 0.0), float(r))

    def entries(self, X, Y) -> str | None:
        """None if fn(X, Y) matches the reference, else the oracle's message."""
        X, Y = X.astype(self.dtype).astype(np.float64), Y.astype(self.dtype).astype(np.float64)
        try:
            got = self._call(X, Y)
        except Exception as exc:  # the user's code raising is a finding, not our crash
            return f"the function raised {type(exc).__name__}: {exc}\n" + traceback.format_exc(limit=2)
        ref = kernel_reference(X, Y, kernel=self.kernel, **self.cfg)
        if got.shape != ref.shape:
            return f"the function returned shape {got.shape} for inputs {X.shape} and {Y.shape}: expected {ref.shape}"
        r = self.ulps * self.e
        scale = entry_scale(X, Y, kernel=self.kernel, **self.cfg)
        c = _compare(self.kernel, got, ref, self.dtype, r, r, lambda k: divmod(k, ref.shape[1]), scale)
        self._record(X, Y, c.rel_errors)
        if c.passed:
            return None
        from specbias.testing.oracles import _config_text, _kernel_message

        return _kernel_message(c, _config_text(self.kernel, **self.cfg), X, Y)

    def symmetry(self, X, Y) -> str | None:
        X, Y = X.astype(self.dtype).astype(np.float64), Y.astype(self.dtype).astype(np.float64)
        try:
            A, B = self._call(X, Y), self._call(Y, X)
        except Exception as exc:
            return f"the function raised {type(exc).__name__}: {exc}"
        if not (np.isfinite(A).all() and np.isfinite(B).all()):
            return "K(X, Y) or K(Y, X) has NaN or infinite entries"
        tol = self.ulps * self.e * max(float(np.max(np.abs(A))), 1e-300)
        d = np.abs(A - B.T)
        if np.all(d <= tol):
            return None
        i, j = np.unravel_index(int(np.argmax(d)), d.shape)
        return (f"K(X, Y) != K(Y, X)^T: entry ({i}, {j}) is {A[i, j]!r} one way and {B[j, i]!r} "
                f"the other (tolerance {tol:.2g})")

    def psd(self, X, _Y) -> str | None:
        X = X.astype(self.dtype).astype(np.float64)
        try:
            assert_psd(self._call(X, X), dtype=self.dtype, ulps=self.ulps)
        except OracleFailure as exc:
            return str(exc)
        except Exception as exc:
            return f"the function raised {type(exc).__name__}: {exc}"
        return None


def _strategy(prop: str, dim: int):
    pairs = sts.angle_pairs(dim, max_norm_ratio=4.0).map(lambda p: p.stacked())
    if prop == "pairs":
        return pairs
    if prop == "diagonal":
        return sts.unit_vectors(dim).flatmap(
            lambda x: sts.norms(4.0).map(lambda r: ((r * x)[None, :], (r * x)[None, :])))
    sets = sts.point_sets(2, 5, dim)
    if prop == "symmetry":
        return sets.flatmap(lambda X: sts.point_sets(1, 4, dim).map(lambda Y: (X, Y)))
    return sets.map(lambda X: (X, X))


def search_kernel(fn, *, kernel: str = "ntk", activation: str = "relu", depth: int = 1,
                  weight_var: float = 2.0, bias_var: float = 0.0, parametrization: str = "ntk",
                  dtypes=("float64",), dim: int = 3, examples: int = 100, seed: int = 0,
                  ulps: float | None = None, properties=PROPERTIES, progress=None,
                  array: str = "numpy", device: str = "cpu") -> SearchResult:
    """Search each property for a failing input of ``fn(X, Y)``; shrink what is found.

    ``array="torch"`` hands fn torch tensors on ``device`` (cpu or cuda) instead of NumPy
    arrays; results may be NumPy, torch (any device) or JAX arrays."""
    from specbias.derive.ntk.certified import _Config

    _Config(kernel, activation, depth, weight_var, bias_var, parametrization)  # validates
    require(array in ARRAYS, f"array type {array!r} is unknown: use one of {', '.join(ARRAYS)}")
    require(device in ("cpu", "cuda"), f"device {device!r} is unknown: use cpu or cuda")
    if device == "cuda":
        import torch

        require(array == "torch", "device cuda needs array torch: use --array torch")
        require(torch.cuda.is_available(), "device cuda was asked for but torch sees no GPU: "
                "use --device cpu")
    cfg = dict(activation=activation, depth=depth, weight_var=float(weight_var),
               bias_var=float(bias_var), parametrization=parametrization)
    result = SearchResult({"kernel": kernel, **cfg, "dtypes": list(dtypes), "dim": dim,
                           "seed": seed}, examples=examples)
    opts = settings(max_examples=examples, deadline=None, database=None,
                    phases=[Phase.generate, Phase.shrink], report_multiple_bugs=False,
                    suppress_health_check=list(HealthCheck))
    for dtype in dtypes:
        for prop in properties:
            runner = _Runner(fn, kernel, cfg, dtype, ulps, result, array, device)
            check = {"symmetry": runner.symmetry, "psd": runner.psd}.get(prop, runner.entries)
            try:
                X, Y = find(_strategy(prop, dim), lambda xy: check(*xy) is not None,
                            settings=opts, random=random.Random(seed))
            except NoSuchExample:
                X = None
            if X is not None:
                result.counterexamples.append(Counterexample(prop, dtype, check(X, Y),
                                                             {"X": X, "Y": Y}))
            if progress:
                progress()
    return result


__all__ = ["ARRAYS", "BIN_EDGES", "Counterexample", "PROPERTIES", "SearchResult", "search_kernel"]
