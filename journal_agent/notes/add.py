"""``journal add``: write a new note into ``notes/`` (it is ingested by the caller).

What the learner gives (text, a file, stdin or ``$EDITOR``) may carry its own
front matter; it is read with the notes model's rules (:func:`read_head`) and
merged: its title, date, categories and tags win unless options override, and
its other keys (``layout``, ``private``, ...) are kept. One front-matter block
is written, never two.

Day numbers are learning days (issues 9 and 20):

* ``--day N`` sets the day; a note's explicit day (front-matter ``day``, "Day N"
  in its title or first heading, see :func:`~journal_agent.notes.days.title_day`)
  wins otherwise (and a ``--day`` that disagrees with it is refused);
* a day another date already holds is refused, naming the note that holds it;
* a date that already has a day keeps that day (a second note on the same day);
* a new date after the latest day's date gets the highest day + 1;
* a date between two days' dates (backfilling a missed day, jrnl's
  ``jrnl yesterday: ...``) gets the first free day after its earlier
  neighbour's, when one is free below its later neighbour's; when none is free
  it is refused, saying which days would have to move: later notes are
  renumbered only when the learner asks (``--renumber``: each later day + 1,
  see :func:`shift_days`).

A date in the future is refused unless ``allow_future`` (the CLI: an ISO
``--date`` such as 2026-12-15, or a "yes" at the terminal prompt); a relative
date like "next tuesday" is too easy to mistype for a past one.

Without ``--title`` the title is the text's own: its front-matter ``title``,
else its first ``# heading`` (what the site shows), unless that heading names
a learning day ("Day 4| Momentum Learning Series"); then, as when there is
neither, it is "<series> Day N". ``--tag`` adds to the text's own tags.

The note is written atomically: a temporary file in ``notes/`` (hidden, so
never read as a note) is written and flushed, then linked to its final name
with ``os.link``, which fails rather than overwrite an existing note. A
failure while writing (disk full, file-size limit) removes the temporary
file: no empty or partial note is left. A lock under ``.journal/`` serializes
the "find the day, create the file" step.
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

from journal_agent.atomic import write_new
from journal_agent.errors import JournalError, NoteError
from journal_agent.locks import JournalLock
from journal_agent.notes.days import renumber_day_words, title_day, title_days
from journal_agent.notes.entries import listed
from journal_agent.notes.files import MAX_NOTE_BYTES, decode_note_bytes, normalize_newlines
from journal_agent.notes.journal import note_files, own_notes, read_one
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


class NoFreeDay(JournalError):
    """A backfilled date falls between two days' dates with no free day number between them.

    Attributes:
        day: the day the note would take if the later days moved up by one (``renumber``).
    """

    def __init__(self, message: str, day: int):
        super().__init__(message)
        self.day = day


@dataclass(frozen=True)
class DayOfNote:
    """A note that names a learning day: its ``day``, ``date`` and journal-relative ``path``.

    ``entry`` marks a day of an entry inside a log note (``### Day 12: ...`` sections, issue 18): it counts
    for the next day and a day's date, but is never renumbered (its day is written in its entry's heading).
    """

    day: int
    date: dt.date
    path: str
    entry: bool = False


def note_days(journal: Journal) -> list[DayOfNote]:
    """Every note under ``notes/`` that names a learning day, read with the notes model's rules.

    A log note (two or more headings naming days, a single-file #100DaysOfCode log) gives one
    :class:`DayOfNote` per day of each entry (``entry=True``), so a log of Day 0 .. Day 81 makes the next
    note Day 82. Only ``notes/``, the folder ``journal add`` writes into and ``journal renumber`` rewrites: another
    ingested folder (an older journal, another learner's log) keeps its own day numbers and is never
    rewritten (no command overwrites a file it did not write).

    Uses the cheap reader (:func:`~journal_agent.notes.model.read_note_head`);
    the full reader only for a day note whose date is not in its front matter
    (file-name, git or mtime date). Notes that cannot be read are skipped
    (``journal ingest`` names them).
    """
    days: list[DayOfNote] = []
    for path in note_files(journal, own_notes(journal)):
        try:
            head = read_journal_head(journal, path)
            if _day_headings(head.body) >= 2:  # a log (Day 0 .. Day 81 in one file): a day per entry
                note = read_one(journal, path, journal.notes_dir)
                days += [DayOfNote(day, entry.date, journal.relative(path), entry=True)
                         for entry in listed(note.entries) for day in entry.days]
                continue
            if head.day is None:
                continue
            date = head.date or read_one(journal, path, journal.notes_dir).date  # notes/ only: no record to read
        except NoteError:
            continue
        days.append(DayOfNote(head.day, date, journal.relative(path)))
    return days


_HEADING_LINE = re.compile(r"^ {0,3}#{1,6}[ \t]+(.+)$", re.MULTILINE)


def _day_headings(body: str) -> int:
    """How many ATX heading lines of ``body`` name a learning day (a cheap look before the full read)."""
    return sum(1 for match in _HEADING_LINE.finditer(body) if title_days(match.group(1)).days)


def highest_day(journal: Journal) -> int:
    """The highest learning day of any note (0 when none); see :func:`note_days`."""
    return max((d.day for d in note_days(journal)), default=0)


def choose_day(days: list[DayOfNote], date: dt.date) -> int:
    """The learning day of a new note on ``date`` that does not name one (rules in the module docstring).

    Raises:
        NoFreeDay: ``date`` falls between two days' dates and no day number is free between them
            (the message names both neighbours).
    """
    if not days:
        return 1
    on_date = [d.day for d in days if d.date == date]
    if on_date:
        return max(on_date)
    before = [d for d in days if d.date < date]
    after = [d for d in days if d.date > date]
    if not after:
        return max(d.day for d in days) + 1
    used = {d.day for d in days}
    previous = max(before, key=lambda d: (d.day, d.date)) if before else None
    following = min(after, key=lambda d: (d.day, d.date))
    start = previous.day + 1 if previous else 1
    free = [n for n in range(start, following.day) if n not in used]
    if free:
        return free[0]
    earlier = (f"after Day {previous.day} ({previous.date.isoformat()}, {previous.path}) and "
               if previous else "")
    raise NoFreeDay(
        f"{date.isoformat()} falls {earlier}before Day {following.day} ({following.date.isoformat()}, "
        f"{following.path}), and no day number is free between them; give --renumber to make this "
        f"Day {following.day} and move Day {following.day} and later up by one", following.day)


def backfill_day(days: list[DayOfNote], date: dt.date) -> int | None:
    """The day a backfilled ``date`` takes when the later notes move up (``--renumber``), else ``None``.

    ``None`` when :func:`choose_day` finds a day without moving any (no later day, a free number, the date
    has a day already).
    """
    try:
        choose_day(days, date)
    except NoFreeDay as exc:
        return exc.day
    return None


def shift_days(journal: Journal, days: list[DayOfNote], first: int, after: dt.date) -> list[str]:
    """Renumber: every note on a date after ``after`` whose day is ``first`` or higher becomes day + 1.

    Returns the journal-relative paths rewritten (see :func:`rewrite_days`).

    Raises:
        JournalError: a note names its day somewhere this cannot rewrite (nothing is changed).
    """
    moved = [d for d in days if d.day >= first and d.date > after and not d.entry]
    return rewrite_days(journal, [(d, d.day + 1) for d in moved])


def renumber_plan(days: list[DayOfNote]) -> list[tuple[DayOfNote, int]]:
    """``journal renumber``: the learning days in date order, one number per date, no gaps or repeats.

    Numbering starts at the lowest day the journal has (a journal that began at Day 2 keeps starting there);
    notes on one date share its number. Returns ``(note, new day)`` for the notes whose day changes.
    """
    days = [d for d in days if not d.entry]  # a log's entries keep the days their headings say
    if not days:
        return []
    dates = sorted({d.date for d in days})
    start = min(d.day for d in days)
    number = {date: start + index for index, date in enumerate(dates)}
    return [(d, number[d.date]) for d in sorted(days, key=lambda d: (d.date, d.path)) if d.day != number[d.date]]


def rewrite_days(journal: Journal, changes: list[tuple[DayOfNote, int]]) -> list[str]:
    """Give each note its new learning day, changing only the words that name it.

    "day: 10" in the front matter and "Day 10" in the title and the first heading become the new
    number; every other byte of the note is kept. Every new text is made and read back first; only
    when all name their new day are the files replaced, each atomically (:func:`write_atomic`).

    Returns:
        The journal-relative paths rewritten.

    Raises:
        JournalError: a note names its day somewhere this cannot rewrite; nothing is changed.
    """
    from journal_agent.atomic import write_atomic

    planned: list[tuple[Path, bytes]] = []
    for held, day in changes:
        path = journal.root / held.path
        text = path.read_bytes().decode("utf-8")  # a readable note is UTF-8 (note_days read it)
        new = renumber_day_words(text, held.day, day)
        origin = Path(held.path)
        check = read_head(origin, decode_note_bytes(origin, new.encode("utf-8")),
                          languages=journal.config.journal.date_languages)
        if check.day != day:
            raise JournalError(f"cannot renumber {held.path} (Day {held.day}): its day is not written as "
                               "`day: N` or \"Day N\" in its title or heading; renumber it by hand; "
                               "nothing was changed")
        planned.append((path, new.encode("utf-8")))
    for path, data in planned:
        write_atomic(path, data)
    return [held.path for held, _ in changes]


def renumber_journal(journal: Journal, *, apply: bool = True,
                     lock_timeout: float = LOCK_TIMEOUT_SECONDS) -> list[tuple[DayOfNote, int]]:
    """``journal renumber``: make the learning days run in date order without gaps (:func:`renumber_plan`).

    Args:
        apply: rewrite the notes (:func:`rewrite_days`); ``False`` only returns the plan.
        lock_timeout: seconds to wait for a running ``journal add`` (:class:`LockBusy` after).

    Returns:
        ``(note, new day)`` for every note whose day changes (changed when ``apply``).

    Raises:
        JournalError: a note's day cannot be rewritten (nothing is changed).
        LockBusy: a ``journal add`` held the lock for ``lock_timeout`` seconds.
    """
    lock = JournalLock(journal.writable_state_dir("journal renumber") / "add.lock", holder="`journal add`",
                       timeout=lock_timeout)
    with lock:
        plan = renumber_plan(note_days(journal))
        if apply and plan:
            rewrite_days(journal, plan)
    return plan


def check_day_free(days: list[DayOfNote], day: int, date: dt.date) -> None:
    """Refuse ``day`` when a note on another date already holds it (``journal add --day N``).

    Raises:
        JournalError: naming the note that holds Day ``day``.
    """
    for held in days:
        if held.day == day and held.date != date:
            raise JournalError(
                f"Day {day} is already {held.path} ({held.date.isoformat()}); a learning day has one date. "
                f"Give another --day, or --date {held.date.isoformat()} to add to that day")


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
    allow_future: bool = False,
    renumber: bool = False,
    lock_timeout: float = LOCK_TIMEOUT_SECONDS,
) -> Note:
    """Write a new note and return it as read back from disk.

    Args:
        text: the note: Markdown, optionally with front matter (from ``--file``,
            stdin or ``$EDITOR``; :data:`EDITOR_INSTRUCTIONS` is removed). Bytes are
            decoded as a note file is (UTF-8, no binary).
        title, date, categories: options; each overrides the text's own front matter.
        tags: added to the text's own tags (``--tag``).
        day: the learning day (``--day``); default as in the module docstring.
        source: what ``text`` came from, for messages (a file name).
        today: the current date (default: the system's).
        allow_future: accept a date after ``today`` (refused otherwise).
        renumber: when no day is free for a backfilled date, move the later days up by one
            (:func:`shift_days`) instead of refusing.
        lock_timeout: seconds to wait for another ``journal add`` (:class:`LockBusy` after).

    Raises:
        NoteError: the text cannot be read as a note (front matter, encoding, ...); nothing is written.
        JournalError: empty text, over ``MAX_NOTE_BYTES``, a future date without ``allow_future``,
            a backfilled date with no free day (without ``renumber``), a ``day`` that disagrees with
            the text or is another date's, or the write failed (nothing is left behind).
        LockBusy: another ``journal add`` held the lock for ``lock_timeout`` seconds.
    """
    import frontmatter

    origin = Path(source)
    if isinstance(text, bytes):
        text = decode_note_bytes(origin, text) if text.strip() else ""
    text = normalize_newlines(text).replace(EDITOR_INSTRUCTIONS, "")
    if not text.strip():
        raise JournalError("empty note: nothing was written (give the text as an argument, --file FILE, "
                           "stdin, or run `journal add` alone at a terminal to write it in $EDITOR)")
    languages = journal.config.journal.date_languages
    head = read_head(origin, text, suffix=".md", languages=languages)
    if not head.body.strip():
        raise JournalError(f"empty note: {source} has front matter but no text; nothing was written")
    today = today or dt.date.today()
    given = "--date" if date is not None else source
    date = date or head.date or today
    if date > today and not allow_future:
        raise JournalError(f"the note's date {date.isoformat()} (from {given}) is in the future, after "
                           f"{today.isoformat()}; nothing was written (give --date {date.isoformat()} "
                           "if you mean it)")
    named_day = title_day(title)
    named_day = head.day if named_day is None else named_day  # "Day 0" is a day, not "no day"
    if day is not None and named_day is not None and day != named_day:
        raise JournalError(f"--day {day} disagrees with the note, which says Day {named_day}; give one of them")

    journal.notes_dir.mkdir(parents=True, exist_ok=True)
    lock = JournalLock(journal.state_dir / "add.lock", holder="`journal add`", timeout=lock_timeout)
    lock.acquire()
    try:
        days = note_days(journal)
        day = named_day if day is None else day
        if day is None and renumber and (moved := backfill_day(days, date)) is not None:
            shift_days(journal, days, moved, date)
            day = moved
        elif day is None:
            day = choose_day(days, date)
        else:
            check_day_free(days, day, date)
        if title is None and (head.title_from == "front matter" or
                              (head.title_from == "heading" and title_day(head.title) is None)):
            title = head.title
        title = title or f"{journal.config.journal.series} Day {day}"
        fields: dict[str, Any] = {"title": title, "date": date}
        if head.modified is not None:
            fields["last_modified_at"] = head.modified
        if title_day(title) != day:
            fields["day"] = day
        fields["categories"] = list(categories if categories is not None else
                                    head.categories or journal.config.journal.categories)
        fields["tags"] = list(dict.fromkeys([*head.tags, *(tags or [])]))
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
