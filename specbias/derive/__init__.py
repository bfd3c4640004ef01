"""The theory: SymPy closed forms and their high-precision evaluation (never torch).

Grouped by subject:

``gram``    the continuous Gram operator of the ReLU^P basis on an interval: its kernel, the
            eigen-ODE and characteristic equation, eigenvalues and eigenfunctions, Galerkin,
            the distributional identities behind it;
``matrix``  finite Gram matrices: knot rules, the B-spline congruence, banded LDLᵀ inertia in
            gmpy2 and in compiled double-double/quad-double arithmetic, certified spectra,
            precision cutoffs;
``ntk``     arc-cosine dual activations, the NNGP/NTK recursion, deviations, the fused kernel;
``ball``    the kernel of σ(w·x − b) on the unit ball and its spectrum;
``dynamics`` the Poisson problem and κ of the Rashomon bound, var(g) and RKHS norms for Monte
            Carlo and random features, the mean-square multiplier of SGD on a quadratic.

Parameter checks, the whitelist formula parser and the cache live in :mod:`specbias.support`.
"""
