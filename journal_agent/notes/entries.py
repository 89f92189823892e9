"""Entries: the parts of a note that carry their own learning day and/or date (issue 18).

The one place that splits a note into entries. A learning journal is kept in
many shapes: one note per day (the learner's own Jekyll posts), a single-file
#100DaysOfCode log with a ``### Day 12: January 4, 2020`` section per day, Jekyll
posts that each cover several days with ``#### 13/11/2024 - Day 13``
sub-entries, dated sections (``## 2025-09-23``), and jrnl's plain-text journal
(``[2020-01-04 09:00] Title`` lines). The **entry** is the unit of day and date
filters, ``show``, ``list`` and ``stats``; the note stays the unit of files and
of the site (an entry is an anchor in its post).

The rules (:func:`split_entries`):

* **Entry marks.** A heading (any level, outside code, lists and quotes) whose
  text names a learning day (:func:`~journal_agent.notes.days.title_days`:
  "Day 12", "Day 45-50", "Day 56, 57", "Day 0") or a date (:func:`heading_date`:
  ``2025-09-23``, ``13/11/2024``, "January 4, 2020", "4th of June 2021",
  "June 16th", "January 4-6, 2020", ``20200802``, ``11/Jul/2022``, "2022 June 12th"), jrnl's
  ``[YYYY-MM-DD HH:MM] Title`` line, and a paragraph opening with a whole bold line that names one
  (``**Day 3: May 5, 2020**``, logs kept without headings). When marks sit at several heading levels,
  the level with the most marks splits the note (the deeper on a tie); marks at other levels stay inside
  their entry.
* **Tables.** A log kept as a Markdown table (its first column headed "Day", "Date" or "When") has an
  entry per body row that names a day or a date (a bare number under a "Day" column is that day):
  ``| 3 | 2021-01-06 | Functions |``; the row's cells, joined by " | ", are its heading (no anchor).
* **Date lines.** A day heading without a date takes the date of a labelled line just under it
  (``## Day 3`` over ``**Date:** 05/01/2021`` or ``Date: 2021-01-05``, within
  :data:`DATE_LINE_LOOKAHEAD` non-blank lines). A note's own first line (past its title heading, if any)
  that is such a line, or a short one opening with a day or a date (``DAY_05 | 30-01-2026``,
  ``DAY-2 (23 JAN)``: one folder per day, a README without front matter), dates the note and names its
  day (when front matter, title and file name name none).
* **Times.** In a note whose date is known from its front matter or file name, a heading opening with a
  time of day alone or a time range (``## 09:00 Title``, ``## 9:00 AM Title``, ``## 09:00–10:30 Title``:
  :func:`is_time_heading`) is a mark too: an
  entry of the note's date. ``journal import jrnl`` writes each jrnl entry so, and notes imported before
  this rule split too. An undated note's times are plain headings (their date would be a file time).
* **A range.** A note whose one mark names several days or dates (``## June 20-22, 2025``,
  ``### Day 45-50: February 17-21, 2020``) splits at it, as under several marks: the range is its entry's,
  after a title heading or under a front-matter date of another day too.
* **One entry.** Otherwise a note with fewer than two marks is one entry: heading ``""``,
  anchor ``""``, line 1 (the file), the whole body; its days are the note's (front matter,
  title, first heading, file name; see :mod:`~journal_agent.notes.model`), else the one
  mark's when no heading comes before it; its date is the note's (which is that mark's when
  the front matter names none).
* **Several entries.** Each mark starts an entry that runs to the next mark. Text
  before the first mark (an introduction, the log's own title) is a *preamble*
  entry: it has no day and the note's date, and ``list``/``show``/``stats`` leave it
  out (it is not a study day). An entry's days are its heading's; its date is its
  heading's, else the note's (never guessed from day arithmetic: learners skip days).
* **Lists.** A heading listing dates ("05/10/2024 && 06/10/2024", three dates joined by "-") covers
  those dates (``Entry.dates``), not the days between; two joined by "-" or "to" are a range
  (``date`` to ``end_date``). Misspelt month names close to a month are read ("Novermber 11, 2018").
* **A year slip.** A full date over 300 days before the entry above it, that a year later would follow
  it (within two months), is taken a year later: "Day 47: January 1, 2018" after "Day 46: December 31, 2018".
* **Dates in numbers.** ``13/11/2024`` is day first unless some heading of the same note
  can only be month first (``11/13/2024``); then every numeric date of the note is.
* **A date without a year** ("June 16th") takes the year that puts it nearest the
  entry before it, else the note's own date (front matter or file name), else the
  first full date of the note, else the note's fallback date (git, mtime), then the latest
  year not after it (a learner writes about days that have been): so a 2025 journal's
  "June 16th" is 2025, "December 30, 2020" then "January 2" is 2021, and "10 Feb" in a
  folder copied on 2026-12-07 is 2026-02-10.
* **Anchors** are the ids MkDocs' ``toc`` extension gives the heading
  (``markdown.extensions.toc.slugify``/``unique`` over every heading of the post,
  in order); ``""`` for a whole-note entry, a preamble and a jrnl line.

A note's date is its front-matter date, else its entry headings' earliest date
(``date_source`` ``"heading"``: the first entry's date in a log that runs forward, the last one's in a
log kept newest first), else the file name's, git's or mtime's.

Sources: the shapes are those of public #100DaysOfCode logs (Kallaway's ``log.md`` template:
``### Day N: Month D, YYYY`` sections, Day 0 first), Jekyll posts, and jrnl's plain-text format
(``[YYYY-MM-DD HH:MM] title`` per entry, jrnl.sh "Journal file format"); anchors follow Python-Markdown's
``toc`` extension, which MkDocs uses. ``tests/data/real_headings.tsv`` holds a survey of 224 entry headings and
first lines of public learning logs, each with the days and date its author means; every row is a test.
"""

