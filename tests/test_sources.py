"""Issue 18, "every ingested folder is the journal": a second folder's notes in every reader, its private notes in
none of the published or served ones, one reader of the record of ingested folders, the site leaving one out."""

from __future__ import annotations

import asyncio
import datetime as dt
import json
import shutil
import zipfile

import pytest

from journal_agent.archive.ingest import ingest
from journal_agent.archive.store import Archive
from journal_agent.notes.journal import journal_sources, list_notes, note_files, read_journal
from journal_agent.workspace import ARCHIVE_RECORD, open_journal, recorded_sources
from tests.support.journals import SEED, write

TODAY = dt.date(2025, 9, 27)
SECRET = "Qx18hidden"
OTHER = """---
title: Other folder note
date: 2025-09-20
tags: [elsewhere]
---
# Other folder note

Tokenizers and byte pair encoding, learned away from notes/.

What is BPE?::Byte pair encoding merges frequent pairs of symbols
"""
PRIVATE = f"""---
title: Hidden elsewhere
date: 2025-09-21
---
# Hidden elsewhere

{SECRET} tokenizers body.

What is {SECRET}?::a secret
"""


@pytest.fixture
def two_folders(journal_dir):
    """``notes/`` with the seed note (2025-09-18, Day 2) and ``other/`` ingested beside it: one public note in a
    sub-folder (its category) and one under ``other/Private/``."""
    shutil.copy(SEED, journal_dir / "notes" / SEED.name)
    write(journal_dir / "other" / "ml" / "bpe.md", OTHER)
    write(journal_dir / "other" / "Private" / "hidden.md", PRIVATE)
    journal = open_journal(root=journal_dir)
    ingest(journal)
    ingest(journal, [journal_dir / "other"])
    return journal


def test_the_record_of_ingested_folders_has_one_reader(two_folders):
    record = json.loads((two_folders.store_dir / ARCHIVE_RECORD).read_text(encoding="utf-8"))
    assert two_folders.sources() == recorded_sources(record) == ["notes", "other"]
    assert Archive.open(two_folders, check=False).sources() == two_folders.sources()
    assert recorded_sources({}) == recorded_sources({"sources": "notes"}) == ["notes"]


def test_a_second_folder_is_read_with_its_own_base(two_folders):
    notes = {n.rel_path: n for n in read_journal(two_folders).notes}
    assert set(notes) == {f"notes/{SEED.name}", "other/ml/bpe.md", "other/Private/hidden.md"}
    assert notes["other/ml/bpe.md"].categories == ["ml"] and notes["other/ml/bpe.md"].publishable
    assert notes["other/Private/hidden.md"].private
    assert [p.name for p in note_files(two_folders)] == [SEED.name, "hidden.md", "bpe.md"]  # notes/ first


def test_list_show_stats_and_export_see_the_second_folder(two_folders, run_cli, tmp_path):
    listed = json.loads(run_cli("list", "--json").output)
    assert {n["path"] for n in listed["notes"]} >= {"other/ml/bpe.md", "other/Private/hidden.md"}
    assert [n.path for n in list_notes(two_folders, include_private=False).notes] == [
        f"notes/{SEED.name}", "other/ml/bpe.md"]
    shown = run_cli("show", "other/ml/bpe.md")
    assert shown.exit_code == 0 and "byte pair encoding" in shown.output
    by_date = run_cli("show", "2025-09-20")
    assert by_date.exit_code == 0 and "Other folder note" in by_date.output
    stats = json.loads(run_cli("stats", "--json").output)
    assert (stats["notes"], stats["days"]) == (3, 3)  # 09-18 in notes/, 09-20 and (private, counted locally) 09-21
    assert run_cli("export", "--format", "json", "-o", str(tmp_path / "e.json")).exit_code == 0
    exported = json.loads((tmp_path / "e.json").read_text(encoding="utf-8"))
    assert {n["path"] for n in exported["notes"]} == {f"notes/{SEED.name}", "other/ml/bpe.md"}
    assert SECRET not in json.dumps(exported)


def test_review_cards_and_the_digest_see_the_second_folder(two_folders):
    from journal_agent.digest import Week, collect_digest
    from journal_agent.review.store import ReviewStore

    with ReviewStore.open(two_folders) as store:
        store.sync(dt.datetime(2025, 9, 27, tzinfo=dt.UTC))
        cards = {c.question: c for c in store.cards()}
    assert cards["What is BPE?"].path == "other/ml/bpe.md" and not cards["What is BPE?"].private
    assert cards[f"What is {SECRET}?"].private  # kept for the learner, marked private (never exported to Anki)
    digest = collect_digest(two_folders, Week.of(dt.date(2025, 9, 20)), today=TODAY)
    assert "other/ml/bpe.md" in [e.path for e in digest.entries]
    assert SECRET not in json.dumps([e.body for e in digest.entries]) and digest.withheld == 1


def test_the_site_publishes_the_second_folder_but_never_its_private_notes(two_folders, tmp_path):
    from journal_agent.site.render import render_posts

    posts = tmp_path / "posts"
    result = render_posts(two_folders, posts)
    assert "other/ml/bpe.md" in [n.rel_path for n in result.notes]
    assert result.skipped_private == ["other/Private/hidden.md"]
    text = "".join(p.read_text(encoding="utf-8") for p in posts.glob("*.md"))
    assert "byte pair encoding" in text and SECRET not in text


