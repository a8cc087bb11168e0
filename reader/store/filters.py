"""What filters did, in the cache: hidden stories and each rule's matches.

The matching itself is ``reader.filters`` (pure); ``stories.save_stories`` writes a new story's
verdict in the transaction that inserts it (``hidden``, ``filter_hits``: schema migration 8).
Here: the counts ``reader filters`` prints, whether the cache hides anything (the view planner
adds its "not hidden" test only then), and showing stories again whose rule is gone.
"""

from __future__ import annotations

import json
from collections.abc import Sequence

from reader.store.connection import Database


def has_hidden(db: Database) -> bool:
    """Whether a filter has hidden any story (one probe of a small table)."""
    return db.conn.execute("SELECT 1 FROM hidden LIMIT 1").fetchone() is not None


def hidden_count(db: Database) -> int:
    """How many stories filters keep out of the views."""
    return int(db.conn.execute("SELECT count(*) FROM hidden").fetchone()[0])


def match_counts(db: Database) -> dict[str, int]:
    """Stories in the cache that each rule (by label, ``FilterRule.label``) has acted on."""
    return {str(rule): int(n) for rule, n in db.conn.execute(
        "SELECT rule, count(*) FROM filter_hits GROUP BY rule")}


def show_unruled(db: Database, hide_labels: Sequence[str]) -> int:
    """Show again the hidden stories that no current ``hide`` rule hid (the person removed or
    changed the rule since); returns how many. Costs a read of the hidden set; writes only
    when there is something to show."""
    stale = """SELECT story FROM hidden WHERE story NOT IN (
                   SELECT story FROM filter_hits WHERE rule IN (SELECT value FROM json_each(?)))"""
    labels = json.dumps(list(hide_labels))
    if db.conn.execute(f"{stale} LIMIT 1", (labels,)).fetchone() is None:
        return 0
    with db.transaction() as conn:
        shown = conn.execute(f"DELETE FROM hidden WHERE story IN ({stale})", (labels,))
        conn.execute("UPDATE content_generation SET n = n + 1 WHERE id = 1")  # plans change
    return int(shown.rowcount)