from __future__ import annotations

import datetime as dt
import re
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass, replace

from journal_agent.notes.dates import (
    MAX_NOTE_YEAR,
    MIN_NOTE_YEAR,
    MONTHS,
    NUMERIC_DATE_RE,
    month_named,
    numeric_date,
    numeric_order,
)
from journal_agent.notes.days import ORDINALS, TitleDays, round_named, title_days
from journal_agent.notes.files import FILE_TIME_SOURCES
from journal_agent.notes.markdown import parser

HEADING_SOURCE = "heading"  # Entry.date_source / Note.date_source of a date written in an entry heading
NO_DAYS = TitleDays()
JRNL_LEVEL = 7  # jrnl's "[2020-01-04 09:00] Title" lines rank below every Markdown heading level
BOLD_LEVEL = 8  # a paragraph opening with a whole bold line ("**Day 3: May 5, 2020**") ranks below them all
TABLE_LEVEL = 10  # a row of a log kept as a Markdown table ("| 3 | 2021-01-06 | Functions |")
DATE_LINE_LEVEL = 9  # a note opening with a labelled date line ("**Date:** 05/01/2021") and no heading above it
DATE_LINE_LOOKAHEAD = 4  # non-blank lines after a day heading (or a note's start) searched for a date line


@dataclass(frozen=True)
class Entry:
    """One entry of a note: the part that carries its own learning day and/or date.

    Attributes:
        index: 0-based position in the note.
        heading: the entry heading's text as written (a jrnl line: its title; a table row: its cells joined
            by " | "; ``""`` for a whole-note entry and for a preamble).
        anchor: the heading's HTML id in the published post (``""`` for a whole-note entry, a preamble,
            a jrnl line, a table row).
        line: 1-based line of the heading in the note FILE (1 for a whole-note entry: the file; the
            body's first line for a preamble).
        days: every learning day it covers, ascending ("Day 45-50" -> 45..50; "Day 56, 57"); ``()`` if none.
        date: the date it is about (its own heading date, else the note's date).
        end_date: the last date it covers (== ``date`` unless its heading names a date range).
        date_source: ``"heading"``, or the note's ``date_source`` when inherited.
        body: its Markdown, heading line included.
        preamble: text before the first entry heading of a note with several entries (an introduction,
            a log's own title): no day, not a study day, not listed.
        dates: every date it covers, ascending, when its heading lists several ("05/10/2024 && 06/10/2024",
            three dates joined by "-"); ``()`` means ``date`` to ``end_date`` (see :func:`covered_dates`).
        challenge_round: the #100DaysOfCode round it belongs to (day numbers start again in each round), or
            ``None``: see :func:`with_rounds`.
    """

    index: int
    heading: str
    anchor: str
    line: int
    days: tuple[int, ...]
    date: dt.date
    end_date: dt.date
    date_source: str
    body: str
    preamble: bool = False
    dates: tuple[dt.date, ...] = ()
    challenge_round: int | None = None

    @property
    def day(self) -> int | None:
        """The entry's first learning day, or ``None``."""
        return self.days[0] if self.days else None


def owns_date(preamble: bool, date_source: str) -> bool:
    """Whether an entry's date is its own, so that a day or date window holding the date holds the entry.

    Every entry's is, but a preamble's borrowed date: one taken from the entry headings below it
    (``"heading"``) or from the file's times (``"git"``, ``"mtime"``), as a log's introduction ("# 100 Days
    Of Code - Log") has. A preamble dated by the note's front matter or file name is what the learner wrote
    on that day: a TIL note's body before its "## Update: 5th September 2023" section.
    """
    return not preamble or date_source not in (HEADING_SOURCE, *FILE_TIME_SOURCES)


# -- dates written in headings --------------------------------------------------------
# a word that may name a month: its first three letters and up to 8 more ("Novermber": dates.month_named)
_MONTH = r"(?:" + "|".join(sorted({name[:3] for name in MONTHS})) + r")[a-z]{0,8}\.?"
_ORD = r"(?:st|nd|rd|th)?"
_TO = r"\s*(?:-|\u2013|\u2014|to|until|through|thru)\s*"
_ISO_RE = re.compile(r"(?<!\d)(\d{4})[-/.](\d{1,2})[-/.](\d{1,2})(?!\d)")
# a year, a month and a day written with spaces, as in "TIL 2022 10 23": a year 19xx-21xx, a real month and day
_SPACED_ISO_RE = re.compile(r"(?<![\d/.:-])((?:19|20|21)\d{2}) (0?[1-9]|1[0-2]) (0?[1-9]|[12]\d|3[01])(?![\d/.:-]?\d)")
# ISO 8601's basic form, "20200802" (a #100DaysOfCode log's "### R1D1 - 20200802"): a year 19xx-21xx, a month
# and a day in range, eight digits standing alone
_COMPACT_RE = re.compile(r"(?<![\d/.-])((?:19|20|21)\d{2})(0[1-9]|1[0-2])(0[1-9]|[12]\d|3[01])(?![\d/.-]?\d)")
# a day, a month's name and a year run together or joined by one mark: "15MAY2020" (military style),
# "11/Jul/2022", "05-Jan-2021", "5.Jan.2021"
_JOINED_RE = re.compile(
    r"(?<![\d/.-])(?P<day>\d{1,2})(?P<sep>[-/.]?)(?P<month>[A-Za-z]{3,9})(?P=sep)(?P<year>\d{4})(?!\d)")
