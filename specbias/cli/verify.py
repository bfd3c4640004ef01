"""``specbias verify ntk``: empirical NTKs of torch networks against the analytic kernel."""

from __future__ import annotations

import time

from specbias.cli.common import (announce, architecture_options, command, emit, group, int_in,
                                 int_list, json_option, progress_bar, seed_option, torch_options,
                                 variance_options)
from specbias.derive.ntk.options import NTK_ACTIVATIONS
from specbias.verify.options import (MAX_INPUT_DIM, MAX_INPUTS, MAX_NETWORK_DEPTH, MAX_SEEDS,
                                     MAX_WIDTH, empirical_ntk_bytes, empirical_ntk_seconds)


def register(sub) -> None:
    n = command(group(sub, "verify"), "ntk",
                "empirical NTK (torch.func) vs the analytic NTK, by width",
                parents=[architecture_options(NTK_ACTIVATIONS, MAX_NETWORK_DEPTH),
                         variance_options(), torch_options(),
                         seed_option("the inputs and the first network"), json_option()])
    n.add_argument("--width", type=int_list(1, MAX_WIDTH, "widths", distinct=True, min_len=2),
                   default=[64, 256, 1024], metavar="W1,W2,...",
                   help=f"two or more different widths, 1..{MAX_WIDTH} (default 64,256,1024)")
    n.add_argument("--n", type=int_in(2, MAX_INPUTS, "number of inputs"), default=8,
                   help=f"number of inputs, 2..{MAX_INPUTS} (default 8)")
    n.add_argument("--dim", type=int_in(1, MAX_INPUT_DIM, "input dimension"), default=3,
                   help=f"input dimension, 1..{MAX_INPUT_DIM} (default 3)")
    n.add_argument("--seeds", type=int_in(2, MAX_SEEDS, "seeds"), default=3,
                   help=f"networks per width, 2..{MAX_SEEDS} (the rate's error bar needs two; "
                        "default 3)")
    n.set_defaults(handler=_ntk)


def available_bytes(device) -> int | None:
    """Free memory of ``device`` (CUDA: the driver's free memory; CPU: MemAvailable)."""
    if device.type == "cuda":
        import torch

        return int(torch.cuda.mem_get_info(device)[0])
    try:
        with open("/proc/meminfo", encoding="ascii") as fh:
            for line in fh:
                if line.startswith("MemAvailable:"):
                    return int(line.split()[1]) * 1024
    except OSError:  # pragma: no cover - not Linux
        pass
    return None


def check_fits(args, device, itemsize: int) -> None:
    """Refuse, before any work, a widest network whose empirical NTK does not fit in memory;
    announce the time when it is long."""
    from specbias.errors import InvalidArgument

    bias = args.bias_var > 0
    widest = max(args.width)
    need = empirical_ntk_bytes(args.n, args.dim, widest, args.depth, bias, itemsize)
    free = available_bytes(device)
    if free is not None and need > 0.8 * free:
        raise InvalidArgument(
            f"width {widest} needs about {need / 2**30:.3g} GiB for the empirical NTK of {args.n} "
            f"inputs at depth {args.depth}, and {device} has {free / 2**30:.3g} GiB free: use "
            "smaller widths, fewer inputs or less depth")
    seconds = args.seeds * sum(empirical_ntk_seconds(args.n, args.dim, m, args.depth, bias)
                               for m in args.width)
    announce(seconds, f"{len(args.width) * args.seeds} empirical NTKs")


def _ntk(args) -> int:
    import torch

    from specbias.derive.ntk.kernels import kernels
    from specbias.verify.empirical_ntk import width_convergence
    from specbias.verify.models import DeepFC, check_dtype, resolve_device

    device, dtype = resolve_device(args.device), check_dtype(args.dtype)
    check_fits(args, device, torch.tensor([], dtype=dtype).element_size())
    g = torch.Generator(device="cpu").manual_seed(args.seed)
    X = torch.randn(args.n, args.dim, generator=g, dtype=torch.float64).to(dtype=dtype, device=device)
    t0 = time.perf_counter()
    _, ana = kernels(X, X, args.depth, args.activation, args.weight_var, args.bias_var,
                     args.parametrization, xp=torch)
    t_ana = time.perf_counter() - t0
    seeds = list(range(args.seed, args.seed + args.seeds))
    t0 = time.perf_counter()
    with progress_bar(len(args.width) * len(seeds), "networks") as update:
        fit = width_convergence(
            lambda m, s: DeepFC(args.dim, m, args.depth, args.activation, args.parametrization,
                                args.weight_var, args.bias_var, seed=s, dtype=dtype, device=device),
            ana, X, args.width, seeds, progress=update)
    out = {"device": str(device), "dtype": args.dtype, "depth": args.depth, "n": args.n,
           "dim": args.dim, "activation": args.activation, "parametrization": args.parametrization,
           "weight_var": args.weight_var, "bias_var": args.bias_var, "seeds": seeds,
           "widths": args.width, "relative_errors": fit.errors, "log_error_spread": fit.spread,
           "rate": {"slope": fit.slope, "stderr": fit.slope_stderr, "expected": -0.5},
           "seconds": {"analytic": t_ana, "empirical": time.perf_counter() - t0}}
    return emit(args, out, lambda: _text(out, fit, device))


def _text(out: dict, fit, device) -> list[str]:
    lines = [f"# {out['activation']} depth {out['depth']}, {out['parametrization']} "
             f"parametrization, {out['dtype']} on {device}"]
    lines += [f"width {m:>7}: ||emp - analytic||_F / ||analytic||_F = {e:.3e}"
              for m, e in zip(out["widths"], fit.errors)]
    lines.append(f"rate: width^({fit.slope:.3f} +- {fit.slope_stderr:.3f}) (expected -0.5)")
    return lines
