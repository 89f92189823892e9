"""Reading the journal: every note listed, one note found by day, date or path, all notes exported.

This is the one reader of a journal's notes, bound to its config: every module
that reads notes (list, show, export, add, digest, ingest, the site, review
cards, reflection, citations, the sleep-time agent) goes through
:func:`note_files`, :func:`read_one`, :func:`read_head` or :func:`read_journal`,
so ``[journal] date_languages`` and every other reading rule apply alike
everywhere (issue 17: ``journal add`` read ``date: 18. März 2025`` with
``date_languages = ["de"]`` while ``list`` and ``ingest`` rejected the note).
Notes are walked with :func:`~journal_agent.notes.walk.walk_notes` and parsed
with :func:`~journal_agent.notes.model.read_note` (title, date, day,
categories, flags are decided there and nowhere else). The files under
``notes/`` are the truth, so a note is listed before it is ingested.

The journal's notes are ``notes/`` plus every folder ``journal ingest`` was
given (issue 18: they were found by ``search`` and missing everywhere else):
:func:`journal_sources` reads the record of those folders through the
workspace (:meth:`~journal_agent.workspace.Journal.sources`; this layer never
imports the archive), and each note is read with its own base for categories
and ``private/`` folders (:func:`note_base`), so a private note of any folder
is private to every reader.
"""

from __future__ import annotations

import datetime as dt
import io
import json
import os
import re
import zipfile
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Literal

from pydantic.dataclasses import dataclass as pydantic_dataclass

from journal_agent.errors import JournalError, NoteNotFound
from journal_agent.notes.dates import NUMERIC_DATE_RE, numeric_date, numeric_order, parse_date
from journal_agent.notes.days import bare_day, find_day_number, find_round
from journal_agent.notes.entries import Entry, covered_dates, heading_date, listed
from journal_agent.notes.files import PRIVATE_FOLDER
from journal_agent.notes.model import Note, NoteHead, read_note, read_note_head
from journal_agent.notes.walk import iter_note_files
from journal_agent.records import JsonRecord
from journal_agent.workspace import ARCHIVE_RECORD, DEFAULT_SOURCE, Journal

ExportFormat = Literal["json", "markdown"]
EXPORT_FORMATS: tuple[ExportFormat, ...] = ("json", "markdown")


@pydantic_dataclass
class NoteSummary(JsonRecord):
    """What ``journal list`` shows of one entry of a note (a one-entry note: the note). JSON: these fields,
    dates as ISO text.

    Attributes:
        title, categories, tags: the note's, as read by ``read_note``.
        date, day: the entry's date and first learning day (the note's, for a one-entry note).
        words: whitespace-separated words in the entry's body (front matter excluded).
        path: journal-relative path of the note, its id.
        private: private or draft (not shared with a model unless ``[llm] share_private``).
        days: every learning day the entry covers, ascending ("Day 45-50": 45..50).
        entry: the entry's index in ``note.entries`` (:mod:`~journal_agent.notes.entries`).
        heading: the entry's heading as written (``""`` for a whole-note entry).
        line: 1-based line of the entry's heading in the note file.
        anchor: the heading's HTML id in the published post (``""`` for a whole-note entry).
        end_date: the last date the entry covers (== ``date`` unless its heading names a range).
        date_source: where ``date`` came from (``date``, ``heading``, ``file name``, ``git``, ``mtime``, ...).
    """

    title: str
    date: dt.date
    day: int | None
    categories: list[str]
    tags: list[str]
    words: int
    path: str
    private: bool = False
    days: list[int] = field(default_factory=list)
    entry: int = 0
    heading: str = ""
    line: int = 1
    anchor: str = ""
    end_date: dt.date | None = None
    date_source: str = ""

    @classmethod
    def of(cls, note: Note, entry: Entry | None = None) -> NoteSummary:
        """The summary of one entry of a note read by ``read_note``; without ``entry``, of the whole note
        (its date, days and words; the entry fields of its first entry)."""
        if entry is None:
            first = note.entries[0]
            return cls(note.title, note.date, note.day, list(note.categories), list(note.tags), len(note.body.split()),
                       note.rel_path, not note.publishable, list(note.days), 0, first.heading, first.line,
                       first.anchor, max(e.end_date for e in note.entries), note.date_source)
        return cls(note.title, entry.date, entry.day, list(note.categories), list(note.tags), len(entry.body.split()),
                   note.rel_path, not note.publishable, list(entry.days), entry.index, entry.heading, entry.line,
                   entry.anchor, entry.end_date, entry.date_source)