def test_the_site_leaves_out_a_source_named_in_exclude_sources(two_folders, tmp_path):
    from journal_agent.site.render import render_posts

    toml = two_folders.root / "journal.toml"
    toml.write_text(toml.read_text(encoding="utf-8").replace("exclude_sources = []", 'exclude_sources = ["other"]'),
                    encoding="utf-8")
    journal = open_journal(root=two_folders.root)
    result = render_posts(journal, tmp_path / "posts")
    assert [n.rel_path for n in result.notes] == [f"notes/{SEED.name}"]
    assert sorted(result.left_out) == ["other/Private/hidden.md", "other/ml/bpe.md"]
    assert "other/ml/bpe.md" in {n.rel_path for n in read_journal(journal).notes}  # still the journal's


def test_mcp_and_the_model_tools_never_serve_a_second_folders_private_note(two_folders):
    from mcp import Client

    from journal_agent.service.mcp import build_server

    async def main():
        async with Client(build_server(two_folders, today=TODAY)) as client:
            listed = await client.call_tool("list_notes", {})
            read = await client.call_tool("read_note", {"path": "other/Private/hidden.md"})
            return listed.content[0].text, read.is_error, read.content[0].text

    listed, refused, text = asyncio.run(main())
    assert "other/ml/bpe.md" in listed and SECRET not in listed and "Hidden elsewhere" not in listed
    assert refused and SECRET not in text


def test_a_missing_ingested_folder_is_named_and_notes_are_still_read(two_folders):
    shutil.rmtree(two_folders.root / "other")
    read = read_journal(two_folders)
    assert [n.rel_path for n in read.notes] == [f"notes/{SEED.name}"]
    assert read.failed == [("other", "ingested folder is missing (not mounted?); its notes are left out")]


def test_a_damaged_record_leaves_notes_readable_and_says_so(two_folders):
    (two_folders.store_dir / ARCHIVE_RECORD).write_text("{not json", encoding="utf-8")
    read = read_journal(two_folders)
    assert [n.rel_path for n in read.notes] == [f"notes/{SEED.name}"]
    assert read.failed[0][0] == ARCHIVE_RECORD and "journal ingest --full" in read.failed[0][1]
    assert journal_sources(two_folders).folders == [two_folders.notes_dir]


def test_published_copies_under_site_are_never_notes_when_the_root_is_ingested(journal_dir):
    shutil.copy(SEED, journal_dir / "notes" / SEED.name)
    write(journal_dir / "site" / "docs" / "posts" / "day-2.md", "# Day 2 copy\n\nA published copy.\n")
    write(journal_dir / "extra" / "e.md", "---\ndate: 2025-09-22\n---\n# Extra\n\nRoot-level folder note.\n")
    journal = open_journal(root=journal_dir)
    ingest(journal, [journal_dir])
    paths = [n.rel_path for n in read_journal(journal).notes]
    assert f"notes/{SEED.name}" in paths and "extra/e.md" in paths
    assert not any(p.startswith("site/") for p in paths) and len(paths) == len(set(paths))


def test_export_markdown_zip_holds_the_second_folders_files_at_their_paths(two_folders, tmp_path):
    from journal_agent.notes.journal import export_notes

    out = tmp_path / "export.zip"
    export_notes(two_folders, "markdown", out)
    with zipfile.ZipFile(out) as archive:
        names = archive.namelist()
        assert "other/ml/bpe.md" in names and "other/Private/hidden.md" not in names
        assert archive.read("other/ml/bpe.md") == (two_folders.root / "other/ml/bpe.md").read_bytes()


@pytest.mark.slow
def test_site_build_publishes_the_second_folder_and_leaves_out_an_excluded_one(two_folders, run_cli):
    """The whole ``journal site build`` (MkDocs): other/'s public post is in the HTML, its private one nowhere;
    with ``[site] exclude_sources = ["other"]`` the post is gone and the build says so."""
    from journal_agent import init_journal

    init_journal(two_folders.root)
    built = run_cli("site", "build", "-v")
    assert built.exit_code == 0, built.output
    public = two_folders.root / "site" / "public"
    html = "".join(p.read_text(encoding="utf-8", errors="replace") for p in public.rglob("*") if p.is_file()
                   and p.suffix in (".html", ".xml", ".json"))
    assert "byte pair encoding" in html and SECRET not in html
    toml = two_folders.root / "journal.toml"
    toml.write_text(toml.read_text(encoding="utf-8").replace("exclude_sources = []", 'exclude_sources = ["other"]'),
                    encoding="utf-8")
    again = run_cli("site", "build", "-v")
    assert again.exit_code == 0 and "2 left out by [site] exclude_sources" in again.output
    assert "left out ([site] exclude_sources): other/ml/bpe.md" in again.output
    html = "".join(p.read_text(encoding="utf-8", errors="replace") for p in public.rglob("*.html"))
    assert "byte pair encoding" not in html


def test_another_folders_day_numbers_neither_number_new_notes_nor_get_rewritten(two_folders, run_cli):
    """``journal add`` numbers the learner's series in ``notes/`` only, and ``journal renumber`` rewrites only
    there: a second folder's log (another journal, Day 81) is read, never renumbered or overwritten."""
    log = two_folders.root / "other" / "log.md"
    write(log, "# 100 Days Of Code - Log\n\n### Day 81: September 22, 2025\n\nBinary trees.\n")
    before = log.read_bytes()
    from journal_agent.notes.add import highest_day, renumber_journal

    assert highest_day(two_folders) == 2  # the seed's Day 2, not the other log's Day 81
    renumber_journal(two_folders)
    assert log.read_bytes() == before
