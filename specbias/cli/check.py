"""``specbias check MODULE:FUNCTION --against ntk|nngp``: property search against a user's kernel.

FUNCTION(X, Y) takes arrays of shape (n, d) and (m, d) and returns the (n, m) kernel matrix.
Exit status: 0 nothing found, 1 a counterexample was found (as a test runner), 2 bad input.
"""

from __future__ import annotations

import importlib
import inspect
import os
import sys

from specbias.cli.common import float_arg, int_arg, print_json, progress_bar
from specbias.errors import InvalidArgument, require

#: Kept equal to the library's tuples (a test checks it) so that --help imports no SymPy.
ACTIVATIONS = ("step", "relu", "relu2", "erf")
PARAMETRIZATIONS = ("ntk", "standard")
DTYPES = ("float16", "float32", "float64")
MAX_EXAMPLES = 10_000


def register(sub) -> None:
    p = sub.add_parser("check", help="search a kernel function MODULE:FUNCTION for inputs where "
                       "it disagrees with the certified NTK/NNGP")
    p.add_argument("target", metavar="MODULE:FUNCTION",
                   help="an importable function FUNCTION(X, Y) -> (n, m) kernel matrix")
    p.add_argument("--against", required=True, choices=("ntk", "nngp"), help="the kernel it computes")
    p.add_argument("--activation", default="relu", choices=ACTIVATIONS)
    p.add_argument("--depth", type=int_arg, default=1, help="hidden layers L (default 1)")
    p.add_argument("--weight-var", type=float_arg, default=2.0, help="sigma_w^2 (default 2)")
    p.add_argument("--bias-var", type=float_arg, default=0.0, help="sigma_b^2 (default 0)")
    p.add_argument("--parametrization", default="ntk", choices=PARAMETRIZATIONS)
    p.add_argument("--dtype", default="float64",
                   help="comma list of input dtypes to test, from float16,float32,float64")
    p.add_argument("--array", default="numpy", choices=("numpy", "torch"),
                   help="what FUNCTION receives: NumPy arrays (default) or torch tensors")
    p.add_argument("--device", default="cpu", choices=("cpu", "cuda"),
                   help="with --array torch: the tensors' device (default cpu)")
    p.add_argument("--dim", type=int_arg, default=3, help="input dimension d (default 3)")
    p.add_argument("--examples", type=int_arg, default=100,
                   help="examples per property and dtype (default 100)")
    p.add_argument("--ulps", type=float_arg, default=None,
                   help="tolerance in machine epsilons of the dtype (default 8 per layer + 8)")
    p.add_argument("--seed", type=int_arg, default=0, help="search seed (default 0)")
    p.add_argument("--json", action="store_true", help="print JSON")
    p.set_defaults(handler=_run)


def load_function(target: str):
    """Import MODULE:FUNCTION (the current directory is on the path, as for pytest) and check
    that it takes two positional arguments."""
    require(isinstance(target, str) and target.count(":") == 1 and all(target.split(":")),
            f"target {target!r} is not MODULE:FUNCTION: use e.g. mypkg.kernels:ntk")
    module_name, func_name = target.split(":")
    if os.getcwd() not in sys.path:
        sys.path.insert(0, os.getcwd())
    try:
        module = importlib.import_module(module_name)
    except Exception as exc:  # ImportError, or the module failing at import
        raise InvalidArgument(f"cannot import module {module_name!r} ({type(exc).__name__}: "
                              f"{exc}): check the name and that it is on PYTHONPATH") from None
    fn = getattr(module, func_name, None)
    require(callable(fn), f"module {module_name!r} has no function {func_name!r}: "
            f"use one of {', '.join(n for n in dir(module) if not n.startswith('_'))[:200]}")
    try:
        inspect.signature(fn).bind(object(), object())
    except TypeError:
        raise InvalidArgument(f"{target} does not take two arguments (X, Y): write it as "
                              "FUNCTION(X, Y) returning the (n, m) kernel matrix") from None
    except ValueError:  # builtins without a signature: let the search find out
        pass
    return fn


def _run(args) -> int:
    from specbias.derive.matrix.cutoffs import check_dtypes
    from specbias.testing.search import PROPERTIES, search_kernel

    fn = load_function(args.target)
    dtypes = check_dtypes(args.dtype, DTYPES)
    examples = args.examples
    require(1 <= examples <= MAX_EXAMPLES, f"--examples {examples} is out of range: use 1..{MAX_EXAMPLES}")
    require(1 <= args.dim <= 1000, f"--dim {args.dim} is out of range: use 1..1000")
    with progress_bar(len(dtypes) * len(PROPERTIES), "properties") as update:
        result = search_kernel(fn, kernel=args.against, activation=args.activation, depth=args.depth,
                               weight_var=args.weight_var, bias_var=args.bias_var,
                               parametrization=args.parametrization, dtypes=dtypes, dim=args.dim,
                               examples=examples, seed=args.seed, ulps=args.ulps, progress=update,
                               array=args.array, device=args.device)
    out = result.as_dict()
    if args.json:
        print_json({"target": args.target, "found": result.found, **out})
    else:
        _print_text(args.target, out)
    return 1 if result.found else 0


def _print_text(target: str, out: dict) -> None:
    cfg = out["config"]
    print(f"# {target} against the {cfg['kernel']} of a depth-{cfg['depth']} {cfg['activation']} "
          f"network ({cfg['parametrization']} parametrization, weight_var {cfg['weight_var']}, "
          f"bias_var {cfg['bias_var']}); {out['examples_per_property']} examples per property")
    for c in out["counterexamples"]:
        print(f"\nCOUNTEREXAMPLE ({c['property']}, {c['dtype']}):\n{c['message']}")
    print("\nworst relative error by dtype: " + ", ".join(
        f"{d} {v:.2g}" for d, v in out["worst_relative_error_by_dtype"].items()))
    print("worst relative error by angle between the inputs:")
    for row in out["worst_relative_error_by_angle"]:
        print(f"  {row['dtype']:8} {row['angles']:>18}  {row['worst']:.2g}")
    n = len(out["counterexamples"])
    print(f"\n{n} counterexample{'s' if n != 1 else ''} found" if n else "\nno counterexample found")
