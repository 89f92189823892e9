"""Entries (issue 18): every journal shape split into entries with their own days and dates.

The notes here are written for these tests in the style of public #100DaysOfCode logs and
learning blogs (a single-file log, Jekyll posts covering several days, dated sections, a jrnl
journal); no other learner's text is copied.
"""

from __future__ import annotations

import datetime as dt

import pytest

from journal_agent.notes.days import file_name_day, title_days
from journal_agent.notes.entries import heading_date, numeric_order, resolve, split_entries
from journal_agent.notes.files import file_name_date
from journal_agent.notes.model import read_note
from tests.support.journals import write
from tests.support.shapes import MULTI_DAY_POST, SINGLE_FILE_LOG

D = dt.date

def entries_of(tmp_path, name: str, text: str):
    return read_note(write(tmp_path / "notes" / name, text), tmp_path)


def test_single_file_log_has_one_entry_per_day_section(tmp_path):
    note = entries_of(tmp_path, "log.md", SINGLE_FILE_LOG)
    preamble, *days = note.entries
    assert preamble.preamble and preamble.days == () and "My rules" in preamble.body
    assert [(e.days, e.date) for e in days] == [((0,), D(2020, 1, 1)), ((1,), D(2020, 1, 2)),
                                                ((2,), D(2020, 1, 3)), ((4,), D(2020, 1, 5))]
    assert days[0].heading == "Day 0: January 1, 2020" and days[0].anchor == "day-0-january-1-2020"
    assert all(e.date_source == "heading" for e in days)
    assert "Day 99" in days[2].body and "Day 99" not in days[3].body  # code is not a heading
    lines = (tmp_path / "notes" / "log.md").read_text().split("\n")
    assert all(lines[e.line - 1].startswith("### Day") for e in days)  # lines of the FILE
    assert note.days == (0, 1, 2, 4) and note.day == 0  # Day 0 is a day
    assert note.date == D(2020, 1, 1) and note.date_source == "heading"  # not the file's mtime


def test_multi_day_post_entries_win_over_a_milestone_title(tmp_path):
    note = entries_of(tmp_path, "2024-11-17-week-2.md", MULTI_DAY_POST)
    assert note.days == (11, 12, 13)  # not 14: "Reaching day 14" is where the week ends up
    assert note.date == D(2024, 11, 17) and note.date_source == "date"
    entries = [e for e in note.entries if not e.preamble]
    assert [(e.days, e.date, e.date_source) for e in entries] == [
        ((11,), D(2024, 11, 11), "heading"), ((12,), D(2024, 11, 12), "heading"), ((13,), D(2024, 11, 13), "heading")]
    assert entries[2].body.startswith("#### 13/11/2024 - Day 13") and "Media queries" in entries[2].body
    assert entries[2].line == 16 and entries[2].anchor == "13112024-day-13"  # line of the file


def test_month_first_numeric_dates_when_a_heading_can_only_be_month_first(tmp_path):
    text = "#### 11/12/2024 - Day 1\n\nA.\n\n#### 11/13/2024 - Day 2\n\nB.\n"
    note = entries_of(tmp_path, "us.md", text)
    assert [e.date for e in note.entries] == [D(2024, 11, 12), D(2024, 11, 13)]
    assert numeric_order(["13/11/2024", "01/02/2024"]) == "DMY"


@pytest.mark.parametrize("title, days", [
    ("Day 45-50", tuple(range(45, 51))),
    ("Day 11 to 15", (11, 12, 13, 14, 15)),
    ("Day 56, 57", (56, 57)),
    ("Days 56 & 57: hooks", (56, 57)),
    ("Day 1 - Day 3", (1, 2, 3)),
    ("Day 0: setup", (0,)),
    ("Day 12, 2020", (12,)),  # a year is not day 2020
    ("13/11/2024 - Day 13", (13,)),
    ("retry day 40 times", ()),
    ("R1D12: React hooks", (12,)),  # #100DaysOfCode round 1, day 12
    ("R2D0", (0,)),
    ("Day One: setting up", (1,)),
    ("Reflections on day twenty-one", (21,)),
    ("one day one will see", ()),
])
def test_ranges_in_titles_cover_every_day(tmp_path, title, days):
    assert title_days(title).days == days
    note = entries_of(tmp_path, "r.md", f"---\ntitle: '{title}'\ndate: 2021-03-01\n---\nbody\n")
    assert note.days == days and len(note.entries) == 1 and note.entries[0].days == days


