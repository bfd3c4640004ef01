"""``specbias eigen gram``: the largest eigenvalues of the Gram operator to many digits."""

from __future__ import annotations

from specbias.cli.common import (command, dps_option, emit, group, int_in, interval_option,
                                 json_option, power_option, progress_bar)
from specbias.derive.gram.options import MAX_COUNT


def register(sub) -> None:
    g = command(group(sub, "eigen"), "gram",
                "mu_k of f -> int G_P(x,y) f(y) dy (characteristic roots)",
                parents=[power_option(), interval_option(), dps_option(), json_option()])
    g.add_argument("--count", type=int_in(1, MAX_COUNT, "count"), default=10, metavar="K",
                   help=f"how many eigenvalues, 1..{MAX_COUNT} (default 10)")
    g.set_defaults(handler=_gram)


def _gram(args) -> int:
    from specbias.derive.gram.spectrum import EXTRA_TAIL, gram_eigenvalues

    with progress_bar(args.count + EXTRA_TAIL, f"roots of det M(omega), G_{args.power}") as update:
        spec = gram_eigenvalues(args.power, args.interval, args.count, args.dps,
                                progress=update)
    return emit(args, spec.to_json(), lambda: _text(spec))


def _text(spec) -> list[str]:
    asym = spec.extras["asymptotic"]
    cert = spec.extras["certificate"]
    lines = [f"# {spec.description}", f"# method: {spec.method}; {spec.digits} digits"]
    lines += [f"mu_{k} = {v}" for k, v in enumerate(spec.values, start=1)]
    certificate = cert.to_json()
    lines += [f"# asymptotics: mu_k ~ {asym.constant} (k - {asym.k0})^(-{asym.exponent})",
              f"# trace identity residual / mu_K = {certificate['trace_residual_over_mu_K']}; "
              f"max Newton correction = {certificate['newton_rel_correction_max']}"]
    return lines
