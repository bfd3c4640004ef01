"""Sweeps: experiments as seeded functions of a config, run over a product grid on any executor.

- :mod:`~specbias.verify.sweep.registry`: :class:`Experiment`, :func:`register`, :func:`get`,
  :func:`experiments` and :data:`EXPERIMENT_MODULES` (imported lazily).
- :mod:`~specbias.verify.sweep.config`: :func:`resolve`, a profile's defaults overridden by grid
  values (text coerced to the default's type), as the product grid of resolved configs.
- :mod:`~specbias.verify.sweep.demo`: a cheap NumPy experiment for tests, benchmarks and users.
"""

from specbias.verify.sweep.config import resolve, resolve_one, swept_keys
from specbias.verify.sweep.registry import (EXPERIMENT_MODULES, Experiment, experiments, get,
                                            register)

__all__ = ["EXPERIMENT_MODULES", "Experiment", "experiments", "get", "register", "resolve",
           "resolve_one", "swept_keys"]
