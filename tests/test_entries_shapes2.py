"""Entries of the journal shapes the second wave of public journals showed (issue 18, benchmarks/journal_shapes).

Each test is a small synthetic note in one shape: a two-round #100DaysOfCode log with compact dates
(``### R1D1 - 20200802``), a round kept newest first, a folder of day files whose copied heading names
the day before (``# Day 12: ...`` in ``Day13.md``), and round-and-day tags in questions (``R2D14``). No other
learner's text is copied.
"""

from __future__ import annotations

import datetime as dt
import os
from pathlib import PurePath

import pytest

from journal_agent.notes.days import (
    TitleDays,
    find_day_number,
    find_round,
    is_bare_day_name,
    path_round,
    round_named,
    with_file_name_day,
)
from journal_agent.notes.entries import heading_date, listed
from journal_agent.notes.model import read_note
from journal_agent.notes.stats import compute_stats
from tests.support.journals import write

D = dt.date

ROUND_ONE = """# #100DaysOfCode Log - Round 1

The log of my challenge.

## Log

### R1D1 - 20200802
Set up the repository.

### R1D2 - 20200803
Read about HTML forms.

### R1D03 - 20200804
Styled the search page.

### R1D04 - 20200806
Skipped a day, then wrote tests.
"""

ROUND_TWO_NEWEST_FIRST = """# #100DaysOfCode Log - Round 2

## Log

### R2D3 2020-11-19
Paginated the library.

### R2D2 - 2020-11-17
Refactored the endpoints.

### R2D1 - 2020-11-16
Started round two.
"""


def note_at(tmp_path, name: str, text: str):
    return read_note(write(tmp_path / "notes" / name, text), tmp_path)


@pytest.mark.parametrize(("text", "date"), [
    ("R1D1 - 20200802", D(2020, 8, 2)),
    ("### R1D100 - 20201115", D(2020, 11, 15)),
    ("R1D1 - 15MAY2020", D(2020, 5, 15)),  # day, month name and year run together
    ("R1D2 - 16may2020", D(2020, 5, 16)),
])
def test_compact_heading_dates(text, date):
    written = heading_date(text)
    assert written is not None and written.start == (date.year, date.month, date.day)


@pytest.mark.parametrize("text", ["Issue 12345678", "R1D3 - 20201332", "Build 19991340", "Top 10 Marvel2020",
                                  "Version 2.20200802"])
def test_eight_digits_that_are_no_date_are_not_read(text):
    assert heading_date(text) is None


def test_a_round_log_with_compact_dates_has_dated_entries_and_stats(tmp_path):
    note = note_at(tmp_path, "r1-log.md", ROUND_ONE)
    entries = listed(note.entries)
    assert [(e.days, e.date) for e in entries] == [((1,), D(2020, 8, 2)), ((2,), D(2020, 8, 3)),
                                                   ((3,), D(2020, 8, 4)), ((4,), D(2020, 8, 6))]
    assert note.date == D(2020, 8, 2) and note.date_source == "heading"  # not the file's time
    stats = compute_stats([note], today=D(2021, 1, 1))
    assert (stats.days, stats.first_date, stats.last_date) == (4, D(2020, 8, 2), D(2020, 8, 6))
    assert stats.longest_streak.days == 3 and len(stats.gaps) == 1


def test_a_log_kept_newest_first_is_dated_by_its_earliest_entry(tmp_path):
    note = note_at(tmp_path, "r2-log.md", ROUND_TWO_NEWEST_FIRST)
    entries = listed(note.entries)
    assert [(e.days, e.date) for e in entries] == [((3,), D(2020, 11, 19)), ((2,), D(2020, 11, 17)),
                                                   ((1,), D(2020, 11, 16))]
    assert note.date == D(2020, 11, 16)  # when the log starts, not its newest entry


