"""One reader of a journal's notes, bound to its config (issue 17).

Before: nine loops read every note and only three passed ``[journal] date_languages``, so with
``date_languages = ["de"]`` a note dated ``18. März 2025`` was read by ``journal add`` and
rejected by ``journal list`` and ``journal ingest`` (exit 3).
"""

from __future__ import annotations

import ast
import json
from pathlib import Path

from tests.support.journals import set_config, write

GERMAN_NOTE = "---\ntitle: Momentum Learning Day 3\ndate: 18. März 2025\n---\n# Tag drei\n\nVektorsuche und BM25.\n"


def test_every_command_reads_a_date_in_the_configured_language(journal_dir, run_cli, tmp_path):
    set_config(journal_dir, "journal", "date_languages", ["de"])
    write(journal_dir / "notes" / "tag-drei.md", GERMAN_NOTE)

    listed = run_cli("list", "--json")
    assert listed.exit_code == 0, listed.output
    assert [(n["date"], n["day"]) for n in json.loads(listed.stdout)["notes"]] == [("2025-03-18", 3)]

    shown = run_cli("show", "18. März 2025")
    assert shown.exit_code == 0, shown.output
    assert "Vektorsuche" in shown.stdout

    ingested = run_cli("ingest", "--no-reflect", "--json")
    assert ingested.exit_code == 0, ingested.output
    assert json.loads(ingested.stdout)["failed"] == []

    stats = run_cli("stats", "--json")
    assert stats.exit_code == 0, stats.output

    exported = run_cli("export", "--format", "json", "--output", str(tmp_path / "export.json"))
    assert exported.exit_code == 0, exported.output
    assert json.loads((tmp_path / "export.json").read_text())["notes"][0]["date"] == "2025-03-18"


def test_the_same_note_is_refused_alike_without_the_language(journal_dir, run_cli):
    """English only: the date is not guessed, and list and ingest name the same failure."""
    write(journal_dir / "notes" / "tag-drei.md", GERMAN_NOTE)
    listed = run_cli("list")
    ingested = run_cli("ingest", "--no-reflect")
    assert listed.exit_code == ingested.exit_code == 3  # list said "No notes yet" and exited 0
    assert "No notes yet" not in listed.stderr
    assert "tag-drei.md" in listed.stderr and "tag-drei.md" in ingested.stderr


def test_notes_are_read_only_through_the_journal_reader():
    """``read_note``/``read_note_head``/``iter_note_files`` are called by notes/journal.py alone (and the
    notes model's own modules); every other module reads through it, so its settings apply everywhere."""
    package = Path(__file__).resolve().parents[1] / "journal_agent"
    allowed = {"notes/journal.py", "notes/model.py", "notes/walk.py"}
    readers = {"read_note", "read_note_head", "iter_note_files"}
    offenders = []
    for path in sorted(package.rglob("*.py")):
        rel = path.relative_to(package).as_posix()
        if rel in allowed:
            continue
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.Call) and isinstance(node.func, ast.Name) and node.func.id in readers:
                offenders.append(f"{rel}:{node.lineno} {node.func.id}")
    assert offenders == []


def test_a_day_number_is_one_bound_everywhere(journal_dir, run_cli):
    """``day: 10000`` was listed while ``journal show 10000`` and ``show "day 10000"`` said no such note:
    four regular expressions allowed 4 or 5 digits. One module (notes/days.py) now reads every Day N."""
    write(journal_dir / "notes" / "long-run.md",
          "---\ntitle: A long run\ndate: 2025-01-02\nday: 10000\n---\nStill here.\n")
    listed = run_cli("list", "--json")
    assert [n["day"] for n in json.loads(listed.stdout)["notes"]] == [10000]
    for ref in ("10000", "day 10000", "Day #10000"):
        shown = run_cli("show", ref)
        assert shown.exit_code == 0, (ref, shown.output)
        assert "Still here." in shown.stdout
    assert run_cli("ingest", "--no-reflect").exit_code == 0
    searched = run_cli("search", "--json", "what did I do on day 10000?")
    assert searched.exit_code == 0, searched.output
    assert json.loads(searched.stdout)["results"][0]["path"] == "notes/long-run.md"
    over = run_cli("add", "--no-reflect", "--day", "100000", "Too far.")
    assert over.exit_code == 2 and "100000" in over.output


def test_day_numbers_read_alike_in_titles_questions_references_and_citations():
    from journal_agent.notes.days import MAX_DAY, bare_day, days_cited, find_day_number, title_day

    for number in (1, 42, 9999, 10000, MAX_DAY):
        assert title_day(f"Momentum Learning Day {number}") == number
        assert bare_day(f"day {number}") == number
        reference = find_day_number(f"what did I learn on Day {number}?")
        assert reference is not None and reference.day == number
        assert days_cited(f"On Day {number} I read about RRF.") == {number}
    assert title_day("Day 0: setting up") == 0  # issue 18 made Day 0 a day (it was None), here in one place
    assert title_day("Momentum Learning Day 100000") is None
    assert days_cited("I studied on days 3, 4 and 5.") == {3, 4, 5}
