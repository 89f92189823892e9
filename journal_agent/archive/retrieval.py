"""Retrieval: the BM25 and vector halves of a search, their fusion, and one hit per entry.

Chunks are ranked by :func:`search_chunks`: BM25 over ``search_text``, cosine
similarity of the embeddings, or both fused (:func:`fuse_convex`, the
default): each list's scores min-max normalized over the candidates it
returned, then ``VECTOR_SHARE * cosine + (1 - VECTOR_SHARE) * bm25``, a chunk
missing from a list scoring 0 there (the convex combination Bruch, Gai &
Ingber, "An Analysis of Fusion Functions for Hybrid Retrieval", ACM TOIS 2023,
found better than RRF). Measured (issue 23, ``python -m benchmarks.ranking``,
benchmarks/RESULTS.md): equal-weight reciprocal rank fusion of the two
rankings (:func:`fuse_rrf`, Cormack, Clarke & Büttcher, SIGIR 2009) only
counts ranks, so a clear semantic match ranked first by the vectors and
lower by BM25 fell behind notes that both ranked middling; with the convex
combination (:data:`VECTOR_SHARE` 0.55) the TIL paraphrases go from Hit@1 0.883
to 0.950 (vector alone 0.867) and two fresh sets written blind from 0.767 and
0.717 to 0.800 and 0.767 (vector 0.717 and 0.750); the original questions
(0.983), the harder set (0.775, vector 0.750) and the learner's (1.000) stay.
Tried and not kept:
RRF with the vectors weighted 2 or 3, RRF of each list's best chunk per note,
z-score normalization (equal or worse), a query-dependent share (0.5 when the
best BM25 score stands out, a rare exact term; better on the original
questions, worse on both paraphrase sets) and rewarding a note's other
matching chunks (0.05-0.2 of their scores: worse). Round 2 changed what is
searched, measured the same way with the four public journals of
benchmarks/journal_shapes added, and none was at or above this default on
every set: embedding the question without its frame ("How did I", "When did
I learn about"; original up, paraphrased and learner+TIL down), vector
pseudo-relevance feedback (Rocchio on the top chunk vectors, Li et al., ACM
TOIS 2023; the best, top 10 at 0.3, wins one hard question and loses one on a
25-chunk journal, where the top 10 is 40% of it, for a second vector query),
BM25 expanded with words of the top vector chunks, and a note-title vector
beside the chunk vectors (both worse on the harder paraphrases).

The unit is the **entry** (issue 18): the part of a note with its own day or date
(:mod:`journal_agent.notes.entries`); a hit is an entry's best chunk and names it
(:class:`SearchHit`: path, entry heading, line), and one note's entries rank separately.
Days and dates match entries: "Day 13" is any entry whose ``days`` hold 13 (inside a
"Day 11 to 15" post), a date any entry whose ``date``-``end_date`` holds it.

An entry ranks by its best chunk. Measured (on notes, before entries) and not kept (benchmarks/RESULTS.md):
adding 0.3 of a note's second-best chunk score (original-question MRR@10
0.979 → 0.854), dropping words about journaling ("note", "learned", "wrote")
from the query (no change).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Hashable, Sequence
from typing import TYPE_CHECKING, TypeVar

from pydantic import BaseModel, Field, field_serializer

from journal_agent.archive.modes import MODES, SearchMode
from journal_agent.archive.schema import sql_text
from journal_agent.notes.entries import owns_date

if TYPE_CHECKING:
    from journal_agent.archive.store import Archive

T = TypeVar("T")
Ranked = list[tuple[dict, float]]  # (stored row, score), best first
HybridFusion = Callable[[Ranked, Ranked], Ranked]  # (BM25 ranking, vector ranking) -> fused ranking
RRF_K = 60
# Weight of the vector ranking in :func:`fuse_rrf` (BM25's is 1); no longer the default fusion.
VECTOR_WEIGHT = 1.0
# The vectors' share in :func:`fuse_convex` (BM25's is the rest). Swept 0.5-0.8 (benchmarks/RESULTS.md,
# "Hybrid fusion by kind"). 0.7 was chosen on the first 160 TIL questions (0.65-0.75 a plateau on the
# paraphrased and harder sets); the two fresh sets of 120 questions written blind later put it below vector
# alone on one of them (Hit@1 0.733 vs 0.750). 0.55 is at or above both halves on all eight sets and has the
# most first places over them (0.8 loses learner topic questions, 0.5 paraphrases, 0.55 two harder ones).
VECTOR_SHARE = 0.55
# Below this best cosine similarity (and with no keyword hit) nothing really matched. Measured with
# all-MiniLM-L6-v2 on 60 simonw TIL notes + the seed note: nonsense and off-topic questions ("xyzzyplugh",
# "banana bread recipe", "quantum chromodynamics") peak at 0.12-0.21, questions the notes answer ("agent
# memory", "git rebase", "python packaging") at 0.40-0.64.
WEAK_SIMILARITY = 0.3
MIN_NOTE_DEPTH = 40  # notes ranked per list before fusing, so a lifted note can come from deep
CHUNKS_PER_NOTE = 4  # chunks fetched per wanted note, so grouping still fills the page


COLUMNS = ["path", "title", "date", "end_date", "categories", "tags", "text", "heading", "chunk_index", "source",
           "day", "days", "entry", "entry_heading", "entry_line", "anchor", "preamble", "date_source",
           "private"]  # a hit reads


class SearchHit(BaseModel):
    """One matching chunk, of one entry of a note; as JSON (``model_dump(mode="json")``) the dates are ISO text
    and the score rounded to 6 places.

    ``score``: the fused score (0 to 1, :func:`fuse_convex`) in hybrid mode, BM25 in fts mode, cosine
    similarity (1 - distance) in vector mode; after a time-window boost, the RRF score of the two entry
    rankings; 0 for an entry listed because its day or date was named. Higher is better in every mode.

    A hit names its entry (issue 18): ``path`` (the note), ``entry`` (its index in the note),
    ``entry_heading`` (the heading as written, ``""`` when the note is one entry), ``line`` (the heading's
    1-based line in the note file) and ``anchor`` (its HTML id in the published post, ``""`` for a
    whole-note entry); ``preamble`` marks the text before a note's first entry heading (no day, not a study
    day; inside a date window only when its date is its own, :attr:`owns_date`). ``date_source`` says where
    ``date`` came from (not in the JSON). ``date``/``end_date`` are the entry's (equal unless it covers a
    range), ``days`` every learning day it covers and ``day`` the first of them (``null`` when none). ``heading`` is the
    chunk's heading path inside the note.
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
    end_date: dt.date | None = None
    days: list[int] = Field(default_factory=list)
    entry: int = 0
    entry_heading: str = ""
    line: int = 1
    anchor: str = ""
    preamble: bool = False
    date_source: str = Field("", exclude=True)

    @property
    def owns_date(self) -> bool:
        """Whether the entry's date is its own (:func:`~journal_agent.notes.entries.owns_date`): every entry's
        but a preamble's borrowed from its note's headings or file times; only such an entry is inside a window."""
        return owns_date(self.preamble, self.date_source)

    @property
    def last_date(self) -> dt.date:
        """The last date the entry covers (``end_date``, else ``date``)."""
        return self.end_date or self.date

    @property
    def key(self) -> tuple[str, int]:
        """``(path, entry)``: which entry of which note this is."""
        return self.path, self.entry

    @field_serializer("score", when_used="json")
    def _rounded(self, score: float) -> float:
        return round(score, 6)

    @classmethod
    def of_row(cls, row: dict, score: float) -> SearchHit:
        """The hit for a stored row (the :data:`COLUMNS` at least) scored ``score``."""
        return cls(
            path=row["path"], title=row["title"], date=row["date"], categories=list(row["categories"] or []),
            tags=list(row["tags"] or []), score=score, text=row["text"], heading=row["heading"],
            chunk_index=int(row["chunk_index"]), source=row["source"], day=row["day"],
            private=bool(row.get("private")), end_date=row.get("end_date"), days=list(row.get("days") or []),
            entry=int(row.get("entry") or 0), entry_heading=row.get("entry_heading") or "",
            line=int(row.get("entry_line") or 1), anchor=row.get("anchor") or "", preamble=bool(row.get("preamble")),
            date_source=row.get("date_source") or "",
        )


