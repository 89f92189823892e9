"""Time expressions inside questions: "what did I learn in March 2021?", "what did I do on Day 4?".

:func:`find_time_window` finds a time expression inside a question and turns
it into an inclusive ``(since, until)`` range plus the question with that
expression removed, so the words "March 2021" do not also count as search
terms; :func:`~journal_agent.notes.days.find_day_number` does the same for a
learning-day number. Dates written in options and notes are :mod:`journal_agent.notes.dates`.
(Named for what it reads, not "windows": the agent has a context window.)
"""

from __future__ import annotations

import calendar
import datetime as dt
import re
from collections.abc import Callable
from dataclasses import dataclass
from typing import Literal

from journal_agent.notes.dates import MONTHS, NUMERIC_DATE_RE, NumericDate, numeric_date, numeric_order
from journal_agent.notes.days import (
    JOURNAL_MODIFIERS,
    JOURNAL_NOUNS,
    MAX_DAY,
    NUMBER_WORD,
    parse_number,
    without_phrase,
)

_MONTH_RE = "|".join(sorted(MONTHS, key=len, reverse=True))
_SEASONS = {"spring": (3, 5), "summer": (6, 8), "autumn": (9, 11), "fall": (9, 11), "winter": (12, 14)}
_PARTS = {"early": (1, 4), "mid": (5, 8), "middle of": (5, 8), "late": (9, 12), "end of": (10, 12),
          "beginning of": (1, 3), "start of": (1, 3), "first half of": (1, 6), "second half of": (7, 12)}
_LEAD = r"(?:\b(?:back\s+)?(?:in|during|around|from|on|over|throughout|of|at)\s+(?:the\s+)?)?"


JournalSpan = tuple[dt.date, dt.date] | Callable[[], tuple[dt.date, dt.date] | None] | None
"""The journal's first and last entry dates (or a function returning them) for dates named without a year."""
WindowKind = Literal["day", "days", "week", "month", "quarter", "season", "year", "range"]


@dataclass(frozen=True)
class TimeWindow:
    """An inclusive date range named in a question.

    Attributes:
        since, until: inclusive bounds.
        phrase: the words that named it ("in March 2021").
        query: the question with ``phrase`` removed.
        kind: how wide a thing was named (see :func:`find_time_window`); the
            search applies a ``day`` window differently from a ``month`` one.
        readings: for a date written in numbers alone ("01/04/2020"), both its readings
            (:class:`~journal_agent.notes.dates.NumericDate`); ``since``/``until`` hold its default (day first
            when that is a real date). The caller with a journal at hand chooses (:meth:`NumericDate.choose`).
            ``None`` for every other form.
    """

    since: dt.date
    until: dt.date
    phrase: str
    query: str
    kind: WindowKind = "range"
    readings: NumericDate | None = None


def find_time_window(question: str, today: dt.date | None = None, span: JournalSpan = None) -> TimeWindow | None:
    """The first time expression in ``question`` as a date range, or ``None``.

    Understands, with its :data:`WindowKind`:

    * ``day``: exact dates ("on September 23, 2025", "23rd of Sept 2025",
      "on 2025-09-23", "2025/09/23", "2020.1.4", "September 23" = the latest one not after today, "Jan 4, '20",
      a weekday before a date: "on Saturday, January 4th"), dates in numbers alone ("01/04/2020", "4-1-20",
      "13/11/2024", "11.13.2024": both readings in :attr:`TimeWindow.readings`; a dotted two-digit year is
      no date: "Python 3.11.12"), "the 4th" (of the latest month not after today, or not after the
      journal's last date when a ``span`` ends before today), "the 4th of last month",
      "today", "yesterday", "the day before yesterday", weekdays ("last
      Monday" = the latest Monday before today, "on Monday" = the latest
      Monday up to today), "N days ago", "a week ago today" (that very day; also days, months, years).
    * ``week``: "this/last week" (Monday to Sunday), "the past week" (7 days),
      "last weekend", "the weekend/week before last", "the first/second/third/fourth/last week of September
      [2025]" (days 1-7, 8-14, ...; the month's last 7 days), "the week of
      September 22" (its Monday to Sunday), "N weeks ago" (± 3 days).
    * ``month``: month + year ("March 2021", "Sept 2020", "2021-03"), a
      month alone after in/during/last (the latest such month not after
      today), "this/last month", "N months ago".
    * ``quarter``: "Q1 2021", "the first quarter of 2021", "in Q3".
    * ``season``: seasons and parts of a year ("spring 2021", "early 2021",
      "last summer", "this winter").
    * ``year``: "in 2021", "this/last year", "two years ago".
    * ``days``: a span given to the day: "from 2025-09-18 to 2025-09-20",
      "between September 17 and September 19, 2025", "the last N days/weeks".
    * ``range``: "between March and April 2021", "March to May 2021", "the
      last N months".

    A date, week, month or quarter named without a year ("June 16th", "in May") is the latest one not after
    ``today``; given the journal's ``span`` (its first and last entry dates, or a function returning them, called
    only when a year is missing), it takes the year that puts it inside that span instead, the latest such
    year when several do (the nearest to the span when none does): a question about a 2025 journal asked in
    2026 means 2025's June 16th (issue 18).

    The first finder that matches wins, in the order of :data:`_FINDERS`
    (ranges before their endpoints, days before the months that hold them).
    """
    today = today or dt.date.today()
    journal = _Span(span)
    for finder in _FINDERS:
        found = finder(question, today, journal)
        if found is not None:
            since, until, match, kind, *readings = found
            return TimeWindow(since, until, match.group(0).strip(), without_phrase(question, match), kind,
                              readings[0] if readings else None)
    return None


def _month_span(year: int, month: int) -> tuple[dt.date, dt.date]:
    return dt.date(year, month, 1), dt.date(year, month, calendar.monthrange(year, month)[1])


def _months_span(year: int, first: int, last: int) -> tuple[dt.date, dt.date]:
    # Months past 12 roll into the next year (winter = Dec..Feb).
    end_year, end_month = year + (last - 1) // 12, (last - 1) % 12 + 1
    return dt.date(year, first, 1), _month_span(end_year, end_month)[1]


