"""``specbias spectrum circle`` and ``specbias spectrum sphere``: kernel spectra on S¹ and S^(d−1).

Registered into the ``spectrum`` group with :func:`specbias.cli.common.group`. The heavy modules
(SymPy derivations, python-flint) are imported inside the handlers so that ``specbias --help``
stays fast; the choices come from the library's own tuples (duplicated here as literals only
where importing them would load SymPy: checked by a test).
"""

from __future__ import annotations

from specbias.cli.common import float_arg, group, int_arg, print_json, progress_bar

#: Mirrors of the library tuples (tests/cli/test_sphere_cli.py checks they are equal).
BIASES = ("zero", "gaussian")
INPUTS = ("normalized", "augmented")
KERNELS = ("ntk", "nngp")
ACTIVATIONS = ("step", "relu", "relu2", "erf", "tanh", "sigmoid", "gelu")


def register(sub) -> None:
    which = group(sub, "spectrum")
    c = which.add_parser("circle", help="eigenvalues of the B2 kernel operator on S^1 for a "
                                        "piecewise-constant density, certified")
    c.add_argument("--density", default="0:1",
                   help="BREAKPOINT:WEIGHT,... with breakpoints in [0, 2pi) (radians, or all "
                        "written as multiples of pi such as 2/3pi), relative weights > 0; "
                        "default 0:1 (uniform)")
    c.add_argument("--count", type=int_arg, default=10, help="how many eigenvalues (largest)")
    c.add_argument("--dps", type=int_arg, default=20, help="decimal digits (5..60)")
    c.add_argument("--bias", choices=BIASES, default="zero",
                   help="bias at initialization: zero (Basri et al.) or gaussian")
    c.add_argument("--inputs", choices=INPUTS, default="normalized",
                   help="normalized: (x, 1)/sqrt(2), the convention of the slide's B2 form; "
                        "augmented: (x, 1), the network of Eq. (6) (kernel twice as large)")
    c.add_argument("--json", action="store_true", help="print JSON")
    c.set_defaults(handler=_circle)
    s = which.add_parser("sphere", help="Funk-Hecke eigenvalues of a deep NNGP/NTK on S^(d-1)")
    s.add_argument("--dim", type=int_arg, required=True, help="d (inputs on S^(d-1) in R^d), 2..64")
    s.add_argument("--depth", type=int_arg, default=1, help="hidden layers L (default 1)")
    s.add_argument("--activation", default="relu",
                   help=f"{' | '.join(ACTIVATIONS)} | formula:EXPR (EXPR in t, e.g. "
                        "formula:tanh(2*t))")
    s.add_argument("--kernel", choices=KERNELS, default="ntk", help="ntk (default) or nngp")
    s.add_argument("--count", type=int_arg, default=20, help="degrees l = 0..count-1")
    s.add_argument("--dps", type=int_arg, default=20, help="decimal digits (5..60)")
    s.add_argument("--weight-var", type=float_arg, default=2.0, help="sigma_w^2 (default 2)")
    s.add_argument("--bias-var", type=float_arg, default=0.0, help="sigma_b^2 (default 0)")
    s.add_argument("--json", action="store_true", help="print JSON")
    s.set_defaults(handler=_sphere)


