"""A note in brief: its headings, its first lines and its open questions, as Markdown-safe text.

Read from markdown-it-py tokens (CommonMark), never with regular expressions over
the text, so nothing inside code blocks counts. Rules:

* **headings**: every heading's text, in order, except a level-1 heading that opens
  the note (its title), at most :data:`MAX_HEADINGS`;
* **first lines**: the first top-level paragraph (else the first text of the note),
  cut at :data:`FIRST_LINES_CHARS` characters;
* **open questions**: every line (paragraph line, list item, heading) whose text ends
  with "?", and every line under a heading named "Open questions" or "Questions"
  (any case, optional colon) up to the next heading of the same or a higher level,
  and every item of a list that follows a paragraph or list item so named.

Text is returned Markdown-escaped (:func:`markdown_text`): links keep their text,
images their alt text, code spans stay code spans, raw HTML and emphasis marks are
dropped; copied into another note, it renders as the text it was and adds no structure.
Used by weekly digests (:mod:`journal_agent.digest`).
"""

from __future__ import annotations

import html
import re
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from journal_agent.notes.markdown import parser

if TYPE_CHECKING:
    from collections.abc import Sequence

    from markdown_it.token import Token

FIRST_LINES_CHARS = 220
MAX_HEADINGS = 8
_QUESTION_LABEL_RE = re.compile(r"^(?:open\s+)?questions?\s*:?$", re.IGNORECASE)
_LIST_OPENS = ("bullet_list_open", "ordered_list_open")


@dataclass
class Outline:
    """``headings``, ``first_lines`` and ``questions`` of one note, as Markdown-escaped text."""

    headings: list[str] = field(default_factory=list)
    first_lines: str = ""
    questions: list[str] = field(default_factory=list)


def outline(body: str) -> Outline:
    """The :class:`Outline` of a note's Markdown ``body`` (rules in the module docstring)."""
    tokens = parser().parse(body)
    headings: list[str] = []
    first_lines = ""
    questions: list[str] = []
    section_level: int | None = None  # inside a heading named "Open questions"
    label_pending = False  # a paragraph/list item named "Open questions": the next list holds questions
    list_level: int | None = None  # inside that list
    first_heading = True
    fallback = ""  # the first text of a note without a top-level paragraph (lists only)
    for index, token in enumerate(tokens):
        if token.type == "heading_open":
            level = int(token.tag[1])
            plain, text = inline_text(tokens[index + 1], limit=200)
            if section_level is not None and level <= section_level:
                section_level = None
            label_pending, list_level = False, None
            if _QUESTION_LABEL_RE.match(plain.strip(" *_")):
                section_level = level
            elif plain.rstrip().endswith("?"):
                questions.append(text)
            if not (first_heading and level == 1) and text and len(headings) < MAX_HEADINGS:
                headings.append(text)
            first_heading = False
            continue
        if token.type in _LIST_OPENS and label_pending and list_level is None:
            list_level, label_pending = token.level, False
        elif token.type in ("bullet_list_close", "ordered_list_close") and token.level == list_level:
            list_level = None
        if token.type != "inline" or (index and tokens[index - 1].type == "heading_open"):
            continue
        lines = inline_lines(token)
        whole = " ".join(plain for plain, _ in lines).strip(" *_")
        if _QUESTION_LABEL_RE.match(whole):
            label_pending = _next_block(tokens, index + 1) in _LIST_OPENS
            continue
        if not first_lines and tokens[index - 1].type == "paragraph_open" and token.level == 1:
            first_lines = _join_cut([text for _, text in lines], FIRST_LINES_CHARS)
        fallback = fallback or _join_cut([text for _, text in lines], FIRST_LINES_CHARS)
        in_questions = section_level is not None or list_level is not None
        questions += [text for plain, text in lines if plain.strip() and (in_questions or plain.rstrip().endswith("?"))]
    return Outline(headings, first_lines or fallback, list(dict.fromkeys(questions)))


def is_question_label(text: str) -> bool:
    """Whether a heading or line's text names a questions section ("Open questions", "Questions:")."""
    return bool(_QUESTION_LABEL_RE.match(text.strip(" *_\\")))


def _next_block(tokens: Sequence[Token], start: int) -> str | None:
    """The type of the next token from ``start`` on that opens something (closing tokens skipped)."""
    for token in tokens[start:]:
        if not token.type.endswith("_close"):
            return token.type
    return None


def inline_lines(token: Token, limit: int = 300) -> list[tuple[str, str]]:
    """The lines of an inline token as ``(plain text, Markdown-escaped text)``, each cut at ``limit`` characters.

    Links keep their text, images their alt text, code spans stay code; raw HTML and emphasis marks are dropped.
    """
    lines: list[list[tuple[str, str]]] = [[]]
    for child in token.children or []:
        if child.type in ("softbreak", "hardbreak"):
            lines.append([])
        elif child.type == "text":
            lines[-1] += [(word, markdown_text(word)) for word in re.findall(r"\S+\s*|\s+", child.content)]
        elif child.type == "code_inline":
            lines[-1].append((child.content, code_span(child.content)))
        elif child.type == "image":
            lines[-1].append((child.content, markdown_text(child.content)))
    cut = [_cut(pieces, limit) for pieces in lines]
    return [(plain.strip(), _escape_start(text.strip())) for plain, text in cut if plain.strip()]


def inline_text(token: Token, limit: int = 300) -> tuple[str, str]:
    """An inline token's lines joined by spaces, as :func:`inline_lines` gives them."""
    lines = inline_lines(token, limit)
    return " ".join(p for p, _ in lines), " ".join(t for _, t in lines)


def _cut(pieces: list[tuple[str, str]], limit: int) -> tuple[str, str]:
    used = 0
    for count, (plain, _) in enumerate(pieces):
        if used and used + len(plain.rstrip()) > limit:
            return "".join(p for p, _ in pieces[:count]).rstrip(), "".join(t for _, t in pieces[:count]).rstrip() + "…"
        used += len(plain)
    return "".join(p for p, _ in pieces), "".join(t for _, t in pieces)


def _join_cut(lines: list[str], limit: int) -> str:
    joined = " ".join(lines)
    return joined if len(joined) <= limit + 40 else joined[:limit].rsplit(" ", 1)[0] + " …"


def markdown_text(text: str) -> str:
    """``text`` as Markdown that renders as that text: ``<>&`` as entities, ``\\`*_[]`` backslash-escaped.

    Both CommonMark and Python-Markdown read these escapes (``<`` is not escapable
    by backslash in Python-Markdown, hence the entities).
    """
    return re.sub(r"([\\`*_\[\]])", r"\\\1", html.escape(text, quote=False))


def code_span(text: str) -> str:
    """``text`` as a code span whose fence is longer than any backtick run inside it."""
    longest = max((len(run) for run in re.findall(r"`+", text)), default=0)
    fence = "`" * (longest + 1)
    pad = " " if text.startswith("`") or text.endswith("`") else ""
    return f"{fence}{pad}{text}{pad}{fence}"


def _escape_start(text: str) -> str:
    """A line that would start a block (``#``, ``>``, ``+``, ``-``, ``=``, ``1.``) has its first mark escaped."""
    return re.sub(r"^(\d*)(.)", r"\1\\\2", text, count=1) if re.match(r"[#>+\-=]|\d+[.)]", text) else text