def _search(pattern: str, text: str):
    return re.search(pattern, text, flags=re.IGNORECASE)


def _latest_year(month: int, today: dt.date, day: int = 1) -> int:
    """The year of the latest ``month`` (and ``day``) not after ``today``."""
    return today.year if (month, day) <= (today.month, today.day) else today.year - 1


class _Span:
    """The journal's date span, asked for once and only when a year is missing."""

    def __init__(self, source: JournalSpan):
        self._source = source
        self._value: tuple[dt.date, dt.date] | None = None
        self._asked = source is None

    def get(self) -> tuple[dt.date, dt.date] | None:
        if not self._asked:
            self._asked = True
            source = self._source
            self._value = source() if callable(source) else source
        return self._value


NO_SPAN = _Span(None)


def _year_for(month: int, today: dt.date, span: _Span, *, day: int | None = None, months: int = 1) -> int:
    """The year of a date (``day`` of ``month``) or of ``months`` months from ``month`` named without a year.

    Without a journal span: the latest one not after ``today``. With one: the latest year whose date or
    months fall inside the span (not after ``today`` when several do), else the one nearest to the span.
    """
    latest = _latest_year(month, today, min(day or 1, 28))
    journal = span.get()
    if journal is None:
        return latest
    first, last = journal

    def bounds(year: int) -> tuple[dt.date, dt.date] | None:
        if day is not None:
            date = _date(year, month, day)
            return (date, date) if date else None
        return _months_span(year, month, month + months - 1)

    years = {year: bounds(year) for year in range(first.year - 1, last.year + 2)}
    inside = [year for year, b in years.items() if b and b[0] <= last and b[1] >= first]
    if inside:
        past = [year for year in inside if years[year][0] <= today]  # type: ignore[index]
        return max(past or inside)

    def distance(year: int) -> int:
        b = years[year]
        assert b is not None
        return min(abs((b[0] - last).days), abs((first - b[1]).days))

    candidates = [year for year, b in years.items() if b]
    return min(candidates, key=lambda year: (distance(year), -year)) if candidates else latest


def _year_span(year: int) -> tuple[dt.date, dt.date]:
    return dt.date(year, 1, 1), dt.date(year, 12, 31)


def _date(year: int, month: int, day: int) -> dt.date | None:
    try:
        return dt.date(year, month, day)
    except ValueError:
        return None


# -- finders: (question, today) -> (since, until, match, kind) | None -----------------
_WEEKDAYS = {name.lower(): index for index, name in enumerate(calendar.day_name)}
_WEEKDAY_RE = "|".join(_WEEKDAYS)
_DAY_OF_MONTH = r"(\d{1,2})(?:st|nd|rd|th)?"
_YEAR = r"((?:19|20)\d\d)"
_YEAR_OR_SHORT = r"((?:19|20)\d\d|['\u2019]\d\d)"  # "2020", or "'20" (2020)
# a weekday before a date: "on Saturday, January 4th", "Sat 4 Jan 2020", "Saturday the 4th of January"
_WEEKDAY_WORD = r"\b(?:mon|tues?|wed|thu(?:rs?)?|fri|sat|sun)(?:day|nesday|urday)?\b\.?,?\s+"
_WEEKDAY_BEFORE = rf"(?:{_WEEKDAY_WORD}(?:the\s+)?)?"


def _year_value(text: str) -> int:
    return 2000 + int(text[1:]) if not text.isdigit() else int(text)


def _exact_day(question: str, today: dt.date, span: _Span = NO_SPAN):
    """ "September 23, 2025", "Sept 23rd", "23 September 2025", "the 23rd of September", "January the 4th",
    "January 4th of 2020", "2020 January 4", "2025-09-23",
    "2025/09/23" (the same order with slashes, as a #100DaysOfCode log may write it)."""
    match = _search(rf"{_LEAD}{_WEEKDAY_BEFORE}\b((?:19|20)\d\d)([-/.])(\d{{1,2}})\2(\d{{1,2}})\b(?![-/.]\d)", question)
    if match:
        day = _date(int(match.group(1)), int(match.group(3)), int(match.group(4)))
        return (day, day, match, "day") if day else None
    written_year = rf"(?:,?\s+(?:of\s+)?{_YEAR_OR_SHORT}\b)?"  # ", 2020", " '20", " of 2020"
    forms = ((rf"{_LEAD}{_WEEKDAY_BEFORE}\b({_MONTH_RE})\.?\s+(?:the\s+)?{_DAY_OF_MONTH}\b(?!\s*(?:-|:|%))"
              rf"{written_year}", (1, 2, 3)),
             (rf"{_LEAD}{_WEEKDAY_BEFORE}\b{_DAY_OF_MONTH}\s+(?:of\s+)?({_MONTH_RE})\b\.?{written_year}",
              (2, 1, 3)),
             (rf"{_LEAD}{_YEAR},?\s+({_MONTH_RE})\.?\s+{_DAY_OF_MONTH}\b(?!\s*(?:-|:|%))", (2, 3, 1)))
    found = sorted(((match, groups) for pattern, groups in forms
                    for match in re.finditer(pattern, question, flags=re.IGNORECASE)),
                   key=lambda item: item[0].start())  # the first date written ("2020 January 4", not "January 4")
    for match, (m, d, y) in found:
        month, number = MONTHS[match.group(m).lower()], int(match.group(d))
        if not 1 <= number <= 31:
            continue
        year = _year_value(match.group(y)) if match.group(y) else _year_for(month, today, span, day=number)
        day = _date(year, month, number)
        if day:
            return day, day, match, "day"
    return None


_NUMERIC_DAY_RE = re.compile(rf"{_LEAD}{_WEEKDAY_BEFORE}{NUMERIC_DATE_RE.pattern}", re.IGNORECASE)


def _numeric_day(question: str, today: dt.date, span: _Span = NO_SPAN):
    """ "01/04/2020", "4-1-20", "13/11/2024", "11.13.2024": a date in numbers alone, read both ways
    (:func:`~journal_agent.notes.dates.numeric_date`); the window is the default reading, both ride along.
    A dotted two-digit year ("Python 3.11.12") is a version, not a date."""
    for match in _NUMERIC_DAY_RE.finditer(question):
        if "." in match.group(0) and len(match.group(3)) == 2:
            continue
        readings = numeric_date(match)
        if readings is not None and readings.default is not None:
            return readings.default, readings.default, match, "day", readings
    return None


