"""benchmarks/learner.py scores notes: a note named by several of its entries counts once (issue 18 leftover)."""

from __future__ import annotations

from benchmarks.learner import evaluate, note_ranking
from journal_agent.archive.ingest import ingest
from journal_agent.workspace import open_journal
from tests.support.journals import write

LOG = "# Rust log\n\n" + "".join(f"## Day {n}: September {n}, 2025\n\nOwnership and borrowing, part {n}.\n\n"
                                 for n in range(1, 8))
OTHER = "---\ntitle: Other\ndate: 2025-09-20\n---\nA short note on ownership.\n"


def test_a_note_with_several_matching_entries_counts_once(journal_dir):
    """Seven entries of one log match before the other note: the other note is second by note, not eighth."""
    write(journal_dir / "notes" / "log.md", LOG)
    write(journal_dir / "notes" / "other.md", OTHER)
    journal = open_journal(root=journal_dir)
    ingest(journal)
    question = {"id": "w1", "kind": "week", "question": "ownership borrowing", "today": "2025-09-27",
                "expect": ["notes/log.md", "notes/other.md"]}
    other = {**question, "id": "t1", "kind": "topic", "expect": ["notes/other.md"]}
    table = evaluate(journal, [question, other], configs={"fts": {"mode": "fts", "time_mode": "off"}})["fts"]
    assert table["week coverage@5"] == 1.0
    assert table["topic"]["Hit@5"] == 1.0 and table["topic"]["MRR@10"] == 0.5
    assert note_ranking(["a", "a", "b", "a", "c"]) == ["a", "b", "c"]
