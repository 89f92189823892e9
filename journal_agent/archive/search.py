"""Journal search, the one pipeline: a question → filters, BM25 and vector rankings, fusion → one hit per entry.

Used by ``journal search``, the no-model answer of ``journal ask``, the
agent's ``archival_memory_search`` and the MCP server's ``search_notes``.
The whole path from question to ranked notes is here; the store
(:class:`~journal_agent.archive.store.Archive`) only runs the raw queries
(:meth:`~journal_agent.archive.store.Archive.fts_rows`,
:meth:`~journal_agent.archive.store.Archive.vector_rows`,
:meth:`~journal_agent.archive.store.Archive.scan`).

The halves of a search and their fusion, one hit per entry, are
:mod:`journal_agent.archive.retrieval`'s; what a question names of the journal's structure
(days, the challenge's calendar, events, first/last time) is :mod:`journal_agent.archive.structure`'s.
Here they are put together:

* A day, days or window that holds no entry is said (``SearchResults.empty``) and the nearest
  entries before and after it are offered first (:func:`~journal_agent.archive.retrieval.nearest_entries`),
  then only what the question's words really match; never unrelated notes in its place. (A month-wide or wider
  window with words left still boosts, below: a misremembered month.)
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

Whether anything really matched is said (``SearchResults.matched``, issue 20:
``journal search xyzzyplugh`` showed five confident, unrelated notes): not
when no chunk has a keyword (BM25) hit, no day or time window named in the
question has notes, and the best cosine similarity is under
:data:`~journal_agent.archive.retrieval.WEAK_SIMILARITY`. Ranked lists always have a first place; a caller
shows those notes as "closest by meaning", not as answers.

Private and draft notes (the store's ``private`` column) are dropped unless
``include_private``; the ones that would have been on the page or before it
are reported in ``withheld`` so a caller can say a private note matched.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Literal

from journal_agent.archive.modes import SOURCES, SearchMode, Source
from journal_agent.archive.retrieval import (
    CHUNKS_PER_NOTE,
    MIN_NOTE_DEPTH,
    HybridFusion,
    SearchHit,
    best_per_entry,
    entries_where,
    nearest_entries,
    rrf_fuse,
    search_chunks,
    where_clause,
    words_match,
)
from journal_agent.archive.structure import Structure, in_date_order, inside_named, understand
from journal_agent.notes.time_expressions import TimeWindow

if TYPE_CHECKING:
    from journal_agent.archive.store import Archive
    from journal_agent.workspace import Journal


TimeMode = Literal["auto", "boost", "filter", "off"]
TIME_MODES: tuple[TimeMode, ...] = ("auto", "boost", "filter", "off")
# How ``time_mode="auto"`` applies a window of each kind (chosen by measurement, see the module docstring).
WINDOW_POLICY: dict[str, Literal["boost", "filter"]] = {
    "day": "filter", "days": "filter", "week": "filter", "month": "boost", "quarter": "boost", "season": "boost",
    "year": "boost", "range": "boost",
}
WINDOW_WEIGHT = 0.5  # weight of the in-window ranking in the boost fusion (chosen by the sweep above)


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

        A ``<result>`` is the :class:`~journal_agent.archive.retrieval.SearchHit` as JSON (``path``, ``title``,
        ``date``, ``end_date``, ``day``, ``days``, ``entry``, ``entry_heading``, ``line``, ``anchor``, ``preamble``,
        ``heading``, ``chunk_index``, ``text``, ``score``, ``categories``, ``tags``, ``source``, ``private``) plus
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
        mode: ``hybrid``, ``fts`` or ``vector`` (see :func:`~journal_agent.archive.retrieval.search_chunks`).
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
        fusion: how ``hybrid`` combines BM25 and vectors (see
            :func:`~journal_agent.archive.retrieval.search_chunks`; benchmarks compare others).

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
    structure = (Structure(query) if time_mode == "off"
                 else understand(archive, query, day, since, until, today, include_private))
    text = structure.text
    day = structure.day
    window, day_range = structure.window, structure.day_range
    wanted = offset + limit
    named = window is not None or day is not None or day_range is not None
    depth = max(wanted, MIN_NOTE_DEPTH if named else 0) * CHUNKS_PER_NOTE

    def run(lo: dt.date | None, hi: dt.date | None, day_number: int | None = None, words: str = text,
            span: tuple[int, int] | None = None):
        return best_per_entry(search_chunks(archive, words, limit=depth, mode=mode, since=lo, until=hi,
                                             category=category, source=stored_source, day=day_number, days=span,
                                             challenge_round=structure.challenge_round, fusion=fusion))

    def listed(**bounds) -> list[SearchHit]:
        return entries_where(archive, category=category, source=stored_source,
                             challenge_round=structure.challenge_round, **bounds)

    base = run(since, until)
    if len(base) < wanted and text != query:
        # Nothing but the day/date was asked ("What did I do on Day 4?"): the rest ranks by the whole question.
        base = best_per_entry(base + run(since, until, words=query))
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
        inside = [hit for hit in run(window.since, window.until) if hit.owns_date]  # not a log's introduction
        structured = listed(since=window.since, until=window.until, limit=wanted + len(inside))
        if policy == "boost":
            base = _fuse(base, inside)
        else:
            first += inside + structured
    where = where_clause(since, until, category, stored_source, include_private=include_private)
    words_left = bool(text.strip(" ?")) and text != query
    matched, similarity = words_match(archive, text, where, mode)
    empty = named and not structured
    nearest: list[SearchHit] = []
    if empty:
        nearest = nearest_entries(archive, since=window.since if window else None,
                                  until=window.until if window else None,
                                  days=day_range or ((day, day) if day is not None and window is None else None),
                                  category=category, source=stored_source, include_private=include_private)
        if policy != "boost" or not words_left:  # never unrelated entries: the nearest, then what the words match
            base = nearest + (base if words_left and matched else [])
    base, first = in_date_order(archive, structure, base, first, where, mode,
                                lambda words: run(since, until, words=words))
    ranked = best_per_entry(first + base)
    visible: list[SearchHit] = []
    withheld: list[str] = []
    for hit in ranked:
        if hit.private and not include_private:
            if len(visible) < wanted and hit.path not in withheld:
                withheld.append(hit.path)
            continue
        visible.append(hit)
    hits = visible[offset:wanted]
    in_window = [inside_named(hit, window, day, day_range) for hit in hits]
    return SearchResults(
        hits=hits, window=window, query=query, search_text=text, day=day, since=since, until=until,
        withheld=withheld, in_window=in_window,
        matched=(matched or bool(structured) or any(in_window)) and not (empty and not words_left),
        best_similarity=similarity, day_range=day_range, order=structure.order, event=structure.event,
        empty=empty, nearest=[hit for hit in nearest if include_private or not hit.private],
    )


def _fuse(everywhere: list[SearchHit], inside: list[SearchHit]) -> list[SearchHit]:
    """Weighted RRF of the unfiltered and in-window entry rankings (the in-window one at ``WINDOW_WEIGHT``)."""
    fused = rrf_fuse([everywhere, inside], key=lambda hit: hit.key, weights=[1.0, WINDOW_WEIGHT])
    return [hit.model_copy(update={"score": score}) for hit, score in fused]
