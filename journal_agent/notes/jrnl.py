"""``journal import jrnl``: a jrnl journal (plain text or its JSON export) becomes notes, one per day.

jrnl (https://jrnl.sh, jrnl-org/jrnl) keeps a journal as one text file of
entries, each starting on a line ``[<date> <time>] <title>``; the rest of the
entry up to the next such line is its body, a title ending in ``*`` marks a
starred entry, and words starting with a tag symbol (``@`` by default, ``#`` too
since jrnl 2.5: ``tagsymbols = "#@"``) are tags, lower-cased (jrnl
``journals/Journal.py`` ``_parse``, ``journals/Entry.py`` ``_parse_text``,
``tag_regex``). The timestamp is written with the journal's ``timeformat``:
``%Y-%m-%d %H:%M`` before jrnl 2.5, ``%F %r`` (``2020-01-04 09:00:00 AM``)
since; both are read, with or without seconds and AM/PM, and a bare date.
``jrnl --export json`` writes ``{"tags": {"@tag": count}, "entries": [{"title",
"body", "date": "%Y-%m-%d", "time": "%H:%M", "tags", "starred"}]}`` (jrnl
``plugins/exporter/json.py``); its extra keys (``uuid``, ``creator``) are ignored.

Each day becomes one note ``<into>/YYYY-MM-DD-jrnl.md`` (``<into>`` is
``notes/jrnl/`` unless given, so its notes take the category ``jrnl``): front
matter ``title`` (the day's entry titles), ``date``, ``tags`` (the day's tags
without their symbol), ``starred`` (the headings of its starred entries) and
``imported_from: jrnl``; then each entry, in time order, as its own
``## HH:MM Title`` section with its body as written, so a day's entries stay
entries of that day: the entries splitter reads a time-only heading in a dated note as an entry of the
note's date (:func:`~journal_agent.notes.entries.is_time_heading`), so ``list``, ``show``, ``stats`` and
``search`` see each jrnl entry, and notes written by an earlier import need no rewrite.
Nothing is overwritten: a note that exists already is refused before anything is written
(:class:`~journal_agent.errors.ImportRefused`, naming it),
and new files are created with :func:`~journal_agent.atomic.write_new`.
Input is bounded: :data:`MAX_IMPORT_BYTES`, :data:`MAX_IMPORT_ENTRIES`, and a
day's note at most :data:`~journal_agent.notes.files.MAX_NOTE_BYTES`.
"""

from __future__ import annotations

import datetime as dt
import os
import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator

from journal_agent.atomic import write_new
from journal_agent.errors import ImportRefused, JournalError
from journal_agent.locks import JournalLock
from journal_agent.notes.dates import MAX_NOTE_YEAR, MIN_NOTE_YEAR
from journal_agent.notes.files import MAX_NOTE_BYTES, normalize_newlines
from journal_agent.notes.front_matter import MAX_WORDS
from journal_agent.notes.model import read_head
from journal_agent.text import one_line
from journal_agent.workspace import Journal

MAX_IMPORT_BYTES = 20_000_000  # ten years of daily jrnl entries are a few MB
MAX_IMPORT_ENTRIES = 50_000
DEFAULT_FOLDER = "jrnl"  # notes/jrnl/: the imported notes' folder, and so their category
IMPORT_MARK = "jrnl"  # front matter ``imported_from`` of every note written here
LOCK_TIMEOUT_SECONDS = 5.0
JrnlFormat = Literal["text", "json"]

# [2020-01-04 09:00] Title   [2020-01-04 09:00:00 AM] Title *   [2020-01-04] Title
_ENTRY_RE = re.compile(r"\[(?P<date>\d{4}-\d{2}-\d{2})(?:[ T](?P<hour>\d{1,2}):(?P<minute>\d{2})(?::(?P<second>\d{2}))?"
                       r"(?:\s*(?P<half>[AaPp])\.?[Mm]\.?)?)?\](?: (?P<title>.*))?")
_TAG_RE = re.compile(r"(?<!\S)[@#][-+*#/\w]+")  # jrnl's tag_regex with tagsymbols "#@"
_SENTENCE_END_RE = re.compile(r"[.!?\u2026]['\u2019\"\u201d]?[\])]*\s+")


