"""Note search: archive chunks → one result per note, with time expressions applied.

A question that names a time ("in March 2021", "last week") is searched
twice: inside that window and without it, and the two note rankings are fused
with weighted RRF, the in-window ranking at half weight (``WINDOW_WEIGHT``).
Measured on 27 dated TIL questions (``python -m benchmarks.quality_til``):
with the right month the boost gives Recall@1 0.926 and Recall@5 1.000
(window-first filter: 0.963 / 1.000; no dates: 0.630 / 0.963); with the month
misremembered by four months the filter finds nothing in the top 5 (Recall@5
0.000) while the boost keeps Recall@5 at 0.875. ``time_mode="filter"`` (window first, the
rest after) and ``"off"`` remain for comparison; ``since``/``until`` given
explicitly are always a hard filter.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from journal_agent.archive.store import SearchHit, rrf_fuse
from journal_agent.notes.dates import TimeWindow, find_time_window

if TYPE_CHECKING:
    from journal_agent.archive.store import Archive
    from journal_agent.workspace import Journal

TIME_MODES = ("boost", "filter", "off")
WINDOW_WEIGHT = 0.5  # weight of the in-window ranking in the fusion (chosen by the sweep above)
MIN_NOTE_DEPTH = 40  # notes ranked per list before fusing, so a lifted note can come from deep
CHUNKS_PER_NOTE = 4  # chunks fetched per wanted note, so grouping still fills the page


@dataclass
class SearchResults:
    """Ranked notes (best chunk each) and the time window applied, if any."""

    hits: list[SearchHit]
    window: TimeWindow | None = None
    query: str = ""
    notes: list[str] = field(default_factory=list)

    def to_json(self) -> list[dict]:
        return [hit.to_json() for hit in self.hits]


def search_notes(
    journal: "Journal",
    query: str,
    *,
    limit: int = 5,
    offset: int = 0,
    mode: str = "hybrid",
    since: dt.date | None = None,
    until: dt.date | None = None,
    category: str | None = None,
    time_mode: str = "boost",
    today: dt.date | None = None,
    archive: "Archive | None" = None,
) -> SearchResults:
    """Search notes; one hit per note (its best chunk), best first.

    Args:
        journal: the journal whose archive to search.
        query: free text; a time expression in it is applied unless ``since``
            or ``until`` are given, or ``time_mode="off"``.
        limit, offset: the page of notes.
        mode: ``hybrid``, ``fts`` or ``vector`` (see :meth:`Archive.search`).
        since, until: explicit inclusive journal-date bounds (a hard filter).
        category: only notes in this category.
        time_mode: ``boost`` (weighted RRF of in-window and unfiltered rankings),
            ``filter`` (in-window notes first, then the rest) or ``off``.
        today: reference day for relative expressions (tests, benchmarks).
        archive: an open archive to reuse.

    Raises:
        ValueError: unknown ``mode`` or ``time_mode``.
        StoreError: the archive needs re-indexing.
    """
    if time_mode not in TIME_MODES:
        raise ValueError(f"unknown time mode {time_mode!r}; use one of {', '.join(TIME_MODES)}")
    if archive is None:
        from journal_agent.archive.store import Archive

        archive = Archive.open(journal)
    window = None
    text = query
    if since is None and until is None and time_mode != "off":
        window = find_time_window(query, today)
        if window is not None and window.query.strip(" ?"):
            text = window.query
    wanted = offset + limit
    depth = max(wanted, MIN_NOTE_DEPTH if window else 0) * CHUNKS_PER_NOTE

    def run(lo, hi):
        return archive.search(text, limit=depth, mode=mode, since=lo, until=hi, category=category)

    if window is None:
        ranked = _best_per_note(run(since, until))
    else:
        inside = _best_per_note(run(window.since, window.until))
        everywhere = _best_per_note(run(None, None))
        if time_mode == "boost":
            fused = rrf_fuse([[(_row(h), h.score) for h in everywhere], [(_row(h), h.score) for h in inside]],
                             weights=[1.0, WINDOW_WEIGHT])
            by_key = {(h.path, h.chunk_index): h for h in inside + everywhere}
            ranked = [_rescored(by_key[(row["path"], row["chunk_index"])], score) for row, score in fused]
        else:
            seen = {h.path for h in inside}
            ranked = inside + [h for h in everywhere if h.path not in seen]
    hits = ranked[offset:wanted]
    return SearchResults(hits=hits, window=window, query=text, notes=[h.path for h in hits])


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
