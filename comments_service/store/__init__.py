"""Storage: the only code that runs SQL. Knows nothing about HTTP, and decides no policy.

One module per group of tables, each a set of functions taking the connection first:

    comments    the comments table: add, read, list, change status or text, queue search,
                the counts the spam filter asks for
    stats       counts for the CLI and the overview's charts
    moderators  moderator accounts and failed logins
    audit       the audit log (written by the operations, not by storage)
    settings    one text value per key (the rules' JSON, the digest mark, counters)
    corpus      the spam filter's labelled examples
    notices     emails already sent about a comment
    cache       values derived from the database, kept per connection until the next write
    build       the site build's read-only reader (standard library only)
    engine      the database engine: connections, faults, migrations, engine-specific SQL
    timestamps  how times are stored

Storage faults (a full, read-only, failing, locked or unopenable database) are raised as
StorageUnavailable, with the driver's error chained, at one point: `engine.Connection`. Any
other database error is a bug and propagates as it is.

A second engine (PostgreSQL through psycopg 3) plugs in at `engine` without copying queries:

- The table modules write portable SQL with `?` placeholders. Upserts are `INSERT ... ON
  CONFLICT ... DO UPDATE/DO NOTHING`, which both engines run as written.
- They use the connection only through `db.execute` (a DB-API cursor back), `db.query` (dicts)
  and `db.atomic()` (a transaction, nested ones as savepoints), sqlite-utils' interface. The
  PostgreSQL `Database` class provides those three over a psycopg pool connection, rewriting
  `?` to `%s` once per statement text.
- What differs is behind the functions of `engine`: `open_db`/`connection`/`connect` (chosen by
  the address: a file path or `postgresql://...`), the fault translation (psycopg's
  OperationalError, AdminShutdown, ... to StorageUnavailable), `ConstraintViolation`, `insert`
  (lastrowid here, `RETURNING id` there), `insert_many`, `contains` (`instr` or `strpos`),
  `write_stamp` (`PRAGMA data_version` here; a counter bumped by every write there),
  `database_file`, `fits_id` and the migrations. A branch on the engine belongs there only.

Callers keep using `store.X`: every public name of the modules is re-exported here.
"""

from .audit import add_audit, list_audit
from .build import read_approved_for_build
from .cache import DERIVED_MAX, derived
from .comments import (
    APPROVED,
    DELETED,
    NEWEST_FIRST,
    PENDING,
    PUBLIC_FIELDS,
    QUEUE_ORDER,
    SEARCH_COLUMNS,
    SPAM,
    STATUSES,
    CommentNotFound,
    add_comment,
    change_status,
    comment_reasons,
    count_approved,
    count_same_text,
    get_comment,
    get_comments,
    has_approved_comment,
    list_approved,
    list_own,
    pending_since,
    post_times,
    public,
    recent_approved,
    search_comments,
    set_status,
    stop_reply_notices,
    update_body,
)
from .corpus import (
    CORPUS_FIELDS,
    SPAM_CORPUS_VERSION,
    corpus_version,
    count_spam_corpus,
    list_spam_corpus,
    record_spam_label,
    replace_imported_examples,
)
from .engine import (
    BUSY_TIMEOUT_MS,
    StorageUnavailable,
    connection,
    database_file,
    fits_id,
    is_healthy,
    is_storage_fault,
    migrate,
    open_db,
    open_readonly,
    pending_migrations,
)
from .moderators import (
    ModeratorExists,
    add_login_failure,
    add_moderator,
    clear_login_failures,
    find_moderator,
    get_moderator,
    list_moderators,
    login_failures_since,
    moderator_emails,
    remove_moderator,
    set_moderator_password,
)
from .notices import claim_notice
from .settings import get_setting, set_setting
from .stats import comment_threads, count_by_status, count_by_thread, daily_counts_by_status, daily_spam_caught
from .timestamps import isoformat, parse_time, utcnow