# "the 4th", "on the 1st", "on Saturday the 4th", "the 4th of last month": a day of a month named by its number
# alone (a weekday before it is taken out with it, not checked); it must end the
# phrase (not "the 4th day", "the 4th week", "the 4th dimension")
_DAY_ALONE_RE = re.compile(
    rf"{_LEAD}(?:{_WEEKDAY_WORD}(?:the\s+)?|\bthe\s+)(?P<n>\d{{1,2}})(?:st|nd|rd|th)\b"
    r"(?:\s+of\s+(?:the\s+)?(?P<which>this|last|previous)\s+month\b)?"
    r"(?=\s*(?:$|[?.!,;:)])|\s+(?:and|or|when|what|did|i|while)\b)", re.IGNORECASE)


def _day_alone(question: str, today: dt.date, span: _Span = NO_SPAN):
    """ "on the 4th": the 4th of the latest month not after today (not after the journal's last date when the
    journal ``span`` ends before today: its latest 4th); "the 4th of this/last month"."""
    match = _DAY_ALONE_RE.search(question)
    if match is None or not 1 <= int(match["n"]) <= 31:
        return None
    number, which = int(match["n"]), (match["which"] or "").lower()
    if which:
        year, month = (today.year, today.month) if which == "this" else \
            (today.year - (today.month == 1), (today.month - 2) % 12 + 1)
        day = _date(year, month, number)
        return (day, day, match, "day") if day else None
    journal = span.get()
    latest = journal[1] if journal is not None and journal[1] < today else today
    year, month = latest.year, latest.month
    for _ in range(13):
        day = _date(year, month, number)
        if day is not None and day <= latest:
            return day, day, match, "day"
        year, month = (year - 1, 12) if month == 1 else (year, month - 1)
    return None


def _weekday(question: str, today: dt.date, span: _Span = NO_SPAN):
    """ "yesterday", "the day before yesterday", "today", "last/this/on Monday"."""
    match = _search(r"\b(?:on\s+)?(?:the\s+)?day\s+before\s+yesterday\b", question)
    if match:
        day = today - dt.timedelta(days=2)
        return day, day, match, "day"
    match = _search(rf"\b(?:(last|past|this|on)\s+)({_WEEKDAY_RE})\b", question)
    if match:
        back = (today.weekday() - _WEEKDAYS[match.group(2).lower()]) % 7
        if match.group(1).lower() in ("last", "past") and back == 0:
            back = 7  # "last Monday" said on a Monday is a week ago
        day = today - dt.timedelta(days=back)
        return day, day, match, "day"
    match = _search(r"\b(?:(?:(last|past|this)\s+)weekend|(?:the\s+)?weekend\s+(before)\s+last)\b", question)
    if match:
        saturday = today - dt.timedelta(days=(today.weekday() - 5) % 7)
        if (match.group(1) or "").lower() != "this" and saturday + dt.timedelta(days=1) >= today:
            saturday -= dt.timedelta(days=7)  # "last weekend" is the latest one that has ended
        if match.group(2):
            saturday -= dt.timedelta(days=7)  # "the weekend before last": the one before that
        return saturday, saturday + dt.timedelta(days=1), match, "week"
    return None


_WEEK_ORDINALS = {"first": 1, "1st": 1, "second": 2, "2nd": 2, "third": 3, "3rd": 3, "fourth": 4, "4th": 4,
                  "last": 5, "final": 5}


def _week_of_month(question: str, today: dt.date, span: _Span = NO_SPAN):
    """ "the first week of September [2025]" (days 1-7, 8-14, 15-21, 22-28; last = the final 7);
    "the week of Sep 22"."""
    names = "|".join(_WEEK_ORDINALS)
    match = _search(
        rf"{_LEAD}(?:\bthe\s+)?\b({names})\s+week\s+(?:of|in)\s+({_MONTH_RE})\b\.?(?:,?\s+{_YEAR}\b)?", question)
    if match:
        month = MONTHS[match.group(2).lower()]
        year = int(match.group(3)) if match.group(3) else _year_for(month, today, span)
        first, last = _month_span(year, month)
        which = _WEEK_ORDINALS[match.group(1).lower()]
        since = last - dt.timedelta(days=6) if which == 5 else first + dt.timedelta(days=7 * (which - 1))
        return since, since + dt.timedelta(days=6), match, "week"
    match = _search(
        rf"{_LEAD}(?:\bthe\s+)?\bweek\s+of\s+({_MONTH_RE})\.?\s+{_DAY_OF_MONTH}\b(?:,?\s+{_YEAR}\b)?", question)
    if match:
        month, number = MONTHS[match.group(1).lower()], int(match.group(2))
        year = int(match.group(3)) if match.group(3) else _year_for(month, today, span, day=number)
        day = _date(year, month, number)
        if day:
            monday = day - dt.timedelta(days=day.weekday())
            return monday, monday + dt.timedelta(days=6), match, "week"
    return None


_QUARTER_WORDS = {"first": 1, "1st": 1, "second": 2, "2nd": 2, "third": 3, "3rd": 3, "fourth": 4, "4th": 4,
                  "last": 4}


def _quarter(question: str, today: dt.date, span: _Span = NO_SPAN):
    """ "Q1 2021", "Q3 of 2020", "the first quarter of 2021", "in Q2" (the latest Q2 that has begun)."""
    match = _search(rf"{_LEAD}\bq([1-4])\b(?:\s+(?:of\s+)?{_YEAR}\b)?", question)
    if match:
        quarter, year = int(match.group(1)), match.group(2)
    else:
        names = "|".join(_QUARTER_WORDS)
        match = _search(rf"{_LEAD}\b({names})\s+quarter\s+(?:of\s+)?{_YEAR}\b", question)
        if not match:
            return None
        quarter, year = _QUARTER_WORDS[match.group(1).lower()], match.group(2)
    first = 3 * quarter - 2
    year = int(year) if year else _year_for(first, today, span, months=3)
    return (*_months_span(year, first, first + 2), match, "quarter")


