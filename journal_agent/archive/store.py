"""Archival memory: the LanceDB store of note chunks (and the agent's own entries).

One table, ``chunks``, under ``.journal/archive.lance`` or at ``[archive] uri`` (a folder, or an object store
shared by several journals: :mod:`journal_agent.archive.location`), one row per chunk (columns, the ``private``
flag and the records of how it was built: :mod:`journal_agent.archive.schema`). ``search_text`` (title + heading
path + text) carries LanceDB's native full-text index (BM25, English stemming, stop words), made with the table;
``vector`` holds the L2-normalized embedding searched by cosine distance: exactly below
:data:`~journal_agent.archive.ann.MIN_ROWS` chunks, through an ANN index from there (:mod:`.ann`). Hybrid search
fuses the two ranked lists with reciprocal rank fusion (Cormack, Clarke & Büttcher, SIGIR 2009):
``score = sum(1 / (RRF_K + rank))``.

Every write is one LanceDB commit (a new table version): a note's chunks are replaced with one ``merge_insert``
(insert or update by ``id``, delete the note's other chunks, one transaction), so a failed or killed write
leaves the previous version whole. Faults become :class:`StoreError` lines (:mod:`journal_agent.archive.repair`).
"""

from __future__ import annotations

import datetime as dt
import uuid
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from functools import partial
from pathlib import Path
from typing import TYPE_CHECKING, Any

from journal_agent.archive import ann, location, remote, repair, schema
from journal_agent.archive.location import ArchiveLocation
from journal_agent.archive.meta import ArchiveMeta
from journal_agent.archive.query import (
    COLUMNS,
    MODES,
    SearchHit,
    SearchMode,
    hit_from_row,
    rrf_fuse,
    sql_text,
    where_clause,
)
from journal_agent.errors import StoreError

if TYPE_CHECKING:
    from journal_agent.archive.embeddings import Embedder
    from journal_agent.notes.chunking import Chunk
    from journal_agent.notes.model import Note
    from journal_agent.workspace import Journal

TABLE = "chunks"
# Weight of the vector ranking in hybrid RRF (BM25's is 1). Measured: 0.5 lifts
# LoCoMo session Recall@5 0.866 -> 0.887 but drops our TIL questions' hybrid
# Recall@5 (no dates) 0.983 -> 0.950; learning notes are what this tool is for.
VECTOR_WEIGHT = 1.0
_IN_LIST = 500  # paths per SQL IN (...) list


@dataclass
class ArchiveStats:
    notes: int
    chunks: int
    agent_entries: int
    first_date: dt.date | None
    last_date: dt.date | None