def test_range_headings_split_a_note_and_the_range_is_every_day(tmp_path):
    text = ("---\ndate: 2021-03-20\n---\n## Day 11 to 15\n\nA week of SQL joins.\n\n"
            "## Day 16\n\nWindow functions.\n")
    note = entries_of(tmp_path, "w.md", text)
    assert [e.days for e in note.entries] == [(11, 12, 13, 14, 15), (16,)]
    assert note.days == (11, 12, 13, 14, 15, 16)
    assert all(e.date == D(2021, 3, 20) and e.date_source == "date" for e in note.entries)  # inherited


def test_milestone_title_is_the_day_of_a_one_entry_note(tmp_path):
    note = entries_of(tmp_path, "m.md", "---\ntitle: Reaching day 50\ndate: 2021-05-01\n---\nHalfway!\n")
    assert note.days == (50,)
    assert title_days("Reaching day 50").milestone
    # ... unless the heading that opens it names the days it covers
    covered = entries_of(tmp_path, "c.md", "---\ntitle: Reaching day 50\n---\n## Day 44 to 49\n\nA week.\n")
    assert covered.days == (44, 45, 46, 47, 48, 49)


@pytest.mark.parametrize("text, heading, days, start, end", [
    ("## June 20-22, 2025\n\nA long weekend.\n", "June 20-22, 2025", (), D(2025, 6, 20), D(2025, 6, 22)),
    ("### Day 45-50: February 17-21, 2020\n\nSix days.\n", "Day 45-50: February 17-21, 2020",
     tuple(range(45, 51)), D(2020, 2, 17), D(2020, 2, 21)),
])
@pytest.mark.parametrize("before", ["", "# My week\n\n", "---\ntitle: Week\ndate: 2025-06-23\n---\n"])
def test_a_lone_range_heading_keeps_its_range(tmp_path, text, heading, days, start, end, before):
    """The one entry heading of a note names a range: its entry covers the range, whatever comes before it
    (a title heading, a front-matter date of another day)."""
    note = entries_of(tmp_path, "week.md", before + text)
    [entry] = [e for e in note.entries if not e.preamble]
    assert (entry.heading, entry.days, entry.date, entry.end_date) == (heading, days, start, end)
    assert entry.anchor and note.days == days
    assert note.date == (D(2025, 6, 23) if "date:" in before else start)


def test_time_headings_are_entries_of_the_notes_date(tmp_path):
    """``journal import jrnl`` writes ``## HH:MM Title`` sections in a dated day note: each is an entry."""
    text = ("---\ntitle: Rust\ndate: 2020-01-04\n---\nA day of Rust.\n\n## 09:00 Started the book\n\nSetup.\n\n"
            "## 9:30 PM Day 2 of Rust: ownership\n\nMoves.\n")
    note = entries_of(tmp_path, "rust.md", text)
    assert [(e.heading, e.days, e.date, e.date_source, e.preamble) for e in note.entries] == [
        ("", (), D(2020, 1, 4), "date", True),
        ("09:00 Started the book", (), D(2020, 1, 4), "date", False),
        ("9:30 PM Day 2 of Rust: ownership", (2,), D(2020, 1, 4), "date", False)]
    assert note.entries[1].anchor == "0900-started-the-book"
    named = entries_of(tmp_path, "2020-01-05-rust.md", "## 07:15 A\n\nx\n\n## 18:00 B\n\ny\n")  # file-name date
    assert [(e.heading, e.date) for e in named.entries] == [("07:15 A", D(2020, 1, 5)), ("18:00 B", D(2020, 1, 5))]
    # an undated note's times are no entries (the date would be the file time's); nor are "25:00", "13:00 PM"
    assert len(entries_of(tmp_path, "undated.md", "## 07:15 A\n\nx\n\n## 18:00 B\n\ny\n").entries) == 1
    bad = entries_of(tmp_path, "2020-01-06-bad.md", "## 25:00 A\n\nx\n\n## 13:00 PM B\n\ny\n")
    assert len(bad.entries) == 1


