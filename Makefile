# specbias: every target builds its own virtual environment from nothing (.venv).
PY ?= python3
VENV ?= .venv
BIN := $(VENV)/bin
# python-flint would switch SymPy's integer backend silently: pin it for reproducibility.
export SYMPY_GROUND_TYPES := python
export MPLBACKEND := Agg

.PHONY: env test test-slow test-all audit readme pdf docs bench bench-nt-env clean

$(BIN)/.installed: pyproject.toml
	$(PY) -m venv $(VENV)
	$(BIN)/pip install -q --upgrade pip
	$(BIN)/pip install -q -e '.[test]'
	touch $@

env: $(BIN)/.installed

## Fast suite (the CI profile): unit, property and CLI tests, doctests; under 10 min on 2 cores.
## Two xdist workers on two cores: one BLAS/OpenMP thread each (more only oversubscribe).
test: $(BIN)/.installed
	OMP_NUM_THREADS=1 OPENBLAS_NUM_THREADS=1 MKL_NUM_THREADS=1 $(BIN)/python -m pytest -m "not slow" -n 2 -q --durations=10

## Slow suite: training runs and long Monte Carlo (pytest exit 5 = none collected is fine).
test-slow: $(BIN)/.installed
	$(BIN)/python -m pytest -m slow -q --durations=10 || [ $$? -eq 5 ]

test-all: test test-slow

## Documentation (docs/_build/html): getting started, worked examples (run as doctests), the
## API from the docstrings, the CLI reference from the parser. Warnings are errors.
$(BIN)/.docs-installed: $(BIN)/.installed pyproject.toml
	$(BIN)/pip install -q -e '.[docs]'
	touch $@

docs: $(BIN)/.docs-installed
	rm -rf docs/_build
	$(BIN)/python -m sphinx -b html -W --keep-going -q docs docs/_build/html
	$(BIN)/python -m sphinx -b doctest -W --keep-going -q docs docs/_build/doctest

## The main job: audit every claim that has an audit, reports under reports/ (with the PDF
## when latexmk is installed, as the committed reports are).
audit: $(BIN)/.installed
	$(BIN)/specbias audit --out reports $$(command -v latexmk >/dev/null && echo --pdf)
	$(BIN)/python -m specbias.reports.readme

## The README's table of verdicts, rewritten from reports/audit.json (a test keeps them equal).
readme: $(BIN)/.installed
	$(BIN)/python -m specbias.reports.readme

## The same, and always compile reports/latex/audit.pdf (needs latexmk and texlive).
pdf: $(BIN)/.installed
	$(BIN)/specbias audit --out reports --pdf

bench: $(BIN)/.installed
	for f in benchmarks/bench_*.py; do $(BIN)/python $$f || exit 1; done

## neural-tangents for benchmarks/bench_ntk.py, in its own environment (about 2.6 GB with
## TensorFlow; 0.6.5 imports with jax 0.4.30 and tf2jax 0.3.6, not with newer JAX).
bench-nt-env: benchmarks/.ntvenv/bin/python
benchmarks/.ntvenv/bin/python:
	$(PY) -m venv benchmarks/.ntvenv
	benchmarks/.ntvenv/bin/pip install -q "neural-tangents==0.6.5" "jax==0.4.30" "jaxlib==0.4.30" \
		"tf2jax==0.3.6" "numpy<2"

clean:
	rm -rf $(VENV) .hypothesis docs/_build
