"""What the site emits is safe: sanitized HTML, escaped metadata, XML-clean text.

Notes are the learner's, but they are also copied from the web, pasted from
chat and synced from other tools, so the site treats them as untrusted input.
Three rules, each applied in exactly one place:

1. **Bodies → HTML are sanitized after Markdown** (:func:`clean_html`, run by the
   extension of :func:`sanitize_extension`, a Python-Markdown postprocessor that runs last,
   after raw HTML and footnotes are put back). MkDocs renders every page with
   ``config.markdown_extensions``, and the Material blog plugin renders its
   excerpts (home page, archive, category pages) with a Markdown instance of
   its own built from the same list, without calling any MkDocs event. So an
   extension appended to that list is the one place both pass through; a
   ``on_page_content`` hook would miss the excerpts. nh3 (ammonia) removes
   ``<script>``/``<style>`` with their content, every ``on*`` attribute,
   ``javascript:`` URLs and anything the allow-list below does not name. The
   allow-list is what Python-Markdown and the extensions of the shipped
   ``mkdocs.yml`` produce (headings with ids, code/pre with classes,
   highlighted spans and line anchors, tables with ``text-align``, footnotes,
   task-list checkboxes, admonitions, details, abbr, definition lists) plus
   Material's own content markup (inline SVG icons, tabbed-set inputs).
   ``[site] allow_html = true`` leaves the extension out: raw HTML and
   ``{: attr=... }`` lists written in notes are kept, as the learner asked.
2. **Titles, tags and categories are text**; MkDocs and Material templates do
   not autoescape (a page title is HTML to them), and the blog plugin writes
   category pages as ``# {name}`` Markdown, and the RSS plugin writes
   ``<category>{{ name }}</category>`` unescaped. So the generated post's front
   matter carries them HTML-escaped (:func:`escape_text`), which is right for
   all of those at once. The feeds are the exception, put right by the build
   (:mod:`journal_agent.site.build`): the RSS template escapes titles itself, and
   JSON Feed wants plain text, so a feed carries ``R&D`` (``R&amp;D`` in the XML file).
3. **Feeds are XML 1.0**, which forbids most C0 control characters even as
   character references. :func:`xml_clean` removes them from note bodies and
   metadata before anything is rendered (a form feed or vertical tab becomes a
   line break, the way a pager reads it).

Source: nh3 (https://nh3.readthedocs.io/), the Python binding of ammonia;
XML 1.0 §2.2 "Characters" for the allowed code points.
"""

from __future__ import annotations

import html
import re
from typing import Any

# Comments that carry meaning through the build: the blog's excerpt separator and our cut marker.
KEPT_COMMENTS = ("<!-- more -->", "<!-- journal:excerpt-cut -->")

_GLOBAL_ATTRIBUTES = {"class", "id", "title", "lang", "dir", "aria-hidden", "aria-label"}
_SVG_ATTRIBUTES = {"viewbox", "viewBox", "xmlns", "width", "height", "fill", "fill-rule", "clip-rule", "d"}
ALLOWED_ATTRIBUTES: dict[str, set[str]] = {
    "*": _GLOBAL_ATTRIBUTES,
    "a": {"href", "hreflang", "name"},
    "img": {"src", "alt", "width", "height", "loading", "align"},
    "td": {"colspan", "rowspan", "headers", "align", "style"},
    "th": {"colspan", "rowspan", "headers", "align", "scope", "style"},
    "ol": {"start", "type", "reversed"},
    "li": {"value"},
    "input": {"checked", "disabled", "name"},
    "label": {"for"},
    "details": {"open"},
    "time": {"datetime"},
    "abbr": set(),
    "del": {"datetime", "cite"},
    "ins": {"datetime", "cite"},
    "q": {"cite"},
    "blockquote": {"cite"},
    "col": {"span"},
    "colgroup": {"span"},
    "svg": _SVG_ATTRIBUTES,
    "path": _SVG_ATTRIBUTES,
}
ALLOWED_TAGS = {
    "a", "abbr", "b", "blockquote", "br", "caption", "cite", "code", "col", "colgroup", "dd", "del",
    "details", "dfn", "div", "dl", "dt", "em", "figcaption", "figure", "h1", "h2", "h3", "h4", "h5", "h6",
    "hr", "i", "img", "input", "ins", "kbd", "label", "li", "mark", "ol", "p", "pre", "q", "s", "samp",
    "small", "span", "strong", "sub", "summary", "sup", "table", "tbody", "td", "tfoot", "th", "thead",
    "time", "tr", "u", "ul", "var", "wbr", "svg", "path",
}
# task lists (checkbox) and Material content tabs (radio) are the only inputs Markdown makes
_INPUT_TYPES = {"input": {"type": {"checkbox", "radio"}}}
_STYLE_PROPERTIES = {"text-align"}  # Python-Markdown's tables align cells with style="text-align: ..."

