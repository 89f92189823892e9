"""Journal search, the one pipeline: a question → filters, BM25 and vector rankings, fusion → one hit per entry.

Used by ``journal search``, the no-model answer of ``journal ask``, the
agent's ``archival_memory_search`` and the MCP server's ``search_notes``.
The whole path from question to ranked notes is here; the store
(:class:`~journal_agent.archive.store.Archive`) only runs the raw queries
(:meth:`~journal_agent.archive.store.Archive.fts_rows`,
:meth:`~journal_agent.archive.store.Archive.vector_rows`,
:meth:`~journal_agent.archive.store.Archive.scan`).

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
combination the TIL paraphrases go from Hit@1 0.883 to 0.950 (vector alone
0.867), the harder set from 0.800 to 0.825 (vector 0.750), the original
questions and the learner's stay (0.967 / 1.000). Tried and not kept:
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

What a question names is applied as structure, not as words
(:func:`~journal_agent.notes.days.find_day_number`,
:func:`~journal_agent.notes.time_expressions.find_time_window`):

* The unit is the **entry** (issue 18): the part of a note with its own day or date
  (:mod:`journal_agent.notes.entries`); a hit is an entry's best chunk and names it
  (:class:`SearchHit`: path, entry heading, line), and one note's entries rank separately.
  Days and dates match entries: "Day 13" is any entry whose ``days`` hold 13 (inside a
  "Day 11 to 15" post), a date any entry whose ``date``-``end_date`` holds it.
* A learning-day number ("Day 4", "day four") is a filter on the stored
  ``days``: that day's entries first (ranked among themselves, every one of them
  even when its words do not match), the normal ranking after, so a wrong day
  never leaves the learner with nothing. A #100DaysOfCode round named with it ("day 12 of round 1",
  "R2D14", :func:`~journal_agent.notes.days.find_round`) keeps that round's entries (``challenge_round``)
  and those of no known round: day numbers start again in each round.
* The challenge's own calendar ("the second week of the challenge" = days 8-14, "my first
  ten days", "the last week of the challenge" counted back from the last day;
  :func:`~journal_agent.notes.time_expressions.find_day_span`; "the last day of my first week" = Day 7)
  is a range of days, applied as a day. "The first weekend of the challenge"
  (:func:`~journal_agent.notes.time_expressions.find_challenge_weekend`) is a Saturday and Sunday counted
  from the date of the challenge's first learning day (:func:`_challenge_dates`), not from an older note.
* A window around an event ("the day after I finished the course", "the week before I started
  React"; :func:`~journal_agent.notes.time_expressions.find_event_window`) finds the event's
  entry first (among the entries about its words, below: the earliest for the learner's own start,
  the latest for their own end, else the best match; "the budget app started working" is no start of
  the learner's), then applies the window after or before it. An entry that records the start or end
  itself (:func:`_records`: "I completed the short course X", the verb beside the topic) is the event
  before those: the earliest such, since a later review retells it ("Finished two courses: X and Y");
  for another of the learner's own doings ("I got my certificate") the best match among the entries
  that say it with the question's verb ("got the certificate"). "Three days after I first used X" is
  the first time of the event, not a first-time question. "Three days after" it is that one day; "in
  the three days after" every day up to it; "on the day I finished X" the event's own day; "after
  finishing X" is "after I finished X". "I started the challenge" (or "my journey", not "the course") is
  the challenge's first entry, "I finished the challenge" its last (:func:`_challenge_edge`).
* A date without a year ("June 16th") takes the year that puts it inside the archive's span
  (:meth:`~journal_agent.archive.store.Archive.span`), not the current year.
* A day, days or window that holds no entry is said (``SearchResults.empty``) and the nearest
  entries before and after it are offered first (:func:`nearest_entries`), then only what the
  question's words really match; never unrelated notes in its place. (A month-wide or wider
  window with words left still boosts, below: a misremembered month.)
* "First/last time", "when did I start" and "the last day of the Node17 forum" questions
  (:func:`~journal_agent.notes.time_expressions.find_order`) put the entries **about** the topic in
  date order, earliest (or latest) first. About: naming as much of the topic's words together
  (within :data:`~journal_agent.notes.mentions.MENTION_WINDOW` tokens, each word weighted by its
  inverse document frequency, written apart, hyphenated or joined: "Tic Tac Toe" is "TicTacToe") as
  the best entry does (:data:`ABOUT_SHARE`; :mod:`journal_agent.notes.mentions`),
  in what the learner did, not in what they meant to do ("I'm going to tackle Django next", a "What I'm
  planning to do next" section, a list of ideas for later) or in fenced code. On the first/last and
  event questions of benchmarks/journal_shapes (four public journals, batches 1-3: 36 first, 22 relative)
  Hit@1 went from 24/36 and 19/22 (BM25 share of the topic, :data:`ORDER_TOPIC_SHARE`) to 32/36 and
  21/22; :data:`ABOUT_SHARE` 0.7, 0.8 and 0.9 score the same (1.0: 31/36; 0.6: 20/22 relative).
  Without any entry naming the topic, the BM25 share rule, then the fused score rule
  (:data:`ORDER_SHARE` of the best score, among the first :data:`ORDER_POOL`) decide.
* A time window is applied by its kind (:data:`WINDOW_POLICY`): ``filter``
  puts the in-window notes first and the rest after; ``boost`` searches twice,
  inside the window and without it, and fuses the two note rankings with
  weighted RRF, the in-window ranking at ``WINDOW_WEIGHT``. Measured on 27
  dated TIL questions (``python -m benchmarks.quality_til``): with the right
  month the boost gives Recall@1 0.926 and Recall@5 1.000 (window-first
  filter: 0.963 / 1.000; no dates: 0.630 / 0.963); with the month
  misremembered by four months the filter finds nothing in the top 5
  (Recall@5 0.000) while the boost keeps Recall@5 at 0.875. So month-wide
  and wider windows boost. A day, a span of days or a week is what a learner
  names when they mean those notes: among the 2,448 TIL notes, boosting put
  the named day's learner note first for 7 of 10 date questions, filtering
  for 10 of 10 (``python -m benchmarks.learner --with-til``, see
  benchmarks/RESULTS.md), so those filter.
* ``since``/``until`` given explicitly are always a hard filter.

An entry ranks by its best chunk. Measured (on notes, before entries) and not kept (benchmarks/RESULTS.md):
adding 0.3 of a note's second-best chunk score (original-question MRR@10
0.979 → 0.854), dropping words about journaling ("note", "learned", "wrote")
from the query (no change).

Whether anything really matched is said (``SearchResults.matched``, issue 20:
``journal search xyzzyplugh`` showed five confident, unrelated notes): not
when no chunk has a keyword (BM25) hit, no day or time window named in the
question has notes, and the best cosine similarity is under
:data:`WEAK_SIMILARITY`. Ranked lists always have a first place; a caller
shows those notes as "closest by meaning", not as answers.

Private and draft notes (the store's ``private`` column) are dropped unless
``include_private``; the ones that would have been on the page or before it
are reported in ``withheld`` so a caller can say a private note matched.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Callable, Hashable, Sequence
from collections.abc import Set as AbstractSet
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Literal, TypeVar

from pydantic import BaseModel, Field, field_serializer

from journal_agent.archive.modes import MODES, SOURCES, SearchMode, Source
from journal_agent.archive.schema import sql_text
from journal_agent.notes import mentions
from journal_agent.notes.days import find_day_number, find_round
from journal_agent.notes.time_expressions import (
    TimeWindow,
    find_challenge_weekend,
    find_day_span,
    find_event_window,
    find_order,
    find_time_window,
    names_the_challenge,
    order_topic,
)

if TYPE_CHECKING:
    from journal_agent.archive.store import Archive
    from journal_agent.workspace import Journal

T = TypeVar("T")
Ranked = list[tuple[dict, float]]  # (stored row, score), best first
HybridFusion = Callable[[Ranked, Ranked], Ranked]  # (BM25 ranking, vector ranking) -> fused ranking
RRF_K = 60
# Weight of the vector ranking in :func:`fuse_rrf` (BM25's is 1); no longer the default fusion.
VECTOR_WEIGHT = 1.0
# The vectors' share in :func:`fuse_convex` (BM25's is the rest). Swept 0.5-0.8 (benchmarks/RESULTS.md,
# "Hybrid fusion by kind"): 0.65-0.75 is a plateau on the paraphrased and harder TIL sets; 0.8 loses
# learner topic questions, 0.5-0.6 paraphrases.
VECTOR_SHARE = 0.7
TimeMode = Literal["auto", "boost", "filter", "off"]
TIME_MODES: tuple[TimeMode, ...] = ("auto", "boost", "filter", "off")
# How ``time_mode="auto"`` applies a window of each kind (chosen by measurement, see the module docstring).
WINDOW_POLICY: dict[str, Literal["boost", "filter"]] = {
    "day": "filter", "days": "filter", "week": "filter", "month": "boost", "quarter": "boost", "season": "boost",
    "year": "boost", "range": "boost",
}
WINDOW_WEIGHT = 0.5  # weight of the in-window ranking in the boost fusion (chosen by the sweep above)
# Below this best cosine similarity (and with no keyword hit) nothing really matched. Measured with
# all-MiniLM-L6-v2 on 60 simonw TIL notes + the seed note: nonsense and off-topic questions ("xyzzyplugh",
# "banana bread recipe", "quantum chromodynamics") peak at 0.12-0.21, questions the notes answer ("agent
# memory", "git rebase", "python packaging") at 0.40-0.64.
WEAK_SIMILARITY = 0.3
MIN_NOTE_DEPTH = 40  # notes ranked per list before fusing, so a lifted note can come from deep
CHUNKS_PER_NOTE = 4  # chunks fetched per wanted note, so grouping still fills the page


COLUMNS = ["path", "title", "date", "end_date", "categories", "tags", "text", "heading", "chunk_index", "source",
           "day", "days", "entry", "entry_heading", "entry_line", "anchor", "preamble", "private"]  # a hit reads
# "First/last time" questions (issue 18): entries scoring at least ORDER_SHARE of the best entry's score for
# the words asked count as matching, and are ordered by date; so do entries with a keyword (BM25) hit scoring
# at least ORDER_KEYWORD_SHARE of it ("closures again, inside React hooks" beside a whole entry on closures
# scores 0.39-0.45 with MiniLM). Chosen on the test notes of tests/test_entry_search.py, not measured further.
ORDER_SHARE = 0.6
ORDER_KEYWORD_SHARE = 0.3
# With keyword hits for the topic itself (OrderReference.topic: "jquery" of "When did I first use jQuery?"), the
# entries about it are those whose BM25 score for the topic is at least ORDER_TOPIC_SHARE of the best entry's,
# ordered by date. On the 23 first/start questions of benchmarks/journal_shapes (four public journals), Hit@1 was
# 4/23 with the fused-score rule alone, 13/23 at 0.6, 15 at 0.65-0.7, 16 at 0.75, 15 at 0.8, 11 at 0.9 (a
# plateau; 0.7 is its middle); below 0.5 an entry that only names the topic in passing comes first.
ORDER_TOPIC_SHARE = 0.7
ORDER_POOL = 20  # entries of the word ranking looked at for a first/last-time question


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
    day, never inside a day or window). ``date``/``end_date`` are the entry's (equal unless it covers a range), ``days``
    every learning day it covers and ``day`` the first of them (``null`` when none). ``heading`` is the
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
    text matches the words asked. A preamble (the text before a note's first entry heading) is no entry
    here. At most ``limit`` entries (the oldest ones when there are more).
    """
    if archive.table is None:
        return []
    where = where_clause(since, until, category, source, day=day, days=days, challenge_round=challenge_round,
                         include_private=include_private)
    rows = [row for row in archive.scan(where, COLUMNS).to_pylist() if not row.get("preamble")]
    rows.sort(key=lambda row: (row["date"], row["path"], row.get("entry") or 0, row["chunk_index"]))
    first = _best_per_entry([SearchHit.of_row(row, 0.0) for row in rows])
    return first[:limit]


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
    light = ["path", "entry", "date", "end_date", "days", "preamble"]  # the text is read for the two chosen only
    rows = [row for row in archive.scan(where, light).to_pylist() if not row.get("preamble")]
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


