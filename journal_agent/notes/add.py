"""``journal add``: write a new note into ``notes/`` (it is ingested by the caller).

What the learner gives (text, a file, stdin or ``$EDITOR``) may carry its own
front matter; it is read with the notes model's rules (:func:`read_head`) and
merged: its title, date, categories and tags win unless options override, and
its other keys (``layout``, ``private``, ...) are kept. One front-matter block
is written, never two.

Day numbers are learning days (issue 9):

* ``--day N`` sets the day; a note's explicit day (front-matter ``day``, "Day N"
  in its title or first heading, see :func:`~journal_agent.notes.days.title_day`)
  wins otherwise (and a ``--day`` that disagrees with it is refused);
* a date that already has a day keeps that day (a second note on the same day);
* a new date after the latest day's date gets the highest day + 1;
* a date before the latest day's date without a day is refused with a message:
  the day cannot be guessed without renumbering.

A date in the future is refused unless it was given explicitly (``--date``).

The note is written atomically: a temporary file in ``notes/`` (hidden, so
never read as a note) is written and flushed, then linked to its final name
with ``os.link``, which fails rather than overwrite an existing note. A
failure while writing (disk full, file-size limit) removes the temporary
file: no empty or partial note is left. A lock under ``.journal/`` serializes
the "find the day, create the file" step.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

from journal_agent.atomic import write_new
from journal_agent.errors import JournalError, NoteError
from journal_agent.locks import JournalLock
from journal_agent.notes.days import title_day
from journal_agent.notes.files import MAX_NOTE_BYTES, decode_note_bytes, normalize_newlines
from journal_agent.notes.journal import note_files, read_one
from journal_agent.notes.journal import read_head as read_journal_head
from journal_agent.notes.model import Note, read_head, slugify

if TYPE_CHECKING:
    from journal_agent.workspace import Journal

LOCK_TIMEOUT_SECONDS = 5.0
EDITOR_INSTRUCTIONS = (
    "<!-- journal add: write what you learned today above or below this comment. "
    "Markdown works (# Heading, - list). This comment is not saved. -->"
)
EDITOR_TEMPLATE = f"\n\n{EDITOR_INSTRUCTIONS}\n"


@dataclass(frozen=True)
class DayOfNote:
    """A note that names a learning day: its ``day``, ``date`` and journal-relative ``path``."""

    day: int
    date: dt.date
    path: str


def note_days(journal: Journal) -> list[DayOfNote]:
    """Every note under ``notes/`` that names a learning day, read with the notes model's rules.

    Uses the cheap reader (:func:`~journal_agent.notes.model.read_note_head`);
    the full reader only for a day note whose date is not in its front matter
    (file-name, git or mtime date). Notes that cannot be read are skipped
    (``journal ingest`` names them).
    """
    days: list[DayOfNote] = []
    for path in note_files(journal):
        try:
            head = read_journal_head(journal, path)
            if head.day is None:
                continue
            date = head.date or read_one(journal, path).date
        except NoteError:
            continue
        days.append(DayOfNote(head.day, date, journal.relative(path)))
    return days


def highest_day(journal: Journal) -> int:
    """The highest learning day of any note (0 when none); see :func:`note_days`."""
    return max((d.day for d in note_days(journal)), default=0)


def choose_day(days: list[DayOfNote], date: dt.date) -> int:
    """The learning day of a new note on ``date`` that does not name one (rules in the module docstring).

    Raises:
        JournalError: ``date`` is before the latest day's date and has no day of its own.
    """
    if not days:
        return 1
    on_date = [d.day for d in days if d.date == date]
    if on_date:
        return max(on_date)
    latest = max(days, key=lambda d: (d.day, d.date))
    if date > latest.date:
        return latest.day + 1
    raise JournalError(
        f"{date.isoformat()} is before {latest.date.isoformat()}, the date of Day {latest.day} "
        f"({latest.path}), and has no day of its own; give --day N to number this note"
    )


def add_note(
    journal: Journal,
    text: str | bytes,
    *,
    title: str | None = None,
    date: dt.date | None = None,
    day: int | None = None,
    categories: list[str] | None = None,
    tags: list[str] | None = None,
    source: str = "note text",
    today: dt.date | None = None,
    lock_timeout: float = LOCK_TIMEOUT_SECONDS,
) -> Note:
    """Write a new note and return it as read back from disk.

    Args:
        text: the note: Markdown, optionally with front matter (from ``--file``,
            stdin or ``$EDITOR``; :data:`EDITOR_INSTRUCTIONS` is removed). Bytes are
            decoded as a note file is (UTF-8, no binary).
        title, date, categories, tags: options; each overrides the text's own front matter.
            ``date`` counts as given explicitly (a future date is then allowed).
        day: the learning day (``--day``); default as in the module docstring.
        source: what ``text`` came from, for messages (a file name).
        today: the current date (default: the system's).
        lock_timeout: seconds to wait for another ``journal add`` (:class:`LockBusy` after).

    Raises:
        NoteError: the text cannot be read as a note (front matter, encoding, ...); nothing is written.
        JournalError: empty text, over ``MAX_NOTE_BYTES``, a future or earlier date
            without what makes it valid, a ``day`` that disagrees with the text, or the
            write failed (nothing is left behind).
        LockBusy: another ``journal add`` held the lock for ``lock_timeout`` seconds.
    """
    import frontmatter

    origin = Path(source)
    if isinstance(text, bytes):
        text = decode_note_bytes(origin, text) if text.strip() else ""
    text = normalize_newlines(text).replace(EDITOR_INSTRUCTIONS, "")
    if not text.strip():
        raise JournalError("empty note: nothing was written (give text, --file, or stdin)")
    languages = journal.config.journal.date_languages
    head = read_head(origin, text, suffix=".md", languages=languages)
    if not head.body.strip():
        raise JournalError(f"empty note: {source} has front matter but no text; nothing was written")
    today = today or dt.date.today()
    explicit_date = date is not None
    date = date or head.date or today
    if date > today and not explicit_date:
        raise JournalError(f"the note's date {date.isoformat()} (from {source}) is in the future; "
                           f"give --date {date.isoformat()} if you mean it")
    named_day = title_day(title) or head.day
    if day is not None and named_day is not None and day != named_day:
        raise JournalError(f"--day {day} disagrees with the note, which says Day {named_day}; give one of them")

    journal.notes_dir.mkdir(parents=True, exist_ok=True)
    lock = JournalLock(journal.state_dir / "add.lock", holder="`journal add`", timeout=lock_timeout)
    lock.acquire()
    try:
        day = day or named_day or choose_day(note_days(journal), date)
        if title is None:
            title = head.title if head.title_from == "front matter" else None
        title = title or f"{journal.config.journal.series} Day {day}"
        fields: dict[str, Any] = {"title": title, "date": date}
        if head.modified is not None:
            fields["last_modified_at"] = head.modified
        if title_day(title) != day:
            fields["day"] = day
        fields["categories"] = list(categories if categories is not None else
                                    head.categories or journal.config.journal.categories)
        fields["tags"] = list(tags if tags is not None else head.tags)
        if head.private:
            fields["private"] = True
        if head.draft:
            fields["draft"] = True
        fields.update({key: value for key, value in head.metadata.items() if key not in fields})
        data = (frontmatter.dumps(frontmatter.Post(head.body.strip() + "\n", **fields), sort_keys=False)
                + "\n").encode("utf-8")
        if len(data) > MAX_NOTE_BYTES:
            raise JournalError(f"the note is {len(data) / 1e6:.1f} MB, over the {MAX_NOTE_BYTES / 1e6:.0f} MB "
                               "limit for one note; nothing was written (split it into smaller notes)")
        read_head(origin, data.decode("utf-8"), suffix=".md", languages=languages)  # what is written reads back
        path = _write_new(journal.notes_dir, f"{date.isoformat()}-{slugify(title) or 'note'}", data)
    finally:
        lock.release()
    return read_one(journal, path)


def _write_new(folder: Path, stem: str, data: bytes) -> Path:
    """Write ``data`` to a new ``<stem>[-N].md`` in ``folder`` atomically; never overwrite (:func:`write_new`).

    Raises:
        JournalError: the write failed (disk full, file too large, permissions); no file is left.
    """
    try:
        return write_new(folder, stem, ".md", data)
    except OSError as exc:
        raise JournalError(f"could not write the note in {folder} ({exc.strerror or exc}; is the disk full?); "
                           "nothing was written") from exc
