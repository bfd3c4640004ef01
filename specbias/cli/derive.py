"""``specbias derive gram|eigen-ode|ntk``: print a derivation with the steps SymPy took."""

from __future__ import annotations

from specbias.cli.common import (architecture_options, command, emit, format_option, group,
                                 interval_option, power_option, progress_bar)
from specbias.derive.ntk.options import ACTIVATIONS, MAX_DERIVE_DEPTH


def register(sub) -> None:
    which = group(sub, "derive")
    kernel = [power_option(), interval_option(), format_option()]
    g = command(which, "gram", "Gram kernel of the ReLU^P basis on [A, B]", parents=kernel)
    g.set_defaults(handler=_gram)
    e = command(which, "eigen-ode", "eigen-ODE, boundary conditions, characteristic equation",
                parents=kernel)
    e.set_defaults(handler=_eigen_ode)
    n = command(which, "ntk", "dual activations and the NNGP/NTK recursion of a deep network",
                parents=[architecture_options(ACTIVATIONS, MAX_DERIVE_DEPTH, 1), format_option()])
    n.add_argument("--bias", action="store_true", help="layers have biases (variance sigma_b^2)")
    n.set_defaults(handler=_ntk)


def emit_derivation(derivation, args) -> int:
    """The derivation as JSON (``--json``), LaTeX or Markdown on stdout."""
    from specbias.reports.render import derivation_md, derivation_tex, document

    if args.format == "latex":
        return emit(args, derivation.to_json(),
                    lambda: document(derivation_tex(derivation), derivation.title))
    return emit(args, derivation.to_json(), lambda: derivation_md(derivation, level=1))


def _gram(args) -> int:
    from specbias.derive.gram.kernel import gram_kernel

    return emit_derivation(gram_kernel(args.power, args.interval).derivation, args)


def _eigen_ode(args) -> int:
    from specbias.derive.gram.eigen_ode import EIGEN_ODE_STAGES, eigen_ode

    with progress_bar(EIGEN_ODE_STAGES, f"eigen-ODE of G_{args.power}") as update:
        ode = eigen_ode(args.power, args.interval, progress=update)
    return emit_derivation(ode.derivation, args)


def _ntk(args) -> int:
    from specbias.derive.ntk.kernels import derive_ntk

    with progress_bar(args.depth + 2, f"NTK recursion, depth {args.depth}") as update:
        d = derive_ntk(args.activation, args.depth, args.bias, args.parametrization,
                       progress=update)
    return emit_derivation(d, args)