def listed_entries(note: Note) -> list[Entry]:
    """The entries of ``note`` that ``list``, ``show`` and ``stats`` count: all but a preamble (the text
    before the first entry heading), or the one entry of a one-entry note (:func:`.entries.listed`)."""
    return listed(note.entries)


@dataclass
class JournalNotes:
    """Every note of a journal, oldest first, and the files that could not be read.

    Attributes:
        notes: ``Note`` objects sorted by date, then day number (notes without one last), then path.
        failed: ``(path, reason)`` of files that are not readable notes.
    """

    notes: list[Note] = field(default_factory=list)
    failed: list[tuple[str, str]] = field(default_factory=list)


@dataclass
class JournalSources:
    """The folders a journal's notes are read from, and why any recorded one is not read.

    Attributes:
        folders: ``notes/`` first, then every folder the archive recorded as ingested
            (:meth:`~journal_agent.workspace.Journal.sources`) that exists and is not inside
            ``notes/``, absolute, in the order they were ingested.
        recorded: the recorded sources as written (journal-relative or absolute), for :func:`note_base`.
        failed: ``(path, reason)``: a recorded folder that is missing, or a record that cannot be read.
    """

    folders: list[Path]
    recorded: list[str]
    failed: list[tuple[str, str]] = field(default_factory=list)


def journal_sources(journal: Journal) -> JournalSources:
    """Where the journal's notes are: ``notes/`` plus every folder ``journal ingest`` was given (issue 18: a
    second folder's notes were found by ``search`` and missing from ``list``, ``show``, ``stats``, ``export``,
    review and the site). A damaged ``archive.json`` or ``[archive] uri`` leaves ``notes/`` alone, named in
    ``failed``; it never stops a reader."""
    try:
        recorded = journal.sources()
    except JournalError as exc:
        return JournalSources([journal.notes_dir], [DEFAULT_SOURCE],
                              [(ARCHIVE_RECORD, f"{exc}; only notes/ is read until it is fixed")])
    found = JournalSources([journal.notes_dir], recorded)
    notes = Path(os.path.abspath(journal.notes_dir))
    for source in recorded:
        folder = Path(os.path.abspath(journal.root / source))
        if folder == notes or notes in folder.parents:
            continue
        if not folder.is_dir():
            found.failed.append((source, "ingested folder is missing (not mounted?); its notes are left out"))
        elif folder not in found.folders:
            found.folders.append(folder)
    return found


def own_notes(journal: Journal) -> JournalSources:
    """``notes/`` alone, as :class:`JournalSources`: the folder journal-agent writes notes into (``journal add``,
    ``journal renumber``); other ingested folders are read, never numbered or rewritten."""
    return JournalSources([journal.notes_dir], [DEFAULT_SOURCE])


def _outside_site(journal: Journal, path: Path) -> bool:
    """Not under ``site/``: the published copies of notes there (``site/docs/posts/``) are never notes, also
    when a folder holding the site (the journal root) was ingested."""
    site = Path(os.path.abspath(journal.site_dir))
    return site not in Path(os.path.abspath(path)).parents


def note_files(journal: Journal, sources: JournalSources | None = None) -> list[Path]:
    """The note files of the journal (``.md``, ``.markdown``, ``.txt``; hidden and unreadable entries left
    out, see :func:`~journal_agent.notes.walk.walk_notes`): ``notes/`` then every ingested folder
    (:func:`journal_sources`), each file once, in walk order; nothing under ``site/``; ``[]`` when there
    are none.

    Args:
        sources: the folders, when the caller already has them (else read from the journal).
    """
    sources = sources or journal_sources(journal)
    folders = [f for f in sources.folders if f.is_dir()]
    return [p for p in iter_note_files(folders) if _outside_site(journal, p)]


def read_one(journal: Journal, path: Path, base: Path | None = None) -> Note:
    """One note of ``journal``, read with the journal's settings (``[journal] date_languages``).

    Args:
        path: the note file.
        base: the folder whose sub-folders name categories and ``private/``; default :func:`note_base`
            with the journal's ingested folders (``notes/`` for a note inside it, else the ingested
            folder holding it), so a note is read alike by every reader.

    Raises:
        NoteError: the file is not a readable note (see :func:`~journal_agent.notes.model.read_note`).
    """
    if base is None:
        base = note_base(journal, path, journal_sources(journal).recorded)
    return read_note(path, journal.root, base, languages=journal.config.journal.date_languages)


