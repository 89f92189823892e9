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

The text that is embedded is the note title plus heading path plus the chunk,
so a chunk deep in a note still carries what the note is about. 1,000
characters is about 200-250 word pieces, inside all-MiniLM-L6-v2's 256-token
window (Reimers & Gurevych 2019 trained it at 128; it was fine-tuned to 256).
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from journal_agent.notes.files import normalize_newlines
from journal_agent.notes.markdown import parser

MAX_CHARS = 1000
MIN_CHARS = 200
HARD_SPLIT_CHARS = 4000  # even fenced code is split past this; a chunk must stay searchable


@dataclass(frozen=True)
class Chunk:
    """One piece of a note.

    Attributes:
        index: 0-based position in the note.
        heading: heading path, ``" > "``-joined, ``""`` before the first heading.
        text: the Markdown source of the chunk.
    """

    index: int
    heading: str
    text: str

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
