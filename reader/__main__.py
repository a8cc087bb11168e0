"""Let ``python -m reader`` behave exactly like the ``reader`` console script."""

from reader import collector

# The collector rests while the command line loads (``collector.pause_start_up``): ``main``
# freezes what loading made once the command's own work begins.
collector.pause_start_up()

from reader.cli.main import main  # noqa: E402

# Guarded: refresh's worker processes ("spawn") import the main module again, and must not
# run the command a second time.
if __name__ == "__main__":
    raise SystemExit(main())