# a year first, then a month's name and a day: "2022 June 12th", "2022 Jun 12"
_YEAR_FIRST_RE = re.compile(rf"(?<![\d/.-])(?P<year>\d{{4}})\s+(?P<month>{_MONTH})\s+(?P<day>\d{{1,2}}){_ORD}\b",
                            re.IGNORECASE)
# "2021", or "'21" (a learning journal's 2021), or after a comma two digits that end the date ("31st December, 25",
# "Jan 5, 21": not "June 5, 12:00" nor "June 16, 25 minutes")
_YEAR = (r"(?P<year>\d{4}(?!\d)|['\u2019]\d{2}\b|(?<=,\s)\d{2}(?=\s*(?:$|[)\]|;!?]|[:.,\u2013\u2014-](?!\s*\d))))")
_NUMERIC_RE = NUMERIC_DATE_RE  # "13/11/2024", "04/01/20": read in notes.dates, shared with questions
_MONTH_FIRST_RE = re.compile(
    rf"\b(?P<month>{_MONTH})\s+(?P<day>\d{{1,2}}){_ORD}\b(?:{_TO}(?P<end>\d{{1,2}}){_ORD}\b)?"
    rf"(?:,?\s+{_YEAR})?", re.IGNORECASE)
_DAY_FIRST_RE = re.compile(
    rf"(?<!\bday )(?<!\bday)(?<![#\d])\b(?P<day>\d{{1,2}}){_ORD}(?:{_TO}(?P<end>\d{{1,2}}){_ORD})?(?:\s+of\s+|-|\s*)"
    rf"(?P<month>{_MONTH})(?![a-z])(?:,?\s+{_YEAR})?", re.IGNORECASE)
# a day written as an ordinal word: "the first of May", "twenty-first of June, 2021", "May the fourth", "May the 4th"
_ORDINAL_DAYS = {**{word: n for word, n in ORDINALS.items() if n <= 31},
                 **{f"twenty{sep}{word}": 20 + n for word, n in ORDINALS.items() if n < 10 for sep in ("-", " ")},
                 "thirty-first": 31, "thirty first": 31}
_ORDINAL_DAY = "(?:" + "|".join(sorted(map(re.escape, _ORDINAL_DAYS), key=len, reverse=True)) + ")"
_WORD_DATE_RE = re.compile(
    rf"\b(?:(?P<word>{_ORDINAL_DAY})\s+(?:day\s+)?of\s+(?P<month>{_MONTH})(?![a-z])"
    rf"|(?P<month2>{_MONTH})\s+the\s+(?P<word2>{_ORDINAL_DAY}|\d{{1,2}}(?:st|nd|rd|th))\b)"
    rf"(?:,?\s+{_YEAR})?", re.IGNORECASE)
_HTML_TAG_RE = re.compile(r"</?[A-Za-z][^<>]*>")  # inline HTML in a heading: "10<sup>th</sup> December 2019"
_EMPHASIS_RE = re.compile(r"[*`~]+")  # emphasis inside a date: "1st January *2021*"
# what may stand between the dates of a list: "&&", "and", ",", "-", "to", and learning days ("- Day 44 -")
_JOIN_RE = re.compile(r"(?:\s|[-,&+/\u2013\u2014]|and\b|to\b|days?\s*#?\s*\d{1,5}\b)*", re.IGNORECASE)
_LIST_JOIN_RE = re.compile(r"\s*(?:[,&|+]|&&|and\b)\s*", re.IGNORECASE)  # between the dates of a year-less list
# "Date: 2021-01-05", "**Date:** 05/01/2021", "- *Date*: Jan 5, 2021" (markup dropped first: see _date_line)
_DATE_LINE_RE = re.compile(r"^\s{0,3}(?:[-+>]\s+)?date\s*:\s*(?P<text>\S.*)$", re.IGNORECASE)
_BOLD_LINE_RE = re.compile(r"^ {0,3}(\*\*|__)(?P<text>[^*_\n]+?)\1\s*$")
# a heading opening with a time of day alone: "09:00 Title" (jrnl's import), "9:00 AM Title", "21:30"
_CLOCK = r"(?P<{h}>\d{{1,2}}):(?P<{m}>\d{{2}})(?::\d{{2}})?(?:\s*(?P<{a}>[AaPp])\.?[Mm]\.?)?"
# "09:00 Title", or a time range "09:00–10:30 Title" / "9:00 AM - 10:30 AM Title" (a timeboxed session)
_TIME_RE = re.compile("^" + _CLOCK.format(h="hour", m="minute", a="half")
                      + r"(?:\s*(?:-|\u2013|\u2014|to)\s*" + _CLOCK.format(h="hour2", m="minute2", a="half2")
                      + r")?(?=\s|$|[:,.])")
_JRNL_RE = re.compile(r"^\[(\d{4})-(\d{2})-(\d{2})(?:[ T]\d{1,2}:\d{2}(?::\d{2})?(?:\s*[AaPp][Mm])?)?\]\s*(.*)$")

Written = tuple[int | None, int, int]  # (year or None, month, day) as a heading writes it


@dataclass(frozen=True)
class HeadingDate:
    """A date, a date range or a list of dates as a heading writes it; a year may be missing ("June 16th").

    Attributes:
        start: ``(year or None, month, day)``.
        end: the range's last day, ``None`` for a single date or a list.
        more: the other dates of a list ("05/10/2024 && 06/10/2024", "18/01/2025 - 22/01/2025 - 30/01/2025"),
            after ``start``; ``()`` otherwise.
    """

    start: Written
    end: Written | None = None
    more: tuple[Written, ...] = ()


