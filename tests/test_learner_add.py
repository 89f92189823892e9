"""Issue 20, writing: what a new learner hits with `journal add` (backfilling a day, `--file`, future dates)."""

from __future__ import annotations

import datetime as dt
import json

import frontmatter
import pytest

from tests.support.journals import write

TODAY = dt.date.today()
YESTERDAY = TODAY - dt.timedelta(days=1)


def note(root, name, day, date, heading=True):
    body = f"# Day {day}| Momentum Learning Series\n\nWhat I learned on day {day}.\n" if heading else "Text.\n"
    return write(root / "notes" / name, f"---\ntitle: \"Momentum Learning Day {day} \"\ndate: {date}\n"
                                        f"categories: [Momentum_Learning]\n---\n{body}")


@pytest.fixture
def nine_days_and_today(journal_dir):
    """Days 1-9 in September 2025 and Day 10 today, as in the issue."""
    for day in range(1, 10):
        note(journal_dir, f"2025-09-{10 + day}-day-{day}.md", day, f"2025-09-{10 + day}")
    note(journal_dir, "today.md", 10, TODAY.isoformat())
    return journal_dir


def new_notes(root, before):
    return {p.name: frontmatter.load(p) for p in (root / "notes").iterdir() if p.name not in before}


def test_backfilling_yesterday_without_a_free_day_names_the_neighbours_and_renumber(nine_days_and_today, run_cli):
    before = {p.name for p in (nine_days_and_today / "notes").iterdir()}
    result = run_cli("add", "--no-reflect", "--date", "yesterday", "--tag", "rust", "Rust ownership basics")
    assert result.exit_code == 1
    assert "Day 9" in result.output and "Day 10" in result.output and "notes/today.md" in result.output
    assert "--renumber" in result.output
    assert new_notes(nine_days_and_today, before) == {}


def test_backfilling_with_renumber_moves_the_later_days_up(nine_days_and_today, run_cli):
    before = {p.name for p in (nine_days_and_today / "notes").iterdir()}
    today_bytes = (nine_days_and_today / "notes" / "today.md").read_bytes()
    result = run_cli("add", "--no-reflect", "--renumber", "--date", "yesterday", "--tag", "rust",
                     "Rust ownership basics")
    assert result.exit_code == 0, result.output
    [post] = new_notes(nine_days_and_today, before).values()
    assert post["title"] == "Momentum Learning Day 10" and post["tags"] == ["rust"]
    moved = (nine_days_and_today / "notes" / "today.md").read_bytes()
    assert moved == today_bytes.replace(b"Day 10", b"Day 11")  # only the day's words changed
    listed = run_cli("list", "--json")
    days = {n["path"]: n["day"] for n in __import__("json").loads(listed.output)["notes"]}
    assert days["notes/today.md"] == 11


def test_backfilled_date_takes_the_free_day_between_its_neighbours(journal_dir, run_cli):
    note(journal_dir, "a.md", 9, "2025-09-20")
    note(journal_dir, "b.md", 12, TODAY.isoformat())
    result = run_cli("add", "--no-reflect", "--date", "yesterday", "Rust ownership basics")
    assert result.exit_code == 0, result.output
    assert f"Day 10, {YESTERDAY.isoformat()}" in result.output
    assert (journal_dir / "notes" / "b.md").read_text().count("Day 12") == 2  # not renumbered


def test_day_held_by_another_date_is_refused_naming_the_note(nine_days_and_today, run_cli):
    before = {p.name for p in (nine_days_and_today / "notes").iterdir()}
    result = run_cli("add", "--no-reflect", "--date", "yesterday", "--day", "10", "text")
    assert result.exit_code == 1
    assert "Day 10 is already notes/today.md" in result.output
    assert new_notes(nine_days_and_today, before) == {}


def test_add_file_keeps_its_tags_and_takes_its_heading_as_title(journal_dir, run_cli, tmp_path):
    draft = write(tmp_path / "draft.md", "---\ntags: [lancedb, search]\n---\n# Plain draft about tokenizers\n\n"
                                         "BPE merges pairs.\n")
    result = run_cli("add", "--no-reflect", "--file", str(draft), "--tag", "extra")
    assert result.exit_code == 0, result.output
    [post] = new_notes(journal_dir, set()).values()
    assert post["tags"] == ["lancedb", "search", "extra"]
    assert post["title"] == "Plain draft about tokenizers" and post["day"] == 1
    shown = run_cli("show", "1")
    assert "Plain draft about tokenizers" in shown.output


def test_relative_future_date_is_refused_iso_date_accepted(journal_dir, run_cli):
    refused = run_cli("add", "--no-reflect", "--date", "tomorrow", "Plans.")
    tomorrow = (TODAY + dt.timedelta(days=1)).isoformat()
    assert refused.exit_code == 1 and "future" in refused.output and f"--date {tomorrow}" in refused.output
    assert new_notes(journal_dir, set()) == {}
    accepted = run_cli("add", "--no-reflect", "--date", tomorrow, "Plans.")
    assert accepted.exit_code == 0, accepted.output


def test_empty_stdin_mentions_the_editor(journal_dir, run_cli):
    result = run_cli("add", "--no-reflect", input="")
    assert result.exit_code == 1 and "$EDITOR" in result.output


def test_renumber_shows_the_plan_then_rewrites_only_the_day_words(journal_dir, run_cli):
    note(journal_dir, "a.md", 1, "2025-09-11")
    note(journal_dir, "b.md", 4, "2025-09-12")
    note(journal_dir, "c.md", 3, "2025-09-13")  # out of order, and Day 2 missing
    c_before = (journal_dir / "notes" / "c.md").read_bytes()
    shown = run_cli("renumber", "--no-reflect")
    assert shown.exit_code == 0, shown.output
    assert "notes/b.md: Day 4 → Day 2  (2025-09-12)" in shown.stdout and "nothing was changed" in shown.stderr.lower()
    assert (journal_dir / "notes" / "c.md").read_bytes() == c_before
    done = run_cli("renumber", "--yes", "--no-reflect")
    assert done.exit_code == 0 and "Renumbered 1 notes." in done.stdout, done.output
    assert (journal_dir / "notes" / "b.md").read_text().count("Day 2") == 2
    assert run_cli("renumber").stdout.startswith("The learning days already run in date order")
    days = {n["path"]: n["day"] for n in json.loads(run_cli("list", "--json").stdout)["notes"]}
    assert days == {"notes/a.md": 1, "notes/b.md": 2, "notes/c.md": 3}