def test_a_day_files_name_wins_over_a_copied_heading_day(tmp_path):
    copied = note_at(tmp_path, "Days/Day13.md", "Back to [Index](../README.md)\n____\n# Day 12: May 6, 2022\n"
                                                "#### Today's Progress:\n- Flexbox exercises\n")
    assert copied.days == (13,) and [e.days for e in copied.entries] == [(13,)]
    assert copied.date == D(2022, 5, 6)  # the heading's date stays
    agreeing = note_at(tmp_path, "Days/Day12.md", "# Day 12: May 5, 2022\nAccessibility.\n")
    assert agreeing.days == (12,)
    ranged = note_at(tmp_path, "day-45.md", "# Day 45-50: a week of Rust\nOwnership.\n")
    assert ranged.days == (45, 46, 47, 48, 49, 50)  # a range the title names stays the title's
    pinned = note_at(tmp_path, "day-7.md", "---\nday: 9\n---\n# Day 8\nText.\n")
    assert pinned.days == (9,)  # front matter is the learner's own word


@pytest.mark.parametrize(("days", "named", "bare", "result"), [
    (TitleDays(), 13, False, (13,)),
    (TitleDays((12,)), 13, True, (13,)),  # Day13.md holding "# Day 12"
    (TitleDays((12,)), 13, False, (12,)),  # a dated slug (journal add's names) yields to its title
    (TitleDays((13,)), 13, True, (13,)),
    (TitleDays((12,)), None, True, (12,)),
    (TitleDays((56, 57)), 56, True, (56, 57)),
    (TitleDays((50,), milestone=True), 49, True, (50,)),
])
def test_with_file_name_day(days, named, bare, result):
    assert with_file_name_day(days, named, bare).days == result


@pytest.mark.parametrize(("stem", "bare"), [("Day13", True), ("day-13", True), ("Day 13", True), ("DAY_04", True),
                                            ("day-one", True), ("2025-09-20-momentum-learning-day-3", False),
                                            ("day-13-closures", False), ("README", False)])
def test_bare_day_names(stem, bare):
    assert is_bare_day_name(stem) is bare


@pytest.mark.parametrize(("question", "day", "query"), [
    ("What did I work on on R1D45?", 45, "What did I work on R1D45?"),  # the tag names the round: it stays
    ("What did I do on R2D14?", 14, "What did I do R2D14?"),
    ("Show me r1d05", 5, "Show me r1d05"),
])
def test_round_and_day_tags_in_questions(question, day, query):
    found = find_day_number(question)
    assert found is not None and (found.day, found.query) == (day, query)


def test_words_like_round_tags_are_no_days():
    assert find_day_number("What did I learn about R2-D2 droids?") is None
    assert find_day_number("What did I do in round two?") is None


def test_time_range_headings_are_entries_of_the_notes_date(tmp_path):
    """A dated day note timeboxed into sessions: ``## 09:00–10:30 Title`` splits like ``## 09:00 Title``."""
    text = ("---\ndate: 2021-03-04\n---\nPlan for the day.\n\n## 09:00–10:30 Ownership chapter\n\nBorrowing.\n\n"
            "## 2:00 PM - 3:15 PM: Pairing on the parser\n\nTokens.\n\n## 16:00 to 16:45 Review\n\nCards.\n")
    note = note_at(tmp_path, "rust.md", text)
    assert [(e.heading, e.date, e.preamble) for e in note.entries] == [
        ("", D(2021, 3, 4), True),
        ("09:00–10:30 Ownership chapter", D(2021, 3, 4), False),
        ("2:00 PM - 3:15 PM: Pairing on the parser", D(2021, 3, 4), False),
        ("16:00 to 16:45 Review", D(2021, 3, 4), False)]
    # a range with an impossible end is no time heading: the note stays one entry
    assert len(note_at(tmp_path, "2021-03-05-x.md", "## 09:00–25:00 A\n\nx\n\n## 10:00–10:75 B\n\ny\n").entries) == 1


LOG_FROM_DAY_ZERO = """# 100 Days Of Code - Log

### Day 0: January 3, 2020
Set up the editor.

### Day 1: January 4, 2020
Loops.

### Day 2-3: January 5-6, 2020
Functions over a weekend.
"""


