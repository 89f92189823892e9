"""Dates people type in options and notes: ``--date yesterday``, ``date: 18-09-2025 23.55``.

:func:`parse_date` reads one natural-language date with dateparser (for
command-line options); :func:`parse_note_date` reads the absolute date written
in a note's front matter. Both try only the configured languages
(``[journal] date_languages``), passed in by the caller. Time expressions
inside questions ("in March 2021", "on Day 4") are :mod:`journal_agent.notes.time_expressions`
and :mod:`journal_agent.notes.days`.
"""

from __future__ import annotations

import calendar
import datetime as dt
import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass

from journal_agent.config import DEFAULT_DATE_LANGUAGES

DEFAULT_LANGUAGES = DEFAULT_DATE_LANGUAGES  # [journal] date_languages' default, said once in config.py
# A note is about a day a person lived through: years outside this range are typos
# (``-0001-01-01``, ``0001-01-01``) and would break date arithmetic at the edges.
MIN_NOTE_YEAR, MAX_NOTE_YEAR = 1900, 2199
# English month names and abbreviations, as notes and questions write them ("Sept" too): name -> 1..12
MONTHS: dict[str, int] = {name.lower(): number for number, name in enumerate(calendar.month_name) if name}
MONTHS.update({name.lower(): number for number, name in enumerate(calendar.month_abbr) if name})
MONTHS["sept"] = 9
_FULL_MONTHS = [name for name in MONTHS if len(name) > 4 or name in ("may", "june", "july")]


def month_named(word: str) -> int | None:
    """The month a word names: a name or abbreviation ("Mar", "Sept."), or a misspelt name close to one
    ("Novermber", "Febuary", "Janurary": difflib ratio >= 0.88; not "marches"); ``None`` for other words
    ("decided", "market") and for the verb "may" (the month is written "May")."""
    import difflib

    if word == "may":
        return None
    name = word.rstrip(".").lower()
    if name in MONTHS:
        return MONTHS[name]
    if len(name) < 5:
        return None
    close = difflib.get_close_matches(name, _FULL_MONTHS, n=1, cutoff=0.88)
    return MONTHS[close[0]] if close else None


def parse_date(text: str, today: dt.date | None = None, languages: Sequence[str] = DEFAULT_LANGUAGES) -> dt.date:
    """One date from natural language: "yesterday", "last monday", "2025-09-18", "18 Sep 2025".

    For command-line options (``--date``, ``--since``, ``--until``). Relative
    dates count back from ``today``. A date in numbers alone ("01/04/2020", "4-1-20") is
    :func:`numeric_date`'s default reading: day first unless only month first is a real date (a caller with
    the journal at hand chooses with :meth:`NumericDate.choose`, as ``journal show`` does). Only
    ``languages`` are tried (the ``[journal] date_languages`` setting; dateparser without languages tries
    every locale it knows and takes seconds to give up on a typo).

    Raises:
        ValueError: dateparser cannot read ``text``; the message quotes it.
    """
    base = dt.datetime.combine(today or dt.date.today(), dt.time(12))
    settings = {"PREFER_DATES_FROM": "past", "RELATIVE_BASE": base, "DATE_ORDER": "YMD"}
    stripped = text.strip()
    numeric = NUMERIC_DATE_RE.fullmatch(stripped)
    if numeric is not None:  # "01/04/2020": read here, not by dateparser (which reads 1/4 and 01/04 differently)
        readings = numeric_date(numeric)
        if readings is None or readings.default is None:
            raise ValueError(f"{text!r} is no real date, day first or month first (try 2025-09-18)")
        return readings.default
    parsed = _dateparser(stripped, languages, settings)
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
    match = _NOTE_NUMERIC_RE.match(stripped)
    parsed: dt.datetime | None
    try:
        if match:  # day first, as Jekyll notes write it (month first only when day first is no date)
            readings = numeric_date(match)
            if readings is None or readings.default is None:
                raise ValueError(stripped)
            hour, minute, second = match.group(4, 5, 6)
            parsed = dt.datetime.combine(readings.default, dt.time(int(hour or 0), int(minute or 0), int(second or 0)))
        else:
            parsed = dt.datetime.fromisoformat(stripped)
    except ValueError:
        parsed = _dateparser(stripped, languages, {
            "PARSERS": ["absolute-time"], "REQUIRE_PARTS": ["day", "month", "year"],
            "DATE_ORDER": "DMY", "PREFER_DAY_OF_MONTH": "first"})
    return None if parsed is None or not MIN_NOTE_YEAR <= parsed.year <= MAX_NOTE_YEAR else parsed.replace(tzinfo=None)



