"""The archive under faults: a full disk, damaged files, a lost archive.json, a read-only store, interrupted rebuilds.

Faults are real (see tests/support/faults.py): a small tmpfs for the full
disk, file permissions that hold for root, files deleted or truncated on disk.
LanceDB writes a new table version per commit and never references data of a
failed write (Lance format, "Transactions": https://lancedb.github.io/lance/format.html).
"""

from __future__ import annotations

import json
import os
import shutil

import pytest

from journal_agent.archive.ingest import ingest
from journal_agent.archive.repair import REBUILD_MARKER, rebuild_dir
from journal_agent.archive.retrieval import search_chunks
from journal_agent.archive.store import Archive
from journal_agent.errors import StoreError
from journal_agent.workspace import open_journal
from tests.support.faults import fill, needs_permissions, run_journal, small_filesystem
from tests.support.journals import set_config, write


def notes_in_store(journal) -> set[str]:
    table = Archive.open(journal, check=False).scan("source = 'note'", ["path"])
    return set(table.column("path").to_pylist())


def fts_paths(run_cli, query: str) -> list[str]:
    result = run_cli("search", "--json", "--mode", "fts", query)
    assert result.exit_code == 0, result.output
    return [hit["path"] for hit in json.loads(result.stdout)["results"]]


def many_notes(journal_dir, count: int, words: str = "") -> None:
    for number in range(count):
        body = "".join(f"## Part {p}\n\n" + f"Note {number} part {p} on caching {words}. " * 12 + "\n\n"
                       for p in range(4))
        write(journal_dir / "notes" / f"n{number:03d}.md", f"# Note {number}\n\n{body}")


# -- a full disk ----------------------------------------------------------------------------------------------------
@pytest.mark.parametrize("free_kib", [0, 96], ids=["no-space-at-all", "space-for-the-table-only"])
def test_full_disk_on_first_ingest_leaves_a_usable_store(journal_dir, run_cli, free_kib):
    many_notes(journal_dir, 40)
    with small_filesystem(journal_dir / ".journal", 4096) as state:
        filler = fill(state, leave_kib=free_kib)
        failed = run_cli("ingest", "--no-reflect")
        after = run_cli("search", "caching")  # was: "Table 'chunks' was not found" until deleted by hand
        assert after.exit_code == 0, after.output
        assert failed.exit_code == 1
        assert "No space left on device" in failed.output
        assert "Free some disk space, then run `journal ingest` again" in failed.output
        error = [ln for ln in failed.output.strip().splitlines() if not ln.startswith("ingest: notes ")]
        assert len(error) == 1  # one line, no traceback (the others are progress lines, issue 20)

        filler.unlink()  # space comes back
        rerun = run_cli("ingest", "--no-reflect")
        assert rerun.exit_code == 0, rerun.output
        assert "added 40" in rerun.output
        assert notes_in_store(open_journal(root=journal_dir)) == {f"notes/n{n:03d}.md" for n in range(40)}
        assert fts_paths(run_cli, "note 7 part")[0] == "notes/n007.md"


def test_full_disk_during_an_update_keeps_the_changed_notes(journal_dir, run_cli):
    many_notes(journal_dir, 20, words="before")
    with small_filesystem(journal_dir / ".journal", 4096) as state:
        assert run_cli("ingest", "--no-reflect").exit_code == 0
        many_notes(journal_dir, 20, words="afterwards " * 60)  # every note changes and grows
        filler = fill(state, leave_kib=128)  # room for a delete, not for the new chunks
        failed = run_cli("ingest", "--no-reflect")
        journal = open_journal(root=journal_dir)
        assert len(notes_in_store(journal)) == 20  # was: the changed notes vanished until a rerun
        assert fts_paths(run_cli, "note 3 part before")[0] == "notes/n003.md"
        assert failed.exit_code == 1
        assert "what was stored before is kept" in failed.output

        filler.unlink()
        rerun = run_cli("ingest", "--no-reflect")
        assert rerun.exit_code == 0, rerun.output
        assert "updated 20" in rerun.output
        assert fts_paths(run_cli, "note 3 afterwards")[0] == "notes/n003.md"


def test_full_disk_during_a_full_rebuild_keeps_the_old_archive(journal_dir, run_cli):
    many_notes(journal_dir, 20)
    with small_filesystem(journal_dir / ".journal", 4096) as state:
        assert run_cli("ingest", "--no-reflect").exit_code == 0
        many_notes(journal_dir, 20, words="afterwards " * 60)  # the rebuild needs more room than the archive had
        filler = fill(state, leave_kib=64)
        failed = run_cli("ingest", "--full", "--no-reflect")
        assert failed.exit_code == 1
        assert "No space left on device" in failed.output
        assert not rebuild_dir(journal_dir / ".journal" / "archive.lance").exists()  # the space is given back
        assert len(notes_in_store(open_journal(root=journal_dir))) == 20
        assert fts_paths(run_cli, "note 5 part")[0] == "notes/n005.md"
        filler.unlink()
        assert run_cli("ingest", "--full", "--no-reflect").exit_code == 0