def test_journal_add_continues_a_log_that_starts_at_day_zero(journal_dir, run_cli):
    """A single-file log in notes/ (Day 0 .. Day 3): the next note is Day 4, a log's date keeps its day, a day
    the log holds is refused, and `journal renumber` leaves the log's headings alone."""
    log = write(journal_dir / "notes" / "log.md", LOG_FROM_DAY_ZERO)
    result = run_cli("add", "--no-reflect", "--date", "2020-01-08", "Closures.")
    assert result.exit_code == 0, result.output
    assert "Day 4, 2020-01-08" in result.output  # before: Day 1 (the log's days were not seen)
    same = run_cli("add", "--no-reflect", "--date", "2020-01-04", "More loops the same evening.")
    assert same.exit_code == 0 and "Day 1, 2020-01-04" in same.output
    held = run_cli("add", "--no-reflect", "--date", "2020-01-09", "--day", "2", "text")
    assert held.exit_code == 1 and "Day 2 is already notes/log.md" in held.output
    renumbered = run_cli("renumber")
    assert renumbered.exit_code == 0, renumbered.output
    assert log.read_text() == LOG_FROM_DAY_ZERO


@pytest.mark.parametrize(("text", "start", "end"), [
    ("Mon 11/Jul/2022", D(2022, 7, 11), None),  # a diary's weekday and DD/Mon/YYYY
    ("05-Jan-2021", D(2021, 1, 5), None),
    ("2022 June 12th", D(2022, 6, 12), None),  # year first
    ("2022 June 12th to 2022 June 18th", D(2022, 6, 12), D(2022, 6, 18)),
    ("Day 3: 5 Jan '21", D(2021, 1, 5), None),  # an apostrophe's two-digit year
    ("Jan 5, \u201921", D(2021, 1, 5), None),
])
def test_more_written_dates(text, start, end):
    written = heading_date(text)
    assert written is not None
    assert written.start == (start.year, start.month, start.day)
    assert written.end == ((end.year, end.month, end.day) if end else None)


@pytest.mark.parametrize("text", ["2022 may 5 things", "Top 10 Marvel2020", "I have 3 apples 2021"])
def test_words_near_years_are_no_dates(text):
    assert heading_date(text) is None


@pytest.mark.parametrize(("text", "start"), [("DAY_11 | 9-FEB | MON", (None, 2, 9)), ("9-Feb", (None, 2, 9)),
                                             ("05-Jan-2021", (2021, 1, 5))])
def test_a_day_and_month_joined_by_a_hyphen(text, start):
    written = heading_date(text)
    assert written is not None and written.start == start and written.end is None


@pytest.mark.parametrize("text", ["Day 3-Jan", "3-may be"])
def test_a_hyphen_joins_no_day_number_or_verb_to_a_month(text):
    assert heading_date(text) is None


def test_one_folder_per_day_names_the_day_and_the_date(tmp_path):
    """``Day01/README.md`` (a README without a heading: the folder is the only word on its day) and
    ``2023-01-05/README.md``: the folder names what the file name does not."""
    by_day = note_at(tmp_path, "Day01/README.md", "Learned the basics of HTML elements.\n")
    assert by_day.days == (1,) and [e.days for e in by_day.entries] == [(1,)]
    assert note_at(tmp_path, "day-2/index.md", "Forms.\n").days == (2,)
    assert note_at(tmp_path, "Day05/Day06.md", "Nested.\n").days == (6,)  # the file's own name first
    by_date = note_at(tmp_path, "2023-01-05/README.md", "Closures.\n")
    assert (by_date.date, by_date.date_source) == (D(2023, 1, 5), "file name")
    plain = note_at(tmp_path, "100DaysOfCode/notes.md", "Text.\n")
    assert plain.days == () and plain.date_source != "file name"


