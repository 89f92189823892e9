"""Review cards from the structures learners write in their notes, offline and without a model.

A card is a question and its answer taken from one note. Four structures make cards:

* **term lines** (kind ``term``): a line that starts with a bold term followed by a
  separator and the definition: ``**term**: definition``, ``**term:** definition``,
  ``**term** → definition`` (also ``->``, ``=>``, ``—``, ``–``, `` - ``). A term line with
  nothing after the separator takes the list that follows it as its answer
  (``- **CNN layers**:`` then a nested list).
* **definition lists** (kind ``term`` too): ``Term`` then ``: definition`` lines
  (PHP Markdown Extra / Pandoc syntax, parsed by mdit-py-plugins' deflist).
* **question lines** (kinds ``qa`` and ``qa-reverse``): ``Question::Answer`` on one line,
  and ``Question:::Answer`` which makes the pair both ways (the single-line syntax of
  the obsidian-spaced-repetition plug-in, https://www.stephenmwangi.com/obsidian-spaced-repetition/flashcards/).
* **question headings** (kind ``heading``): a heading that asks a question (it ends with
  ``?``: "## Why do CNNs shrink the image?") over a short section with no sub-headings, at
  most :data:`SHORT_SECTION_CHARS` characters of Markdown in at most
  :data:`SHORT_SECTION_BLOCKS` blocks (paragraphs, lists, code blocks, ...). The heading is
  the question, the section the answer. The note's title heading (its first ``#``) never
  makes a card, nor a section that already holds term or question lines. A heading that
  only labels its section ("Reflection", "Next Step", "Good Tip", "2. **Spirituality**")
  is not a question, and a card made of it is not worth keeping (issue 20: such cards were
  most of what the learner's real notes gave).

Everything is read from markdown-it-py tokens, never from a regular expression over the
text, so nothing inside fenced or indented code, inline code, headings or tables becomes
a card. Generic labels (``**Note**:``, ``## References``) are not terms: :data:`NOT_TERMS`.

A card's id is a hash of the note's path, the card's kind and its question normalised
(:func:`card_id`), so the same question in the same note is the same card however its
answer changes, and re-reading a note never duplicates a card.

Extension point: :func:`extract_cards` is an :data:`Extractor`; the review store takes a
list of them. Cards proposed by a model (kind ``generated``, :mod:`~journal_agent.review.generate`)
are not found in the note's structures but rest on a sentence of it: a :class:`QuotedDraft`,
kept while :func:`find_quote` still finds its quote in the note.
"""

from __future__ import annotations

import hashlib
import re
import unicodedata
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Literal

from journal_agent.notes.markdown import parser

if TYPE_CHECKING:
    from markdown_it.token import Token

    from journal_agent.notes.model import Note

CardKind = Literal["term", "qa", "qa-reverse", "heading", "generated"]

SHORT_SECTION_CHARS = 400  # a short section: one idea, readable as an answer at a glance
SHORT_SECTION_BLOCKS = 3
MAX_TERM_CHARS = 100  # a bold phrase longer than this is emphasis, not a term
MAX_LIST_ANSWER_CHARS = 600  # a term line answered by the list that follows it
TERM_SEPARATORS = (":", "→", "->", "=>", "—", "–", " - ")
NOT_TERMS = frozenset({
    "note", "notes", "nb", "n.b", "tip", "tips", "hint", "warning", "caution", "danger", "important",
    "info", "update", "updated", "edit", "todo", "to do", "tl;dr", "tldr", "ps", "p.s", "example",
    "examples", "e.g", "source", "sources", "reference", "references", "link", "links", "resources",
    "see also", "related", "further reading", "summary", "conclusion", "takeaway", "takeaways",
    "result", "results", "output", "input", "status", "date", "today", "yesterday", "tomorrow",
})
NOT_TERM_FIRST_WORDS = frozenset({"update", "updated", "edit", "edited", "note", "warning", "todo", "ps", "p.s"})


@dataclass(frozen=True)
class CardDraft:
    """A card as read from a note, before it has a schedule.

    Attributes:
        id: stable id, 16 hex characters (:func:`card_id`).
        path: the note's path relative to the journal root (POSIX).
        kind: which structure it came from (module doc).
        question, answer: Markdown text.
        line: 1-based line in the note's file where the card's source starts.
    """

    id: str
    path: str
    kind: CardKind
    question: str
    answer: str
    line: int


