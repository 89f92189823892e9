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
from dataclasses import dataclass
from typing import Literal

from journal_agent.notes.days import NUMBER_WORD, parse_number, without_phrase

_MONTHS = {name.lower(): index for index, name in enumerate(calendar.month_name) if name}
_MONTHS.update({name.lower(): index for index, name in enumerate(calendar.month_abbr) if name})
_MONTHS["sept"] = 9
_MONTH_RE = "|".join(sorted(_MONTHS, key=len, reverse=True))
_SEASONS = {"spring": (3, 5), "summer": (6, 8), "autumn": (9, 11), "fall": (9, 11), "winter": (12, 14)}
_PARTS = {"early": (1, 4), "mid": (5, 8), "middle of": (5, 8), "late": (9, 12), "end of": (10, 12),
          "beginning of": (1, 3), "start of": (1, 3), "first half of": (1, 6), "second half of": (7, 12)}
_LEAD = r"(?:\b(?:back\s+)?(?:in|during|around|from|on|over|throughout|of)\s+(?:the\s+)?)?"


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
    """

    since: dt.date
    until: dt.date
    phrase: str
    query: str
    kind: WindowKind = "range"


def find_time_window(question: str, today: dt.date | None = None) -> TimeWindow | None:
    """The first time expression in ``question`` as a date range, or ``None``.

    Understands, with its :data:`WindowKind`:

    * ``day``: exact dates ("on September 23, 2025", "23rd of Sept 2025",
      "on 2025-09-23", "September 23" = the latest one not after today),
      "today", "yesterday", "the day before yesterday", weekdays ("last
      Monday" = the latest Monday before today, "on Monday" = the latest
      Monday up to today), "N days ago".
    * ``week``: "this/last week" (Monday to Sunday), "the past week" (7 days),
      "last weekend", "the first/second/third/fourth/last week of September
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

    The first finder that matches wins, in the order of :data:`_FINDERS`
    (ranges before their endpoints, days before the months that hold them).
    """
    today = today or dt.date.today()
    for finder in _FINDERS:
        found = finder(question, today)
        if found is not None:
            since, until, match, kind = found
            return TimeWindow(since, until, match.group(0).strip(), without_phrase(question, match), kind)
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


def _exact_day(question: str, today: dt.date):
    """ "September 23, 2025", "Sept 23rd", "23 September 2025", "the 23rd of September", "2025-09-23"."""
    match = _search(rf"{_LEAD}\b((?:19|20)\d\d)-(\d\d)-(\d\d)\b", question)
    if match:
        day = _date(*map(int, match.groups()))
        return (day, day, match, "day") if day else None
    forms = ((rf"{_LEAD}\b({_MONTH_RE})\.?\s+{_DAY_OF_MONTH}\b(?!\s*(?:-|:|%))(?:,?\s+{_YEAR}\b)?", (1, 2, 3)),
             (rf"{_LEAD}\b{_DAY_OF_MONTH}\s+(?:of\s+)?({_MONTH_RE})\b\.?(?:,?\s+{_YEAR}\b)?", (2, 1, 3)))
    for pattern, (m, d, y) in forms:
        for match in re.finditer(pattern, question, flags=re.IGNORECASE):
            month, number = _MONTHS[match.group(m).lower()], int(match.group(d))
            if not 1 <= number <= 31:
                continue
            year = int(match.group(y)) if match.group(y) else _latest_year(month, today, number)
            day = _date(year, month, number)
            if day:
                return day, day, match, "day"
    return None


def _weekday(question: str, today: dt.date):
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
    match = _search(r"\b(?:(last|past|this)\s+)weekend\b", question)
    if match:
        saturday = today - dt.timedelta(days=(today.weekday() - 5) % 7)
        if match.group(1).lower() != "this" and saturday + dt.timedelta(days=1) >= today:
            saturday -= dt.timedelta(days=7)  # "last weekend" is the latest one that has ended
        return saturday, saturday + dt.timedelta(days=1), match, "week"
    return None


_WEEK_ORDINALS = {"first": 1, "1st": 1, "second": 2, "2nd": 2, "third": 3, "3rd": 3, "fourth": 4, "4th": 4,
                  "last": 5, "final": 5}


def _week_of_month(question: str, today: dt.date):
    """ "the first week of September [2025]" (days 1-7, 8-14, 15-21, 22-28; last = the final 7);
    "the week of Sep 22"."""
    names = "|".join(_WEEK_ORDINALS)
    match = _search(
        rf"{_LEAD}(?:\bthe\s+)?\b({names})\s+week\s+(?:of|in)\s+({_MONTH_RE})\b\.?(?:,?\s+{_YEAR}\b)?", question)
    if match:
        month = _MONTHS[match.group(2).lower()]
        year = int(match.group(3)) if match.group(3) else _latest_year(month, today)
        first, last = _month_span(year, month)
        which = _WEEK_ORDINALS[match.group(1).lower()]
        since = last - dt.timedelta(days=6) if which == 5 else first + dt.timedelta(days=7 * (which - 1))
        return since, since + dt.timedelta(days=6), match, "week"
    match = _search(
        rf"{_LEAD}(?:\bthe\s+)?\bweek\s+of\s+({_MONTH_RE})\.?\s+{_DAY_OF_MONTH}\b(?:,?\s+{_YEAR}\b)?", question)
    if match:
        month, number = _MONTHS[match.group(1).lower()], int(match.group(2))
        year = int(match.group(3)) if match.group(3) else _latest_year(month, today, min(number, 28))
        day = _date(year, month, number)
        if day:
            monday = day - dt.timedelta(days=day.weekday())
            return monday, monday + dt.timedelta(days=6), match, "week"
    return None


_QUARTER_WORDS = {"first": 1, "1st": 1, "second": 2, "2nd": 2, "third": 3, "3rd": 3, "fourth": 4, "4th": 4,
                  "last": 4}


def _quarter(question: str, today: dt.date):
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
    year = int(year) if year else _latest_year(first, today)
    return (*_months_span(year, first, first + 2), match, "quarter")


_ENDPOINT = (r"(?:(?:19|20)\d\d-\d\d-\d\d"  # one end of a range: ISO date, month day [year], day month [year], ...
             rf"|(?:{_MONTH_RE})\.?\s+\d{{1,2}}(?:st|nd|rd|th)?(?:,?\s+(?:19|20)\d\d)?"
             rf"|\d{{1,2}}(?:st|nd|rd|th)?\s+(?:of\s+)?(?:{_MONTH_RE})\.?(?:,?\s+(?:19|20)\d\d)?"
             rf"|(?:{_MONTH_RE})\.?(?:,?\s+(?:19|20)\d\d)?|(?:19|20)\d\d)")  # ... month [year], year


def _range(question: str, today: dt.date):
    """ "between March and April 2021", "from 2025-09-18 to 2025-09-20", "March to May 2021"."""
    joiner = r"\s+(?:and|to|until|till|through|thru)\s+|\s*[-–]\s*(?=[A-Za-z])"
    match = _search(rf"\b(?:(?:between|from)\s+(?:the\s+)?)({_ENDPOINT})(?:{joiner})(?:the\s+)?({_ENDPOINT})\b",
                    question)
    if match is None:
        match = _search(rf"{_LEAD}\b({_ENDPOINT})\s+(?:to|until|till|through|thru|–)\s+({_ENDPOINT})\b", question)
        if match is None or not (_search(_MONTH_RE, match.group(1)) and _search(_MONTH_RE, match.group(2))):
            return None
    end = _point(match.group(2), today, None)
    if end is None:
        return None
    start = _point(match.group(1), today, end[1])
    if start is None or start[0] > end[1]:
        return None
    return start[0], end[1], match, "days" if start[0] == start[1] and end[0] == end[1] else "range"


def _point(text: str, today: dt.date, before: dt.date | None) -> tuple[dt.date, dt.date] | None:
    """One endpoint of a range as its own span; a missing year comes from ``before`` (the range's end)."""
    for found in filter(None, (finder(text, today) for finder in (_exact_day, _month_year, _bare_month, _bare_year))):
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


def _bare_month(text: str, today: dt.date):
    match = _search(rf"^\s*({_MONTH_RE})\.?\s*$", text)
    if match:
        month = _MONTHS[match.group(1).lower()]
        return (*_month_span(_latest_year(month, today), month), match, "month")
    return None


def _bare_year(text: str, today: dt.date):
    match = _search(r"^\s*((?:19|20)\d\d)\s*$", text)
    return (*_year_span(int(match.group(1))), match, "year") if match else None


def _month_year(question: str, today: dt.date):
    match = _search(rf"{_LEAD}\b({_MONTH_RE})\.?,?\s+(?:of\s+)?((?:19|20)\d\d)\b", question)
    if match:
        return (*_month_span(int(match.group(2)), _MONTHS[match.group(1).lower()]), match, "month")
    match = _search(rf"{_LEAD}\b((?:19|20)\d\d)-(0[1-9]|1[0-2])\b(?!-\d)", question)
    return (*_month_span(int(match.group(1)), int(match.group(2))), match, "month") if match else None


def _year(question: str, today: dt.date):
    match = _search(r"\b(?:in|during|throughout|of|back\s+in)\s+((?:19|20)\d\d)\b", question)
    return (*_year_span(int(match.group(1))), match, "year") if match else None


def _month_only(question: str, today: dt.date):
    # Only with a preposition: "may" alone is a verb far more often than a month.
    match = _search(rf"\b(?:back\s+)?(?:in|during|last)\s+({_MONTH_RE})\b(?!\s+\d)", question)
    if match:
        month = _MONTHS[match.group(1).lower()]
        return (*_month_span(_latest_year(month, today), month), match, "month")
    return None


def _part_of_year(question: str, today: dt.date):
    names = "|".join(list(_SEASONS) + [re.escape(p) for p in _PARTS])
    match = _search(rf"{_LEAD}\b({names})\s+(?:of\s+)?((?:19|20)\d\d)\b", question)
    if not match:
        return None
    key, year = match.group(1).lower(), int(match.group(2))
    first, last = _SEASONS.get(key) or _PARTS[re.sub(r"\s+", " ", key)]
    return (*_months_span(year, first, last), match, "season")


def _season_relative(question: str, today: dt.date):
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


def _relative(question: str, today: dt.date):
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
    number = rf"(\d+|{NUMBER_WORD}|a|an)"
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


_FINDERS = (_range, _week_of_month, _exact_day, _weekday, _relative, _quarter, _season_relative, _part_of_year,
            _month_year, _year, _month_only)