LOG_WITH_DATE_LINES = """# Learning log

Start Date: 04/01/2021

## Day 1
**Date:** 04/01/2021

Set up Python.

## Day 2
Date: 2021-01-05
Loops.

## Day 3
- *Date*: Jan 6, 2021

Functions.

## Day 4

No date written: the note's.
"""


def test_date_lines_under_day_headings_date_their_entries(tmp_path):
    note = note_at(tmp_path, "log.md", LOG_WITH_DATE_LINES)
    entries = listed(note.entries)
    assert [(e.heading, e.days, e.date) for e in entries] == [
        ("Day 1", (1,), D(2021, 1, 4)), ("Day 2", (2,), D(2021, 1, 5)), ("Day 3", (3,), D(2021, 1, 6)),
        ("Day 4", (4,), D(2021, 1, 4))]  # the note's date: its earliest entry's
    assert "Start Date" in note.entries[0].body and note.entries[0].preamble  # not a date line of its own


def test_a_note_opening_with_a_date_line_is_dated_by_it(tmp_path):
    daily = note_at(tmp_path, "Day 3.md", "# Day 3\n\n**Date:** 05/01/2021\n\nClosures.\n")
    assert (daily.days, daily.date, daily.date_source) == ((3,), D(2021, 1, 5), "heading")
    bare = note_at(tmp_path, "closures.md", "Date: 2021-01-05\n\nClosures.\n")
    assert bare.date == D(2021, 1, 5)
    pinned = note_at(tmp_path, "pinned.md", "---\ndate: 2021-02-01\n---\nDate: 2021-01-05\n\nText.\n")
    assert pinned.date == D(2021, 2, 1)  # front matter first
    late = note_at(tmp_path, "late.md", "# Notes\n\na\nb\nc\nd\nDate: 2021-01-05\n")
    assert late.date_source == "mtime"  # a date line far down is text, not the note's date


TABLE_LOG = """# #100DaysOfCode progress

| Day | Date | What I learned |
|-----|------|----------------|
| 1 | 04/01/2021 | Set up Python |
| 2 | 05/01/2021 | Loops |
| 4 | 07/01/2021 | Functions and scope |
"""


def test_a_log_kept_as_a_table_has_an_entry_per_row(tmp_path):
    note = note_at(tmp_path, "progress.md", TABLE_LOG)
    entries = listed(note.entries)
    assert [(e.heading, e.days, e.date) for e in entries] == [
        ("Day 1 | 04/01/2021 | Set up Python", (1,), D(2021, 1, 4)),
        ("Day 2 | 05/01/2021 | Loops", (2,), D(2021, 1, 5)),
        ("Day 4 | 07/01/2021 | Functions and scope", (4,), D(2021, 1, 7))]
    lines = TABLE_LOG.split("\n")
    assert all(lines[e.line - 1].startswith(f"| {e.day} |") for e in entries) and entries[0].anchor == ""
    stats = compute_stats([note], today=D(2021, 2, 1))
    assert (stats.days, len(stats.gaps)) == (3, 1)


def test_a_table_that_is_no_log_does_not_split_a_note(tmp_path):
    releases = "# Release notes\n\n| Version | Date |\n|---|---|\n| 1.0 | 2021-01-04 |\n| 1.1 | 2021-02-04 |\n"
    assert len(note_at(tmp_path, "2021-03-01-releases.md", releases).entries) == 1
    todo = "# Plan\n\n| # | Task |\n|---|---|\n| 1 | Read |\n| 2 | Write |\n"
    assert note_at(tmp_path, "2021-03-02-plan.md", todo).days == ()


