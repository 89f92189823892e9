"""Learning-day numbers: the one place that reads "Day N", wherever it is written.

A learning day is a whole number from 0 to :data:`MAX_DAY`. It is read here and
nowhere else, with one bound:

* in a note's **title or a heading** (:func:`title_day`, :func:`title_days`: "Momentum Learning Day 3",
  "Day 2| Momentum Learning Series", "Day 12 of 100", ranges "Day 45-50", "Day 11 to 15", "Day 56, 57";
  not "retry day 40 times");
* in a note's **file name** (:func:`file_name_day`: ``day-12.md``, ``2020-01-22-day-19.md``, ``day-one.md``),
  or its folder's (:func:`path_day`: ``Day01/README.md``);
* in front matter (``day: 4``; :func:`check_day`);
* in a **question** (:func:`find_day_number`: "on Day 4", "day four", "my first day");
* in a **reference** given to ``journal show`` (:func:`bare_day`: "4", "day 4", "Day #10000");
* in a **sentence** that cites days (:func:`days_cited`: "Day 3", "days 3, 4 and 5", "days 2-4"),
  used to check a model-written digest against the week's days;
* on the command line (``journal add --day``: ``click.IntRange(1, MAX_DAY)``).

And rewritten here: :func:`renumber_day_words` (``journal renumber``, ``journal add --renumber``).

Before issue 17 four regular expressions allowed 4 or 5 digits, so a note with
``day: 10000`` was listed while ``journal show 10000`` said there was no such note.

**Day 0 is a day** (issue 18): both public #100DaysOfCode logs the issue measured start at
"Day 0" (the #100DaysOfCode rules call the setup day Day 0), so 0 is read wherever 1 is.
Before issue 18 ``title_day("Day 0: setting up")`` was ``None``.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import PurePath

MIN_DAY = 0  # Day 0 is a day (issue 18): #100DaysOfCode logs start there
MAX_DAY = 99_999  # five digits: 270 years of daily notes
MAX_RANGE_DAYS = 366  # a heading naming more days than a year ("Day 12, 2020") is not a range of days
_DIGITS = r"\d{1,5}"

# -- number words ("four", "twenty-one", "fourth", "4th") -------------------------------
UNITS = ["zero", "one", "two", "three", "four", "five", "six", "seven", "eight", "nine", "ten", "eleven",
         "twelve", "thirteen", "fourteen", "fifteen", "sixteen", "seventeen", "eighteen", "nineteen"]
TENS = {"twenty": 20, "thirty": 30, "forty": 40, "fifty": 50, "sixty": 60, "seventy": 70, "eighty": 80,
        "ninety": 90}
ORDINALS = {"first": 1, "second": 2, "third": 3, "fourth": 4, "fifth": 5, "sixth": 6, "seventh": 7,
            "eighth": 8, "ninth": 9, "tenth": 10, "eleventh": 11, "twelfth": 12, "thirteenth": 13,
            "fourteenth": 14, "fifteenth": 15, "sixteenth": 16, "seventeenth": 17, "eighteenth": 18,
            "nineteenth": 19, "twentieth": 20, "thirtieth": 30}
NUMBER_WORD = (rf"(?:(?:{'|'.join(TENS)})(?:[\s-](?:{'|'.join(UNITS[1:10])}))?|"
               rf"{'|'.join(sorted(UNITS[1:], key=len, reverse=True))})")
_ORDINAL_WORD = rf"(?:\d{{1,3}}(?:st|nd|rd|th)|{'|'.join(sorted(ORDINALS, key=len, reverse=True))})"


def parse_number(text: str) -> int | None:
    """"4", "four", "twenty-one", "4th", "fourth" → int; ``None`` if unreadable."""
    word = text.lower().strip()
    digits = re.match(r"^(\d+)(?:st|nd|rd|th)?$", word)
    if digits:
        return int(digits.group(1))
    if word in ORDINALS:
        return ORDINALS[word]
    parts = re.split(r"[\s-]+", word)
    if len(parts) == 1 and parts[0] in UNITS:
        return UNITS.index(parts[0])
    if parts[0] in TENS and (len(parts) == 1 or (len(parts) == 2 and parts[1] in UNITS[1:10])):
        return TENS[parts[0]] + (UNITS.index(parts[1]) if len(parts) == 2 else 0)
    return None


def is_day(number: int | None) -> bool:
    """True for a learning-day number: :data:`MIN_DAY` (0) to :data:`MAX_DAY`."""
    return number is not None and MIN_DAY <= number <= MAX_DAY


# -- titles and headings ------------------------------------------------------------
# what may follow "Day N" that does not open a title: the end, punctuation or a symbol ("Day_03 🚀"), "of"
_DAY_END = r"\s*(?:$|[|:;,.!?()\[\]/\u2013\u2014-]|[^\w\s]|of\b)"
# a number that is a date's day, not a learning day: "Day 1 - 10th December 2019", "Day 5 - 12 Jan"
_DATES_DAY = (r"(?!(?:st|nd|rd|th)\b|(?:st|nd|rd|th)?\s*(?:of\s+)?"
              r"(?:jan|feb|mar|apr|may|jun|jul|aug|sep|oct|nov|dec)[a-z]{0,7}\b)")
# what joins more days to a day: a range ("-", "to") or a list (",", "&", "+": "Days 59+60"; "/" only between
# consecutive days, "R1D13/14", never "Day 1/100"), the next day written "Day N" or as a round tag ("R1D2 - R1D4")
_MORE_SEP = r"-|\u2013|\u2014|to|through|thru|until|till|and|&&|&|,|\+|/|_{1,2}"
_ONE_MORE = rf"\s*(?P<sep>{_MORE_SEP})\s*(?:days?\s*#?\s*|R\d{{1,2}}\s?D)?(?P<n>{_DIGITS})(?!\d)(?![-/.]\d){_DATES_DAY}"
_ONE_MORE_RE = re.compile(_ONE_MORE, re.IGNORECASE)
_MORE_DAYS = "(?:" + _ONE_MORE.replace("?P<sep>", "?:").replace("?P<n>", "?:") + ")"
_TAG_RE = re.compile(r"</?[A-Za-z][^<>]*>")  # inline HTML in a heading: "10<sup>th</sup> December"
# "Week 2 Days 4-5 Summary": a day named after a week is a heading's day whatever follows it
_AFTER_WEEK_RE = re.compile(r"\bweek\s*#?\s*\d{1,3}\s*[,:\u2013\u2014-]?\s*$", re.IGNORECASE)
# between two "Day N" of one heading: separators and dates only ("Day 43 - 13/11/2024 - Day 44")
_BETWEEN_DAYS_RE = re.compile(r"(?:\s|[-,&+/|:\u2013\u2014]|and\b|\d{1,4}[-/.]\d{1,2}[-/.]\d{2,4})*", re.IGNORECASE)
_TITLE_DAYS_RE = re.compile(
    rf"(?:^(?P<opening>\W*)|\b)days?\s*(?:[#_-]\s*)?(?P<first>{_DIGITS})(?!\d)(?P<more>{_MORE_DAYS}*)",
    re.IGNORECASE)  # "Day 12", "Day #12", and as folders and first lines write it: "DAY_04", "DAY-2", "DAY - 14"
# "Day One", "Day twenty-one", "Day One Hundred" (a hundred times the word before it)
_TITLE_DAY_WORD_RE = re.compile(rf"(?:^(?P<opening>\W*)|\b)day\s+(?P<word>{NUMBER_WORD})(?P<hundred>[\s-]+hundred)?\b",
                                re.IGNORECASE)
# a heading opening with a bare day tag: "D12: CSS", "D01 - Setup", "D-5" (not "D3.js", "D2 Diablo")
_OPENING_D_TAG_RE = re.compile(r"^\W*D[-_]?(?P<n>\d{1,3})(?![\d\w])(?!\.\w)", re.IGNORECASE)
# #100DaysOfCode's round-and-day tag "R1D12" (a letter may follow: "R1D39a", "R1D39b"), and its ranges and lists
# ("R1D2 - R1D4", "R1D13/14", "R1D46+47"); a week-and-day tag "W3D2" names day 2 as "Week 3 Day 2" does
_ROUND_DAY_RE = re.compile(rf"\b[RW]\d{{1,2}}\s?D(?P<first>\d{{1,3}})(?:[a-z](?![a-z]))?(?!\w)(?P<more>{_MORE_DAYS}*)",
                           re.IGNORECASE)
_RANGE_SEP_RE = re.compile(r"-|\u2013|\u2014|to|through|thru|until|till", re.IGNORECASE)
# "Reaching day 50", "until day 50": where a post ends up, not a day it is about (see :func:`title_days`)
_MILESTONE_RE = re.compile(r"\b(?:reach(?:ing|ed)?|until|till|up\s+to|to|towards?|approaching|before|by)\s*$",
                           re.IGNORECASE)


@dataclass(frozen=True)
class TitleDays:
    """The learning days a title or heading names.

    Attributes:
        days: every day named, ascending ("Day 45-50" -> 45..50; "Day 56, 57" -> 56, 57).
        milestone: the days were named as a point reached ("Reaching day 50", "until day 50"): the
            end of what a post covers, not its days; a note with several entries ignores such a title.
    """

    days: tuple[int, ...] = ()
    milestone: bool = False


def title_days(text: str | None) -> TitleDays:
    """Every learning day a title or heading names, ranges and lists included.

    "Day 12: January 4, 2020" -> (12,); "DAY_04 29-01-26", "DAY-2 (23 JAN)", "DAY - 14 | 12Feb" -> 4, 2, 14;
    "Day 45-50" and "Days 45 to 50" -> 45..50;
    "Day 56, 57" and "Day 56 & 57" -> (56, 57); "Day 1 - Day 3" -> 1..3; "Day 0" -> (0,); a folder's
    "DAY_16__17__18" -> (16, 17, 18); "Days 59+60" -> (59, 60); "Day 1/100", "Day 99/100" and "Day 6/7" are one day
    (of the challenge's length).
    A number that is a date's day ends no range: "Day 1 - 10th December 2019", "Day 5 - 12 Jan" are days 1 and 5.
    Inline HTML is dropped first ("10<sup>th</sup>").
    "Week 3 Day 2" -> (2,): the day within the week, as written (a day named after "Week N" counts whatever
    follows it: "Week 2 Days 4-5 Summary" -> (4, 5)); the week's length is not guessed.
    "Day N" counts when it opens the text or is followed by the end, punctuation or "of"; a
    following number counts as more days only when it is larger and at most :data:`MAX_RANGE_DAYS`
    on ("13/11/2024 - Day 13" is day 13; "Day 12, 2020" is day 12).
    "retry day 40 times" names no day (the words "day N" must open the text or end a phrase).
    ``milestone`` is set for "reaching/until/up to day N" (see :class:`TitleDays`). Without "Day N",
    a number word does ("Day One: setup" -> (1,), by the same rule), else #100DaysOfCode's round-and-day
    tag: "R1D12" -> (12,), "R1D39a" -> (39,), "R1D13/14" and "R1D46+47" -> two days
    ("/" joins the next day only), "R1D2 - R1D4" -> 2..4, and a
    week-and-day tag: "W3D2" -> (2,), else a day tag opening the text: "D12: CSS", "D01 - Setup" -> 12, 1 (not
    "D3.js", "D2 Diablo"). "Day One Hundred" -> (100,).

    Sources: the forms are those of ``tests/data/real_headings.tsv``, a survey of 224 headings of public
    learning logs (issue 18).
    """
    text = _TAG_RE.sub("", text or "")
    for match in _TITLE_DAYS_RE.finditer(text):
        tail = text[match.end():]
        if match.group("opening") is None and not re.match(_DAY_END, tail, re.IGNORECASE) \
                and not _AFTER_WEEK_RE.search(text[: match.start()]):
            continue
        first = int(match.group("first"))
        if not is_day(first):
            continue
        days = [first]
        _more_days(days, match.group("more"))
        stop = match.end()
        for later in _TITLE_DAYS_RE.finditer(text, match.end()):  # "Day 43 - 13/11/2024 - Day 44"
            if not _BETWEEN_DAYS_RE.fullmatch(text[stop:later.start()]):
                break
            value = int(later.group("first"))
            if not is_day(value) or value <= days[-1] or value - days[0] > MAX_RANGE_DAYS:
                break
            days.append(value)
            _more_days(days, later.group("more"))
            stop = later.end()
        before = text[: match.start()]
        return TitleDays(tuple(days), bool(_MILESTONE_RE.search(before)))
    for match in _TITLE_DAY_WORD_RE.finditer(text):  # "Day One: setting up", "Day twenty-one"
        tail = text[match.end():]
        number = parse_number(match.group("word"))
        if number is not None and match.group("hundred"):
            number *= 100
        if (match.group("opening") is not None or re.match(_DAY_END, tail, re.IGNORECASE)) and is_day(number):
            assert number is not None
            before = text[: match.start()]
            return TitleDays((number,), bool(_MILESTONE_RE.search(before)))
    rounds = _ROUND_DAY_RE.search(text)  # #100DaysOfCode's "R1D12": round 1, day 12
    if rounds and is_day(int(rounds["first"])):
        days = [int(rounds["first"])]
        _more_days(days, rounds["more"], slash=True)
        return TitleDays(tuple(days))
    tag = _OPENING_D_TAG_RE.match(text)  # "D12: CSS": a log's day tag opening the heading
    if tag and re.match(_DAY_END, text[tag.end():], re.IGNORECASE):
        return TitleDays((int(tag["n"]),))
    return TitleDays()


def _more_days(days: list[int], more: str, slash: bool = False) -> None:
    """Extend ``days`` with the days ``more`` names after them ("-50", ", 57", " to Day 15"), in place; "/" joins
    the next day only when ``slash`` (after a round tag: "R1D13/14") and it is the next day: after "Day N" it
    names the challenge's length ("Day 99/100", "Day 6/7" of a week)."""
    for found in _ONE_MORE_RE.finditer(more):
        sep, value = found["sep"], int(found["n"])
        if not is_day(value) or value <= days[-1] or value - days[0] > MAX_RANGE_DAYS \
                or (sep == "/" and (not slash or value != days[-1] + 1)):
            break
        days.extend(range(days[-1] + 1, value + 1) if _RANGE_SEP_RE.fullmatch(sep) else [value])


def title_day(text: str | None) -> int | None:
    """The (first) learning day a title or heading names ("Momentum Learning Day 3" → 3), else ``None``.

    See :func:`title_days` for the rule; Day 0 is a day ("Day 0: setting up" -> 0).
    """
    days = title_days(text).days
    return days[0] if days else None


_FILE_DAY_RE = re.compile(rf"(?:^|[-_. ])day[-_ ]?(?P<n>\d{{1,5}}|{NUMBER_WORD})(?=$|[-_. ])", re.IGNORECASE)


def file_name_day(stem: str) -> int | None:
    """The learning day a note's file name names: ``day-12`` -> 12, ``2020-01-22-day-19`` -> 19,
    ``day-one`` and ``day_twenty-one`` -> 1 and 21 (number words as :func:`parse_number` reads them),
    ``100DaysOfCode`` -> ``None`` (the file stem, without its suffix)."""
    match = _FILE_DAY_RE.search(stem.replace("_", "-"))
    if not match:
        return None
    number = parse_number(match.group("n").replace("-", " ") if not match.group("n").isdigit() else match.group("n"))
    return number if is_day(number) else None


def path_day(path: PurePath) -> int | None:
    """The learning day a note's path names: its file name's (:func:`file_name_day`), else its folder's when the
    file name names none (``Day01/README.md``, ``day-1/index.md``: one folder per day, a common
    #100DaysOfCode layout whose README may have no heading at all)."""
    named = file_name_day(path.stem)
    return named if named is not None else file_name_day(path.parent.name)


_BARE_DAY_NAME_RE = re.compile(rf"day[-_ ]?(?:\d{{1,5}}|{NUMBER_WORD})", re.IGNORECASE)


def is_bare_day_name(stem: str) -> bool:
    """Whether a file (or folder) name is a learning day and nothing else: ``Day13``, ``day-13``, ``Day 13``,
    ``DAY_04``, ``day-one`` (not ``2025-09-20-momentum-learning-day-3``, a dated slug)."""
    return bool(_BARE_DAY_NAME_RE.fullmatch(stem.strip()))


def with_file_name_day(days: TitleDays, named: int | None, bare: bool = False) -> TitleDays:
    """A note's days once its file name is read: ``days`` (from its front matter, title or first heading) with
    ``named`` (:func:`path_day`) taken into account.

    The file name's day stands when ``days`` names none; and, when the name is the day alone (``bare``:
    :func:`is_bare_day_name`), when ``days`` names exactly one other day that is no milestone: a folder of
    day files (``Days/Day13.md``, linked from an index) is named once, in sequence, while each heading is
    retyped, often copied from the day before ("# Day 12: May 6, 2022" in ``Day13.md``, a public
    #100DaysOfCode journal, issue 18). A dated slug (``2025-09-20-momentum-learning-day-3.md``, as
    ``journal add`` names notes and ``journal renumber`` leaves them) yields to its title, and a range or list
    that the title names ("Day 45-50" in ``day-45.md``) stays the title's.
    """
    if named is None:
        return days
    if not days.days or (bare and len(days.days) == 1 and days.days[0] != named and not days.milestone):
        return TitleDays((named,))
    return days


_FRONT_DAY_LINE = r"(?im)^(day\s*:\s*['\"]?){n}(?!\d)"
_DAY_WORDS = r"(?i)(\bday\s*#?\s*){n}(?!\d)"


def renumber_day_words(text: str, old: int, new: int) -> str:
    """A note's text with Day ``old`` made Day ``new`` where a day is named: the first ``day: old`` line
    (front matter), and "Day old" in the first two ``title``/``#`` lines (the title and the first heading).
    Every other character is kept; the caller reads the result back to check the note now says ``new``."""
    text = re.sub(_FRONT_DAY_LINE.format(n=old), rf"\g<1>{new}", text, count=1)
    words = _DAY_WORDS.format(n=old)
    named = [line for line in text.splitlines()
             if line.lstrip().lower().startswith(("#", "title")) and re.search(words, line)]
    for line in named[:2]:
        text = text.replace(line, re.sub(words, rf"\g<1>{new}", line, count=1), 1)
    return text


def check_day(value: object) -> int | None:
    """A front-matter ``day`` value as a day number; ``None`` when it is not one (the caller names the error).

    Whole numbers and their digit strings (``4``, ``"4"``) from 0 to :data:`MAX_DAY`; ``True`` is not 1.
    """
    if isinstance(value, str) and value.strip().isdigit():
        value = int(value.strip())
    return None if isinstance(value, bool) or not isinstance(value, int) or not is_day(value) else value


# -- references and questions ---------------------------------------------------------
_BARE_DAY_RE = re.compile(rf"^\s*(?:day\s*#?\s*)?({_DIGITS})\s*$", re.IGNORECASE)


def bare_day(ref: str) -> int | None:
    """The day a reference is made of alone: "4", "day 4", "Day #10000" → the number; else ``None``."""
    match = _BARE_DAY_RE.match(ref)
    return int(match.group(1)) if match else None


@dataclass(frozen=True)
class DayReference:
    """A learning-day number named in a question ("Day 4", "day four").

    Attributes:
        day: the number.
        phrase: the words that named it ("on Day 4").
        query: the question with ``phrase`` removed.
    """

    day: int
    phrase: str
    query: str


_DAY_LEAD = r"(?:\b(?:on|from|in|during|of|for)\s+)?(?:\b(?:my|the)\s+)?(?:\blearning\s+)?"
# "Day 12", "day #12", "Day-12", "day_12", "day no. 12", "Day number 12" (not "day 3-5": a span, nor "day 12%")
_DAY_DIGITS_RE = re.compile(rf"{_DAY_LEAD}\bday\s*(?:#|no\.?|number|[-_])?\s*(?P<n>{_DIGITS})\b(?!\s*(?:[-/.:]\d|%))",
                            re.IGNORECASE)
_DAY_WORD_RE = re.compile(rf"{_DAY_LEAD}\bday\s+(?P<n>{NUMBER_WORD})\b", re.IGNORECASE)
# #100DaysOfCode's round-and-day tag in a question: "on R1D45", "R2D14" (round 2, day 14)
_ROUND_TAG_RE = re.compile(r"(?:\b(?:on|from|in|during|of|for)\s+)?\b(?P<tag>R\d{1,2}\s?D(?P<n>\d{1,5}))\b",
                           re.IGNORECASE)
# a learning journal's day tag alone: "on D12", "d12", "D12: ...", "what was D44 about?" (after on/from/during/
# for/of/was or opening the question: "in D3", "about D3" and "what is D3" are the library; "D3.js" never a day)
_D_TAG_RE = re.compile(r"(?:^\s*|\b(?:on|from|during|for|of|was)\s+)\bD(?P<n>\d{1,5})\b(?![.-]\w)", re.IGNORECASE)
# The journal itself as learners name it ("the challenge", "my whole journey", "#100DaysOfCode", "this log"): a
# place or a calendar, never a topic. Questions and titles build on these two, so the words are said once.
JOURNAL_NOUNS = (r"(?:challenge|journey|journal|log|streak|#?100\s*days(?:\s*of\s*code)?|#?100daysofcode"
                 r"|hundred\s+days)")
JOURNAL_MODIFIERS = r"(?:(?:whole|entire|learning|coding)\s+)?"
# the challenge itself after "the 12th day of": "the challenge", "my journey", "#100DaysOfCode" (not "of September")
_OF_THE_CHALLENGE = rf"\s+(?:of|in)\s+(?:(?:the|my|this)\s+)?{JOURNAL_NOUNS}\b"
_DAY_ORDINAL_RE = re.compile(
    rf"(?:\b(?:on|from|in|during|of|for)\s+)?\b(?:my|the)\s+(?P<n>{_ORDINAL_WORD})\s+(?:learning\s+)?day\b"
    rf"(?:{_OF_THE_CHALLENGE}|(?!\s+(?:of|in)\b))", re.IGNORECASE)


def find_day_number(question: str) -> DayReference | None:
    """A learning-day number named in ``question`` ("Day 4", "day four", "on day 12", "Day-12", "day no. 12",
    "my first day", "the 12th day of the challenge" (not "the first day of September"),
    #100DaysOfCode's round-and-day tag "R1D45": day 45, a day tag alone "on D12" / "D12: ..." (not "about D3",
    "D3.js"); the tag stays in ``query`` for the words to match a
    log's ``### R1D45`` heading, and search reads its round with :func:`find_round`).

    Returns ``None`` when there is none; "the first day of September" is a
    date, not a learning day, and is left to
    :func:`~journal_agent.notes.time_expressions.find_time_window`.
    """
    for pattern in (_DAY_DIGITS_RE, _DAY_WORD_RE, _DAY_ORDINAL_RE, _ROUND_TAG_RE, _D_TAG_RE):
        match = pattern.search(question)
        before = question[: match.start()] if match else ""
        if match and not re.search(r"\b(?:every|each|per|a|one|same|next)\s*$", before, re.IGNORECASE):
            number = parse_number(match.group("n"))
            if is_day(number):
                assert number is not None
                query = without_phrase(question, match)
                if pattern is _ROUND_TAG_RE:  # the tag stays a word: it names the round too ("### R2D14" headings)
                    query = f"{query.rstrip('?')} {match['tag']}".strip() + ("?" if query.endswith("?") else "")
                return DayReference(number, match.group(0).strip(), query)
    return None


def without_phrase(question: str, match: re.Match) -> str:
    """``question`` with the matched phrase removed, spaces tidied, a final "?" kept."""
    query = re.sub(r"\s+", " ", question[: match.start()] + " " + question[match.end():]).strip(" ,?")
    return query + ("?" if question.rstrip().endswith("?") else "")


_DAYS_CITED_RE = re.compile(
    rf"\bday\s*#?\s*({_DIGITS})\b|\bdays\s+({_DIGITS}(?:\s*(?:,|&|and|to|through|[-\u2013\u2014])\s*{_DIGITS})*)\b",
    re.IGNORECASE)


def days_cited(sentence: str) -> set[int]:
    """Every day number a sentence cites: "Day 3" → {3}; "days 3, 4 and 5" → {3, 4, 5}; "days 2-4" → {2, 4}.

    A range's ends are cited, not the days between (a digest checks that each cited day is the week's).
    """
    return {int(n) for refs in _DAYS_CITED_RE.findall(sentence) for ref in refs for n in re.findall(r"\d+", ref)}


# -- #100DaysOfCode rounds: day numbers start again in each round ------------------------------------------------
_ROUND_WORD = rf"(?:\d{{1,2}}|{NUMBER_WORD})"
_ROUND_NAMED_RE = re.compile(rf"\bR(?P<tag>\d{{1,2}})\s?D\d{{1,3}}(?:[a-z](?![a-z]))?(?!\w)"
                             rf"|\bround[\s_-]*(?P<n>{_ROUND_WORD})\b"
                             rf"|\b(?P<nth>{_ORDINAL_WORD})\s+round\b|[(\[]\s*R(?P<paren>\d{{1,2}})\s*[)\]]",
                             re.IGNORECASE)  # ... and a round alone in brackets after the day: "Day 4 (R2)"
_ROUND_FILE_RE = re.compile(r"^(?:r|round[\s_-]*)(?P<n>\d{1,2})(?:[\s_-]|$)", re.IGNORECASE)  # r2-log, round-2
# a round named in a question: "R2D14" (the tag stays: find_day_number reads its day), "of round 1", "in round
# two", "round 2's", "the second round"
_ROUND_PHRASE_RE = re.compile(rf"(?:\b(?:of|in|from|during|for)\s+)?(?:\b(?:the|my)\s+)?(?:\bround\s+"
                              rf"(?P<n>{_ROUND_WORD})(?:'s)?|(?P<nth>{_ORDINAL_WORD})\s+round(?:'s)?)\b",
                              re.IGNORECASE)
_ROUND_TAG_ONLY_RE = re.compile(r"\bR(?P<n>\d{1,2})\s?D\d{1,5}\b", re.IGNORECASE)


def round_named(text: str | None) -> int | None:
    """The #100DaysOfCode round a title or heading names: "R2D14" (round 2), "Log - Round 2", "round two",
    "the second round", "Day 4 (R2)"; ``None`` when it names none (or round 0)."""
    match = _ROUND_NAMED_RE.search(text or "")
    if match is None:
        return None
    tag = match["tag"] or match["paren"]
    number = int(tag) if tag else parse_number(match["n"] or match["nth"])
    return number or None


def path_round(path: PurePath) -> int | None:
    """The round a log's file name names: ``r2-log.md`` (kallaway's #100DaysOfCode template), ``round-2.md``."""
    match = _ROUND_FILE_RE.match(path.stem)
    return (int(match["n"]) or None) if match else None


@dataclass(frozen=True)
class RoundReference:
    """A #100DaysOfCode round named in a question ("day 12 of round 1", "R2D14").

    Attributes:
        round: the number.
        query: the question without the phrase ("of round 1"); a tag ("R2D14") stays, it names the day too.
    """

    round: int
    query: str


def find_round(question: str) -> RoundReference | None:
    """The round ``question`` names (:class:`RoundReference`), or ``None``. Day numbers start again in each round
    of a #100DaysOfCode challenge (``### R1D12`` and ``### R2D12``), so search applies the round with the day."""
    tag = _ROUND_TAG_ONLY_RE.search(question)
    if tag is not None and int(tag["n"]):
        return RoundReference(int(tag["n"]), question)
    match = _ROUND_PHRASE_RE.search(question)
    number = parse_number(match["n"] or match["nth"]) if match else None
    if match is None or not number:
        return None
    return RoundReference(number, without_phrase(question, match))