@dataclass
class SearchResults:
    """Ranked entries (best chunk each) and what the question was understood to name.

    Attributes:
        hits: one ``SearchHit`` per entry, best first (the requested page).
        window: the time window found in the question (or resolved around an event), or ``None``.
        query: the question as asked.
        search_text: the words searched (the question without the day/time phrases applied).
        day: the learning-day number applied (found in the question or given), or ``None``.
        day_range: the learning days named by the challenge's calendar ("the second week of the
            challenge" = ``(8, 14)``), or ``None``.
        since, until: explicit hard bounds, when given.
        withheld: paths of private/draft notes that matched on or before this page but were left out.
        in_window: per hit, whether it is inside the window/day understood (``None`` when nothing was).
        matched: ``False`` when nothing really matched (no keyword hit, no entry of a named day or window,
            weak similarity; see the module docstring): the hits are only the closest by meaning.
        best_similarity: the best cosine similarity of a chunk to the words searched (``None`` in fts mode).
        order: ``"first"`` or ``"last"`` for a first/last-time question (matching entries then come by date).
        event: the entry an event-relative window was counted from ("the day after I finished the course").
        empty: a day, day range or window was named and no entry is in it.
        nearest: when ``empty``, the nearest entries before and after it, nearest first.
    """

    hits: list[SearchHit]
    window: TimeWindow | None = None
    query: str = ""
    search_text: str = ""
    day: int | None = None
    since: dt.date | None = None
    until: dt.date | None = None
    withheld: list[str] = field(default_factory=list)
    in_window: list[bool | None] = field(default_factory=list)
    matched: bool = True
    best_similarity: float | None = None
    day_range: tuple[int, int] | None = None
    order: str | None = None
    event: SearchHit | None = None
    empty: bool = False
    nearest: list[SearchHit] = field(default_factory=list)

    @property
    def notes(self) -> list[str]:
        """The note paths of the hits, in order (a note twice when two of its entries matched)."""
        return [hit.path for hit in self.hits]

    def to_json(self) -> dict:
        """The results as JSON (``journal search --json``)::

            {"query", "search_text", "window": {"phrase", "since", "until", "kind"} | null, "day",
             "day_range": [first, last] | null, "order": "first" | "last" | null,
             "event": <result> | null, "matched", "best_similarity", "empty",
             "nearest": [<result>, ...], "results": [<result>, ...], "withheld": [path, ...]}

        A ``<result>`` is the :class:`SearchHit` as JSON (``path``, ``title``, ``date``, ``end_date``,
        ``day``, ``days``, ``entry``, ``entry_heading``, ``line``, ``anchor``, ``preamble``, ``heading``,
        ``chunk_index``, ``text``, ``score``, ``categories``, ``tags``, ``source``, ``private``) plus
        ``in_window``. Explicit ``since``/``until`` show as a window whose ``phrase`` is ``null``.
        """
        window: dict[str, str | None] | None
        if self.window is not None:
            window = {"phrase": self.window.phrase, "since": self.window.since.isoformat(),
                      "until": self.window.until.isoformat(), "kind": self.window.kind}
        elif self.since or self.until:
            window = {"phrase": None, "since": self.since.isoformat() if self.since else None,
                      "until": self.until.isoformat() if self.until else None, "kind": "range"}
        else:
            window = None
        marks = self.in_window or [None] * len(self.hits)
        return {
            "query": self.query,
            "search_text": self.search_text,
            "window": window,
            "day": self.day,
            "day_range": list(self.day_range) if self.day_range else None,
            "order": self.order,
            "event": self.event.model_dump(mode="json") if self.event else None,
            "matched": self.matched,
            "best_similarity": None if self.best_similarity is None else round(self.best_similarity, 6),
            "empty": self.empty,
            "nearest": [hit.model_dump(mode="json") for hit in self.nearest],
            "results": [hit.model_dump(mode="json") | {"in_window": mark} for hit, mark in zip(self.hits, marks)],
            "withheld": list(self.withheld),
        }


