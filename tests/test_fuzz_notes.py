"""Hypothesis fuzz of the note reader (issue 11): a Note or a NoteError, never anything else.

Generates hostile front matter (keys in any case, YAML tags, aliases, flow and
block collections, bad dates, unclosed blocks), bodies with every line-break
character, and raw bytes. For a note that is read, its fields must be clean
(strings, not reprs) and chunking must keep every non-blank character of its
body. Bounded: ``max_examples`` and ``deadline`` keep it to seconds in CI.
"""

from __future__ import annotations

import datetime as dt
import tempfile
from pathlib import Path

import pytest
from hypothesis import HealthCheck, event, given, settings
from hypothesis import strategies as st

from journal_agent.errors import NoteError
from journal_agent.notes.chunking import chunk_markdown
from journal_agent.notes.model import Note, read_note

KEYS = ["title", "Title", "TITLE", "date", "Date", "private", "Private", "PRIVATE", "draft", "DRAFT",
        "published", "tags", "Tags", "categories", "category", "day", "last_modified_at", "layout", "<<",
        "? [a]", "1", "null", "yes", "x y"]
VALUES = ["true", "'True'", "yes", "no", "off", "On", "~", "", "1", "0", "2", "maybe", "[1, 2]", "[yes, no]",
          "{a: 1}", "[{a: 1}]", "[[a]]", "!!timestamp tomorrow", "tomorrow", "-0001-01-01", "0001-01-01",
          "2025-09-18", "2025-02-30", "18-09-2025 23.55", "18 Sep 2025", "2025-09-18T23:55:00+02:00", "&a [1]",
          "*a", "&b x", "!!binary zz", "!!binary aGVsbG8=", "!!python/object/apply:os.system ['id']",
          "!custom x", "!!set {a, b}", "!!omap [a: 1]", "!!float .nan", "!!int 0xZZ", "1e999", "'unterminated",
          '"esc \\x"', "|\n  block\n  text", ">-\n  folded", "[" * 40 + "]" * 40, "Momentum Learning Day 3",
          "Day 2| Series", "'<img src=x onerror=alert(1)>'", "R&D", "\u2028", "\x85", "'\x0c'"]
BREAKS = ["\n", "\r\n", "\r", "\x0c", "\x0b", "\x85", "\u2028", "\u2029", "\x1c", "\x1d", "\x1e"]
BODY_PIECES = ["# Heading", "## Sub", "```", "```python", "    code", "- item", "1. item", "> quote", "---",
               "***", "| a | b |", "|---|---|", "<div>", "<!-- c -->", "[ref]: http://x", "text [link](u)",
               "Day 40 times", "", " ", "\t", "Setext", "===", "***bold***", "\\", "&amp;", "\x00"]

scalar_text = st.text(st.characters(blacklist_categories=("Cs",)), max_size=30)
value = st.one_of(st.sampled_from(VALUES), scalar_text)
front_line = st.tuples(st.sampled_from(KEYS), value).map(lambda kv: f"{kv[0]}: {kv[1]}")
front = st.lists(st.one_of(front_line, front_line, front_line,
                           st.sampled_from(["- x", "  nested: 1", "...", "---", "#c", "%YAML 1.1"])), max_size=8)
body_line = st.one_of(st.sampled_from(BODY_PIECES), st.text(st.characters(blacklist_categories=("Cs",)), max_size=40))
body = st.lists(st.tuples(body_line, st.sampled_from(BREAKS)), max_size=20).map(
    lambda parts: "".join(line + br for line, br in parts))


@st.composite
def note_bytes(draw) -> bytes:
    if draw(st.integers(0, 9)) == 0:
        return draw(st.binary(max_size=300))
    opening = draw(st.sampled_from(["---\n", "---\n", "--- \n", "", "----\n", "\ufeff---\n", "---"]))
    closing = draw(st.sampled_from(["---\n", "---\n", "...\n", "", "--- \n"]))
    text = opening + "\n".join(draw(front)) + ("\n" if opening else "") + closing + draw(body)
    text = text.replace("\n", draw(st.sampled_from(["\n", "\n", "\r\n", "\r"])))
    encoding = draw(st.sampled_from(["utf-8"] * 10 + ["utf-16", "latin-1"]))
    return text.encode(encoding, errors="replace")


FOLDER = Path(tempfile.mkdtemp(prefix="fuzz-notes-"))


def _squeeze(text: str) -> str:
    return "".join(text.split())


@settings(max_examples=600, deadline=dt.timedelta(seconds=5), database=None,
          suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large])
@given(raw=note_bytes(), folder=st.sampled_from(["", "Private/", "python/"]),
       suffix=st.sampled_from([".md", ".markdown", ".txt"]))
@pytest.mark.slow
def test_read_note_returns_a_note_or_raises_note_error(raw, folder, suffix):
    path = FOLDER / "notes" / folder / f"fuzz{suffix}"
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(raw)
    try:
        note = read_note(path, FOLDER)
    except NoteError as exc:
        event(f"NoteError: {exc.reason.split(':')[0][:40]}")
        assert exc.reason and str(path.name) in str(exc)
        return
    assert isinstance(note, Note)
    event("read")
    assert isinstance(note.title, str) and note.title.strip()
    assert all(isinstance(x, str) and x and "{'" not in x for x in note.tags + note.categories)
    assert isinstance(note.date, dt.date) and 1900 <= note.date.year <= 2199 or note.date_source == "mtime"
    assert note.day is None or (isinstance(note.day, int) and note.day >= 1)
    assert note.private or not folder.startswith("Private")
    assert "\r" not in note.body
    chunks = chunk_markdown(note.body)
    assert _squeeze("".join(chunk.text for chunk in chunks)) == _squeeze(note.body.replace("\x00", "\ufffd"))