def note_base(journal: Journal, path: Path, sources: Sequence[str] = ()) -> Path:
    """The folder whose sub-folders name ``path``'s categories and make it private (``private/``, any case).

    ``notes/`` for a note inside it; else the deepest of ``sources`` (the
    folders the archive ingested, journal-relative or absolute, as
    ``archive.json`` records them) holding it; else the folder above the
    note's own (a single ingested file takes its folder as category); an
    ingested folder named ``private`` (any case) counts as the note's own
    ``private/`` folder. The one rule :func:`read_one` callers use for a note
    outside ``notes/`` (ingest, the tools, background reflection), so
    ``other/Private/o1.md`` ingested with ``other/`` is private wherever it is
    read (issue 21: the MCP ``read_note`` read it with ``notes/`` as base and
    served it).
    """
    given = Path(os.path.abspath(Path(path).expanduser()))
    candidates = (given, given.resolve())
    notes = Path(os.path.abspath(journal.notes_dir))
    if any(c == notes or notes in c.parents or notes.resolve() in c.parents for c in candidates):
        return journal.notes_dir
    holding = []
    for source in sources:
        folder = Path(os.path.abspath(journal.root / source))
        if any(folder in c.parents or folder.resolve() in c.parents for c in candidates):
            holding.append(folder)
    if holding:
        base = max(holding, key=lambda f: len(f.parts))
        # an ingested folder that is itself named private (any case) is private: its parent is the base,
        # so the folder counts as one of the note's folders (and names no category, as private/ never does)
        return base.parent if base.name.casefold() == PRIVATE_FOLDER else base
    return given.parent.parent


def read_head(journal: Journal, path: Path) -> NoteHead:
    """The cheap reader (title, date, day from front matter and first heading) with the journal's settings.

    Raises:
        NoteError: as :func:`read_one`.
    """
    return read_note_head(path, languages=journal.config.journal.date_languages)


def read_journal(journal: Journal) -> JournalNotes:
    """Read every note of the journal: ``notes/`` and every ingested folder (:func:`note_files`), each with
    its own base for categories and ``private/`` (:func:`note_base`); unreadable files, missing ingested
    folders and a damaged record of them go to ``failed``."""
    sources = journal_sources(journal)
    found = JournalNotes(failed=list(sources.failed))
    for path in note_files(journal, sources):
        try:
            found.notes.append(read_one(journal, path, note_base(journal, path, sources.recorded)))
        except JournalError as exc:
            found.failed.append((journal.relative(path), getattr(exc, "reason", str(exc))))
    found.notes.sort(key=lambda n: (n.date, n.day is None, n.day or 0, n.rel_path))
    return found


@dataclass
class NoteList:
    """The entries ``list_notes`` selected (oldest first), how many private ones were left out, unreadable files.

    ``notes`` holds one :class:`NoteSummary` per entry (a one-entry note is one row); the name is kept from
    when a row was a note.
    """

    notes: list[NoteSummary]
    withheld: int = 0
    failed: list[tuple[str, str]] = field(default_factory=list)

    def to_json(self) -> dict[str, Any]:
        return {"notes": [n.to_json() for n in self.notes], "withheld": self.withheld,
                "failed": [{"path": p, "reason": r} for p, r in self.failed]}


def _row_order(row: NoteSummary) -> tuple:
    return row.date, row.day is None, row.day or 0, row.path, row.entry


def list_notes(
    journal: Journal,
    *,
    since: dt.date | None = None,
    until: dt.date | None = None,
    category: str | None = None,
    tag: str | None = None,
    include_private: bool = True,
    last: int | None = None,
) -> NoteList:
    """Entries by date, filtered: one row per entry (:func:`listed_entries`), a plain note one row.

    Args:
        since, until: inclusive bounds on the entry's dates (an entry covering a date range or a list of
            dates is kept when one of its dates is in the window).
        category, tag: keep entries of notes having it (case-insensitive, exact otherwise).
        include_private: ``False`` leaves private and draft notes' entries out (counted in ``withheld``).
        last: keep only the newest ``last`` of the selected entries (jrnl's ``-n``), still oldest first.
    """
    read = read_journal(journal)
    selected, withheld = [], 0
    for note in read.notes:
        if category and category.casefold() not in {c.casefold() for c in note.categories}:
            continue
        if tag and tag.casefold() not in {t.casefold() for t in note.tags}:
            continue
        for entry in listed_entries(note):
            if (since or until) and not any((not since or since <= d) and (not until or d <= until)
                                            for d in covered_dates(entry)):
                continue
            if not include_private and not note.publishable:
                withheld += 1
                continue
            selected.append(NoteSummary.of(note, entry))
    selected.sort(key=_row_order)
    if last is not None:
        selected = selected[-last:] if last > 0 else []
    return NoteList(selected, withheld, read.failed)