def search_notes(
    journal: Journal,
    query: str,
    *,
    limit: int = 5,
    offset: int = 0,
    mode: SearchMode = "hybrid",
    since: dt.date | None = None,
    until: dt.date | None = None,
    category: str | None = None,
    day: int | None = None,
    source: Source = "note",
    include_private: bool = False,
    time_mode: TimeMode = "auto",
    today: dt.date | None = None,
    archive: Archive | None = None,
    fusion: HybridFusion | None = None,
) -> SearchResults:
    """Search the journal; one hit per entry (its best chunk), best first; never the same entry twice.

    Args:
        journal: the journal whose archive to search.
        query: free text; what it names of the journal's structure is applied unless ``time_mode="off"``
            (see the module docstring): a first/last-time question, the challenge's calendar ("the
            second week of the challenge"), a day number, a window around an event ("the day after I
            finished the course") or a time expression (not looked for when ``since`` or ``until`` are given).
        limit, offset: the page of entries.
        mode: ``hybrid``, ``fts`` or ``vector`` (see :func:`search_chunks`).
        since, until: explicit inclusive journal-date bounds (a hard filter).
        category: only notes in this category.
        day: a learning-day number to put first (as if the question named it).
        source: ``"note"`` (the learner's notes), ``"agent"`` (the agent's own
            archival entries) or ``"all"``.
        include_private: keep private and draft notes; otherwise they are
            left out and listed in ``withheld``.
        time_mode: ``auto`` (per window kind, :data:`WINDOW_POLICY`),
            ``boost``, ``filter`` (in-window entries first) or ``off`` (no
            day or time handling).
        today: reference day for relative expressions (tests, benchmarks).
        archive: an open archive to reuse.
        fusion: how ``hybrid`` combines BM25 and vectors (see :func:`search_chunks`; benchmarks compare others).

    Raises:
        ValueError: unknown ``mode``, ``time_mode`` or ``source``.
        StoreError: the archive needs re-indexing.
    """
    if time_mode not in TIME_MODES:
        raise ValueError(f"unknown time mode {time_mode!r}; use one of {', '.join(TIME_MODES)}")
    if source not in SOURCES:
        raise ValueError(f"unknown source {source!r}; use one of {', '.join(SOURCES)}")
    if archive is None:
        from journal_agent.archive.store import Archive

        archive = Archive.open(journal)
    stored_source = None if source == "all" else source
    structure = (_Structure(query) if time_mode == "off"
                 else _understand(archive, query, day, since, until, today, include_private))
    text = structure.text
    day = structure.day
    window, day_range = structure.window, structure.day_range
    wanted = offset + limit
    named = window is not None or day is not None or day_range is not None
    depth = max(wanted, MIN_NOTE_DEPTH if named else 0) * CHUNKS_PER_NOTE

    def run(lo: dt.date | None, hi: dt.date | None, day_number: int | None = None, words: str = text,
            span: tuple[int, int] | None = None):
        return _best_per_entry(search_chunks(archive, words, limit=depth, mode=mode, since=lo, until=hi,
                                             category=category, source=stored_source, day=day_number, days=span,
                                             challenge_round=structure.challenge_round, fusion=fusion))

    def listed(**bounds) -> list[SearchHit]:
        return entries_where(archive, category=category, source=stored_source,
                             challenge_round=structure.challenge_round, **bounds)

    base = run(since, until)
    if len(base) < wanted and text != query:
        # Nothing but the day/date was asked ("What did I do on Day 4?"): the rest ranks by the whole question.
        base = _best_per_entry(base + run(since, until, words=query))
    first: list[SearchHit] = []
    structured: list[SearchHit] = []  # the entries the named day, days or window hold
    if day is not None:
        structured = listed(day=day, since=since, until=until)
        first += run(since, until, day) + structured
    if day_range is not None:
        structured = listed(days=day_range, since=since, until=until)
        first += run(since, until, span=day_range) + structured
    policy: str | None = None
    if window is not None:
        policy = WINDOW_POLICY[window.kind] if time_mode == "auto" else time_mode
        inside = run(window.since, window.until)
        structured = listed(since=window.since, until=window.until, limit=wanted + len(inside))
        if policy == "boost":
            base = _fuse(base, inside)
        else:
            first += inside + structured
    where = where_clause(since, until, category, stored_source, include_private=include_private)
    words_left = bool(text.strip(" ?")) and text != query
    matched, similarity = _matched(archive, text, where, mode)
    empty = named and not structured
    nearest: list[SearchHit] = []
    if empty:
        nearest = nearest_entries(archive, since=window.since if window else None,
                                  until=window.until if window else None,
                                  days=day_range or ((day, day) if day is not None and window is None else None),
                                  category=category, source=stored_source, include_private=include_private)
        if policy != "boost" or not words_left:  # never unrelated entries: the nearest, then what the words match
            base = nearest + (base if words_left and matched else [])
    if structure.order is not None:
        keyword = set(_keyword_entries(archive, text, where, mode))
        topic: set[tuple[str, int]] = set()
        if structure.topic:
            topic = (_about(_mentions(archive, structure.topic, base, where, mode))
                     or _about_topic(_keyword_entries(archive, structure.topic, where, mode)))
        if topic - {hit.key for hit in base}:  # an entry about the topic below the page: rank it in
            base = _best_per_entry(base + run(since, until, words=structure.topic))
            base += _entry_hits(archive, topic - {hit.key for hit in base}, where)
        base = _by_date(base, structure.order, keyword, topic)
        first = _by_date(first, structure.order, keyword, topic) if first else first
    ranked = _best_per_entry(first + base)
    visible: list[SearchHit] = []
    withheld: list[str] = []
    for hit in ranked:
        if hit.private and not include_private:
            if len(visible) < wanted and hit.path not in withheld:
                withheld.append(hit.path)
            continue
        visible.append(hit)
    hits = visible[offset:wanted]
    in_window = [_inside(hit, window, day, day_range) for hit in hits]
    return SearchResults(
        hits=hits, window=window, query=query, search_text=text, day=day, since=since, until=until,
        withheld=withheld, in_window=in_window,
        matched=(matched or bool(structured) or any(in_window)) and not (empty and not words_left),
        best_similarity=similarity, day_range=day_range, order=structure.order, event=structure.event,
        empty=empty, nearest=[hit for hit in nearest if include_private or not hit.private],
    )


