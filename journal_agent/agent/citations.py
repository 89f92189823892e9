"""Which notes an answer cites, and which notes it names without having retrieved them.

A note is a **source** of an answer when the agent retrieved it in this turn
(``archival_memory_search``) and the answer names it: by title, path or file
name. A note the answer names that was not retrieved in this turn is
**flagged**: it may be remembered from an earlier turn or invented, and is
never listed as a source. Names are matched case-insensitively on word
boundaries; short, generic titles (under 3 words and 20 characters) are only
matched when quoted, bold or in backticks, to avoid false alarms.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from journal_agent.errors import NoteError
from journal_agent.notes.files import paths_cited
from journal_agent.notes.journal import note_files, read_head
from journal_agent.notes.model import file_name_title


@dataclass
class Source:
    """A cited note: ``title``, ``date`` (``datetime.date``) and journal-relative ``path``.

    ``anchor`` is the cited entry's heading id in the note's post when the note splits into
    entries (``Entry.anchor``, :mod:`journal_agent.notes.entries`; the retrieved hit's), else ``""``.
    """

    title: str
    date: dt.date
    path: str
    anchor: str = ""

    def to_dict(self) -> dict[str, str]:
        """``{"title", "date" (ISO), "path"}``, and ``"anchor"`` when the source is an entry with one."""
        found = {"title": self.title, "date": self.date.isoformat(), "path": self.path}
        if self.anchor:
            found["anchor"] = self.anchor
        return found


@dataclass
class NoteName:
    """How a note can be named: its ``title`` and journal-relative ``path``."""

    title: str
    path: str


def known_notes(journal) -> list[NoteName]:
    """Titles and paths of the notes under ``notes/``, as the notes model reads them.

    Uses the model's cheap reader (:func:`~journal_agent.notes.model.read_note_head`:
    front matter and first heading, the same title rules as ``read_note``); a note
    it cannot read is still known by its file name.
    """
    names: list[NoteName] = []
    for path in note_files(journal):
        try:
            title = read_head(journal, path).title
        except NoteError:
            title = None
        names.append(NoteName(title or file_name_title(path), journal.relative(path)))
    return names


def _mentions(answer: str, title: str) -> bool:
    title = " ".join(title.split())
    if len(title) < 4:
        return False
    pattern = r"(?<![\w])" + re.escape(title).replace(r"\ ", r"\s+") + r"(?![\w])"
    if len(title.split()) >= 3 or len(title) >= 20:
        return re.search(pattern, answer, re.IGNORECASE) is not None
    quoted = r"[\"'“‘*`_]" + re.escape(title) + r"[\"'”’*`_]"
    return re.search(quoted, answer, re.IGNORECASE) is not None


def _names_path(answer: str, path: str) -> bool:
    lowered, path = answer.lower(), path.lower()
    return path in lowered or Path(path).name in lowered


def find_citations(answer: str, retrieved: dict[str, Any],
                   known: Iterable[NoteName] = ()) -> tuple[list[Source], list[str]]:
    """Split what ``answer`` names into sources and flags.

    Args:
        answer: the agent's final answer.
        retrieved: note path → ``SearchHit`` (``title``, ``date``, ``path``, ``anchor``) retrieved this turn.
        known: every note's name (see :func:`known_notes`), to spot notes named but not retrieved.

    Returns:
        ``(sources, flagged)``: sources in retrieval order, each with its hit's entry anchor; flagged as
        human-readable strings (title and path, or the unknown path as written).
    """
    sources = [Source(hit.title, hit.date, path, getattr(hit, "anchor", "") or "") for path, hit in retrieved.items()
               if _mentions(answer, hit.title) or _names_path(answer, path)]
    retrieved_titles = {hit.title.lower() for hit in retrieved.values()}
    known = list(known)
    known_paths = {n.path.lower() for n in known}
    known_names = {Path(n.path).name.lower() for n in known}
    flagged = [f"\"{note.title}\" ({note.path})" for note in known  # named, but not retrieved
               if note.path not in retrieved and note.title.lower() not in retrieved_titles
               and (_mentions(answer, note.title) or _names_path(answer, note.path))]
    remainder = answer
    for path in sorted({*retrieved, *(n.path for n in known)}, key=len, reverse=True):
        remainder = re.sub(re.escape(path), " ", remainder, flags=re.IGNORECASE)
    for written in paths_cited(remainder):
        lowered = written.lower()
        if any(lowered.endswith(p.lower()) or p.lower().endswith(lowered) for p in retrieved) \
                or lowered in known_paths or Path(lowered).name in known_names:
            continue  # retrieved, or a known note (handled above)
        flagged.append(f"{written} (no such note in this journal)")
    return sources, flagged
