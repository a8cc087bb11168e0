"""Seed articles: folders of plain-text articles loaded into the cache as sources.

``format`` parses one article file (pure); ``loader`` brings whole folders into the cache,
parsing only the files that changed. The other way stories arrive is ``reader.refresh``.
"""
