"""What filters did, in the cache: hidden stories and each rule's matches.

The matching itself is ``reader.filters`` (pure); ``stories.save_stories`` writes a new story's
verdict in the transaction that inserts it (``hidden``, ``filter_hits``: schema migration 8).
Here: the counts ``reader filters`` prints, whether the cache hides anything (the view planner
adds its "not hidden" test only then), and showing stories again whose rule is gone.
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from typing import Literal

from reader.models import View
from reader.store.connection import Database


def has_hidden(db: Database) -> bool:
    """Whether a filter has hidden any story (one probe of a small table)."""
    return db.conn.execute("SELECT 1 FROM hidden LIMIT 1").fetchone() is not None


Hidden = Literal["shown", "hidden", "any"]
"""Which stories a plan lists as to filters' ``hide``: those not hidden (every view), only the
hidden ones (``is:hidden``), or any (the cache hides nothing, so there is nothing to test)."""


def hidden_clause(rowid: str, which: Hidden) -> str:
    """The test of ``which`` for the story ``rowid``: one probe of the ``hidden`` set (which
    SQLite reads once per statement), so a walk of the time index stays a walk."""
    return f"{rowid} {'NOT ' if which == 'shown' else ''}IN (SELECT story FROM hidden)"


def hidden_filter(db: Database, view: View) -> Hidden:
    """What ``view`` lists of the hidden stories: only them for ``is:hidden``, else none of
    them, and nothing to test while the cache hides nothing (the usual case)."""
    if view.search.hidden:
        return "hidden"
    return "shown" if has_hidden(db) else "any"


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