def is_jrnl_line(line: str) -> bool:
    """Whether ``line`` opens a jrnl entry: ``[YYYY-MM-DD HH:MM] Title`` (jrnl's plain-text journal format)."""
    return bool(_JRNL_RE.match(line))


def is_time_heading(text: str) -> bool:
    """Whether a heading's text opens with a time of day alone: ``09:00 Title``, ``9:00 AM Title``,
    ``21:30:05`` (hours 0-23, or 1-12 with AM/PM; minutes 0-59), or a time range: ``09:00–10:30 Title``,
    ``9:00 AM - 10:30 AM: Title`` (a timeboxed session; both ends valid times). ``journal import jrnl`` writes
    each jrnl entry as ``## HH:MM Title`` in its day's note."""
    match = _TIME_RE.match(text)
    if not match:
        return False
    clocks = [("hour", "minute", "half")] + ([("hour2", "minute2", "half2")] if match["hour2"] else [])
    return all(int(match[m]) < 60 and (1 <= int(match[h]) <= 12 if match[a] else int(match[h]) < 24)
               for h, m, a in clocks)


def heading_date(text: str, order: str = "DMY") -> HeadingDate | None:
    """The date a heading names, or ``None``.

    Reads ``2025-09-23``, ``20250923`` (ISO's basic form: eight digits alone, a real month and day),
    ``13/11/2024`` and ``13/11/24`` (``order`` decides ``NN/NN/YYYY``, see
    :func:`numeric_order`; a two-digit year is 20YY), ``15MAY2020``, ``11/Jul/2022``, ``05-Jan-2021`` (day,
    month name and year run together or joined by one mark), "2022 June 12th" (year first), "Jan 5, '21"
    (an apostrophe's two-digit year is 20YY),
    "January 4, 2020", "Jan. 4th 2020", "4 January 2020", "4th of June", "June 16th", "9-FEB" (no year),
    "31st December, 25" and "Jan 5, 21" (two digits after a comma ending the date are 20YY; not "June 5, 12:00"),
    ordinal words: "the first of May", "twenty-first of June, 2021", "May the fourth", a weekday before any of
    them ("Monday 4 January 2021"), "TIL 2022 10 23" (a year, a month and a day with spaces), inline HTML and
    emphasis dropped ("10<sup>th</sup> December 2019", "1st January *2021*"),
    ranges: "January 4-6, 2020", "4 to 6 June", "2020-01-04 to 2020-01-06", "Jan 6 - Jan 8" (no year),
    "Dec 30 - Jan 2, 2021" (the year written once, at the end), and lists of full dates
    ("05/10/2024 && 06/10/2024", "18/01/2025 - 22/01/2025 - 30/01/2025": three dates, not a range; two
    dates joined by "-" or "to" are a range). A date with a year is preferred to one without; then the
    first in the text. Misspelt month names close to one are read ("Novermber 11, 2018"). Day names and learning days
    ("Day 12 January ...") are not read as dates, nor is the verb "may" (the month is "May"). English
    month names only.
    """
    found: list[tuple[bool, int, int, HeadingDate]] = []  # (year missing, position, end, date)
    text = _EMPHASIS_RE.sub("", _HTML_TAG_RE.sub("", text))
    for pattern in (_ISO_RE, _COMPACT_RE, _SPACED_ISO_RE):
        for match in pattern.finditer(text):
            found.append((False, match.start(), match.end(),
                          HeadingDate((int(match[1]), int(match[2]), int(match[3])))))
    for pattern in (_JOINED_RE, _YEAR_FIRST_RE):
        for match in pattern.finditer(text):
            word = match["month"]  # "16may2020": run together, "may" is no verb; "2022 may 5 things" is
            month = month_named(word.capitalize() if pattern is _JOINED_RE else word)
            if month is not None:
                found.append((False, match.start(), match.end(), HeadingDate((int(match["year"]), month,
                                                                             int(match["day"])))))
    for match in _NUMERIC_RE.finditer(text):  # "04/01/20": a learning journal's 2020 (dates.numeric_date)
        readings = numeric_date(match)
        if readings is not None:
            preferred = readings.month_first if order == "MDY" else readings.day_first
            day = preferred or readings.month_first or readings.day_first
            assert day is not None
            found.append((False, match.start(), match.end(), HeadingDate((day.year, day.month, day.day))))
    for pattern in (_MONTH_FIRST_RE, _DAY_FIRST_RE):
        for match in pattern.finditer(text):
            named = month_named(match["month"])
            if named is None:
                continue
            year = _year(match["year"])
            last = (year, named, int(match["end"])) if match["end"] else None
            written = HeadingDate((year, named, int(match["day"])), last)
            found.append((year is None, match.start(), match.end(), written))
    for match in _WORD_DATE_RE.finditer(text):  # "the first of May", "May the fourth"
        named = month_named(match["month"] or match["month2"])
        word = (match["word"] or match["word2"]).lower()
        number = _ORDINAL_DAYS.get(word) or int(re.sub(r"\D", "", word) or 0)
        if named is not None and number:
            year = _year(match["year"])
            found.append((year is None, match.start(), match.end(), HeadingDate((year, named, number))))
    if not found:
        return None
    found.sort(key=lambda item: item[:2])
    missing, begins, stop, date = found[0]
    if date.end is not None:
        return date
    year = date.start[0]
    before = [item for item in found if item[0] and item[2] <= begins and item[3].end is None]
    if year is not None and before and re.fullmatch(_TO, text[before[-1][2]:begins], re.IGNORECASE):
        # "Jan 6 - Jan 8, 2021", "Dec 30 - Jan 2, 2021": the year written once, at the range's end
        opening = before[-1][3].start
        return HeadingDate((year - 1 if opening[1:] > date.start[1:] else year, opening[1], opening[2]), date.start)
    if missing:  # dates without a year listed one after another: "14 Feb | 15 Feb | 16Feb"
        listed, ranged = [date.start], False
        for _, begins, ends, other in found[1:]:
            if begins < stop or other.end is not None:
                continue  # the same words read the other way round ("Feb 15" in "14 Feb 15 Feb")
            between = text[stop:begins]
            if len(listed) == 1 and other.start[0] is None and re.fullmatch(_TO, between, re.IGNORECASE):
                listed, ranged = [date.start, other.start], True  # "Jan 6 - Jan 8", "Mar 30 - Apr 5": a range
                break
            if not _LIST_JOIN_RE.fullmatch(between):
                break
            listed.append(other.start)
            stop = ends
        if ranged:
            return HeadingDate(listed[0], listed[1])
        return HeadingDate(listed[0], None, tuple(listed[1:])) if len(listed) > 1 else date
    # full dates that follow with nothing but separators (and "Day N") between: a range of two, or a list
    chain, joins = [date.start], []
    for _, begins, ends, other in (item for item in found[1:] if not item[0] and item[3].end is None):
        between = text[stop:begins]
        if begins < stop or not _JOIN_RE.fullmatch(between):
            break
        chain.append(other.start)
        joins.append(between)
        stop = ends
    if len(chain) == 2 and re.fullmatch(_TO, joins[0], re.IGNORECASE):
        return HeadingDate(chain[0], chain[1])  # "2020-01-04 to 2020-01-06", "13/08/2024 - 14/08/2024"
    return HeadingDate(chain[0], None, tuple(chain[1:]))


