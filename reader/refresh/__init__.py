"""Refreshing and subscribing: fetch, parse and store tied together.

``pipeline`` runs a refresh (``refresh_feeds``): fetching every feed concurrently on an asyncio
loop, parsing in ``parse_workers``, storing through the one ``writer`` thread, and reporting
each feed's ``outcomes`` as it finishes. ``subscribe`` adds one feed with its first stories;
``child`` runs a refresh in a child process for the app. Nothing is imported here: the app
must start without the fetch and parse layers (httpx, feedparser), which these modules load.
"""
