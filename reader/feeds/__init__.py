"""RSS and Atom feeds: the pure parts (parse, HTML to Markdown, discovery, OPML) and fetching.

Parsing is bytes in, models out: no network, no database, so it can run in a worker process
and be tested on golden files. ``fetch`` is the only module here that talks to the network;
``reader.refresh`` ties fetch, parse and the store together.
"""
