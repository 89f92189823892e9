"""What an archive in an object store does differently from a local folder (see :mod:`.location`).

* ``archive.json`` cannot be a file beside the table that several journals
  rewrite, so its entries are rows ``{key, value (JSON)}`` of a small LanceDB
  table :data:`~journal_agent.archive.location.META_TABLE` in the same
  database: written with ``merge_insert`` on ``key`` (one commit, retried by
  LanceDB on conflict), read by every journal pointing at the URI.
* Tables are found by listing the database (there is no folder to stat).
* A full rebuild cannot be swapped in with two folder renames: the rebuilt
  table (written beside, at ``<uri>.rebuild``) replaces the rows of the
  shared table with one ``overwrite`` commit, so readers see the old archive
  or the new one, never a mix; the rebuild is then dropped.
* A write that meets a commit conflict LanceDB could not resolve itself
  (a delete or compaction racing another journal's write to the same data
  files: "Commit conflict for version N ... Please rerun the operation off the
  latest version of the table", lancedb issue #1504) is run again on the
  latest version: :func:`retry_conflicts`.
"""

from __future__ import annotations

import json
import random
import time
from collections.abc import Callable
from contextlib import suppress
from typing import Any, TypeVar

from journal_agent.archive.location import META_TABLE, ArchiveLocation
from journal_agent.archive.repair import LANCE_ERRORS

T = TypeVar("T")
CONFLICT_ATTEMPTS = 6
CONFLICT_PAUSE_SECONDS = 0.2  # first back-off; doubled each attempt, with jitter


def is_conflict(exc: BaseException) -> bool:
    """Whether LanceDB raised a commit conflict (the write may be run again on the latest version)."""
    text = str(exc).lower()
    return "commit conflict" in text or "conflicting transaction" in text or "retryable" in text


def retry_conflicts(action: Callable[[], T], refresh: Callable[[], Any] | None = None,
                    attempts: int = CONFLICT_ATTEMPTS, *,
                    retry_on: Callable[[BaseException], bool] = is_conflict) -> T:
    """Run ``action``; on a commit conflict call ``refresh`` (check out the latest version) and run it again.

    Exponential back-off with jitter (0.2 s, 0.4 s, ... ``attempts`` tries in all). ``retry_on``
    tells which LanceDB errors are worth another try (default: commit conflicts).

    Raises:
        whatever ``action`` raises that is not retried, or the last error retried.
    """
    for attempt in range(attempts):
        try:
            return action()
        except LANCE_ERRORS as exc:
            if attempt == attempts - 1 or not retry_on(exc):
                raise
            time.sleep(CONFLICT_PAUSE_SECONDS * 2 ** attempt * (0.5 + random.random()))
            if refresh is not None:
                refresh()
    raise AssertionError("unreachable")


def table_names(db) -> list[str]:
    """Names of the tables in ``db`` (all pages)."""
    names: list[str] = []
    token = None
    while True:
        page = db.list_tables(page_token=token)
        names += list(page.tables)
        token = page.page_token
        if not token:
            return names


def open_if_exists(db, name: str):
    """Table ``name`` of ``db``, or ``None`` when the database has no such table.

    A table that is listed but has no committed version yet (another journal
    is creating it, or a creation was killed) is no table either: LanceDB
    lists its folder but cannot open it ("Table 'chunks' was not found").
    """
    if name not in table_names(db):
        return None
    try:
        return db.open_table(name)
    except LANCE_ERRORS as exc:
        if "not found" in str(exc).lower():
            return None
        raise


def create_or_open(db, name: str, create: Callable[[], Any], attempts: int = CONFLICT_ATTEMPTS) -> tuple[Any, bool]:
    """Table ``name`` of ``db``, made with ``create()`` unless it exists: ``(table, created)``.

    Two journals may make the shared table at the same moment; the loser
    ("already exists", or a commit conflict) opens the winner's table, waiting
    with back-off while the winner's first version is not committed yet.

    Raises:
        the last error of ``create()`` when the table still cannot be opened
        after ``attempts`` tries (a creation that was killed before its commit).
    """
    def open_or_create() -> tuple[Any, bool]:
        table = open_if_exists(db, name)
        return (table, False) if table is not None else (create(), True)

    return retry_conflicts(open_or_create, attempts=attempts,
                           retry_on=lambda exc: "already exists" in str(exc).lower() or is_conflict(exc))


def read_meta(db) -> dict[str, Any]:
    """The archive's metadata rows as a dict (``{}`` when there are none)."""
    table = open_if_exists(db, META_TABLE)
    if table is None:
        return {}
    return {r["key"]: json.loads(r["value"]) for r in table.search().select(["key", "value"]).limit(None).to_list()}


def write_meta(db, changes: dict[str, Any]) -> None:
    """Insert or update the metadata rows ``changes`` (one commit; the table is made on first use)."""
    import pyarrow as pa

    if not changes:
        return
    schema = pa.schema([("key", pa.string()), ("value", pa.string())])
    data = pa.Table.from_pylist([{"key": k, "value": json.dumps(v)} for k, v in changes.items()], schema=schema)
    table, created = create_or_open(db, META_TABLE, lambda: db.create_table(META_TABLE, data=data))
    if not created:
        retry_conflicts(lambda: table.merge_insert("key").when_matched_update_all().when_not_matched_insert_all()
                        .execute(data), table.checkout_latest)


def drop_table(db, name: str) -> None:
    """Drop table ``name`` of ``db`` if it is there."""
    if name in table_names(db):
        db.drop_table(name)


def remove_rebuild(place: ArchiveLocation, table_name: str) -> None:
    """Drop what a full rebuild of the object-store archive at ``place`` left at ``<uri>.rebuild`` (best effort)."""
    import lancedb

    rebuilt = place.sibling(".rebuild")
    with suppress(*LANCE_ERRORS):  # else dropped by the next ingest
        db = lancedb.connect(rebuilt.uri, storage_options=rebuilt.storage_options or None)
        for name in (table_name, META_TABLE):
            drop_table(db, name)
