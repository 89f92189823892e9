"""The notes model: read one Markdown (or text) note into a :class:`Note`.

This is the one place that decides a note's title, date, day number,
categories, tags and publication flags; ingest, ``journal add``, citations,
the site and the agent all read notes through it.

It reads what real learning notes contain (Jekyll front matter with day-first
``last_modified_at`` dates, TIL-style notes without front matter, ``.md``,
``.markdown`` and ``.txt``) by the rules for each field given in :func:`read_note`,
and what hostile notes contain (issue 11): every failure, whatever the bytes,
the YAML or the Markdown, raises :class:`~journal_agent.errors.NoteError`
naming the file and, where known, the line; never another exception.

Front matter is read by :mod:`journal_agent.notes.front_matter` (PyYAML,
bounded), Markdown with markdown-it-py, dates with dateparser.
"""

from __future__ import annotations

import datetime as dt
import functools
import hashlib
import html
import os
import re
import unicodedata
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Literal

from journal_agent.errors import NoteError
from journal_agent.notes.dates import DEFAULT_LANGUAGES, MAX_NOTE_YEAR, MIN_NOTE_YEAR, parse_note_date
from journal_agent.notes.days import (
    MAX_DAY,
    MIN_DAY,
    TitleDays,
    check_day,
    is_bare_day_name,
    path_day,
    path_round,
    round_named,
    title_days,
    with_file_name_day,
)
from journal_agent.notes.entries import NO_DAYS, Entry, is_jrnl_line, note_days, split_entries, with_rounds
from journal_agent.notes.files import (  # noqa: F401 - NOTE_SUFFIXES is read from here by older callers
    NOTE_SUFFIXES,
    PRIVATE_FOLDER,
    check_nesting,
    decode_note_bytes,
    fallback_date,
    file_name_date,
    folders_under,
    read_note_bytes,
    relative_path,
)
from journal_agent.notes.front_matter import FrontMatter, split_front_matter, text_field, words_field, written
from journal_agent.notes.markdown import parser

FILE_TIME_SOURCE = "mtime"  # Note.date_source of a note dated by its file's modification time: a guess
DIGEST_KEY = "digest"  # front-matter key of a weekly digest (``digest: 2025-W38``), written by ``journal digest``

TitleSource = Literal["front matter", "heading", "first line", ""]
_TRUE = {"true", "yes", "on", "y", "1"}
_FALSE = {"false", "no", "off", "n", "0", ""}


@dataclass
class Note:
    """One journal note as read from disk.

    Attributes:
        path: absolute file path, symlinks resolved.
        rel_path: path relative to the journal root (POSIX), the note's id in the store; made
            from the path as given, so a link inside the journal keeps its own name.
        title: cleaned title (never empty).
        date: the journal date, the day the note is about (a note of several entries: its first entry's,
            unless front matter says).
        date_source: where ``date`` came from: ``date``, ``last_modified_at``, ``heading`` (an entry
            heading, :mod:`~journal_agent.notes.entries`), ``file name``, ``git`` or ``mtime``.
        modified: when the note was last modified (front matter, else file mtime), UTC-naive local.
        categories, tags: lists of strings, order kept, duplicates removed.
        day: the first of ``days``, else ``None``.
        body: Markdown body without front matter.
        draft, private: publication flags (``private`` also set under a ``private`` folder, any case).
        content_hash: SHA-256 hex of the file's bytes; the ingest's change detector.
        metadata: the remaining front-matter keys (``layout``, ``image``, ...).
        entries: the note's entries (:func:`~journal_agent.notes.entries.split_entries`), at least one; a
            one-day note is one whole-note entry.
        days: every learning day its entries cover, ascending (``()`` if none); a one-entry note's days
            are front-matter ``day``, else the days the title names ("Day 45-50" -> 45..50), else the
            first heading's, else the file name's (``day-12.md``, ``day-one.md``).
    """

    path: Path
    rel_path: str
    title: str
    date: dt.date
    date_source: str
    modified: dt.datetime
    categories: list[str]
    tags: list[str]
    day: int | None
    body: str
    draft: bool = False
    private: bool = False
    content_hash: str = ""
    metadata: dict[str, Any] = field(default_factory=dict)
    entries: list[Entry] = field(default_factory=list)
    days: tuple[int, ...] = ()

    def __post_init__(self) -> None:
        """A note built by hand (tests, callers without a file) is one whole-note entry of its own day."""
        if not self.days and self.day is not None:
            self.days = (self.day,)
        if self.day is None and self.days:
            self.day = self.days[0]
        if not self.entries:
            self.entries = [Entry(0, "", "", 1, self.days, self.date, self.date, self.date_source, self.body)]

    @property
    def publishable(self) -> bool:
        """True unless the note is a draft or private."""
        return not (self.draft or self.private)

    @property
    def is_digest(self) -> bool:
        """True for a weekly digest (front matter ``digest: YYYY-Www``): a summary of other notes, not a
        learning day, so streaks, gaps and counts leave it out (:mod:`journal_agent.digest`)."""
        return bool(self.metadata.get(DIGEST_KEY))


