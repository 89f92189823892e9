"""Incremental ingest, bad input, crash safety, concurrency, store compatibility."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
from collections import Counter

import pytest

from journal_agent.archive.ingest import ingest
from journal_agent.archive.retrieval import search_chunks
from journal_agent.archive.schema import SCHEMA_VERSION
from journal_agent.archive.store import Archive
from journal_agent.errors import StoreError
from journal_agent.workspace import open_journal
from tests.support.journals import make_journal_dir, set_config, write
from tests.support.openai_server import FakeOpenAI


def chunk_keys(journal) -> list[tuple[str, int]]:
    """``(path, chunk_index)`` of every stored note chunk (read without the open-time checks: mid-ingest polls)."""
    table = Archive.open(journal, check=False).scan("source = 'note'", ["path", "chunk_index"])
    return list(zip(table.column("path").to_pylist(), table.column("chunk_index").to_pylist(), strict=True))


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
    hits = search_chunks(Archive.open(journal), "lifetimes", mode="fts")
    assert hits and hits[0].path == "notes/b.md"
    assert not search_chunks(Archive.open(journal), "Kubernetes eviction", mode="fts")


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


KILL_NOTES = 90  # six ~600-character sections each: ~540 chunks, three store commits of whole notes


def _kill_test_note(number: int) -> str:
    sections = "".join(
        f"## Section {s}\n\n" + f"Note {number} section {s} covers topic{number}x{s} in some depth. " * 10 + "\n\n"
        for s in range(6))
    return f"---\ndate: 2024-03-{number % 28 + 1:02d}\n---\n# Kill test note {number}\n\n{sections}"


@pytest.mark.slow
def test_kill_mid_ingest_then_rerun_stores_each_chunk_once(tmp_path):
    # The embeddings server answers every request until one carries the last note's text, and holds that one:
    # the earlier store commits (256 chunks of whole notes each) have landed, the last cannot, and the ingest
    # cannot finish, so the kill lands mid-ingest on any machine (no timing).
    last = f"Kill test note {KILL_NOTES - 1}\n"
    with FakeOpenAI(embed_hold=lambda texts: any(text.startswith(last) for text in texts)) as server:
        root = make_journal_dir(tmp_path / "journal", embedding_base_url=server.base_url)
        for number in range(KILL_NOTES):
            write(root / "notes" / f"note-{number:03d}.md", _kill_test_note(number))
        journal = open_journal(root=root)
        env = {k: v for k, v in os.environ.items() if not k.startswith(("OPENAI_", "JOURNAL_"))}
        command = [sys.executable, "-m", "journal_agent.cli", "--root", str(root), "ingest", "--no-reflect"]
        process = subprocess.Popen(command, env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE)
        try:
            assert server.embed_held.wait(300), "the ingest never asked for the last note"  # a bound, not a measure
            assert process.poll() is None, "the ingest ended while its last request was held"
        finally:
            process.send_signal(signal.SIGKILL)
            process.wait()
        partial = len({p for p, _ in chunk_keys(journal)})
        assert 0 < partial < KILL_NOTES, "the kill should land mid-ingest"

        server.release_embeddings()
        rerun = subprocess.run(command, env=env, capture_output=True, text=True, check=False)
        assert rerun.returncode == 0, rerun.stderr
        assert f"added {KILL_NOTES - partial}, updated 0" in rerun.stdout
    keys = chunk_keys(journal)
    assert len({p for p, _ in keys}) == KILL_NOTES
    assert max(Counter(keys).values()) == 1  # no chunk stored twice
    for path in {p for p, _ in keys}:  # and every note's chunks are 0..n-1
        indexes = sorted(i for p, i in keys if p == path)
        assert indexes == list(range(len(indexes)))


@pytest.mark.slow
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
    # Both are today's notes: a second note on a date keeps that date's learning day (issue 9).
    assert ["Momentum Learning Day 1"] * 2 == [
        line.split(": ", 1)[1] for t in texts for line in t.splitlines() if line.startswith("title:")]
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


# -- which notes: remembered folders, categories, paths ---------------------------------------------------------------
def stored_notes(journal) -> dict[str, dict]:
    """``{path: row}`` of the first chunk of every stored note."""
    table = Archive.open(journal, check=False).scan("source = 'note' AND chunk_index = 0", None)
    return {row["path"]: row for row in table.to_pylist()}


def test_ingest_of_a_missing_path_is_an_error_naming_it(journal_dir, run_cli):
    write(journal_dir / "notes" / "a.md", "# A\n\nalpha\n")
    result = run_cli("ingest", str(journal_dir / "notes" / "typo-folder"))
    assert result.exit_code == 1
    assert "notes/typo-folder: no such file or folder" in result.output
    assert not (journal_dir / ".journal" / "archive.lance" / "chunks.lance").exists()  # nothing was done


def test_plain_ingest_rescans_every_remembered_folder(journal_dir, run_cli, journal):
    write(journal_dir / "notes" / "a.md", "# Alpha\n\nPostgres vacuum.\n")
    write(journal_dir / "til" / "python" / "zoneinfo.md", "# Zoneinfo\n\nUTC without pytz.\n")
    write(journal_dir / "til" / "sql" / "window.md", "# Window functions\n\nRANK and DENSE_RANK.\n")
    write(journal_dir / "til" / "photo.png", b"\x89PNG\r\n\x1a\n")
    assert run_cli("ingest").exit_code == 0
    added = run_cli("ingest", "--json", str(journal_dir / "til"))  # an absolute path inside the journal
    report = json.loads(added.stdout)
    assert report["added"] == 2 and report["sources"] == ["notes", "til"]
    assert report["skipped"] == [{"path": "til/photo.png", "reason": "not a note (.png)"}]  # journal-relative

    notes = stored_notes(journal)
    assert set(notes) == {"notes/a.md", "til/python/zoneinfo.md", "til/sql/window.md"}
    assert notes["til/python/zoneinfo.md"]["categories"] == ["python"]  # the folder below the ingested one
    assert notes["til/sql/window.md"]["categories"] == ["sql"]

    (journal_dir / "til" / "sql" / "window.md").unlink()
    (journal_dir / "notes" / "a.md").unlink()
    again = json.loads(run_cli("ingest", "--json").stdout)  # no paths: notes/ and til/ both re-scanned
    assert (again["removed"], again["unchanged"]) == (2, 1)
    assert set(stored_notes(journal)) == {"til/python/zoneinfo.md"}


def test_full_rebuild_keeps_the_notes_of_every_source(journal_dir, run_cli, journal):
    write(journal_dir / "notes" / "a.md", "# Alpha\n\nPostgres vacuum.\n")
    write(journal_dir / "til" / "python" / "zoneinfo.md", "# Zoneinfo\n\nUTC without pytz.\n")
    write(journal_dir / "elsewhere.md", "# A single file\n\nIngested by name.\n")
    run_cli("ingest")
    run_cli("ingest", str(journal_dir / "til"))
    run_cli("ingest", str(journal_dir / "elsewhere.md"))
    before = set(stored_notes(journal))
    assert before == {"notes/a.md", "til/python/zoneinfo.md", "elsewhere.md"}

    full = run_cli("ingest", "--full")
    assert full.exit_code == 0, full.output
    assert "added 3, updated 0, removed 0" in full.output
    assert set(stored_notes(journal)) == before

    (journal_dir / "elsewhere.md").unlink()  # a note ingested by name goes when its file goes
    assert "removed 1" in run_cli("ingest").output
    assert set(stored_notes(journal)) == {"notes/a.md", "til/python/zoneinfo.md"}


def test_full_rebuild_keeps_agent_entries_and_reembeds_them_for_a_new_model(journal_dir, run_cli):
    write(journal_dir / "notes" / "a.md", "# Alpha\n\nPostgres vacuum.\n")
    run_cli("ingest")
    journal = open_journal(root=journal_dir)
    entry = Archive.open(journal).insert_agent_memory("The learner prefers worked examples over theory.",
                                                      ["preference"])
    assert run_cli("ingest", "--full").exit_code == 0
    agent = search_chunks(Archive.open(journal), "worked examples", mode="fts", source="agent")
    assert [hit.path for hit in agent] == [entry]

    # A new embedding model (MiniLM, 384-d instead of the test server's 256-d): the entry is re-embedded.
    set_config(journal_dir, "embedding", "backend", "minilm")
    set_config(journal_dir, "embedding", "model", None)
    set_config(journal_dir, "embedding", "base_url", None)
    result = run_cli("ingest", "--full")
    assert result.exit_code == 0, result.output
    assert "1 agent entries kept" in result.output
    minilm = Archive.open(open_journal(root=journal_dir))
    assert minilm.dimension == 384
    hits = search_chunks(minilm, "learner likes examples", mode="vector", source="agent")
    assert [hit.path for hit in hits] == [entry]


def test_note_with_only_front_matter_is_a_named_failure_not_added_every_time(journal):
    # Was "added 1" on every ingest while nothing was stored. The reader refuses it by name;
    # it is never counted as added, and the other notes go in.
    write(journal.notes_dir / "title-only.md", "---\ntitle: Only a title\ndate: 2024-02-02\n---\n")
    write(journal.notes_dir / "real.md", "# Real\n\ntext\n")
    for _ in range(2):
        report = ingest(journal)
        assert report.added == 0 or [n.rel_path for n in report.changed_notes] == ["notes/real.md"]
        assert [(path, "front matter only" in reason) for path, reason in report.failed] == [
            ("notes/title-only.md", True)]
    assert set(stored_notes(journal)) == {"notes/real.md"}


def test_private_column_marks_private_and_draft_notes(journal):
    write(journal.notes_dir / "public.md", "# Public\n\ntext\n")
    write(journal.notes_dir / "secret.md", "---\nprivate: true\n---\n# Secret\n\ntext\n")
    write(journal.notes_dir / "wip.md", "---\ndraft: true\n---\n# Draft\n\ntext\n")
    write(journal.notes_dir / "private" / "diary.md", "# Diary\n\ntext\n")
    ingest(journal)
    flags = {path: row["private"] for path, row in stored_notes(journal).items()}
    assert flags == {"notes/public.md": False, "notes/secret.md": True, "notes/wip.md": True,
                     "notes/private/diary.md": True}
    assert Archive.open(journal).table_meta()["schema_version"] == SCHEMA_VERSION == 4


def test_progress_advances_per_embedded_batch_of_chunks(journal):
    from journal_agent.archive.ingest import EMBED_CALL_CHUNKS

    body = "".join(f"## Part {i}\n\n" + f"Paragraph {i} about caching layers and queues. " * 6 + "\n\n"
                   for i in range(50))
    for name in ("a", "b", "c"):
        write(journal.notes_dir / f"{name}.md", f"# Note {name}\n\n{body}")
    calls: list[tuple[int, int]] = []
    report = ingest(journal, progress=lambda p: calls.append((p.chunks_done, p.chunks_total)))
    total = report.chunks_written
    assert total > 2 * EMBED_CALL_CHUNKS
    assert calls[0] == (0, total) and calls[-1] == (total, total)
    assert [done for done, _ in calls] == sorted({*range(0, total, EMBED_CALL_CHUNKS), total})


def test_one_note_that_breaks_the_reader_never_stops_the_others(journal_dir, run_cli):
    write(journal_dir / "notes" / "a.md", "# Alpha\n\nPostgres vacuum.\n")
    write(journal_dir / "notes" / "b.md", "---\ndate: !!timestamp tomorrow\n---\n# Beta\n\nbody\n")
    write(journal_dir / "notes" / "c.md", "# Gamma\n\nRust lifetimes.\n")
    result = run_cli("ingest", "--json", "--no-reflect")
    assert result.exit_code == 3, result.output  # was: AttributeError, 0 of 3 notes stored
    report = json.loads(result.stdout)
    assert report["added"] == 2 and [f["path"].split(":")[0] for f in report["failed"]] == ["notes/b.md"]


def test_ingest_counts_notes_dated_by_file_time_and_says_how_to_fix_it(journal_dir, run_cli):
    """Issue 18: files without a written date were dated by their modification time silently."""
    notes = journal_dir / "notes"
    write(notes / "undated.md", "# Undated\n\nNo date anywhere.\n")
    write(notes / "2025-01-02-named.md", "# Named\n\nDated by its file name.\n")
    write(notes / "front.md", "---\ndate: 2025-01-03\n---\n# Front\n\nDated in front matter.\n")
    write(notes / "log.md", "# Log\n\n### Day 1: January 4, 2025\n\nOne.\n\n### Day 2: January 5, 2025\n\nTwo.\n")
    report = ingest(open_journal(root=journal_dir))
    assert report.dated_by_file_time == ["notes/undated.md"]
    write(notes / "undated2.md", "# Also undated\n\ntext\n")
    result = run_cli("ingest", "--no-reflect")
    assert result.exit_code == 0, result.output
    assert "1 note(s) dated by file time" in result.output and "`date:` line" in result.output
    write(notes / "undated2.md", "# Also undated\n\nchanged\n")
    output = run_cli("ingest", "--no-reflect", "--json").output  # progress lines (stderr) come first here
    shown = json.loads(output[output.index("{"):])
    assert shown["dated_by_file_time"] == ["notes/undated2.md"]  # the notes read by this ingest


def test_a_full_rebuild_carries_older_rows_over_with_entry_columns():
    """Rows of schema version 2 (no entry columns) kept by ``ingest --full`` become one-entry rows."""
    import datetime as dt

    from journal_agent.archive.schema import carried_row

    old = {"id": "notes/a.md#0", "source": "note", "path": "notes/a.md", "title": "A", "date": dt.date(2025, 1, 2),
           "day": 4, "chunk_index": 0, "heading": "", "text": "t", "search_text": "A\nt", "private": None}
    row = carried_row(old)
    assert (row["days"], row["end_date"], row["entry"], row["entry_line"], row["preamble"], row["private"]) == (
        [4], dt.date(2025, 1, 2), 0, 1, False, True)
    agent = carried_row({**old, "source": "agent", "day": None, "private": None})
    assert agent["days"] == [] and agent["private"] is False
    assert (row["date_source"], agent["date_source"]) == ("", "agent")  # schema 4: unknown, the agent's


def test_a_schema_3_archive_asks_for_ingest_full_and_gets_date_sources_and_rounds(journal_dir, run_cli):
    """Schema 4 adds ``date_source`` and ``challenge_round``: an archive built before says what to run, and
    ``ingest --full`` rebuilds it from the notes (the agent's entries carried over, dated by the agent)."""
    import lancedb

    from journal_agent.archive.schema import SCHEMA_METADATA_KEY

    write(journal_dir / "notes" / "r2-log.md",
          "# Log - Round 2\n\n### R2D1 - 2020-11-16\nA.\n\n### R2D2 - 2020-11-17\nB.\n")
    write(journal_dir / "notes" / "index.md", "# Index\n\nThe days.\n")
    assert run_cli("ingest").exit_code == 0
    journal = open_journal(root=journal_dir)
    archive = Archive.open(journal)
    archive.insert_agent_memory("The learner keeps a round-2 log.", ["log"])
    old = archive.table.to_arrow().drop_columns(["date_source", "challenge_round"])
    old = old.replace_schema_metadata({SCHEMA_METADATA_KEY: json.dumps({**archive.table_meta(), "schema_version": 3})})
    lancedb.connect(str(journal.store_dir)).create_table("chunks", data=old, mode="overwrite")
    meta = journal.store_dir / "archive.json"
    meta.write_text(json.dumps({**json.loads(meta.read_text()), "schema_version": 3}))
    with pytest.raises(StoreError, match="schema version 3.*journal ingest --full"):
        Archive.open(journal)

    result = run_cli("ingest", "--full")
    assert result.exit_code == 0, result.output
    rebuilt = Archive.open(journal)
    rows = rebuilt.scan(None, ["source", "path", "entry_heading", "date_source", "challenge_round"]).to_pylist()
    found = {(row["path"] if row["source"] == "note" else "agent", row["entry_heading"]):
             (row["date_source"], row["challenge_round"]) for row in rows}
    assert found == {("notes/r2-log.md", ""): ("heading", 2),  # the log's title: a preamble of round 2
                     ("notes/r2-log.md", "R2D1 - 2020-11-16"): ("heading", 2),
                     ("notes/r2-log.md", "R2D2 - 2020-11-17"): ("heading", 2),
                     ("notes/index.md", ""): ("mtime", None), ("agent", ""): ("agent", None)}
    assert rebuilt.table_meta()["schema_version"] == 4