Extractor = Callable[["Note", str, str], list[CardDraft]]
"""``(note, path, file_text) -> drafts``: one way of finding cards in a note."""


@dataclass(frozen=True)
class QuotedDraft:
    """A card that rests on a sentence of its note rather than on a structure (kind ``generated``).

    Attributes:
        draft: the card; ``draft.line`` is the line where the quote starts.
        quote: the note's words it is grounded in, as the model quoted them (:func:`find_quote` finds them).
    """

    draft: CardDraft
    quote: str


def find_quote(text: str, quote: str) -> int | None:
    """The 1-based line of ``text`` where ``quote`` starts, or ``None`` when ``text`` does not hold it.

    Whitespace is normalised on both sides (any run of spaces, tabs and newlines is one space,
    so a sentence wrapped over lines is found); everything else is compared as written,
    case-sensitively. An empty quote is never found.
    """
    words = list(re.finditer(r"\S+", text))
    wanted = " ".join(quote.split())
    if not wanted or not words:
        return None
    flat = " ".join(word.group() for word in words)
    at = flat.find(wanted)
    if at < 0:
        return None
    # Back from the flat string to the text: the word holding flat offset ``at``.
    index = flat.count(" ", 0, at)
    return text.count("\n", 0, words[index].start()) + 1


def normalize_question(text: str) -> str:
    """The form of a question that its id hashes: NFKC, case-folded, emphasis and code marks
    (``* _ ` ~``) dropped, whitespace collapsed, surrounding ``?:.!`` and spaces stripped."""
    text = unicodedata.normalize("NFKC", text).casefold()
    text = re.sub(r"[*_`~]", "", text)
    return " ".join(text.split()).strip(" ?:.!")


def card_id(path: str, kind: CardKind, question: str) -> str:
    """Stable card id: the first 16 hex digits of SHA-256 over path, kind and normalised question.

    ``qa`` and ``term`` are distinct kinds, so ``X::Y`` and ``**X**: Y`` in one note are two cards.
    """
    key = "\x1f".join((path, kind, normalize_question(question)))
    return hashlib.sha256(key.encode("utf-8")).hexdigest()[:16]


def extract_cards(note: Note, path: str | None = None, text: str | None = None) -> list[CardDraft]:
    """Cards of one note, in document order, without duplicates (the first of two equal ids wins).

    Args:
        note: the note, as :func:`journal_agent.notes.model.read_note` returns it.
        path: the id's path (default ``note.rel_path``).
        text: the file's text, to turn body lines into file lines (default: read ``note.path``;
            lines are body lines when neither is available).

    Returns:
        The drafts; empty for a note that holds none of the structures in the module doc.
    """
    path = path or note.rel_path
    if text is None:
        try:
            text = note.path.read_text(encoding="utf-8-sig")
        except (OSError, UnicodeDecodeError):
            text = ""
    at = text.find(note.body) if note.body else -1
    offset = text[:at].count("\n") if at > 0 else 0
    return cards_from_markdown(note.body, path, line_offset=offset)


def cards_from_markdown(body: str, path: str, line_offset: int = 0) -> list[CardDraft]:
    """Cards of a Markdown body (no front matter); see the module doc for the rules.

    Args:
        body: the Markdown text.
        path: the note's journal-relative path (part of each id).
        line_offset: lines before ``body`` in its file (front matter), added to each ``line``.
    """
    # Tables parsed as tables (so a row is never a card line), definition lists as dl/dt/dd.
    tokens = parser(tables=True, strikethrough=True, deflists=True).parse(body)
    lines = body.splitlines()
    found: list[tuple[int, CardKind, str, str]] = []  # (0-based body line, kind, question, answer)
    pending: list[tuple[int, str, int]] = []  # term lines with no definition: (line, term, list token index)
    for index, token in enumerate(tokens):
        if token.type == "inline" and index and tokens[index - 1].type == "paragraph_open":
            for entry in _line_cards(tokens, index):
                if entry[3]:
                    found.append(entry)
                elif entry[1] == "term":
                    pending.append((entry[0], entry[2], index + 2))
        elif token.type == "dt_open":
            entry = _definition_card(tokens, index, lines)
            if entry:
                found.append(entry)
    card_lines = {entry[0] for entry in found}
    for line, term, list_index in pending:
        answer = _following_list(tokens, list_index, lines, card_lines)
        if answer:
            found.append((line, "term", term, answer))
            card_lines.add(line)
    found += _heading_cards(tokens, lines, card_lines)
    found.sort(key=lambda entry: entry[0])
    drafts: dict[str, CardDraft] = {}
    for line, kind, question, answer in found:
        draft = CardDraft(card_id(path, kind, question), path, kind, question, answer, line + 1 + line_offset)
        drafts.setdefault(draft.id, draft)
    return list(drafts.values())