def dated_by_file_time(notes: Sequence[Note]) -> list[Note]:
    """The notes dated by their file's modification time (nothing they say dates them, git neither): a copied
    folder's notes would all be "today". Ingest and ``journal stats`` count them with :func:`file_time_hint`."""
    return [note for note in notes if note.date_source == FILE_TIME_SOURCE]


def file_time_hint(count: int) -> str:
    """What to say about ``count`` notes dated by file time (``""`` for none): how many, and how to fix it."""
    if not count:
        return ""
    return (f"{count} note{'' if count == 1 else 's'} dated by file time (modification time); add `date:` "
            "front matter, a dated heading (## 2025-09-23) or a dated file name (2025-09-23-day-4.md)")


def read_note(
    path: Path, root: Path, notes_dir: Path | None = None, *, languages: Sequence[str] = DEFAULT_LANGUAGES) -> Note:
    """Read and parse one note.

    Args:
        path: the file (absolute, or relative to the working directory).
        root: the journal root; ``rel_path`` is relative to it when inside it.
        notes_dir: the notes folder, for the "category from parent folder" and
            ``private/`` rules (defaults to ``root / "notes"``).
        languages: dateparser languages for written-out front-matter dates
            (the ``[journal] date_languages`` setting).

    The rules, one per field:

    * **Text.** UTF-8 (a BOM is dropped). Line endings are normalized once, here,
      as CommonMark defines them (§2.1): ``\\r\\n`` and a lone ``\\r`` become ``\\n``.
      Form feed, vertical tab, NEL, U+2028 and U+2029 are not line endings in
      CommonMark or markdown-it and stay in the text as characters; NUL becomes
      U+FFFD (CommonMark §2.3). :mod:`~journal_agent.notes.chunking` splits lines on ``\\n`` only.
    * **Front matter.** See :mod:`journal_agent.notes.front_matter`: keys in any
      case; unclosed, list, scalar, oversized or alias-using front matter is an error.
    * **Title.** Front-matter ``title`` as written (``title: 2024`` is ``"2024"``;
      a list or mapping is an error), else the first level-1 heading outside
      code, else (``.txt``) the first line, else the file name.
    * **Date.** ``date``, else ``last_modified_at``: a YAML date or an absolute
      date as :func:`~journal_agent.notes.dates.parse_note_date` reads it.
      Anything else is an error, not a guess: ``date: tomorrow`` (a note's date
      must not move with the day it is read), ``date: [1, 2]``,
      ``date: -0001-01-01`` and years outside 1900-2199. Without either: the first
      entry heading's date (``### Day 12: January 4, 2020``, ``## 2025-09-23``), a dated file name
      (``2020-01-22-day-19.md``, ``22-01-2020.md``, ``2020_01_22.md``), the file's first git commit,
      its mtime; ``date_source`` says which.
    * **Entries.** :func:`~journal_agent.notes.entries.split_entries`: headings (or jrnl lines) naming a
      day or a date split the note; each entry has its days and date, and its #100DaysOfCode round when
      the title ("Log - Round 2"), the file name (``r2-log.md``) or its heading ("R2D14") names one
      (:func:`~journal_agent.notes.entries.with_rounds`). A weekly digest (``digest:``
      front matter) is one entry without days: its day headings cite other notes.
    * **Day.** Front-matter ``day`` (a whole number >= 0, Day 0 is a day; a list; a range "45-50"),
      else the days the title names ("Day 45-50" covers 45..50), else the first heading's, else the file name's
      (``day-12.md``, ``day-one.md``): a one-entry note's days. A note of several entries has the
      days its entries' headings name (they win over a title such as "Reaching day 50").
    * **Categories, tags.** Each item as written; a string is split on commas,
      else on spaces (Jekyll); an item that is a list or mapping is an error.
      Without categories, a note in a subfolder of ``notes/`` takes the folder's name.
    * **Flags.** ``private``, ``draft``: YAML booleans or their string forms
      (``'True'``, ``yes``, ``off``, ``1``); ``published: false`` means draft;
      any other value is an error rather than a guess. A note under a folder
      named ``private`` (any case, anywhere under ``notes/``) is private; the
      check is made on the path as given and on the path with symlinks resolved.
    * **Body.** The text after the front matter, without leading blank lines,
      the first line's 1-3 spaces of indentation and trailing whitespace (none
      is significant in CommonMark). Empty (front matter only) is an error:
      there is nothing to search or publish.

    Raises:
        NoteError: not a regular file, unreadable, binary, over ``MAX_NOTE_BYTES``,
            not UTF-8, empty, front matter as above, a field that cannot be read.
    """
    given = Path(os.path.abspath(Path(path).expanduser()))
    resolved = given.resolve()
    root = Path(root)
    notes_dir = Path(notes_dir) if notes_dir is not None else root / "notes"
    raw, mtime = read_note_bytes(given)
    head = read_head(given, decode_note_bytes(given, raw), languages=languages)
    digest = bool(head.metadata.get(DIGEST_KEY))  # a summary of other notes' days: one entry, no day of its own
    entries = split_entries(head.body, date=head.date, date_source=head.date_source,
                            fallback=lambda: fallback_date(resolved, mtime), days=NO_DAYS if digest else head.days,
                            hint=head.date or file_name_date(given), first_line=head.body_line, split=not digest)
    entries = with_rounds(entries, round_named(head.title) or path_round(given))
    date, date_source = head.date, head.date_source
    if date is None:  # the first entry's: its heading's date, else the file name's, git's, mtime's
        date, date_source = entries[0].date, entries[0].date_source
    days = note_days(entries)
    folders = folders_under(given, resolved, notes_dir)
    categories = head.categories
    if not categories and folders and folders[-1].casefold() != PRIVATE_FOLDER:
        categories = [folders[-1]]
    if not head.body.strip():
        reason = "empty note: front matter only, no text" if head.has_front_matter else "empty note"
        raise NoteError(given, reason)
    check_nesting(given, head.body, head.body_line)
    return Note(path=resolved, rel_path=relative_path(given, resolved, Path(root)),
                title=head.title or file_name_title(given), date=date, date_source=date_source,
                modified=head.modified or mtime, categories=categories, tags=head.tags,
                day=days[0] if days else None, body=head.body, draft=head.draft,
                private=head.private or any(part.casefold() == PRIVATE_FOLDER for part in folders),
                content_hash=hashlib.sha256(raw).hexdigest(), metadata=head.metadata, entries=entries, days=days)