def rrf_fuse(
    rankings: Sequence[Sequence[T]],
    key: Callable[[T], Hashable],
    k: int = RRF_K,
    weights: Sequence[float] | None = None,
) -> list[tuple[T, float]]:
    """Reciprocal rank fusion of ranked lists, items told apart by ``key``: ``(item, fused score)``, best first.

    ``RRF(d) = sum over lists i of w_i / (k + rank_i(d))``, rank from 1
    (Cormack et al. 2009; weights default to 1). Each item comes back once, as
    first seen; ties keep the order first seen.
    """
    fused: dict[Hashable, list] = {}
    for ranking, weight in zip(rankings, weights or [1.0] * len(rankings)):
        for rank, item in enumerate(ranking, start=1):
            entry = fused.setdefault(key(item), [item, 0.0])
            entry[1] += weight / (k + rank)
    return sorted(((item, score) for item, score in fused.values()), key=lambda pair: -pair[1])


def fuse_rrf(fts: Ranked, vector: Ranked) -> Ranked:
    """Chunk-level reciprocal rank fusion of the BM25 and vector rankings (the vector one at ``VECTOR_WEIGHT``).

    The hybrid default until issue 23; kept as the baseline benchmarks compare against.
    """
    return [(row, score) for (row, _), score in rrf_fuse([fts, vector], key=_row_key, weights=[1.0, VECTOR_WEIGHT])]