@dataclass
class _Structure:
    """What a question names of the journal's structure, and the words left to search."""

    text: str
    day: int | None = None
    day_range: tuple[int, int] | None = None
    window: TimeWindow | None = None
    order: str | None = None
    event: SearchHit | None = None
    challenge_round: int | None = None  # the round named with the day: "day 12 of round 1", "R2D14"

    @property
    def topic(self) -> str:
        """For a first/last-time question, the thing asked about (:func:`order_topic` of the words left)."""
        return order_topic(self.text) if self.order else ""


def _understand(archive: Archive, query: str, day: int | None, since: dt.date | None, until: dt.date | None,
                today: dt.date | None, include_private: bool = False) -> _Structure:
    """Read the journal's structure in ``query``, in this order, each phrase taken out of the words:
    a #100DaysOfCode round named with a day (:func:`find_round`: "day 12 of round 1", "R2D14"; applied with
    the day when that round's entries have day numbers), first/last time (:func:`find_order`), the
    challenge's calendar (:func:`find_day_span`: days when the entries have day numbers, else the same count
    of calendar days from the journal's first or last date; :func:`find_challenge_weekend`: a weekend
    counted from the challenge's first or last date),
    a day number (:func:`find_day_number`), a window around an event (:func:`find_event_window`: the event's
    entry is searched first) and a time expression (:func:`find_time_window`, year-less dates put inside
    the archive's span)."""
    found = _Structure(query)

    def take(rest: str) -> None:
        if rest.strip(" ?"):
            found.text = rest

    rounds = find_round(found.text) if day is None else None  # before "the first day of round 2" reads as an order
    if rounds is not None and (find_day_number(rounds.query) or find_day_span(rounds.query)) \
            and _round_has_days(archive, rounds.round):
        found.challenge_round = rounds.round
        take(rounds.query)
    order = find_order(found.text)
    around = find_event_window(found.text)
    if order is not None and around is not None and re.search(rf"\b{re.escape(order.phrase)}\b", around.event,
                                                               re.IGNORECASE):
        order = None  # "three days after I first used LangChain": the event's first time, not the question's
    if order is not None:
        found.order = order.direction
        take(order.query)
    explicit = since is not None or until is not None
    if day is None:
        span = find_day_span(found.text)
        if span is not None:
            journal = archive.span()
            days = span.days(journal.last_day, journal.first_day)
            if journal.last_day is not None and days is not None:
                found.day_range = days
            elif journal.dates and not explicit:  # no day numbers: the challenge's calendar counted in dates
                first, last = journal.dates
                lo, hi = (last - dt.timedelta(days=span.last - 1), last - dt.timedelta(days=span.first - 1)) \
                    if span.from_end else (first + dt.timedelta(days=span.first - 1),
                                           first + dt.timedelta(days=span.last - 1))
                found.window = TimeWindow(lo, hi, span.phrase, span.query, "days")
            take(span.query)
        weekend = find_challenge_weekend(found.text) if found.day_range is None and found.window is None \
            and not explicit else None
        dates = _challenge_dates(archive, include_private) if weekend is not None else None
        if weekend is not None and dates is not None:
            found.window = weekend.window(*dates)
            take(weekend.query)
    if found.day_range is None and found.window is None:
        reference = find_day_number(found.text) if day is None else None
        number = day if day is not None else (reference.day if reference else None)
        if number is not None:
            found.day = number
            if reference is not None:
                take(reference.query)
    if explicit or found.window is not None:
        return found
    event = find_event_window(found.text)
    if event is not None:
        anchor = _event_entry(archive, event.event, include_private)
        if anchor is not None:
            found.event = anchor
            found.window = event.window(anchor.date, anchor.last_date)
            take(event.query)
            return found
    window = find_time_window(found.text, today, lambda: archive.span().dates)
    if window is not None:
        found.window = window
        take(window.query)
    return found


