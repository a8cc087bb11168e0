"""Let ``python -m reader`` behave exactly like the ``reader`` console script."""

from reader.cli.main import main

# Guarded: refresh's worker processes ("spawn") import the main module again, and must not
# run the command a second time.
if __name__ == "__main__":
    raise SystemExit(main())
