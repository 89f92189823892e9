"""Note search, the one pipeline: archive chunks → one result per note, with the journal's structure applied.

Used by ``journal search``, the no-model answer of ``journal ask``, the
agent's ``archival_memory_search`` and the MCP server's ``search_notes``.

What a question names is applied as structure, not as words
(:func:`~journal_agent.notes.days.find_day_number`,
:func:`~journal_agent.notes.time_expressions.find_time_window`):

* A learning-day number ("Day 4", "day four") is a filter on the stored
  ``day``: that day's notes first (ranked among themselves, every one of them
  even when its words do not match), the normal ranking after, so a wrong day
  never leaves the learner with nothing. A number that no note has is
  ignored (its words stay in the query).
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

A note ranks by its best chunk. Measured and not kept (benchmarks/RESULTS.md):
adding 0.3 of a note's second-best chunk score (original-question MRR@10
0.979 → 0.854), dropping words about journaling ("note", "learned", "wrote")
from the query (no change).

Private and draft notes (the store's ``private`` column) are dropped unless
``include_private``; the ones that would have been on the page or before it
are reported in ``withheld`` so a caller can say a private note matched.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Literal

from journal_agent.archive.query import SearchHit, SearchMode, rrf_fuse
from journal_agent.notes.days import DayReference, find_day_number
from journal_agent.notes.time_expressions import TimeWindow, find_time_window

if TYPE_CHECKING:
    from journal_agent.archive.store import Archive
    from journal_agent.workspace import Journal

TimeMode = Literal["auto", "boost", "filter", "off"]
Source = Literal["note", "agent", "all"]
TIME_MODES: tuple[TimeMode, ...] = ("auto", "boost", "filter", "off")
SOURCES: tuple[Source, ...] = ("note", "agent", "all")
# How ``time_mode="auto"`` applies a window of each kind (chosen by measurement, see the module docstring).
WINDOW_POLICY: dict[str, Literal["boost", "filter"]] = {
    "day": "filter", "days": "filter", "week": "filter", "month": "boost", "quarter": "boost", "season": "boost",
    "year": "boost", "range": "boost",
}
WINDOW_WEIGHT = 0.5  # weight of the in-window ranking in the boost fusion (chosen by the sweep above)
MIN_NOTE_DEPTH = 40  # notes ranked per list before fusing, so a lifted note can come from deep
CHUNKS_PER_NOTE = 4  # chunks fetched per wanted note, so grouping still fills the page


@dataclass
class SearchResults:
    """Ranked notes (best chunk each) and what the question was understood to name.

    Attributes:
        hits: one ``SearchHit`` per note, best first (the requested page).
        window: the time window found in the question, or ``None``.
        query: the question as asked.
        search_text: the words searched (the question without the day/time phrases applied).
        day: the learning-day number applied (found in the question or given), or ``None``.
        since, until: explicit hard bounds, when given.
        withheld: paths of private/draft notes that matched on or before this page but were left out.
        in_window: per hit, whether it is inside the window/day understood (``None`` when nothing was).
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

    @property
    def notes(self) -> list[str]:
        """The paths of the hits, in order."""
        return [hit.path for hit in self.hits]

    def to_json(self) -> dict:
        """``{"query", "window": {"phrase", "since", "until"} | null, "day", "results": [...], "withheld"}``.

        Each result is :meth:`SearchHit.to_json` plus ``in_window``. Explicit
        ``since``/``until`` show as a window whose ``phrase`` is ``null``.
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
            "results": [hit.to_json() | {"in_window": mark} for hit, mark in zip(self.hits, marks)],
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
) -> SearchResults:
    """Search notes; one hit per note (its best chunk), best first; never the same note twice.

    Args:
        journal: the journal whose archive to search.
        query: free text; a day number and a time expression in it are applied
            (see the module docstring) unless ``time_mode="off"``; a time
            expression is not looked for when ``since`` or ``until`` are given.
        limit, offset: the page of notes.
        mode: ``hybrid``, ``fts`` or ``vector`` (see :meth:`Archive.search`).
        since, until: explicit inclusive journal-date bounds (a hard filter).
        category: only notes in this category.
        day: a learning-day number to put first (as if the question named it).
        source: ``"note"`` (the learner's notes), ``"agent"`` (the agent's own
            archival entries) or ``"all"``.
        include_private: keep private and draft notes; otherwise they are
            left out and listed in ``withheld``.
        time_mode: ``auto`` (per window kind, :data:`WINDOW_POLICY`),
            ``boost``, ``filter`` (in-window notes first) or ``off`` (no
            day or time handling).
        today: reference day for relative expressions (tests, benchmarks).
        archive: an open archive to reuse.

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
    text = query
    day_notes: list[SearchHit] = []
    if time_mode != "off":
        found = find_day_number(query) if day is None else None
        number = day if day is not None else (found.day if found else None)
        if number is not None:
            day_notes = archive.notes_where(day=number, category=category, source=stored_source,
                                            since=since, until=until)
            if found is not None and day_notes:
                text = _words_left(found, query)
            day = number
    window = None
    if since is None and until is None and time_mode != "off":
        window = find_time_window(text, today)
        if window is not None and window.query.strip(" ?"):
            text = window.query
    wanted = offset + limit
    depth = max(wanted, MIN_NOTE_DEPTH if (window or day_notes) else 0) * CHUNKS_PER_NOTE

    def run(lo: dt.date | None, hi: dt.date | None, day_number: int | None = None, words: str = text):
        return _best_per_note(archive.search(words, limit=depth, mode=mode, since=lo, until=hi, category=category,
                                             source=stored_source, day=day_number))

    base = run(since, until)
    if len(base) < wanted and text != query:
        # Nothing but the day/date was asked ("What did I do on Day 4?"): the rest ranks by the whole question.
        base = _best_per_note(base + run(since, until, words=query))
    first: list[SearchHit] = []
    if day_notes:
        first += run(since, until, day) + day_notes
    if window is not None:
        policy = WINDOW_POLICY[window.kind] if time_mode == "auto" else time_mode
        inside = run(window.since, window.until)
        if policy == "boost":
            base = _fuse(base, inside)
        else:
            first += inside + archive.notes_where(since=window.since, until=window.until, category=category,
                                                  source=stored_source, limit=wanted + len(inside))
    ranked = _best_per_note(first + base)
    visible: list[SearchHit] = []
    withheld: list[str] = []
    for hit in ranked:
        if hit.private and not include_private:
            if len(visible) < wanted:
                withheld.append(hit.path)
            continue
        visible.append(hit)
    hits = visible[offset:wanted]
    return SearchResults(
        hits=hits, window=window, query=query, search_text=text, day=day, since=since, until=until,
        withheld=withheld, in_window=[_inside(hit, window, day) for hit in hits],
    )


