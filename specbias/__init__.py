"""specbias: a symbolic-numeric derivation and verification engine for spectral-bias theory.

Layers (imports run one way only)::

    cli -> reports -> claims -> verify -> derive

``derive`` is pure mathematics (SymPy, mpmath, NumPy); ``verify`` measures
floating-point and PyTorch computations against it; ``claims`` holds the audits
of ``CLAIMS.md``; ``reports`` renders their verdicts.
"""

from specbias.errors import InvalidArgument

__all__ = ["InvalidArgument", "__version__"]
__version__ = "0.1.0"
