"""Journal statistics: notes, entries, study days, streaks, gaps, and counts by category, tag and month.

Counted over **entries** (issue 18, :mod:`~journal_agent.notes.entries`): a single-file
log of 80 ``### Day N: <date>`` sections is 80 entries on their own dates, not one note
dated the day it was copied; an entry whose heading names a date range covers each of
its dates. A plain note is one entry.

A note dated only by its file's modification time (a copied folder is all "today"; a Jekyll
``draft.md``) counts in ``notes`` and ``dated_by_file_time`` but in no date, streak, gap or
month while other notes say their dates.

A **study day** (a writing day) is a date with at least one entry. A **streak** is a run of
consecutive calendar days with at least one entry each (several on one day count once). The **current streak** is the
run that ends today, or yesterday when today has no note yet (the day is not
over); otherwise it is 0. The **longest streak** is the longest run (the most
recent one on a tie). A **gap** is a run of days without an entry between the
first and the last.

Weekly digests (``journal digest``, :attr:`~journal_agent.notes.model.Note.is_digest`)
summarize other notes: they are not writing days and count nowhere here.
"""

from __future__ import annotations

import datetime as dt
from collections import Counter
from collections.abc import Callable, Iterable
from dataclasses import field
from itertools import pairwise
from typing import TYPE_CHECKING, Annotated

from pydantic import Field
from pydantic.dataclasses import dataclass

from journal_agent.notes.entries import covered_dates, listed
from journal_agent.notes.journal import read_journal
from journal_agent.records import JsonRecord

if TYPE_CHECKING:
    from journal_agent.notes.model import Note
    from journal_agent.workspace import Journal


def days_text(count: int) -> str:
    """"1 day", "3 days", "0 days": the one wording of a count of days."""
    return f"{count} day{'' if count == 1 else 's'}"


@dataclass(frozen=True)
class Streak(JsonRecord):
    """A run of consecutive writing days: ``days`` long, from ``since`` to ``until`` inclusive (``None`` when 0).

    JSON: ``{"days": 3, "from": "2025-09-18", "until": "2025-09-20"}``.
    """

    days: int = 0
    since: Annotated[dt.date | None, Field(serialization_alias="from")] = None
    until: dt.date | None = None

    def describe(self, label: Callable[[dt.date], str] = dt.date.isoformat) -> str:
        """"0 days", "1 day (2025-09-18)", "3 days (2025-09-18 to 2025-09-20)"; ``label`` writes a date."""
        if not self.days or self.since is None or self.until is None:
            return days_text(0)
        if self.since == self.until:
            return f"{days_text(1)} ({label(self.since)})"
        return f"{days_text(self.days)} ({label(self.since)} to {label(self.until)})"


@dataclass(frozen=True)
class Gap(JsonRecord):
    """Missed days between two notes: ``since`` to ``until`` inclusive, ``days`` long.

    JSON: ``{"from": "2025-09-21", "until": "2025-09-22", "days": 2}``.
    """

    since: Annotated[dt.date, Field(serialization_alias="from")]
    until: dt.date
    days: int

    def describe(self) -> str:
        """"2025-09-21 (1 day)", "2025-09-21 to 2025-09-22 (2 days)"."""
        span = self.since.isoformat() if self.days == 1 else f"{self.since} to {self.until}"
        return f"{span} ({days_text(self.days)})"


@dataclass
class JournalStats(JsonRecord):
    """What ``journal stats`` reports (see the module docstring for study days, streaks and gaps).

    Attributes:
        notes: how many notes; days: how many distinct study days (dates with an entry).
        first_date, last_date: the oldest and newest entry dates (``None`` when empty).
        current_streak, longest_streak: :class:`Streak`.
        gaps: every :class:`Gap`, oldest first.
        categories, tags: notes per category/tag, most first (only shareable
            notes when private notes were excluded).
        months: entries per ``YYYY-MM`` (a one-entry-per-note journal: notes per month), in date order.
        per_day: entries per date (for the calendar heatmap).
        private_notes: private or draft notes among ``notes`` (their dates count, their labels may not).
        today: the day the current streak was computed for.
        entries: how many entries (:func:`~journal_agent.notes.entries.listed`: preambles left out).
        month_days: study days per ``YYYY-MM``, in date order ("how many days did I study in May?").
        learning_days: how many distinct learning-day numbers the entries name (Day 0 counts).
        first_day, last_day: the lowest and highest learning-day number (``None`` when none is named).
        dated_by_file_time: notes dated by their file's modification time (a guess: see
            :func:`~journal_agent.notes.model.file_time_hint`); their entries count in no date, streak, gap
            or month unless no note says its date (then the file times are all there is).
    """

    notes: int
    days: int
    first_date: dt.date | None
    last_date: dt.date | None
    current_streak: Streak
    longest_streak: Streak
    gaps: list[Gap]
    categories: dict[str, int]
    tags: dict[str, int]
    months: dict[str, int]
    per_day: dict[dt.date, int] = Field(default_factory=dict, exclude=True)  # the entries' dates again: not in JSON
    private_notes: int = 0
    today: dt.date = field(default_factory=dt.date.today)
    entries: int = 0
    month_days: dict[str, int] = Field(default_factory=dict)
    learning_days: int = 0
    first_day: int | None = None
    last_day: int | None = None
    dated_by_file_time: int = 0