def _words_left(found: DayReference, query: str) -> str:
    """The question without its day phrase; the question itself when nothing but the phrase was asked."""
    return found.query if found.query.strip(" ?") else query


def _inside(hit: SearchHit, window: TimeWindow | None, day: int | None) -> bool | None:
    if window is None and day is None:
        return None
    in_time = window is None or window.since <= hit.date <= window.until
    return in_time and (day is None or hit.day == day)


def _fuse(everywhere: list[SearchHit], inside: list[SearchHit]) -> list[SearchHit]:
    """Weighted RRF of the unfiltered and in-window note rankings (the in-window one at ``WINDOW_WEIGHT``)."""
    fused = rrf_fuse([[(_row(h), h.score) for h in everywhere], [(_row(h), h.score) for h in inside]],
                     weights=[1.0, WINDOW_WEIGHT])
    by_key = {(h.path, h.chunk_index): h for h in inside + everywhere}
    return [_rescored(by_key[(row["path"], row["chunk_index"])], score) for row, score in fused]


def _best_per_note(hits: list[SearchHit]) -> list[SearchHit]:
    seen: set[str] = set()
    best = []
    for hit in hits:
        if hit.path not in seen:
            seen.add(hit.path)
            best.append(hit)
    return best


def _row(hit: SearchHit) -> dict:
    return {"path": hit.path, "chunk_index": hit.chunk_index}


def _rescored(hit: SearchHit, score: float) -> SearchHit:
    return SearchHit(**{**hit.__dict__, "score": score})
