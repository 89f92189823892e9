"""Archival memory: the LanceDB store of note chunks (and the agent's own entries), one class.

One table, ``chunks``, under ``.journal/archive.lance`` or at ``[archive] uri`` (a folder, or an object store
shared by several journals: :mod:`journal_agent.archive.location`), one row per chunk (columns, the ``private``
flag and the records of how it was built: :mod:`journal_agent.archive.schema`). ``search_text`` (title + heading
path + text) carries LanceDB's native full-text index (BM25, English stemming, stop words), made with the table;
``vector`` holds the L2-normalized embedding searched by cosine distance: exactly below
:data:`~journal_agent.archive.ann.MIN_ROWS` chunks, through an ANN index from there (:mod:`.ann`).

:class:`Archive` owns the table: opening, the metadata (``archive.json``, or its rows in an object store),
checks, writes, the raw queries (scan, BM25, nearest vectors) and the repair of what failed writes left.
Ranking notes for a question is :mod:`journal_agent.archive.search`'s; what a local folder needs on disk
is :mod:`.repair`'s and what an object store needs is :mod:`.remote`'s (plain functions on paths and LanceDB
connections: neither touches an ``Archive``).

Every write is one LanceDB commit (a new table version): a note's chunks are replaced with one ``merge_insert``
(insert or update by ``id``, delete the note's other chunks, one transaction), so a failed or killed write
leaves the previous version whole. Faults become :class:`StoreError` lines (:func:`.repair.storage_errors`).
"""

from __future__ import annotations

import datetime as dt
import shutil
import uuid
from collections.abc import Callable, Iterable, Sequence
from contextlib import suppress
from dataclasses import dataclass
from functools import cached_property, partial
from pathlib import Path
from typing import TYPE_CHECKING, Any, TypeVar

from journal_agent.archive import ann, location, remote, repair, schema
from journal_agent.archive.location import ArchiveLocation
from journal_agent.archive.schema import sql_text
from journal_agent.errors import StoreError
from journal_agent.workspace import read_record, recorded_sources

if TYPE_CHECKING:
    from journal_agent.archive.embeddings import Embedder
    from journal_agent.notes.chunking import Chunk
    from journal_agent.notes.model import Note
    from journal_agent.workspace import Journal

T = TypeVar("T")
TABLE = "chunks"
_IN_LIST = 500  # paths per SQL IN (...) list
_QUERY_VECTORS = 32  # query embeddings remembered (one question searches 2-3 times)


@dataclass
class ArchiveStats:
    """What :meth:`Archive.stats` counts: distinct notes, note chunks, agent entries, and the notes' date span."""

    notes: int
    chunks: int
    agent_entries: int
    first_date: dt.date | None
    last_date: dt.date | None


@dataclass(frozen=True)
class ArchiveSpan:
    """What the stored note entries cover: the first and last date (an entry's ``end_date`` counts) and the
    lowest and highest learning day (``None`` when no entry has one). Used to read a question's year-less
    date ("June 16th", issue 18) and "the last week of the challenge"."""

    first_date: dt.date | None
    last_date: dt.date | None
    first_day: int | None
    last_day: int | None

    @property
    def dates(self) -> tuple[dt.date, dt.date] | None:
        """``(first_date, last_date)``, or ``None`` for an empty archive."""
        return (self.first_date, self.last_date) if self.first_date and self.last_date else None