def _challenge_edge(archive: Archive, order: str, include_private: bool) -> SearchHit | None:
    """The challenge's first (``order`` ``"first"``) or last entry: of its lowest or highest learning day when
    entries have day numbers, else of the archive's first or last date."""
    span = archive.span()
    if span.first_day is not None and span.last_day is not None:
        hits = entries_where(archive, day=span.first_day if order == "first" else span.last_day,
                             include_private=include_private)
    elif span.dates is not None:
        day = span.dates[0] if order == "first" else span.dates[1]
        hits = entries_where(archive, since=day, until=day, include_private=include_private)
    else:
        return None
    return (hits[0] if order == "first" else hits[-1]) if hits else None


def _challenge_dates(archive: Archive, include_private: bool) -> tuple[dt.date, dt.date] | None:
    """The challenge's first and last date: from its lowest learning day's entry to its highest's when entries
    have day numbers (the learner's Day 1 among other notes of an older archive), else the archive's span."""
    span = archive.span()
    if span.first_day is None or span.last_day is None:
        return span.dates
    first = entries_where(archive, day=span.first_day, include_private=include_private)
    last = entries_where(archive, day=span.last_day, include_private=include_private)
    if not first or not last:
        return span.dates
    return min(hit.date for hit in first), max(hit.last_date for hit in last)


