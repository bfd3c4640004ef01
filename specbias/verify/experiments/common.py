"""What the experiment runners share: config checks, seeded networks, the training loop,
per-frequency errors (DFT of residuals), first-crossing and halving times.

Every runner is a module-level function ``run(config) -> dict`` of a *resolved* config (every
key present). The checks here turn a bad value into :class:`~specbias.errors.InvalidArgument`
naming the key, the value and the fix; numbers may arrive as numeric strings (from the sweep
command line) and are parsed with :class:`fractions.Fraction`, never evaluated.
"""

from __future__ import annotations

import contextlib
import math
import sys
from fractions import Fraction
from typing import Callable, Iterable, Mapping

import numpy as np
import torch

from specbias.errors import InvalidArgument, require
from specbias.verify.models import check_dtype, resolve_device


# ------------------------------------------------------------------------------ config checks

class Config:
    """Typed access to a resolved config; every getter names the key in its error message."""

    def __init__(self, config: Mapping, experiment: str):
        if not isinstance(config, Mapping):
            raise InvalidArgument(f"config {config!r} of {experiment} must be a mapping of keys "
                                  "to values")
        self.raw, self.experiment = dict(config), experiment

    def _get(self, key: str):
        if key not in self.raw:
            raise InvalidArgument(f"{self.experiment}: config lacks key {key!r}: pass every key of "
                                  "the profile (see 'specbias sweep --list')")
        return self.raw[key]

    def number(self, key: str, lo: float | None = None, hi: float | None = None,
               open_lo: bool = False) -> float:
        v = self._get(key)
        try:
            x = float(Fraction(v.strip())) if isinstance(v, str) else float(v)
        except (ValueError, TypeError, ZeroDivisionError):
            raise InvalidArgument(f"{self.experiment}: {key}={v!r} is not a number: use e.g. "
                                  "0.001, 1/3 or 200") from None
        require(isinstance(v, (str, int, float)) and not isinstance(v, bool) and math.isfinite(x),
                f"{self.experiment}: {key}={v!r} is not a finite number")
        below = x <= lo if (lo is not None and open_lo) else (lo is not None and x < lo)
        require(not below and (hi is None or x <= hi),
                f"{self.experiment}: {key}={v!r} is out of range: use a value in "
                f"{'(' if open_lo else '['}{lo}, {hi if hi is not None else 'inf'}]")
        return x

    def integer(self, key: str, lo: int = 0, hi: int | None = None) -> int:
        x = self.number(key, lo, hi)
        require(x == int(x), f"{self.experiment}: {key}={self.raw[key]!r} must be an integer")
        return int(x)

    def choice(self, key: str, options: Iterable[str]) -> str:
        v, options = self._get(key), tuple(options)
        require(v in options, f"{self.experiment}: {key}={v!r} is unknown: use one of "
                f"{', '.join(options)}")
        return v

    def device(self) -> torch.device:
        return resolve_device(self.choice("device", ("cpu", "cuda", "auto")))

    def dtype(self) -> torch.dtype:
        return check_dtype(self.choice("dtype", ("float32", "float64")))

    def seed(self) -> int:
        return self.integer("seed", 0, 2 ** 31 - 1)


@contextlib.contextmanager
def torch_threads(n: int = 1):
    """Run torch and NumPy's BLAS on ``n`` threads, then restore the previous counts. The runners
    train small networks and solve small least-squares problems, which one thread runs fastest
    (and the same way every time) on a shared machine; a sweep gives each worker its own
    process and the parallelism comes from there."""
    from threadpoolctl import threadpool_limits

    before = torch.get_num_threads()
    torch.set_num_threads(n)
    try:
        with threadpool_limits(limits=n):
            yield
    finally:
        torch.set_num_threads(before)


def progress_bar(total: int, desc: str):
    """A tqdm bar on stderr, off when stderr is not a terminal (sweeps run many in parallel)."""
    from tqdm import tqdm

    return tqdm(total=total, desc=desc, disable=not sys.stderr.isatty(), leave=False)


# ------------------------------------------------------------------------------ networks

def uniform_init(shape, fan_in: int, generator: torch.Generator) -> torch.Tensor:
    """U(−1/√fan_in, 1/√fan_in): PyTorch's default for nn.Linear weights (kaiming_uniform with
    a = √5) and biases, drawn from an explicit generator in float64."""
    bound = 1 / math.sqrt(fan_in)
    return (torch.rand(shape, generator=generator, dtype=torch.float64) * 2 - 1) * bound


