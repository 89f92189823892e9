"""``journal add``: write today's note into ``notes/`` (it is ingested by the caller).

The new note is "<series> Day N" with N one past the highest day number in
the journal, ISO ``date:`` front matter, and the configured categories. The
file is created exclusively (never overwrites); a lock under ``.journal/``
serializes the "find N, create file" step so two ``journal add`` at the same
moment get Day N and Day N+1 instead of one note.
"""

from __future__ import annotations

import datetime as dt
import re
from pathlib import Path
from typing import TYPE_CHECKING

from journal_agent.errors import JournalError
from journal_agent.notes.model import Note, read_note, slugify
from journal_agent.notes.walk import iter_note_files

if TYPE_CHECKING:
    from journal_agent.workspace import Journal

_TITLE_DAY_RE = re.compile(r"^\s*(?:title:|#)\s*[\"']?.*?\bday\s*#?\s*(\d{1,5})\b", re.IGNORECASE | re.MULTILINE)


def highest_day(journal: "Journal") -> int:
    """The highest "Day N" in any note's title or first heading (0 when none).

    Reads only the first 2 KB of each note: the title lives in the front
    matter or the first heading, and full parsing of thousands of notes would
    make ``journal add`` slow.
    """
    best = 0
    if not journal.notes_dir.exists():
        return 0
    for path in iter_note_files([journal.notes_dir]):
        try:
            head = path.read_bytes()[:2048].decode("utf-8", errors="replace")
        except OSError:
            continue
        match = _TITLE_DAY_RE.search(head)
        if match:
            best = max(best, int(match.group(1)))
    return best


def add_note(
    journal: "Journal",
    body: str,
    *,
    title: str | None = None,
    date: dt.date | None = None,
    categories: list[str] | None = None,
    tags: list[str] | None = None,
) -> Note:
    """Write a new note and return it as read back from disk.

    Args:
        body: Markdown body (without front matter).
        title: default "<series> Day N".
        date: journal date, default today.
        categories: default ``journal.config.journal.categories``.
        tags: optional tags.

    Raises:
        JournalError: empty body (nothing is written), or the lock could not be had.
    """
    import frontmatter
    from filelock import FileLock

    if not body or not body.strip():
        raise JournalError("empty note: nothing was written (give text, --file, or stdin)")
    date = date or dt.date.today()
    journal.notes_dir.mkdir(parents=True, exist_ok=True)
    with FileLock(str(journal.state_dir / "add.lock"), timeout=30):
        if title is None:
            title = f"{journal.config.journal.series} Day {highest_day(journal) + 1}"
        post = frontmatter.Post(
            body.strip() + "\n",
            title=title,
            date=date,
            categories=list(categories if categories is not None else journal.config.journal.categories),
            tags=list(tags or []),
        )
        text = frontmatter.dumps(post, sort_keys=False) + "\n"
        path = _create_exclusive(journal.notes_dir, f"{date.isoformat()}-{slugify(title) or 'note'}", text)
    return read_note(path, journal.root, journal.notes_dir)


def _create_exclusive(folder: Path, stem: str, text: str) -> Path:
    for attempt in range(1, 1000):
        path = folder / (f"{stem}.md" if attempt == 1 else f"{stem}-{attempt}.md")
        try:
            with path.open("x", encoding="utf-8") as handle:
                handle.write(text)
            return path
        except FileExistsError:
            continue
    raise JournalError(f"could not find a free file name for {stem}.md in {folder}")
