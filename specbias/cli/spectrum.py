"""``specbias spectrum gram``: every eigenvalue of a ReLU^P Gram matrix, certified, to D digits."""

from __future__ import annotations

from specbias.cli.common import int_arg, print_json, progress_bar
from specbias.derive.matrix.knots import knots as make_knots
from specbias.derive.matrix.spectrum import GUARD, gram_matrix_spectrum
from specbias.support.params import check_count, check_dps, check_power
from specbias.errors import require


def register(sub) -> None:
    p = sub.add_parser("spectrum", help="all eigenvalues of a finite matrix, certified")
    which = p.add_subparsers(dest="what", metavar="WHAT", parser_class=type(p))
    g = which.add_parser("gram", help="lambda_k of G_ij = G_P(b_i, b_j) on (-1, 1)")
    g.add_argument("--power", type=int_arg, required=True, help="P in sigma_P = max(0,t)^P (0..6)")
    g.add_argument("--n", type=int_arg, required=True, help="number of knots N (matrix size)")
    g.add_argument("--knots", default="uniform",
                   help="uniform | random:SEED | chebyshev | adaptive:EXPR | list:V1,V2,...")
    g.add_argument("--dps", type=int_arg, default=30, help="decimal digits, 5..50 (default 30)")
    g.add_argument("--vectors", type=int_arg, default=0, help="also K leading eigenvectors")
    g.add_argument("--arithmetic", choices=("auto", "mpfr"), default="auto",
                   help="auto: compiled double-double/quad-double sweeps when 62 digits suffice "
                        "(else gmpy2); mpfr: always gmpy2 with float64 starts (slower)")
    g.add_argument("--no-cache", action="store_true", help="neither read nor write the cache")
    g.add_argument("--json", action="store_true", help="print JSON")
    g.set_defaults(handler=_gram)
    p.set_defaults(handler=lambda args: p.print_help() or 2)


def _gram(args) -> int:
    check_power(args.power)
    n = check_count(args.n, 100_000, "number of knots N")
    dps = check_dps(args.dps)
    require(dps <= 50, f"dps {dps} is too large for a matrix spectrum: use 5..50")
    require(0 <= args.vectors <= n, f"vectors {args.vectors} must be between 0 and N = {n}")
    kn = make_knots(args.knots, n, dps)
    with progress_bar(n, "eigenvalues") as update:
        spec = gram_matrix_spectrum(args.power, kn, dps=dps, vectors=args.vectors,
                                    progress=update, use_cache=not args.no_cache,
                                    arithmetic=args.arithmetic)
    cert = spec.extras["certificate"]
    if args.json:
        print_json(dict(spec.to_json(), knots=[str(v) for v in kn.values]))
        return 0
    print(f"# {spec.description}\n# method: {spec.method}; {spec.digits} digits")
    for k, v in enumerate(spec.values, start=1):
        print(f"lambda_{k} = {v}")
    bracket = "exact" if cert.bracket_digits is None else f"1e-{cert.bracket_digits}"
    print(f"# certified (inertia counts bracket each value within relative {bracket}): "
          f"{cert.count}/{len(spec.values)}")
    if cert.growth_digits is not None:
        print(f"# pivot growth (measured): 10^{cert.growth_digits:.1f}; the error model "
              f"allows 10^{GUARD}")
    for k, vec in enumerate(spec.extras.get("vectors", []), start=1):
        print(f"v_{k} = [{', '.join(vec)}]")
    return 0
