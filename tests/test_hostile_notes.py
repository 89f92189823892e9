"""Hostile notes (issue 11): the note reader never leaks a private note, never guesses, never crashes.

Every case is read through ``read_note``, the one reader ingest, the site and
the agent use. A note the reader cannot read with certainty raises
``NoteError`` (ingest reports it, the site never publishes it); nothing else
may escape. The YAML behaviours relied on are PyYAML's documented ones
(https://pyyaml.org/wiki/PyYAMLDocumentation: YAML 1.1 booleans yes/no/on/off,
``!!timestamp``, anchors and aliases).
"""

from __future__ import annotations

import datetime as dt
import itertools
import os
import subprocess
import sys
import textwrap

import pytest

from journal_agent.errors import NoteError
from journal_agent.notes.chunking import chunk_markdown
from journal_agent.notes.model import read_note
from tests.support.journals import REPO, write

# --- Leaks: flags in any case and in their string forms -----------------------------------------


@pytest.mark.parametrize("front", [
    "Private: true", "PRIVATE: yes", "private: 'True'", "private: \"yes\"", "private: On", "private: 1",
    "private: 'Y'",
])
def test_private_flag_in_any_case_and_string_form(tmp_path, front):
    note = read_note(write(tmp_path / "notes" / "n.md", f"---\n{front}\n---\nsecret\n"), tmp_path)
    assert note.private and not note.publishable


@pytest.mark.parametrize("front", [
    "DRAFT: yes", "Draft: true", "draft: 'TRUE'", "published: false", "Published: 'no'", "PUBLISHED: off",
])
def test_draft_flag_and_published_false(tmp_path, front):
    note = read_note(write(tmp_path / "notes" / "n.md", f"---\n{front}\n---\nnot yet\n"), tmp_path)
    assert note.draft and not note.publishable


@pytest.mark.parametrize("front", ["private: false", "private: 'no'", "draft: off", "published: true", "private:"])
def test_false_flags_stay_public(tmp_path, front):
    note = read_note(write(tmp_path / "notes" / "n.md", f"---\n{front}\n---\nhello\n"), tmp_path)
    assert note.publishable


@pytest.mark.parametrize("front", ["private: maybe", "draft: [yes]", "published: 2", "private: {a: 1}"])
def test_unreadable_flag_is_an_error_not_a_guess(tmp_path, front):
    with pytest.raises(NoteError, match="true or false"):
        read_note(write(tmp_path / "notes" / "n.md", f"---\n{front}\n---\nhello\n"), tmp_path)


@pytest.mark.parametrize("folder", ["Private", "PRIVATE", "private/sub", "work/Private"])
def test_private_folder_in_any_case(tmp_path, folder):
    note = read_note(write(tmp_path / "notes" / folder / "x.md", "# Secret\nfeelings\n"), tmp_path)
    assert note.private
    assert not any(c.lower() == "private" for c in note.categories)


def test_private_folder_checked_before_symlinks_are_resolved(tmp_path):
    outside = write(tmp_path / "elsewhere" / "x.md", "# Secret\nfeelings\n").parent
    (tmp_path / "notes").mkdir()
    os.symlink(outside, tmp_path / "notes" / "Private")  # notes/Private -> a folder outside notes/
    note = read_note(tmp_path / "notes" / "Private" / "x.md", tmp_path)
    assert note.private  # before: the resolved path was outside notes/ and the note was public


def test_link_into_private_folder_is_private(tmp_path):
    target = write(tmp_path / "notes" / "private" / "x.md", "# Secret\nfeelings\n")
    os.symlink(target, tmp_path / "notes" / "public.md")
    assert read_note(tmp_path / "notes" / "public.md", tmp_path).private


# --- Malformed front matter: never read as no front matter ---------------------------------------


