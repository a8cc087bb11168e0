"""The offline cache: plain synchronous sqlite3, one connection per thread.

``schema`` holds the numbered migrations; ``stories`` the reads and writes of stories, their
state and links; ``sources`` the seed folders and feeds. ``Store`` ties them to one connection.
"""

from reader.store.connection import Store, StoreError

__all__ = ["Store", "StoreError"]
