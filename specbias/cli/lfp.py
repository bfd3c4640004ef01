"""``specbias derive lfp`` and ``specbias verify lfp``: the linear frequency principle.

``derive lfp --dim D [--activation relu|tanh]`` prints the derivation of the LFP multiplier of
the two-layer network from its NTK (claims L2, L3); ``verify lfp --regime cubic|linear --width W``
trains networks of the lecture's form in that regime and reports the per-frequency decay of the
training residual against the multiplier, and the trained interpolant against the two splines
(claims L2, L4). Listed once in ``COMMAND_MODULES``; the subcommands join the ``derive`` and
``verify`` groups through :func:`specbias.cli.common.group`. Only light modules are imported at
the top; the work is imported inside the handlers.
"""

from __future__ import annotations

import time

from specbias.cli.common import (announce, command, emit, format_option, group, int_in, json_option,
                                 progress_bar, seed_option)
from specbias.derive.lfp.options import ACTIVATIONS, MAX_DIM, MAX_POINTS, MAX_WIDTH, REGIMES
from specbias.verify.options import DEVICES

#: CPU seconds per neuron and step of ``verify lfp`` here (ASI, 16 points; benchmarks/bench_lfp.py).
SECONDS_PER_NEURON_STEP = 1.1e-7


def register(sub) -> None:
    d = command(group(sub, "derive"), "lfp", "the LFP multiplier of the two-layer network, derived from its NTK",
                parents=[format_option()])
    d.add_argument("--dim", type=int_in(1, MAX_DIM, "dimension"), default=1, metavar="D",
                   help=f"input dimension d, 1..{MAX_DIM} (default 1)")
    d.add_argument("--activation", choices=ACTIVATIONS, default="relu", help="relu (default) or tanh (d = 1 only)")
    d.set_defaults(handler=_derive)
    v = command(group(sub, "verify"), "lfp", "train networks in an LFP regime: per-frequency decay and the splines",
                parents=[seed_option("the data and the network"), json_option()])
    v.add_argument("--regime", choices=REGIMES, required=True,
                   help="cubic (<r^2>+<w^2> >> 4 pi^2 <r^2 w^2>) or linear (the reverse)")
    v.add_argument("--width", type=int_in(1, MAX_WIDTH, "width"), default=2048, metavar="W",
                   help=f"neurons, 1..{MAX_WIDTH} (default 2048)")
    v.add_argument("--points", type=int_in(4, MAX_POINTS, "points"), default=16, metavar="N",
                   help=f"training points for the rates, 4..{MAX_POINTS} (default 16)")
    v.add_argument("--device", choices=DEVICES, default="cpu", help="cpu (default), cuda, or auto")
    v.set_defaults(handler=_verify)


def _derive(args) -> int:
    from specbias.cli.derive import emit_derivation
    from specbias.derive.lfp import ddim, multiplier
    from specbias.errors import require

    if args.dim == 1:
        return emit_derivation(multiplier.lfp_multiplier(args.activation)[1], args)
    require(args.activation == "relu", f"--activation {args.activation} with --dim {args.dim}: the "
            "d-dimensional derivation covers relu; use --dim 1 for tanh")
    return emit_derivation(ddim.derivation_for(args.dim), args)


def _verify(args) -> int:
    from specbias.derive.lfp.variational import linear_spline, natural_cubic_spline
    from specbias.verify.lfp_runs import frequency_run, interpolant_run
    from specbias.verify.models import resolve_device

    device = resolve_device(args.device)
    ks = tuple(k for k in ((1, 2, 3) if args.regime == "cubic" else (1, 2, 4, 6)) if k < args.points // 2)
    # the cubic regime's slowest frequency needs about 1e4 steps (its NTK's condition number)
    steps = 2e4 if args.regime == "cubic" else 2e3
    announce(SECONDS_PER_NEURON_STEP * 2 * args.width * steps * max(1.0, args.points / 16), "the training runs",
             "about 1e-7 s per neuron and step")
    t0 = time.perf_counter()
    with progress_bar(None, f"training ({args.regime})") as update:
        rates = frequency_run(args.regime, args.width, args.seed, n=args.points, ks=ks, device=str(device),
                              progress=update)
        fit = interpolant_run(args.regime, args.width, args.seed, device=str(device), progress=update)
    rms = lambda a, b: float(((a - b) ** 2).mean() ** 0.5)  # noqa: E731
    splines = {"cubic": natural_cubic_spline(fit.x, fit.y, fit.grid), "linear": linear_spline(fit.x, fit.y, fit.grid)}
    out = {"regime": args.regime, "width": args.width, "seed": args.seed, "device": str(device),
           "rates": {"xi": rates.xis.tolist(), "tau_network": rates.tau_network.tolist(),
                     "tau_ntk_start": rates.tau_empirical.tolist(), "tau_ntk_end": rates.tau_final.tolist(),
                     "tau_analytic_ntk": rates.tau_kernel.tolist(), "tau_lfp": rates.tau_lfp.tolist(),
                     "learning_rate": rates.lr, "steps": rates.steps},
           "interpolant": {"points": fit.x.tolist(), "distance_to_cubic_spline": rms(fit.network, splines["cubic"]),
                           "distance_to_linear_spline": rms(fit.network, splines["linear"]),
                           "distance_to_own_ntk_interpolant": rms(fit.network, fit.empirical),
                           "largest_training_residual": fit.final_residual, "steps": fit.steps},
           "seconds": time.perf_counter() - t0}
    return emit(args, out, lambda: _text(args, out, rates, fit, device))


def _text(args, out, rates, fit, device) -> list[str]:
    lines = [f"# {args.regime} regime, width {args.width}, seed {args.seed}, {device}",
             "# per-frequency time to 1/e of the residual's transform on the training points",
             f"{'xi':>6} {'network':>10} {'NTK start':>10} {'NTK end':>10} {'analytic':>10} {'LFP':>10}"]
    for j, xi in enumerate(rates.xis):
        row = (rates.tau_network[j], rates.tau_empirical[j], rates.tau_final[j], rates.tau_kernel[j], rates.tau_lfp[j])
        lines.append(f"{xi:6.2f} " + " ".join(f"{v:10.3g}" for v in row))
    it = out["interpolant"]
    lines.append(f"# trained interpolant ({len(fit.x)} points): distance to the cubic spline "
                 f"{it['distance_to_cubic_spline']:.2g}, to the linear spline {it['distance_to_linear_spline']:.2g}, "
                 f"to its own NTK's interpolant {it['distance_to_own_ntk_interpolant']:.2g}")
    return lines