def test_dated_section_headings_date_the_entries_and_the_note(tmp_path):
    text = "# Notes on Rust\n\n## 2025-09-23\n\nOwnership.\n\n## 2025-09-24\n\nBorrowing.\n"
    note = entries_of(tmp_path, "rust.md", text)
    assert [(e.date, e.days) for e in note.entries if not e.preamble] == [(D(2025, 9, 23), ()), (D(2025, 9, 24), ())]
    assert note.date == D(2025, 9, 23) and note.date_source == "heading" and note.day is None


def test_one_dated_heading_dates_a_one_entry_note(tmp_path):
    note = entries_of(tmp_path, "one.md", "### Day 12: January 4, 2020\n\nRecursion.\n")
    assert len(note.entries) == 1 and note.entries[0].heading == "" and note.entries[0].line == 1
    assert note.date == D(2020, 1, 4) and note.date_source == "heading" and note.days == (12,)


def test_year_less_dates_take_the_year_of_the_notes_span(tmp_path):
    text = ("---\ntitle: Winter break\ndate: 2020-12-28\n---\n## December 30th\n\nTrees.\n\n"
            "## January 2nd\n\nGraphs.\n\n## June 16th\n\nFar away.\n")
    note = entries_of(tmp_path, "w.md", text)
    assert [e.date for e in note.entries] == [D(2020, 12, 30), D(2021, 1, 2), D(2021, 6, 16)]
    # the file name's year when there is no front matter
    plain = entries_of(tmp_path, "2025-06-01-june.md", "## June 16th\n\nA.\n\n## June 17th\n\nB.\n")
    assert [e.date for e in plain.entries] == [D(2025, 6, 16), D(2025, 6, 17)]
    assert resolve((None, 6, 16), D(2025, 6, 10)) == D(2025, 6, 16)


@pytest.mark.parametrize("text, start, end", [
    ("Day 12: January 4, 2020", (2020, 1, 4), None),
    ("January 4-6, 2020", (2020, 1, 4), (2020, 1, 6)),
    ("4th of June 2021", (2021, 6, 4), None),
    ("June 16th", (None, 6, 16), None),
    ("2020-01-04 to 2020-01-06", (2020, 1, 4), (2020, 1, 6)),
    ("Sept. 3rd, 2021 - functions", (2021, 9, 3), None),
])
def test_heading_dates(text, start, end):
    date = heading_date(text)
    assert date is not None and date.start == start and date.end == end


def test_the_verb_may_is_no_month():
    assert heading_date("Day 3: I may 2x the tests") is None and heading_date("May 2") == heading_date("May 2nd")


def test_date_range_heading_has_an_end_date(tmp_path):
    note = entries_of(tmp_path, "r.md", "## January 4-6, 2020\n\nA long weekend.\n\n## January 7, 2020\n\nB.\n")
    assert [(e.date, e.end_date) for e in note.entries] == [(D(2020, 1, 4), D(2020, 1, 6)), (D(2020, 1, 7),) * 2]


def test_invalid_heading_date_inherits_the_notes_date(tmp_path):
    text = "---\ndate: 2016-03-01\n---\n### Day 0: February 30, 2016\n\nA.\n\n### Day 1: March 1, 2016\n\nB.\n"
    note = entries_of(tmp_path, "x.md", text)
    assert [(e.days, e.date, e.date_source) for e in note.entries] == [
        ((0,), D(2016, 3, 1), "date"), ((1,), D(2016, 3, 1), "heading")]


def test_jrnl_single_file_journal(tmp_path):
    text = ("[2020-01-04 09:00] Started the Rust book. Chapter 1 is all setup.\n\n"
            "[2020-01-05 21:30] Day 2 of Rust: ownership finally makes sense.\n"
            "Moves, borrows and the `Copy` trait.\n\n"
            "[2020-01-07 08:15 PM] Lifetimes. Not yet.\n")
    note = entries_of(tmp_path, "journal.txt", text)
    assert note.title == "journal"  # the file names a jrnl journal, not its first entry
    assert [(e.date, e.days) for e in note.entries] == [(D(2020, 1, 4), ()), (D(2020, 1, 5), (2,)), (D(2020, 1, 7), ())]
    assert note.entries[1].heading.startswith("Day 2 of Rust") and note.entries[1].line == 3
    assert "Copy" in note.entries[1].body and note.entries[1].anchor == ""


