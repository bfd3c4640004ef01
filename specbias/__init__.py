"""specbias: a symbolic-numeric derivation and verification engine for spectral-bias theory.

Layers (imports run one way only)::

    cli -> reports -> claims -> verify -> derive

``derive`` is pure mathematics (SymPy, mpmath, NumPy); ``verify`` measures
floating-point and PyTorch computations against it; ``claims`` holds the audits
of ``CLAIMS.md``; ``reports`` renders their verdicts.

The public API (:mod:`specbias.api`) is reachable from here, imported on first use, so that
``import specbias`` stays fast::

    >>> import specbias
    >>> specbias.gram_eigenvalues(1, count=2, dps=15).values
    ['1.29425090682853', '0.0329544384067152']
"""

import os

# python-flint (a dependency: certified references) would switch SymPy's integer backend
# silently; pin it, as the Makefile does, unless the user chose one.
os.environ.setdefault("SYMPY_GROUND_TYPES", "python")

from specbias import api as _api  # noqa: E402
from specbias.errors import InvalidArgument  # noqa: E402,F401

__version__ = "0.1.0"
__all__ = sorted(set(_api.PUBLIC) | {"__version__"})


def __getattr__(name: str):
    if name.startswith("__"):
        raise AttributeError(name)
    value = _api.load(name)
    globals()[name] = value
    return value


def __dir__() -> list[str]:
    return sorted(set(globals()) | set(_api.PUBLIC))
