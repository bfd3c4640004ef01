"""Sweeps: experiments as seeded functions of a config, run over a product grid on any executor.

- :mod:`~specbias.verify.sweep.registry`: :class:`Experiment`, :func:`register`, :func:`get`,
  :func:`experiments` and :data:`EXPERIMENT_MODULES` (imported lazily).
- :mod:`~specbias.verify.sweep.config`: :func:`resolve`, a profile's defaults overridden by grid
  values (text coerced to the default's type), as the product grid of resolved configs.
- :mod:`~specbias.verify.sweep.store`: the content-addressed store of finished runs.
- :mod:`~specbias.verify.sweep.executors`: serial, a forkserver process pool, a dask cluster.
- :mod:`~specbias.verify.sweep.runner`: :func:`~specbias.verify.sweep.runner.run_sweep`
  (reuse, resume, retries of lost workers).
- :mod:`~specbias.verify.sweep.summary`: the summary table and figures of a sweep.
- :mod:`~specbias.verify.sweep.demo`: a cheap NumPy experiment for tests, benchmarks and users.

Only the registry and config resolution are imported here (they are light); import the
runner from its module.
"""

from specbias.verify.sweep.config import resolve, resolve_one, swept_keys
from specbias.verify.sweep.registry import (EXPERIMENT_MODULES, Experiment, experiments, get,
                                            register)

__all__ = ["EXPERIMENT_MODULES", "Experiment", "experiments", "get", "register", "resolve",
           "resolve_one", "swept_keys"]