def _line_cards(tokens: Sequence[Token], index: int):
    """Term and question cards of the lines of one paragraph (tokens[index] is its inline token).

    A term line with nothing after its separator is yielded with an empty answer when it is the
    paragraph's last line (the list after the paragraph may answer it)."""
    inline = tokens[index]
    first = inline.map[0] if inline.map else 0
    groups = _split_lines(inline.children or [])
    for number, group in enumerate(groups):
        line = first + number
        qa = _question_line(group)
        if qa is not None:
            question, answer, reversed_ = qa
            yield line, "qa", question, answer
            if reversed_:
                yield line, "qa-reverse", answer, question
            continue
        term = _term_line(group)
        if term is None:
            continue
        name, definition = term
        if definition or number == len(groups) - 1:
            yield line, "term", name, definition


def _split_lines(children: Sequence[Token]) -> list[list[Token]]:
    groups: list[list[Token]] = [[]]
    for child in children:
        if child.type in ("softbreak", "hardbreak"):
            groups.append([])
        elif not (child.type == "text" and child.content == ""):
            groups[-1].append(child)
    return groups


def _question_line(group: list[Token]) -> tuple[str, str, bool] | None:
    """``Question::Answer`` (or ``:::`` for both ways) when ``::`` is in the line's text, not its code."""
    for position, child in enumerate(group):
        if child.type != "text" or "::" not in child.content:
            continue
        cut = child.content.index("::")
        reversed_ = child.content[cut:cut + 3] == ":::"
        width = 3 if reversed_ else 2
        question = (_render(group[:position]) + child.content[:cut]).strip()
        answer = (child.content[cut + width:] + _render(group[position + 1:])).strip()
        if question and answer:
            return question, answer, reversed_
        return None
    return None


def _term_line(group: list[Token]) -> tuple[str, str] | None:
    """``**term**<separator> definition`` at the start of a line → (term, definition); definition may be ''."""
    if not group or group[0].type != "strong_open":
        return None
    close = next((i for i, t in enumerate(group) if t.type == "strong_close" and t.level == group[0].level), None)
    if close is None:
        return None
    term = _render(group[1:close]).strip()
    rest = list(group[close + 1:])
    if term.endswith(":"):
        term = term[:-1].strip()
    else:
        if not rest or rest[0].type != "text":
            return None
        head = rest[0].content
        leading = head.lstrip()
        separator = next((s for s in TERM_SEPARATORS if s != " - " and leading.startswith(s)), None)
        if separator is not None:
            stripped = leading[len(separator):]
        elif head.startswith(" - "):
            stripped = head[3:]
        else:
            return None
        rest[0] = _text(stripped)
    if not _is_term(term):
        return None
    return term, _render(rest).strip()


def _is_term(text: str) -> bool:
    """Not empty, not too long, not a generic label (:data:`NOT_TERMS`, "Update 27th January: ...")."""
    words = normalize_question(text).split()
    return bool(words) and len(text) <= MAX_TERM_CHARS and " ".join(words) not in NOT_TERMS \
        and words[0] not in NOT_TERM_FIRST_WORDS


def _following_list(tokens: Sequence[Token], start: int, lines: list[str], card_lines: set[int]) -> str:
    """The list at tokens[start] as Markdown, if it is short and holds no card lines of its own."""
    if start >= len(tokens) or tokens[start].type not in ("bullet_list_open", "ordered_list_open"):
        return ""
    span = tokens[start].map
    if not span or any(span[0] <= line < span[1] for line in card_lines):
        return ""
    text = _dedent(lines[span[0]:span[1]]).strip()
    return text if len(text) <= MAX_LIST_ANSWER_CHARS else ""


def _dedent(block: list[str]) -> str:
    """Lines less the first line's indentation (lazy continuation lines may have less)."""
    if not block:
        return ""
    indent = len(block[0]) - len(block[0].lstrip(" "))
    return "\n".join(line[min(indent, len(line) - len(line.lstrip(" "))):] for line in block)


