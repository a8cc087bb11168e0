"""reader: a keyboard-driven terminal news reader with an offline cache.

The package is layered so data flows one way: ``models`` ← ``seeds``/``feeds`` (ingest),
``store`` (SQLite), ``related``/``search`` (queries), ``history`` ← ``ui`` (Textual).
Only ``reader.ui`` imports Textual; the command line and the tests use the rest directly.
"""

__version__ = "0.1.0"