@pytest.mark.parametrize(("name", "text", "days", "date"), [
    ("DAY_05/README.md", "DAY_05 | 30-01-2026\n\n## What I learned today\n\n- Arrays\n", (5,), D(2026, 1, 30)),
    ("DAY_04/README.md", "\nDAY_04 29-01-26\n\n## Topics\n\n- JVM\n", (4,), D(2026, 1, 29)),  # DD-MM-YY
    ("Robots/README.md", "DAY-2 (23 JAN)\n# Robot Factory\n\nInterfaces.\n", (2,), D(2026, 1, 23)),
    ("DAY_09/README.md", "# Learning Log - Spring Beans\nDAY_09 | 05-02-2026 | Thu\nBeans.\n", (9,), D(2026, 2, 5)),
    ("DAY_14/README.md", "DAY - 14 | 12Feb\n\n# Java Learning Log\n\nOOP.\n", (14,), D(2026, 2, 12)),
    ("DAY_06/notes.md", "# My Notes - Memory\nDate: 2-02-26 | Monday\nDAY_06\n\nRegisters.\n", (6,), D(2026, 2, 2)),
])
def test_a_notes_first_line_names_its_day_and_date(tmp_path, name, text, days, date):
    """One folder per day, the day and date in a plain first line (past a title heading), written each day
    another way. A year-less date takes the year nearest the note's other dates (here its file time)."""
    path = write(tmp_path / "notes" / name, text)
    stamp = dt.datetime(2026, 2, 17).timestamp()
    os.utime(path, (stamp, stamp))
    note = read_note(path, tmp_path)
    assert (note.days, note.date, note.date_source) == (days, date, "heading")


def test_a_first_line_that_is_prose_dates_nothing(tmp_path):
    prose = note_at(tmp_path, "2026-03-01-a.md", "Today I learned that 2 Feb is Groundhog Day in many places, "
                                                  "and much more besides.\n")
    assert prose.date == D(2026, 3, 1) and prose.date_source == "file name"
    counted = note_at(tmp_path, "2026-03-02-b.md", "3 things I learned\n\n- a\n")
    assert counted.days == () and counted.date_source == "file name"


def test_a_folder_of_several_days_covers_each_day_and_date(tmp_path):
    path = write(tmp_path / "notes" / "DAY_16__17__18" / "README.md",
                 "DAY_16__17__18 | 14 Feb | 15 Feb | 16Feb\n\n# streamlit_project\n\nA dashboard.\n")
    stamp = dt.datetime(2026, 2, 17).timestamp()
    os.utime(path, (stamp, stamp))
    note = read_note(path, tmp_path)
    [entry] = listed(note.entries)
    assert entry.days == (16, 17, 18)
    assert entry.dates == (D(2026, 2, 14), D(2026, 2, 15), D(2026, 2, 16))
    assert compute_stats([note], today=D(2026, 3, 1)).days == 3


def test_a_dated_title_heading_wins_over_a_first_line_without_a_date(tmp_path):
    note = note_at(tmp_path, "a.md", "# 2021-06-05\n\nDay 3 of the course: loops.\n")
    assert (note.date, note.date_source) == (D(2021, 6, 5), "heading")
    both = note_at(tmp_path, "DAY_07/README.md", "# Strings\nDAY_07 | 03-02-2026 | Tue\n\nText.\n")
    assert (both.days, both.date) == ((7,), D(2026, 2, 3))


def test_a_year_less_date_takes_the_year_the_learner_wrote_not_an_index_files_mtime(journal):
    """dragoscript: an index README dated only by its file time (2024) stretched the archive's span, so
    "July 4" of a 2023 log was read as 2024. The span counts written dates only (``date_source`` column)."""
    import datetime as dt

    from journal_agent.archive.ingest import ingest
    from journal_agent.archive.search import search_notes
    from journal_agent.archive.store import Archive

    days = journal.notes_dir / "Days"
    write(days / "Day1.md", "# Day 1: June 30, 2023\n\nSet up the repository and the editor.\n")
    write(days / "Day2.md", "# Day 2: July 4, 2023\n\nFireworks outside; learned CSS grid areas.\n")
    write(days / "Day3.md", "# Day 3: July 5, 2023\n\nJavaScript promises.\n")
    index = write(journal.notes_dir / "README.md", "# My 100 days of code\n\nOne file per day in Days/.\n")
    stamp = dt.datetime(2024, 2, 13, 12).timestamp()
    os.utime(index, (stamp, stamp))
    ingest(journal)
    archive = Archive.open(journal)
    sources = {row["path"]: row["date_source"] for row in archive.scan(None, ["path", "date_source"]).to_pylist()}
    assert sources["notes/README.md"] == "mtime" and sources["notes/Days/Day2.md"] == "heading"
    assert archive.span().dates == (D(2023, 6, 30), D(2023, 7, 5))
    results = search_notes(journal, "What did I do on July 4?", today=D(2026, 12, 7))
    assert results.hits[0].path == "notes/Days/Day2.md" and results.in_window[0] is True