def fuse_convex(fts: Ranked, vector: Ranked, share: float = VECTOR_SHARE) -> Ranked:
    """Convex combination of min-max normalized BM25 and cosine scores, chunk by chunk: the hybrid default.

    Args:
        fts: ``(row, BM25 score)``, best first.
        vector: ``(row, cosine similarity)``, best first.
        share: the vectors' weight in ``[0, 1]`` (BM25 gets ``1 - share``).

    Returns:
        ``(row, fused score in [0, 1])``, best first; each chunk (path, chunk index) once. Each list's
        scores are scaled to [0, 1] over that list (its best 1, its worst 0; all 1 when they are equal), a
        chunk absent from a list counts 0 for it (Bruch, Gai & Ingber, ACM TOIS 2023). Ties keep the
        order first seen, vector rows first.
    """
    fused: dict[tuple[str, int], list] = {}
    for ranked, weight in ((vector, share), (fts, 1.0 - share)):
        for (row, _), scaled in zip(ranked, _min_max([score for _, score in ranked])):
            entry = fused.setdefault(_row_key((row, 0.0)), [row, 0.0])
            entry[1] += weight * scaled
    return sorted(((row, score) for row, score in fused.values()), key=lambda pair: -pair[1])


def _min_max(scores: list[float]) -> list[float]:
    """``scores`` scaled to [0, 1] (lowest 0, highest 1); all 1.0 when they are all equal."""
    if not scores:
        return []
    low, high = min(scores), max(scores)
    return [(score - low) / (high - low) if high > low else 1.0 for score in scores]


