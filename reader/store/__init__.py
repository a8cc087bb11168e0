"""The offline cache: plain synchronous sqlite3, one connection per thread.

``connection`` opens the file and runs transactions (``Database``); ``errors`` is what leaves
the package; ``schema`` holds the numbered migrations; ``rows`` the column lists and row
factories; ``decide`` the pure decisions of what a write changes; ``sources``, ``stories``,
``views`` (the list and search planner), ``searches``, ``feeds`` and ``related`` the SQL of
each domain; ``facade`` the ``Store`` that ties them to one connection.
"""

from reader.store.errors import StoreError
from reader.store.facade import Store

__all__ = ["Store", "StoreError"]
