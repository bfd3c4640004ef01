"""``python -m specbias`` runs the command-line interface."""

from specbias.cli import main

raise SystemExit(main())
