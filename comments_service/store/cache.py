"""Values derived from the database (a thread's rendered JSON, counts), kept per connection."""

from __future__ import annotations

import weakref
from typing import TYPE_CHECKING

from .engine import write_stamp

if TYPE_CHECKING:
    from sqlite_utils import Database

DERIVED_MAX = 1024
_derived: "weakref.WeakKeyDictionary[Database, tuple[tuple[int, int], dict]]" = (
    weakref.WeakKeyDictionary()
)


def derived(db: Database, key, build):
    """`build()`, or the value it returned earlier on this connection if nothing was written since.

    Nothing stale survives a write: the engine's write stamp changes when any other connection
    (another worker, the CLI, a moderator) commits, and with this connection's own writes. Any
    write drops every kept value. The stamp is read before `build()` reads, so a value is never
    kept under a stamp newer than its data.
    """
    stamp = write_stamp(db)
    kept = _derived.get(db)
    if kept is None or kept[0] != stamp:
        kept = (stamp, {})
        _derived[db] = kept
    values = kept[1]
    try:
        return values[key]
    except KeyError:
        pass
    value = build()
    if len(values) >= DERIVED_MAX:
        values.pop(next(iter(values)))  # the oldest entry
    values[key] = value
    return value
