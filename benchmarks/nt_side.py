"""The neural-tangents side of bench_ntk.py; runs in its own environment (JAX, float64).

Reads a JSON job from argv[1], writes kernels as .npy and timings as JSON next to it. Job keys:
the inputs X, T, E (.npy paths), ``names`` (which of X, T to time; both by default),
``empirical`` (time the empirical NTK on E too; default true), depth, width, w_std, b_std, repeats.
"""

import json
import sys
import time

import jax

jax.config.update("jax_enable_x64", True)
import jax.numpy as jnp  # noqa: E402
import numpy as np  # noqa: E402
import neural_tangents as nt  # noqa: E402
from neural_tangents import stax  # noqa: E402

job = json.load(open(sys.argv[1]))
out = job["out"]
layers = []
for _ in range(job["depth"]):
    layers += [stax.Dense(job["width"], W_std=job["w_std"], b_std=job["b_std"]), stax.Relu()]
init_fn, apply_fn, kernel_fn = stax.serial(*layers, stax.Dense(1, W_std=job["w_std"], b_std=job["b_std"]))
kernel_fn = jax.jit(kernel_fn, static_argnames="get")
res = {"jax": jax.__version__, "neural_tangents": nt.__version__, "device": str(jax.devices()[0])}
for name in job.get("names", ("X", "T")):
    X = jnp.asarray(np.load(job[name]))
    kernel_fn(X, X, "ntk").block_until_ready()  # compile
    best = float("inf")
    for _ in range(job["repeats"]):
        t = time.perf_counter()
        K = kernel_fn(X, X, "ntk").block_until_ready()
        best = min(best, time.perf_counter() - t)
    res[f"analytic_{name}_seconds"] = best
    np.save(f"{out}/nt_{name}.npy", np.asarray(K))
if not job.get("empirical", True):
    json.dump(res, open(f"{out}/nt.json", "w"))
    sys.exit()
# empirical NTK of a finite network of the same architecture
E = jnp.asarray(np.load(job["E"]))
_, params = init_fn(jax.random.PRNGKey(0), E.shape)
ntk_fn = jax.jit(nt.empirical_ntk_fn(apply_fn, trace_axes=(), vmap_axes=0))
ntk_fn(E, None, params).block_until_ready()
best = float("inf")
for _ in range(job["repeats"]):
    t = time.perf_counter()
    ntk_fn(E, None, params).block_until_ready()
    best = min(best, time.perf_counter() - t)
res["empirical_seconds"] = best
json.dump(res, open(f"{out}/nt.json", "w"))
