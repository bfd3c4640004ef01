"""``specbias cutoffs theory|gram``: the theory table k_d = eps^(-1/(d+3)), or the cutoffs
measured on a Gram matrix. Other modules add ``cutoffs`` subcommands with
``group(sub, "cutoffs")`` (see :mod:`specbias.cli.common`)."""

from __future__ import annotations

from specbias.cli.common import (announce, arg_type, command, emit, group, json_option,
                                 knots_option, plot_option, power_option, progress_bar, save_plot)
from specbias.derive.matrix.options import (FLOAT_FORMATS, MAX_CUTOFF_N, MAX_DIM,
                                            spectrum_seconds)
from specbias.verify.options import SOLVER_DTYPES, dense_eigvalsh_seconds


def _names(allowed):
    """``type=`` for a comma list of names from ``allowed``."""

    def check(text: str) -> list[str]:
        from specbias.errors import InvalidArgument

        names = [t.strip() for t in text.split(",")]
        if not text.strip() or not all(names):
            raise InvalidArgument(f"dtypes {text!r} is not a comma-separated list: use e.g. "
                                  f"{','.join(allowed[-2:])}")
        for name in names:
            if name not in allowed:
                raise InvalidArgument(f"dtype {name!r} is unknown here: use one of "
                                      f"{', '.join(allowed)}")
        return list(dict.fromkeys(names))

    return arg_type(check, str, "dtypes")


def _dims(text: str) -> list[int]:
    from specbias.cli.common import parse_int
    from specbias.errors import InvalidArgument

    parts = [t.strip() for t in text.split(",")]
    if not text.strip() or not all(parts):
        raise InvalidArgument(f"dims {text!r} is not a comma-separated list: use e.g. 1,2,3,10")
    dims = [parse_int(t) for t in parts]
    for d in dims:
        if not 1 <= d <= MAX_DIM:
            raise InvalidArgument(f"dimension {d} is out of range: use 1..{MAX_DIM}")
    return list(dict.fromkeys(dims))


def register(sub) -> None:
    which = group(sub, "cutoffs")
    t = command(which, "theory", "the table k_d = eps^(-1/(d+3)) per dtype and dimension, exactly",
                parents=[json_option()])
    t.add_argument("--dims", type=arg_type(_dims, str, "dims"), default=[1, 2, 3, 10],
                   metavar="D1,D2,...", help=f"dimensions d, 1..{MAX_DIM} (default 1,2,3,10)")
    t.add_argument("--dtypes", type=_names(FLOAT_FORMATS), default=list(FLOAT_FORMATS),
                   metavar="LIST", help=f"comma list of {', '.join(FLOAT_FORMATS)} (default all)")
    t.set_defaults(handler=_theory)
    g = command(which, "gram", "the first k where float eigenvalues of the ReLU^P Gram matrix "
                "are off by 1, 50 and 100 percent from the certified reference",
                parents=[power_option(required=False), knots_option(MAX_CUTOFF_N, 200),
                         plot_option(), json_option()])
    g.add_argument("--dtypes", type=_names(SOLVER_DTYPES), default=list(SOLVER_DTYPES),
                   metavar="LIST", help=f"comma list of {', '.join(SOLVER_DTYPES)} (default both)")
    g.set_defaults(handler=_gram)


def _theory(args) -> int:
    from specbias.derive.matrix.cutoffs import cutoff_table

    rows = cutoff_table(args.dims, args.dtypes)
    payload = {"convention": "eps = machine epsilon (2^(1-p))", "rows": rows}
    lines = ["dtype     eps        d   k_d = eps^(-1/(d+3))   ~modes eps^(-d/(d+3))"]
    lines += [f"{r['dtype']:9} {r['eps']:10} {r['d']:3} {r['k_d']:>14} = {r['k_d_decimal']:>9}"
              f"   {r['modes']}" for r in rows]
    return emit(args, payload, lines)


def _gram(args) -> int:
    from specbias.derive.matrix.knots import knots as make_knots
    from specbias.verify.precision import gram_cutoffs

    kn = make_knots(args.knots, args.n, 20)
    announce(spectrum_seconds(args.power, args.n, 20)
             + 2 * len(args.dtypes) * dense_eigvalsh_seconds(args.n),
             f"the cutoffs of the {args.n}x{args.n} Gram matrix (P = {args.power})",
             "the reference spectrum is instant when cached")
    with progress_bar(args.n, "reference eigenvalues") as update:
        out = gram_cutoffs(kn, args.power, args.dtypes, progress=update)
    if args.plot is not None:
        _plot(out, args)
    return emit(args, out, lambda: _text(out, args))


def _plot(out: dict, args) -> None:
    from specbias.records import line_plot

    n = out["n"]
    series = [{"label": f"{r['dtype']} ({r['backend']})", "x": list(range(1, n + 1)),
               "y": [max(v, 1e-17) for v in r["rel_err"]], "style": "-"} for r in out["results"]]
    spec = line_plot(args.plot.stem, series, xlabel="$k$",
                     ylabel=r"relative error of $\lambda_k$", xscale="log", yscale="log",
                     title=rf"Gram matrix, $N = {n}$, ReLU$^{{{args.power}}}$")
    save_plot(spec, args.plot)


def _text(out: dict, args) -> list[str]:
    lines = [f"# Gram matrix N = {out['n']}, ReLU^{args.power}, knots {args.knots}; "
             "reference 20 digits",
             "dtype    backend      first k with rel. error > 1%, 50%, 100%"]
    for r in out["results"]:
        c = r["cutoffs"]
        lines.append(f"{r['dtype']:8} {r['backend']:12} {c['0.01']}, {c['0.5']}, {c['1.0']}")
    if args.plot is not None:
        lines.append(f"# plot written to {args.plot}")
    return lines
