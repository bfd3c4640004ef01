"""``specbias sweep``: run an experiment over a product grid, locally or on a dask cluster.

``specbias sweep --list`` names the experiments and their keys; ``specbias sweep EXPERIMENT
--grid KEY=V1,V2 ...`` runs the grid, reusing every run already in the store, and prints a
summary table (``--plot DIR`` adds figures, ``--json`` lists every run with its status).
"""

from __future__ import annotations

import sys
from pathlib import Path

from specbias.cli.common import float_arg, int_arg, print_json
from specbias.errors import require
from specbias.verify.sweep.registry import PROFILES

#: Bounds of the options (checked before any work).
MAX_WORKERS, MAX_RETRIES, MAX_CONNECT_TIMEOUT = 256, 10, 600.0


def register(sub) -> None:
    p = sub.add_parser("sweep", help="run an experiment over a grid of configs (local or dask)",
                       description="Run EXPERIMENT over the product of the --grid values; "
                       "finished runs are kept in a content-addressed store and reused.")
    p.add_argument("experiment", nargs="?", metavar="EXPERIMENT",
                   help="experiment name (see --list)")
    p.add_argument("--list", action="store_true", help="list the experiments and their keys")
    p.add_argument("--grid", action="append", default=[], metavar="KEY=V1,V2",
                   help="values of one config key (repeat for a product grid; integers also "
                        "as A:B; a list value's elements separated by '/')")
    p.add_argument("--profile", choices=PROFILES, default="quick",
                   help="defaults of the keys not in the grid (default: quick)")
    p.add_argument("--executor", default="local", metavar="serial|local|dask://HOST:PORT",
                   help="where runs execute (default: local, a process pool)")
    p.add_argument("--workers", type=int_arg, default=None,
                   help=f"processes of the local pool, 1..{MAX_WORKERS} (default: the cores)")
    p.add_argument("--store", default=None, metavar="DIR",
                   help="result store (default: $SPECBIAS_SWEEP_STORE or ~/.cache/specbias/sweeps)")
    p.add_argument("--plot", default=None, metavar="DIR", help="write figures of the sweep to DIR")
    p.add_argument("--retries", type=int_arg, default=2,
                   help=f"rounds of resubmission of runs whose worker was lost, 0..{MAX_RETRIES} "
                        "(default: 2)")
    p.add_argument("--connect-timeout", type=float_arg, default=10.0, metavar="SECONDS",
                   help=f"how long to wait for a dask scheduler and its first worker, "
                        f"(0, {MAX_CONNECT_TIMEOUT:g}] s (default: 10)")
    p.add_argument("--json", action="store_true", help="print JSON (every run with its status)")
    p.set_defaults(handler=_sweep)


def parse_grid(items: list[str]) -> dict[str, str]:
    """``["KEY=V1,V2", ...]`` as ``{KEY: "V1,V2"}`` (each key once)."""
    grid: dict[str, str] = {}
    for item in items:
        key, sep, values = item.partition("=")
        require(bool(sep) and key.strip() != "",
                f"--grid {item!r}: write KEY=V1,V2 (e.g. --grid seed=0,1,2)")
        require(key.strip() not in grid, f"--grid {key.strip()!r} is given twice: "
                "put all its values in one --grid KEY=V1,V2")
        grid[key.strip()] = values
    return grid


def _listing(as_json: bool) -> int:
    from specbias.verify.sweep.config import format_value
    from specbias.verify.sweep.registry import experiments

    exps = experiments()
    rows = [{"name": e.name, "summary": e.summary, "version": e.version,
             "keys": [{"name": k, "quick": e.profiles["quick"][k], "full": e.profiles["full"][k],
                       "help": e.keys.get(k, "")} for k in e.grid_keys]} for e in exps.values()]
    if as_json:
        print_json({"experiments": rows})
        return 0
    for row in rows:
        print(f"{row['name']}: {row['summary']}")
        cells = [(k["name"], format_value(k["quick"]), format_value(k["full"]), k["help"])
                 for k in row["keys"]]
        widths = [max(len(c[i]) for c in cells) for i in range(3)]
        for name, quick, full, text in cells:
            print(f"  {name:<{widths[0]}}  quick {quick:<{widths[1]}}  full {full:<{widths[2]}}"
                  f"  {text}".rstrip())
    return 0


def _check_bounds(args) -> None:
    require(args.workers is None or 1 <= args.workers <= MAX_WORKERS,
            f"--workers {args.workers} is out of range: use 1..{MAX_WORKERS}")
    require(0 <= args.retries <= MAX_RETRIES,
            f"--retries {args.retries} is out of range: use 0..{MAX_RETRIES}")
    require(0 < args.connect_timeout <= MAX_CONNECT_TIMEOUT,
            f"--connect-timeout {args.connect_timeout:g} is out of range: use a number of "
            f"seconds in (0, {MAX_CONNECT_TIMEOUT:g}]")


def _draw(exp, sweep, folder: Path) -> list[str]:
    """Draw the sweep's figures to ``folder`` (PNG and PDF); the PNG paths."""
    from specbias.reports.figures import draw
    from specbias.verify.sweep.summary import sweep_plots

    pngs = []
    for spec in sweep_plots(exp, sweep):
        png = folder / f"{spec['name']}.png"
        draw(spec, png, folder / f"{spec['name']}.pdf")
        pngs.append(str(png))
    return pngs


def _sweep(args) -> int:
    if args.list:
        require(args.experiment is None, f"--list takes no experiment (got {args.experiment!r})")
        return _listing(args.json)
    require(args.experiment is not None, "name an experiment (specbias sweep --list shows them)")
    from specbias.verify.sweep.registry import get
    from specbias.verify.sweep.runner import SweepInterrupted, run_sweep
    from specbias.verify.sweep.summary import markdown_table, sweep_table

    exp = get(args.experiment)
    grid = parse_grid(args.grid)
    _check_bounds(args)
    if args.plot:
        from specbias.verify.sweep.store import writable_folder

        writable_folder(Path(args.plot), "figure folder", "--plot DIR")
    try:
        sweep = run_sweep(exp, grid, args.profile, store=args.store, executor=args.executor,
                          workers=args.workers, retries=args.retries,
                          connect_timeout=args.connect_timeout)
    except SweepInterrupted as exc:
        print(f"specbias: {exc}", file=sys.stderr)
        return 130
    table = sweep_table(exp, sweep)
    figures = _draw(exp, sweep, Path(args.plot)) if args.plot else []
    failed = [r for r in sweep.runs if r.status == "failed"]
    if args.json:
        print_json(dict(sweep.to_json(), summary=table, figures=figures))
        return 1 if failed else 0
    counts = sweep.counts
    print(f"# sweep {exp.name} ({args.profile} profile): {len(sweep.runs)} runs, "
          f"{counts['computed']} computed, {counts['reused']} reused, {counts['failed']} failed, "
          f"in {sweep.seconds:.1f} s on {sweep.executor}")
    print(f"# store: {sweep.store}")
    if table["rows"]:
        print(markdown_table(table))
    if table["rows"] and exp.summarize is None:
        print("values: mean over the runs of a row and its standard error (one run: its value)")
    for path in figures:
        print(f"figure: {path}")
    for run in failed:
        print(f"failed: {run.key} {run.config}: {run.error}", file=sys.stderr)
    return 1 if failed else 0


__all__ = ["parse_grid", "register"]