@dataclass
class NoteMatch:
    """The entry a reference names, in its note, and any other notes and entries it also names (same day or
    date), oldest first.

    For a day or a date, the match is the day's main entry: the one covering fewest days (a daily page
    before the weekly post whose range holds it), then the longest (most words), so a one-line addendum
    never leads; ties go to the first in :func:`read_journal`'s order.

    Attributes:
        note: the note holding the match (a path: that note).
        others: the other notes holding a match (not ``note``), oldest first.
        how: what the reference was: ``path``, ``day`` or ``date``.
        entry: the entry matched; ``None`` for a path (the whole note).
        also: every other matching ``(note, entry)``, ``note``'s own other entries included, oldest first.
    """

    note: Note
    others: list[Note] = field(default_factory=list)
    how: Literal["path", "day", "date"] = "path"
    entry: Entry | None = None
    also: list[tuple[Note, Entry]] = field(default_factory=list)

    @property
    def text(self) -> str:
        """What ``show`` prints: the matched entry's Markdown, or the whole note's (a path, a one-entry note)."""
        return self.entry.body if self.entry is not None and len(self.note.entries) > 1 else self.note.body


def find_note(journal: Journal, ref: str, *, today: dt.date | None = None) -> NoteMatch:
    """The entry ``ref`` names: a path, a learning-day number ("4", "day 4", "Day four", "Day 0") or a date.

    A round's day ("R2D14", "day 12 of round 1": :func:`~journal_agent.notes.days.find_round`) is looked for
    in that round's entries when the journal has rounds. A date is anything
    :func:`~journal_agent.notes.dates.parse_date` reads
    ("2025-09-18", "January 4, 2020", "18 Sep 2025", "yesterday"); a date in numbers alone read both ways
    ("01/04/2020") is the reading the journal has entries on, its headings' own order deciding when both have
    (:meth:`~journal_agent.notes.dates.NumericDate.choose`, as questions are read by search). A day or a date
    is looked for in every entry (:func:`listed_entries`), so "Day 13" inside a multi-day post and "2020-01-04"
    inside a single-file log are found; an entry covering a date range or listing dates matches each of its
    dates. A date written without a year ("June 16th", "4 Jan") that has no entry in the year dateparser gives it is
    looked for in the journal's years, the latest first. A path may be absolute,
    relative to the current folder, the journal root or ``notes/``. When several entries share the day or
    date, the longest is the match (the day's main entry) and the rest, oldest first, are in ``also``.

    Raises:
        NoteNotFound: nothing matches, with the nearest entries before and after.
    """
    text = ref.strip()
    if not text:
        raise NoteNotFound("no note reference given; use a day number (4), a date (2025-09-18) or a path")
    path = _as_path(journal, text)
    if path is not None:
        return NoteMatch(read_one(journal, path), how="path")
    notes = read_journal(journal).notes
    entries = [(note, entry) for note in notes for entry in listed_entries(note)]
    day_ref = find_day_number(text)
    number = bare_day(text)
    if number is None and day_ref and not day_ref.query.strip():
        number = day_ref.day  # Day 0 is a day: never `or` a day number
    rounds = find_round(text)
    in_round = [(n, e) for n, e in entries if rounds and e.challenge_round == rounds.round and e.days]
    if rounds is not None and in_round and day_ref is not None:
        # "R2D14", "day 12 of round 1": day numbers start again in each round of a #100DaysOfCode log
        entries, number = in_round, day_ref.day
    if number is not None:
        found = [(n, e) for n, e in entries if number in e.days]
        if found:
            return _main_entry(found, "day")
        days = sorted({d for _, e in entries for d in e.days})
        span = f"the days run from {days[0]} to {days[-1]}" if days else "no note has a day number"
        near = _nearest_days(days, number)
        raise NoteNotFound(f"no note for day {number} ({span}{near}); try `journal list`")
    def on(day: dt.date) -> list[tuple[Note, Entry]]:
        return [(n, e) for n, e in entries if e.date <= day <= e.end_date and day in covered_dates(e)]

    numeric = NUMERIC_DATE_RE.fullmatch(text)
    readings = numeric_date(numeric) if numeric is not None else None
    try:
        # "01/04/2020": the reading the journal has entries on, its own headings' order deciding when both have
        chosen = readings.choose(lambda day: bool(on(day)),
                                 lambda: numeric_order([e.heading or n.title for n, e in entries])) \
            if readings else None
        date = chosen or parse_date(text, today, journal.config.journal.date_languages)
    except ValueError as exc:
        raise NoteNotFound(
            f"{ref!r} is not a note path, a day number (4, day 4) or a date (2025-09-18, yesterday)") from exc
    found = on(date)
    written = heading_date(text)
    if not found and written is not None and written.start[0] is None:  # "June 16th": the journal's year
        same_day = [(n, e) for n, e in entries
                    if any((d.month, d.day) == (date.month, date.day) for d in covered_dates(e))]
        latest = max((d.year for _, e in same_day for d in covered_dates(e)
                      if (d.month, d.day) == (date.month, date.day)), default=None)
        if latest is not None:
            date = date.replace(year=latest)
            found = [(n, e) for n, e in same_day if date in covered_dates(e)]
    if found:
        return _main_entry(found, "date")
    near = nearest_notes([e.date for _, e in entries], date, date)
    raise NoteNotFound(f"no note on {date.isoformat()}" + (f" ({near})" if near else "") + "; try `journal list`")


