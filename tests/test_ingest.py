"""Incremental ingest, bad input, crash safety, concurrency, store compatibility."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
from collections import Counter

import pytest

from tests.support.journals import SIMONW, set_config, write
from journal_agent.archive.store import Archive
from journal_agent.workspace import open_journal
from journal_agent.errors import StoreError
from journal_agent.archive.ingest import ingest


def chunk_keys(journal) -> list[tuple[str, int]]:
    table = Archive.open(journal)._scan("source = 'note'", ["path", "chunk_index"])
    return list(zip(table.column("path").to_pylist(), table.column("chunk_index").to_pylist()))


def test_incremental_change_delete_unchanged(journal):
    notes = journal.notes_dir
    write(notes / "a.md", "---\ndate: 2024-01-01\n---\n# Alpha\n\nPostgres vacuum tuning notes.\n")
    write(notes / "b.md", "---\ndate: 2024-01-02\n---\n# Beta\n\nRust borrow checker notes.\n")
    write(notes / "c.md", "---\ndate: 2024-01-03\n---\n# Gamma\n\nKubernetes pod eviction.\n")
    first = ingest(journal)
    assert (first.added, first.updated, first.removed, first.unchanged) == (3, 0, 0, 0)

    again = ingest(journal)
    assert (again.added, again.updated, again.unchanged, again.chunks_written) == (0, 0, 3, 0)

    write(notes / "b.md", "---\ndate: 2024-01-02\n---\n# Beta\n\nRust lifetimes and the borrow checker.\n")
    (notes / "c.md").unlink()
    third = ingest(journal)
    assert (third.added, third.updated, third.removed, third.unchanged) == (0, 1, 1, 1)
    assert [n.rel_path for n in third.changed_notes] == ["notes/b.md"]

    keys = chunk_keys(journal)
    assert sorted({p for p, _ in keys}) == ["notes/a.md", "notes/b.md"]
    assert len(keys) == len(set(keys))  # the changed note's old chunks are gone
    hits = Archive.open(journal).search("lifetimes", mode="fts")
    assert hits and hits[0].path == "notes/b.md"
    assert not Archive.open(journal).search("Kubernetes eviction", mode="fts")


def test_bad_input_folder_through_cli(journal_dir, run_cli):
    notes = journal_dir / "notes"
    write(notes / "good-1.md", "---\ntitle: Good one\ndate: 2024-05-01\n---\nLearned about tokio runtimes.\n")
    write(notes / "good-2.md", "# Good two\n\nLearned about zig comptime.\n")
    write(notes / "broken.md", "---\ntitle: [unclosed\ndate: 2024-05-02\n---\nbody\n")
    write(notes / "binary.md", b"\x00\x01\x02\x03binary")
    write(notes / "empty.md", "\n\n")
    write(notes / "huge.md", "# Huge\n" + ("lorem ipsum " * 450_000))
    write(notes / "latin1.md", "# Caf\xe9 notes\n".encode("latin-1"))
    write(notes / "photo.png", b"\x89PNG\r\n\x1a\n")

    result = run_cli("ingest")
    assert result.exit_code == 3, result.output
    output = result.output + (result.stderr if result.stderr_bytes is not None else "")
    for name, reason in [("broken.md:3", "started at line 2"), ("binary.md", "binary file"),
                         ("empty.md", "empty note"), ("huge.md", "MB limit"), ("latin1.md:1", "UTF-8")]:
        assert f"notes/{name}" in output and reason in output, (name, output)
    assert "added 2" in output and "failed 5" in output

    found = run_cli("search", "--json", "--mode", "fts", "zig comptime")
    assert json.loads(found.output)["results"][0]["path"] == "notes/good-2.md"

    # A note that breaks later keeps what the store already had.
    write(notes / "good-1.md", "---\ntitle: [now broken\n---\n")
    run_cli("ingest")
    found = run_cli("search", "--json", "--mode", "fts", "tokio runtimes")
    assert json.loads(found.output)["results"][0]["path"] == "notes/good-1.md"


def _subset(journal_dir, count: int) -> None:
    from benchmarks.corpora import dated_copy

    dated_copy("simonw-til", journal_dir / "notes", limit=count)


@pytest.mark.skipif(not SIMONW.exists(), reason="needs ../shared/corpora/simonw-til")
def test_kill_mid_ingest_then_rerun_stores_each_chunk_once(journal_dir):
    _subset(journal_dir, 120)
    env = {**os.environ, "JOURNAL_ROOT": str(journal_dir)}
    command = [sys.executable, "-m", "journal_agent.cli", "ingest", "--no-reflect"]
    process = subprocess.Popen(command, env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    journal = open_journal(root=journal_dir)
    deadline = time.time() + 120
    while time.time() < deadline:  # kill once some, not all, notes are stored
        time.sleep(0.3)
        try:
            stored = len({p for p, _ in chunk_keys(journal)})
        except Exception:
            continue
        if stored > 0:
            break
    process.send_signal(signal.SIGKILL)
    process.wait()
    partial = len({p for p, _ in chunk_keys(journal)})
    assert 0 < partial < 120, "the kill should land mid-ingest"

    rerun = subprocess.run(command, env=env, capture_output=True, text=True)
    assert rerun.returncode == 0, rerun.stderr
    keys = chunk_keys(journal)
    assert len({p for p, _ in keys}) == 120
    counts = Counter(keys)
    assert max(counts.values()) == 1  # no chunk stored twice
    for path in {p for p, _ in keys}:  # and every note's chunks are 0..n-1
        indexes = sorted(i for p, i in keys if p == path)
        assert indexes == list(range(len(indexes)))


def test_two_adds_at_once_keep_both_notes(journal_dir):
    env = {**os.environ, "JOURNAL_ROOT": str(journal_dir)}
    command = [sys.executable, "-m", "journal_agent.cli", "add", "--no-reflect"]
    processes = [subprocess.Popen([*command, f"Parallel note {i} about caching"], env=env,
                                  stdout=subprocess.PIPE, stderr=subprocess.PIPE) for i in range(2)]
    for process in processes:
        _, err = process.communicate(timeout=180)
        assert process.returncode == 0, err
    notes = sorted((journal_dir / "notes").glob("*.md"))
    assert len(notes) == 2
    texts = [n.read_text() for n in notes]
    assert {"Momentum Learning Day 1", "Momentum Learning Day 2"} == {
        line.split(": ", 1)[1] for t in texts for line in t.splitlines() if line.startswith("title:")}
    journal = open_journal(root=journal_dir)
    assert {p for p, _ in chunk_keys(journal)} == {f"notes/{n.name}" for n in notes}


def test_embedding_model_change_says_reindex(journal_dir, journal):
    write(journal.notes_dir / "a.md", "# A\n\nsome text\n")
    ingest(journal)
    set_config(journal_dir, "embedding", "model", "another-embedding-model")
    changed = open_journal(root=journal_dir)
    with pytest.raises(StoreError, match="re-index needed.*journal ingest --full"):
        Archive.open(changed)


def test_old_schema_version_says_what_to_run(journal):
    write(journal.notes_dir / "a.md", "# A\n\nsome text\n")
    ingest(journal)
    meta = journal.store_dir / "archive.json"
    meta.write_text(json.dumps({**json.loads(meta.read_text()), "schema_version": 0}))
    with pytest.raises(StoreError, match="schema version 0.*journal ingest --full"):
        Archive.open(journal)
    report = ingest(journal, full=True)
    assert report.added == 1
    Archive.open(journal)  # compatible again
