"""``specbias cutoffs kernel``: precision cutoffs of an NTK/NNGP Gram matrix on the user's points."""

from __future__ import annotations

from pathlib import Path

from specbias.cli.check import ACTIVATIONS, PARAMETRIZATIONS
from specbias.cli.common import float_arg, group, int_arg, print_json, progress_bar
from specbias.errors import InvalidArgument


def register(sub) -> None:
    """Add ``kernel`` to the subcommands of ``cutoffs``."""
    p = group(sub, "cutoffs").add_parser("kernel", help="cutoffs of the NTK/NNGP Gram matrix on your points "
                       "(certified reference, at most 400 points: about 11 s for 100 and 8 min "
                       "for 400 on a busy 2-core machine)")
    p.add_argument("--kernel", required=True, choices=("ntk", "nngp"))
    p.add_argument("--activation", default="relu", choices=ACTIVATIONS)
    p.add_argument("--depth", type=int_arg, default=1, help="hidden layers L (default 1)")
    p.add_argument("--weight-var", type=float_arg, default=2.0, help="sigma_w^2 (default 2)")
    p.add_argument("--bias-var", type=float_arg, default=0.0, help="sigma_b^2 (default 0)")
    p.add_argument("--parametrization", default="ntk", choices=PARAMETRIZATIONS)
    p.add_argument("--points", required=True, help="FILE.npy holding an (n, d) float array")
    p.add_argument("--dtypes", default="float16,float32,float64", help="comma list")
    p.add_argument("--digits", type=int_arg, default=20, help="certified digits (default 20)")
    p.add_argument("--plot", default=None,
                   help="write the relative error of every eigenvalue to PATH (.png and .pdf)")
    p.add_argument("--json", action="store_true", help="print JSON")
    p.set_defaults(handler=_run)


def load_points(path: str):
    """An (n, d) float array from a .npy file (no pickles), or InvalidArgument."""
    import numpy as np

    file = Path(path)
    if not file.is_file():
        raise InvalidArgument(f"points file {path!r} does not exist: give a .npy file "
                              "written by numpy.save")
    try:
        X = np.load(file, allow_pickle=False)
    except (ValueError, OSError) as exc:
        raise InvalidArgument(f"points file {path!r} is not a NumPy .npy array ({exc}): "
                              "write it with numpy.save(path, X) for an (n, d) float array") from None
    from specbias.derive.ntk.certified import check_points

    return check_points(X)


def _plot_target(path: str | None):
    """(directory, stem) for --plot, checked before any computation."""
    import os

    if path is None:
        return None
    target = Path(path)
    directory = target.parent if str(target.parent) else Path(".")
    if not directory.is_dir() or not os.access(directory, os.W_OK):
        raise InvalidArgument(f"--plot {path!r}: folder {str(directory)!r} does not exist or is "
                              "not writable: give a path in a writable folder")
    return directory, target.stem


def _draw(out: dict, where) -> list:
    """Relative error of λ_k against k, one line per (dtype, backend), log-log."""
    from specbias.records import line_plot
    from specbias.reports.figures import draw

    k = list(range(1, out["n"] + 1))
    series = [{"label": f"{r['dtype']} ({r['backend']})", "x": k,
               "y": [min(max(v, 1e-17), 1e3) for v in r["rel_err"]]} for r in out["results"]]
    spec = line_plot(where[1], series, xlabel="$k$", ylabel=r"relative error of $\lambda_k$",
                     xscale="log", yscale="log",
                     title=f"{out['kernel'].upper()} Gram matrix, {out['n']} points, depth {out['depth']}")
    directory, stem = where
    return draw(spec, directory / f"{stem}.png", directory / f"{stem}.pdf")


def _run(args) -> int:
    from specbias.derive.matrix.cutoffs import check_dtypes
    from specbias.derive.ntk.certified import _Config
    from specbias.verify.kernel_cutoffs import KERNEL_DTYPES, kernel_cutoffs

    _Config(args.kernel, args.activation, args.depth, args.weight_var, args.bias_var,
            args.parametrization)
    dtypes = check_dtypes(args.dtypes, KERNEL_DTYPES)
    X = load_points(args.points)
    where = _plot_target(args.plot)
    with progress_bar(None, "certified reference"):
        out = kernel_cutoffs(X, args.kernel, args.activation, args.depth, args.weight_var,
                             args.bias_var, args.parametrization, dtypes, args.digits)
    if where:
        out["plot"] = [str(p) for p in _draw(out, where)]
    if args.json:
        print_json(out)
        return 0
    print(f"# {args.kernel} Gram matrix of a depth-{args.depth} {args.activation} network on "
          f"{out['n']} points in R^{out['dim']}; reference certified to {args.digits} digits "
          f"({out['reference']['prec_bits']} bits)")
    print(f"# largest eigenvalue {out['reference']['values'][0]}, smallest "
          f"{out['reference']['values'][-1]}")
    print("dtype    backend      solver   first k with rel. error > 1%, 50%, 100%")
    for r in out["results"]:
        c = r["cutoffs"]
        print(f"{r['dtype']:8} {r['backend']:12} {r['solver_dtype']:8} {c['0.01']}, {c['0.5']}, {c['1.0']}")
    return 0
