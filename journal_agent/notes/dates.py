"""Dates in what people type: ``--date yesterday`` and "what did I learn in March 2021?".

:func:`parse_date` reads one natural-language date with dateparser (for
command-line options); :func:`parse_note_date` reads the absolute date written
in a note's front matter. Both try only the configured languages
(``[journal] date_languages``), passed in by the caller.
:func:`find_time_window` finds a time expression inside a question and turns
it into an inclusive ``(since, until)`` range plus the question with that
expression removed, so the words "March 2021" do not also
count as search terms.
"""

from __future__ import annotations

import calendar
import datetime as dt
import re
from collections.abc import Sequence
from dataclasses import dataclass

_MONTHS = {name.lower(): index for index, name in enumerate(calendar.month_name) if name}
_MONTHS.update({name.lower(): index for index, name in enumerate(calendar.month_abbr) if name})
_MONTHS["sept"] = 9
_MONTH_RE = "|".join(sorted(_MONTHS, key=len, reverse=True))
_SEASONS = {"spring": (3, 5), "summer": (6, 8), "autumn": (9, 11), "fall": (9, 11), "winter": (12, 14)}
_PARTS = {"early": (1, 4), "mid": (5, 8), "middle of": (5, 8), "late": (9, 12), "end of": (10, 12),
          "beginning of": (1, 3), "start of": (1, 3), "first half of": (1, 6), "second half of": (7, 12)}
_LEAD = r"(?:\b(?:back\s+)?(?:in|during|around|from|on|over|throughout|of)\s+(?:the\s+)?)?"


@dataclass(frozen=True)
class TimeWindow:
    """An inclusive date range named in a question.

    Attributes:
        since, until: inclusive bounds.
        phrase: the words that named it ("in March 2021").
        query: the question with ``phrase`` removed.
    """

    since: dt.date
    until: dt.date
    phrase: str
    query: str


DEFAULT_LANGUAGES: tuple[str, ...] = ("en",)
# A note is about a day a person lived through: years outside this range are typos
# (``-0001-01-01``, ``0001-01-01``) and would break date arithmetic at the edges.
MIN_NOTE_YEAR, MAX_NOTE_YEAR = 1900, 2199


def parse_date(text: str, today: dt.date | None = None, languages: Sequence[str] = DEFAULT_LANGUAGES) -> dt.date:
    """One date from natural language: "yesterday", "last monday", "2025-09-18", "18 Sep 2025".

    For command-line options (``--date``, ``--since``, ``--until``). Relative
    dates count back from ``today``. Only ``languages`` are tried (the
    ``[journal] date_languages`` setting; dateparser without languages tries
    every locale it knows and takes seconds to give up on a typo).

    Raises:
        ValueError: dateparser cannot read ``text``; the message quotes it.
    """
    base = dt.datetime.combine(today or dt.date.today(), dt.time(12))
    settings = {"PREFER_DATES_FROM": "past", "RELATIVE_BASE": base, "DATE_ORDER": "YMD"}
    stripped = text.strip()
    parsed = _dateparser(stripped, languages, settings)
    if parsed is None and re.fullmatch(r"\d{1,2}[-/.]\d{1,2}[-/.]\d{4}", stripped):
        parsed = _dateparser(stripped, languages, {**settings, "DATE_ORDER": "DMY"})
    if parsed is None:
        raise ValueError(f"cannot read {text!r} as a date (try 2025-09-18, yesterday, last monday)")
    return parsed.date()


