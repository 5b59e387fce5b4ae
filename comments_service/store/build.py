"""The site build's one read of the comments, with the standard library alone.

Importing sqlite-utils (and numpy behind it) would cost every build 0.15 s of CPU, so this
module and the engine functions it calls import nothing else.
"""

from __future__ import annotations

from pathlib import Path

from .comments import APPROVED, PUBLIC_FIELDS
from .engine import connect

_APPROVED_FOR_BUILD = (
    f"SELECT thread, {', '.join(PUBLIC_FIELDS)} FROM comments"
    " WHERE status = ? ORDER BY thread, created_at, id"
)


def read_approved_for_build(path: str | Path | None) -> dict[str, list[dict]]:
    """Every approved comment grouped by thread, each thread as list_approved gives it.

    Read-only. {} when there is no database; sqlite3.Error for one it cannot read (an older
    schema, a damaged file)."""
    if not path or not Path(path).is_file():
        return {}
    grouped: dict[str, list[dict]] = {}
    conn = connect(path, readonly=True)
    try:
        for thread, *values in conn.execute(_APPROVED_FOR_BUILD, [APPROVED]):
            comment = dict(zip(PUBLIC_FIELDS, values))
            comment["by_moderator"] = bool(comment["by_moderator"])
            comment["website"] = comment["website"] or ""
            grouped.setdefault(thread, []).append(comment)
    finally:
        conn.close()
    return grouped