_ENDPOINT = (r"(?:(?:19|20)\d\d-\d\d-\d\d"  # one end of a range: ISO date, month day [year], day month [year], ...
             r"|\d{1,2}[-/.]\d{1,2}[-/.](?:\d{4}|\d{2})(?![\d/.-]?\d)"  # 10/11/2024 (see _numeric_range)
             rf"|(?:{_MONTH_RE})\.?\s+\d{{1,2}}(?:st|nd|rd|th)?(?:,?\s+(?:19|20)\d\d)?"
             rf"|\d{{1,2}}(?:st|nd|rd|th)?\s+(?:of\s+)?(?:{_MONTH_RE})\.?(?:,?\s+(?:19|20)\d\d)?"
             rf"|(?:{_MONTH_RE})\.?(?:,?\s+(?:19|20)\d\d)?|(?:19|20)\d\d)")  # ... month [year], year


def _range(question: str, today: dt.date, span: _Span = NO_SPAN):
    """ "between March and April 2021", "from 2025-09-18 to 2025-09-20", "March to May 2021",
    "between 10/11/2024 and 14/11/2024" (:func:`_numeric_range`)."""
    joiner = r"\s+(?:and|to|until|till|through|thru)\s+|\s*[-–]\s*(?=[A-Za-z])"
    match = _search(rf"\b(?:(?:between|from)\s+(?:the\s+)?)({_ENDPOINT})(?:{joiner})(?:the\s+)?({_ENDPOINT})\b",
                    question)
    if match is None:
        match = _search(rf"{_LEAD}\b({_ENDPOINT})\s+(?:to|until|till|through|thru|–)\s+({_ENDPOINT})\b", question)
        if match is None or not (_search(_MONTH_RE, match.group(1)) and _search(_MONTH_RE, match.group(2))):
            return None
    both = _numeric_range(match.group(1), match.group(2))
    if both is not None:
        return (*both, match, "days") if both[0] <= both[1] else None
    end = _point(match.group(2), today, None, span)
    if end is None:
        return None
    start = _point(match.group(1), today, end[1], span)
    if start is None or start[0] > end[1]:
        return None
    return start[0], end[1], match, "days" if start[0] == start[1] and end[0] == end[1] else "range"


def _numeric_range(first: str, last: str) -> tuple[dt.date, dt.date] | None:
    """Both ends of a range written in numbers alone ("10/11/2024" and "14/11/2024") read in one order: the one
    either end decides (a number over 12), else the one that does not run backwards, day first on a tie; ``None``
    unless both ends are such dates."""
    ends = [NUMERIC_DATE_RE.fullmatch(text.strip()) for text in (first, last)]
    readings = [numeric_date(end) for end in ends if end is not None]
    if len(readings) < 2 or None in readings:
        return None
    a, b = readings
    assert a is not None and b is not None
    orders = [(a.day_first, b.day_first), (a.month_first, b.month_first)]
    if numeric_order([first, last]) == "MDY":
        orders.reverse()
    whole = [(since, until) for since, until in orders if since is not None and until is not None]
    forward = [pair for pair in whole if pair[0] <= pair[1]]
    first_day, last_day = a.default, b.default
    if first_day is None or last_day is None:
        return None
    return (forward or whole or [(first_day, last_day)])[0]


def _point(text: str, today: dt.date, before: dt.date | None, span: _Span = NO_SPAN) -> tuple[dt.date, dt.date] | None:
    """One endpoint of a range as its own span; a missing year comes from ``before`` (the range's end)."""
    finders = (_exact_day, _month_year, _bare_month, _bare_year)
    for found in filter(None, (finder(text, today, span) for finder in finders)):
        since, until = found[:2]
        if before is not None and not _search(r"(?:19|20)\d\d", text):
            # "between March and April 2021": the first month takes the last one's year.
            shift = before.year - since.year
            since, until = _shift_years(since, shift), _shift_years(until, shift)
            if since > before:
                since, until = _shift_years(since, -1), _shift_years(until, -1)
        return since, until
    return None


def _shift_years(day: dt.date, years: int) -> dt.date:
    try:
        return day.replace(year=day.year + years)
    except ValueError:  # 29 February
        return day.replace(year=day.year + years, day=28)


def _bare_month(text: str, today: dt.date, span: _Span = NO_SPAN):
    match = _search(rf"^\s*({_MONTH_RE})\.?\s*$", text)
    if match:
        month = MONTHS[match.group(1).lower()]
        return (*_month_span(_year_for(month, today, span), month), match, "month")
    return None


def _bare_year(text: str, today: dt.date, span: _Span = NO_SPAN):
    match = _search(r"^\s*((?:19|20)\d\d)\s*$", text)
    return (*_year_span(int(match.group(1))), match, "year") if match else None


def _month_year(question: str, today: dt.date, span: _Span = NO_SPAN):
    match = _search(rf"{_LEAD}\b({_MONTH_RE})\.?,?\s+(?:of\s+)?((?:19|20)\d\d)\b", question)
    if match:
        return (*_month_span(int(match.group(2)), MONTHS[match.group(1).lower()]), match, "month")
    match = _search(rf"{_LEAD}\b((?:19|20)\d\d)-(0[1-9]|1[0-2])\b(?!-\d)", question)
    return (*_month_span(int(match.group(1)), int(match.group(2))), match, "month") if match else None


def _year(question: str, today: dt.date, span: _Span = NO_SPAN):
    match = _search(r"\b(?:in|during|throughout|of|back\s+in)\s+((?:19|20)\d\d)\b", question)
    return (*_year_span(int(match.group(1))), match, "year") if match else None


def _month_only(question: str, today: dt.date, span: _Span = NO_SPAN):
    # Only with a preposition: "may" alone is a verb far more often than a month.
    match = _search(rf"\b(?:back\s+)?(?:in|during|last)\s+({_MONTH_RE})\b(?!\s+\d)", question)
    if match:
        month = MONTHS[match.group(1).lower()]
        return (*_month_span(_year_for(month, today, span), month), match, "month")
    return None


