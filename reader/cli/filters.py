"""``reader filters``: the ``[[filters]]`` rules of the config and how many stories each matched.

A rule that cannot be used is one ``reader: error:`` line naming it (exit status 2 once the
rest are listed); the others are listed, and a refresh still applies them.
"""

from __future__ import annotations

import argparse
import sys

from reader.cli.context import Context
from reader.cli.output import write_json
from reader.store.filters import hidden_count, match_counts
from reader.text import clean_line


def register(sub: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    """``reader filters`` on the ``reader`` parser."""
    p = sub.add_parser("filters", help="list the [[filters]] rules and what each has matched",
                       description="List the [[filters]] rules of the config: each rule's "
                       "action (read or hide), its query, and how many stories in the cache "
                       "it has acted on. A rule that cannot be used is an error line naming "
                       "it; the others still apply.")
    p.add_argument("--json", action="store_true", help="one JSON object per rule")
    p.set_defaults(func=cmd_filters)


def cmd_filters(context: Context, args: argparse.Namespace) -> int:
    """``reader filters``: every rule with its count; exit 2 if any rule is unusable."""
    rules = context.config.filters
    store = context.store()
    counts = match_counts(store)
    for rule in rules.rules:
        matched = counts.get(rule.label, 0)
        if args.json:
            write_json({"number": rule.number, "name": rule.name, "query": rule.query,
                        "action": rule.action, "matched": matched, "error": None})
        else:
            name = f"  {clean_line(rule.name)!r}" if rule.name else ""
            print(f"{rule.number:>3}  {rule.action:<4}  {clean_line(rule.query)}{name}"
                  f"  · {matched} stor{'ies' if matched != 1 else 'y'}")
    for bad in rules.bad:
        if args.json:
            write_json({"number": bad.number, "name": bad.name, "query": bad.query,
                        "action": None, "matched": 0, "error": bad.reason})
    if not args.json:
        if not rules.rules and not rules.bad:
            print("no filters: add [[filters]] tables (query, action) to the config")
        elif rules.rules:
            hidden = hidden_count(store)
            print(f"{hidden} stor{'ies' if hidden != 1 else 'y'} hidden (search is:hidden"
                  " to see them)")
    sys.stdout.flush()
    for bad in rules.bad:
        print(clean_line(f"reader: error: {bad}"), file=sys.stderr)
    return 2 if rules.bad else 0