def test_a_journal_dated_only_by_file_time_still_has_a_span(journal):
    import datetime as dt

    from journal_agent.archive.ingest import ingest
    from journal_agent.archive.store import Archive

    note = write(journal.notes_dir / "undated.md", "# Undated\n\nNo date anywhere.\n")
    stamp = dt.datetime(2024, 2, 13, 12).timestamp()
    os.utime(note, (stamp, stamp))
    ingest(journal)
    assert Archive.open(journal).span().dates == (D(2024, 2, 13), D(2024, 2, 13))


@pytest.mark.parametrize(("question", "number", "query"), [
    ("What did I do on day 12 of round 1?", 1, "What did I do on day 12?"),
    ("What did I work on on R2D14?", 2, "What did I work on on R2D14?"),  # the tag stays: it names the day
    ("What did I do on the first day of round 2?", 2, "What did I do on the first day?"),
    ("What did I do in the second round on day 3?", 2, "What did I do on day 3?"),
])
def test_a_round_named_in_a_question(question, number, query):
    found = find_round(question)
    assert found is not None and (found.round, found.query) == (number, query)


@pytest.mark.parametrize("question", ["round robin scheduling on day 3", "What did I learn about R2-D2?",
                                      "What did I do on R0D3?"])
def test_no_round_in_a_question(question):
    assert find_round(question) is None


def test_an_entrys_round_is_its_logs_then_its_headings(tmp_path):
    """kallaway's template: ``r1-log.md`` / ``r2-log.md``, titled "... Round N", headings ``### R2D14``; the round-2
    log's author kept writing R1 for some of round 2's days (its title and file name win)."""
    one = note_at(tmp_path, "r1-log.md", ROUND_ONE)
    two = note_at(tmp_path, "r2-log.md", ROUND_TWO_NEWEST_FIRST + "\n### R1D4 2020-11-20\nA mislabelled day.\n")
    assert {e.challenge_round for e in listed(one.entries)} == {1}
    assert {e.challenge_round for e in listed(two.entries)} == {2}
    mixed = note_at(tmp_path, "log.md", "# My log\n\n### R1D1 - 20200802\nA.\n\n### R2D1 - 20201116\nB.\n")
    assert [e.challenge_round for e in listed(mixed.entries)] == [1, 2]
    plain = note_at(tmp_path, "day-3.md", "# Day 3\n\nRound robin scheduling.\n")
    assert plain.entries[0].challenge_round is None
    assert (round_named("the second round"), path_round(PurePath("round-3.md")), path_round(PurePath("rust.md"))) == (
        2, 3, None)


def test_day_numbers_that_repeat_across_rounds_are_found_with_the_round(journal):
    from journal_agent.archive.ingest import ingest
    from journal_agent.archive.search import search_notes

    round_one = ROUND_ONE.replace("### R1D2 - 20200803\nRead about HTML forms.",
                                  "### R1D2 - 20200803\nRead about HTML forms and wrote a round two plan.")
    write(journal.notes_dir / "r1-log.md", round_one)
    write(journal.notes_dir / "r2-log.md", ROUND_TWO_NEWEST_FIRST)
    ingest(journal)
    for question, heading in [("What did I do on day 2 of round 1?", "R1D2 - 20200803"),
                              ("What did I do on day 2 of round 2?", "R2D2 - 2020-11-17"),
                              ("What did I work on on R2D2?", "R2D2 - 2020-11-17"),
                              ("What did I do on the first day of round 2?", "R2D1 - 2020-11-16"),
                              ("What did I do on the first day of round 1?", "R1D1 - 20200802")]:
        results = search_notes(journal, question, today=D(2026, 12, 7))
        assert results.hits[0].entry_heading == heading and results.in_window[0] is True, question