@pytest.mark.parametrize("name, text, reason", [
    ("list", "---\n- private: true\n---\nbody\n", "not a list"),
    ("scalar", "---\njust some words\n---\nbody\n", "not a single value"),
    ("unclosed", "---\nprivate: true\n\nbody with no closing line\n", "never closed"),
    ("unclosed-one-line", "---", "never closed"),
    ("closed-by-rule-later", "---\nprivate: true\n\nbody text\n\n---\n\nmore\n", "not valid YAML"),
    ("duplicate", "---\nprivate: true\nprivate: false\n---\nbody\n", "twice"),
    ("duplicate-any-case", "---\nprivate: true\nPrivate: false\n---\nbody\n", "twice"),
    ("merge-key", "---\n<<: {private: true}\nprivate: false\n---\nbody\n", "merge keys"),
    ("front-matter-only", "---\ntitle: Nothing here\nprivate: true\n---\n\n  \n", "front matter only"),
    ("complex-key", "---\n? [a, b]\n: c\n---\nbody\n", "not a word"),
    ("python-tag", "---\nx: !!python/object/apply:os.system ['echo pwned']\n---\nbody\n", "constructor"),
    ("custom-tag", "---\nx: !secret value\n---\nbody\n", "constructor"),
    ("bad-binary", "---\nx: !!binary 'zz'\n---\nbody\n", "base64"),
    ("bad-int", "---\nx: !!int 'twelve'\n---\nbody\n", "cannot read"),
    ("deep", "---\nx: " + "[" * 5000 + "]" * 5000 + "\n---\nbody\n", "nested"),
    ("deep-block", "---\nx:\n" + "".join(" " * i + "- \n" for i in range(1, 40)) + "---\nbody\n", "nested"),
    ("huge", "---\nx: '" + "a" * 70_000 + "'\n---\nbody\n", "over the 64 KB limit"),
    ("tab-indent", "---\ntitle: a\n\tprivate: true\n---\nbody\n", "not valid YAML"),
    ("control-char", "---\ntitle: a\x07b\n---\nbody\n", "not valid YAML"),
])
def test_malformed_front_matter_is_a_named_error(tmp_path, name, text, reason):
    path = write(tmp_path / "notes" / f"{name}.md", text)
    with pytest.raises(NoteError) as info:
        read_note(path, tmp_path)
    assert reason in info.value.reason
    assert f"{name}.md" in str(info.value)


def test_yaml_error_names_the_file_line(tmp_path):
    path = write(tmp_path / "notes" / "n.md", "---\ntitle: ok\ntags: [a, b\ndate: 2024-01-01\n---\nbody\n")
    with pytest.raises(NoteError) as info:
        read_note(path, tmp_path)
    assert info.value.line == 4


@pytest.mark.slow
def test_alias_bomb_is_refused_quickly_under_a_memory_cap(tmp_path):
    """Nine levels of aliases, about 460 bytes: "billion laughs" (expands to 9**9 strings if followed)."""
    levels = "abcdefghi"
    lines = ['a: &a ["lol","lol","lol","lol","lol","lol","lol","lol","lol"]']
    for prev, name in itertools.pairwise(levels):
        lines.append(f"{name}: &{name} [" + ",".join([f"*{prev}"] * 9) + "]")
    bomb = "---\n" + "\n".join(lines) + "\ntags: *i\ntitle: *i\n---\nbody\n"
    assert len(bomb.encode()) < 520
    path = write(tmp_path / "notes" / "bomb.md", bomb)
    code = textwrap.dedent(f"""
        import resource, sys, time
        from pathlib import Path
        from journal_agent.errors import NoteError
        from journal_agent.notes.model import read_note
        resource.setrlimit(resource.RLIMIT_AS, (1 << 30, 1 << 30))  # 1 GB: the bomb needs tens of GB
        try:
            read_note(Path({str(path)!r}), Path({str(tmp_path)!r}))
            print("READ")
        except NoteError as exc:
            print("NoteError", exc.reason)
    """)
    run = subprocess.run([sys.executable, "-c", code], check=False, capture_output=True, text=True, timeout=60,
                         env={**os.environ, "PYTHONPATH": str(REPO)})
    assert run.returncode == 0, run.stderr[-2000:]
    verdict = run.stdout.strip()
    assert verdict.startswith("NoteError") and "alias" in verdict


# --- Dates: not silently turned into dates -------------------------------------------------------


