"""``specbias spectrum gram``: every eigenvalue of a ReLU^P Gram matrix, certified, to D digits."""

from __future__ import annotations

from specbias.cli.common import (announce, command, dps_option, emit, group, int_in, json_option,
                                 knots_option, power_option, progress_bar)
from specbias.derive.matrix.options import (ARITHMETIC, MAX_SPECTRUM_DPS, MAX_SPECTRUM_N,
                                            spectrum_seconds)


def register(sub) -> None:
    g = command(group(sub, "spectrum"), "gram", "lambda_k of G_ij = G_P(b_i, b_j) on (-1, 1)",
                parents=[power_option(), knots_option(MAX_SPECTRUM_N), dps_option(MAX_SPECTRUM_DPS),
                         json_option()])
    g.add_argument("--vectors", type=int_in(0, MAX_SPECTRUM_N, "vectors"), default=0, metavar="K",
                   help="also the K leading eigenvectors, 0..N (default 0)")
    g.add_argument("--arithmetic", choices=ARITHMETIC, default="auto",
                   help="auto: compiled double-double/quad-double sweeps when 62 digits suffice "
                        "(else gmpy2); mpfr: always gmpy2 with float64 starts (slower)")
    g.add_argument("--no-cache", action="store_true", help="neither read nor write the cache")
    g.set_defaults(handler=_gram)


def _gram(args) -> int:
    from specbias.errors import require

    require(args.vectors <= args.n, f"vectors {args.vectors} is more than N = {args.n}: use "
                                    f"0..{args.n}")
    from specbias.derive.matrix.knots import knots as make_knots
    from specbias.derive.matrix.spectrum import GUARD, gram_matrix_spectrum

    kn = make_knots(args.knots, args.n, args.dps)
    announce(spectrum_seconds(args.power, args.n, args.dps, args.arithmetic),
             f"the certified spectrum of the {args.n}x{args.n} Gram matrix (P = {args.power})",
             "instant when cached")
    with progress_bar(args.n, "eigenvalues") as update:
        spec = gram_matrix_spectrum(args.power, kn, dps=args.dps, vectors=args.vectors,
                                    progress=update, use_cache=not args.no_cache,
                                    arithmetic=args.arithmetic)
    payload = dict(spec.to_json(), knots=[str(v) for v in kn.values])
    return emit(args, payload, lambda: _text(spec, GUARD))


def _text(spec, guard: int) -> list[str]:
    cert = spec.extras["certificate"]
    lines = [f"# {spec.description}", f"# method: {spec.method}; {spec.digits} digits"]
    lines += [f"lambda_{k} = {v}" for k, v in enumerate(spec.values, start=1)]
    bracket = "exact" if cert.bracket_digits is None else f"1e-{cert.bracket_digits}"
    lines.append(f"# certified (inertia counts bracket each value within relative {bracket}): "
                 f"{cert.count}/{len(spec.values)}")
    if cert.growth_digits is not None:
        lines.append(f"# pivot growth (measured): 10^{cert.growth_digits:.1f}; the error "
                     f"model allows 10^{guard}")
    lines += [f"v_{k} = [{', '.join(vec)}]"
              for k, vec in enumerate(spec.extras.get("vectors", []), start=1)]
    return lines