def _part_of_year(question: str, today: dt.date, span: _Span = NO_SPAN):
    """ "spring 2021", "early 2021", "mid-2024", "the end of 2018", "early last year", "late this year"."""
    names = "|".join(list(_SEASONS) + [re.escape(p) for p in _PARTS])
    match = _search(rf"{_LEAD}\b({names})(?:\s+|-)(?:of\s+)?(?:((?:19|20)\d\d)|(this|last)\s+year)\b", question)
    if not match:
        return None
    key = match.group(1).lower()
    year = int(match.group(2)) if match.group(2) else today.year - (match.group(3).lower() == "last")
    first, last = _SEASONS.get(key) or _PARTS[re.sub(r"\s+", " ", key)]
    return (*_months_span(year, first, last), match, "season")


def _season_relative(question: str, today: dt.date, span: _Span = NO_SPAN):
    """ "last summer", "this spring", "two years ago", "a year ago"."""
    names = "|".join(_SEASONS)
    match = _search(rf"\b(?:in\s+)?(last|this|past)\s+({names})\b", question)
    if match:
        first, last = _SEASONS[match.group(2).lower()]
        start, end = _months_span(today.year, first, last)
        # "this summer" has begun; "last summer" is the most recent summer that has ended
        year = today.year - int(start > today if match.group(1).lower() == "this" else end >= today)
        return (*_months_span(year, first, last), match, "season")
    match = _search(r"\b(a|one|two|three|four|five|\d)\s+years?\s+ago\b", question)
    if match:
        ago = parse_number(match.group(1))  # None for "a"
        return (*_year_span(today.year - (1 if ago is None else ago)), match, "year")
    return None


def _relative(question: str, today: dt.date, span: _Span = NO_SPAN):
    number = rf"(\d+|{NUMBER_WORD}|a|an)"
    match = _search(rf"\b{number}\s+(day|week|month|year)s?\s+ago\s+today\b", question)
    if match:  # "a week ago today": that very day, not the week around it (and not today)
        token = match.group(1).lower()
        count = 1 if token in ("a", "an") else parse_number(token)
        if count is None:
            return None
        unit = match.group(2).lower()
        if unit in ("day", "week"):
            day = today - dt.timedelta(days=count * (7 if unit == "week" else 1))
        else:
            months = today.year * 12 + today.month - 1 - count * (12 if unit == "year" else 1)
            year, month = divmod(months, 12)
            day = dt.date(year, month + 1, min(today.day, calendar.monthrange(year, month + 1)[1]))
        return day, day, match, "day"
    match = _search(r"\b(?:the\s+)?week\s+before\s+last\b", question)
    if match:  # the whole Monday-to-Sunday week before last week
        monday = today - dt.timedelta(days=today.weekday() + 14)
        return monday, monday + dt.timedelta(days=6), match, "week"
    match = _search(r"\b(today|yesterday|(this|last|past)\s+(week|month|year))\b", question)
    if match:
        word = match.group(1).lower()
        if word in ("today", "yesterday"):
            day = today - dt.timedelta(days=int(word == "yesterday"))
            return day, day, match, "day"
        which, unit = match.group(2).lower(), match.group(3).lower()
        if which == "past":  # the last 7, 30 or 365 days
            return today - dt.timedelta(days={"week": 7, "month": 30, "year": 365}[unit]), today, match, unit
        # this week (from Monday), month or year so far; "last": the whole one before it
        start = {"week": today - dt.timedelta(days=today.weekday()), "month": today.replace(day=1),
                 "year": today.replace(month=1, day=1)}[unit]
        if which == "this":
            return start, today, match, unit
        end = start - dt.timedelta(days=1)
        first = {"week": end - dt.timedelta(days=6), "month": end.replace(day=1),
                 "year": end.replace(month=1, day=1)}[unit]
        return first, end, match, unit
    match = _search(rf"\b(?:in\s+)?(?:the\s+)?(?:last|past)\s+{number}\s+(day|week|month)s?\b|"
                    rf"\b{number}\s+(day|week|month)s?\s+ago\b", question)
    if match:
        token = (match.group(1) or match.group(3)).lower()
        count = 1 if token in ("a", "an") else parse_number(token)
        if count is None:
            return None
        unit = (match.group(2) or match.group(4)).lower()
        days = count * {"day": 1, "week": 7, "month": 30}[unit]
        if match.group(3):  # "3 weeks ago": that week/day/month, not everything since
            center = today - dt.timedelta(days=days)
            spread = {"day": 0, "week": 3, "month": 15}[unit]
            return center - dt.timedelta(days=spread), center + dt.timedelta(days=spread), match, unit
        return today - dt.timedelta(days=days), today, match, "range" if unit == "month" else "days"
    return None


_FINDERS = (_range, _week_of_month, _numeric_day, _exact_day, _day_alone, _weekday,
            _part_of_year,  # before _relative: "early last year" is its first months, not the year
            _relative, _quarter, _season_relative,
            _month_year, _year, _month_only)


# -- the challenge's own calendar, events in the journal, first and last times (issue 18) ------------------
_ORDINAL_NUMBERS = {"first": 1, "1st": 1, "second": 2, "2nd": 2, "third": 3, "3rd": 3, "fourth": 4, "4th": 4,
                    "fifth": 5, "5th": 5, "sixth": 6, "6th": 6, "seventh": 7, "7th": 7, "eighth": 8, "8th": 8,
                    "ninth": 9, "9th": 9, "tenth": 10, "10th": 10}
_FROM_END = ("last", "final")
_CHALLENGE = rf"(?:(?:the|my|this)\s+)?{JOURNAL_MODIFIERS}(?:course|bootcamp|{JOURNAL_NOUNS})"  # its calendar
_ORDINAL_RE = "|".join(sorted([*_ORDINAL_NUMBERS, *_FROM_END], key=len, reverse=True))
_WEEK_SPAN_RE = re.compile(
    rf"(?:\b(?:in|during|on|over|from|of)\s+)?\b(?P<owner>the|my)\s+(?P<which>{_ORDINAL_RE})\s+"
    rf"(?P<unit>week|day|month)(?:\s+of\s+{_CHALLENGE}\b|(?=\W|$))", re.IGNORECASE)
