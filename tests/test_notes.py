"""The notes model on every note variant real journals contain."""

from __future__ import annotations

import datetime as dt
import os
import subprocess

import pytest

from journal_agent.errors import NoteError
from journal_agent.notes.model import read_note
from tests.support.journals import SEED, SIMONW, needs_simonw, write


def test_seed_jekyll_note(tmp_path):
    note = read_note(SEED, SEED.parent.parent, SEED.parent)
    assert note.title == "Momentum Learning Day 2"  # stray trailing space gone
    assert note.date == dt.date(2025, 9, 18)  # day-first last_modified_at
    assert note.date_source == "last_modified_at"
    assert note.modified == dt.datetime(2025, 9, 18, 23, 55)
    assert note.categories == ["Momentum_Learning", "Learning Journey"]
    assert note.day == 2
    assert note.metadata["layout"] == "note"
    assert "MemGPT design" in note.body
    assert not note.draft and not note.private


def test_day_first_date_without_time_and_image_key(tmp_path):
    path = write(tmp_path / "notes" / "d.md", "---\ntitle: '  Momentum Learning Day 7'\n"
                 "last_modified_at: 03-10-2025\nimage: /img/x.png\ncategories: Momentum_Learning Books\n\n---\nbody\n")
    note = read_note(path, tmp_path)
    assert note.date == dt.date(2025, 10, 3)
    assert note.day == 7
    assert note.categories == ["Momentum_Learning", "Books"]  # Jekyll splits strings on spaces
    assert note.metadata["image"] == "/img/x.png"


def test_iso_date_tags_draft_private(tmp_path):
    path = write(tmp_path / "notes" / "n.md", "---\ntitle: Rust lifetimes\ndate: 2024-02-29\n"
                 "tags: [rust, borrowck]\ndraft: true\nprivate: true\n---\n# Heading\ntext\n")
    note = read_note(path, tmp_path)
    assert note.date == dt.date(2024, 2, 29) and note.date_source == "date"
    assert note.tags == ["rust", "borrowck"]
    assert note.draft and note.private and not note.publishable
    assert note.day is None


def test_private_folder_is_private(tmp_path):
    path = write(tmp_path / "notes" / "private" / "secret.md", "# Secret\nfeelings\n")
    note = read_note(path, tmp_path)
    assert note.private
    assert note.categories == []  # "private" is not a category


def test_til_note_without_front_matter(tmp_path):
    path = write(tmp_path / "notes" / "python" / "2021-03-04-decorators.md",
                 "Intro line\n\n```bash\n# not a title\n```\n\n# Real title\n\nbody\n")
    note = read_note(path, tmp_path)
    assert note.title == "Real title"  # never a '#' comment inside fenced code
    assert note.date == dt.date(2021, 3, 4) and note.date_source == "file name"
    assert note.categories == ["python"]  # parent folder


@needs_simonw
def test_real_til_note_title_and_category():
    path = SIMONW / "ab" / "apache-bench-length-errors.md"
    note = read_note(path, SIMONW, SIMONW)
    assert note.title.startswith("Avoiding \"length\" errors in Apache Bench")
    assert note.categories == ["ab"]


@pytest.mark.slow
def test_date_from_git_first_commit(tmp_path):
    repo = tmp_path / "notes"
    path = write(repo / "git" / "note.md", "# From git\ntext\n")
    env = {**os.environ, "GIT_AUTHOR_DATE": "2019-05-06T10:00:00+00:00",
           "GIT_COMMITTER_DATE": "2019-05-06T10:00:00+00:00"}
    for cmd in (["init", "-q"], ["add", "."], ["-c", "user.name=t", "-c", "user.email=t@t", "commit", "-qm", "x"]):
        subprocess.run(["git", "-C", str(repo), *cmd], check=True, env=env)
    note = read_note(path, tmp_path)
    assert note.date == dt.date(2019, 5, 6) and note.date_source == "git"


def test_date_from_mtime(tmp_path):
    path = write(tmp_path / "notes" / "plain.md", "# Plain\ntext\n")
    stamp = dt.datetime(2020, 1, 2, 3, 4).timestamp()
    os.utime(path, (stamp, stamp))
    note = read_note(path, tmp_path)
    assert note.date == dt.date(2020, 1, 2) and note.date_source == "mtime"