def _round_has_days(archive: Archive, number: int) -> bool:
    """Whether entries of round ``number`` carry day numbers ("### R2D14"): then a round named with a day is a
    filter; otherwise ("Round 2 - Fight!", a post without a day) "the first day of round 2" is the round's
    first entry, an order question (:func:`find_order`)."""
    return archive.table is not None and archive.scan(
        f"challenge_round = {int(number)} AND day IS NOT NULL", ["path"]).num_rows > 0


_STARTS = re.compile(r"\b(?:start|started|starting|began|begin|beginning|first)\b", re.IGNORECASE)
_ENDS = re.compile(r"\b(?:finish|finished|finishing|complete|completed|completing|end|ended|last)\b", re.IGNORECASE)
_OWN_EVENT = re.compile(r"(?:I|I'd|I'm|we|my|our)\b|[a-z]+ing\b", re.IGNORECASE)  # the learner's own doing
# (also "finishing the course"), not "the test"
_EVENT_VERBS = re.compile(r"\b(?:start\w*|began|begin\w*|begun|finish\w*|complet\w*|end|ended|first|last)\b",
                          re.IGNORECASE)


def _event_entry(archive: Archive, event: str, include_private: bool) -> SearchHit | None:
    """The entry that records ``event`` ("I finished the course"), ``None`` when nothing matches.

    The candidates are the entries about the event's words (:func:`_about`: named together, not only meant
    to be done), else the entries matching about as well as the best (:data:`ORDER_SHARE`). The learner's own
    start ("I started React", "my first deploy") is the earliest of them, the learner's own end ("I finished
    the course") the latest, any other event ("the Codility test", "the budget app started working") the best
    ranked of them. Before those, the entries that record the learner's own doing (:func:`_records`: the start
    or end verb, or the event's own verb, "I got my certificate", beside the topic): the earliest of them for
    a start or end, else the best ranked. A private or draft note is an event only with ``include_private``."""
    ranked = _best_per_entry(search_chunks(archive, event, limit=ORDER_POOL * CHUNKS_PER_NOTE,
                                           include_private=include_private))
    if not ranked:
        return None
    own = _OWN_EVENT.match(event) is not None
    order = ("first" if _STARTS.search(event) else "last" if _ENDS.search(event) else None) if own else None
    where = where_clause(None, None, None, "note", include_private=include_private)
    if order is not None and names_the_challenge(re.sub(r"^\W*\w+\s+", "", _EVENT_VERBS.sub(" ", event)).strip()):
        edge = _challenge_edge(archive, order, include_private)  # "I started the challenge": its first entry
        if edge is not None:
            return edge
    topic = order_topic(_EVENT_VERBS.sub(" ", event))
    about = _about(_mentions(archive, topic, ranked, where, "hybrid"))
    doing = _OWN_VERB.match(event)
    verbs = (_START_FORMS if order == "first" else _END_FORMS) if order else \
        ((doing.group("verb").lower(),) if doing and doing.group("verb").lower() not in _AUXILIARIES else ())
    records = _records(archive, topic, verbs, ranked, where) if verbs else set()
    records = (records & about) or records  # those about the topic too, when any: not "completed the course
    # X" in an entry that names the agent and memory of "the agent memory course" elsewhere
    if records:  # the entry that says it happened ("I completed the short course X"), not a later retelling
        ranked = _best_per_entry(ranked + _entry_hits(archive, (records | about) - {hit.key for hit in ranked},
                                                      where))
        if order is None:  # "I got my certificate": the best match among the entries that say so
            return next(hit for hit in ranked if hit.key in records)
        return _by_date(ranked, "first", set(), records)[0]
    if about:
        ranked = _best_per_entry(ranked + _entry_hits(archive, about - {hit.key for hit in ranked}, where))
        if order is None:
            return next(hit for hit in ranked if hit.key in about)
        return _by_date(ranked, order, set(), about)[0]
    return _by_date(ranked, order, set())[0] if order else ranked[0]