@dataclass
class NoteHead:
    """What a note's text says about itself: its front matter and first heading.

    Shared by :func:`read_note` and by callers that hold a note's text before
    it is a file (``journal add --file``), so both follow the same rules.
    ``None``/empty where the text does not say (no file-name or folder fallbacks here);
    ``title_from`` says where ``title`` came from.
    """

    title: str | None
    title_from: TitleSource
    date: dt.date | None
    date_source: str
    modified: dt.datetime | None
    day: int | None
    categories: list[str]
    tags: list[str]
    draft: bool
    private: bool
    body: str
    body_line: int
    has_front_matter: bool
    metadata: dict[str, Any] = field(default_factory=dict)
    days: TitleDays = TitleDays()  # every day named (front matter, title, first heading, file name); day is the first


def read_note_head(path: Path, *, languages: Sequence[str] = DEFAULT_LANGUAGES) -> NoteHead:
    """The cheap reader: a note file's :class:`NoteHead` (front matter and first heading, same rules).

    For callers that scan every note for names or days (citations, ``journal add``):
    no hashing, no path or date fallbacks, and the Markdown is parsed only when
    the front-matter title does not already give the title and the day.

    Raises:
        NoteError: as :func:`read_note`.
    """
    given = Path(os.path.abspath(Path(path).expanduser()))
    raw, _ = read_note_bytes(given)
    return read_head(given, decode_note_bytes(given, raw), languages=languages)


