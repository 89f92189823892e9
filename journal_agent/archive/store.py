"""Archival memory: the LanceDB store of note chunks (and the agent's own entries).

One table, ``chunks``, under ``.journal/archive.lance``; one row per chunk::

    id, source ("note" | "agent"), path, title, date, modified, categories,
    tags, day, private, chunk_index, heading, text, search_text, content_hash, vector

``private`` is true for a private or draft note (never shown to a model
unless ``[llm] share_private``); searches may filter on it, on ``day`` (the
learning-day number) and on ``date``.

``search_text`` (title + heading path + text) carries LanceDB's native
full-text index (BM25, English stemming and stop words); ``vector`` holds the
L2-normalized embedding searched by cosine distance. Hybrid search fuses the
two ranked lists with reciprocal rank fusion (Cormack, Clarke & Büttcher,
SIGIR 2009): ``score = sum(1 / (RRF_K + rank))``, ``RRF_K = 60``.

``archive.json`` beside the table records the schema version and the
embedding model; a different model is refused ("re-index needed") so vectors
of two models never share a table.
"""

from __future__ import annotations

import datetime as dt
import json
import uuid
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Iterable, Sequence

from journal_agent.errors import StoreError

if TYPE_CHECKING:
    from journal_agent.notes.chunking import Chunk
    from journal_agent.workspace import Journal
    from journal_agent.archive.embeddings import Embedder
    from journal_agent.notes.model import Note

SCHEMA_VERSION = 2  # 2: the private column
TABLE = "chunks"
RRF_K = 60
# Weight of the vector ranking in hybrid RRF (BM25's is 1). Measured: 0.5 lifts
# LoCoMo session Recall@5 0.866 -> 0.887 but drops our TIL questions' hybrid
# Recall@5 (no dates) 0.983 -> 0.950; learning notes are what this tool is for.
VECTOR_WEIGHT = 1.0
MODES = ("hybrid", "fts", "vector")


@dataclass
class SearchHit:
    """One matching chunk.

    ``score``: RRF score in hybrid mode, BM25 in fts mode, cosine similarity
    (1 - distance) in vector mode; higher is better in every mode.
    """

    path: str
    title: str
    date: dt.date
    categories: list[str]
    tags: list[str]
    score: float
    text: str
    heading: str
    chunk_index: int
    source: str
    day: int | None
    private: bool = False

    def to_json(self) -> dict:
        """The hit as JSON types (date as ISO text, score rounded to 6 places)."""
        return {
            "path": self.path, "title": self.title, "date": self.date.isoformat(),
            "categories": self.categories, "tags": self.tags, "score": round(self.score, 6),
            "text": self.text, "heading": self.heading, "chunk_index": self.chunk_index,
            "source": self.source, "day": self.day, "private": self.private,
        }


@dataclass
class ArchiveStats:
    notes: int
    chunks: int
    agent_entries: int
    first_date: dt.date | None
    last_date: dt.date | None


