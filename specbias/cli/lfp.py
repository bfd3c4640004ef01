"""``specbias derive lfp`` and ``specbias verify lfp``: the linear frequency principle.

``derive lfp --dim D [--activation relu|tanh]`` prints the derivation of the LFP multiplier of
the two-layer network from its NTK (claims L2, L3); ``verify lfp --regime cubic|linear --width W``
trains networks of the lecture's form in that regime and reports the per-frequency decay of the
training residual against the multiplier, and the trained interpolant against the two splines
(claims L2, L4). Hooked into the ``derive`` and ``verify`` groups by one line each; only light
modules are imported here, the work is imported inside the handlers.
"""

from __future__ import annotations

import time

from specbias.cli.common import add_format_options, int_arg, output_format, print_json, progress_bar
from specbias.derive.lfp.options import ACTIVATIONS, DEVICES, MAX_DIM, MAX_WIDTH, REGIMES
from specbias.errors import InvalidArgument, require


def register_derive(which) -> None:
    """Add ``lfp`` to the ``derive`` group (``which`` is its subparsers)."""
    d = which.add_parser("lfp", help="the LFP multiplier of the two-layer network, derived from its NTK")
    d.add_argument("--dim", type=int_arg, default=1, help=f"input dimension d, 1..{MAX_DIM} (default 1)")
    d.add_argument("--activation", choices=ACTIVATIONS, default="relu",
                   help="relu (default) or tanh (d = 1 only)")
    add_format_options(d)
    d.set_defaults(handler=_derive)


def register_verify(which) -> None:
    """Add ``lfp`` to the ``verify`` group (``which`` is its subparsers)."""
    v = which.add_parser("lfp", help="train networks in an LFP regime: per-frequency decay and splines")
    v.add_argument("--regime", choices=REGIMES, required=True,
                   help="cubic (<r^2>+<w^2> >> 4 pi^2 <r^2 w^2>) or linear (the reverse)")
    v.add_argument("--width", type=int_arg, default=2048, help=f"neurons, 1..{MAX_WIDTH} (default 2048)")
    v.add_argument("--seed", type=int_arg, default=0, help="seed of the data and the network (default 0)")
    v.add_argument("--points", type=int_arg, default=16, help="training points for the rates, 4..256 (default 16)")
    v.add_argument("--device", choices=DEVICES, default="cpu", help="cpu (default), cuda or auto")
    v.add_argument("--json", action="store_true", help="print JSON")
    v.set_defaults(handler=_verify)


def _derive(args) -> int:
    from specbias.cli.derive import emit
    from specbias.derive.lfp import ddim, multiplier

    output_format(args)
    dim = ddim.check_dim(args.dim)
    if dim == 1:
        return emit(multiplier.lfp_multiplier(args.activation)[1], args)
    require(args.activation == "relu", f"--activation {args.activation} with --dim {dim}: the "
            "d-dimensional derivation covers relu; use --dim 1 for tanh")
    return emit(ddim.derivation_for(dim), args)


def _verify(args) -> int:
    from specbias.derive.lfp.variational import linear_spline, natural_cubic_spline
    from specbias.verify.lfp_runs import frequency_run, interpolant_run
    from specbias.verify.models import resolve_device

    require(1 <= args.width <= MAX_WIDTH, f"--width {args.width}: use 1..{MAX_WIDTH}")
    require(4 <= args.points <= 256, f"--points {args.points}: use 4..256")
    device = resolve_device(args.device)
    ks = (1, 2, 3) if args.regime == "cubic" else (1, 2, 4, 6)
    ks = tuple(k for k in ks if k < args.points // 2)
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
    if args.json:
        print_json(out)
        return 0
    print(f"# {args.regime} regime, width {args.width}, seed {args.seed}, {device}")
    print("# per-frequency time to 1/e of the residual's transform on the training points")
    print(f"{'xi':>6} {'network':>10} {'NTK start':>10} {'NTK end':>10} {'analytic':>10} {'LFP':>10}")
    for j, xi in enumerate(rates.xis):
        row = (rates.tau_network[j], rates.tau_empirical[j], rates.tau_final[j], rates.tau_kernel[j], rates.tau_lfp[j])
        print(f"{xi:6.2f} " + " ".join(f"{v:10.3g}" for v in row))
    it = out["interpolant"]
    print(f"# trained interpolant ({len(fit.x)} points): distance to the cubic spline "
          f"{it['distance_to_cubic_spline']:.2g}, to the linear spline {it['distance_to_linear_spline']:.2g}, "
          f"to its own NTK's interpolant {it['distance_to_own_ntk_interpolant']:.2g}")
    return 0


__all__ = ["register_derive", "register_verify", "InvalidArgument"]