# XML 1.0 Char: #x9 | #xA | #xD | [#x20-#xD7FF] | [#xE000-#xFFFD] | [#x10000-#x10FFFF]
_XML_INVALID_RE = re.compile("[\x00-\x08\x0e-\x1f\ud800-\udfff\ufffe\uffff]")
_PAGE_BREAK_RE = re.compile("[\x0b\x0c]")


def xml_clean(text: str) -> str:
    """``text`` without the characters XML 1.0 forbids; vertical tab and form feed become ``\\n``.

    Carriage returns are kept (line endings are normalized elsewhere).
    """
    return _XML_INVALID_RE.sub("", _PAGE_BREAK_RE.sub("\n", text))


def escape_text(value: Any) -> str:
    """A title, tag or category as HTML text: one line, no control characters, ``<>&"'`` escaped.

    ``R&D`` → ``R&amp;D``; ``<svg onload=x>`` → ``&lt;svg onload=x&gt;``.
    """
    text = re.sub(r"\s+", " ", xml_clean(str(value))).strip()
    return html.escape(text, quote=True)


# html.escape(quote=True) as a table, plus the ASCII punctuation that makes inline Markdown in a
# one-line heading: backslash escapes, code, emphasis, links/images/footnotes, attribute lists,
# ATX closing hashes, and ~ (pymdownx.tilde: ~~del~~, H~2~O).
_HTML_TEXT = {ord("&"): "&amp;", ord("<"): "&lt;", ord(">"): "&gt;", ord('"'): "&quot;", ord("'"): "&#x27;"}
_MARKDOWN_TEXT = {**_HTML_TEXT, **{ord(char): f"&#{ord(char)};" for char in "\\`*_[]{}#~"}}


def escape_title(value: Any) -> str:
    """A post title as HTML text that Markdown also reads as the same text.

    :func:`escape_text`, and ``\\ ` * _ [ ] { } # ~`` as numeric character
    references (``C# *tips*`` → ``C&#35; &#42;tips&#42;``). The page heading, the
    ``<title>`` and the footer links read the title as HTML, where a reference is
    its character; the blog writes the same value into Markdown as ``# {title}``
    for the excerpts on the home, archive and category pages, where a reference
    is text too (CommonMark §2.5) but a ``*`` would be emphasis: the excerpt's
    heading then said something else than the post's (issue 20). Only titles:
    category and tag names also become URL slugs, which references would change.
    """
    return re.sub(r"\s+", " ", xml_clean(str(value))).strip().translate(_MARKDOWN_TEXT)


def head_title(value: Any) -> str:
    """A page title as the HTML text of ``<title>``: tags stripped, entities decoded once, then escaped.

    Material's ``<title>`` shows ``page.meta.title`` as it is, else
    ``page.title | striptags``, and Jinja's ``striptags`` also *decodes*
    entities: a category named ``</title><script>alert(1)</script>``
    (escaped by :func:`escape_text` like every category) came out raw in the
    category page's ``<title>`` (issue 21). The build sets every page's
    ``meta.title`` to this value (:mod:`journal_agent.site.build`), so the first
    branch is taken and the text is escaped exactly once. Idempotent:
    ``head_title(head_title(x)) == head_title(x)``.
    """
    from markupsafe import Markup

    return html.escape(Markup(str(value)).striptags(), quote=True)


def clean_html(fragment: str) -> str:
    """Sanitize one HTML fragment with nh3 and the allow-list of this module.

    The comments of :data:`KEPT_COMMENTS` survive (each piece between them is
    sanitized on its own, so a marker cannot open or close anything); every
    other comment is removed. Links keep their own ``rel`` (none is added).
    """
    import nh3

    pieces = [fragment]
    for marker in KEPT_COMMENTS:
        pieces = [part for piece in pieces for part in _split_keep(piece, marker)]
    return "".join(
        piece if piece in KEPT_COMMENTS else nh3.clean(
            piece,
            tags=ALLOWED_TAGS,
            attributes=ALLOWED_ATTRIBUTES,
            tag_attribute_values=_INPUT_TYPES,
            filter_style_properties=_STYLE_PROPERTIES,
            link_rel=None,
        )
        for piece in pieces
    )


def _split_keep(text: str, marker: str) -> list[str]:
    parts = text.split(marker)
    out: list[str] = []
    for index, part in enumerate(parts):
        if index:
            out.append(marker)
        if part:
            out.append(part)
    return out


def sanitize_extension() -> Any:
    """A Python-Markdown extension instance whose last postprocessor is :func:`clean_html`.

    Add it to ``config.markdown_extensions`` of a loaded MkDocs config; MkDocs
    pages and the blog plugin's excerpts are then both sanitized. Markdown is
    imported here, not at module import.
    """
    from markdown.extensions import Extension
    from markdown.postprocessors import Postprocessor

    class SanitizePostprocessor(Postprocessor):
        def run(self, text: str) -> str:
            return clean_html(text)

    class SanitizeExtension(Extension):
        def extendMarkdown(self, md: Any) -> None:
            # priority 0: after raw_html (30), footnote (25) and amp_substitute (20)
            md.postprocessors.register(SanitizePostprocessor(md), "journal_sanitize", 0)

    return SanitizeExtension()