def test_txt_and_markdown_suffixes(tmp_path):
    txt = read_note(write(tmp_path / "notes" / "a.txt", "\nFirst line is the title\nmore\n"), tmp_path)
    assert txt.title == "First line is the title"
    md = read_note(write(tmp_path / "notes" / "b.markdown", "# Markdown suffix\n"), tmp_path)
    assert md.title == "Markdown suffix"


@pytest.mark.parametrize(
    "name, content, reason, line",
    [
        ("broken.md", "---\ntitle: ok\ncategories: [a, b\ndate: 2024-01-01\n---\nbody\n", "not valid YAML", 4),
        ("binary.md", b"\x89PNG\r\n\x1a\n\x00\x00\x00", "binary file", None),
        ("empty.md", "  \n\n", "empty note", None),
        ("latin1.md", "# Caf\xe9\nline two\nna\xefve\n".encode("latin-1"), "not valid UTF-8", 1),
        ("big.md", "# Big\n" + "x" * 5_000_000, "over the 1 MB limit", None),
    ],
)
def test_bad_notes_name_the_reason(tmp_path, name, content, reason, line):
    path = write(tmp_path / "notes" / name, content)
    with pytest.raises(NoteError) as info:
        read_note(path, tmp_path)
    assert reason in info.value.reason
    assert name in str(info.value)
    if line is not None:
        assert info.value.line == line


# One rule per idea (issue 8): the title and day a note gets are the notes model's, wherever they are read.

CODE_BLOCK_NOTE = ("Intro line\n\n```bash\n# not a title\n# retry day 40 times\n```\n\n"
                   "# Real title\n\nbody\n")


def test_citations_know_a_note_by_the_models_title(journal):
    from journal_agent.agent.citations import known_notes

    path = write(journal.notes_dir / "python" / "2021-03-04-decorators.md", CODE_BLOCK_NOTE)
    assert read_note(path, journal.root).title == "Real title"
    # Before: a regex over the first 4 KB took the '#' comment inside the code block.
    assert [(n.title, n.path) for n in known_notes(journal)] == [
        ("Real title", "notes/python/2021-03-04-decorators.md")]


def test_highest_day_ignores_day_words_inside_code(journal):
    from journal_agent.notes.add import highest_day

    write(journal.notes_dir / "day3.md", "---\ntitle: Momentum Learning Day 3\ndate: 2025-09-18\n---\nbody\n")
    write(journal.notes_dir / "retry.md", CODE_BLOCK_NOTE)
    # Before: a regex over the first 2 KB read "# retry day 40 times" in the code block as Day 40.
    assert highest_day(journal) == 3


@pytest.mark.parametrize("title, day", [
    ("Momentum Learning Day 3", 3),
    ("Day 2| Momentum Learning Series", 2),
    ("Day 12 of 100 days of code", 12),
    ("TIL day 5: closures", 5),
    ("Day #7", 7),
    ("retry day 40 times", None),  # a sentence, not a learning day
    ("A day 2 remember", None),
    ("Day 0", 0),  # issue 18: Day 0 is a day (#100DaysOfCode logs start there); it was None before
    ("Day 45-50: Reaching day 50", 45),
])
def test_day_named_in_title(tmp_path, title, day):
    path = write(tmp_path / "notes" / "n.md", f"---\ntitle: '{title}'\ndate: 2025-09-18\n---\nbody\n")
    assert read_note(path, tmp_path).day == day


def test_day_from_heading_outside_code_and_from_front_matter(tmp_path):
    heading = write(tmp_path / "notes" / "h.md", "```\n# Day 9| in code\n```\n\n # Day 4| Momentum Learning\n\ntext\n")
    assert read_note(heading, tmp_path).day == 4
    key = write(tmp_path / "notes" / "k.md", "---\ntitle: Reading day\nday: 6\n---\ntext\n")
    assert read_note(key, tmp_path).day == 6
    bad = write(tmp_path / "notes" / "b.md", "---\nday: six\n---\ntext\n")
    with pytest.raises(NoteError, match="day"):
        read_note(bad, tmp_path)


def test_written_out_front_matter_date_in_configured_language(tmp_path):
    path = write(tmp_path / "notes" / "fr.md", "---\ndate: 18 septembre 2025\n---\ntexte\n")
    assert read_note(path, tmp_path, languages=["fr"]).date == dt.date(2025, 9, 18)
    english = write(tmp_path / "notes" / "en.md", "---\ndate: 18 Sep 2025\n---\ntext\n")
    assert read_note(english, tmp_path).date == dt.date(2025, 9, 18)
