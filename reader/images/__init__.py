"""A story's pictures, saved while the network is there so the story reads whole offline.

``refs`` finds the images a story's Markdown references (pure); ``process`` checks,
downscales and re-encodes downloaded bytes with Pillow (the ``images`` extra); ``download``
fetches them with the same politeness as feeds; ``cache`` keeps the files in the platform
cache folder with their index in SQLite, under a total size cap. Showing them is the UI's.
"""

import importlib.util


def images_available() -> bool:
    """Whether the ``images`` extra (Pillow) is installed: without it no image is saved.
    Looked up, not imported: the app asks as it starts, and Pillow loads only once an image
    is saved or shown (never before the first frame)."""
    return importlib.util.find_spec("PIL") is not None
