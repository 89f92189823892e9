"""The journal's structure in a question: days, rounds, the challenge's calendar, events, first/last time.

What a question names is applied as structure, not as words
(:func:`~journal_agent.notes.days.find_day_number`,
:func:`~journal_agent.notes.time_expressions.find_time_window`):

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
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Callable, Sequence
from collections.abc import Set as AbstractSet
from dataclasses import dataclass, replace
from typing import TYPE_CHECKING

from journal_agent.archive.modes import SearchMode
from journal_agent.archive.retrieval import (
    CHUNKS_PER_NOTE,
    COLUMNS,
    SearchHit,
    best_per_entry,
    entries_where,
    search_chunks,
    where_clause,
)
from journal_agent.archive.schema import sql_text
from journal_agent.notes import mentions
from journal_agent.notes.dates import numeric_order
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


@dataclass
class Structure:
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


def understand(archive: Archive, query: str, day: int | None, since: dt.date | None, until: dt.date | None,
                today: dt.date | None, include_private: bool = False) -> Structure:
    """Read the journal's structure in ``query``, in this order, each phrase taken out of the words:
    a #100DaysOfCode round named with a day (:func:`find_round`: "day 12 of round 1", "R2D14"; applied with
    the day when that round's entries have day numbers), first/last time (:func:`find_order`), the
    challenge's calendar (:func:`find_day_span`: days when the entries have day numbers, else the same count
    of calendar days from the journal's first or last date; :func:`find_challenge_weekend`: a weekend
    counted from the challenge's first or last date),
    a day number (:func:`find_day_number`), a window around an event (:func:`find_event_window`: the event's
    entry is searched first) and a time expression (:func:`find_time_window`, year-less dates put inside
    the archive's span; a date in numbers alone read both ways takes the reading the journal has entries on:
    :func:`_journal_reading`)."""
    found = Structure(query)

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
        found.window = _journal_reading(archive, window, include_private)
        take(window.query)
    return found


def _journal_reading(archive: Archive, window: TimeWindow, include_private: bool) -> TimeWindow:
    """``window`` as the journal reads it: a date in numbers alone both ways readable ("01/04/2020") becomes the
    reading with entries in the archive, the journal's own numeric order (its entry headings) deciding when both
    have (:meth:`~journal_agent.notes.dates.NumericDate.choose`); every other window is returned as it is."""
    readings = window.readings
    if readings is None or not readings.ambiguous:
        return window

    def has_entries(day: dt.date) -> bool:
        return bool(entries_where(archive, since=day, until=day, include_private=include_private, limit=1))

    def order() -> str:  # the journal's own: every entry heading (asked only when both readings have entries)
        return numeric_order([hit.entry_heading or hit.title for hit in
                              entries_where(archive, include_private=include_private, limit=1_000_000)])

    day = readings.choose(has_entries, order)
    return window if day is None or day == window.since else replace(window, since=day, until=day)


def in_date_order(archive: Archive, structure: Structure, base: list[SearchHit], first: list[SearchHit],
                  where: str | None, mode: SearchMode,
                  search: Callable[[str], list[SearchHit]]) -> tuple[list[SearchHit], list[SearchHit]]:
    """For a first/last-time question (``structure.order``), ``base`` and ``first`` with the entries about what
    was asked put in date order (:func:`_by_date`); both as given for any other question.

    About what was asked: the entries naming the topic (``structure.topic``) about as fully as the best one
    (:func:`_mentions`, :func:`_about`), else those with a strong keyword hit for it (:func:`_about_topic`); an
    entry about it ranked below the page is ranked in first. Without a topic entry, the share rules of
    :func:`_by_date` decide.

    Args:
        archive: the open archive.
        structure: what the question names (:func:`understand`); its ``text`` is the words searched.
        base: the ranked entries, one hit each, best first.
        first: the entries of a named day, days or window, put before ``base`` (may be empty).
        where: the search's SQL filter (:func:`~journal_agent.archive.retrieval.where_clause`).
        mode: ``hybrid``, ``fts`` or ``vector``.
        search: the entries ranked for other words with the same filters as ``base`` (here the topic alone).

    Returns:
        ``(base, first)``, one hit per entry each.
    """
    if structure.order is None:
        return base, first
    keyword = set(_keyword_entries(archive, structure.text, where, mode))
    topic: set[tuple[str, int]] = set()
    if structure.topic:
        topic = (_about(_mentions(archive, structure.topic, base, where, mode))
                 or _about_topic(_keyword_entries(archive, structure.topic, where, mode)))
    if topic - {hit.key for hit in base}:  # an entry about the topic below the page: rank it in
        base = best_per_entry(base + search(structure.topic))
        base += _entry_hits(archive, topic - {hit.key for hit in base}, where)
    return _by_date(base, structure.order, keyword, topic), \
        (_by_date(first, structure.order, keyword, topic) if first else first)


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
    ranked = best_per_entry(search_chunks(archive, event, limit=ORDER_POOL * CHUNKS_PER_NOTE,
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
        ranked = best_per_entry(ranked + _entry_hits(archive, (records | about) - {hit.key for hit in ranked},
                                                      where))
        if order is None:  # "I got my certificate": the best match among the entries that say so
            return next(hit for hit in ranked if hit.key in records)
        return _by_date(ranked, "first", set(), records)[0]
    if about:
        ranked = best_per_entry(ranked + _entry_hits(archive, about - {hit.key for hit in ranked}, where))
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
    return best_per_entry([SearchHit.of_row(row, 0.0) for row in rows])


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


def inside_named(hit: SearchHit, window: TimeWindow | None, day: int | None,
            day_range: tuple[int, int] | None = None) -> bool | None:
    """Whether ``hit``'s entry overlaps the window and covers the day or a day of the range (``None``: none)."""
    if window is None and day is None and day_range is None:
        return None
    if not hit.owns_date:
        return False
    in_time = window is None or (hit.date <= window.until and hit.last_date >= window.since)
    in_days = day_range is None or any(day_range[0] <= n <= day_range[1] for n in hit.days)
    return in_time and in_days and (day is None or day in hit.days)