def test_headings_in_lists_and_other_levels_stay_inside_an_entry(tmp_path):
    text = ("## Day 1\n\n### 2020-01-01 morning\n\nA.\n\n## Day 2\n\nB.\n\n## Day 3\n\n"
            "- ### Day 9 in a list\n")
    note = entries_of(tmp_path, "n.md", text)
    assert [e.days for e in note.entries] == [(1,), (2,), (3,)]
    assert "Day 9 in a list" in note.entries[2].body


def test_plain_note_is_one_whole_note_entry(tmp_path):
    note = entries_of(tmp_path, "p.md", "---\ntitle: Day 3 | RRF\ndate: 2025-09-18\n---\n## What\n\nFusion.\n")
    (entry,) = note.entries
    assert (entry.index, entry.heading, entry.anchor, entry.line, entry.days) == (0, "", "", 1, (3,))
    assert entry.date == entry.end_date == D(2025, 9, 18) and entry.body == note.body


@pytest.mark.parametrize("name, day, date", [
    ("2020-01-22-day-19.md", 19, D(2020, 1, 22)),
    ("day-12.md", 12, None),
    ("day-one.md", 1, None),
    ("22-01-2020.md", None, D(2020, 1, 22)),
    ("2020_01_22.md", None, D(2020, 1, 22)),
])
def test_file_name_days_and_dates(tmp_path, name, day, date):
    from pathlib import Path

    assert file_name_day(Path(name).stem) == day and file_name_date(Path(name)) == date
    note = entries_of(tmp_path, name, "Practised loops.\n")
    assert note.day == day
    if date:
        assert note.date == date and note.date_source == "file name"
    else:
        assert note.date_source in ("git", "mtime")


def test_split_entries_calls_the_fallback_only_when_undated():
    calls = []

    def fallback():
        calls.append(1)
        return D(2000, 1, 1), "mtime"

    dated = split_entries("## 2020-01-01\n\nA\n\n## 2020-01-02\n\nB\n", fallback=fallback)
    assert [e.date for e in dated] == [D(2020, 1, 1), D(2020, 1, 2)] and not calls
    undated = split_entries("Just text.\n", fallback=fallback)
    assert undated[0].date == D(2000, 1, 1) and undated[0].date_source == "mtime" and calls == [1]


@pytest.mark.parametrize("written, days", [
    ("0", (0,)), ("'45-50'", tuple(range(45, 51))), ("[57, 56]", (56, 57)), ("'11 to 15'", (11, 12, 13, 14, 15))])
def test_front_matter_day_lists_and_ranges(tmp_path, written, days):
    note = entries_of(tmp_path, "d.md", f"---\ntitle: Catching up\ndate: 2021-01-01\nday: {written}\n---\ntext\n")
    assert note.days == days and note.day == days[0]


@pytest.mark.parametrize("written", ["six", "true", "'45-50 days of joy'", "[1, two]", "100000"])
def test_front_matter_day_that_is_no_day_is_an_error(tmp_path, written):
    from journal_agent.errors import NoteError

    with pytest.raises(NoteError, match="front matter day"):
        entries_of(tmp_path, "d.md", f"---\ndate: 2021-01-01\nday: {written}\n---\ntext\n")


def test_date_sources_in_order_front_matter_heading_file_name_mtime(tmp_path):
    from journal_agent.notes.model import dated_by_file_time, file_time_hint

    front = entries_of(tmp_path, "2020-02-02-a.md", "---\ndate: 2020-03-03\n---\n## 2020-01-01\n\nA\n")
    heading = entries_of(tmp_path, "2020-02-02-b.md", "## 2020-01-01\n\nA\n")
    named = entries_of(tmp_path, "2020-02-02-c.md", "## Setup\n\nA\n")
    loose = entries_of(tmp_path, "c.md", "## Setup\n\nA\n")  # tmp_path is no git repository
    assert [(n.date, n.date_source) for n in (front, heading, named, loose)] == [
        (D(2020, 3, 3), "date"), (D(2020, 1, 1), "heading"), (D(2020, 2, 2), "file name"),
        (loose.modified.date(), "mtime")]
    assert dated_by_file_time([front, heading, named, loose]) == [loose]
    assert file_time_hint(1).startswith("1 note dated by file time") and "`date:`" in file_time_hint(2)
    assert file_time_hint(0) == ""


