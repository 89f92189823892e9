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
from collections.abc import Sequence

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
            "DATE_ORDER": "DMY", "PREFER_DAY_OF_MONTH": "first"})
    return None if parsed is None or not MIN_NOTE_YEAR <= parsed.year <= MAX_NOTE_YEAR else parsed.replace(tzinfo=None)


# Jekyll-style day-first dates: 18-09-2025, 18-09-2025 23.55, 18/09/2025 23:55
_DAY_FIRST_RE = re.compile(
    r"^\s*(\d{1,2})[-/.](\d{1,2})[-/.](\d{4})(?:[ T]+(\d{1,2})[.:h](\d{2})(?:[.:](\d{2}))?)?\s*$")


def _dateparser(text: str, languages: Sequence[str], settings: dict) -> dt.datetime | None:
    """dateparser.parse restricted to ``languages``; ``None`` for what it cannot read (or chokes on)."""
    import dateparser

    if not text or len(text) > 200:  # a date is short; dateparser's time grows with the text
        return None
    try:
        return dateparser.parse(text, languages=list(languages) or list(DEFAULT_LANGUAGES), settings=settings)
    except (ValueError, OverflowError, TypeError):  # e.g. "year 0 is out of range" inside dateparser
        return None
