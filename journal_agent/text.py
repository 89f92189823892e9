"""Cutting text short: the one rule for titles, excerpts, tool results, quotes and terminal snippets.

:func:`one_line` (``textwrap.shorten``) collapses whitespace, newlines included, and cuts at a
word boundary with " …", so a cut never splits a word and the result fits ``width``;
:func:`clip` keeps the text's lines and cuts at ``limit`` characters with "…".
"""

from __future__ import annotations

import re
import textwrap

_LINK_RE = re.compile(r"!?\[([^\]]*)\]\([^)]*\)")  # [text](url) and ![alt](src)
_HEADING_MARK_RE = re.compile(r"(?m)^\s{0,3}#{1,6}\s*")


def one_line(text: str | None, width: int = 160) -> str:
    """``text`` on one line of at most ``width`` characters, " …" where it was cut."""
    return textwrap.shorten(text or "", width=width, placeholder=" …")


def plain_excerpt(markdown: str, width: int = 240) -> str:
    """A Markdown passage as one line of prose: heading marks dropped, links reduced to their text, then cut."""
    return one_line(_HEADING_MARK_RE.sub("", _LINK_RE.sub(r"\1", markdown)), width)


def clip(text: str, limit: int) -> str:
    """``text`` as written (lines kept) if it fits ``limit`` characters, else its first ``limit - 1`` and "…"."""
    return text if len(text) <= limit else text[: limit - 1] + "…"
