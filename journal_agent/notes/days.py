"""Learning-day numbers: the one place that reads "Day N", wherever it is written.

A learning day is a whole number from 1 to :data:`MAX_DAY`. It is read here and
nowhere else, with one bound:

* in a note's **title or first heading** (:func:`title_day`: "Momentum Learning Day 3",
  "Day 2| Momentum Learning Series", "Day 12 of 100"; not "retry day 40 times");
* in front matter (``day: 4``; :func:`check_day`);
* in a **question** (:func:`find_day_number`: "on Day 4", "day four", "my first day");
* in a **reference** given to ``journal show`` (:func:`bare_day`: "4", "day 4", "Day #10000");
* in a **sentence** that cites days (:func:`days_cited`: "Day 3", "days 3, 4 and 5", "days 2-4"),
  used to check a model-written digest against the week's days;
* on the command line (``journal add --day``: ``click.IntRange(1, MAX_DAY)``).

And rewritten here: :func:`renumber_day_words` (``journal renumber``, ``journal add --renumber``).

Before issue 17 four regular expressions allowed 4 or 5 digits, so a note with
``day: 10000`` was listed while ``journal show 10000`` said there was no such note.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

MAX_DAY = 99_999  # five digits: 270 years of daily notes
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
    """True for a learning-day number: 1 to :data:`MAX_DAY`."""
    return number is not None and 1 <= number <= MAX_DAY


# -- titles and headings ------------------------------------------------------------
_TITLE_DAY_RE = re.compile(
    rf"^\W*day\s*#?\s*({_DIGITS})(?!\d)|\bday\s*#?\s*({_DIGITS})\s*(?=$|[|:;,.!?)\]/\u2013\u2014-]|of\b)",
    re.IGNORECASE)


def title_day(text: str | None) -> int | None:
    """The learning day a title or heading names ("Momentum Learning Day 3" → 3), else ``None``.

    "Day N" counts when it opens the text or is followed by the end, punctuation
    or "of"; so "Day 2| Momentum Learning Series" and "Day 12 of 100" name
    days and "retry day 40 times" does not. Day 0 is not a day.
    """
    match = _TITLE_DAY_RE.search(text or "")
    if not match:
        return None
    number = int(match.group(1) or match.group(2))
    return number if is_day(number) else None


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

    Whole numbers and their digit strings (``4``, ``"4"``) from 1 to :data:`MAX_DAY`; ``True`` is not 1.
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
_DAY_DIGITS_RE = re.compile(rf"{_DAY_LEAD}\bday\s*#?\s*(?P<n>{_DIGITS})\b(?!\s*(?:[-/.:]\d|%))", re.IGNORECASE)
_DAY_WORD_RE = re.compile(rf"{_DAY_LEAD}\bday\s+(?P<n>{NUMBER_WORD})\b", re.IGNORECASE)
_DAY_ORDINAL_RE = re.compile(
    rf"(?:\b(?:on|from|in|during|of|for)\s+)?\b(?:my|the)\s+(?P<n>{_ORDINAL_WORD})\s+(?:learning\s+)?day\b"
    rf"(?!\s+(?:of|in)\b)", re.IGNORECASE)


def find_day_number(question: str) -> DayReference | None:
    """A learning-day number named in ``question`` ("Day 4", "day four", "on day 12", "my first day").

    Returns ``None`` when there is none; "the first day of September" is a
    date, not a learning day, and is left to
    :func:`~journal_agent.notes.time_expressions.find_time_window`.
    """
    for pattern in (_DAY_DIGITS_RE, _DAY_WORD_RE, _DAY_ORDINAL_RE):
        match = pattern.search(question)
        before = question[: match.start()] if match else ""
        if match and not re.search(r"\b(?:every|each|per|a|one|same|next)\s*$", before, re.IGNORECASE):
            number = parse_number(match.group("n"))
            if is_day(number):
                assert number is not None
                return DayReference(number, match.group(0).strip(), without_phrase(question, match))
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