def read_head(path: Path, text: str, *, suffix: str | None = None,
              languages: Sequence[str] = DEFAULT_LANGUAGES) -> NoteHead:
    """Read title, date, day, categories, tags and flags from a note's decoded text.

    Args:
        path: the note's file (for messages, and its suffix: ``.txt`` titles come from the first line).
        text: the note as :func:`decode_note_bytes` returns it (line endings normalized).
        suffix: overrides ``path``'s suffix.
        languages: dateparser languages for written-out dates.

    Raises:
        NoteError: as :func:`read_note`, for everything read from the text.
    """
    front = split_front_matter(path, text)
    suffix = (suffix or path.suffix).lower()
    body, skipped = _trim_body(front.body)
    # the first heading, parsed only when the title does not settle title and day
    heading = functools.cache(lambda: None if suffix == ".txt" else first_heading_title(body))

    title = _clean(text_field(path, front, "title"))
    title_from: TitleSource = "front matter" if title else ""
    if not title:
        title = (first_line_title(body) if suffix == ".txt" else heading()) or ""
        title_from = ("first line" if suffix == ".txt" else "heading") if title else ""
    front_days = _front_matter_days(path, front)
    days = front_days or title_days(title)
    if not days.days:
        days = title_days(heading())
    if not front_days:  # a day file's name over a copied heading's other day ("# Day 12" in Day13.md)
        days = with_file_name_day(days, path_day(path), is_bare_day_name(path.stem))
    day = days.days[0] if days.days else None
    written_date = _front_matter_when(path, front, "date", languages)
    modified = _front_matter_when(path, front, "last_modified_at", languages)
    when, date_source = ((written_date, "date") if written_date else (modified, "last_modified_at") if modified
                         else (None, ""))
    categories = _dedupe([_clean(w) for key in ("categories", "category") for w in words_field(path, front, key)])
    tags = _dedupe([_clean(w) for w in words_field(path, front, "tags")])
    known = {"title", "date", "last_modified_at", "categories", "category", "tags", "day",
             "private", "draft", "published"}
    return NoteHead(title=title or None, title_from=title_from, date=when.date() if when else None,
                    date_source=date_source, modified=modified, day=day, categories=categories, tags=tags,
                    draft=_flag(path, front, "draft") or _flag(path, front, "published", default=True) is False,
                    private=_flag(path, front, "private"), body=body, body_line=front.body_line + skipped,
                    has_front_matter=front.present, metadata={k: v for k, v in front.values.items() if k not in known},
                    days=days)


def slugify(text: str) -> str:
    """ASCII, lower-case, ``-``-separated slug; may be empty.

    "Momentum Learning Day 3" → "momentum-learning-day-3".
    """

    text = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode("ascii")
    return re.sub(r"[^a-z0-9]+", "-", text.lower()).strip("-")


def file_name_title(path: Path) -> str:
    """The title of a note that names none: its file name with ``-``/``_`` as spaces.

    "rust-lifetimes.md" → "rust lifetimes".
    """
    return Path(path).stem.replace("-", " ").replace("_", " ").strip() or Path(path).name


def first_heading_title(body: str) -> str | None:
    """Text of the first level-1 heading, ignoring ``#`` lines inside fenced code.

    Entity and numeric character references are decoded (CommonMark §2.5: ``# A &lt; B`` is the text
    "A < B"), so the title is plain text like a front-matter title and is escaped once wherever it goes
    (issue 21: ``&amp;lt;`` in ``<title>`` and the feed).
    """
    tokens = parser(inline=False).parse(body)
    for index, token in enumerate(tokens):
        if token.type == "heading_open" and token.tag == "h1":
            return _clean_heading(html.unescape(tokens[index + 1].content)) or None
    return None


