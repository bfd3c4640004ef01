"""``specbias verify ntk``: empirical NTKs of torch networks against the analytic kernel."""

from __future__ import annotations

import time

from specbias.cli import lfp
from specbias.cli.common import float_arg, int_arg, print_json, progress_bar
from specbias.errors import InvalidArgument


def _int_list(text: str) -> list[int]:
    try:
        values = [int(t) for t in text.split(",") if t.strip()]
    except ValueError:
        raise InvalidArgument(f"{text!r} is not a comma-separated list of integers, e.g. 64,256,1024") from None
    if not values or min(values) < 1:
        raise InvalidArgument(f"{text!r}: use positive integers, e.g. 64,256,1024")
    return values


def register(sub) -> None:
    p = sub.add_parser("verify", help="check a derived kernel against real PyTorch networks")
    which = p.add_subparsers(dest="what", metavar="WHAT", parser_class=type(p))
    n = which.add_parser("ntk", help="empirical NTK (torch.func) vs the analytic NTK, by width")
    n.add_argument("--width", default="64,256,1024", help="widths, comma-separated")
    n.add_argument("--depth", type=int_arg, default=2, help="hidden layers (default 2)")
    n.add_argument("--n", type=int_arg, default=8, help="number of inputs (default 8)")
    n.add_argument("--dim", type=int_arg, default=3, help="input dimension (default 3)")
    n.add_argument("--seed", type=int_arg, default=0, help="seed of the inputs and first network")
    n.add_argument("--seeds", type=int_arg, default=3, help="networks per width (default 3)")
    n.add_argument("--activation", default="relu", help="relu, relu2 or erf")
    n.add_argument("--parametrization", default="ntk", help="ntk or standard")
    n.add_argument("--weight-var", type=float_arg, default=2.0, help="sigma_w^2 (default 2)")
    n.add_argument("--bias-var", type=float_arg, default=0.0, help="sigma_b^2 (default 0: no bias)")
    n.add_argument("--device", default="cpu", help="cpu (default), cuda or auto")
    n.add_argument("--dtype", default="float64", help="float64 (default) or float32")
    n.add_argument("--json", action="store_true", help="print JSON")
    n.set_defaults(handler=_ntk)
    lfp.register_verify(which)
    p.set_defaults(handler=lambda args: p.print_help() or 2)


def _ntk(args) -> int:
    import torch

    from specbias.derive.ntk.kernels import kernels
    from specbias.verify.empirical_ntk import width_convergence
    from specbias.verify.models import DeepFC, check_dtype, resolve_device

    widths = _int_list(args.width)
    if args.seeds < 2:
        raise InvalidArgument(f"--seeds {args.seeds}: use at least 2 (the rate's error bar needs them)")
    if args.n < 2 or args.dim < 1:
        raise InvalidArgument(f"--n {args.n} --dim {args.dim}: use n >= 2 inputs of dimension >= 1")
    device, dtype = resolve_device(args.device), check_dtype(args.dtype)
    g = torch.Generator(device="cpu").manual_seed(args.seed)
    X = torch.randn(args.n, args.dim, generator=g, dtype=torch.float64).to(dtype=dtype, device=device)
    t0 = time.perf_counter()
    _, ana = kernels(X, X, args.depth, args.activation, args.weight_var, args.bias_var,
                     args.parametrization, xp=torch)
    t_ana = time.perf_counter() - t0
    seeds = list(range(args.seed, args.seed + args.seeds))
    t0 = time.perf_counter()
    with progress_bar(len(widths) * len(seeds), "networks") as update:
        fit = width_convergence(
            lambda m, s: DeepFC(args.dim, m, args.depth, args.activation, args.parametrization,
                                args.weight_var, args.bias_var, seed=s, dtype=dtype, device=device),
            ana, X, widths, seeds, progress=update)
    out = {"device": str(device), "dtype": args.dtype, "depth": args.depth, "n": args.n,
           "dim": args.dim, "activation": args.activation, "parametrization": args.parametrization,
           "weight_var": args.weight_var, "bias_var": args.bias_var, "seeds": seeds,
           "widths": widths, "relative_errors": fit.errors, "log_error_spread": fit.spread,
           "rate": {"slope": fit.slope, "stderr": fit.slope_stderr, "expected": -0.5},
           "seconds": {"analytic": t_ana, "empirical": time.perf_counter() - t0}}
    if args.json:
        print_json(out)
        return 0
    print(f"# {args.activation} depth {args.depth}, {args.parametrization} parametrization, "
          f"{args.dtype} on {device}")
    for m, e in zip(widths, fit.errors):
        print(f"width {m:>7}: ||emp - analytic||_F / ||analytic||_F = {e:.3e}")
    print(f"rate: width^({fit.slope:.3f} +- {fit.slope_stderr:.3f}) (expected -0.5)")
    return 0