def test_anchors_are_the_ids_python_markdown_toc_gives_the_headings(tmp_path):
    import re

    import markdown

    text = ("# Log\n\n## Day 1: `pytest` *fixtures*\n\nA.\n\n## Notes\n\nB.\n\n## Day 2 & 3: Notes\n\nC.\n\n"
            "## Day 4: Notes\n\nD.\n\n### Day 4: Notes\n\nE.\n")
    note = entries_of(tmp_path, "a.md", text)
    html = markdown.Markdown(extensions=["toc"]).convert(note.body)
    ids = re.findall(r'<h\d id="([^"]+)"', html)
    assert ids == ["log", "day-1-pytest-fixtures", "notes", "day-2-3-notes", "day-4-notes", "day-4-notes_1"]
    assert [e.anchor for e in note.entries if not e.preamble] == [ids[1], ids[3], ids[4]]


@pytest.mark.parametrize("text, days, dates", [
    ("05/10/2024 && 06/10/2024 - Day 30 & 31", (30, 31), (D(2024, 10, 5), D(2024, 10, 6))),
    ("Days 54 - 55 - 56 - 18/01/2025 - 22/01/2025 - 30/01/2025", (54, 55, 56),
     (D(2025, 1, 18), D(2025, 1, 22), D(2025, 1, 30))),  # three dates, not 13 days
    ("Day 43 - 13/11/2024 - Day 44 - 14/11/2024", (43, 44), (D(2024, 11, 13), D(2024, 11, 14))),
    ("Day 40 && Day 41 - 10/11/2024 & 11/11/2024", (40, 41), (D(2024, 11, 10), D(2024, 11, 11))),
])
def test_headings_listing_several_days_and_dates(tmp_path, text, days, dates):
    note = entries_of(tmp_path, "l.md", f"#### {text}\n\nA.\n\n#### 01/02/2026 - Day 99\n\nB.\n")
    entry = note.entries[0]
    assert entry.days == days and entry.dates == dates
    assert (entry.date, entry.end_date) == (dates[0], dates[-1])
    assert title_days("Day 45: recap of day 30").days == (45,)  # a later day in words is not the heading's


def test_a_misspelt_month_and_a_year_slip_are_read_as_meant(tmp_path):
    text = ("### Day 13: Novermber 11, 2018\n\nA.\n\n### Day 46: December 31, 2018\n\nB.\n\n"
            "### Day 47: January 1, 2018\n\nC.\n\n### Day 48: January 2, 2018\n\nD.\n")
    note = entries_of(tmp_path, "log.md", text)
    assert [e.date for e in note.entries] == [D(2018, 11, 11), D(2018, 12, 31), D(2019, 1, 1), D(2019, 1, 2)]
    assert heading_date("Day 3: decided 2 things") is None  # a word is not a month because it starts like one


def test_bold_lines_split_a_log_kept_without_headings(tmp_path):
    text = ("My log.\n\n**Day 1: May 4, 2020**\nSet up Flask.\n\n**Day 2: May 5, 2020**\n\nRoutes.\n\n"
            "Not **bold** alone.\n\n__Day 3 (06/05/20)__\n\nTemplates.\n")
    note = entries_of(tmp_path, "log.md", text)
    assert [(e.heading, e.days, e.date) for e in note.entries if not e.preamble] == [
        ("Day 1: May 4, 2020", (1,), D(2020, 5, 4)), ("Day 2: May 5, 2020", (2,), D(2020, 5, 5)),
        ("Day 3 (06/05/20)", (3,), D(2020, 5, 6))]
    assert "Set up Flask." in note.entries[1].body and note.entries[1].anchor == ""