def _year(written: str | None) -> int | None:
    """A written year as a number: "2021"; "'21" and "21" (two digits) are 2021; ``None`` when none is written."""
    if not written:
        return None
    digits = re.sub(r"\D", "", written)
    return int(digits) + (2000 if len(digits) == 2 else 0)


def _real(written: Written, year: int) -> dt.date | None:
    try:
        day = dt.date(year, written[1], written[2])
    except ValueError:  # "February 30, 2016" (a real log's Day 0) is no date
        return None
    return day if MIN_NOTE_YEAR <= day.year <= MAX_NOTE_YEAR else None


def resolve(written: Written, near: dt.date | None, *, written_on: bool = False) -> dt.date | None:
    """A written date as a real date: its own year, else the year (of ``near``'s, one before, one after) that
    puts it nearest ``near`` ("June 16th" near 2025-06-10 is 2025-06-16); ``None`` when it is no real date
    or has no year and nothing is ``near``.

    ``written_on``: ``near`` is when the note was written (its file time or last commit), not a date it
    names: a learner writes about days that have been, so the year is the latest that is not after it
    ("10 Feb" in a folder copied on 2026-12-07 is 2026-02-10, not the nearer 2027-02-10)."""
    if written[0] is not None:
        return _real(written, written[0])
    if near is None:
        return None
    candidates = [d for d in (_real(written, near.year + k) for k in (-1, 0, 1)) if d is not None]
    if written_on and any(d <= near for d in candidates):
        return max(d for d in candidates if d <= near)
    return min(candidates, key=lambda d: (abs((d - near).days), d < near), default=None)


# -- marks: the headings and jrnl lines that open entries ------------------------------
@dataclass(frozen=True)
class _Mark:
    line: int  # 0-based line in the body
    level: int  # 1-6, or JRNL_LEVEL
    text: str  # the heading's text as written
    days: TitleDays
    date: HeadingDate | None
    anchor: str
    time: bool = False  # a time-only heading ("09:00 Title"): an entry of the note's own date

    @property
    def several(self) -> bool:
        """Whether it names several days or dates: a range ("June 20-22", "Day 45-50") or a list."""
        return len(self.days.days) > 1 or bool(self.date and (self.date.end or self.date.more))


_MARKUP_RE = re.compile(r"[\\`*_\[\]<>&!~]")


def _plain(content: str) -> str:
    """A heading's inline Markdown as the text the toc extension slugs (markup dropped)."""
    if not _MARKUP_RE.search(content):  # most headings are plain text: no parse (a log has thousands)
        return content
    tokens = parser().parseInline(content)
    parts: list[str] = []
    for token in tokens[0].children or [] if tokens else []:
        if token.type in ("text", "code_inline"):
            parts.append(token.content)
        elif token.type in ("softbreak", "hardbreak"):
            parts.append(" ")
        elif token.type == "image":
            parts.append("".join(child.content for child in token.children or []))
    return "".join(parts)