# -- damaged files ----------------------------------------------------------------------------------------------------
def _ingested(journal_dir, run_cli):
    write(journal_dir / "notes" / "a.md", "# Alpha\n\nPostgres vacuum tuning.\n")
    write(journal_dir / "notes" / "b.md", "# Beta\n\nRust borrow checker.\n")
    assert run_cli("ingest", "--no-reflect").exit_code == 0
    return open_journal(root=journal_dir)


def test_deleted_full_text_index_file_is_one_line_and_full_repairs_it(journal_dir, run_cli):
    journal = _ingested(journal_dir, run_cli)
    archive = Archive.open(journal)
    entry = archive.insert_agent_memory("The learner wants short answers.")
    index = next(ix for ix in archive.table.list_indices() if ix.columns == ["search_text"])
    index_dir = journal.store_dir / "chunks.lance" / "_indices" / str(index.index_uuid)
    victim = next(p for p in sorted(index_dir.iterdir()) if "invert" in p.name)
    victim.unlink()

    broken = run_cli("search", "rust")
    assert broken.exit_code == 1
    assert broken.output.count("\n") == 1 and "Traceback" not in broken.output
    assert "is damaged" in broken.output and "run `journal ingest --full`" in broken.output
    assert run_cli("ingest", "--no-reflect").exit_code == 1  # a plain ingest says the same

    repaired = run_cli("ingest", "--full", "--no-reflect")
    assert repaired.exit_code == 0, repaired.output
    assert "1 agent entries kept" in repaired.output
    assert fts_paths(run_cli, "rust borrow") == ["notes/b.md"]
    found = search_chunks(Archive.open(journal), "short answers", mode="fts", source="agent")
    assert [h.path for h in found] == [entry]