def parse_note_date(text: str, languages: Sequence[str] = DEFAULT_LANGUAGES) -> dt.datetime | None:
    """An absolute date written in a note's front matter, or ``None`` when it is not one.

    Reads ISO 8601 (``2025-09-18``, ``2025-09-18 23:55``), the day-first forms
    Jekyll notes use (``18-09-2025``, ``18-09-2025 23.55``, ``18/09/2025``)
    and written-out dates in ``languages`` (``18 Sep 2025``, ``Sep 18, 2025``).
    Relative words (``tomorrow``, ``3 days ago``) and partial dates
    (``September 2025``) are not dates of a note: a note's date must not move
    with the day it is read, so they give ``None``. So does a year outside
    ``MIN_NOTE_YEAR``..``MAX_NOTE_YEAR``.

    Returns:
        A naive ``datetime`` (time 00:00 when none was written; a time zone is dropped,
        keeping the wall-clock time as written), or ``None``.
    """
    stripped = text.strip()
    match = _DAY_FIRST_RE.match(stripped)
    parsed: dt.datetime | None
    try:
        if match:
            day, month, year, hour, minute, second = match.groups()
            parsed = dt.datetime(int(year), int(month), int(day), int(hour or 0), int(minute or 0), int(second or 0))
        else:
            parsed = dt.datetime.fromisoformat(stripped)
    except ValueError:
        parsed = _dateparser(stripped, languages, {
            "PARSERS": ["absolute-time"], "REQUIRE_PARTS": ["day", "month", "year"],
            "DATE_ORDER": "DMY", "PREFER_DAY_OF_MONTH": "first",
        })
    if parsed is None or not MIN_NOTE_YEAR <= parsed.year <= MAX_NOTE_YEAR:
        return None
    return parsed.replace(tzinfo=None)


# Jekyll-style day-first dates: 18-09-2025, 18-09-2025 23.55, 18/09/2025 23:55
_DAY_FIRST_RE = re.compile(
    r"^\s*(\d{1,2})[-/.](\d{1,2})[-/.](\d{4})(?:[ T]+(\d{1,2})[.:h](\d{2})(?:[.:](\d{2}))?)?\s*$"
)


def _dateparser(text: str, languages: Sequence[str], settings: dict) -> dt.datetime | None:
    """dateparser.parse restricted to ``languages``; ``None`` for what it cannot read (or chokes on)."""
    import dateparser

    if not text or len(text) > 200:  # a date is short; dateparser's time grows with the text
        return None
    try:
        return dateparser.parse(text, languages=list(languages) or list(DEFAULT_LANGUAGES), settings=settings)
    except (ValueError, OverflowError, TypeError):  # e.g. "year 0 is out of range" inside dateparser
        return None


def find_time_window(question: str, today: dt.date | None = None) -> TimeWindow | None:
    """The first time expression in ``question`` as a date range, or ``None``.

    Understands: month + year ("March 2021", "Sept 2020", "2021-03"), a year
    ("in 2021"), a month alone (the latest such month not after today),
    seasons and parts of a year ("spring 2021", "early 2021", "late 2020"),
    ISO days ("2025-09-18"), and relative spans ("today", "yesterday",
    "this/last week", "this/last month", "this/last year", "N days/weeks/months ago",
    "the last N days").
    """
    today = today or dt.date.today()
    for finder in (_relative, _season_relative, _part_of_year, _month_year, _iso_day, _year, _month_only):
        found = finder(question, today)
        if found is not None:
            since, until, match = found
            query = (question[: match.start()] + " " + question[match.end():]).strip()
            return TimeWindow(since, until, match.group(0).strip(), re.sub(r"\s+", " ", query).strip(" ,?") + ("?" if question.rstrip().endswith("?") else ""))
    return None


def _month_span(year: int, month: int) -> tuple[dt.date, dt.date]:
    return dt.date(year, month, 1), dt.date(year, month, calendar.monthrange(year, month)[1])


def _months_span(year: int, first: int, last: int) -> tuple[dt.date, dt.date]:
    # Months past 12 roll into the next year (winter = Dec..Feb).
    end_year, end_month = year + (last - 1) // 12, (last - 1) % 12 + 1
    return dt.date(year, first, 1), _month_span(end_year, end_month)[1]


def _search(pattern: str, text: str):
    return re.search(pattern, text, flags=re.IGNORECASE)


def _month_year(question: str, today: dt.date):
    match = _search(rf"{_LEAD}\b({_MONTH_RE})\.?,?\s+(?:of\s+)?((?:19|20)\d\d)\b", question)
    if match:
        return (*_month_span(int(match.group(2)), _MONTHS[match.group(1).lower()]), match)
    match = _search(rf"{_LEAD}\b((?:19|20)\d\d)-(0[1-9]|1[0-2])\b(?!-\d)", question)
    if match:
        return (*_month_span(int(match.group(1)), int(match.group(2))), match)
    return None


def _iso_day(question: str, today: dt.date):
    match = _search(rf"{_LEAD}\b((?:19|20)\d\d)-(\d\d)-(\d\d)\b", question)
    if match:
        try:
            day = dt.date(*map(int, match.groups()))
        except ValueError:
            return None
        return day, day, match
    return None