class Archive:
    """The archival store of one journal. Open with :meth:`open`.

    The embedder is created on first use, so full-text-only work never loads a model.
    """

    def __init__(self, directory: Path, embedding_name: str, embedder_factory):
        import lancedb

        self.directory = Path(directory)
        self.embedding_name = embedding_name
        self._embedder_factory = embedder_factory
        self._embedder: Embedder | None = None
        self._query_vectors: dict[str, object] = {}  # query text → embedding (see _query_vector)
        self._db = lancedb.connect(str(self.directory))
        self._table = self._db.open_table(TABLE) if TABLE in self._table_names() else None

    @classmethod
    def open(cls, journal: "Journal", embedder: "Embedder | None" = None, check: bool = True) -> "Archive":
        """Open (or create) the store of ``journal``.

        Raises:
            StoreError: the store was built with another embedding model or an
                unknown schema version, with the command that fixes it.
        """
        from journal_agent.archive.embeddings import make_embedder

        name = embedder.name if embedder else journal.config.embedding.model_name
        archive = cls(journal.store_dir, name, (lambda: embedder) if embedder else (lambda: make_embedder(journal.config)))
        if check:
            archive.check_compatible()
        return archive

    # -- metadata -----------------------------------------------------------------
    @property
    def meta_path(self) -> Path:
        return self.directory / "archive.json"

    def read_meta(self) -> dict:
        try:
            return json.loads(self.meta_path.read_text(encoding="utf-8"))
        except FileNotFoundError:
            return {}
        except (OSError, json.JSONDecodeError) as exc:
            raise StoreError(f"{self.meta_path}: unreadable ({exc}); run `journal ingest --full`") from exc

    def check_compatible(self) -> None:
        """Raise StoreError when the stored schema or embedding model differ from ours."""
        meta = self.read_meta()
        if self._table is None or not meta:
            return
        version = meta.get("schema_version")
        if version != SCHEMA_VERSION:
            raise StoreError(
                f"the archive at {self.directory} has schema version {version}, this journal-agent "
                f"uses {SCHEMA_VERSION}; run `journal ingest --full` to rebuild it from your notes"
            )
        if meta.get("embedding_model") != self.embedding_name:
            raise StoreError(
                f"re-index needed: the archive was embedded with {meta.get('embedding_model')!r} "
                f"but journal.toml now says {self.embedding_name!r}; run `journal ingest --full`"
            )

    @property
    def embedder(self) -> "Embedder":
        if self._embedder is None:
            self._embedder = self._embedder_factory()
        return self._embedder

    # -- writing -------------------------------------------------------------------
    def reset(self) -> None:
        """Drop every row (notes and agent entries are rebuilt by a full ingest)."""
        if self._table is not None:
            self._db.drop_table(TABLE)
            self._table = None
        self.meta_path.unlink(missing_ok=True)

    def note_hashes(self) -> dict[str, str]:
        """``{path: content_hash}`` of every note in the store."""
        table = self._scan("source = 'note'", ["path", "content_hash"])
        return dict(zip(table.column("path").to_pylist(), table.column("content_hash").to_pylist()))

    def replace_notes(self, notes: Sequence[tuple["Note", list["Chunk"]]], vectors) -> int:
        """Replace all chunks of ``notes`` with the given chunks (one delete, one append).

        Args:
            notes: ``(note, chunks)`` pairs.
            vectors: array ``(total_chunks, dimension)`` in the same order.

        Each LanceDB write is atomic. A kill between the delete and the append
        leaves those notes absent, so the next ingest sees them as new: chunks
        are never doubled.
        """
        rows = []
        position = 0
        for note, chunks in notes:
            for chunk in chunks:
                rows.append(_note_row(note, chunk, vectors[position]))
                position += 1
        self.remove_paths([note.rel_path for note, _ in notes])
        self._append(rows)
        return len(rows)

    def remove_paths(self, paths: Iterable[str]) -> None:
        """Delete every note chunk whose ``path`` is in ``paths``."""
        paths = list(paths)
        if self._table is None or not paths:
            return
        for start in range(0, len(paths), 500):
            quoted = ", ".join(_sql(p) for p in paths[start : start + 500])
            self._table.delete(f"source = 'note' AND path IN ({quoted})")

    def insert_agent_memory(self, content: str, tags: list[str] | None = None) -> str:
        """Store an entry the agent wrote itself (``source = "agent"``, never published).

        Returns:
            The new entry's id (``agent:<hex>``).

        Raises:
            ValueError: empty content.
        """
        if not content.strip():
            raise ValueError("content is empty")
        entry_id = f"agent:{uuid.uuid4().hex[:12]}"
        now = dt.datetime.now().replace(microsecond=0)
        vector = self.embedder.embed([content])[0]
        self._append([{
            "id": entry_id, "source": "agent", "path": entry_id, "title": "Agent memory",
            "date": now.date(), "modified": now, "categories": [], "tags": list(tags or []),
            "day": None, "private": False, "chunk_index": 0, "heading": "", "text": content,
            "search_text": content, "content_hash": "", "vector": vector.tolist(),
        }])
        self.optimize()
        return entry_id

    def optimize(self) -> None:
        """Bring the full-text index up to date (create it on first use) and compact files."""
        if self._table is None:
            return
        from lancedb.index import FTS

        if not any(ix.columns == ["search_text"] for ix in self._table.list_indices()):
            self._table.create_index(
                "search_text", config=FTS(language="English", stem=True, remove_stop_words=True)
            )
        # Versions older than an hour go; a concurrent reader still on a recent one is safe.
        self._table.optimize(cleanup_older_than=dt.timedelta(hours=1))

    def _append(self, rows: list[dict]) -> None:
        if not rows:
            return
        import pyarrow as pa

        data = pa.Table.from_pylist(rows, schema=self._schema(len(rows[0]["vector"])))
        if self._table is None:
            self._table = self._db.create_table(TABLE, data=data)
            self.meta_path.write_text(json.dumps({
                "schema_version": SCHEMA_VERSION, "embedding_model": self.embedding_name,
                "dimension": len(rows[0]["vector"]),
            }, indent=2), encoding="utf-8")
        else:
            self._table.add(data)

    @staticmethod
    def _schema(dimension: int):
        import pyarrow as pa

        return pa.schema([
            ("id", pa.string()), ("source", pa.string()), ("path", pa.string()),
            ("title", pa.string()), ("date", pa.date32()), ("modified", pa.timestamp("s")),
            ("categories", pa.list_(pa.string())), ("tags", pa.list_(pa.string())),
            ("day", pa.int32()), ("private", pa.bool_()), ("chunk_index", pa.int32()), ("heading", pa.string()),
            ("text", pa.string()), ("search_text", pa.string()), ("content_hash", pa.string()),
            ("vector", pa.list_(pa.float32(), dimension)),
        ])

    # -- reading -------------------------------------------------------------------
    def search(
        self,
        query: str,
        *,
        limit: int = 10,
        offset: int = 0,
        mode: str = "hybrid",
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
        where = _where(since, until, category, source, day=day, include_private=include_private)
        depth = offset + limit
        if mode == "fts":
            ranked = self._fts(query, where, depth)
        elif mode == "vector":
            ranked = self._vector(query, where, depth)
        else:
            pool = max(depth * 4, 40)
            ranked = rrf_fuse([self._fts(query, where, pool), self._vector(query, where, pool)],
                              weights=[1.0, VECTOR_WEIGHT])
        return [_hit(row, score) for row, score in ranked[offset:depth]]

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
        where = _where(since, until, category, source, day=day, include_private=include_private)
        first = "chunk_index = 0" + (f" AND {where}" if where else "")
        rows = self._scan(first, _COLUMNS).to_pylist()
        rows.sort(key=lambda row: (row["date"], row["path"]))
        return [_hit(row, 0.0) for row in rows[:limit]]

    def _fts(self, query: str, where: str | None, limit: int) -> list[tuple[dict, float]]:
        from lancedb.query import MatchQuery

        builder = self._table.search(MatchQuery(query, "search_text"), query_type="fts")
        if where:
            builder = builder.where(where, prefilter=True)
        rows = builder.select(_COLUMNS + ["_score"]).limit(limit).to_list()
        return [(row, float(row["_score"])) for row in rows]

    def _vector(self, query: str, where: str | None, limit: int) -> list[tuple[dict, float]]:
        vector = self._query_vector(query)
        builder = self._table.search(vector, query_type="vector").distance_type("cosine")
        if where:
            builder = builder.where(where, prefilter=True)
        rows = builder.select(_COLUMNS + ["_distance"]).limit(limit).to_list()
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
        dates = [d for d, s in zip(table.column("date").to_pylist(), sources) if s == "note"]
        return ArchiveStats(
            notes=len({p for p, s in zip(paths, sources) if s == "note"}),
            chunks=sources.count("note"),
            agent_entries=sources.count("agent"),
            first_date=min(dates) if dates else None,
            last_date=max(dates) if dates else None,
        )

    def _scan(self, where: str | None, columns: list[str] | None):
        import pyarrow as pa

        if self._table is None:
            return pa.table({c: pa.array([], pa.string()) for c in columns or ["path"]})
        query = self._table.search().limit(None)
        query = query.select(columns) if columns else query
        return (query.where(where) if where else query).to_arrow()

    def _table_names(self) -> list[str]:
        names = self._db.list_tables()
        return list(getattr(names, "tables", names))


_COLUMNS = ["path", "title", "date", "categories", "tags", "text", "heading", "chunk_index", "source", "day",
            "private"]


def rrf_fuse(
    rankings: Sequence[Sequence[tuple[dict, float]]],
    k: int = RRF_K,
    weights: Sequence[float] | None = None,
) -> list[tuple[dict, float]]:
    """Reciprocal rank fusion of ranked lists of ``(row, score)`` keyed by ``(path, chunk_index)``.

    ``RRF(d) = sum over lists i of w_i / (k + rank_i(d))``, rank from 1
    (Cormack et al. 2009; weights default to 1).
    """
    fused: dict[tuple[str, int], list] = {}
    for ranking, weight in zip(rankings, weights or [1.0] * len(rankings)):
        for rank, (row, _score) in enumerate(ranking, start=1):
            key = (row["path"], row["chunk_index"])
            entry = fused.setdefault(key, [row, 0.0])
            entry[1] += weight / (k + rank)
    return sorted(((row, score) for row, score in fused.values()), key=lambda item: -item[1])


def _hit(row: dict, score: float) -> SearchHit:
    return SearchHit(
        path=row["path"], title=row["title"], date=row["date"], categories=list(row["categories"] or []),
        tags=list(row["tags"] or []), score=score, text=row["text"], heading=row["heading"],
        chunk_index=int(row["chunk_index"]), source=row["source"], day=row["day"],
        private=bool(row.get("private")),
    )


def _note_row(note: "Note", chunk: "Chunk", vector) -> dict:
    heading = f"{chunk.heading}\n" if chunk.heading else ""
    return {
        "id": f"{note.rel_path}#{chunk.index}", "source": "note", "path": note.rel_path,
        "title": note.title, "date": note.date, "modified": note.modified,
        "categories": note.categories, "tags": note.tags, "day": note.day,
        "private": bool(note.private or note.draft),
        "chunk_index": chunk.index, "heading": chunk.heading, "text": chunk.text,
        "search_text": f"{note.title}\n{heading}{chunk.text}", "content_hash": note.content_hash,
        "vector": vector.tolist() if hasattr(vector, "tolist") else list(vector),
    }


def _sql(value: str) -> str:
    return "'" + str(value).replace("'", "''") + "'"


def _where(
    since: dt.date | None,
    until: dt.date | None,
    category: str | None,
    source: str | None,
    *,
    day: int | None = None,
    include_private: bool = True,
) -> str | None:
    """The SQL filter (LanceDB/DataFusion) for the given bounds; ``None`` when nothing is filtered."""
    clauses = []
    if source:
        clauses.append(f"source = {_sql(source)}")
    if since:
        clauses.append(f"date >= date '{since.isoformat()}'")
    if until:
        clauses.append(f"date <= date '{until.isoformat()}'")
    if category:
        clauses.append(f"array_has_any(categories, [{_sql(category)}])")
    if day is not None:
        clauses.append(f"day = {int(day)}")
    if not include_private:
        clauses.append("private = false")
    return " AND ".join(clauses) or None