@dataclass(frozen=True)
class JrnlEntry:
    """One jrnl entry: ``when`` (local time, minutes), ``title`` (one line, ``*`` removed), ``body`` (as
    written, trailing blanks removed), ``tags`` (lower-cased, with their symbol, first use first), ``starred``."""

    when: dt.datetime
    title: str
    body: str
    tags: tuple[str, ...] = ()
    starred: bool = False

    @property
    def heading(self) -> str:
        """The entry's section heading in its day's note: ``HH:MM Title``."""
        return f"{self.when:%H:%M} {self.title}".rstrip()


@dataclass
class JrnlFile:
    """A jrnl journal as read: its ``entries`` (file order), its ``format``, and ``skipped_lines``: non-blank
    lines of a text journal before its first entry (jrnl itself drops them too)."""

    entries: list[JrnlEntry]
    format: JrnlFormat
    skipped_lines: int = 0


@dataclass
class ImportReport:
    """What :func:`import_jrnl` wrote.

    Attributes:
        source: the jrnl file, as given.
        format: ``text`` or ``json``.
        entries: jrnl entries imported; days: notes written (one per day).
        written: journal-relative paths of the notes written, by date.
        first, last: the first and last day imported (``None`` for an empty journal, which is refused).
        starred: starred entries; skipped_lines: non-blank lines before the first entry, not imported.
    """

    source: str
    format: JrnlFormat
    entries: int = 0
    days: int = 0
    written: list[str] = field(default_factory=list)
    first: dt.date | None = None
    last: dt.date | None = None
    starred: int = 0
    skipped_lines: int = 0

    def to_json(self) -> dict[str, Any]:
        return {"source": self.source, "format": self.format, "entries": self.entries, "days": self.days,
                "written": self.written, "first": self.first.isoformat() if self.first else None,
                "last": self.last.isoformat() if self.last else None, "starred": self.starred,
                "skipped_lines": self.skipped_lines}


def _tags(text: str) -> tuple[str, ...]:
    """jrnl's tags in ``text``, lower-cased, each once, first use first (a bare ``##`` is no tag)."""
    found = [t.lower() for t in _TAG_RE.findall(text) if re.search(r"\w", t[1:])]
    return tuple(dict.fromkeys(found))


def _when(match: re.Match[str]) -> dt.datetime | None:
    """The timestamp of an entry line, or ``None`` when it is no real date and time (then it is body text)."""
    try:
        day = dt.date.fromisoformat(match["date"])
        hour, minute = int(match["hour"] or 0), int(match["minute"] or 0)
        if match["half"]:
            if not 1 <= hour <= 12:
                return None
            hour = hour % 12 + (12 if match["half"].lower() == "p" else 0)
        when = dt.datetime.combine(day, dt.time(hour, minute))
    except ValueError:
        return None
    return when if MIN_NOTE_YEAR <= when.year <= MAX_NOTE_YEAR else None


def _split_title(text: str) -> tuple[str, str]:
    """jrnl's ``split_title``: the first line, or for a one-line entry its first sentence, is the title."""
    text = text.strip()
    if "\n" in text:
        title, body = text.split("\n", 1)
        return title.strip(), body.strip("\n").rstrip()
    sentence = _SENTENCE_END_RE.search(text)
    return (text[: sentence.end()].strip(), text[sentence.end():].strip()) if sentence else (text, "")


def _entry(when: dt.datetime, text: str, starred: bool = False) -> JrnlEntry:
    lines = text.split("\n")
    if lines and lines[0].strip().endswith("*"):  # jrnl: a first line ending in * is a starred entry
        starred = True
        lines[0] = lines[0].strip().rstrip("*").rstrip()
    title, body = _split_title("\n".join(lines))
    return JrnlEntry(when, one_line(title, 200) if title else "", body, _tags(text), starred)


