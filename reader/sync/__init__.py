"""Sync with a feed server the user already runs (Fever API, Tiny Tiny RSS JSON API).

The server's subscriptions become sources, its items become stories through the same
conversion and identity rules as fetched feeds, and marks travel both ways: local marks through
the outbox (written by a trigger in the same transaction as the mark, schema migration 7),
the server's marks applied after ours were sent. ``service`` holds the small interface every
protocol module implements; ``engine`` runs a sync against any of them.
"""
