"""specbias.testing: property-based tests of other people's kernel and spectrum code.

* :mod:`specbias.testing.strategies`: Hypothesis strategies (points on spheres, pairs at
  controlled angles, Gram knots, densities on the circle, kernel configurations, dtypes);
* :mod:`specbias.testing.oracles`: ``assert_kernel_close``, ``assert_spectrum_close``,
  ``assert_psd`` against certified references;
* :mod:`specbias.testing.search`: the property search behind ``specbias check``;
* :mod:`specbias.testing.plugin`: the pytest plugin (profiles dev/ci/thorough, fixtures),
  registered through the ``pytest11`` entry point.

Attributes load lazily, so ``import specbias.testing`` (and the pytest plugin) stays light.
"""

from __future__ import annotations

import importlib

_LAZY = {
    "assert_kernel_close": "oracles", "assert_spectrum_close": "oracles", "assert_psd": "oracles",
    "OracleFailure": "oracles", "Comparison": "oracles", "kernel_reference": "oracles",
    "kernel_spectrum_reference": "oracles", "gram_spectrum_reference": "oracles",
    "operator_spectrum_reference": "oracles",
    "search_kernel": "search", "strategies": None, "oracles": None, "search": None,
}


def __getattr__(name: str):
    if name not in _LAZY:
        raise AttributeError(f"module 'specbias.testing' has no attribute {name!r}")
    module = importlib.import_module(f"specbias.testing.{_LAZY[name] or name}")
    return module if _LAZY[name] is None else getattr(module, name)


__all__ = sorted(_LAZY)
