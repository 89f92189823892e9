"""Entry headings as real learners write them (issue 18): the survey in ``tests/data/real_headings.tsv`` and
one test per heading form it (and the issue) named.

The survey holds 156 headings and first lines of public #100DaysOfCode logs, learning journals and day
plans (heading text only, with the repository or the search excerpt it came from), each with the days and the
date its author means. Every row is asserted; a row judged ambiguous carries its reason and is skipped with it.

"Week 3 Day 2" names day 2: the day within the week, as written (like "R2D14" names day 14 of round 2). A
journal that counts weeks of days gives its weeks' days again each week, and a question "week 3 day 2" finds
day 2 by its words "week 3"; turning it into a challenge day (7 x 2 + 2 = 16) would guess the week's length,
five days in a bootcamp, seven in a #100DaysOfCode week.
"""

from __future__ import annotations

import csv
import datetime as dt
from pathlib import Path

import pytest

from journal_agent.notes.days import round_named, title_days
from journal_agent.notes.entries import heading_date, listed, split_entries

D = dt.date
SURVEY = Path(__file__).parent / "data" / "real_headings.tsv"


def _survey() -> list:
    with SURVEY.open(encoding="utf-8") as handle:
        lines = [line for line in handle if not line.startswith("#")]
    rows = list(csv.DictReader(lines, delimiter="\t", quoting=csv.QUOTE_NONE, escapechar="\\"))
    return [pytest.param(row, id=f"{row['kind']}:{row['text'][:40]}",
                         marks=[pytest.mark.skip(reason=row["reason"])] if row["reason"] else [])
            for row in rows]


def _written(text: str) -> str:
    """A heading's date as the survey writes it: ``YYYY-MM-DD``, ``--MM-DD`` without a year, ``""`` for none."""
    found = heading_date(text)
    if found is None:
        return ""
    year, month, day = found.start
    return f"{year:04d}-{month:02d}-{day:02d}" if year else f"--{month:02d}-{day:02d}"


def test_the_survey_holds_at_least_150_distinct_real_headings():
    texts = [param.values[0]["text"] for param in _survey()]
    assert len(set(texts)) == len(texts) >= 150


@pytest.mark.parametrize("row", _survey())
def test_every_surveyed_heading_is_read_as_its_author_means(row):
    days = tuple(int(day) for day in row["days"].split(",") if day)
    if row["kind"] == "heading":
        assert (title_days(row["text"]).days, _written(row["text"])) == (days, row["date"])
        return
    # a bold line or a note's first line: how a note that opens with it reads
    entry = split_entries(f"{row['text']}\n\nWhat I did.\n", fallback=lambda: (D(2030, 1, 1), "mtime"))[0]
    date = "" if entry.date_source == "mtime" else entry.date.isoformat()
    if row["date"].startswith("--") and date:
        date = "--" + date[5:]
    assert (entry.days, date) == (days, row["date"])


# -- the forms, one test each ----------------------------------------------------------------------------------
@pytest.mark.parametrize(("text", "days"), [
    ("R1D13/14", (13, 14)),  # two days in one entry, joined by "/"
    ("R1D46+47:", (46, 47)),
    ("Days 59+60", (59, 60)),
    ("R1D2 - R1D4", (2, 3, 4)),  # a range of round tags
    ("R1D39a:", (39,)),  # a day kept in two parts, "R1D39a" and "R1D39b"
    ("R1D39b: Markdown, HTML", (39,)),
    ("W3D2", (2,)),  # a week-and-day tag, as "Week 3 Day 2"
])
def test_round_tags_and_lists_of_days(text, days):
    assert title_days(text).days == days


@pytest.mark.parametrize(("text", "days"), [
    ("Day 1/100", (1,)),  # "of a hundred", not days 1 to 100
    ("Day 12/100 - CSS grid", (12,)),
    ("Day 1/100 (September 30, 2019):", (1,)),
    ("Day 017/100 [June 28, 2020]: Codechef", (17,)),
    ("Day 1 of 100", (1,)),
    ("Day 1 of 100DaysOfCode Practice", (1,)),
    ("R1D13/100", (13,)),
    ("Day 99/100", (99,)),  # never days 99 and 100
    ("Day 099/100 [August 2, 2020]: Done", (99,)),
    ("Day 6/7", (6,)),  # day 6 of a week's challenge
    ("Day 13/14", (13,)),
])
def test_a_day_of_the_challenges_length_is_one_day(text, days):
    assert title_days(text).days == days