_OWN_VERB = re.compile(r"(?:I|we)\s+(?P<verb>[a-z]+)\b", re.IGNORECASE)  # "I got my certificate": "got"
_AUXILIARIES = frozenset("am was were had have has did do does could would should can will might must".split())
_START_FORMS = ("start", "started", "starting", "begin", "began", "begun", "beginning")
_END_FORMS = ("finish", "finished", "finishing", "complete", "completed", "completing", "done")
RECORD_GAP = 3  # a start/end verb and the topic word it governs: "completed the short course", "started a new course"


def _records(archive: Archive, topic: str, verbs: Sequence[str], pool: list[SearchHit],
             where: str | None) -> set[tuple[str, int]]:
    """The entries that record the learner's own start, end or other doing of ``topic``: a verb of ``verbs``
    with a topic word as its object (at most :data:`RECORD_GAP` tokens after it, "completed the short course
    X"; not before it: "the course starts from function calling" is no start of the learner's) in what the
    learner did (:func:`~journal_agent.notes.mentions.mentions_in`: not a plan), and every word of the topic
    named somewhere in the entry (in any sentence: "I started a new course called X. It introduces the MemGPT
    design" records starting the MemGPT course). The earliest of them is when it happened: a weekly review
    that retells "Finished two courses: X and Y" comes later, and a part finished on the way names the part as
    the verb's object ("finished section 5 of the course")."""
    terms = mentions.topic_terms(topic)
    if archive.table is None or not terms:
        return set()
    verb = len(terms)
    forms = {**{form: frozenset({verb}) for form in verbs}, **mentions.joined_forms(terms)}
    records = set()
    for key, rows in _entry_chunks(archive, topic, terms, pool, where, "hybrid").items():
        found = mentions.mentions_in(rows, forms)
        words = set(mentions.topic_terms(" ".join(row.get("search_text") or "" for row in rows)))
        named = {i for i, word in enumerate(terms) if word in words}.union(*(covered for _, covered in found))
        if not set(range(len(terms))) <= named:
            continue
        at_verb = [at for at, covered in found if verb in covered]
        at_topic = [at for at, covered in found if covered - {verb}]
        if any(0 < word - said <= RECORD_GAP for said in at_verb for word in at_topic):
            records.add(key)
    return records


def _entry_hits(archive: Archive, keys: AbstractSet[tuple[str, int]], where: str | None) -> list[SearchHit]:
    """A hit (its first chunk, score 0) for each entry ``(path, entry)`` of ``keys``, by path and entry."""
    if not keys or archive.table is None:
        return []
    inside = f"path IN ({', '.join(sql_text(path) for path in sorted({path for path, _ in keys}))})"
    rows = archive.scan(inside + (f" AND {where}" if where else ""), COLUMNS).to_pylist()
    rows = [row for row in rows if (row["path"], int(row.get("entry") or 0)) in keys]
    rows.sort(key=lambda row: (row["path"], row.get("entry") or 0, row["chunk_index"]))
    return _best_per_entry([SearchHit.of_row(row, 0.0) for row in rows])


def _keyword_entries(archive: Archive, words: str, where: str | None, mode: SearchMode) -> dict[tuple[str, int], float]:
    """The entries (``(path, entry)``) with a BM25 hit for ``words`` among the best :data:`ORDER_POOL` entries'
    chunks, with their best BM25 score (none in vector mode)."""
    if mode == "vector" or not words.strip():
        return {}
    best: dict[tuple[str, int], float] = {}
    for row in archive.fts_rows(words, where, ORDER_POOL * CHUNKS_PER_NOTE, ["path", "entry", "preamble"]):
        if row.get("preamble"):
            continue
        key = (row["path"], int(row.get("entry") or 0))
        best[key] = max(best.get(key, 0.0), float(row["_score"]))
    return best


def _about_topic(keyword: dict[tuple[str, int], float]) -> set[tuple[str, int]]:
    """The entries whose topic BM25 score is at least :data:`ORDER_TOPIC_SHARE` of the best one's (used when no
    entry names the topic's words, :func:`_about`)."""
    top = max(keyword.values(), default=0.0)
    return {key for key, score in keyword.items() if top > 0 and score >= ORDER_TOPIC_SHARE * top}


ABOUT_SHARE = 0.8  # of the best entry's coverage; 0.7-0.9 score the same on the journal shapes


def _mentions(archive: Archive, topic: str, pool: list[SearchHit], where: str | None,
              mode: SearchMode) -> dict[tuple[str, int], float]:
    """How much of ``topic`` each entry names together (:func:`~journal_agent.notes.mentions.mentions_in`,
    :func:`~journal_agent.notes.mentions.coverage`, IDF-weighted), for the entries of ``pool`` and the best
    keyword matches of ``topic`` (its words also joined, so "tic tac toe" finds "TicTacToe"); preambles left
    out."""
    terms = mentions.topic_terms(topic)
    if archive.table is None or not terms:
        return {}
    forms = mentions.joined_forms(terms)
    found = {key: mentions.mentions_in(rows, forms)
             for key, rows in _entry_chunks(archive, topic, terms, pool, where, mode).items()}
    weights = mentions.idf_weights(list(found.values()), len(terms))
    return {key: mentions.coverage(hits, weights) for key, hits in found.items() if hits}