_DAYS_SPAN_RE = re.compile(
    rf"(?:\b(?:in|during|on|over|from|of)\s+)?\b(?P<owner>the|my)\s+(?P<which>first|last|final)\s+"
    rf"(?P<n>\d{{1,3}}|{NUMBER_WORD})\s+(?P<unit>days|weeks)(?P<of>\s+of\s+{_CHALLENGE}\b)?", re.IGNORECASE)
# "the day after Day 5", "the day before day three": the learning day next to a day number
_NEXT_TO_DAY_RE = re.compile(rf"(?:\b(?:on|in)\s+)?\bthe\s+day\s+(?P<direction>after|before)\s+day\s+"
                             rf"(?P<n>\d{{1,5}}|{NUMBER_WORD})\b", re.IGNORECASE)

# "days 20 to 25", "from day 20 to day 25", "between days 11 and 15", "day 3-5": day numbers written out
_DAY_NUMBERS_SPAN_RE = re.compile(
    r"(?:\b(?:on|in|during|over|from|between|for)\s+)?\bdays?\s+(?P<first>\d{1,5})\s*"
    r"(?:-|–|—|\bto\b|\bthrough\b|\buntil\b|\band\b)\s*(?:days?\s+)?(?P<last>\d{1,5})\b", re.IGNORECASE)


@dataclass(frozen=True)
class DaySpan:
    """Learning days named by the challenge's own calendar, not the calendar's.

    "the second week of the challenge" is days 8-14, "my first ten days" days 1-10, "the last week of
    the challenge" the final 7 learning days (counted back from the journal's last day, so
    ``from_end``). A week is 7 learning days from Day 1.

    Attributes:
        first, last: inclusive day numbers from Day 1 (``from_end``: counted back from the last day, 1 = it).
        phrase: the words that named them; query: the question without them.
        from_end: counted from the end of the challenge ("the last week").
    """

    first: int
    last: int
    phrase: str
    query: str
    from_end: bool = False
    literal: bool = False  # day numbers as written ("days 20 to 25"), not counted in the challenge's calendar

    def days(self, last_day: int | None, first_day: int | None = 1) -> tuple[int, int] | None:
        """The inclusive day numbers, given the journal's first and last learning day (``None`` when the last
        is unknown: a span counted from the end then names nothing). The calendar counts from the journal's
        own first day: in a #100DaysOfCode log that starts at Day 0, "the second day of the challenge" is
        Day 1 and "my first ten days" are Days 0-9; a literal span is as written."""
        if self.literal:
            return self.first, self.last
        if not self.from_end:
            shift = (first_day if first_day is not None and first_day < 1 else 1) - 1
            return self.first + shift, self.last + shift
        if last_day is None:
            return None
        return max(last_day - self.last + 1, 0), last_day - self.first + 1


def find_day_span(question: str) -> DaySpan | None:
    """Learning days named by the challenge's calendar in ``question`` (:class:`DaySpan`), or ``None``.

    Understands "the first/second/.../last week of the challenge" (also of "my journey", "the course",
    "#100DaysOfCode"), "my second week" (``my`` needs no "of the challenge"), "the first N days of the
    challenge", "my first ten days", "my last 5 days", "the first/third/last day of the challenge", one day
    of a challenge week ("the last day of my first week" = Day 7), "the first month of the challenge" (days
    1-30), "my first two weeks" (days 1-14), "the day after Day 5" (Day 6). "The first week of September" and "the
    last 10 days" are calendar dates (:func:`find_time_window`); "my first day" is a day number
    (:func:`~journal_agent.notes.days.find_day_number`). Day numbers written out as a range ("days 20 to 25",
    "from day 3 to day 5", "between days 11 and 15", "day 3-5") are that span as written.
    """
    beside = _NEXT_TO_DAY_RE.search(question)
    number = parse_number(beside.group("n")) if beside else None
    if beside is not None and number is not None:
        day = number + (1 if beside.group("direction").lower() == "after" else -1)
        if 0 <= day <= MAX_DAY:
            return DaySpan(day, day, beside.group(0).strip(), without_phrase(question, beside), literal=True)
    for match in _DAY_NUMBERS_SPAN_RE.finditer(question):
        first, last = int(match.group("first")), int(match.group("last"))
        if first <= last <= MAX_DAY:
            return DaySpan(first, last, match.group(0).strip(), without_phrase(question, match), literal=True)
    for match in _WEEK_SPAN_RE.finditer(question):
        named_challenge = match.group(0).lower().rstrip().endswith(tuple(_CHALLENGE_WORDS))
        if match.group("owner").lower() == "the" and not named_challenge:
            continue
        which, unit = match.group("which").lower(), match.group("unit").lower()
        if unit == "day" and not named_challenge:
            continue  # "my first day", "the third day": day numbers (find_day_number)
        length = {"week": 7, "month": 30}.get(unit, 1)
        number = 1 if which in _FROM_END else _ORDINAL_NUMBERS[which]
        first, last = length * (number - 1) + 1, length * number
        from_end = which in _FROM_END
        day_of = _DAY_OF_WEEK_RE.search(question[:match.start()]) if unit == "week" else None
        if day_of is not None:  # "the last day of my first week": one day of that week
            at = day_of.group("which").lower()
            offset = length - 1 if at in _FROM_END else min(_ORDINAL_NUMBERS[at], length) - 1
            if from_end:  # counted back from the last day: the week's first day is its highest count
                first = last = last - offset
            else:
                first = last = first + offset
            whole = re.compile(re.escape(question[day_of.start():match.end()])).search(question, day_of.start())
            if whole is not None:
                return DaySpan(first, last, whole.group(0).strip(), without_phrase(question, whole), from_end)
        return DaySpan(first, last, match.group(0).strip(), without_phrase(question, match), from_end)
    for match in _DAYS_SPAN_RE.finditer(question):
        if match.group("owner").lower() == "the" and not match.group("of"):
            continue  # "the last 10 days": the calendar's
        count = parse_number(match.group("n"))
        if not count:
            continue
        from_end = match.group("which").lower() in _FROM_END
        count *= 7 if match.group("unit").lower() == "weeks" else 1
        return DaySpan(1, count, match.group(0).strip(), without_phrase(question, match), from_end)
    return None


