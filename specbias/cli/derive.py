"""``specbias derive gram|eigen-ode|ntk``: print a derivation with the steps SymPy took."""

from __future__ import annotations

from specbias.cli import lfp
from specbias.cli.common import add_format_options, int_arg, output_format, print_json
from specbias.derive.gram.eigen_ode import eigen_ode
from specbias.derive.gram.kernel import gram_kernel
from specbias.derive.ntk.kernels import derive_ntk
from specbias.reports.render import derivation_md, derivation_tex, document


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
    n = which.add_parser("ntk", help="dual activations and the NNGP/NTK recursion of a deep network")
    n.add_argument("--activation", default="relu", help="relu, relu2, step or erf (default relu)")
    n.add_argument("--depth", type=int_arg, default=1, help="hidden layers L >= 1 (default 1)")
    n.add_argument("--bias", action="store_true", help="layers have biases (variance sigma_b^2)")
    n.add_argument("--parametrization", default="ntk", help="ntk (default) or standard")
    add_format_options(n)
    n.set_defaults(handler=_ntk)
    lfp.register_derive(which)
    p.set_defaults(handler=lambda args: p.print_help() or 2)


def emit(derivation, args) -> int:
    fmt = output_format(args)
    if fmt == "json":
        print_json(derivation.to_json())
    elif fmt == "latex":
        print(document(derivation_tex(derivation), derivation.title))
    else:
        print(derivation_md(derivation, level=1))
    return 0


def _gram(args) -> int:
    output_format(args)  # validate before the work
    return emit(gram_kernel(args.power, args.interval).derivation, args)


def _eigen_ode(args) -> int:
    output_format(args)
    return emit(eigen_ode(args.power, args.interval).derivation, args)


def _ntk(args) -> int:
    output_format(args)
    return emit(derive_ntk(args.activation, args.depth, args.bias, args.parametrization), args)
