"""Serve neural-tangents' analytic kernels to benchmarks/check_neural_tangents.py; runs in the
neural-tangents environment (``make bench-nt-env``), float64 enabled.

Protocol on stdin/stdout, one request at a time: a JSON line {"config": {...}, "n", "m", "d",
"dtype"}, then n*d and m*d little-endian floats of that dtype (X, Y); the answer is a JSON
line {"ok": true, "dtype"} followed by n*m float64 (the kernel), or {"ok": false, "error"}.
config: activation (relu, relu2, erf), depth, weight_var, bias_var, parametrization,
kernel (ntk or nngp). The same network as specbias's: depth x [Dense(W_std, b_std), act],
then Dense(1, W_std, b_std).
"""

import json
import sys

import jax

jax.config.update("jax_enable_x64", True)
import jax.numpy as jnp  # noqa: E402
import numpy as np  # noqa: E402
import neural_tangents as nt  # noqa: E402
from neural_tangents import stax  # noqa: E402

_CACHE = {}


def activation(name):
    if name == "relu":
        return stax.Relu()
    if name == "erf":
        return stax.Erf()
    if name == "relu2":
        return stax.RectifiedMonomial(2)
    raise ValueError(f"activation {name} not served")


def kernel_fn(cfg):
    key = json.dumps(cfg, sort_keys=True)
    if key not in _CACHE:
        w, b = cfg["weight_var"] ** 0.5, cfg["bias_var"] ** 0.5
        layers = []
        for _ in range(cfg["depth"]):
            layers += [stax.Dense(512, W_std=w, b_std=b, parameterization=cfg["parametrization"]),
                       activation(cfg["activation"])]
        _, _, fn = stax.serial(*layers, stax.Dense(1, W_std=w, b_std=b,
                                                    parameterization=cfg["parametrization"]))
        _CACHE[key] = jax.jit(fn, static_argnames="get")
    return _CACHE[key]


def main():
    out = sys.stdout.buffer
    out.write((json.dumps({"jax": jax.__version__, "neural_tangents": nt.__version__}) + "\n").encode())
    out.flush()
    inp = sys.stdin.buffer
    while True:
        line = inp.readline()
        if not line:
            return
        req = json.loads(line)
        dt = np.dtype(req["dtype"])
        n, m, d = req["n"], req["m"], req["d"]
        X = np.frombuffer(inp.read(n * d * dt.itemsize), dtype=dt).reshape(n, d)
        Y = np.frombuffer(inp.read(m * d * dt.itemsize), dtype=dt).reshape(m, d)
        try:
            K = kernel_fn(req["config"])(jnp.asarray(X), jnp.asarray(Y), req["config"]["kernel"])
            K = np.asarray(K, dtype=np.float64)
            out.write((json.dumps({"ok": True}) + "\n").encode())
            out.write(K.astype("<f8").tobytes())
        except Exception as exc:  # report, keep serving
            out.write((json.dumps({"ok": False, "error": f"{type(exc).__name__}: {exc}"}) + "\n").encode())
        out.flush()


if __name__ == "__main__":
    main()
