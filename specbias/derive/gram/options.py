"""Bounds of the continuous Gram operator code, in a light module (no SymPy or mpmath) so that
the command line can check them without importing the mathematics."""

#: Most eigenvalues :func:`specbias.derive.gram.spectrum.gram_eigenvalues` computes.
MAX_COUNT = 2000