def _entry_chunks(archive: Archive, topic: str, terms: list[str], pool: list[SearchHit], where: str | None,
                  mode: SearchMode) -> dict[tuple[str, int], list[dict]]:
    """The chunks (``heading``, ``search_text``, in order) of the entries of ``pool`` and of the best keyword
    matches of ``topic`` (its ``terms`` also joined), by entry; preambles left out."""
    forms = mentions.joined_forms(terms)
    keys = {hit.key for hit in pool if not hit.preamble}
    if mode != "vector":
        words = " ".join([topic, *(form for form in forms if form not in terms)])
        for row in archive.fts_rows(words, where, ORDER_POOL * CHUNKS_PER_NOTE, ["path", "entry", "preamble"]):
            if not row.get("preamble"):
                keys.add((row["path"], int(row.get("entry") or 0)))
    if not keys:
        return {}
    inside = f"path IN ({', '.join(sql_text(path) for path in sorted({path for path, _ in keys}))})"
    rows = archive.scan(inside + (f" AND {where}" if where else ""),
                        ["path", "entry", "chunk_index", "heading", "search_text"]).to_pylist()
    chunks: dict[tuple[str, int], list[dict]] = {}
    for row in sorted(rows, key=lambda row: row["chunk_index"]):
        key = (row["path"], int(row.get("entry") or 0))
        if key in keys:
            chunks.setdefault(key, []).append(row)
    return chunks


def _about(coverage: dict[tuple[str, int], float]) -> set[tuple[str, int]]:
    """The entries naming the topic about as fully as the best one (:data:`ABOUT_SHARE` of its coverage)."""
    top = max(coverage.values(), default=0.0)
    return {key for key, share in coverage.items() if top > 0 and share >= ABOUT_SHARE * top}


def _by_date(ranked: list[SearchHit], order: str, keyword: set[tuple[str, int]],
             topic: AbstractSet[tuple[str, int]] = frozenset()) -> list[SearchHit]:
    """For a first/last-time question: the entries that are about what was asked, by date (earliest first for
    ``"first"``, latest first for ``"last"``), then the rest in rank order.

    "About what was asked": the entries of ``topic`` (a strong keyword hit for the topic's own words,
    :func:`_about_topic`) when any of them is ranked; else those among the first :data:`ORDER_POOL` that match
    about as well as the best (:data:`ORDER_SHARE` of its score, or :data:`ORDER_KEYWORD_SHARE` with a keyword
    hit, one of ``keyword``). Preambles (a note's text before its first entry) are not dated entries and stay
    in rank order."""
    if not ranked:
        return ranked
    strong = [hit for hit in ranked if hit.key in topic and not hit.preamble]
    if not strong:
        best = max(hit.score for hit in ranked[:ORDER_POOL])
        strong = [hit for hit in ranked[:ORDER_POOL] if best > 0 and not hit.preamble and (
            hit.score >= ORDER_SHARE * best or (hit.key in keyword and hit.score >= ORDER_KEYWORD_SHARE * best))]
    if not strong:
        return ranked
    latest = order == "last"
    strong.sort(key=lambda hit: (hit.last_date if latest else hit.date, -hit.entry if latest else hit.entry),
                reverse=latest)
    keys = {hit.key for hit in strong}
    return strong + [hit for hit in ranked if hit.key not in keys]


def _matched(archive: Archive, words: str, where: str | None, mode: SearchMode) -> tuple[bool, float | None]:
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


def _inside(hit: SearchHit, window: TimeWindow | None, day: int | None,
            day_range: tuple[int, int] | None = None) -> bool | None:
    """Whether ``hit``'s entry overlaps the window and covers the day or a day of the range (``None``: none)."""
    if window is None and day is None and day_range is None:
        return None
    if hit.preamble:
        return False
    in_time = window is None or (hit.date <= window.until and hit.last_date >= window.since)
    in_days = day_range is None or any(day_range[0] <= n <= day_range[1] for n in hit.days)
    return in_time and in_days and (day is None or day in hit.days)


def _fuse(everywhere: list[SearchHit], inside: list[SearchHit]) -> list[SearchHit]:
    """Weighted RRF of the unfiltered and in-window entry rankings (the in-window one at ``WINDOW_WEIGHT``)."""
    fused = rrf_fuse([everywhere, inside], key=lambda hit: hit.key, weights=[1.0, WINDOW_WEIGHT])
    return [hit.model_copy(update={"score": score}) for hit, score in fused]


def _row_key(ranked: tuple[dict, float]) -> tuple[str, int]:
    return ranked[0]["path"], ranked[0]["chunk_index"]


def _best_per_entry(hits: list[SearchHit]) -> list[SearchHit]:
    """The first hit of each entry (``(path, entry)``), in order: an entry ranks by its best chunk."""
    seen: set[tuple[str, int]] = set()
    best = []
    for hit in hits:
        if hit.key not in seen:
            seen.add(hit.key)
            best.append(hit)
    return best
