"""A story's pictures, saved while the network is there so the story reads whole offline.

``refs`` finds the images a story's Markdown references (pure); ``process`` checks,
downscales and re-encodes downloaded bytes with Pillow (the ``images`` extra); ``download``
fetches them with the same politeness as feeds; ``cache`` keeps the files in the platform
cache folder with their index in SQLite, under a total size cap. Showing them is the UI's.
"""


def images_available() -> bool:
    """Whether the ``images`` extra (Pillow) is installed: without it no image is saved."""
    try:
        import PIL  # noqa: F401
    except ImportError:
        return False
    return True
