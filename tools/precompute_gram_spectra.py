"""Precompute certified Gram matrix spectra for tests/data/ (reference data, computed once).

Writes ``tests/data/gram_spectrum_P{P}_N{N}_uniform.json`` for (P, N) = (1, 1000) and (2, 400)
at 30 digits: all eigenvalues and their certificate, from specbias.derive.matrix.spectrum.
Runtime: about 10 s and 2 s on 2 cores (the N = 1000 case is too slow for the fast test
profile, which is why it is stored; tests compare it with float64 eigvalsh where float64 is
accurate and recompute small cases live). Run from the repository root:

    .venv/bin/python tools/precompute_gram_spectra.py
"""

from __future__ import annotations

import json
import os
import time
from pathlib import Path

from specbias.derive.matrix.spectrum import gram_matrix_spectrum

CASES = ((1, 1000), (2, 400))


def main() -> None:
    os.environ["SPECBIAS_CACHE"] = "off"
    out = Path(__file__).resolve().parent.parent / "tests" / "data"
    out.mkdir(parents=True, exist_ok=True)
    for power, n in CASES:
        t = time.perf_counter()
        spec = gram_matrix_spectrum(power, "uniform", n, dps=30)
        elapsed = time.perf_counter() - t
        path = out / f"gram_spectrum_P{power}_N{n}_uniform.json"
        path.write_text(json.dumps(dict(spec.to_json(), seconds=round(elapsed, 1)), indent=1))
        print(f"{path.name}: {elapsed:.1f} s")


if __name__ == "__main__":
    main()