class Archive(ArchiveMeta):
    """The archival store of one journal. Open with :meth:`open`.

    The embedder is created on first use, so full-text-only work never loads a
    model. The folder is created only when something is written, so reading
    a journal that has no archive (or a read-only one) writes nothing.

    ``directory``: the local folder, or an :class:`~journal_agent.archive.location.ArchiveLocation`
    (a folder or an object-store URI); :attr:`directory` is then the folder's ``Path`` or the URI.
    """

    def __init__(self, directory: Path | str | ArchiveLocation, embedding_name: str, embedder_factory):
        self.location = location.as_location(directory)
        self.directory: Path = self.location.path if self.location.is_local else self.location.uri
        self.embedding_name = embedding_name
        self._embedder_factory = embedder_factory
        self._embedder: Embedder | None = None
        self._db: Any = None
        self._table: Any = None
        self.damage: StoreError | None = None
        self._query_vectors: dict[str, object] = {}  # query text → embedding (see _query_vector)
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
        self._table = self.damage = None
        if self.location.is_local and (not self.table_dir.is_dir() or repair.is_orphan_table(self.table_dir)):
            return
        try:
            with repair.storage_errors(self.directory, writing=False):
                db = self._connect()
                self._table = db.open_table(TABLE) if self.location.is_local else remote.open_if_exists(db, TABLE)
        except StoreError as exc:
            self.damage = exc

    def verify(self, *, need_index: bool = True) -> None:
        """Read every data file and the full-text index once (:func:`~journal_agent.archive.repair.verify_archive`).

        Raises:
            StoreError: damaged files ("run `journal ingest --full`"), or no
                full-text index when ``need_index``.
        """
        if self.damage:
            raise self.damage
        repair.verify_archive(self, need_index=need_index)

    @property
    def embedder(self) -> Embedder:
        if self._embedder is None:
            self._embedder = self._embedder_factory()
        return self._embedder

    # -- writing -------------------------------------------------------------------
    def repair(self) -> None:
        """Remove what failed writes left (a table folder with no committed version; in an object store, an
        unfinished full rebuild). Call under the ingest lock."""
        if not self.location.is_local:
            remote.remove_rebuild(self.location, TABLE)
        elif self._table is None and repair.remove_orphan_table(self.table_dir):
            self._open_table()

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
        rows = []
        position = 0
        for note, chunks in notes:
            for chunk in chunks:
                rows.append(schema.note_row(note, chunk, vectors[position]))
                position += 1
        if not rows:
            return 0
        paths = [note.rel_path for note, _ in notes]
        self._ensure_table(len(rows[0]["vector"]))
        data = self._arrow(rows)
        stale = f"source = 'note' AND path IN ({', '.join(sql_text(p) for p in paths)})"
        with repair.storage_errors(self.directory, writing=True):
            (self._table.merge_insert("id")
             .when_matched_update_all()
             .when_not_matched_insert_all()
             .when_not_matched_by_source_delete(stale)
             .execute(data))
        return len(rows)

    def add_rows(self, rows: list[dict]) -> None:
        """Append complete rows (``note_row``/``agent_row`` shapes) in one commit (used by rebuilds)."""
        if not rows:
            return
        self._ensure_table(len(rows[0]["vector"]))
        data = self._arrow(rows)
        with repair.storage_errors(self.directory, writing=True):
            self._table.add(data)

    def remove_paths(self, paths: Iterable[str]) -> None:
        """Delete every note chunk whose ``path`` is in ``paths`` (one commit per 500 paths)."""
        paths = list(paths)
        if self._table is None or not paths:
            return
        with repair.storage_errors(self.directory, writing=True):
            for start in range(0, len(paths), _IN_LIST):
                listed = ", ".join(sql_text(p) for p in paths[start : start + _IN_LIST])
                where = f"source = 'note' AND path IN ({listed})"
                remote.retry_conflicts(partial(self._table.delete, where), self._table.checkout_latest)

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
        now = dt.datetime.now().replace(microsecond=0)
        vector = self.embedder.embed([content])[0]
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
        if self._table is None:
            return
        with repair.storage_errors(self.directory, writing=True):
            self._ensure_index()
            remote.retry_conflicts(lambda: ann.maintain(self._table), self._table.checkout_latest)
            # Versions older than an hour go; a concurrent reader still on a recent one is safe.
            remote.retry_conflicts(lambda: self._table.optimize(cleanup_older_than=dt.timedelta(hours=1)),
                                   self._table.checkout_latest)

    def replace_with(self, rebuilt: Archive) -> None:
        """Swap the complete archive ``rebuilt`` (written beside this one) into this one's place, and reopen.

        In an object store the rows are replaced in one overwrite commit instead
        (:func:`~journal_agent.archive.remote.replace_rows`).

        Raises:
            StoreError: the folders could not be renamed (or the overwrite failed).
        """
        if not self.location.is_local:
            remote.replace_rows(self, rebuilt, TABLE)
            return
        rebuilt._db = rebuilt._table = None
        with repair.storage_errors(self.directory, writing=True):
            repair.swap_in(rebuilt.directory, self.directory)
        self._db = None
        self._open_table()

    def _ensure_table(self, dimension: int) -> None:
        """Create the table (schema metadata recorded, full-text index made) unless it exists."""
        if self.damage:
            raise self.damage  # never write a new table over one that could not be opened
        if self._table is None:
            record = schema.build_record(self.embedding_name, dimension)
            created = True
            with repair.storage_errors(self.directory, writing=True):
                db = self._connect()
                create = lambda: db.create_table(TABLE, schema=schema.arrow_schema(dimension, record))  # noqa: E731
                if not self.location.is_local:  # shared: another journal may be creating it at this moment
                    self._table, created = remote.create_or_open(db, TABLE, create)
                else:
                    repair.remove_orphan_table(self.table_dir)
                    try:
                        self._table = create()
                    except repair.LANCE_ERRORS:
                        repair.remove_orphan_table(self.table_dir)  # give the space back; nothing was committed
                        raise
            if created:
                self.write_meta(**record)
            else:
                self.check_compatible()  # the table another journal made must be of our model and schema
        with repair.storage_errors(self.directory, writing=True):
            self._ensure_index()

    def _ensure_index(self) -> None:
        from lancedb.index import FTS

        def create() -> None:
            if self.index_missing():
                self._table.create_index(
                    "search_text", config=FTS(language="English", stem=True, remove_stop_words=True)
                )

        remote.retry_conflicts(create, self._table.checkout_latest)

    def index_missing(self) -> bool:
        """Whether the table exists without its full-text index (a write failed before making it)."""
        with repair.storage_errors(self.directory, writing=False):
            return self._table is not None and not any(ix.columns == ["search_text"]
                                                       for ix in self._table.list_indices())

    @staticmethod
    def _arrow(rows: list[dict]):
        import pyarrow as pa

        return pa.Table.from_pylist(rows, schema=schema.arrow_schema(len(rows[0]["vector"])))

    # -- reading -------------------------------------------------------------------
    def search(
        self,
        query: str,
        *,
        limit: int = 10,
        offset: int = 0,
        mode: SearchMode = "hybrid",
        since: dt.date | None = None,
        until: dt.date | None = None,
        category: str | None = None,
        source: str | None = "note",
        day: int | None = None,
        include_private: bool = True,
    ) -> list[SearchHit]:
        """Rank chunks for ``query``.

        Args:
            query: free text.
            limit, offset: page of results (chunks, best first).
            mode: ``hybrid`` (BM25 + vector, RRF-fused), ``fts`` or ``vector``.
            since, until: inclusive journal-date bounds.
            category: keep chunks of notes in this category (exact, case-sensitive).
            source: ``"note"``, ``"agent"``, or ``None`` for both.
            day: keep chunks of notes with this learning-day number.
            include_private: ``False`` drops chunks of private and draft notes.

        Raises:
            ValueError: unknown mode.
        """
        if mode not in MODES:
            raise ValueError(f"unknown search mode {mode!r}; use one of {', '.join(MODES)}")
        if self._table is None or not query.strip():
            return []
        where = where_clause(since, until, category, source, day=day, include_private=include_private)
        depth = offset + limit
        if mode == "fts":
            ranked = self._fts(query, where, depth)
        elif mode == "vector":
            ranked = self._vector(query, where, depth)
        else:
            pool = max(depth * 4, 40)
            ranked = rrf_fuse([self._fts(query, where, pool), self._vector(query, where, pool)],
                              weights=[1.0, VECTOR_WEIGHT])
        return [hit_from_row(row, score) for row, score in ranked[offset:depth]]

    def notes_where(
        self,
        *,
        since: dt.date | None = None,
        until: dt.date | None = None,
        category: str | None = None,
        source: str | None = "note",
        day: int | None = None,
        include_private: bool = True,
        limit: int = 200,
    ) -> list[SearchHit]:
        """Notes matching the filters, unranked: each note's first chunk (score 0), oldest first.

        The structured side of search: which notes a day number or a date
        window names, whether or not their text matches the words asked.
        At most ``limit`` notes (the oldest ones when there are more).
        """
        if self._table is None:
            return []
        where = where_clause(since, until, category, source, day=day, include_private=include_private)
        first = "chunk_index = 0" + (f" AND {where}" if where else "")
        rows = self._scan(first, COLUMNS).to_pylist()
        rows.sort(key=lambda row: (row["date"], row["path"]))
        return [hit_from_row(row, 0.0) for row in rows[:limit]]

    def _fts(self, query: str, where: str | None, limit: int) -> list[tuple[dict, float]]:
        from lancedb.query import MatchQuery

        # MatchQuery's __init__ fills boost, fuzziness, ... (mypy's pydantic plugin reads them as required)
        match = MatchQuery(query, "search_text")  # type: ignore[call-arg]
        builder = self._table.search(match, query_type="fts")
        if where:
            builder = builder.where(where, prefilter=True)
        rows = builder.select(COLUMNS + ["_score"]).limit(limit).to_list()
        return [(row, float(row["_score"])) for row in rows]

    def _vector(self, query: str, where: str | None, limit: int) -> list[tuple[dict, float]]:
        vector = self._query_vector(query)
        builder = ann.tune(self._table.search(vector, query_type="vector").distance_type("cosine"), self._table, where)
        if where:
            builder = builder.where(where, prefilter=True)
        rows = builder.select(COLUMNS + ["_distance"]).limit(limit).to_list()
        return [(row, 1.0 - float(row["_distance"])) for row in rows]

    def _query_vector(self, query: str):
        """The query's embedding, remembered for the next few searches (one question searches 2-3 times)."""
        cache = self._query_vectors
        if query not in cache:
            if len(cache) >= 32:
                cache.pop(next(iter(cache)))
            cache[query] = self.embedder.embed([query])[0]
        return cache[query]

    def stats(self) -> ArchiveStats:
        """Counts and journal-date span of what the store holds."""
        if self._table is None:
            return ArchiveStats(0, 0, 0, None, None)
        table = self._scan(None, ["source", "path", "date"])
        sources = table.column("source").to_pylist()
        paths = table.column("path").to_pylist()
        dates = [d for d, s in zip(table.column("date").to_pylist(), sources, strict=True) if s == "note"]
        return ArchiveStats(
            notes=len({p for p, s in zip(paths, sources, strict=True) if s == "note"}),
            chunks=sources.count("note"),
            agent_entries=sources.count("agent"),
            first_date=min(dates) if dates else None,
            last_date=max(dates) if dates else None,
        )

    def _scan(self, where: str | None, columns: list[str] | None):
        """Every row (``where`` filtered) as an Arrow table of ``columns``.

        Raises:
            StoreError: a data file cannot be read (run ``journal ingest --full``).
        """
        import pyarrow as pa

        if self._table is None:
            return pa.table({c: pa.array([], pa.string()) for c in columns or ["path"]})
        query = self._table.search().limit(None)
        query = query.select(columns) if columns else query
        with repair.storage_errors(self.directory, writing=False):
            return (query.where(where) if where else query).to_arrow()
