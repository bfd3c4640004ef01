"""specbias: a symbolic-numeric derivation and verification engine for spectral-bias theory.

Layers (imports run one way only)::

    cli -> reports -> claims -> verify -> derive

``derive`` is pure mathematics (SymPy, mpmath, NumPy); ``verify`` measures
floating-point and PyTorch computations against it; ``claims`` holds the audits
of ``CLAIMS.md``; ``reports`` renders their verdicts.
"""

import os

# python-flint (a dependency: certified references) would switch SymPy's integer backend
# silently; pin it, as the Makefile does, unless the user chose one.
os.environ.setdefault("SYMPY_GROUND_TYPES", "python")

from specbias.errors import InvalidArgument  # noqa: E402

__all__ = ["InvalidArgument", "__version__"]
__version__ = "0.1.0"
