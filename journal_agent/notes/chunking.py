"""Heading-aware chunking of a note's Markdown body.

The body is parsed with markdown-it-py; top-level blocks (paragraphs, lists,
fenced code, tables, block quotes) are gathered into chunks that

* start a new chunk at a heading once the current one holds ``min_chars``,
* never exceed ``max_chars`` except for a single block that is larger
  (a fenced code block always stays whole; an oversized paragraph is split
  at line or sentence boundaries),
* remember their heading path (``"Book part > CNNs"``).

Lines are what markdown-it's line map counts: text split on ``\n`` after
``\r\n`` and lone ``\r`` are normalized to ``\n`` (CommonMark §2.1, as the notes
model does). ``str.splitlines`` also breaks at form feed, vertical tab, NEL,
U+2028/U+2029 and FS/GS/RS; using it against markdown-it's map shifted every
later line and dropped text (issue 11), so it is not used here.

:func:`chunk_note` chunks a whole note the way ingest stores it: entry by entry
(:mod:`~journal_agent.notes.entries`), so a chunk never spans two entries and each
chunk knows its entry (``Chunk.entry``), and with the text a learner writes in front
matter (``learnings``, ``summary``, ``description``, ``excerpt``, ``takeaways``) as
chunks of their own under the heading "Front matter", first, in entry 0: separate
chunks (not appended to the body's first chunk) so the body's chunks and their lines
stay as written and a ``learnings:`` list is found as itself.

The text that is embedded is the note title plus heading path plus the chunk,
so a chunk deep in a note still carries what the note is about. 1,000
characters is about 200-250 word pieces, inside all-MiniLM-L6-v2's 256-token
window (Reimers & Gurevych 2019 trained it at 128; it was fine-tuned to 256).
"""

from __future__ import annotations

import re
from dataclasses import dataclass, replace
from typing import TYPE_CHECKING, Any

from journal_agent.notes.files import normalize_newlines
from journal_agent.notes.markdown import parser

if TYPE_CHECKING:
    from journal_agent.notes.model import Note

# front-matter fields whose text a learner writes about the note: searchable with it (issue 18)
SEARCHABLE_FRONT_MATTER = ("summary", "description", "excerpt", "learnings", "takeaways")
FRONT_MATTER_HEADING = "Front matter"
MAX_CHARS = 1000
MIN_CHARS = 200
HARD_SPLIT_CHARS = 4000  # even fenced code is split past this; a chunk must stay searchable


@dataclass(frozen=True)
class Chunk:
    """One piece of a note.

    Attributes:
        index: 0-based position in the note.
        heading: heading path, ``" > "``-joined, ``""`` before the first heading
            (``"Front matter"`` for a note's searchable front-matter text, see :func:`chunk_note`).
        text: the Markdown source of the chunk.
        entry: index into the note's ``entries`` (``0`` for :func:`chunk_markdown`, which knows no entries).
    """

    index: int
    heading: str
    text: str
    entry: int = 0

    def embedding_text(self, title: str) -> str:
        """Title + heading path + text: what the embedding model sees."""
        heading = [self.heading] if self.heading and self.heading != title else []
        return "\n".join([title, *heading, self.text])


def chunk_markdown(body: str, max_chars: int = MAX_CHARS, min_chars: int = MIN_CHARS) -> list[Chunk]:
    """Split a Markdown body into heading-aware chunks.

    Args:
        body: Markdown without front matter.
        max_chars: soft upper bound per chunk (characters).
        min_chars: a heading starts a new chunk only once the current one is this long.

    Returns:
        Chunks in document order; at least one chunk for a body that is not blank.
        Every non-blank line of ``body`` is in some chunk.
    """
    body = normalize_newlines(body)
    lines = body.split("\n")
    tokens = parser(tables=True).parse(body)
    headings: list[tuple[int, str]] = []  # (level, text) stack
    chunks: list[Chunk] = []
    current: list[str] = []
    current_heading = ""

    def flush() -> None:
        nonlocal current
        text = "\n\n".join(part for part in current if part.strip()).strip()
        if text:
            chunks.append(Chunk(len(chunks), current_heading, text))
        current = []

    def size() -> int:
        return sum(len(part) + 2 for part in current)

    for kind, start, end, at in _blocks(tokens, len(lines)):
        source = "\n".join(lines[start:end]).strip("\n")
        if not source.strip():
            continue
        if kind == "heading_open":
            level = int(tokens[at].tag[1])
            text = tokens[at + 1].content.strip()
            while headings and headings[-1][0] >= level:
                headings.pop()
            headings.append((level, text))
            if size() >= min_chars:
                flush()
            if not current:
                current_heading = " > ".join(h for _, h in headings)
            current.append(source)
        else:
            for piece in _split_block(source, kind, max_chars):
                if current and size() + len(piece) > max_chars:
                    flush()
                    current_heading = " > ".join(h for _, h in headings)
                current.append(piece)
    flush()
    return chunks