def parse_jrnl_text(text: str) -> JrnlFile:
    """Entries of a jrnl plain-text journal (rules in the module docstring).

    A line ``[date time] title`` whose timestamp is not a real date (``[2020-13-45 09:00]``) stays body text.

    Raises:
        ImportRefused: no entry line at all, or more than :data:`MAX_IMPORT_ENTRIES` entries.
    """
    entries: list[JrnlEntry] = []
    current: tuple[dt.datetime, list[str]] | None = None
    skipped = 0
    for line in normalize_newlines(text).split("\n"):
        match = _ENTRY_RE.fullmatch(line.rstrip())
        when = _when(match) if match else None
        if match and when is not None:
            if current:
                entries.append(_entry(current[0], "\n".join(current[1])))
                if len(entries) > MAX_IMPORT_ENTRIES:
                    raise ImportRefused(f"the jrnl journal has more than {MAX_IMPORT_ENTRIES:,} entries; "
                                        "nothing was written", hint="split it with `jrnl -from ... -to ...`")
            current = (when, [match["title"] or ""])
        elif current:
            current[1].append(line)
        elif line.strip():
            skipped += 1
    if current:
        entries.append(_entry(current[0], "\n".join(current[1])))
    if not entries:
        raise ImportRefused("no jrnl entries found: an entry starts with a line such as "
                            "`[2020-01-04 09:00] Title`; nothing was written",
                            hint="export it with `jrnl --export json` and import that file")
    if len(entries) > MAX_IMPORT_ENTRIES:
        raise ImportRefused(f"the jrnl journal has more than {MAX_IMPORT_ENTRIES:,} entries; nothing was written",
                            hint="split it with `jrnl -from ... -to ...`")
    return JrnlFile(entries, "text", skipped)


class _JsonEntry(BaseModel):
    """One entry of ``jrnl --export json`` (extra keys such as ``uuid`` and ``creator`` ignored)."""

    model_config = ConfigDict(extra="ignore")

    date: dt.date
    time: str = "00:00"
    title: str = ""
    body: str = ""
    tags: list[str] = Field(default_factory=list)
    starred: bool = False

    @field_validator("date")
    @classmethod
    def _year(cls, value: dt.date) -> dt.date:
        if not MIN_NOTE_YEAR <= value.year <= MAX_NOTE_YEAR:
            raise ValueError(f"year {value.year} is outside {MIN_NOTE_YEAR}-{MAX_NOTE_YEAR}")
        return value

    @field_validator("time")
    @classmethod
    def _hh_mm(cls, value: str) -> str:
        """``HH:MM`` (seconds dropped); ``ValueError`` for anything else, ``25:00`` included."""
        clock = re.fullmatch(r"(\d{1,2}):(\d{2})(?::\d{2})?", value.strip())
        if not clock:
            raise ValueError(f"{value[:20]!r} is not a time HH:MM")
        return dt.time(int(clock[1]), int(clock[2])).strftime("%H:%M")


class _JsonExport(BaseModel):
    model_config = ConfigDict(extra="ignore")

    tags: dict[str, Any] = Field(default_factory=dict)
    entries: list[_JsonEntry] = Field(max_length=MAX_IMPORT_ENTRIES)


def parse_jrnl_json(text: str) -> JrnlFile:
    """Entries of a ``jrnl --export json`` file (its format in the module docstring).

    Raises:
        ImportRefused: not JSON, no ``entries`` list, an entry with a wrong field (named by its number and
            field), or more than :data:`MAX_IMPORT_ENTRIES` entries.
    """
    try:
        export = _JsonExport.model_validate_json(text)
    except ValidationError as exc:
        first = exc.errors()[0]
        where = ".".join(str(p) for p in first["loc"])
        if first["type"] == "too_long":
            raise ImportRefused(f"the jrnl export has more than {MAX_IMPORT_ENTRIES:,} entries; nothing was written",
                                hint="split it with `jrnl -from ... -to ... --export json`") from exc
        if first["type"] == "json_invalid":
            raise ImportRefused(f"not a jrnl JSON export: {first['msg']}; nothing was written") from exc
        raise ImportRefused(f"not a jrnl JSON export: {where}: {first['msg']}; nothing was written",
                            hint="write it with `jrnl --export json -o FILE`") from exc
    entries = []
    for item in export.entries:
        when = dt.datetime.combine(item.date, dt.time.fromisoformat(item.time))
        title = item.title.strip()
        starred = item.starred or title.endswith("*")
        title = title.rstrip("*").rstrip() if title.endswith("*") else title
        tags = _tags(f"{item.title}\n{item.body}") + tuple(t.lower() for t in item.tags)
        entries.append(JrnlEntry(when, one_line(title, 200), item.body.strip("\n").rstrip(),
                                 tuple(dict.fromkeys(tags)), starred))
    if not entries:
        raise ImportRefused("the jrnl export has no entries; nothing was written")
    return JrnlFile(entries, "json")