@pytest.mark.parametrize("front", [
    "date: !!timestamp tomorrow",  # PyYAML raised AttributeError and stopped the whole ingest
    "date: tomorrow", "date: yesterday", "date: 3 days ago", "date: [1, 2]", "date: {y: 2025}",
    "date: -0001-01-01", "date: 0001-01-01", "date: 2025-02-30", "date: 20250918", "date: true",
    "date: September 2025", "last_modified_at: next week",
])
def test_unreadable_dates_are_named_errors(tmp_path, front):
    key = front.split(":")[0]
    with pytest.raises(NoteError, match=f"front matter {key}"):
        read_note(write(tmp_path / "notes" / "n.md", f"---\n{front}\n---\nbody\n"), tmp_path)


@pytest.mark.parametrize("front, expected", [
    ("date: 2025-09-18", dt.date(2025, 9, 18)),
    ("date: 2025-09-18T23:55:00+02:00", dt.date(2025, 9, 18)),
    ("date: '2025-09-18 23:55'", dt.date(2025, 9, 18)),
    ("date: 18-09-2025", dt.date(2025, 9, 18)),
    ("Date: 18 Sep 2025", dt.date(2025, 9, 18)),
    ("last_modified_at: 18-09-2025 23.55", dt.date(2025, 9, 18)),
])
def test_real_dates_still_read(tmp_path, front, expected):
    assert read_note(write(tmp_path / "notes" / "n.md", f"---\n{front}\n---\nbody\n"), tmp_path).date == expected


# --- Non-string titles, tags and categories: clean strings or a named reason ---------------------


@pytest.mark.parametrize("front, title, tags, categories", [
    ("title: 2024", "2024", [], []),
    ("title: 1.10\ntags: [1, 2.50, yes, null, ~]", "1.10", ["1", "2.50", "yes"], []),
    ("Title: yes\nTags: python, rust\nCategories: 7", "yes", ["python", "rust"], ["7"]),
    ("title: 2025-09-18\ncategory: [Learning Journey, 3]", "2025-09-18", [], ["Learning Journey", "3"]),
    ("title: '  Momentum   Learning Day 2 '\ntags: \"a   b\"", "Momentum Learning Day 2", ["a", "b"], []),
])
def test_scalar_titles_tags_categories_are_read_as_written(tmp_path, front, title, tags, categories):
    note = read_note(write(tmp_path / "notes" / "n.md", f"---\n{front}\n---\nbody\n"), tmp_path)
    assert (note.title, note.tags, note.categories) == (title, tags, categories)


@pytest.mark.parametrize("front, key", [
    ("title: {a: 1}", "title"), ("title: [a, b]", "title"), ("tags: [{a: 1}]", "tags"),
    ("tags: {a: 1}", "tags"), ("categories: [[a], b]", "categories"), ("category: {x: y}", "category"),
])
def test_structured_titles_tags_categories_are_named_errors(tmp_path, front, key):
    with pytest.raises(NoteError, match=f"front matter {key}"):
        read_note(write(tmp_path / "notes" / "n.md", f"---\n{front}\n---\nbody\n"), tmp_path)


# --- Line breaks: old Mac notes, form feeds, Unicode separators ----------------------------------


LINE_BREAKS = {"CR": "\r", "CRLF": "\r\n", "FF": "\f", "VT": "\v", "NEL": "\x85", "LS": "\u2028",
               "PS": "\u2029", "FS": "\x1c", "GS": "\x1d", "RS": "\x1e"}


@pytest.mark.parametrize("name", LINE_BREAKS)
def test_no_text_disappears_after_a_line_break_character(tmp_path, name):
    br = LINE_BREAKS[name]
    text = br.join(["---", "title: Breaks", "date: 2025-09-18", "---", "# Heading", "",
                    "alpha beta", "gamma" + br + "delta", "", "## Second", "", "epsilon zeta", "eta theta"])
    note = read_note(write(tmp_path / "notes" / "n.md", text.encode()), tmp_path)
    stored = " ".join(chunk.text for chunk in chunk_markdown(note.body))
    for word in ("Heading", "alpha", "gamma", "delta", "Second", "epsilon", "eta", "theta"):
        assert word in stored, (name, word, stored)