def test_a_round_without_day_numbers_is_no_filter(journal):
    """hputzek: a post titled "Round 2 - Fight!" has no day number; "the first day of round 2" is that round's
    first entry (an order question), not Day 1 of round 1's posts."""
    from journal_agent.archive.ingest import ingest
    from journal_agent.archive.search import search_notes

    write(journal.notes_dir / "2017-06-20-day-one.md", "# 100 days of code: day one\n\nSet up the blog.\n")
    write(journal.notes_dir / "2017-06-21-day-two.md", "# Day 2\n\nStyled the diary.\n")
    write(journal.notes_dir / "2018-04-02-restart.md", "# Round 2 - Fight!\n\nRestarted 100 days of code; "
                                                       "revamped this journal with new CSS.\n")
    write(journal.notes_dir / "2018-04-03-sass.md", "# Sass mixins\n\nRound 2 goes on: Sass mixins.\n")
    ingest(journal)
    results = search_notes(journal, "What did I do on the first day of round 2?", today=D(2026, 12, 7))
    assert results.hits[0].path == "notes/2018-04-02-restart.md" and results.day is None


@pytest.mark.parametrize("name, text, want", [
    ("DAY_12/README.md", "DAY_12 | 10 Feb\n\n# Spring beans\n\nBeans and scopes.\n", D(2026, 2, 10)),
    ("log.md", "# Log\n\n## June 16th\n\nRead about joins.\n\n## June 17th\n\nIndexes.\n", D(2026, 6, 16)),
])
def test_a_year_less_date_in_a_copied_folder_is_not_after_the_day_it_was_copied(tmp_path, name, text, want):
    """A folder copied on 2026-12-07 has that file time: "10 Feb" is the February before it (2026), not the
    nearer February after it (2027). A learner writes about days that have been."""
    path = write(tmp_path / "notes" / name, text)
    stamp = dt.datetime(2026, 12, 7, 12).timestamp()
    os.utime(path, (stamp, stamp))
    note = read_note(path, tmp_path)
    assert listed(note.entries)[0].date == want
    assert note.date == want


def test_journal_show_finds_a_rounds_day(journal):
    """`journal show R2D2` / "day 2 of round 1": day numbers start again in each round of a #100DaysOfCode
    log (anjathiart's r1-log.md and r2-log.md); a day alone is still found (the first round's, the others
    in ``also``)."""
    from journal_agent.notes.journal import find_note

    write(journal.notes_dir / "r1-log.md", ROUND_ONE)
    write(journal.notes_dir / "r2-log.md", ROUND_TWO_NEWEST_FIRST)
    assert find_note(journal, "R2D2").entry.heading == "R2D2 - 2020-11-17"
    assert find_note(journal, "day 2 of round 1").entry.heading == "R1D2 - 20200803"
    assert find_note(journal, "day 2 of round two").entry.heading == "R2D2 - 2020-11-17"
    plain = find_note(journal, "Day 2")
    assert {plain.entry.heading, *(e.heading for _, e in plain.also)} >= {"R1D2 - 20200803", "R2D2 - 2020-11-17"}


@pytest.mark.parametrize("heading, start", [
    ("Monday 4 January 2021", (2021, 1, 4)),
    ("Sunday 3rd January 2021", (2021, 1, 3)),
    ("Friday 8th of January", (None, 1, 8)),
    ("Day 3 - Sunday 3rd January 2021", (2021, 1, 3)),
    ("Week 1 - Monday 4 January 2021", (2021, 1, 4)),
])
def test_a_weekday_before_a_day_first_date(heading, start):
    """A weekday's name ends in "day": "Monday 4 January" is a date, not "day 4" followed by a month."""
    found = heading_date(heading)
    assert found is not None and found.start == start