def test_truncated_data_fragment_is_one_line_and_full_repairs_it(journal_dir, run_cli):
    journal = _ingested(journal_dir, run_cli)
    for data in (journal.store_dir / "chunks.lance" / "data").iterdir():
        os.truncate(data, data.stat().st_size // 2)

    broken = run_cli("search", "postgres")
    assert broken.exit_code == 1
    assert broken.output.count("\n") == 1 and "is damaged" in broken.output
    assert "journal ingest --full" in broken.output

    repaired = run_cli("ingest", "--full", "--no-reflect")
    assert "added 2" in repaired.output
    # Nothing of the old table can be read: the report says rows may be lost (exit 3, partial).
    assert repaired.exit_code == 3 and "could not be read from the damaged archive" in repaired.output
    assert fts_paths(run_cli, "postgres vacuum") == ["notes/a.md"]
    assert run_cli("ingest", "--no-reflect").exit_code == 0


def test_deleted_archive_json_keeps_the_embedding_model_check(journal_dir, run_cli):
    journal = _ingested(journal_dir, run_cli)
    meta = journal.store_dir / "archive.json"
    recorded = json.loads(meta.read_text())
    meta.unlink()
    Archive.open(journal)  # same model: fine, and archive.json is written again from the table
    assert {k: json.loads(meta.read_text())[k] for k in ("schema_version", "embedding_model", "dimension")} == {
        k: recorded[k] for k in ("schema_version", "embedding_model", "dimension")}

    meta.unlink()
    set_config(journal_dir, "embedding", "model", "another-embedding-model")
    with pytest.raises(StoreError, match="re-index needed.*journal ingest --full"):
        Archive.open(open_journal(root=journal_dir))  # was: the check silently switched off


def test_table_without_a_record_and_without_archive_json_is_refused(journal_dir, run_cli):
    journal = _ingested(journal_dir, run_cli)
    (journal.store_dir / "archive.json").unlink()
    import lancedb
    import pyarrow as pa

    db = lancedb.connect(Archive.open(journal, check=False).directory)
    db.drop_table("chunks")  # an archive written before schema version 2: no record in the table
    db.create_table("chunks", data=pa.table({"id": ["x"], "source": ["note"], "path": ["notes/a.md"]}))
    with pytest.raises(StoreError, match="does not record the embedding model.*journal ingest --full"):
        Archive.open(journal)
    assert run_cli("ingest", "--full", "--no-reflect").exit_code == 0
    Archive.open(journal)


# -- a read-only store -------------------------------------------------------------------------------------------------
@pytest.mark.slow
@needs_permissions
def test_read_only_store_reads_work_and_writes_say_why(journal_dir, run_cli):
    journal = _ingested(journal_dir, run_cli)
    write(journal_dir / "notes" / "c.md", "# Gamma\n\nKubernetes.\n")
    state = journal.state_dir
    modes = {p: p.stat().st_mode for p in [state, *state.rglob("*")]}
    for path in modes:
        os.chmod(path, modes[path] & ~0o222)
    try:
        found = run_journal(journal_dir, "search", "--json", "--mode", "fts", "rust", unprivileged=True)
        refused = run_journal(journal_dir, "ingest", "--no-reflect", unprivileged=True)
    finally:
        for path, mode in modes.items():
            os.chmod(path, mode)
    assert found.returncode == 0, found.stderr
    assert [hit["path"] for hit in json.loads(found.stdout)["results"]] == ["notes/b.md"]
    assert refused.returncode == 1
    assert "journal ingest needs to write to" in refused.stderr and "read-only" in refused.stderr
    assert "Traceback" not in refused.stderr


@needs_permissions
def test_search_in_a_read_only_journal_without_an_archive_writes_nothing(journal_dir):
    os.chmod(journal_dir, 0o555)
    try:
        result = run_journal(journal_dir, "search", "anything", unprivileged=True)
    finally:
        os.chmod(journal_dir, 0o755)
    assert result.returncode == 0, result.stderr
    assert "No matching notes" in result.stdout
    assert not (journal_dir / ".journal").exists()


# -- interrupted rebuild swaps --------------------------------------------------------------------------------------
@pytest.mark.slow
@pytest.mark.parametrize("moment", ["old-moved-aside", "old-moved-and-rebuild-incomplete"])
def test_an_interrupted_swap_is_finished_or_undone_on_open(journal_dir, run_cli, moment):
    journal = _ingested(journal_dir, run_cli)
    store = journal.store_dir
    if moment == "old-moved-aside":  # killed between the two renames: the rebuild is complete
        shutil.copytree(store, rebuild_dir(store))
        (rebuild_dir(store) / REBUILD_MARKER).touch()
        os.rename(store, store.with_name(store.name + ".old"))
    else:  # killed while writing the rebuild, after moving nothing: only a partial rebuild beside
        rebuild_dir(store).mkdir()
        os.rename(store, store.with_name(store.name + ".old"))
    assert fts_paths(run_cli, "postgres") == ["notes/a.md"]
    assert store.is_dir() and not store.with_name(store.name + ".old").exists()
    assert not (store / REBUILD_MARKER).exists()
    assert run_cli("ingest", "--no-reflect").exit_code == 0
    assert not rebuild_dir(store).exists()
    assert ingest(journal).unchanged == 2


@needs_permissions
def test_memory_show_reads_a_read_only_store_and_edits_say_why(journal_dir, run_cli):
    assert run_cli("memory", "show").exit_code == 0  # creates core_memory.json
    state = journal_dir / ".journal"
    modes = {p: p.stat().st_mode for p in [state, *state.rglob("*")]}
    for path in modes:
        os.chmod(path, modes[path] & ~0o222)
    try:
        shown = run_journal(journal_dir, "memory", "show", unprivileged=True)
        edited = run_journal(journal_dir, "memory", "undo", unprivileged=True)
    finally:
        for path, mode in modes.items():
            os.chmod(path, mode)
    assert shown.returncode == 0, shown.stderr  # was: "cannot write .../core_memory.json.lock"
    assert "learner" in shown.stdout
    assert edited.returncode == 1 and "read-only" in edited.stderr and "Traceback" not in edited.stderr


def test_damaged_manifest_is_one_line_and_full_rebuilds(journal_dir, run_cli):
    journal = _ingested(journal_dir, run_cli)
    for manifest in (journal.store_dir / "chunks.lance" / "_versions").glob("*.manifest"):
        os.truncate(manifest, 100)
    broken = run_cli("search", "postgres")
    assert broken.exit_code == 1 and broken.output.count("\n") == 1
    assert "is damaged" in broken.output and "journal ingest --full" in broken.output
    assert run_cli("ingest", "--no-reflect").exit_code == 1  # never writes a new table over it
    repaired = run_cli("ingest", "--full", "--no-reflect")
    assert repaired.exit_code == 3 and "the old archive could not be opened" in repaired.output
    assert "added 2" in repaired.output
    assert fts_paths(run_cli, "postgres vacuum") == ["notes/a.md"]