def mlp(widths: list[int], activation: Callable, seed: int, dtype: torch.dtype,
        device: torch.device) -> torch.nn.Sequential:
    """Fully connected net widths[0] → … → widths[-1] with PyTorch's default initialization,
    seeded; ``activation`` (a module) between the layers, none after the last."""
    g = torch.Generator(device="cpu").manual_seed(seed)
    layers: list[torch.nn.Module] = []
    for i, (fan_in, fan_out) in enumerate(zip(widths, widths[1:])):
        lin = torch.nn.Linear(fan_in, fan_out, dtype=dtype, device=device)
        with torch.no_grad():
            lin.weight.copy_(uniform_init((fan_out, fan_in), fan_in, g))
            lin.bias.copy_(uniform_init((fan_out,), fan_in, g))
        layers.append(lin)
        if i < len(widths) - 2:
            layers.append(activation())
    return torch.nn.Sequential(*layers)


def optimizer(name: str, params, lr: float) -> torch.optim.Optimizer:
    """Full-batch ``gd`` (torch SGD without momentum) or ``adam`` (PyTorch defaults)."""
    if name == "gd":
        return torch.optim.SGD(params, lr=lr)
    if name == "adam":
        return torch.optim.Adam(params, lr=lr)
    raise InvalidArgument(f"optimizer {name!r} is unknown: use gd or adam")


def train_loop(opt: torch.optim.Optimizer, forward: Callable, steps: int, desc: str,
               observe: Callable) -> int:
    """Full-batch training: at every step 0..``steps``, ``forward()`` returns (output, loss),
    ``observe(step, output, loss)`` records what it wants and returns True to stop; then one
    optimizer step. Returns the last step observed."""
    bar = progress_bar(steps, desc)
    try:
        for step in range(steps + 1):
            out, loss = forward()
            if observe(step, out, loss) or step == steps:
                return step
            opt.zero_grad()
            loss.backward()
            opt.step()
            bar.update()
    finally:
        bar.close()
    return steps


def every(period: int, last: int) -> Callable[[int], bool]:
    """The recording rule: steps divisible by ``period``, and the ``last`` step."""
    return lambda step: step % period == 0 or step == last


# ------------------------------------------------------------------------------ spectra of residuals

def dft_amplitudes(samples: np.ndarray, bins: Iterable[int]) -> np.ndarray:
    """2|Σ_j v_j e^{−2πi k j/N}|/N at the integer ``bins`` k (last axis: N samples on a uniform
    periodic grid), i.e. the amplitude A of a component A sin(2πkj/N + φ)."""
    v = np.asarray(samples, float)
    spec = np.fft.rfft(v, axis=-1)
    return 2 * np.abs(spec[..., list(bins)]) / v.shape[-1]


def fourier_projector(n: int, bins: Iterable[int]) -> np.ndarray:
    """The rows e^{−2πi k j/N}·2/N for ``bins``: ``P @ v`` gives the complex amplitudes that
    :func:`dft_amplitudes` takes the modulus of, for tracking a few modes every step cheaply."""
    j = np.arange(n)
    return np.stack([2 * np.exp(-2j * np.pi * k * j / n) / n for k in bins])


def first_crossing(times, values, threshold: float, below: bool = True):
    """The first of ``times`` at which ``values`` is ≤ ``threshold`` (≥ when ``below`` is
    False), or None when it never is (a censored time)."""
    for t, v in zip(times, values):
        if (v <= threshold) if below else (v >= threshold):
            return t
    return None


def halving_time(times, errors):
    """First time at which the error is at most half its initial value (None if never)."""
    return first_crossing(times[1:], errors[1:], 0.5 * errors[0])


def as_list(a, digits: int | None = None) -> list:
    """A JSON-able list of floats (NaN/inf become None), rounded to ``digits`` significant
    digits when given (results carry what was measured, not float noise)."""
    out = []
    for x in np.asarray(a, float).ravel().tolist():
        if not math.isfinite(x):
            out.append(None)
        elif digits is not None and x != 0:
            out.append(float(f"{x:.{digits}g}"))
        else:
            out.append(x)
    return out


def environment(device: torch.device, dtype: torch.dtype) -> dict:
    """What a result records about where it ran (torch version, device, dtype)."""
    return {"torch": torch.__version__, "device": device.type, "dtype": str(dtype).split(".")[-1]}
