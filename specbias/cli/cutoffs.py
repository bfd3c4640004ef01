"""``specbias cutoffs``: the theory table k_d = eps^(-1/(d+3)), or measured cutoffs of a Gram matrix."""

from __future__ import annotations

from pathlib import Path

from specbias.cli.common import int_arg, print_json, progress_bar
from specbias.derive.matrix.cutoffs import EPS, check_dims, check_dtypes, cutoff_table
from specbias.derive.matrix.knots import knots as make_knots
from specbias.support.params import check_count, check_power
from specbias.records import line_plot
from specbias.verify.precision import SOLVER_DTYPES, gram_cutoffs


def register(sub) -> None:
    p = sub.add_parser("cutoffs", help="precision cutoffs: theory table or measured on a Gram matrix")
    p.add_argument("--dims", default="1,2,3,10", help="dimensions d for the theory table")
    p.add_argument("--gram", action="store_true", help="measure on the ReLU^P Gram matrix instead")
    p.add_argument("--n", type=int_arg, default=200, help="matrix size for --gram (default 200)")
    p.add_argument("--power", type=int_arg, default=1, help="P for --gram (default 1)")
    p.add_argument("--knots", default="uniform", help="knot rule for --gram (default uniform)")
    p.add_argument("--dtypes", default=None,
                   help="comma list; theory: float16,bfloat16,float32,float64; --gram: float32,float64")
    p.add_argument("--plot", default=None, help="--gram: write rel. error vs k to PATH(.png/.pdf)")
    p.add_argument("--json", action="store_true", help="print JSON")
    p.set_defaults(handler=_run)
    from specbias.cli.cutoffs_kernel import register as register_kernel

    register_kernel(p.add_subparsers(dest="cutoffs_mode", metavar="MODE", parser_class=type(p)))


def _run(args) -> int:
    if not args.gram:
        rows = cutoff_table(check_dims(args.dims), check_dtypes(args.dtypes or list(EPS)))
        if args.json:
            print_json({"convention": "eps = machine epsilon (2^(1-p))", "rows": rows})
        else:
            print("dtype     eps        d   k_d = eps^(-1/(d+3))   ~modes eps^(-d/(d+3))")
            for r in rows:
                print(f"{r['dtype']:9} {r['eps']:10} {r['d']:3} {r['k_d']:>14} = {r['k_d_decimal']:>9}"
                      f"   {r['modes']}")
        return 0
    n = check_count(args.n, 20_000, "number of knots N")
    dtypes = check_dtypes(args.dtypes or "float32,float64", SOLVER_DTYPES)
    kn = make_knots(args.knots, n, 20)
    with progress_bar(n, "reference") as update:
        out = gram_cutoffs(kn, check_power(args.power), dtypes, progress=update)
    if args.plot:
        series = [{"label": f"{r['dtype']} ({r['backend']})", "x": list(range(1, n + 1)),
                   "y": [max(v, 1e-17) for v in r["rel_err"]], "style": "-"} for r in out["results"]]
        spec = line_plot(Path(args.plot).stem, series, xlabel="k", ylabel="relative error of lambda_k",
                         xscale="log", yscale="log", title=f"Gram matrix, N = {n}, ReLU^{args.power}")
        from specbias.reports.figures import draw

        draw(spec, Path(args.plot).parent if Path(args.plot).parent != Path("") else Path("."))
    if args.json:
        print_json(out)
        return 0
    print(f"# Gram matrix N = {n}, ReLU^{args.power}, knots {args.knots}; reference 20 digits")
    print("dtype    backend      first k with rel. error > 1%, 50%, 100%")
    for r in out["results"]:
        c = r["cutoffs"]
        print(f"{r['dtype']:8} {r['backend']:12} {c['0.01']}, {c['0.5']}, {c['1.0']}")
    return 0
