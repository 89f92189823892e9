"""The journal-shapes benchmark (issue 18): its question files and its entry-level scoring."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from benchmarks.journal_shapes import run as shapes
from benchmarks.journal_shapes.fetch_journals import JOURNALS, OUT, load_journals

KINDS = {*shapes.SEARCH_KINDS, "show", "stats"}
STATS = {"days", "gaps", "first_date", "last_date", "longest_streak.days", "longest_streak.from",
         "longest_streak.until"}


@pytest.mark.parametrize("journal", [j["name"] for j in load_journals()])
def test_question_files_are_complete(journal):
    questions = shapes.load_questions(journal)
    ids = [q["id"] for q in questions]
    assert len(ids) == len(set(ids)) and len(questions) >= 25
    assert {q["kind"] for q in questions} >= {"day", "date", "show", "stats"}
    for q in questions:
        assert q["kind"] in KINDS
        if q["kind"] == "stats":
            assert q["stat"] in STATS or q["stat"].startswith("month_days:"), q
        else:
            assert q["expect"] and all(set(e) == {"path", "entry"} for e in q["expect"]), q
            assert ("ref" if q["kind"] == "show" else "question") in q


def test_journals_name_a_commit_folder_licence_and_shape():
    for journal in load_journals(JOURNALS):
        assert len(journal["commit"]) == 40 and journal["paths"] and journal["licence"] and journal["shape"]


@pytest.mark.parametrize("journal", [j["name"] for j in load_journals()])
def test_expected_headings_exist_when_fetched(journal):
    folder = OUT / journal
    if not folder.exists():
        pytest.skip("journal not materialised (python -m benchmarks.journal_shapes.fetch_journals)")
    for q in shapes.resolve(shapes.load_questions(journal), folder):
        for e in q.get("expect", []):
            assert e["line"] >= 1


def test_resolve_finds_heading_lines_outside_code_fences(tmp_path):
    (tmp_path / "log.md").write_text("# Log\n\n```\n### Day 1: not a heading\n```\n### Day 1: January 4, 2020\n",
                                     encoding="utf-8")
    q = {"id": "x", "kind": "day", "expect": [{"path": "log.md", "entry": "Day 1: January 4, 2020"}]}
    assert shapes.resolve([q], tmp_path)[0]["expect"][0]["line"] == 6
    with pytest.raises(ValueError, match="no heading"):
        shapes.resolve([{"id": "y", "expect": [{"path": "log.md", "entry": "Day 2"}]}], tmp_path)


ENTRY = {"path": "log.md", "entry": "Day 12: January 15, 2020", "line": 40}
Q = {"id": "q", "kind": "day", "expect": [ENTRY]}


def test_a_hit_is_right_at_entry_level_only_when_it_names_the_entry():
    wrong = {"path": "/x/lgomez9/log.md", "heading": "Log > Day 40: February 12, 2020"}
    right = {"path": "/x/lgomez9/log.md", "heading": "Log > Day 12: January 15, 2020"}
    assert shapes.hit_rank([wrong, right], Q, entry_level=True) == 2
    assert shapes.hit_rank([wrong, right], Q, entry_level=False) == 1
    by_line = {"path": "notes/lgomez9/log.md", "line": 40, "heading": ""}
    assert shapes.hit_rank([by_line], Q, entry_level=True) == 1
    assert shapes.hit_rank([{"path": "notes/other/changelog.md", "line": 40}], Q, entry_level=True) is None


def test_show_is_right_when_it_names_or_starts_at_the_entry():
    assert shapes.shown_right({"path": "log.md", "text": "### Day 12: January 15, 2020\n\ntext"}, Q, Path())
    assert not shapes.shown_right({"path": "log.md", "text": "# Log\n### Day 12: January 15, 2020"}, Q, Path())
    assert shapes.shown_right({"path": "log.md", "entry": {"heading": "Day 12: January 15, 2020"}}, Q, Path())
    assert not shapes.shown_right({"path": "log.md", "line": 3, "text": "### Day 12: January 15, 2020"}, Q, Path())


def test_stat_values_come_from_journal_stats_json():
    stats = json.loads('{"days": 80, "gaps": [{}, {}, {}], "longest_streak": {"days": 50, "from": "2020-01-03"},'
                       ' "months": {"2020-03": 8}}')
    assert shapes.stat_value(stats, "days") == (80, "days")
    assert shapes.stat_value(stats, "gaps")[0] == 3
    assert shapes.stat_value(stats, "longest_streak.from")[0] == "2020-01-03"
    assert shapes.stat_value(stats, "month_days:2020-03") == (8, "months (notes per month)")
    assert shapes.stat_value(stats | {"month_days": {"2020-03": 9}}, "month_days:2020-03") == (9, "month_days")
    assert shapes.stat_value({}, "last_date")[0] is None
