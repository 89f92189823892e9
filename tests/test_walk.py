"""The one note walker, and what ingest does with what it finds: symlinks, loops, unreadable folders and files."""

from __future__ import annotations

import json
import os
from collections import Counter
from pathlib import Path

import pytest

from journal_agent.archive.ingest import ingest
from journal_agent.archive.store import Archive
from journal_agent.notes.walk import iter_note_files, walk_notes
from tests.support.faults import needs_permissions, run_journal
from tests.support.journals import write


def chunk_keys(journal) -> list[tuple[str, int]]:
    table = Archive.open(journal, check=False).scan("source = 'note'", ["path", "chunk_index"])
    return list(zip(table.column("path").to_pylist(), table.column("chunk_index").to_pylist(), strict=True))


# -- the walker ------------------------------------------------------------------------------------------------------
def test_walk_order_hidden_and_non_notes(tmp_path):
    for rel in ("b.md", "a/z.md", "a.md", "a/b/c.markdown", "n.txt", ".hidden/x.md", "a/.draft.md"):
        write(tmp_path / rel, "# x\n")
    write(tmp_path / "pic.png", b"\x89PNG")
    walk = walk_notes([tmp_path])
    expected = sorted(p for p in tmp_path.rglob("*") if p.suffix in (".md", ".markdown", ".txt")
                      and not any(part.startswith(".") for part in p.relative_to(tmp_path).parts))
    assert [f.path for f in walk.files] == expected  # the order of sorted(rglob), hidden names left out
    assert walk.skipped == [(tmp_path / "pic.png", "not a note (.png)")]
    assert list(iter_note_files([tmp_path])) == expected


def test_a_note_reached_by_symlinks_is_walked_once_under_the_real_path(tmp_path):
    write(tmp_path / "notes" / "real.md", "# Real\n")
    (tmp_path / "notes" / "a-link.md").symlink_to("real.md")  # sorts before the real file
    (tmp_path / "notes" / "sub").mkdir()
    (tmp_path / "notes" / "sub" / "again.md").symlink_to("../real.md")
    walk = walk_notes([tmp_path / "notes"])
    assert [f.path for f in walk.files] == [tmp_path / "notes" / "real.md"]
    assert sorted(p.name for p, _ in walk.skipped) == ["a-link.md", "again.md"]
    assert all("same file as" in reason for _, reason in walk.skipped)


def test_a_link_to_a_file_outside_is_known_by_the_link_path(tmp_path):
    write(tmp_path / "outside" / "x.md", "# Outside\n")
    write(tmp_path / "notes" / "keep.md", "# Keep\n")
    (tmp_path / "notes" / "ext.md").symlink_to(tmp_path / "outside" / "x.md")
    (tmp_path / "notes" / "linked-folder").symlink_to(tmp_path / "outside")
    walk = walk_notes([tmp_path / "notes"])
    assert [f.path.relative_to(tmp_path).as_posix() for f in walk.files] == ["notes/ext.md", "notes/keep.md"]
    assert walk.skipped[0][0] == tmp_path / "notes" / "linked-folder" / "x.md"  # the same file, seen once


def test_symlink_loops_are_named_failures_not_runtime_errors(tmp_path):
    notes = tmp_path / "notes"
    write(notes / "good.md", "# Good\n")
    (notes / "self.md").symlink_to("self.md")
    (notes / "ping").symlink_to("pong")
    (notes / "pong").symlink_to("ping")
    (notes / "sub").mkdir()
    (notes / "sub" / "up").symlink_to("..")
    walk = walk_notes([notes])
    assert [f.path for f in walk.files] == [notes / "good.md"]
    failed = {path.relative_to(notes).as_posix(): reason for path, reason in walk.failed}
    assert set(failed) == {"self.md", "ping", "pong", "sub/up"}
    assert all(reason.startswith("symlink loop") for reason in failed.values()), failed


def test_a_missing_path_is_a_failure(tmp_path):
    walk = walk_notes([tmp_path / "nope"])
    assert walk.files == [] and walk.failed == [(tmp_path / "nope", "no such file or folder")]


# -- ingest of what the walker finds -----------------------------------------------------------------------------------
def test_symlinked_note_is_stored_once(journal):
    write(journal.notes_dir / "real.md", "# Real note\n\nPostgres vacuum.\n\n## More\n\nAutovacuum tuning.\n")
    (journal.notes_dir / "link.md").symlink_to("real.md")
    first = ingest(journal)
    assert first.added == 1
    keys = chunk_keys(journal)
    assert {p for p, _ in keys} == {"notes/real.md"}
    assert max(Counter(keys).values()) == 1  # each chunk once (was: twice)
    again = ingest(journal)
    assert (again.added, again.unchanged, again.chunks_written) == (0, 1, 0)


def test_link_to_a_file_outside_the_journal_goes_with_the_link(journal, tmp_path):
    outside = write(tmp_path / "elsewhere" / "x.md", "# Outside note\n\nZig comptime.\n")
    link = journal.notes_dir / "ext.md"
    link.symlink_to(outside)
    ingest(journal)
    paths = {p for p, _ in chunk_keys(journal)}
    assert paths == {"notes/ext.md"}  # never the absolute /.../elsewhere/x.md
    link.unlink()
    report = ingest(journal)
    assert report.removed == 1
    assert chunk_keys(journal) == []


def test_symlink_loop_through_the_cli_is_named_with_exit_3(journal_dir, run_cli):
    write(journal_dir / "notes" / "good.md", "# Good\n\ntext\n")
    (journal_dir / "notes" / "loop.md").symlink_to("loop.md")
    result = run_cli("ingest")
    assert result.exit_code == 3, result.output
    assert "notes/loop.md: symlink loop" in result.output
    assert "added 1" in result.output


@pytest.mark.slow
@needs_permissions
def test_unreadable_folder_and_file_are_failures_and_their_notes_stay(journal_dir, journal):
    notes = journal_dir / "notes"
    write(notes / "top.md", "# Top\n\nKept anyway.\n")
    write(notes / "sub" / "one.md", "# One\n\nRust lifetimes.\n")
    write(notes / "sub" / "two.md", "# Two\n\nTokio runtimes.\n")
    write(notes / "locked.md", "# Locked\n\nZig comptime.\n")
    ingest(journal)
    before = set(chunk_keys(journal))
    os.chmod(notes / "sub", 0)
    os.chmod(notes / "locked.md", 0)
    try:
        result = run_journal(journal_dir, "ingest", "--no-reflect", "--json", unprivileged=True)
    finally:
        os.chmod(notes / "sub", 0o755)
        os.chmod(notes / "locked.md", 0o644)
    assert result.returncode == 3, result.stderr
    report = json.loads(result.stdout)
    failed = {item["path"]: item["reason"] for item in report["failed"]}
    assert failed == {"notes/sub": "cannot read folder: Permission denied",
                      "notes/locked.md": "cannot read file: Permission denied"}
    assert report["removed"] == 0  # was: "removed 2", exit 0
    assert set(chunk_keys(journal)) == before


def test_iter_note_files_is_what_site_citations_and_add_walk(journal_dir, journal):
    # add's "highest day" reads the walker's notes: a hidden folder's note does not count.
    from journal_agent.notes.add import highest_day

    write(journal_dir / "notes" / "day-3.md", "---\ntitle: Momentum Learning Day 3\n---\nx\n")
    write(journal_dir / "notes" / ".trash" / "day-40.md", "---\ntitle: Momentum Learning Day 40\n---\nx\n")
    assert highest_day(journal) == 3
    assert [Path(p).name for p in iter_note_files([journal.notes_dir])] == ["day-3.md"]