def _marks(body: str, times: bool = False) -> tuple[list[_Mark], int | None]:
    """Every heading, jrnl line, log-table row and bold line of ``body`` that names a day or a date (a day
    heading dated by the labelled date line under it), the note's own first day-and-date line
    (:func:`_opening_line`), and, when ``times``, every heading opening with a time of day or a time range
    (:func:`is_time_heading`), in order; and the (0-based) line of the body's first heading (``None``
    without one)."""
    from markdown.extensions.toc import slugify, unique

    tokens = parser(inline=False, tables=True).parse(body)
    lines = body.split("\n")
    rows = _table_rows(tokens)
    headings: list[tuple[int, int, str]] = []  # (line, level, text) of top-level headings
    jrnl: list[tuple[int, str, HeadingDate]] = []
    all_headings: list[tuple[int, str]] = []  # (line, text) of every heading, for unique anchors
    for index, token in enumerate(tokens):
        if token.type == "heading_open" and token.map is not None:
            text = tokens[index + 1].content.strip()
            all_headings.append((token.map[0], text))
            if token.level == 0:
                headings.append((token.map[0], int(token.tag[1]), text))
        elif token.type == "paragraph_open" and token.level == 0 and token.map is not None:
            for number in range(*token.map):
                match = _JRNL_RE.match(lines[number]) if number < len(lines) else None
                if match:
                    jrnl.append((number, match[4].strip(), HeadingDate((int(match[1]), int(match[2]),
                                                                        int(match[3])))))
            bold = _BOLD_LINE_RE.match(lines[token.map[0]]) if token.map[0] < len(lines) else None
            if bold:  # "**Day 3: May 5, 2020**" standing as a heading (logs kept in plain paragraphs)
                headings.append((token.map[0], BOLD_LEVEL, bold["text"].strip().rstrip(":").strip()))
    starts = {line for line, _ in all_headings}
    below = {line: found for line, level, _ in headings
             if level < JRNL_LEVEL and (found := _date_line(lines, line + 1, starts)) is not None}
    opening = _opening_line(lines, starts)
    order = numeric_order([text for _, _, text in headings] + [text for _, text in below.values()]
                          + [text for _, text in rows]
                          + ([opening[1]] if opening else []))
    marks = []
    if opening is not None:  # the note's own first line: "Date: 2-02-26 | Monday", "DAY_05 | 30-01-2026"
        line, text, labelled = opening
        opened_days = NO_DAYS if labelled else title_days(text)
        written = heading_date(text, order)
        if written is not None or opened_days.days:
            marks.append(_Mark(line, DATE_LINE_LEVEL, "" if labelled else text, opened_days, written, ""))
    for line, level, text in sorted(headings):
        days, date = title_days(text), heading_date(text, order)
        if date is None and days.days and line in below:  # "## Day 3" over "**Date:** 05/01/2021"
            date = heading_date(below[line][1], order)
        timed = times and level < JRNL_LEVEL and date is None and is_time_heading(text)
        if days.days or date or timed:
            marks.append(_Mark(line, level, text, days, date, "", timed))
    marks += [_Mark(line, JRNL_LEVEL, text, title_days(text), date, "") for line, text, date in jrnl]
    for line, text in rows:  # a log kept as a table: each row naming a day or a date is an entry
        days, date = title_days(text), heading_date(text, order)
        if days.days or date:
            marks.append(_Mark(line, TABLE_LEVEL, text, days, date, ""))
    if len(marks) >= 2 or (marks and marks[0].several):  # anchors matter when the note splits (see split_entries)
        ids: set[str] = set()  # slug every heading, in order, as toc does
        anchors = {line: unique(slugify(_plain(text), "-"), ids) for line, text in all_headings}
        marks = [_Mark(m.line, m.level, m.text, m.days, m.date, anchors.get(m.line, "") if m.level < JRNL_LEVEL
                       else "", m.time) for m in marks]  # a jrnl line or a bold line is no heading: no id
    return sorted(marks, key=lambda m: m.line), min((line for line, _ in all_headings), default=None)


_DAY_COLUMN_RE = re.compile(r"^\W*(?:day|days|day\s*(?:#|no\.?|number))\W*$", re.IGNORECASE)
_LOG_COLUMN_RE = re.compile(r"^\W*(?:day|days|day\s*(?:#|no\.?|number)|date|when)\W*$", re.IGNORECASE)


def _table_rows(tokens: list) -> list[tuple[int, str]]:
    """``(line, text)`` of each body row of the tables whose first column is a log's (headed "Day", "Day #",
    "Date" or "When"; a table of versions, prices or tools is no log): the cells joined by " | ", a bare number
    under a "Day" column written "Day N" (``| 3 | 2021-01-06 | ... |`` under ``| Day | Date | ... |`` reads
    as Day 3)."""
    out: list[tuple[int, str]] = []
    header: list[str] = []
    cells: list[str] = []
    line = 0
    for index, token in enumerate(tokens):
        if token.type == "table_open":
            header = []
        elif token.type == "tr_open" and token.map is not None:
            cells, line = [], token.map[0]
        elif token.type in ("th_open", "td_open") and index + 1 < len(tokens):
            cells.append(tokens[index + 1].content.strip())
        elif token.type == "tr_close":
            if not header:
                header = cells
                continue
            if not _LOG_COLUMN_RE.match(header[0] if header else ""):
                continue
            named = [f"Day {cell}" if column < len(header) and _DAY_COLUMN_RE.match(header[column])
                     and re.fullmatch(r"\d{1,5}", cell) else cell for column, cell in enumerate(cells)]
            out.append((line, " | ".join(named)))
    return out


# a first line opening with a learning day ("Day 5", "R1D5", "W3D2", "D12", "Week 3, Day 2") or a date ("30-01-2026",
# "Monday, January 4, 2021", "Jan 4, 2021": a weekday or a month's name before a number)
_OPENS_WITH_DAY_OR_DATE_RE = re.compile(
    r"^\W*(?:days?\s*(?:[#_-]\s*)?\d|[rw]\d{1,2}\s?d\d|d[-_]?\d|\d|week\s*\d{1,3}\s*[,:-]?\s*days?\s*\d"
    r"|(?:mon|tue|wed|thu|fri|sat|sun)[a-z]*\.?,?\s+(?:the\s+)?\d|(?:mon|tue|wed|thu|fri|sat|sun)[a-z]*\.?,?\s+"
    + _MONTH + r"\s+\d|" + _MONTH + r"\s+\d|(?:the\s+)?" + _ORDINAL_DAY + r"\s+of\s+" + _MONTH + ")",
    re.IGNORECASE)