def first_line_title(body: str) -> str | None:
    """First non-empty line of a plain-text note, trimmed to 120 characters; ``None`` for a jrnl journal
    (its first line is its first entry's, ``[2020-01-04 09:00] ...``: the file name titles the journal)."""
    line = next((line for line in body.split("\n") if line.strip()), "")
    if is_jrnl_line(line):
        return None
    return _clean_heading(line.strip().lstrip("#").strip())[:120] or None


def _trim_body(body: str) -> tuple[str, int]:
    """The body without leading blank lines, the first line's 1-3 spaces of indentation, or trailing space.

    All three are insignificant in CommonMark (a block may be indented up to 3
    spaces), so the Markdown is unchanged; 4 or more spaces (indented code) are
    kept. Returns ``(body, number of leading lines dropped)``.
    """
    stripped = body.lstrip("\n")
    skipped = len(body) - len(stripped)
    first = stripped.split("\n", 1)[0]
    indent = len(first) - len(first.lstrip(" "))
    if indent < 4:
        stripped = stripped[indent:]
    return stripped.rstrip(), skipped


def _clean(value: Any) -> str:
    return re.sub(r"\s+", " ", str(value)).strip() if value is not None else ""


def _clean_heading(text: str) -> str:
    # "Day 2| Momentum Learning Series" style headings keep their words, not their pipes.
    return re.sub(r"\s*\|\s*", " | ", _clean(text)).strip(" |")


def _dedupe(items: list[str]) -> list[str]:
    return list(dict.fromkeys(item for item in items if item))


def _flag(path: Path, front: FrontMatter, key: str, default: bool = False) -> bool:
    """A yes/no field: YAML booleans, their string forms in any case, 0/1; absent or empty → ``default``."""
    value = front.values.get(key)
    if value is None:
        return default
    if isinstance(value, int) and value in (0, 1):  # True and False too
        return bool(value)
    if isinstance(value, str) and value.strip().lower() in _TRUE | _FALSE:
        return value.strip().lower() in _TRUE if value.strip() else default
    raise NoteError(path, f"front matter {key}: {written(front, key)} is not true or false")


_DAYS_WRITTEN_RE = re.compile(r"^[\d\s,&\u2013\u2014-]*(?:(?:to|and|through)[\d\s,&-]*)*$", re.IGNORECASE)


def _front_matter_days(path: Path, front: FrontMatter) -> TitleDays | None:
    """Front-matter ``day``: a whole number (``4``, ``"4"``, ``0``), a list of them (``[56, 57]``) or a range
    as written in a title (``"45-50"``, ``"11 to 15"``, ``"56, 57"``); ``None`` when absent.

    Raises:
        NoteError: anything else (``day: six``, ``day: true``, a number past :data:`MAX_DAY`).
    """
    value = front.values.get("day")
    if value is None:
        return None
    items = value if isinstance(value, list) else [value]
    days = [check_day(item) for item in items]
    if items and all(day is not None for day in days):
        return TitleDays(tuple(sorted({day for day in days if day is not None})))
    if isinstance(value, str) and _DAYS_WRITTEN_RE.match(value.strip()):
        named = title_days(f"Day {value.strip()}")
        if named.days:
            return named
    raise NoteError(path, f"front matter day: {written(front, 'day')} is not a day number "
                          f"({MIN_DAY} to {MAX_DAY}), a list of them or a range such as 45-50")


def _front_matter_when(path: Path, front: FrontMatter, key: str, languages: Sequence[str]) -> dt.datetime | None:
    """A date field as a naive datetime; ``None`` when absent or empty.

    Raises:
        NoteError: anything that is not a plausible absolute date (see :func:`read_note`).
    """
    value = front.values.get(key)
    if value is None or value == "":
        return None
    when: dt.datetime | None = None
    if isinstance(value, dt.datetime):
        when = value.replace(tzinfo=None)
    elif isinstance(value, dt.date):
        when = dt.datetime.combine(value, dt.time())
    elif isinstance(value, str):
        when = parse_note_date(value, languages)
    if when is None or not MIN_NOTE_YEAR <= when.year <= MAX_NOTE_YEAR:
        raise NoteError(path, f"front matter {key}: cannot read {written(front, key)} as a date; write the day "
                              f"it is about, e.g. 2025-09-18 (years {MIN_NOTE_YEAR}-{MAX_NOTE_YEAR})")
    return when