def _main_entry(found: list[tuple[Note, Entry]], how: Literal["day", "date"]) -> NoteMatch:
    """The match for several entries of one day or date: the most specific leads (fewest days, or dates, covered:
    a daily page before the weekly post spanning it), then the longest; the others follow in order."""
    def rank(pair: tuple[Note, Entry]) -> tuple[int, int]:
        entry = pair[1]
        span = len(entry.days) if how == "day" else len(covered_dates(entry))
        return -span, len(entry.body.split())

    main = max(found, key=rank)  # max keeps the first of equals
    note, entry = main
    also = [pair for pair in found if pair is not main]
    others = list({id(n): n for n, _ in also if n is not note}.values())
    return NoteMatch(note, others, how, entry, also)


def _nearest_days(days: list[int], number: int) -> str:
    """"; the nearest are Day 11 and Day 13" for a day without an entry inside the span ('' outside it)."""
    before = [d for d in days if d < number]
    after = [d for d in days if d > number]
    if not before or not after:
        return ""
    return f"; the nearest are Day {max(before)} and Day {min(after)}"


def nearest_notes(dates: list[dt.date], since: dt.date, until: dt.date) -> str:
    """Where the notes nearest a date range without one are: "the note before is from 2025-09-18; the next is
    from 2025-09-23" ('' when there are none). Said whenever a day, date or week has no note."""
    before = [d for d in dates if d < since]
    after = [d for d in dates if d > until]
    return "; ".join(part for part in (
        f"the note before is from {max(before)}" if before else "",
        f"the next is from {min(after)}" if after else "") if part)


def _as_path(journal: Journal, text: str) -> Path | None:
    if not re.search(r"[/\\.]", text) or re.fullmatch(r"\d{1,4}[-/.]\d{1,2}[-/.]\d{1,4}", text):
        return None
    given = Path(text).expanduser()
    for candidate in (given, journal.root / given, journal.notes_dir / given):
        if candidate.is_file():
            return candidate.resolve()
    return None


# -- export ---------------------------------------------------------------------------
@dataclass
class ExportResult:
    """What ``export_notes`` wrote.

    Attributes:
        notes: how many notes were exported.
        withheld: private or draft notes left out (``include_private`` was false).
        failed: ``(path, reason)`` of files that are not readable notes.
        output: the file written, or ``None`` when the data was returned instead.
        data: the export (JSON text, or zip bytes) when no output file was given.
    """

    notes: int
    withheld: int
    failed: list[tuple[str, str]]
    output: Path | None = None
    data: str | bytes | None = None


def default_export_name(fmt: ExportFormat, today: dt.date | None = None) -> str:
    """``journal-export-YYYY-MM-DD.json`` or ``.zip`` (Markdown files go in a zip)."""
    return f"journal-export-{(today or dt.date.today()).isoformat()}.{'zip' if fmt == 'markdown' else 'json'}"