# "the last day of my first week", "on the third day of the second week of the challenge"
_DAY_OF_WEEK_RE = re.compile(rf"(?:\b(?:on|in|during)\s+)?\bthe\s+(?P<which>{_ORDINAL_RE})\s+day\s+(?:of\s+)?$",
                             re.IGNORECASE)
# "the first weekend of the challenge", "my second weekend", "the last weekend of my journey"
_WEEKEND_RE = re.compile(
    rf"(?:\b(?:in|during|on|over|from|of)\s+)?\b(?P<owner>the|my)\s+(?P<which>{_ORDINAL_RE})\s+weekend"
    rf"(?P<of>\s+of\s+{_CHALLENGE}\b)?", re.IGNORECASE)


@dataclass(frozen=True)
class ChallengeWeekend:
    """A weekend counted in the challenge's own calendar ("the first weekend of the challenge", "my last
    weekend"): the ``number``-th Saturday and Sunday from the challenge's first date (or back from its last).

    Attributes:
        number: 1 for the first (or, ``from_end``, the last) weekend.
        from_end: counted back from the challenge's last date.
        phrase: the words that named it; query: the question without them.
    """

    number: int
    from_end: bool
    phrase: str
    query: str

    def window(self, first: dt.date, last: dt.date) -> TimeWindow:
        """The weekend as dates, for a challenge from ``first`` to ``last``: the first weekend is the one
        holding ``first`` when it is a Saturday or Sunday, else the next; the last the one holding ``last`` or
        the one before it."""
        if self.from_end:
            saturday = last - dt.timedelta(days=(last.weekday() - 5) % 7) - dt.timedelta(weeks=self.number - 1)
        else:
            saturday = (first - dt.timedelta(days=1) if first.weekday() == 6
                        else first + dt.timedelta(days=(5 - first.weekday()) % 7))
            saturday += dt.timedelta(weeks=self.number - 1)
        return TimeWindow(saturday, saturday + dt.timedelta(days=1), self.phrase, self.query, "week")


def find_challenge_weekend(question: str) -> ChallengeWeekend | None:
    """A weekend of the challenge's calendar in ``question`` (:class:`ChallengeWeekend`), or ``None``.

    "the first weekend of the challenge" and "my second weekend" (``my`` needs no "of the challenge"); "the
    first weekend" alone is not read as the challenge's (it is usually of a month)."""
    for match in _WEEKEND_RE.finditer(question):
        if match.group("owner").lower() == "the" and not match.group("of"):
            continue
        which = match.group("which").lower()
        number = 1 if which in _FROM_END else _ORDINAL_NUMBERS[which]
        return ChallengeWeekend(number, which in _FROM_END, match.group(0).strip(), without_phrase(question, match))
    return None


_THE_CHALLENGE_RE = re.compile(rf"\s*{_CHALLENGE}\s*", re.IGNORECASE)


def names_the_challenge(text: str) -> bool:
    """Whether ``text`` is only a name of the challenge or journal itself ("the challenge", "my journey",
    "#100DaysOfCode", "this journal"): "the day after I started the challenge" counts from its first entry.
    "The course" and "the bootcamp" are not: a journal names several courses and records when each began."""
    return _THE_CHALLENGE_RE.fullmatch(text) is not None and re.search(r"\b(?:course|bootcamp)\b", text,
                                                                        re.IGNORECASE) is None


_CHALLENGE_WORDS = ("challenge", "journey", "course", "bootcamp", "journal", "log", "streak", "days", "code",
                    "100daysofcode")
_EVENT_UNITS = {"day": 1, "week": 7, "month": 30}
_EVENT_RE = re.compile(
    rf"(?P<lead>\b(?:on|in|during|over|for|within)\s+)?(?P<the>\bthe\s+)?"
    rf"(?:\b(?P<count>\d{{1,2}}|{NUMBER_WORD}|a|an)\s+)?"
    r"\b(?P<unit>day|week|month)s?\s+(?P<direction>after|before)\s+"
    r"(?P<event>(?:(?:I|I'd|I'm|we|my|our|the)\b|[a-z]+ing\b)[^?.!;,]*)", re.IGNORECASE)
# "on the day I finished the course", "the day when I started React": the event's own day
_EVENT_DAY_RE = re.compile(r"(?:\b(?:on|during)\s+)?\bthe\s+(?:very\s+)?day\s+(?:when\s+|that\s+)?"
                           r"(?P<event>(?:I|we)\s+[^?.!;,]*)", re.IGNORECASE)


@dataclass(frozen=True)
class EventWindow:
    """A time named relative to an event in the journal ("the day after I finished the course").

    Attributes:
        days: the window's length in days (a week 7, a month 30).
        direction: ``"after"`` or ``"before"`` the event.
        event: the words that name the event ("I finished the course"), to be found in the journal first.
        phrase: the words that named the window; query: the question without them.
        point: the one day ``days`` away ("three days after I started", no "the"/"in the"), not every day up
            to it ("in the three days after I started").
    """

    days: int
    direction: Literal["after", "before", "on"]
    event: str
    phrase: str
    query: str
    point: bool = False

    def window(self, start: dt.date, end: dt.date) -> TimeWindow:
        """The window around an event entry dated ``start`` to ``end``: the ``days`` after ``end`` or before
        ``start`` (the event's own days excluded); for a ``point``, only the last of those days; ``"on"``: the
        event's own days."""
        if self.direction == "on":
            return TimeWindow(start, end, self.phrase, self.query, "day")
        if self.direction == "after":
            since, until = end + dt.timedelta(days=1), end + dt.timedelta(days=self.days)
            since = until if self.point else since
        else:
            since, until = start - dt.timedelta(days=self.days), start - dt.timedelta(days=1)
            until = since if self.point else until
        if self.point:
            return TimeWindow(since, until, self.phrase, self.query, "day")
        kind: WindowKind = "day" if self.days == 1 else "week" if self.days == 7 else "days"
        return TimeWindow(since, until, self.phrase, self.query, kind)