def test_old_mac_note_reads_front_matter_and_title(tmp_path):
    path = write(tmp_path / "notes" / "mac.md", b"---\rtitle: Mac note\rprivate: true\r---\r# Head\rline\r")
    note = read_note(path, tmp_path)
    assert (note.title, note.private, note.body) == ("Mac note", True, "# Head\nline")


def test_lines_markdown_makes_no_block_of_are_still_chunked(tmp_path):
    note = read_note(write(tmp_path / "notes" / "n.md", "[docs]: https://example.com/docs\n\nSee the docs.\n"),
                     tmp_path)
    assert "example.com/docs" in " ".join(c.text for c in chunk_markdown(note.body))


# --- Files that are not notes ---------------------------------------------------------------------


@pytest.mark.slow
def test_fifo_is_refused_without_blocking(tmp_path):
    (tmp_path / "notes").mkdir()
    os.mkfifo(tmp_path / "notes" / "pipe.md")
    code = ("from pathlib import Path; from journal_agent.notes.model import read_note\n"
            "from journal_agent.errors import NoteError\n"
            f"try: read_note(Path({str(tmp_path / 'notes' / 'pipe.md')!r}), Path({str(tmp_path)!r}))\n"
            "except NoteError as exc: print(exc.reason)")
    run = subprocess.run([sys.executable, "-c", code], check=False, capture_output=True, text=True, timeout=30,
                         env={**os.environ, "PYTHONPATH": str(REPO)})
    assert "not a regular file" in run.stdout


def test_utf16_note_is_named(tmp_path):
    path = write(tmp_path / "notes" / "u.md", "# Title\nbody\n".encode("utf-16"))
    with pytest.raises(NoteError, match="UTF-16"):
        read_note(path, tmp_path)


@pytest.mark.parametrize("lead", ["\n", "\n\n  \n", "\ufeff", "  ", "\t\n"])
def test_blank_lines_before_front_matter_do_not_publish_it_as_text(tmp_path, lead):
    note = read_note(write(tmp_path / "notes" / "n.md", f"{lead}---\nprivate: true\ntitle: Secret\n---\nbody\n"),
                     tmp_path)
    assert note.private and note.title == "Secret" and "private" not in note.body


def test_a_rule_after_a_blank_line_is_markdown_not_front_matter(tmp_path):
    """Issue 18 (makumar): a README opening with a blank line, ``---`` (a horizontal rule) and Markdown was
    read as broken front matter and skipped; Jekyll and MkDocs read it as text."""
    text = "\n---\n\n# README.md\n\n```markdown\n# Learning log\nDAY_11 | 9-FEB | MON\n---\n\n- JDBC\n"
    note = read_note(write(tmp_path / "notes" / "DAY_11" / "README.md", text), tmp_path)
    assert not note.private and "JDBC" in note.body and note.body.startswith("---")
    assert (note.date.month, note.date.day, note.date_source) == (2, 9, "heading")  # "9-FEB": no year written
    assert note.days == (11,)


@pytest.mark.parametrize("text", [
    "\n---\nprivate: true\n---\nsecret\n",  # a mapping after a blank line is still honoured
    "\n\n---\n\"private\": yes\ntitle: Hidden\n---\nsecret\n",
])
def test_a_mapping_after_a_blank_line_is_still_front_matter(tmp_path, text):
    note = read_note(write(tmp_path / "notes" / "n.md", text), tmp_path)
    assert note.private and "private" not in note.body


@pytest.mark.parametrize("text, reason", [
    ("\n---\nprivate: true\ntitle: a: b\n---\nsecret\n", "not valid YAML"),  # broken, with a key line
    ("\n---\nprivate: true\n\nno closing line\n", "never closed"),
])
def test_a_broken_block_with_a_key_after_a_blank_line_stays_an_error(tmp_path, text, reason):
    with pytest.raises(NoteError) as info:
        read_note(write(tmp_path / "notes" / "n.md", text), tmp_path)
    assert reason in info.value.reason


def test_error_lines_count_from_the_opening_line(tmp_path):
    path = write(tmp_path / "notes" / "n.md", "\n\n---\ntitle: ok\ntags: [a, b\ndate: 2024-01-01\n---\nbody\n")
    with pytest.raises(NoteError) as info:
        read_note(path, tmp_path)
    assert info.value.line == 6
