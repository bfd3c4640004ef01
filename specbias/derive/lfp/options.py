"""Choices of the LFP commands, in a light module (no SymPy, NumPy or torch) for the CLI.

The library takes its tuples from here too (multiplier.ACTIVATIONS, verify.lfp.REGIMES), so the
command line and the library cannot drift apart.
"""

#: Activations with an LFP derivation.
ACTIVATIONS = ("relu", "tanh")
#: Initializations of the LFP network by the spline they lead to (claim L4).
REGIMES = ("cubic", "linear")
#: Largest input dimension of the symbolic d-dimensional report.
MAX_DIM = 64
#: Largest width of ``verify lfp`` (the NTK on its 401-point grid holds 401 x 6 x width doubles: 2 GB at 2^17).
MAX_WIDTH = 1 << 17
#: Most training points of ``verify lfp``'s rate experiment.
MAX_POINTS = 256
