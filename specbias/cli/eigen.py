"""``specbias eigen gram``: the largest eigenvalues of the Gram operator to many digits."""

from __future__ import annotations

import mpmath

from specbias.cli.common import int_arg, print_json, progress_bar
from specbias.derive.gram.spectrum import gram_eigenvalues
from specbias.support.params import check_count, check_dps


def register(sub) -> None:
    p = sub.add_parser("eigen", help="high-precision eigenvalues of a continuous operator")
    which = p.add_subparsers(dest="what", metavar="WHAT", parser_class=type(p))
    g = which.add_parser("gram", help="mu_k of f -> int G_P(x,y) f(y) dy (characteristic roots)")
    g.add_argument("--power", type=int_arg, required=True, help="P in sigma_P = max(0,t)^P (0..6)")
    g.add_argument("--interval", default="-1,1", help="A,B with A < B (default -1,1)")
    g.add_argument("--count", type=int_arg, default=10, help="how many eigenvalues (default 10)")
    g.add_argument("--dps", type=int_arg, default=30, help="decimal digits, 5..200 (default 30)")
    g.add_argument("--json", action="store_true", help="print JSON")
    g.set_defaults(handler=_gram)
    p.set_defaults(handler=lambda args: p.print_help() or 2)


def _gram(args) -> int:
    check_count(args.count, 2000), check_dps(args.dps)
    with progress_bar(args.count, "roots") as update:
        spec = gram_eigenvalues(args.power, args.interval, args.count, args.dps,
                                progress=update)
    if args.json:
        print_json(spec.to_json())
        return 0
    asym = spec.extras["asymptotic"]
    cert = spec.extras["certificate"]
    print(f"# {spec.description}\n# method: {spec.method}; {spec.digits} digits")
    for k, v in enumerate(spec.values, start=1):
        print(f"mu_{k} = {v}")
    print(f"# asymptotics: mu_k ~ {asym.constant} (k - {asym.k0})^(-{asym.exponent})")
    print(f"# trace identity residual / mu_K = {mpmath.nstr(cert.residual_over_mu_k, 5)}; "
          f"max Newton correction = {mpmath.nstr(cert.newton_max, 5)}")
    return 0
