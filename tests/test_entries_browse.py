"""The entry as the unit of `journal show`, `list` and `stats` (issue 18): single-file logs and multi-day posts."""

from __future__ import annotations

import datetime as dt
import json

import pytest
from click.testing import CliRunner

from journal_agent.errors import NoteNotFound
from journal_agent.notes.journal import find_note, list_notes
from journal_agent.notes.stats import Gap, Streak, journal_stats
from journal_agent.workspace import open_journal
from tests.support.journals import make_journal_dir, write
from tests.support.shapes import MULTI_DAY_POST, SINGLE_FILE_LOG, long_log

D = dt.date
PLAIN = "---\ntitle: Day 5 | Closures\ndate: 2020-01-06\n---\nA note of its own about closures.\n"


@pytest.fixture
def shapes(tmp_path):
    root = make_journal_dir(tmp_path / "j")
    write(root / "notes" / "log.md", SINGLE_FILE_LOG)
    write(root / "notes" / "2024-11-17-week-2.md", MULTI_DAY_POST)
    write(root / "notes" / "2020-01-06-day-5.md", PLAIN)
    return root


def cli(root, *args):
    from journal_agent.cli import main

    return CliRunner().invoke(main, ["--root", str(root), *args], catch_exceptions=False)


@pytest.mark.parametrize("ref, path, heading", [
    ("Day 2", "notes/log.md", "Day 2: January 3, 2020"),
    ("day 0", "notes/log.md", "Day 0: January 1, 2020"),
    ("0", "notes/log.md", "Day 0: January 1, 2020"),
    ("2020-01-03", "notes/log.md", "Day 2: January 3, 2020"),
    ("January 5, 2020", "notes/log.md", "Day 4: January 5, 2020"),
    ("Day 13", "notes/2024-11-17-week-2.md", "13/11/2024 - Day 13"),
    ("2024-11-12", "notes/2024-11-17-week-2.md", "12/11/2024 - Day 12"),
    ("Day 5", "notes/2020-01-06-day-5.md", ""),
])
def test_find_note_finds_the_entry_inside_a_log_or_post(shapes, ref, path, heading):
    match = find_note(open_journal(root=shapes), ref)
    assert match.note.rel_path == path and match.entry is not None and match.entry.heading == heading
    if heading:  # the entry, not the whole note
        assert match.text == match.entry.body and match.text.splitlines()[0].endswith(heading)
    else:
        assert match.text == match.note.body


def test_a_day_or_date_without_an_entry_names_the_nearest(shapes):
    journal = open_journal(root=shapes)
    with pytest.raises(NoteNotFound, match="nearest are Day 2 and Day 4"):
        find_note(journal, "Day 3")
    with pytest.raises(NoteNotFound, match="before is from 2020-01-03; the next is from 2020-01-05"):
        find_note(journal, "2020-01-04")


def test_show_prints_the_entry_with_title_path_and_line(shapes):
    out = cli(shapes, "show", "Day", "13").output
    assert out.startswith("Week 2: Reaching day 14  2024-11-13 · Day 13 · notes/2024-11-17-week-2.md:16")
    assert "Media queries" in out and "Flexbox" not in out  # that entry only
    data = json.loads(cli(shapes, "show", "--json", "2020-01-03").output)
    assert (data["path"], data["line"], data["day"], data["days"], data["heading"]) == (
        "notes/log.md", 15, 2, [2], "Day 2: January 3, 2020")
    assert data["text"].startswith("### Day 2") and "argparse" not in data["text"]
    assert data["anchor"] == "day-2-january-3-2020" and data["date"] == "2020-01-03"


def test_list_has_one_row_per_entry(shapes):
    rows = list_notes(open_journal(root=shapes)).notes
    assert [(r.date, r.days, r.path) for r in rows] == [
        (D(2020, 1, 1), [0], "notes/log.md"), (D(2020, 1, 2), [1], "notes/log.md"),
        (D(2020, 1, 3), [2], "notes/log.md"), (D(2020, 1, 5), [4], "notes/log.md"),
        (D(2020, 1, 6), [5], "notes/2020-01-06-day-5.md"),
        (D(2024, 11, 11), [11], "notes/2024-11-17-week-2.md"), (D(2024, 11, 12), [12], "notes/2024-11-17-week-2.md"),
        (D(2024, 11, 13), [13], "notes/2024-11-17-week-2.md")]
    window = list_notes(open_journal(root=shapes), since=D(2020, 1, 2), until=D(2020, 1, 3)).notes
    assert [r.heading for r in window] == ["Day 1: January 2, 2020", "Day 2: January 3, 2020"]
    human = cli(shapes, "list", "--on", "2024-11-12").output
    assert "Day 12" in human and "12/11/2024 - Day 12" in human and "notes/2024-11-17-week-2.md:12" in human