@pytest.mark.parametrize(("text", "days", "date"), [
    ("Day 1 - 10<sup>th</sup> December 2019", (1,), (2019, 12, 10)),  # inline HTML dropped
    ("Day 1 — 10 December 2019", (1,), (2019, 12, 10)),  # "10" is the date's day, not days 1 to 10
    ("Day 5 - 12 Jan", (5,), (None, 1, 12)),
    ("Day 5 - 12th of January", (5,), (None, 1, 12)),
])
def test_a_dates_day_is_no_end_of_a_range_of_days(text, days, date):
    assert title_days(text).days == days
    found = heading_date(text)
    assert found is not None and found.start == date


@pytest.mark.parametrize(("text", "days"), [
    ("Week 3 Day 2", (2,)),
    ("Week 3, Day 2: loops", (2,)),
    ("Week 2 Day 1: Real Auth (March 28)", (1,)),
    ("Week 2 Days 4-5 Summary", (4, 5)),  # a day after a week is a heading's, whatever words follow
    ("Week 1, Day 1-2: Monorepo Setup", (1, 2)),
])
def test_week_and_day_headings_name_the_day_within_the_week(text, days):
    assert title_days(text).days == days


def test_a_word_after_a_day_still_needs_a_week_or_punctuation_before_it_counts():
    assert title_days("retry day 40 times").days == ()
    assert title_days("in 2 days 4 hours").days == ()


@pytest.mark.parametrize(("text", "start"), [
    ("Wednesday, 31st December, 25", (2025, 12, 31)),  # two digits after a comma, ending the date
    ("2nd May, 21", (2021, 5, 2)),
    ("Jan 5, 21", (2021, 1, 5)),
    ("December 31, 25.", (2025, 12, 31)),
    ("June 5, 12:00", (None, 6, 5)),  # a time, not the year 2012
    ("June 16, 25 minutes", (None, 6, 16)),
    ("May 3, 10-12", (None, 5, 3)),
])
def test_a_two_digit_year_after_a_comma(text, start):
    found = heading_date(text)
    assert found is not None and found.start == start


@pytest.mark.parametrize(("text", "start"), [
    ("the first of May", (None, 5, 1)),
    ("The first of May, 2021", (2021, 5, 1)),
    ("First of May", (None, 5, 1)),
    ("twenty-first of June, 2021", (2021, 6, 21)),
    ("the thirty-first of March", (None, 3, 31)),
    ("May the fourth", (None, 5, 4)),
    ("May the 4th, 2021", (2021, 5, 4)),
    ("Day 3: the second of March 2020", (2020, 3, 2)),
])
def test_dates_with_ordinal_words(text, start):
    found = heading_date(text)
    assert found is not None and found.start == start


@pytest.mark.parametrize("text", ["the second of the series", "First of all", "the first day of my course",
                                  "may the first test pass"])
def test_ordinal_words_without_a_month_are_no_date(text):
    assert heading_date(text) is None


@pytest.mark.parametrize(("text", "start"), [
    ("Monday 4 January 2021", (2021, 1, 4)),
    ("Monday, January 4, 2021", (2021, 1, 4)),
    ("Mon 4 Jan 2021", (2021, 1, 4)),
    ("Tue, 05 Jan 2021", (2021, 1, 5)),
    ("Sunday, 2nd of May 2021", (2021, 5, 2)),
    ("Wednesday, 31st of August, 2022", (2022, 8, 31)),
    ("MONDAY — August 3, 2026", (2026, 8, 3)),
    ("Saturday, Jan. 9th", (None, 1, 9)),
])
def test_weekday_first_dates(text, start):
    found = heading_date(text)
    assert found is not None and found.start == start


@pytest.mark.parametrize(("text", "days"), [
    ("🚀 Day 5: Flexbox", (5,)),
    ("Day 5 🚀", (5,)),
    ("✅ Day 12 - done", (12,)),
    ("Day 1 ✅ 项目初始化与认证基础", (1,)),
    ("Day 7️⃣", (7,)),
])
def test_headings_with_emojis(text, days):
    assert title_days(text).days == days


@pytest.mark.parametrize(("text", "number"), [
    ("Day 1 (R2)", 2), ("Day 14 [R3]: hooks", 3), ("R1D39a", 1), ("Day 4 (Rust)", None), ("Day 4", None),
])
def test_a_round_in_brackets_after_the_day(text, number):
    assert round_named(text) == number


def test_a_log_of_bold_day_lines_splits_into_its_days():
    body = "# My log\n\n**Day 1**\n\nSet up Python.\n\n**Day 2**\n\nLoops.\n\n**Day 3**\n\nFunctions.\n"
    entries = listed(split_entries(body, date=D(2021, 1, 4), date_source="front matter"))
    assert [(entry.heading, entry.days) for entry in entries] == [("Day 1", (1,)), ("Day 2", (2,)),
                                                                 ("Day 3", (3,))]


