"""Let ``python -m reader`` behave exactly like the ``reader`` console script (``run``)."""


def run() -> int:
    """The command line's entry point: start-up, then the command.

    The collector rests while the command line loads (``collector.pause_start_up``): ``main``
    freezes what loading made once the command's own work begins. Until then what loading
    compiles (regular expressions, dataclasses' methods) is taken from what the last run kept
    (``start_cache``). Nothing happens on import: a process that ``multiprocessing`` spawns
    (refresh's workers, the app's refresh) imports the console script, and with it this
    module, again."""
    from reader import collector, start_cache

    collector.pause_start_up()
    start_cache.start()
    from reader.cli.main import main

    return main()


if __name__ == "__main__":
    raise SystemExit(run())
