"""Let ``python -m reader`` behave exactly like the ``reader`` console script."""

from reader.cli.main import main

raise SystemExit(main())