class Archive:
    """The archival store of one journal. Open with :meth:`open`.

    The embedder is created on first use, so full-text-only work never loads a
    model. The folder is created only when something is written, so reading
    a journal that has no archive (or a read-only one) writes nothing.

    ``directory``: the local folder, or an :class:`~journal_agent.archive.location.ArchiveLocation`
    (a folder or an object-store URI); :attr:`directory` is then the folder's ``Path`` or the URI.
    :attr:`table` is the LanceDB table ``chunks``: ``None`` before the first write or when it could
    not be opened (:attr:`damage`).
    """

    def __init__(self, directory: Path | str | ArchiveLocation, embedding_name: str, embedder_factory):
        self.location = location.as_location(directory)
        # In an object store the URI (a str), used there only in messages and as a LanceDB address.
        self.directory: Path = self.location.path if self.location.is_local else self.location.uri  # type: ignore[assignment]
        self.embedding_name = embedding_name
        self._embedder_factory = embedder_factory
        self._db: Any = None
        self.table: Any = None
        self.damage: StoreError | None = None
        self._query_vectors: dict[str, Any] = {}  # query text → embedding (see query_vector)
        self._span: tuple[Any, ArchiveSpan] | None = None  # (table version, span) of the last span()
        self._open_table()

    @classmethod
    def open(cls, journal: Journal, embedder: Embedder | None = None, check: bool = True) -> Archive:
        """Open the store of ``journal`` (created on the first write).

        Args:
            journal: the journal.
            embedder: use this embedder (its ``name`` is the model checked).
            check: check the schema version and embedding model
                (:meth:`check_compatible`) and read every data file and the
                full-text index once (:meth:`verify`).

        Raises:
            StoreError: built with another embedding model or schema version,
                damaged files, or an interrupted rebuild that cannot be put
                back, each with the command that fixes it.
            ConfigError: ``[archive] uri`` names no place LanceDB can store in.
        """
        from journal_agent.archive.embeddings import make_embedder

        name = embedder.name if embedder else journal.config.embedding.model_name
        factory = (lambda: embedder) if embedder else (lambda: make_embedder(journal.config))
        where = location.archive_location(journal)
        if where.is_local:
            repair.finish_swap(where.path)
        archive = cls(where, name, factory)
        if check:
            archive.check_compatible()
            archive.verify()
        return archive

    @property
    def table_dir(self) -> Path:
        """The local table folder (``<directory>/chunks.lance``)."""
        return self.directory / f"{TABLE}.lance"

    def _connect(self):
        if self._db is None:
            import lancedb

            with repair.storage_errors(self.directory, writing=True):  # a local folder is created here
                self._db = lancedb.connect(self.location.uri, storage_options=self.location.storage_options or None)
        return self._db

    def _open_table(self) -> None:
        """Open ``chunks`` if it has a committed version (a creation that never committed is no table).

        A table that cannot be opened (a damaged manifest) is kept in ``damage``
        and raised by :meth:`check_compatible`, :meth:`verify` and writes; a full
        rebuild reads nothing from it.
        """
        self.table = self.damage = None
        if self.location.is_local and (not self.table_dir.is_dir() or repair.is_orphan_table(self.table_dir)):
            return
        try:
            with repair.storage_errors(self.directory, writing=False):
                db = self._connect()
                self.table = db.open_table(TABLE) if self.location.is_local else remote.open_if_exists(db, TABLE)
        except StoreError as exc:
            self.damage = exc

    def verify(self, *, need_index: bool = True) -> None:
        """Read every data file's footer and query the full-text index once.

        Costs one scan of the ``chunk_index`` column and one BM25 query (a few
        milliseconds for thousands of chunks). A deleted or truncated data file
        fails the scan; a deleted index file fails the query (LanceDB opens all of
        an index's files for any query).

        Args:
            need_index: a table with rows but no full-text index is an error
                (``journal ingest`` makes the index, so ingest passes ``False``).

        Raises:
            StoreError: damaged files ("run `journal ingest --full`"), or the index is missing.
        """
        if self.damage:
            raise self.damage
        if self.table is None:
            return
        with repair.storage_errors(self.directory, writing=False):
            if not self.table.count_rows():
                return
            self.scan(None, ["chunk_index"])
            if not self.index_missing():
                self.fts_rows("journal", None, 1, ["chunk_index"])
            elif need_index:
                raise StoreError(
                    f"the archive at {self.directory} has no full-text index yet (an ingest was interrupted); "
                    "run `journal ingest` to finish it")

    @cached_property
    def embedder(self) -> Embedder:
        """The embedding model (made on first use)."""
        return self._embedder_factory()

    def read_meta(self) -> dict:
        """``archive.json`` as a dict (``{}`` when absent); in an object store, the rows of its metadata table.

        Raises StoreError when it cannot be read or parsed."""
        if not self.location.is_local:
            with repair.storage_errors(self.directory, writing=False):
                return remote.read_meta(self._connect())
        return read_record(self.directory / repair.META_FILE)

    def sources(self) -> list[str]:
        """The folders the archive ingested (``sources`` of ``archive.json``: journal-relative, or absolute
        outside the journal), ``["notes"]`` before any was recorded, by the workspace's one rule
        (:func:`~journal_agent.workspace.recorded_sources`; the notes layer reads a local record with
        :meth:`~journal_agent.workspace.Journal.sources`): what :func:`~journal_agent.notes.journal.note_base`
        needs to read a note outside ``notes/`` as ingest read it (its categories, its ``private/`` folders).
        Raises StoreError as :meth:`read_meta`."""
        return recorded_sources(self.read_meta())

    def write_meta(self, **changes: Any) -> None:
        """Update ``archive.json`` with ``changes``, atomically. Raises StoreError when it cannot be written."""
        if not self.location.is_local:
            with repair.storage_errors(self.directory, writing=True):
                remote.write_meta(self._connect(), changes)
            return
        meta = {**self.read_meta(), **changes}
        with repair.storage_errors(self.directory, writing=True):
            self.directory.mkdir(parents=True, exist_ok=True)
            schema.write_json(self.directory / repair.META_FILE, meta)

    @property
    def dimension(self) -> int | None:
        """The vector width of the table (``None`` before the first write)."""
        return self.table_meta().get("dimension")

    def table_meta(self) -> dict:
        """The record in the table's schema metadata (``{}`` for a table written before schema version 2)."""
        return schema.schema_record(self.table.schema) if self.table is not None else {}

    def check_compatible(self) -> None:
        """Raise StoreError when the schema or embedding model recorded differ from ours.

        Both records are checked (:func:`~journal_agent.archive.schema.check_records`);
        a missing ``archive.json`` is first written again from the table's own
        record (not on a read-only journal).
        """
        if self.damage:
            raise self.damage
        if self.table is None:
            return
        meta, recorded = self.read_meta(), self.table_meta()
        if not meta and recorded:
            with suppress(StoreError):  # read-only: the table's record is checked alone
                self.write_meta(**recorded)
        schema.check_records(meta, recorded, self.embedding_name, self.directory)

    def repair(self) -> None:
        """Remove what failed writes left. Call under the ingest lock.

        An unfinished full rebuild (a failed or killed ``--full``) is deleted (:meth:`remove_rebuild`);
        locally, an interrupted rebuild swap is first finished (:func:`.repair.finish_swap`) and a
        table folder with no committed version removed.
        """
        if self.location.is_local:
            repair.finish_swap(self.location.path)
        self.remove_rebuild()
        if self.location.is_local and self.table is None and repair.remove_orphan_table(self.table_dir):
            self._open_table()

    def remove_rebuild(self) -> None:
        """Delete what a full rebuild left beside this archive (``<directory>.rebuild``); best effort."""
        if self.location.is_local:
            shutil.rmtree(repair.rebuild_dir(self.location.path), ignore_errors=True)
        else:
            remote.remove_rebuild(self.location, TABLE)

    def replace_notes(self, notes: Sequence[tuple[Note, list[Chunk]]], vectors) -> int:
        """Replace all chunks of ``notes`` with the given chunks, in one commit.

        Args:
            notes: ``(note, chunks)`` pairs.
            vectors: array ``(total_chunks, dimension)`` in the same order.

        Returns:
            Rows written. One ``merge_insert`` on ``id`` (insert, update, and delete the notes' other
            chunks, in one transaction): a failure or kill leaves the old chunks, never doubled ones.

        Raises:
            StoreError: the write failed (full disk, read-only store).
        """
        pairs = [(note, chunk) for note, chunks in notes for chunk in chunks]
        rows = [schema.note_row(note, chunk, vector) for (note, chunk), vector in zip(pairs, vectors)]
        if not rows:
            return 0
        data = self._ensure_table(rows)
        stale = _notes_at([note.rel_path for note, _ in notes])
        with repair.storage_errors(self.directory, writing=True):
            (self.table.merge_insert("id").when_matched_update_all().when_not_matched_insert_all()
             .when_not_matched_by_source_delete(stale).execute(data))
        return len(rows)

    def add_rows(self, rows: list[dict]) -> None:
        """Append complete rows (``note_row``/``agent_row`` shapes) in one commit (used by rebuilds)."""
        if not rows:
            return
        data = self._ensure_table(rows)
        with repair.storage_errors(self.directory, writing=True):
            self.table.add(data)

    def remove_paths(self, paths: Iterable[str]) -> None:
        """Delete every note chunk whose ``path`` is in ``paths`` (one commit per 500 paths)."""
        paths = list(paths)
        if self.table is None or not paths:
            return
        with repair.storage_errors(self.directory, writing=True):
            for start in range(0, len(paths), _IN_LIST):
                self._retry(partial(self.table.delete, _notes_at(paths[start : start + _IN_LIST])))

    def insert_agent_memory(self, content: str, tags: list[str] | None = None) -> str:
        """Store an entry the agent wrote itself (``source = "agent"``, never published).

        Returns:
            The new entry's id (``agent:<hex>``).

        Raises:
            ValueError: empty content.
            StoreError: the write failed (full disk, read-only store).
        """
        if not content.strip():
            raise ValueError("content is empty")
        entry_id = f"agent:{uuid.uuid4().hex[:12]}"
        now, vector = dt.datetime.now().replace(microsecond=0), self.embedder.embed([content])[0]
        self.add_rows([schema.agent_row(entry_id, content, list(tags or []), now, vector)])
        self.optimize()
        return entry_id

    def optimize(self) -> None:
        """Bring the indices up to date and compact files.

        The full-text index is created if missing; the ANN vector index is
        created once the table reaches :data:`~journal_agent.archive.ann.MIN_ROWS`
        rows (retrained after large growth: :func:`~journal_agent.archive.ann.maintain`);
        LanceDB's ``optimize()`` then compacts data files and folds the rows
        written since into both indices. A commit conflict with another
        journal writing the same archive is retried on the latest version.
        """
        if self.table is None:
            return
        with repair.storage_errors(self.directory, writing=True):
            self._ensure_index()
            self._retry(lambda: ann.maintain(self.table))
            # Versions older than an hour go; a concurrent reader still on a recent one is safe.
            self._retry(lambda: self.table.optimize(cleanup_older_than=dt.timedelta(hours=1)))

    def replace_with(self, rebuilt: Archive) -> None:
        """Swap the complete archive ``rebuilt`` (written beside this one) into this one's place, and reopen.

        In an object store the rows are replaced in one overwrite commit instead (:meth:`_overwrite_with`).

        Raises:
            StoreError: the folders could not be renamed (or the overwrite failed).
        """
        if not self.location.is_local:
            self._overwrite_with(rebuilt)
            return
        rebuilt._db = rebuilt.table = None
        with repair.storage_errors(self.directory, writing=True):
            repair.swap_in(rebuilt.directory, self.directory)
        self._db = None
        self._open_table()

    def _overwrite_with(self, rebuilt: Archive) -> None:
        """Replace the rows of this object-store archive with ``rebuilt``'s in one commit, then drop ``rebuilt``.

        The ``overwrite`` commit carries the rebuilt table's schema (so its record
        of model and schema version); the indices are made again after it
        (:meth:`optimize`) and the metadata rows copied. Readers see the old rows
        or the new ones.

        Raises:
            StoreError: the overwrite failed (the old rows are kept).
        """
        with repair.storage_errors(self.directory, writing=True):
            data = rebuilt.table.to_arrow() if rebuilt.table is not None else None
            meta = rebuilt.read_meta()
            if data is not None and self.table is not None:
                self.table.add(data, mode="overwrite")  # one Overwrite commit: schema (and its record) included
            elif data is not None:  # no table yet, or one that cannot be opened (damaged): made anew
                remote.drop_table(self._connect(), TABLE)
                self._connect().create_table(TABLE, data=data)
        self._open_table()
        self.optimize()
        self.write_meta(**meta)
        self.remove_rebuild()

    def _ensure_table(self, rows: list[dict]):
        """Create the table for ``rows`` (schema metadata recorded, full-text index made) unless it exists.

        Returns ``rows`` as an Arrow table of the table's schema."""
        import pyarrow as pa

        dimension = len(rows[0]["vector"])
        if self.damage:
            raise self.damage  # never write a new table over one that could not be opened
        if self.table is None:
            record = schema.build_record(self.embedding_name, dimension)
            created = True
            with repair.storage_errors(self.directory, writing=True):
                db = self._connect()
                create = lambda: db.create_table(TABLE, schema=schema.arrow_schema(dimension, record))  # noqa: E731
                if not self.location.is_local:  # shared: another journal may be creating it at this moment
                    self.table, created = remote.create_or_open(db, TABLE, create)
                else:
                    repair.remove_orphan_table(self.table_dir)
                    try:
                        self.table = create()
                    except repair.LANCE_ERRORS:
                        repair.remove_orphan_table(self.table_dir)  # give the space back; nothing was committed
                        raise
            if created:
                self.write_meta(**record)
            else:
                self.check_compatible()  # the table another journal made must be of our model and schema
        with repair.storage_errors(self.directory, writing=True):
            self._ensure_index()
        return pa.Table.from_pylist(rows, schema=schema.arrow_schema(dimension))

    def _retry(self, action: Callable[[], T]) -> T:
        """``action()``, run again on the latest version after a commit conflict (:func:`.remote.retry_conflicts`)."""
        return remote.retry_conflicts(action, self.table.checkout_latest)

    def _ensure_index(self) -> None:
        from lancedb.index import FTS

        def create() -> None:
            if self.index_missing():
                self.table.create_index(
                    "search_text", config=FTS(language="English", stem=True, remove_stop_words=True))

        self._retry(create)

    def index_missing(self) -> bool:
        """Whether the table exists without its full-text index (a write failed before making it)."""
        with repair.storage_errors(self.directory, writing=False):
            return self.table is not None and not any(ix.columns == ["search_text"]
                                                       for ix in self.table.list_indices())

    def scan(self, where: str | None, columns: list[str] | None):
        """Every row (``where``: a SQL filter, or ``None``) as an Arrow table of ``columns`` (``None``: all).

        Raises:
            StoreError: a data file cannot be read (run ``journal ingest --full``).
        """
        import pyarrow as pa

        if self.table is None:
            return pa.table({c: pa.array([], pa.string()) for c in columns or ["path"]})
        query = self.table.search().limit(None)
        query = query.select(columns) if columns else query
        with repair.storage_errors(self.directory, writing=False):
            return (query.where(where) if where else query).to_arrow()

    def fts_rows(self, text: str, where: str | None, limit: int, columns: list[str]) -> list[dict]:
        """The ``limit`` best BM25 matches of ``text`` in ``search_text`` (``where`` applied first), best first.

        Returns:
            Rows of ``columns`` plus ``_score`` (BM25, higher is better); ``[]`` with no table.
        """
        from lancedb.query import MatchQuery

        if self.table is None:
            return []
        # MatchQuery's __init__ fills boost, fuzziness, ... (mypy's pydantic plugin reads them as required)
        match = MatchQuery(text, "search_text")  # type: ignore[call-arg]
        return _rows(self.table.search(match, query_type="fts"), where, limit, columns + ["_score"])

    def vector_rows(self, vector, where: str | None, limit: int, columns: list[str]) -> list[dict]:
        """The ``limit`` rows nearest ``vector`` by cosine distance (``where`` applied first), nearest first.

        Exact below :data:`~journal_agent.archive.ann.MIN_ROWS` chunks, through the ANN index
        from there (:func:`~journal_agent.archive.ann.tune`).

        Returns:
            Rows of ``columns`` plus ``_distance`` (cosine distance, 0 to 2); ``[]`` with no table.
        """
        if self.table is None:
            return []
        builder = ann.tune(self.table.search(vector, query_type="vector").distance_type("cosine"), self.table, where)
        return _rows(builder, where, limit, columns + ["_distance"])

    def query_vector(self, text: str):
        """The embedding of the query ``text`` (shape ``(dimension,)``), remembered for the next few searches."""
        cache = self._query_vectors
        if text not in cache:
            if len(cache) >= _QUERY_VECTORS:
                cache.pop(next(iter(cache)))
            cache[text] = self.embedder.embed([text])[0]
        return cache[text]

    def stats(self) -> ArchiveStats:
        """Counts and journal-date span of what the store holds (notes and chunks of ``source = "note"``)."""
        table = self.scan(None, ["source", "path"])  # no rows before the first write
        sources = table.column("source").to_pylist()
        paths = table.column("path").to_pylist()
        span = self.span()
        return ArchiveStats(notes=len({p for p, s in zip(paths, sources, strict=True) if s == "note"}),
                            chunks=sources.count("note"), agent_entries=sources.count("agent"),
                            first_date=span.first_date, last_date=span.last_date)

    def span(self) -> ArchiveSpan:
        """The dates and learning days the stored note entries cover (:class:`ArchiveSpan`); one scan of four
        columns, remembered until the table changes.

        The dates are those the learner wrote (front matter, headings, file and folder names) or git recorded:
        an entry dated by its file's modification time (``date_source`` ``mtime``, a copied index README) is
        left out, as ``journal stats`` leaves it out (:func:`journal_agent.notes.stats.compute_stats`), unless
        every entry is dated so. Issue 18: an index dated 2024 by mtime put "July 4" of a 2023 log in 2024.
        """
        from journal_agent.notes.model import FILE_TIME_SOURCE

        if self.table is None:
            return ArchiveSpan(None, None, None, None)
        version = self.table.version
        if self._span is None or self._span[0] != version:
            table = self.scan("source = 'note'", ["date", "end_date", "days", "date_source"])
            written = [source != FILE_TIME_SOURCE for source in table.column("date_source").to_pylist()]
            if any(written):
                table = table.filter(written)
            starts = [d for d in table.column("date").to_pylist() if d is not None]
            ends = [d for d in table.column("end_date").to_pylist() if d is not None] + starts
            days = [n for listed in table.column("days").to_pylist() for n in listed or []]
            self._span = (version, ArchiveSpan(min(starts, default=None), max(ends, default=None),
                                               min(days, default=None), max(days, default=None)))
        return self._span[1]


def _rows(builder, where: str | None, limit: int, columns: list[str]) -> list[dict]:
    """The ``limit`` first rows of a LanceDB query ``builder``, ``where`` applied before the search."""
    return (builder.where(where, prefilter=True) if where else builder).select(columns).limit(limit).to_list()


def _notes_at(paths: Iterable[str]) -> str:
    """The SQL filter for the note chunks stored under ``paths``."""
    return f"source = 'note' AND path IN ({', '.join(sql_text(p) for p in paths)})"