def _dateparser(text: str, languages: Sequence[str], settings: dict) -> dt.datetime | None:
    """dateparser.parse restricted to ``languages``; ``None`` for what it cannot read (or chokes on)."""
    import dateparser

    if not text or len(text) > 200:  # a date is short; dateparser's time grows with the text
        return None
    try:
        return dateparser.parse(text, languages=list(languages) or list(DEFAULT_LANGUAGES), settings=settings)
    except (ValueError, OverflowError, TypeError):  # e.g. "year 0 is out of range" inside dateparser
        return None


# -- dates written in numbers alone, day and month in either order (issue 18) -------------------------------------
# "01/04/2020", "4-1-20", "11.13.2024": the one reader of them, for headings (notes.entries), questions
# (notes.time_expressions) and references (journal show). Groups: first number, second number, year.
NUMERIC_DATE_RE = re.compile(r"(?<![\d/.-])(\d{1,2})[-/.](\d{1,2})[-/.](\d{4}|\d{2})(?![\d/.-]?\d)")

# a front matter's date in numbers, Jekyll-style, with a time or not: 18-09-2025, 18-09-2025 23.55, 18/09/2025 23:55
_NOTE_NUMERIC_RE = re.compile(
    rf"^\s*{NUMERIC_DATE_RE.pattern}(?:[ T]+(\d{{1,2}})[.:h](\d{{2}})(?:[.:](\d{{2}}))?)?\s*$")


def numeric_order(texts: Sequence[str]) -> str:
    """``"MDY"`` when some ``NN/NN/YYYY`` in ``texts`` can only be month first (``11/13/2024``) and none
    only day first; else ``"DMY"`` (Jekyll and most of the world write day first)."""
    firsts = [(int(a), int(b)) for text in texts for a, b, _ in NUMERIC_DATE_RE.findall(text)]
    month_first = any(b > 12 >= a for a, b in firsts)
    day_first = any(a > 12 >= b for a, b in firsts)
    return "MDY" if month_first and not day_first else "DMY"


@dataclass(frozen=True)
class NumericDate:
    """A date written in numbers alone ("01/04/2020") read both ways.

    Attributes:
        day_first: the day-first reading (1 April 2020), ``None`` when that is no real date ("11/13/2024").
        month_first: the month-first reading (4 January 2020), ``None`` when that is no real date.
    """

    day_first: dt.date | None
    month_first: dt.date | None

    @property
    def ambiguous(self) -> bool:
        """Both readings are real dates and differ ("01/04/2020"; not "13/11/2024", nor "04/04/2020")."""
        return None not in (self.day_first, self.month_first) and self.day_first != self.month_first

    @property
    def default(self) -> dt.date | None:
        """The reading taken without a journal to ask: day first (as :func:`numeric_order` defaults), else
        month first."""
        return self.day_first or self.month_first

    def choose(self, has_entries: Callable[[dt.date], bool], order: Callable[[], str]) -> dt.date | None:
        """The reading the journal has entries on (``has_entries(date)``); when both readings have, the one in
        the journal's own order (``order()``: :func:`numeric_order` of its entry headings, ``"DMY"`` or
        ``"MDY"``, asked only then); when neither has, :attr:`default`.

        Resolve by the journal, not by a guess (issue 18): "01/04/2020" is 4 January in a journal whose headings
        write ``04/01/2020`` day first, 1 April in one that writes it month first.
        """
        if not self.ambiguous:
            return self.default
        assert self.day_first is not None and self.month_first is not None
        having = [day for day in (self.day_first, self.month_first) if has_entries(day)]
        if len(having) == 1:
            return having[0]
        if not having:
            return self.default
        return self.month_first if order() == "MDY" else self.day_first


def numeric_date(match: re.Match) -> NumericDate | None:
    """Both readings of a :data:`NUMERIC_DATE_RE` match; a two-digit year is 20YY ("4-1-20": 2020, as a
    learning journal means). ``None`` when neither reading is a real date or the year is outside
    ``MIN_NOTE_YEAR``..``MAX_NOTE_YEAR``."""
    first, second, year = int(match[1]), int(match[2]), int(match[3]) + (2000 if len(match[3]) == 2 else 0)
    if not MIN_NOTE_YEAR <= year <= MAX_NOTE_YEAR:
        return None
    readings = NumericDate(_real_date(year, second, first), _real_date(year, first, second))
    return readings if readings.default is not None else None


def _real_date(year: int, month: int, day: int) -> dt.date | None:
    try:
        return dt.date(year, month, day)
    except ValueError:
        return None