OPENING_LINE_CHARS = 80  # a note's first line longer than this is prose, not a day-and-date line


def _opening_line(lines: list[str], headings: set[int]) -> tuple[int, str, bool] | None:
    """``(line, text, labelled)`` of a note's own day-and-date line: among its first
    :data:`DATE_LINE_LOOKAHEAD` non-blank lines, past at most one heading (its title), the first line that
    is a labelled date ("Date: 2-02-26 | Monday", ``labelled``) or, short, opens with a learning day or a
    date ("DAY_05 | 30-01-2026", "DAY-2 (23 JAN)"); ``None`` when the first such candidate is neither."""
    seen = titles = 0
    for number, raw in enumerate(lines):
        line = re.sub(r"[*_`]", "", raw).strip() if number not in headings else raw.strip()
        if not line:
            continue
        if number in headings:
            titles += 1
            if titles > 1:
                return None
            continue
        labelled = _DATE_LINE_RE.match(line)
        if labelled:
            return number, labelled["text"].strip(), True
        if len(line) <= OPENING_LINE_CHARS and _OPENS_WITH_DAY_OR_DATE_RE.match(raw.replace("_", " ").strip("*_ ")):
            return number, raw.strip().strip("*_ ").strip(), False
        seen += 1
        if seen >= DATE_LINE_LOOKAHEAD:
            return None
    return None


def _date_line(lines: list[str], start: int, headings: set[int]) -> tuple[int, str] | None:
    """``(line, text)`` of a labelled date line ("Date: 2021-01-05", "**Date:** 05/01/2021") among the first
    :data:`DATE_LINE_LOOKAHEAD` non-blank lines from ``start``, before the next heading; else ``None``."""
    seen = 0
    for number in range(start, len(lines)):
        if number in headings:
            return None
        line = lines[number].strip()
        if not line:
            continue
        match = _DATE_LINE_RE.match(re.sub(r"[*_`]", "", line))
        if match:
            return number, match["text"].strip()
        seen += 1
        if seen >= DATE_LINE_LOOKAHEAD:
            return None
    return None


def _entry_level(marks: list[_Mark]) -> int | None:
    """The level whose marks split the note: the most marks, the deeper on a tie; ``None`` under two marks,
    unless the one mark names several days or dates (a range keeps its own entry: "## June 20-22, 2025")."""
    if len(marks) == 1 and marks[0].several:
        return marks[0].level
    counts = Counter(m.level for m in marks)
    level, count = max(counts.items(), key=lambda item: (item[1], item[0]), default=(None, 0))
    return level if count >= 2 else None