def test_stats_of_a_single_file_log_with_a_gap(tmp_path):
    root = make_journal_dir(tmp_path / "j")
    write(root / "notes" / "100-days-log.md", long_log(D(2020, 1, 1), streak=50, gap=3, rest=30))
    stats = journal_stats(open_journal(root=root), today=D(2020, 6, 1))
    assert (stats.notes, stats.entries, stats.days) == (1, 80, 80)
    assert stats.longest_streak == Streak(50, D(2020, 1, 1), D(2020, 2, 19))
    assert stats.gaps == [Gap(D(2020, 2, 20), D(2020, 2, 22), 3)]
    assert (stats.first_date, stats.last_date) == (D(2020, 1, 1), D(2020, 3, 23))
    assert stats.month_days == {"2020-01": 31, "2020-02": 26, "2020-03": 23}
    assert (stats.learning_days, stats.first_day, stats.last_day) == (80, 0, 79)
    assert stats.current_streak == Streak() and stats.dated_by_file_time == 0
    human = cli(root, "stats").output
    assert "1 note (80 entries) on 80 days, 2020-01-01 to 2020-03-23" in human
    assert "Longest streak: 50 days (2020-01-01 to 2020-02-19)" in human
    assert "Missed days: 3 in 1 gaps" in human and "2020-02-20 to 2020-02-22 (3 days)" in human
    assert "Study days per month: 2020-01 31, 2020-02 26, 2020-03 23" in human
    assert "Learning days: 80 (Day 0 to Day 79)" in human


def test_stats_count_a_date_range_heading_day_by_day_and_say_when_notes_are_dated_by_file_time(tmp_path):
    root = make_journal_dir(tmp_path / "j")
    write(root / "notes" / "trip.md", "## January 4-6, 2020\n\nA long weekend.\n\n## January 7, 2020\n\nB.\n")
    write(root / "notes" / "undated.md", "No date anywhere.\n")
    stats = journal_stats(open_journal(root=root))
    assert stats.per_day[D(2020, 1, 5)] == 1 and stats.longest_streak.days == 4
    assert stats.dated_by_file_time == 1 and stats.notes == 2
    assert stats.days == 4 and stats.last_date == D(2020, 1, 7)  # the file time is no study day
    (root / "notes" / "trip.md").unlink()
    alone = journal_stats(open_journal(root=root))  # ... unless it is all there is
    assert alone.days == 1 and alone.dated_by_file_time == 1
    assert "1 note dated by file time" in cli(root, "stats").output


def test_show_by_path_prints_the_whole_log_with_its_days(shapes):
    out = cli(shapes, "show", "notes/log.md").output
    assert out.startswith("100 Days Of Code - Log  2020-01-01 · Days 0-2, 4 · notes/log.md\n")
    assert "My rules" in out and "caught up on list comprehensions" in out


def test_an_entry_listing_dates_is_found_on_each_and_not_between(tmp_path):
    root = make_journal_dir(tmp_path / "j")
    write(root / "notes" / "post.md", "#### Days 54 - 55 - 56 - 18/01/2025 - 22/01/2025 - 30/01/2025\n\nA.\n\n"
                                      "#### 05/02/2025 - Day 57\n\nB.\n")
    journal = open_journal(root=root)
    assert find_note(journal, "2025-01-22").entry.days == (54, 55, 56)
    with pytest.raises(NoteNotFound):
        find_note(journal, "2025-01-25")
    assert [r.days for r in list_notes(journal, since=D(2025, 1, 23), until=D(2025, 1, 31)).notes] == [[54, 55, 56]]
    assert list_notes(journal, since=D(2025, 1, 23), until=D(2025, 1, 29)).notes == []
    assert journal_stats(journal).days == 4


def test_a_daily_page_leads_the_weekly_post_spanning_its_day(tmp_path):
    root = make_journal_dir(tmp_path / "j")
    week = "---\ntitle: Week 3 (Days 15-21)\ndate: 2021-03-21\n---\n" + "A long weekly summary. " * 60 + "\n"
    write(root / "notes" / "2021-03-21-week-3.md", week)
    write(root / "notes" / "2021-03-16-day-16.md", "---\ntitle: Day 16\ndate: 2021-03-16\n---\nShort day.\n")
    match = find_note(open_journal(root=root), "Day 16")
    assert match.note.rel_path == "notes/2021-03-16-day-16.md"
    assert [n.rel_path for n, _ in match.also] == ["notes/2021-03-21-week-3.md"]


def test_a_date_without_a_year_is_found_in_the_journals_year(shapes):
    journal = open_journal(root=shapes)
    match = find_note(journal, "January 3", today=D(2026, 12, 7))  # dateparser alone says 2026-01-03
    assert match.entry is not None and match.entry.days == (2,) and match.note.rel_path == "notes/log.md"
    assert find_note(journal, "Nov 12th", today=D(2026, 12, 7)).entry.days == (12,)
    with pytest.raises(NoteNotFound):
        find_note(journal, "2026-01-03")  # a year written is a year meant
    with pytest.raises(NoteNotFound):
        find_note(journal, "yesterday", today=D(2026, 1, 4))  # 2026-01-03, not the log's January 3