def read_jrnl(path: str | os.PathLike[str]) -> JrnlFile:
    """Read a jrnl journal file: JSON export when it starts with ``{``, else the plain-text journal.

    Raises:
        ImportRefused: missing, not a file, over :data:`MAX_IMPORT_BYTES`, not UTF-8, or not a jrnl journal
            (see :func:`parse_jrnl_text`, :func:`parse_jrnl_json`). An encrypted journal is refused as not
            UTF-8 text (decrypt it with ``jrnl --decrypt`` first).
    """
    file = Path(path).expanduser()
    try:
        size = file.stat().st_size
        if not file.is_file():
            raise ImportRefused(f"{path} is not a file; give the jrnl journal file (e.g. ~/.local/share/jrnl/"
                                "journal.txt) or its `jrnl --export json` output")
        if size > MAX_IMPORT_BYTES:
            raise ImportRefused(f"{path} is {size / 1e6:.1f} MB, over the {MAX_IMPORT_BYTES / 1e6:.0f} MB limit "
                                "of one import; nothing was written", hint="split it with `jrnl -from ... -to ...`")
        with open(file, "rb") as handle:
            raw = handle.read(MAX_IMPORT_BYTES + 1)
    except OSError as exc:
        raise ImportRefused(f"cannot read {path}: {exc.strerror or exc}") from exc
    if len(raw) > MAX_IMPORT_BYTES:
        raise ImportRefused(f"{path} is over the {MAX_IMPORT_BYTES / 1e6:.0f} MB limit of one import; "
                            "nothing was written", hint="split it with `jrnl -from ... -to ...`")
    try:
        if b"\x00" in raw:
            raise ValueError("binary data (NUL bytes)")
        text = normalize_newlines(raw.decode("utf-8-sig"))
    except (UnicodeDecodeError, ValueError) as exc:
        reason = str(exc) if not isinstance(exc, UnicodeDecodeError) else \
            f"not UTF-8 text (byte {exc.start}: {raw[exc.start:exc.start + 1]!r})"
        raise ImportRefused(f"{path}: {reason}; nothing was written",
                            hint="an encrypted jrnl journal must be decrypted first (`jrnl --decrypt`)") from exc
    return parse_jrnl_json(text) if text.lstrip().startswith("{") else parse_jrnl_text(text)


@dataclass(frozen=True)
class DayNote:
    """One day's note to write: its ``date``, file ``name``, ``entries`` (time order) and ``text``."""

    date: dt.date
    name: str
    entries: tuple[JrnlEntry, ...]
    text: str


def day_notes(entries: list[JrnlEntry]) -> list[DayNote]:
    """The notes ``entries`` become: one per day, oldest first (front matter and sections as in the module
    docstring). A day's tags beyond the front matter's :data:`~journal_agent.notes.front_matter.MAX_WORDS`
    stay in its text only."""
    import frontmatter

    by_day: dict[dt.date, list[JrnlEntry]] = {}
    for entry in sorted(entries, key=lambda e: e.when):  # stable: entries of one minute keep their order
        by_day.setdefault(entry.when.date(), []).append(entry)
    notes = []
    for date, todays in sorted(by_day.items()):
        titles = [e.title for e in todays if e.title]
        tags = list(dict.fromkeys(t.lstrip("@#") for e in todays for t in e.tags))[:MAX_WORDS]
        fields: dict[str, Any] = {"title": one_line(" · ".join(titles) or f"jrnl {date.isoformat()}", 160),
                                  "date": date, "tags": tags}
        starred = [e.heading for e in todays if e.starred]
        if starred:
            fields["starred"] = starred
        fields["imported_from"] = IMPORT_MARK
        sections = [f"## {e.heading}\n\n{e.body}".rstrip() for e in todays]
        body = "\n\n".join(sections) + "\n"
        text = frontmatter.dumps(frontmatter.Post(body, **fields), sort_keys=False) + "\n"
        notes.append(DayNote(date, f"{date.isoformat()}-jrnl", tuple(todays), text))
    return notes


