"""``specbias lstsq``: least-squares fit of a target by a ReLU or hat basis; MAX and MSE."""

from __future__ import annotations

from specbias.cli.common import (announce, command, emit, float_in, int_in, json_option,
                                 seed_option)
from specbias.verify.options import (LSTSQ_BASES, LSTSQ_DTYPES, LSTSQ_KNOTS, LSTSQ_SOLVERS,
                                     MAX_DESIGN_ENTRIES, MAX_LSTSQ_N, MAX_LSTSQ_SAMPLES,
                                     check_design_size, design_shape, lstsq_seconds)


def register(sub) -> None:
    p = command(sub, "lstsq", "least-squares fit by a ReLU or hat basis (MAX, MSE)",
                parents=[seed_option("the data noise"), json_option()])
    p.add_argument("--target", required=True, metavar="EXPR",
                   help="formula in x, e.g. 'atan(25*x)' (whitelist parser, never evaluated)")
    p.add_argument("--n", type=int_in(1, MAX_LSTSQ_N, "n"), required=True,
                   help=f"number of biases / knots, 1..{MAX_LSTSQ_N} (design matrix at most "
                        f"{MAX_DESIGN_ENTRIES:.0e} entries)")
    p.add_argument("--basis", choices=LSTSQ_BASES, default="relu", help="default relu")
    p.add_argument("--knots", choices=LSTSQ_KNOTS, default="uniform", help="default uniform")
    p.add_argument("--dtype", choices=LSTSQ_DTYPES, default="float64", help="default float64")
    p.add_argument("--solver", choices=LSTSQ_SOLVERS, default="lstsq",
                   help="lstsq (SVD, default) or normal (the Gram matrix, G^-1 f)")
    p.add_argument("--samples", type=int_in(1, MAX_LSTSQ_SAMPLES, "samples"), default=None,
                   help=f"sample points, 1..{MAX_LSTSQ_SAMPLES} (default 10 n, at least 2000)")
    p.add_argument("--noise", type=float_in(0.0, 1e100, "noise"), default=0.0, metavar="S",
                   help="standard deviation of Gaussian noise on the data (default 0)")
    p.set_defaults(handler=_run)


def _run(args) -> int:
    from specbias.verify.lstsq import fit

    check_design_size(args.n, args.samples)
    announce(lstsq_seconds(*design_shape(args.n, args.samples), args.solver),
             f"the {args.solver} fit with n = {args.n}")
    out = fit(args.target, args.n, args.basis, args.knots, args.dtype, args.solver,
              args.samples, noise=args.noise, seed=args.seed)
    return emit(args, out, f"{args.basis} {args.knots} n={args.n} {args.dtype} {args.solver}: "
                           f"MAX = {out['MAX']:.3e}  MSE = {out['MSE']:.3e}")
