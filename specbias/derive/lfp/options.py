"""Choices of the LFP commands, in a light module (no SymPy, NumPy or torch) for the CLI.

The library takes its tuples from here too (multiplier.ACTIVATIONS, verify.lfp.REGIMES), so the
command line and the library cannot drift apart.
"""

#: Activations with an LFP derivation.
ACTIVATIONS = ("relu", "tanh")
#: Initializations of the LFP network by the spline they lead to (claim L4).
REGIMES = ("cubic", "linear")
#: Devices the experiments run on.
DEVICES = ("cpu", "cuda", "auto")
#: Largest input dimension of the symbolic d-dimensional report.
MAX_DIM = 64
#: Largest width of ``verify lfp`` (memory of the NTKs on the evaluation grid: about 400 * width * 3 doubles).
MAX_WIDTH = 1 << 20