def where_clause(
    since: dt.date | None,
    until: dt.date | None,
    category: str | None,
    source: str | None,
    *,
    day: int | None = None,
    days: tuple[int, int] | None = None,
    challenge_round: int | None = None,
    include_private: bool = True,
) -> str | None:
    """The SQL filter (LanceDB/DataFusion) for the given bounds; ``None`` when nothing is filtered.

    Dates and days match entries: an entry dated 3 to 5 May is inside a window that holds 4 May
    (``date <= until AND end_date >= since``); ``day`` is any of an entry's days (``array_has(days, 13)``,
    so "Day 13" inside a "Day 11 to 15" entry), ``days`` an inclusive range of them (``array_has_any``);
    ``challenge_round`` keeps, with a day or days, the entries of that #100DaysOfCode round and those of no
    known round (day numbers start again in each round: "day 12 of round 1", "R2D14").
    """
    clauses = []
    if source:
        clauses.append(f"source = {sql_text(source)}")
    if since:
        clauses.append(f"end_date >= date '{since.isoformat()}'")
    if until:
        clauses.append(f"date <= date '{until.isoformat()}'")
    if category:
        clauses.append(f"array_has_any(categories, [{sql_text(category)}])")
    if day is not None:
        clauses.append(f"array_has(days, {int(day)})")
    if days is not None:
        clauses.append(f"array_has_any(days, [{', '.join(str(n) for n in range(days[0], days[1] + 1))}])")
    if challenge_round is not None and (day is not None or days is not None):
        clauses.append(f"(challenge_round IS NULL OR challenge_round = {int(challenge_round)})")
    if not include_private:
        clauses.append("private = false")
    return " AND ".join(clauses) or None


def search_chunks(
    archive: Archive,
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
    days: tuple[int, int] | None = None,
    challenge_round: int | None = None,
    include_private: bool = True,
    fusion: HybridFusion | None = None,
) -> list[SearchHit]:
    """Rank the chunks of ``archive`` for ``query``.

    Args:
        archive: the open archive.
        query: free text.
        limit, offset: page of results (chunks, best first).
        mode: ``hybrid`` (BM25 + vector, fused), ``fts`` or ``vector``.
        since, until: inclusive journal-date bounds.
        category: keep chunks of notes in this category (exact, case-sensitive).
        source: ``"note"``, ``"agent"``, or ``None`` for both.
        day: keep chunks of entries covering this learning day.
        days: keep chunks of entries covering a day of this inclusive range.
        challenge_round: with ``day``/``days``, the #100DaysOfCode round they are of (:func:`where_clause`).
        include_private: ``False`` drops chunks of private and draft notes.
        fusion: how ``hybrid`` combines the BM25 and vector rankings (default :func:`fuse_convex`).

    Raises:
        ValueError: unknown mode.
    """
    if mode not in MODES:
        raise ValueError(f"unknown search mode {mode!r}; use one of {', '.join(MODES)}")
    if archive.table is None or not query.strip():
        return []
    where = where_clause(since, until, category, source, day=day, days=days, challenge_round=challenge_round,
                         include_private=include_private)
    depth = offset + limit

    def fts(n: int) -> list[tuple[dict, float]]:
        return [(row, float(row["_score"])) for row in archive.fts_rows(query, where, n, COLUMNS)]

    def vector(n: int) -> list[tuple[dict, float]]:
        rows = archive.vector_rows(archive.query_vector(query), where, n, COLUMNS)
        return [(row, 1.0 - float(row["_distance"])) for row in rows]

    if mode == "fts":
        ranked = fts(depth)
    elif mode == "vector":
        ranked = vector(depth)
    else:
        pool = max(depth * 4, 40)
        ranked = (fusion or fuse_convex)(fts(pool), vector(pool))
    return [SearchHit.of_row(row, score) for row, score in ranked[offset:depth]]


def entries_where(
    archive: Archive,
    *,
    since: dt.date | None = None,
    until: dt.date | None = None,
    category: str | None = None,
    source: str | None = "note",
    day: int | None = None,
    days: tuple[int, int] | None = None,
    challenge_round: int | None = None,
    include_private: bool = True,
    limit: int = 200,
) -> list[SearchHit]:
    """Entries of ``archive`` matching the filters (:func:`where_clause`), unranked: each entry's first chunk
    (score 0), oldest first (by date, path, entry).

    The structured side of search: which entries a day number or a date window names, whether or not their
    text matches the words asked. A preamble (the text before a note's first entry heading) is one here only
    when its date is its own (:func:`~journal_agent.notes.entries.owns_date`). At most ``limit`` entries (the
    oldest ones when there are more).
    """
    if archive.table is None:
        return []
    where = where_clause(since, until, category, source, day=day, days=days, challenge_round=challenge_round,
                         include_private=include_private)
    rows = [row for row in archive.scan(where, COLUMNS).to_pylist() if _row_owns_date(row)]
    rows.sort(key=lambda row: (row["date"], row["path"], row.get("entry") or 0, row["chunk_index"]))
    first = best_per_entry([SearchHit.of_row(row, 0.0) for row in rows])
    return first[:limit]


