"""``specbias derive gram|eigen-ode``: print a derivation with the steps SymPy took."""

from __future__ import annotations

from specbias.cli.common import add_format_options, int_arg, output_format, print_json
from specbias.derive.eigen_ode import eigen_ode
from specbias.derive.gram import gram_kernel
from specbias.reports.render import derivation_latex, derivation_markdown


def register(sub) -> None:
    p = sub.add_parser("derive", help="derive a kernel or an eigenproblem symbolically")
    which = p.add_subparsers(dest="what", metavar="WHAT", parser_class=type(p))
    g = which.add_parser("gram", help="Gram kernel of the ReLU^P basis on [A, B]")
    e = which.add_parser("eigen-ode", help="eigen-ODE, boundary conditions, characteristic equation")
    for q, fn in ((g, _gram), (e, _eigen_ode)):
        q.add_argument("--power", type=int_arg, required=True, help="P in sigma_P = max(0,t)^P (0..6)")
        q.add_argument("--interval", default="-1,1", help="A,B with A < B (default -1,1)")
        add_format_options(q)
        q.set_defaults(handler=fn)
    p.set_defaults(handler=lambda args: p.print_help() or 2)


def emit(derivation, args) -> int:
    fmt = output_format(args)
    if fmt == "json":
        print_json(derivation.to_json())
    elif fmt == "latex":
        print(derivation_latex(derivation))
    else:
        print(derivation_markdown(derivation))
    return 0


def _gram(args) -> int:
    output_format(args)  # validate before the work
    return emit(gram_kernel(args.power, args.interval).derivation, args)


def _eigen_ode(args) -> int:
    output_format(args)
    return emit(eigen_ode(args.power, args.interval).derivation, args)