def _year(question: str, today: dt.date):
    match = _search(r"\b(?:in|during|throughout|of|back\s+in)\s+((?:19|20)\d\d)\b", question)
    if match:
        year = int(match.group(1))
        return dt.date(year, 1, 1), dt.date(year, 12, 31), match
    return None


def _month_only(question: str, today: dt.date):
    # Only with a preposition: "may" alone is a verb far more often than a month.
    match = _search(rf"\b(?:back\s+)?(?:in|during|last)\s+({_MONTH_RE})\b(?!\s+\d)", question)
    if match:
        month = _MONTHS[match.group(1).lower()]
        year = today.year if month <= today.month else today.year - 1
        return (*_month_span(year, month), match)
    return None


def _part_of_year(question: str, today: dt.date):
    names = "|".join(list(_SEASONS) + [re.escape(p) for p in _PARTS])
    match = _search(rf"{_LEAD}\b({names})\s+(?:of\s+)?((?:19|20)\d\d)\b", question)
    if not match:
        return None
    key, year = match.group(1).lower(), int(match.group(2))
    first, last = _SEASONS.get(key) or _PARTS[re.sub(r"\s+", " ", key)]
    return (*_months_span(year, first, last), match)


def _season_relative(question: str, today: dt.date):
    """ "last summer", "this spring", "two years ago", "a year ago"."""
    names = "|".join(_SEASONS)
    match = _search(rf"\b(?:in\s+)?(last|this|past)\s+({names})\b", question)
    if match:
        first, last = _SEASONS[match.group(2).lower()]
        year = today.year
        start, end = _months_span(year, first, last)
        if match.group(1).lower() == "this" and start > today:
            year -= 1
        elif match.group(1).lower() != "this" and end >= today:
            year -= 1  # "last summer" is the most recent summer that has ended
        return (*_months_span(year, first, last), match)
    words = {"a": 1, "one": 1, "two": 2, "three": 3, "four": 4, "five": 5}
    match = _search(r"\b(a|one|two|three|four|five|\d)\s+years?\s+ago\b", question)
    if match:
        token = match.group(1).lower()
        year = today.year - (words[token] if token in words else int(token))
        return dt.date(year, 1, 1), dt.date(year, 12, 31), match
    return None


def _relative(question: str, today: dt.date):
    match = _search(r"\b(today|yesterday|(this|last|past)\s+(week|month|year))\b", question)
    if match:
        word = match.group(1).lower()
        if word == "today":
            return today, today, match
        if word == "yesterday":
            day = today - dt.timedelta(days=1)
            return day, day, match
        which, unit = match.group(2).lower(), match.group(3).lower()
        if unit == "week":
            monday = today - dt.timedelta(days=today.weekday())
            if which == "this":
                return monday, today, match
            if which == "past":
                return today - dt.timedelta(days=7), today, match
            return monday - dt.timedelta(days=7), monday - dt.timedelta(days=1), match
        if unit == "month":
            if which == "this":
                return today.replace(day=1), today, match
            if which == "past":
                return today - dt.timedelta(days=30), today, match
            last = today.replace(day=1) - dt.timedelta(days=1)
            return last.replace(day=1), last, match
        if which == "this":
            return dt.date(today.year, 1, 1), today, match
        if which == "past":
            return today - dt.timedelta(days=365), today, match
        return dt.date(today.year - 1, 1, 1), dt.date(today.year - 1, 12, 31), match
    match = _search(r"\b(?:in\s+)?(?:the\s+)?(?:last|past)\s+(\d+)\s+(day|week|month)s?\b|\b(\d+)\s+(day|week|month)s?\s+ago\b", question)
    if match:
        count = int(match.group(1) or match.group(3))
        unit = (match.group(2) or match.group(4)).lower()
        days = count * {"day": 1, "week": 7, "month": 30}[unit]
        if match.group(3):  # "3 weeks ago": that week/day/month, not everything since
            center = today - dt.timedelta(days=days)
            spread = {"day": 0, "week": 3, "month": 15}[unit]
            return center - dt.timedelta(days=spread), center + dt.timedelta(days=spread), match
        return today - dt.timedelta(days=days), today, match
    return None
