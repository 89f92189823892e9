"""``journal ingest --full``: a new archive written beside the old one, then swapped in.

The old archive stays whole and searchable until the new one is complete: a
full disk, an error or a kill during the rebuild leaves it as it was (the
unfinished rebuild is deleted at once or by the next ingest). Rows that
cannot come from the notes are carried over from the old archive:

* the agent's own entries (``source = "agent"``);
* notes that could not be read this time (a file that fails, a folder that
  cannot be listed, a remembered folder that is missing): nothing is lost
  because a file is unreadable for a moment.

They keep their vectors when the embedding model is the same, and are
re-embedded from their stored text when it changed. From a damaged archive
they are read page by page, so one damaged data file loses only its own rows
(and the report says so).

An archive in an object store (:mod:`journal_agent.archive.location`) is
rebuilt at ``<uri>.rebuild`` and then replaces the shared table's rows in one
overwrite commit (:meth:`journal_agent.archive.store.Archive.replace_with`): there are no folders to rename.
Its readers see the old rows or the new ones; a write another journal commits
while the rebuild runs is replaced with the rest, so run ``--full`` on a shared
archive when no one else is ingesting.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from contextlib import suppress
from typing import Any

from journal_agent.archive.repair import LANCE_ERRORS, REBUILD_MARKER
from journal_agent.archive.schema import carried_row, embedding_text
from journal_agent.archive.store import Archive
from journal_agent.errors import StoreError

PAGE_ROWS = 256  # rows per page when salvaging rows from a damaged table, and per carried-over commit


def rebuild(old: Archive, fill: Callable[[Archive], None], keep_paths: Iterable[str],
            meta: dict[str, Any]) -> tuple[int, int]:
    """Build a complete new archive beside ``old``, then swap it into ``old``'s place.

    Args:
        old: the archive to replace (may be damaged, of an older schema or another model).
        fill: writes the notes into the new archive it is given.
        keep_paths: note paths whose stored chunks are carried over.
        meta: extra ``archive.json`` entries for the new archive (``sources``).

    Returns:
        ``(agent_entries_carried, pages_lost)``: pages of :data:`PAGE_ROWS`
        rows that could not be read from a damaged old archive.

    Raises:
        StoreError: the new archive could not be written (the old one is kept).
    """
    local = old.location.is_local
    target_place = old.location.sibling(".rebuild")
    old.remove_rebuild()
    target = Archive(target_place, old.embedding_name, lambda: old.embedder)
    try:
        fill(target)
        agents, lost = carry_over(old, target, set(keep_paths))
        target.optimize()
        target.write_meta(**meta)
        if local:
            (target_place.path / REBUILD_MARKER).touch()  # the rebuild is complete: finish_swap may use it
        old.replace_with(target)
        if local:
            (old.location.path / REBUILD_MARKER).unlink(missing_ok=True)
    except BaseException:
        old.remove_rebuild()  # give the space back; the old archive is untouched
        raise
    return agents, lost


def carry_over(old: Archive, target: Archive, keep_paths: set[str]) -> tuple[int, int]:
    """Copy agent entries and the notes in ``keep_paths`` from ``old`` into ``target``.

    Returns:
        ``(agent_entries, pages_lost)``.
    """
    rows, lost = salvage_rows(old, lambda r: r.get("source") == "agent" or (
        r.get("source") == "note" and r.get("path") in keep_paths))
    if not rows:
        return 0, lost
    built = old.table_meta() or old.read_meta()
    dimension = len(rows[0]["vector"] or [])
    reuse = built.get("embedding_model") == target.embedding_name and target.dimension in (None, dimension)
    clean = [carried_row(row) for row in rows]  # an older schema's rows in this one's columns
    for start in range(0, len(clean), PAGE_ROWS):
        page = clean[start:start + PAGE_ROWS]
        if not reuse:  # another model: embedded again from the stored text
            for row, vector in zip(page, target.embedder.embed([embedding_text(r) for r in page]), strict=True):
                row["vector"] = vector.tolist()
        target.add_rows(page)
    return sum(1 for r in clean if r["source"] == "agent"), lost


def salvage_rows(archive: Archive, keep: Callable[[dict], bool],
                 columns: list[str] | None = None) -> tuple[list[dict], int]:
    """Rows of ``archive`` for which ``keep(row)`` is true.

    One scan when the table reads cleanly; otherwise page by page
    (:data:`PAGE_ROWS` rows, by offset), skipping pages that cannot be read.

    Returns:
        ``(rows, pages_lost)``.
    """
    table = archive.table
    if table is None:
        return [], 0
    with suppress(*LANCE_ERRORS):
        query = table.search().limit(None)
        return [row for row in (query.select(columns) if columns else query).to_list() if keep(row)], 0
    try:
        total = table.count_rows()
    except LANCE_ERRORS as exc:
        raise StoreError(f"the archive at {archive.directory} cannot be read at all ({exc}); "
                         f"delete it and run `journal ingest --full`") from exc
    kept, lost = [], 0
    for offset in range(0, total, PAGE_ROWS):
        query = table.search().offset(offset).limit(PAGE_ROWS)
        try:
            page = (query.select(columns) if columns else query).to_list()
        except LANCE_ERRORS:
            lost += 1
            continue
        kept += [row for row in page if keep(row)]
    return kept, lost