def _target_folder(journal: Journal, into: str | os.PathLike[str] | None) -> Path:
    """``into`` (journal-relative, or absolute) checked to lie inside ``notes/``; default ``notes/jrnl``."""
    notes = Path(os.path.abspath(journal.notes_dir))
    if into is None:
        return notes / DEFAULT_FOLDER
    given = Path(into).expanduser()
    folder = Path(os.path.abspath(given if given.is_absolute() else journal.root / given))
    if folder != notes and notes not in folder.parents:
        raise ImportRefused(f"--into {into} is not inside notes/; imported notes go into the journal's notes "
                            "folder", hint="give a folder such as notes/jrnl")
    return folder


def import_jrnl(journal: Journal, path: str | os.PathLike[str], *, into: str | os.PathLike[str] | None = None,
                lock_timeout: float = LOCK_TIMEOUT_SECONDS) -> ImportReport:
    """Import the jrnl journal at ``path`` (plain text or ``jrnl --export json``) as one note per day.

    Args:
        journal: the journal to write into.
        path: the jrnl file.
        into: the folder for the notes, inside ``notes/`` (default ``notes/jrnl/``: category ``jrnl``).
        lock_timeout: seconds to wait for another ``journal add`` or import (the add lock).

    Returns:
        What was written (:class:`ImportReport`). The notes are not ingested: ``journal ingest`` makes
        them searchable (``list``, ``show`` and ``stats`` see them at once).

    Raises:
        ImportRefused: the file is not an importable jrnl journal or is over a bound (:func:`read_jrnl`), a
            day's note would be over :data:`~journal_agent.notes.files.MAX_NOTE_BYTES`, ``into`` is outside
            ``notes/``, or a note it would write exists already (all named; nothing is written then).
        LockBusy: another ``journal add`` or import held the lock for ``lock_timeout`` seconds.
        JournalError: a note could not be written (the ones written before it are listed in the message).
    """
    jrnl = read_jrnl(path)
    folder = _target_folder(journal, into)
    notes = day_notes(jrnl.entries)
    languages = journal.config.journal.date_languages
    for note in notes:
        data = note.text.encode("utf-8")
        if len(data) > MAX_NOTE_BYTES:
            raise ImportRefused(f"the entries of {note.date.isoformat()} make a note of {len(data) / 1e6:.1f} MB, "
                                f"over the {MAX_NOTE_BYTES / 1e6:.0f} MB limit of one note; nothing was written")
        read_head(folder / f"{note.name}.md", note.text, suffix=".md", languages=languages)  # reads back
    report = ImportReport(str(path), jrnl.format, len(jrnl.entries), len(notes),
                          first=notes[0].date, last=notes[-1].date,
                          starred=sum(e.starred for e in jrnl.entries), skipped_lines=jrnl.skipped_lines)
    lock = JournalLock(journal.writable_state_dir("journal import") / "add.lock", holder="`journal add`",
                       timeout=lock_timeout)
    with lock:
        existing = [journal.relative(folder / f"{n.name}.md") for n in notes if (folder / f"{n.name}.md").exists()]
        if existing:
            shown = ", ".join(existing[:5]) + (f" and {len(existing) - 5} more" if len(existing) > 5 else "")
            raise ImportRefused(f"{len(existing)} note(s) this import would write exist already: {shown}; "
                                "nothing was written", hint="move or delete them, or import --into another folder")
        try:
            folder.mkdir(parents=True, exist_ok=True)
            for note in notes:
                written = write_new(folder, note.name, ".md", note.text.encode("utf-8"))
                report.written.append(journal.relative(written))
        except OSError as exc:
            done = f"; written before it: {', '.join(report.written)}" if report.written else "; nothing was written"
            raise JournalError(f"cannot write the notes in {journal.relative(folder)}: {exc.strerror or exc}{done}"
                               ) from exc
    return report
