"""``specbias lstsq``: least-squares fit of a target by a ReLU or hat basis; MAX and MSE."""

from __future__ import annotations

from specbias.cli.common import float_arg, int_arg, print_json
from specbias.verify.lstsq import fit


def register(sub) -> None:
    p = sub.add_parser("lstsq", help="least-squares fit by ReLU or hat basis (MAX, MSE)")
    p.add_argument("--target", required=True, help="formula in x, e.g. 'atan(25*x)'")
    p.add_argument("--n", type=int_arg, required=True, help="number of biases / knots")
    p.add_argument("--basis", default="relu", help="relu | hat")
    p.add_argument("--knots", default="uniform", help="uniform | adaptive")
    p.add_argument("--dtype", default="float64", help="float32 | float64")
    p.add_argument("--solver", default="lstsq", help="lstsq (SVD) | normal (Gram matrix)")
    p.add_argument("--samples", type=int_arg, default=None, help="sample points (default 10n)")
    p.add_argument("--noise", type=float_arg, default=0.0, help="std of Gaussian data noise")
    p.add_argument("--seed", type=int_arg, default=0, help="seed of the noise")
    p.add_argument("--json", action="store_true", help="print JSON")
    p.set_defaults(handler=_run)


def _run(args) -> int:
    out = fit(args.target, args.n, args.basis, args.knots, args.dtype, args.solver,
              args.samples, noise=args.noise, seed=args.seed)
    if args.json:
        print_json(out)
    else:
        print(f"{args.basis} {args.knots} n={args.n} {args.dtype} {args.solver}: "
              f"MAX = {out['MAX']:.3e}  MSE = {out['MSE']:.3e}")
    return 0