def _definition_card(tokens: Sequence[Token], index: int, lines: list[str]):
    """``Term`` / ``: definition`` (tokens[index] is dt_open) → a term card with every dd of the term."""
    term_token = tokens[index + 1]
    term = _render(term_token.children or []).strip()
    if not _is_term(term):
        return None
    answers = []
    position = index + 3  # dt_open, inline, dt_close
    while position < len(tokens) and tokens[position].type == "dd_open":
        span = tokens[position].map
        depth, end = 0, position
        for end in range(position, len(tokens)):
            depth += tokens[end].nesting
            if depth == 0:
                break
        if span:
            # The dd's own lines, without the ": " marker of its first line.
            first = re.sub(r"^\s*:\s?", "", lines[span[0]])
            answers.append((first + "\n" + _dedent(lines[span[0] + 1:span[1]])).strip())
        position = end + 1
    answer = "\n\n".join(a for a in answers if a)
    line = term_token.map[0] if term_token.map else 0
    return (line, "term", term, answer) if answer else None


def _heading_cards(tokens: Sequence[Token], lines: list[str], card_lines: set[int]):
    """Short leaf sections under a question heading → heading cards (module doc); the first h1 is the title."""
    headings = [i for i, t in enumerate(tokens) if t.type == "heading_open" and t.level == 0]
    title = next((i for i in headings if tokens[i].tag == "h1"), None)
    for number, index in enumerate(headings):
        if index == title:
            continue
        depth = int(tokens[index].tag[1])
        following = headings[number + 1] if number + 1 < len(headings) else len(tokens)
        if following < len(tokens) and int(tokens[following].tag[1]) > depth:
            continue  # not a leaf: the section has sub-headings
        blocks = [i for i in range(index + 3, following)
                  if tokens[i].level == 0 and tokens[i].nesting >= 0 and tokens[i].map]
        if not blocks or len(blocks) > SHORT_SECTION_BLOCKS:
            continue
        spans = [tokens[i].map or [0, 0] for i in blocks]
        start, end = spans[0][0], max(span[1] for span in spans)
        if any(start <= line < end for line in card_lines):
            continue
        answer = "\n".join(lines[start:end]).strip()
        question = _render(tokens[index + 1].children or []).strip()
        if not question.endswith("?"):
            continue  # a label over its section, not a question
        if not answer or len(answer) > SHORT_SECTION_CHARS or not _is_term(question):
            continue
        if answer.endswith(":") or _only_media(blocks, tokens):
            continue  # an introduction whose content is elsewhere, or a picture with no words
        yield (tokens[index].map or [0])[0], "heading", question, answer


def _only_media(blocks: Sequence[int], tokens: Sequence[Token]) -> bool:
    """True when the section (block token indices) is nothing but images: a screenshot has no words to recall."""
    for block in blocks:
        if tokens[block].type != "paragraph_open":
            return False
        inline = tokens[block + 1]
        for child in inline.children or []:
            if child.type not in ("image", "softbreak", "hardbreak") and child.content.strip():
                return False
    return True


def _text(content: str) -> Token:
    from markdown_it.token import Token

    token = Token("text", "", 0)
    token.content = content
    return token


def _render(children: Sequence[Token]) -> str:
    """Inline tokens back to Markdown source (the marks markdown-it-py records; escapes are not restored)."""
    out: list[str] = []
    links: list[str] = []
    for child in children:
        kind = child.type
        if kind == "text" or kind == "html_inline":
            out.append(child.content)
        elif kind == "code_inline":
            out.append(f"{child.markup}{child.content}{child.markup}")
        elif kind in ("strong_open", "strong_close", "em_open", "em_close", "s_open", "s_close"):
            out.append(child.markup)
        elif kind == "link_open":
            href = str(child.attrs.get("href", ""))
            links.append(href if child.markup != "autolink" else "")
            out.append("<" if child.markup == "autolink" else "[")
        elif kind == "link_close":
            href = links.pop() if links else ""
            out.append(">" if not href and child.markup == "autolink" else f"]({href})")
        elif kind == "image":
            out.append(f"![{child.content}]({child.attrs.get('src', '')})")
        elif kind in ("softbreak", "hardbreak"):
            out.append(" ")
    return "".join(out)
