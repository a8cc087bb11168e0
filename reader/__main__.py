"""Let ``python -m reader`` behave exactly like the ``reader`` console script (``run``)."""


def run() -> int:
    """The command line's entry point: start-up, then the command.

    The collector rests while the command line loads (``collector.pause_start_up``): ``main``
    freezes what loading made once the command's own work begins. Until then what loading
    compiles (regular expressions, dataclasses' methods) is taken from what the last run kept
    (``start_cache``). Nothing happens on import: a process that ``multiprocessing`` spawns
    (refresh's workers, the app's refresh) imports the console script, and with it this
    module, again."""
    import sys

    from reader import collector, start_cache

    collector.pause_start_up()
    start_cache.start()
    if refreshes(sys.argv[1:]):
        # Its parse workers' zygote, first: it imports the parser while this process imports
        # the rest (``reader.refresh.zygote``).
        from reader.refresh import zygote

        zygote.begin()
    from reader.cli.main import main

    return main()


def refreshes(args: list[str]) -> bool:
    """Whether the command line is ``reader refresh`` (after the global options ``--home`` and
    ``--seeds``), asking for no help: read without argparse, which is not loaded yet. A
    command line this misreads only starts without its zygote (or ends an unused one)."""
    at = 0
    while at < len(args):
        if args[at] in ("--home", "--seeds"):
            at += 2
        elif args[at].startswith(("--home=", "--seeds=")):
            at += 1
        else:
            break
    return (at < len(args) and args[at] == "refresh"
            and not {"-h", "--help"} & set(args[at + 1:]))


if __name__ == "__main__":
    raise SystemExit(run())