def _circle(args) -> int:
    from specbias.derive.sphere.density import PiecewiseDensity   # light: checks first
    from specbias.errors import require
    from specbias.support.params import check_count, check_dps

    density = PiecewiseDensity.parse(args.density)
    count = check_count(args.count, 400, "count")
    dps = check_dps(args.dps)
    require(dps <= 60, f"dps {dps} is too large for a circle spectrum: use 5..60")
    from specbias.derive.sphere.circle import circle_kernel, uniform_eigenvalue
    from specbias.derive.sphere.galerkin import circle_spectrum
    ker = circle_kernel(args.bias, args.inputs)
    if not ker.family:
        require(len(density.breakpoints) == 1, "the Gaussian-bias kernel is supported for the "
                "uniform density only (its eigenvalues are Fourier coefficients): use "
                "--density 0:1 or --bias zero")
        import mpmath
        vals = [mpmath.nstr(uniform_eigenvalue((k + 1) // 2, args.bias, args.inputs, dps), dps)
                for k in range(count)]
        payload = {"kernel": str(ker.expr), "convention": ker.label, "density": density.to_json(),
                   "method": "Fourier coefficients by tanh-sinh quadrature", "digits": dps,
                   "values": vals}
    else:
        with progress_bar(None, "Rayleigh-Ritz degrees") as update:
            spec = circle_spectrum(density, count, dps, (args.bias, args.inputs), progress=update)
        payload = dict(spec.to_spectrum().to_json(), convention=ker.label,
                       kernel=str(ker.expr))
    if args.json:
        print_json(payload)
        return 0
    print(f"# kernel k(delta) = {ker.expr}  ({ker.label}; 0 <= delta <= pi, even)")
    print(f"# {density.describe()}")
    print(f"# method: {payload['method']}; {dps} digits")
    for k, v in enumerate(payload["values"], start=1):
        print(f"lambda_{k} = {v}")
    cert = payload.get("certificate")
    if cert:
        agree = (cert["agreement_rel"] if cert["agreement_rel"] != "0" else
                 f"all {cert['agreement_digits'] - 5} printed digits")
        print(f"# certificate: degrees {cert['previous_degree']} and {cert['degree']} agree to "
              f"{agree} (relative); Ritz values increase: {cert['ritz_monotone']}; "
              f"0 <= lambda_i - theta_i <= {cert['trace_defect']} (trace k(0) = "
              f"{cert['trace_closed_form']})")
    return 0


def _sphere(args) -> int:
    from specbias.errors import InvalidArgument, require

    # cheap checks before SymPy loads (the library repeats them)
    require(2 <= args.dim <= 64, f"dimension d = {args.dim} is out of range: use 2..64")
    if args.activation not in ACTIVATIONS and not args.activation.startswith("formula:"):
        raise InvalidArgument(f"activation {args.activation!r} is unknown: use one of "
                              f"{', '.join(ACTIVATIONS)} or formula:EXPR (e.g. formula:tanh(2*t))")
    require(args.dps <= 60, f"dps {args.dps} is too large for a sphere spectrum: use 5..60")
    from specbias.derive.sphere.funk_hecke import fit_decay, sphere_spectrum
    with progress_bar(None, "Funk-Hecke"):
        spec = sphere_spectrum(args.dim, args.depth, args.activation, args.kernel, args.count,
                               args.dps, args.weight_var, args.bias_var)
    out = dict(spec.to_spectrum().to_json())
    fits = {}
    if args.count >= 24:   # even and odd degrees apart: their lower-order terms differ
        for parity, name in ((0, "even"), (1, "odd")):
            lo = args.count // 2 + (args.count // 2 + parity) % 2
            try:
                f = fit_decay(spec.mp_values, lo, args.count - 1, 2)
            except ValueError:   # e.g. the vanishing odd degrees of a bias-free ReLU NTK
                continue
            fits[name] = f
            out.setdefault("decay_fit", {})[name] = {"exponent": f.exponent, "stderr": f.stderr,
                                                     "degrees": [f.l_lo, f.l_hi]}
    if args.json:
        print_json(out)
        return 0
    print(f"# {out['description']}")
    print(f"# method: {out['method']}; {spec.digits} digits")
    for l, (v, m) in enumerate(zip(spec.values, spec.multiplicities)):
        print(f"mu_{l} = {v}   (multiplicity {m})")
    for name, f in fits.items():
        print(f"# decay on {name} degrees {f.l_lo}..{f.l_hi}: mu_l ~ l^(-s), "
              f"s = {f.exponent:.3f} +- {f.stderr:.3f}")
    return 0
