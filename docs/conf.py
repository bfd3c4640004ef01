"""Sphinx configuration of the specbias documentation (``make docs``)."""

from __future__ import annotations

import os
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(Path(__file__).parent / "_ext"))
os.environ.setdefault("SYMPY_GROUND_TYPES", "python")
os.environ.setdefault("MPLBACKEND", "Agg")

import specbias  # noqa: E402

project = "specbias"
author = "The specbias developers"
copyright = "2026, the specbias developers (BSD-3-Clause)"
release = version = specbias.__version__

extensions = ["sphinx.ext.autodoc", "sphinx.ext.napoleon", "sphinx.ext.doctest",
              "clireference"]
# the docstrings' own examples run under pytest --doctest-modules; the docs test their pages
doctest_test_doctest_blocks = ""
doctest_global_setup = "import specbias"
autodoc_member_order = "bysource"
autodoc_typehints = "none"
napoleon_google_docstring = True
napoleon_numpy_docstring = True
html_theme = "alabaster"
html_static_path: list[str] = []
exclude_patterns = ["_build"]
nitpicky = False