def export_notes(
    journal: Journal,
    fmt: ExportFormat = "json",
    output: Path | None = None,
    *,
    include_private: bool = False,
    force: bool = False,
) -> ExportResult:
    """Export every note with its metadata and text.

    Args:
        fmt: ``json``: one document ``{"exported_at", "notes": [...]}``, each
            note its :class:`NoteSummary` fields plus ``draft``,
            ``date_source``, ``modified``, ``metadata`` (other front matter)
            and ``text`` (the Markdown body): the parsed metadata. ``markdown``: a
            zip with each note's file byte for byte at its journal-relative path
            (the learner's own front matter, line breaks and encoding kept).
        output: file to write; ``None`` returns the data in the result. Checked before anything is read
            (:func:`~journal_agent.outputs.check_output`): never inside ``notes/`` or ``.journal/``, and an
            existing file only when it is an earlier export (:func:`is_export`) or ``force``.
        include_private: export private and draft notes too.
        force: replace an existing file that is not an export.

    Raises:
        ValueError: unknown format.
        OutputRefused: ``output`` is a place the export must not be written (see above).
        JournalError: the output file cannot be written (what was there is left whole).
    """
    from journal_agent.atomic import write_atomic
    from journal_agent.outputs import check_output

    if fmt not in EXPORT_FORMATS:
        raise ValueError(f"unknown export format {fmt!r}; use one of {', '.join(EXPORT_FORMATS)}")
    if output is not None:
        output = check_output(journal, output, force=force, ours=is_export, what="the export")
    read = read_journal(journal)
    notes = [n for n in read.notes if include_private or n.publishable]
    data: str | bytes = _export_json(notes) if fmt == "json" else _export_zip(notes)
    result = ExportResult(len(notes), len(read.notes) - len(notes), read.failed)
    if output is None:
        result.data = data
        return result
    try:
        output.parent.mkdir(parents=True, exist_ok=True)
        write_atomic(output, data)
    except OSError as exc:
        raise JournalError(f"cannot write {output}: {exc.strerror or exc}") from exc
    result.output = output
    return result


EXPORT_ZIP_COMMENT = b"journal-agent export"  # the comment of every Markdown export zip


def is_export(path: Path) -> bool:
    """Whether ``path`` is a file ``export_notes`` wrote: a JSON document starting with ``exported_at``, or a
    zip whose comment is :data:`EXPORT_ZIP_COMMENT`. Raises ``OSError`` when it cannot be read."""
    with open(path, "rb") as handle:
        head = handle.read(32)
    if head.startswith(b'{\n  "exported_at": "'):
        return True
    if zipfile.is_zipfile(path):
        with zipfile.ZipFile(path) as archive:
            return archive.comment == EXPORT_ZIP_COMMENT
    return False


def _plain(value: Any) -> Any:
    """Front-matter values as JSON/YAML-safe types (dates as ISO text)."""
    if isinstance(value, (dt.date, dt.datetime)):
        return value.isoformat()
    if isinstance(value, dict):
        return {str(k): _plain(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [_plain(v) for v in value]
    return value


def _export_json(notes: list[Note]) -> str:
    rows = []
    for note in notes:
        rows.append(NoteSummary.of(note).to_json() | {
            "draft": note.draft, "date_source": note.date_source, "modified": note.modified.isoformat(),
            "metadata": _plain(note.metadata), "text": note.body,
        })
    exported = dt.datetime.now().replace(microsecond=0).isoformat()
    return json.dumps({"exported_at": exported, "notes": rows}, indent=2, ensure_ascii=False) + "\n"


def _export_zip(notes: list[Note]) -> bytes:
    """The notes' files, byte for byte, at their journal-relative paths (issue 20: rewriting the front matter
    lost ``last_modified_at`` and trailing two-space line breaks, which change how a note renders)."""
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", compression=zipfile.ZIP_DEFLATED) as archive:
        archive.comment = EXPORT_ZIP_COMMENT
        for note in notes:
            name = note.rel_path if not note.rel_path.startswith("/") else Path(note.rel_path).name
            try:
                data = note.path.read_bytes()
            except OSError as exc:
                raise JournalError(f"cannot read {note.rel_path} to export it: {exc.strerror or exc}") from exc
            archive.writestr(name, data)
    return buffer.getvalue()