def _spans(dates: Iterable[dt.date]) -> list[tuple[dt.date, dt.date]]:
    """``(first, last)`` of each run of consecutive days, oldest first."""
    spans: list[tuple[dt.date, dt.date]] = []
    for day in sorted(set(dates)):
        if spans and (day - spans[-1][1]).days == 1:
            spans[-1] = (spans[-1][0], day)
        else:
            spans.append((day, day))
    return spans


def runs(dates: Iterable[dt.date]) -> list[Streak]:
    """The runs of consecutive days in ``dates`` (duplicates ignored), oldest first."""
    return [Streak((last - first).days + 1, first, last) for first, last in _spans(dates)]


def streaks(dates: Iterable[dt.date], today: dt.date) -> tuple[Streak, Streak, list[Gap]]:
    """``(current, longest, gaps)`` for notes on ``dates`` as of ``today``.

    Notes dated after ``today`` do not extend the current streak.
    """
    days = set(dates)
    spans = _spans(days)
    longest = max(reversed(runs(days)), key=lambda r: r.days, default=Streak())
    last = runs(d for d in days if d <= today)[-1:]
    current = last[0] if last and last[0].until and last[0].until >= today - dt.timedelta(days=1) else Streak()
    gaps = [Gap(a_last + dt.timedelta(days=1), b_first - dt.timedelta(days=1), (b_first - a_last).days - 1)
            for (_, a_last), (b_first, _) in pairwise(spans)]
    return current, longest, gaps


def compute_stats(notes: list[Note], *, today: dt.date | None = None, include_private: bool = True) -> JournalStats:
    """Statistics of ``notes`` over their entries (see :class:`JournalStats`); weekly digests are left out first.

    Every other note's entries count in the dates, streaks, gaps and months; with
    ``include_private=False`` private and draft notes do not count in the
    category and tag counts, so their labels are not shown.
    """
    from journal_agent.notes.model import FILE_TIME_SOURCE

    today = today or dt.date.today()
    notes = [n for n in notes if not n.is_digest]
    guessed = [n for n in notes if n.date_source == FILE_TIME_SOURCE]
    # a file time is when a file was copied or saved, not a study day: left out when other notes say their dates
    dated = [n for n in notes if n.date_source != FILE_TIME_SOURCE] or notes
    entries = [entry for note in dated for entry in listed(note.entries)]
    dates = [day for entry in entries for day in covered_dates(entry)]
    current, longest, gaps = streaks(dates, today)
    labelled = [n for n in notes if include_private or n.publishable]
    categories = Counter(c for n in labelled for c in n.categories)
    tags = Counter(t for n in labelled for t in n.tags)
    months = Counter(e.date.strftime("%Y-%m") for e in entries)
    month_days = Counter(d.strftime("%Y-%m") for d in set(dates))
    numbers = {day for entry in entries for day in entry.days}
    return JournalStats(notes=len(notes), days=len(set(dates)), first_date=min(dates, default=None),
                        last_date=max(dates, default=None), current_streak=current, longest_streak=longest, gaps=gaps,
                        categories=dict(categories.most_common()), tags=dict(tags.most_common()),
                        months=dict(sorted(months.items())), per_day=dict(Counter(dates)),
                        private_notes=sum(1 for n in notes if not n.publishable), today=today,
                        entries=len(entries), month_days=dict(sorted(month_days.items())),
                        learning_days=len(numbers), first_day=min(numbers, default=None),
                        last_day=max(numbers, default=None),
                        dated_by_file_time=len(guessed))


def journal_stats(journal: Journal, *, today: dt.date | None = None, include_private: bool = True) -> JournalStats:
    """:func:`compute_stats` over every note :func:`~journal_agent.notes.journal.read_journal` reads (unreadable
    files are skipped)."""
    return compute_stats(read_journal(journal).notes, today=today, include_private=include_private)