def find_event_window(question: str) -> EventWindow | None:
    """A window relative to an event ("the week before I started React", "two days after my first deploy").

    "N days after/before" the event is that one day (:attr:`EventWindow.point`); "the N days", "in/within the
    N days" and weeks and months are every day up to it.

    The event is what follows "after"/"before" up to the end of the clause, starting with I, we, my, our, the
    or a verb's -ing form ("the day before the Codility test", "the day after the budget app started working",
    "the day after finishing the course"). "On the day I finished the course" is the event's own day
    (direction ``"on"``). Returns ``None`` when there is none.
    """
    match = _EVENT_RE.search(question)
    if match is None:
        same = _EVENT_DAY_RE.search(question)
        if same is not None and same.group("event").strip():
            return EventWindow(1, "on", same.group("event").strip(), same.group(0).strip(),
                               without_phrase(question, same))
        return None
    if not match.group("event").strip():
        return None
    token = (match.group("count") or "a").lower()
    count = 1 if token in ("a", "an") else parse_number(token)
    if not count:
        return None
    direction: Literal["after", "before"] = "after" if match.group("direction").lower() == "after" else "before"
    unit = match.group("unit").lower()
    point = unit == "day" and count > 1 and not (match.group("lead") or match.group("the"))
    return EventWindow(count * _EVENT_UNITS[unit], direction, match.group("event").strip(),
                       match.group(0).strip(), without_phrase(question, match), point)


_VERBS = (r"(?:learn|learned|learnt|hear|heard|use|used|try|tried|read|wrote|write|see|saw|mention|mentioned|"
          r"touch|touched|encounter|encountered|start|started|study|studied|look|looked|work|worked|meet|met|"
          r"come|came|do|did|build|built|practice|practiced|practise|practised|set|get|got|install|installed)\b")
_ORDER_PATTERNS: tuple[tuple[Literal["first", "last"], re.Pattern], ...] = (
    ("first", re.compile(r"\bwhen\s+did\s+I\s+(?:first|start|begin|began)\b(?:\s+to\b)?", re.IGNORECASE)),
    ("last", re.compile(r"\bwhen\s+did\s+I\s+last\b", re.IGNORECASE)),
    ("first", re.compile(r"\b(?:the\s+|my\s+)?(?:very\s+)?first\s+time\b", re.IGNORECASE)),
    ("last", re.compile(r"\b(?:the\s+|my\s+)?(?:very\s+)?last\s+time\b", re.IGNORECASE)),
    ("first", re.compile(rf"\b(?:first|initially)\s+(?={_VERBS})", re.IGNORECASE)),
    ("last", re.compile(rf"\b(?:last|most\s+recently)\s+(?={_VERBS})", re.IGNORECASE)),
    ("first", re.compile(r"\b(?:the\s+)?earliest\b", re.IGNORECASE)),
    ("last", re.compile(r"\b(?:the\s+)?most\s+recent(?:ly)?\b", re.IGNORECASE)),
)


@dataclass(frozen=True)
class OrderReference:
    """A question about the first or the last time something happened ("When did I first learn about X?").

    Attributes:
        direction: ``"first"`` (also "when did I start") or ``"last"``.
        phrase: the words that asked it; query: the question without them.
    """

    direction: Literal["first", "last"]
    phrase: str
    query: str

    @property
    def topic(self) -> str:
        """The thing asked about (:func:`order_topic` of :attr:`query`)."""
        return order_topic(self.query)


def order_topic(text: str) -> str:
    """The thing a first/last-time question asks about: ``text`` without the verbs and function words of the
    question around it ("use jQuery?" -> "jquery", "start reading the Let's Go book" -> "let's go book") and
    without the journal itself as a place ("do Leetcode problems in the challenge" -> "leetcode problems");
    ``""`` when nothing is left. Searched by keyword to tell the entries about the thing from those that only
    share "use" or "learn" with the question."""
    text = _IN_THE_JOURNAL.sub(" ", text)
    words = (w.strip(".,;:!?'\"()") for w in re.findall(r"[\w'+#.-]+", text.lower()))
    return " ".join(w for w in words if w and w not in _QUESTION_WORDS)


# "in the challenge", "during my 100 days of code", "of this journal": where, not what.
_IN_THE_JOURNAL = re.compile(rf"\b(?:in|during|throughout|of|for)\s+(?:the|my|this|our)\s+{JOURNAL_MODIFIERS}"
                             rf"{JOURNAL_NOUNS}\b", re.IGNORECASE)
# "on the last day of the Node17 forum": the last entry about the forum (not "the last day of the challenge").
_DAY_OF_EVENT = re.compile(r"\b(?:on\s+|during\s+)?(?:the|my)\s+(?:very\s+)?(?P<which>first|last|final)\s+day\s+"
                           r"(?:of|at)\b", re.IGNORECASE)

# Verbs and function words of "when did I first/start/last ..." questions, not the topic asked about.
_QUESTION_WORDS = frozenset("""a about an and at begin began beginning did do doing for get getting got how i in
into is it its learn learned learning learnt make made me my of on or read reading start started starting the this
that to try tried trying use used using was were what when which with work worked working write wrote writing
""".split())


def find_order(question: str) -> OrderReference | None:
    """Whether ``question`` asks for the first or the last time (:class:`OrderReference`), or ``None``.

    "the first time I", "when did I first/start/begin", "I first learned", "earliest"; "the last time I",
    "when did I last", "most recently"; "on the first/last day of <something in the journal>" ("the last day
    of the Node17 forum"). "My first day", "the last day of the challenge" and "the first week of ..." are not
    (days and windows: :func:`find_day_span`, :func:`find_time_window`).
    """
    for direction, pattern in _ORDER_PATTERNS:
        match = pattern.search(question)
        if match:
            return OrderReference(direction, match.group(0).strip(), without_phrase(question, match))
    match = _DAY_OF_EVENT.search(question)
    if match and find_day_span(question) is None:
        which: Literal["first", "last"] = "first" if match.group("which").lower() == "first" else "last"
        return OrderReference(which, match.group(0).strip(), without_phrase(question, match))
    return None
