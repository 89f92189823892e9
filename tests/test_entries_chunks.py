"""chunk_note (issue 18): chunks never cross entries, and front matter a learner writes is searchable."""

from __future__ import annotations

from journal_agent.notes.chunking import FRONT_MATTER_HEADING, chunk_note, front_matter_text
from journal_agent.notes.model import read_note
from tests.support.journals import write
from tests.support.shapes import MULTI_DAY_POST, SINGLE_FILE_LOG


def note_of(tmp_path, name, text):
    return read_note(write(tmp_path / "notes" / name, text), tmp_path)


def test_chunks_of_a_single_file_log_never_cross_entries(tmp_path):
    note = note_of(tmp_path, "log.md", SINGLE_FILE_LOG)
    chunks = chunk_note(note)
    assert [c.index for c in chunks] == list(range(len(chunks)))
    for chunk in chunks:
        entry = note.entries[chunk.entry]
        assert chunk.text in entry.body  # wholly inside its entry
    day2 = [c for c in chunks if "pathlib" in c.text]
    assert len(day2) == 1 and note.entries[day2[0].entry].days == (2,)
    assert day2[0].heading == "Day 2: January 3, 2020"
    # every entry's text is in its chunks: nothing is lost at the seams
    for entry in note.entries:
        words = set(entry.body.split())
        assert words <= {w for c in chunks if c.entry == entry.index for w in c.text.split()}


def test_short_entries_are_not_merged_into_one_chunk(tmp_path):
    # chunk_markdown alone would gather these short day sections into one chunk (under min_chars)
    note = note_of(tmp_path, "post.md", MULTI_DAY_POST)
    chunks = chunk_note(note)
    days = [note.entries[c.entry].days for c in chunks]
    assert days == [(), (11,), (12,), (13,)]  # the preamble, then one chunk per day


def test_front_matter_learnings_are_searchable_chunks_first(tmp_path):
    text = ("---\ntitle: Day 5\ndate: 2023-02-05\nlearnings:\n  - Rust slices borrow, they never own\n"
            "  - cargo clippy catches needless clones\nsummary: A day of borrowing.\nlayout: post\n---\n"
            "Worked on the parser.\n")
    note = note_of(tmp_path, "d5.md", text)
    chunks = chunk_note(note)
    assert chunks[0].heading == FRONT_MATTER_HEADING and chunks[0].entry == 0
    assert "- Rust slices borrow, they never own" in chunks[0].text and "Summary: A day of borrowing." in chunks[0].text
    assert "layout" not in chunks[0].text.lower()  # only text a learner writes about the note
    assert chunks[1].text == "Worked on the parser." and chunks[1].heading == ""


def test_front_matter_text_shapes():
    assert front_matter_text({}) == ""
    assert front_matter_text({"description": "  Flexbox\n and grid "}) == "Description: Flexbox and grid"
    assert front_matter_text({"takeaways": [["nested", 3]], "excerpt": None}) == "Takeaways:\n\n- nested\n- 3"


def test_a_note_without_text_to_chunk_gives_its_title(tmp_path):
    import datetime as dt
    from pathlib import Path

    from journal_agent.notes.model import Note

    when = dt.date(2025, 9, 18)
    note = Note(Path("n.md"), "n.md", "Only a title", when, "date", dt.datetime(2025, 9, 18), [], [], None, "")
    assert len(note.entries) == 1 and note.entries[0].date == when  # a hand-built note is one entry
    assert [(c.index, c.text, c.entry) for c in chunk_note(note)] == [(0, "Only a title", 0)]