def _blocks(tokens, line_count: int) -> list[tuple[str, int, int, int]]:
    """Top-level blocks as ``(kind, first line, end line, token index)``, covering every line.

    Lines markdown-it makes no block of (link reference definitions) come back
    as ``"gap"`` blocks, so no text of the note is left out of its chunks.
    """
    blocks: list[tuple[str, int, int, int]] = []
    covered = 0
    for index, token in enumerate(tokens):
        if token.level != 0 or token.map is None or token.nesting == -1:
            continue  # inside a block (nested levels), or its closing token
        start, end = token.map
        if start > covered:
            blocks.append(("gap", covered, start, -1))
        blocks.append((token.type, start, end, index))
        covered = max(covered, end)
    if covered < line_count:
        blocks.append(("gap", covered, line_count, -1))
    return blocks


def _split_block(source: str, kind: str, max_chars: int) -> list[str]:
    """A block as one piece, or split when it is too large to embed as one."""
    limit = HARD_SPLIT_CHARS if kind in ("fence", "code_block") else max_chars
    if len(source) <= limit:
        return [source]
    pieces: list[str] = []
    current = ""
    units = re.split(r"(?<=\n)", source) if kind in ("fence", "code_block") or "\n" in source.strip() \
        else re.split(r"(?<=[.!?])\s+", source)
    for unit in units:
        while len(unit) > limit:  # one enormous line: cut it
            pieces.append((current + unit[: limit - len(current)]).strip())
            unit = unit[limit - len(current):]
            current = ""
        if len(current) + len(unit) > limit and current:
            pieces.append(current.strip())
            current = ""
        current += unit if unit.endswith("\n") else unit + " "
    if current.strip():
        pieces.append(current.strip())
    return pieces


def chunk_note(note: Note, max_chars: int = MAX_CHARS, min_chars: int = MIN_CHARS) -> list[Chunk]:
    """Chunk a note entry by entry, its searchable front matter first (see the module docstring).

    Args:
        note: a note as :func:`~journal_agent.notes.model.read_note` reads it (``note.entries`` at least one).
        max_chars, min_chars: as :func:`chunk_markdown`.

    Returns:
        Chunks numbered 0.. across the note, each with ``entry`` (an index into ``note.entries``); no chunk
        spans two entries. At least one: a note with no text to chunk gives its title as chunk 0.
    """
    chunks: list[Chunk] = []
    front = front_matter_text(note.metadata)
    if front:
        chunks += [replace(c, heading=FRONT_MATTER_HEADING) for c in chunk_markdown(front, max_chars, min_chars)]
    for entry in note.entries:
        chunks += [replace(c, entry=entry.index) for c in chunk_markdown(entry.body, max_chars, min_chars)]
    chunks = [replace(c, index=number) for number, c in enumerate(chunks)]
    return chunks or [Chunk(0, "", note.title)]


def front_matter_text(metadata: dict[str, Any]) -> str:
    """The searchable front matter of a note as Markdown: ``Learnings:`` then its items as a list, ``Summary:``
    then its text, for each of :data:`SEARCHABLE_FRONT_MATTER` present (keys lower-case, as the notes model
    keeps them; nested lists and mappings give their strings); ``""`` when there is none."""
    parts = []
    for key in SEARCHABLE_FRONT_MATTER:
        words = _strings(metadata.get(key))
        if not words:
            continue
        label = f"{key.capitalize()}:"
        if isinstance(metadata[key], (list, tuple, dict)):
            parts.append(label + "\n\n" + "\n".join(f"- {w}" for w in words))
        else:
            parts.append(f"{label} {' '.join(words)}")
    return "\n\n".join(parts)


def _strings(value: Any) -> list[str]:
    """Every non-empty string in a front-matter value, in order (numbers and dates as text, one line each)."""
    if value is None or isinstance(value, bool):
        return []
    if isinstance(value, dict):
        return [s for v in value.values() for s in _strings(v)]
    if isinstance(value, (list, tuple)):
        return [s for v in value for s in _strings(v)]
    text = re.sub(r"\s+", " ", str(value)).strip()
    return [text] if text else []