def test_a_round_log_with_two_days_in_one_entry_covers_both():
    body = ("## Log\n\n### R1D12\nRead.\n\n### R1D13/14\nJust ill.\n\n### R1D15+16:\nStill ill.\n\n"
            "### R1D17 - R1D19\nBack.\n")
    entries = listed(split_entries(body, fallback=lambda: (D(2018, 2, 1), "mtime")))
    assert [entry.days for entry in entries] == [(12,), (13, 14), (15, 16), (17, 18, 19)]


def test_a_log_with_ordinal_word_dates_dates_its_entries():
    body = "## Day 1: the first of May, 2021\nSetup.\n\n## Day 2: the second of May\nLoops.\n"
    entries = listed(split_entries(body, fallback=lambda: (D(2030, 1, 1), "mtime")))
    assert [(entry.days, entry.date) for entry in entries] == [((1,), D(2021, 5, 1)), ((2,), D(2021, 5, 2))]


@pytest.mark.parametrize(("text", "days"), [
    ("D12: CSS", (12,)), ("D01 - Setup", (1,)), ("D-5", (5,)), ("D12/100: grid", (12,)),
    ("D3.js basics", ()), ("D2 Diablo", ()), ("1D12", ()),
    ("Day One Hundred", (100,)), ("Day one", (1,)), ("Day twenty-one", (21,)),
])
def test_a_bare_day_tag_opening_a_heading_and_a_hundred_in_words(text, days):
    assert title_days(text).days == days


@pytest.mark.parametrize(("text", "start"), [
    ("TIL 2022 10 23", (2022, 10, 23)),  # a year, a month and a day with spaces
    ("1st January *2021*, 03:25 AM", (2021, 1, 1)),  # emphasis inside the date
    ("**Jan 5**, 2021", (2021, 1, 5)),
])
def test_spaced_dates_and_emphasis_inside_a_date(text, start):
    found = heading_date(text)
    assert found is not None and found.start == start


@pytest.mark.parametrize("text", ["version 2022 13 01", "in 2022 10 people"])
def test_spaced_numbers_that_are_no_date(text):
    assert heading_date(text) is None


@pytest.mark.parametrize(("line", "days", "date"), [
    ("Monday, January 4, 2021", (), D(2021, 1, 4)),  # a weekday first
    ("Mon 4 Jan 2021 — setup", (), D(2021, 1, 4)),
    ("January 4, 2021", (), D(2021, 1, 4)),  # a month's name first
    ("Jan 4, 2021: loops", (), D(2021, 1, 4)),
    ("The first of May, 2021", (), D(2021, 5, 1)),
    ("D12 | 2021-01-04", (12,), D(2021, 1, 4)),
    ("🚀 Day 5 — 8 Jan 2021", (5,), D(2021, 1, 8)),
    ("Week 3, Day 2", (2,), None),
    ("W3D2", (2,), None),
    ("May was a good month.", (), None),  # prose: no date
    ("Monday was hard, I learned loops.", (), None),
])
def test_a_notes_first_line_names_its_day_and_date_in_more_forms(line, days, date):
    entry = split_entries(f"{line}\n\nI learned loops today.\n", fallback=lambda: (D(2030, 1, 1), "mtime"))[0]
    assert entry.days == days
    assert (entry.date if entry.date_source != "mtime" else None) == date


@pytest.mark.parametrize(("text", "start", "end"), [
    ("Jan 6 - Jan 8", (None, 1, 6), (None, 1, 8)),  # a range of two year-less dates
    ("Week 1 (Mar 30 - Apr 5): GitHub & SQL Foundations", (None, 3, 30), (None, 4, 5)),
    ("Jan 6 - Jan 8, 2021", (2021, 1, 6), (2021, 1, 8)),  # the year written once, at the end
    ("Dec 30 - Jan 2, 2021", (2020, 12, 30), (2021, 1, 2)),
    ("6 Jan - 8 Jan 2021", (2021, 1, 6), (2021, 1, 8)),
])
def test_ranges_of_named_dates(text, start, end):
    found = heading_date(text)
    assert found is not None and (found.start, found.end) == (start, end)


def test_year_less_dates_listed_stay_a_list():
    found = heading_date("14 Feb | 15 Feb | 16Feb")
    assert found is not None and found.end is None and found.more == ((None, 2, 15), (None, 2, 16))
