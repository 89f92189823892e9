"""The CommonMark parsers journal-agent reads notes with (markdown-it-py), each built once.

Every module that tokenizes a note's Markdown asks :func:`parser` for one, by what it
needs, instead of building its own: the notes model and the site read headings with
block rules only; chunking sees tables as tables (a row never splits a chunk); review
cards also need strikethrough and definition lists (mdit-py-plugins); Anki's HTML is
rendered with raw HTML off. A parser is stateless per ``parse`` call, so one per
configuration is shared (``functools.lru_cache``).
"""

from __future__ import annotations

from functools import cache
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from markdown_it import MarkdownIt


@cache
def parser(*, inline: bool = True, tables: bool = False, strikethrough: bool = False, deflists: bool = False,
           html: bool = True) -> MarkdownIt:
    """A shared CommonMark parser.

    Args:
        inline: parse inline content (emphasis, links, code spans); off when only block
            structure (headings, fences) is read: it is most of the parsing time.
        tables, strikethrough: the GFM extensions markdown-it ships.
        deflists: definition lists (``mdit_py_plugins.deflist``).
        html: raw HTML blocks and inline HTML (CommonMark's default); off for HTML given to other apps.
    """
    from markdown_it import MarkdownIt

    md = MarkdownIt("commonmark", {"html": html})
    if not inline:
        md.disable("inline")
    md.enable([name for name, wanted in (("table", tables), ("strikethrough", strikethrough)) if wanted])
    if deflists:
        from mdit_py_plugins.deflist import deflist_plugin

        md.use(deflist_plugin)
    return md
