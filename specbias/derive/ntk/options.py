"""Names and bounds the NTK code accepts, in a light module (no SymPy, NumPy or torch) so that
the command line can offer them as ``choices=`` without importing the mathematics."""

#: Activations with derived dual kernels (:func:`specbias.derive.ntk.arccos.dual_activation`).
ACTIVATIONS = ("step", "relu", "relu2", "erf")
#: Activations with a finite NTK (the step's derivative is a delta: no tangent kernel).
NTK_ACTIVATIONS = ("relu", "relu2", "erf")
#: Deep parametrizations (:mod:`specbias.derive.ntk.kernels`).
PARAMETRIZATIONS = ("ntk", "standard")
#: Two-layer parametrizations of the seeds.
TWO_LAYER = ("arora", "basri", "random-features")
#: Hidden layers the numerical recursion accepts.
MAX_DEPTH = 1000
#: Hidden layers the symbolic derivation accepts: its unrolled Theta has (L+1)(L+2)/2 factors,
#: so L = 100 prints about 150 kB in 2 s; L = 500 would take 11 s and 3 MB.
MAX_DERIVE_DEPTH = 100