# -- splitting ----------------------------------------------------------------------
def split_entries(
    body: str,
    *,
    date: dt.date | None = None,
    date_source: str = "",
    fallback: Callable[[], tuple[dt.date, str]] | None = None,
    days: TitleDays = NO_DAYS,
    hint: dt.date | None = None,
    first_line: int = 1,
    split: bool = True,
) -> list[Entry]:
    """Split a note's Markdown body into its entries (see the module docstring for the rules).

    Args:
        body: the note's Markdown without front matter, lines split on ``\\n`` (as the notes model gives it).
        date, date_source: the note's own date (front matter) and where it came from; ``None`` when it
            names none.
        fallback: gives ``(date, source)`` when neither ``date`` nor an entry heading dates the note
            (the file name, git, mtime: :func:`~journal_agent.notes.files.fallback_date`); called at most once,
            and only when needed.
        days: the note's days as its front matter, title, first heading or file name name them
            (:class:`~journal_agent.notes.days.TitleDays`): a whole-note entry's days; a note with several
            entries none of whose headings names a day gives them one each, in order, when the counts
            match (else each entry all of them), unless they are a milestone ("Reaching day 50").
        hint: a date near the note's (front matter or file name) for headings without a year.
        first_line: the 1-based file line where ``body`` starts (after front matter).
        split: ``False`` keeps the note one entry whatever its headings say (a weekly digest, whose day
            headings cite other notes); its days are then ``days`` alone.

    Returns:
        At least one :class:`Entry`, in order.

    Raises:
        ValueError: the note is undated (no ``date``, no heading date) and there is no ``fallback``.
    """
    marks, first_heading = _marks(body, times=hint is not None or date is not None) if split else ([], None)
    level = _entry_level(marks)
    lines = body.split("\n")
    fallen: list[tuple[dt.date, str]] = []

    def fallback_date() -> tuple[dt.date, str]:
        if not fallen:
            if fallback is None:
                raise ValueError("an undated note needs a fallback date")
            fallen.append(fallback())
        return fallen[0]

    def near_default(written: Written) -> dt.date | None:
        """``written``'s date by the note's own dates, else by when the note was written (fallback)."""
        full = [resolve(m.date.start, None) for m in marks if m.date and m.date.start[0] is not None]
        near = hint or next((d for d in full if d), None)
        return resolve(written, near) if near else resolve(written, fallback_date()[0], written_on=True)

    if level is None:  # one entry: the whole note; a mark dates it and names its days only when it opens it
        headed = [m for m in marks if m.level != DATE_LINE_LEVEL]
        candidates = [m for m in marks if m.level == DATE_LINE_LEVEL]  # the note's own first line
        if headed and (first_heading is None or headed[0].line <= first_heading):
            candidates.insert(0, headed[0])  # a mark opening the note comes first
        mark = next((m for m in candidates if m.date), None) or next((m for m in candidates if m.days.days), None)
        own = None
        if mark and mark.date:
            own = resolve(mark.date.start, None) if mark.date.start[0] is not None else near_default(mark.date.start)
        if date is not None:
            when, source = date, date_source
        elif own is not None:
            when, source = own, HEADING_SOURCE
        else:
            when, source = fallback_date()
        last = when
        covers: tuple[dt.date, ...] = ()
        if mark and mark.date and mark.date.end and own == when:
            last = resolve(mark.date.end, when) or when
        if mark and mark.date and mark.date.more and own == when:  # "14 Feb | 15 Feb | 16Feb"
            covers = tuple(sorted({when, *(d for w in mark.date.more if (d := resolve(w, when)))}))
            last = covers[-1]
        marked = mark.days.days if mark else ()
        # a mark's days stand when the note names none, names them as a milestone ("Reaching day 50"), or names
        # fewer of the same ("DAY_16__17__18" over a folder read as Day 16)
        whole = marked if marked and (days.milestone or not days.days or set(days.days) < set(marked)) \
            else days.days
        return [Entry(0, "", "", 1, tuple(whole), when, max(last, when), source, body,  # line 1: the file
                      dates=covers)]

    splitting = [m for m in marks if m.level == level]
    dated: list[tuple[_Mark, dt.date | None, dt.date | None, tuple[dt.date, ...]]] = []
    near = hint
    previous: dt.date | None = None
    for mark in splitting:
        start: dt.date | None = None
        end: dt.date | None = None
        listed_dates: tuple[dt.date, ...] = ()
        if mark.date:
            start = resolve(mark.date.start, near) if near or mark.date.start[0] is not None \
                else near_default(mark.date.start)
            if start and mark.date.end:
                end = resolve(mark.date.end, start)
            if start and mark.date.more:
                listed_dates = tuple(sorted({start, *(d for w in mark.date.more if (d := resolve(w, start)))}))
            slipped = _year_slip(start, previous)
            if slipped:  # "Day 47: January 1, 2018" after "Day 46: December 31, 2018": the author meant 2019
                start, end = _add_year(start), _add_year(end)
                listed_dates = tuple(d for d in map(_add_year, listed_dates) if d)
            near = start or near
            previous = start or previous
        end = end if end and start and end >= start else start
        dated.append((mark, start, listed_dates[-1] if listed_dates else end, listed_dates))
    if date is not None:
        when, source = date, date_source
    else:
        first = min((start for _, start, _, _ in dated if start), default=None)  # a log kept newest first too
        when, source = (first, HEADING_SOURCE) if first is not None else fallback_date()

    entries: list[Entry] = []
    head = "\n".join(lines[: splitting[0].line]).strip()
    if head:
        entries.append(Entry(0, "", "", first_line, (), when, when, source, head, preamble=True))
    own_days = [mark.days.days for mark, _, _, _ in dated]
    if not any(own_days) and days.days and not days.milestone:  # the note's days, its entries naming none
        # "Days 1-7" over seven dated sections: one each; otherwise each covers them all (never lost)
        own_days = [(day,) for day in days.days] if len(days.days) == len(dated) else [days.days] * len(dated)
    for number, (mark, start, end, listed_dates) in enumerate(dated):
        stop = splitting[number + 1].line if number + 1 < len(splitting) else len(lines)
        text = "\n".join(lines[mark.line: stop]).rstrip()
        entries.append(Entry(len(entries), mark.text, mark.anchor, first_line + mark.line, tuple(own_days[number]),
                             start or when, end or start or when, HEADING_SOURCE if start else source, text,
                             dates=listed_dates))
    return entries


YEAR_SLIP_DAYS = 62  # a date a year behind the entry before it, but within this many days after it a year on


def _year_slip(start: dt.date | None, previous: dt.date | None) -> bool:
    """Whether ``start`` is the entry before's year written by mistake in January: over 300 days before
    ``previous`` and, a year later, on or after it by at most :data:`YEAR_SLIP_DAYS` days. A log runs forward."""
    if start is None or previous is None or (previous - start).days <= 300:
        return False
    later = _add_year(start)
    return later is not None and 0 <= (later - previous).days <= YEAR_SLIP_DAYS


def _add_year(day: dt.date | None) -> dt.date | None:
    if day is None:
        return None
    try:
        return day.replace(year=day.year + 1)
    except ValueError:  # February 29th
        return day + dt.timedelta(days=365)


def with_rounds(entries: list[Entry], note_round: int | None) -> list[Entry]:
    """``entries`` with their #100DaysOfCode round: the note's (``note_round``, from its title "Log - Round 2"
    or its file name ``r2-log.md``), else the one its heading names ("### R2D14",
    :func:`~journal_agent.notes.days.round_named`). The note's wins: a round-2 log whose author kept writing
    "R1D17" for round 2's days is round 2."""
    return [replace(entry, challenge_round=note_round or round_named(entry.heading)) for entry in entries]


def listed(entries: list[Entry]) -> list[Entry]:
    """The entries ``list``, ``show`` and ``stats`` count: all but a preamble, or the one entry of a
    one-entry note (never empty for a note's entries)."""
    return [entry for entry in entries if not entry.preamble] or entries[:1]


def covered_dates(entry: Entry) -> list[dt.date]:
    """Every date an entry covers, in order: the dates its heading lists (``entry.dates``), else ``date`` to
    ``end_date`` (a heading's range, at most a year)."""
    if entry.dates:
        return list(entry.dates)
    span = min((entry.end_date - entry.date).days, 365)
    return [entry.date + dt.timedelta(days=offset) for offset in range(span + 1)]


def note_days(entries: list[Entry]) -> tuple[int, ...]:
    """Every learning day a note's entries cover, ascending, each once."""
    return tuple(sorted({day for entry in entries for day in entry.days}))