def _row_owns_date(row: dict) -> bool:
    """:func:`~journal_agent.notes.entries.owns_date` of a stored row (``preamble`` and ``date_source`` read)."""
    return owns_date(bool(row.get("preamble")), row.get("date_source") or "")


def nearest_entries(
    archive: Archive,
    *,
    since: dt.date | None = None,
    until: dt.date | None = None,
    days: tuple[int, int] | None = None,
    category: str | None = None,
    source: str | None = "note",
    include_private: bool = True,
) -> list[SearchHit]:
    """The entries nearest an empty window, one before and one after, nearest first (issue 18: "what did I
    do on June 16th?" with no entry then says so and offers these, not unrelated notes).

    A date window (``since``/``until``) looks at dates: the last entry ending before ``since`` and the first
    starting after ``until``; a day range (``days``) at learning days: the highest day below it and the
    lowest above it. Ties (two entries on that date or day) keep the first by path and entry.
    """
    if archive.table is None:
        return []
    where = where_clause(None, None, category, source, include_private=include_private)
    light = ["path", "entry", "date", "end_date", "days", "preamble", "date_source"]  # text: the two chosen only
    rows = [row for row in archive.scan(where, light).to_pylist() if _row_owns_date(row)]
    rows.sort(key=lambda row: (row["date"], row["path"], row.get("entry") or 0))
    found: list[tuple[int, dict]] = []
    if days is not None:
        below = [(days[0] - max(n for n in r["days"] if n < days[0]), r) for r in rows
                 if any(n < days[0] for n in r["days"] or [])]
        above = [(min(n for n in r["days"] if n > days[1]) - days[1], r) for r in rows
                 if any(n > days[1] for n in r["days"] or [])]
    else:
        below = [((since - (r["end_date"] or r["date"])).days, r) for r in rows
                 if since and (r["end_date"] or r["date"]) < since]
        above = [((r["date"] - until).days, r) for r in rows if until and r["date"] > until]
    for side in (below, above):
        if side:
            found.append(min(side, key=lambda pair: pair[0]))
    hits = []
    for _, row in sorted(found, key=lambda pair: pair[0]):
        entry = f"path = {sql_text(row['path'])} AND entry = {int(row.get('entry') or 0)}"
        chunks = archive.scan(entry + (f" AND {where}" if where else ""), COLUMNS).to_pylist()
        hits.append(SearchHit.of_row(min(chunks, key=lambda chunk: chunk["chunk_index"]), 0.0))
    return hits


def words_match(archive: Archive, words: str, where: str | None, mode: SearchMode) -> tuple[bool, float | None]:
    """Whether ``words`` really match a chunk (a keyword hit, or a similarity of :data:`WEAK_SIMILARITY` or
    more), and the best similarity (``None`` in fts mode). Only the modes' own signals count: fts needs a
    keyword hit, vector a similarity, hybrid either."""
    if archive.table is None or not words.strip():
        return False, None
    keyword = mode != "vector" and bool(archive.fts_rows(words, where, 1, ["path"]))
    if mode == "fts":
        return keyword, None
    nearest = archive.vector_rows(archive.query_vector(words), where, 1, ["path"])
    similarity = 1.0 - float(nearest[0]["_distance"]) if nearest else None
    return keyword or (similarity is not None and similarity >= WEAK_SIMILARITY), similarity


def _row_key(ranked: tuple[dict, float]) -> tuple[str, int]:
    return ranked[0]["path"], ranked[0]["chunk_index"]


def best_per_entry(hits: list[SearchHit]) -> list[SearchHit]:
    """The first hit of each entry (``(path, entry)``), in order: an entry ranks by its best chunk."""
    seen: set[tuple[str, int]] = set()
    best = []
    for hit in hits:
        if hit.key not in seen:
            seen.add(hit.key)
            best.append(hit)
    return best
