"""Search over entries (issue 18): questions about the journal's own structure, on small journals of other shapes.

Two journals written for these tests (no other learner's text), embedded with the real MiniLM model, each
ingested once per module:

* a single-file #100DaysOfCode log (2020) with ``### Day N: January 4, 2020`` entries from Day 0, a gap
  (11-12 January), an event ("finished the course") and a topic written twice (closures);
* a 2025 folder: a post titled "Day 11 to 15" (one entry of five days), a post with ``#### 16/06/2025 - Day 16``
  sub-entries and a post with a date-range heading (``## June 20-22, 2025``).

Questions are asked as if today were 7 December 2026, so year-less dates must take the journal's year.
"""

from __future__ import annotations

import datetime as dt

import pytest

from journal_agent.archive.ingest import ingest
from journal_agent.archive.retrieval import entries_where
from journal_agent.archive.search import search_notes
from journal_agent.archive.store import Archive
from journal_agent.workspace import open_journal
from tests.support.journals import make_journal_dir, write

TODAY = dt.date(2026, 12, 7)

LOG = """# 100 Days Of Code - Log

One hour of code a day, and a line here every evening.

### Day 0: January 1, 2020

Set up the repository, a Python virtualenv and the editor.

### Day 1: January 2, 2020

HTML forms: inputs, labels and the submit button.

### Day 2: January 3, 2020

CSS flexbox: justify-content and align-items for the navbar.

### Day 3: January 4, 2020

JavaScript closures: a function keeps the variables of the scope it was made in; wrote a counter factory.

### Day 4: January 5, 2020

Array methods map, filter and reduce on the shopping list.

### Day 5: January 6, 2020

Promises and async/await for fetching the weather API.

### Day 6: January 7, 2020

Finished the freeCodeCamp JavaScript course today and got the certificate.

### Day 7: January 8, 2020

Started React: components, props and JSX.

### Day 8: January 9, 2020

React state with useState; the todo list adds items.

### Day 9: January 10, 2020

React useEffect and cleanup functions.

### Day 10: January 13, 2020

Back after two days off: closures again, inside React hooks and stale state in event handlers.

### Day 14: January 17, 2020

Deployed the todo app to Netlify.

### Day 15: January 18, 2020

Wrote unit tests with Jest for the reducer.
"""

WEEK_POST = """---
title: Day 11 to 15
date: 2025-06-15
---
A week of SQL: joins, group by, window functions over the sales table, and indexes.
"""

SUB_ENTRIES = """---
title: Week three
date: 2025-06-17
---
#### 16/06/2025 - Day 16

Docker: wrote a Dockerfile for the Flask app and ran it with a volume.

#### 17/06/2025 - Day 17

Docker compose with a Postgres service and a healthcheck.
"""

RANGE_POST = """---
title: Long weekend
date: 2025-06-22
---
## June 20-22, 2025

Read the Kubernetes docs on pods and deployments over the long weekend.

## June 23, 2025

Tried kubectl port-forward against a local kind cluster.
"""


def _journal(tmp_path_factory, name: str, files: dict[str, str]):
    root = make_journal_dir(tmp_path_factory.mktemp(name) / "journal")
    for path, text in files.items():
        write(root / "notes" / path, text)
    journal = open_journal(root=root)
    ingest(journal)
    return journal


@pytest.fixture(scope="module")
def log(tmp_path_factory):
    return _journal(tmp_path_factory, "log", {"100-days-log.md": LOG})


@pytest.fixture(scope="module")
def posts(tmp_path_factory):
    return _journal(tmp_path_factory, "posts", {"2025-06-15-days-11-15.md": WEEK_POST,
                                                "2025-06-17-week-three.md": SUB_ENTRIES,
                                                "2025-06-22-long-weekend.md": RANGE_POST})


def ask(journal, question, **options):
    return search_notes(journal, question, today=TODAY, **options)


def heading(hit) -> str:
    return hit.entry_heading


# ----------------------------------------------------------------- the archive stores entries
def test_a_single_file_log_is_stored_entry_by_entry(log):
    archive = Archive.open(log)
    listed = entries_where(archive)
    assert [hit.days for hit in listed] == [[n] for n in (0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 14, 15)]
    assert {hit.path for hit in listed} == {"notes/100-days-log.md"}
    day3 = listed[3]
    assert (day3.entry_heading, day3.date, day3.line) == ("Day 3: January 4, 2020", dt.date(2020, 1, 4), 17)
    assert LOG.splitlines()[day3.line - 1] == "### Day 3: January 4, 2020"
    span = archive.span()
    assert (span.first_date, span.last_date, span.first_day, span.last_day) == (
        dt.date(2020, 1, 1), dt.date(2020, 1, 18), 0, 15)


def test_a_range_heading_stores_every_day_and_date(posts):
    listed = {hit.entry_heading or hit.title: hit for hit in entries_where(Archive.open(posts))}
    assert listed["Day 11 to 15"].days == [11, 12, 13, 14, 15] and listed["Day 11 to 15"].entry_heading == ""
    weekend = listed["June 20-22, 2025"]
    assert (weekend.date, weekend.end_date) == (dt.date(2025, 6, 20), dt.date(2025, 6, 22))


# ----------------------------------------------------------------- days, Day 0 and dates match entries
@pytest.mark.parametrize("question, expected", [
    ("What did I do on Day 0?", "Day 0: January 1, 2020"),
    ("What did I learn on Day 3?", "Day 3: January 4, 2020"),
    ("what was day fourteen about", "Day 14: January 17, 2020"),
    ("What did I do on January 9, 2020?", "Day 8: January 9, 2020"),
    ("What did I do on January 9th?", "Day 8: January 9, 2020"),  # year-less: the journal's 2020, not 2026
])
def test_a_day_or_date_inside_a_single_file_log(log, question, expected):
    results = ask(log, question)
    assert heading(results.hits[0]) == expected and results.in_window[0] is True, question
    assert results.hits[0].path == "notes/100-days-log.md"


@pytest.mark.parametrize("question, expected", [
    ("What did I study on Day 13?", ""),  # a day inside a multi-day note (one entry: no heading)
    ("What did I do on June 16th?", "16/06/2025 - Day 16"),  # year-less, asked in 2026
    ("What did I read on June 21, 2025?", "June 20-22, 2025"),  # a date inside a date range
])
def test_a_day_or_date_inside_a_multi_day_post(posts, question, expected):
    results = ask(posts, question)
    assert heading(results.hits[0]) == expected and results.in_window[0] is True, question


def test_two_entries_of_one_note_are_two_hits(posts):
    results = ask(posts, "docker", limit=5)
    docker = [heading(hit) for hit in results.hits if hit.path.endswith("week-three.md")]
    assert sorted(docker) == ["16/06/2025 - Day 16", "17/06/2025 - Day 17"] and results.notes[:2] == [
        "notes/2025-06-17-week-three.md"] * 2


# ----------------------------------------------------------------- first / last time
@pytest.mark.parametrize("question, expected", [
    ("When did I first learn about closures?", "Day 3: January 4, 2020"),
    ("What was the last time I wrote about closures?", "Day 10: January 13, 2020"),
    ("When did I start learning React?", "Day 7: January 8, 2020"),
])
def test_first_and_last_time_order_matching_entries_by_date(log, question, expected):
    results = ask(log, question)
    assert results.order in ("first", "last") and heading(results.hits[0]) == expected, question


# ----------------------------------------------------------------- windows around an event, the challenge's calendar
def test_the_day_after_an_event(log):
    results = ask(log, "What did I learn the day after I finished the course?")
    assert heading(results.event) == "Day 6: January 7, 2020"
    assert (results.window.since, results.window.until) == (dt.date(2020, 1, 8), dt.date(2020, 1, 8))
    assert heading(results.hits[0]) == "Day 7: January 8, 2020"


def test_the_week_before_an_event(log):
    results = ask(log, "What did I study in the week before I started React?", limit=8)
    assert heading(results.event) == "Day 7: January 8, 2020"
    inside = [hit.days[0] for hit, mark in zip(results.hits, results.in_window) if mark]
    assert sorted(inside) == [0, 1, 2, 3, 4, 5, 6]  # 1-7 January


@pytest.mark.parametrize("question, days", [
    # the log starts at Day 0, so its calendar does: the second week is its 8th-14th days, Days 7-13
    ("What did I do in the second week of the challenge?", {7, 8, 9, 10}),
    ("What did I learn in my first ten days?", {0, 1, 2, 3, 4, 5, 6, 7, 8, 9}),
    ("What did I build in the last week of the challenge?", {9, 10, 14, 15}),  # days 9-15: the log ends at 15
])
def test_the_challenges_own_calendar(log, question, days):
    """The challenge's calendar counts from the journal's own first day (journal shapes: both #100DaysOfCode logs
    start at Day 0, and "the second day of the challenge" there is Day 1)."""
    results = ask(log, question, limit=12)
    inside = {hit.days[0] for hit, mark in zip(results.hits, results.in_window) if mark}
    assert inside == days and all(results.in_window[: len(days)]), question


# ----------------------------------------------------------------- an empty window
def test_an_empty_day_says_so_and_offers_the_nearest_entries(log):
    results = ask(log, "What did I do on January 11, 2020?")
    assert results.empty and not results.matched
    assert [heading(hit) for hit in results.nearest] == ["Day 9: January 10, 2020", "Day 10: January 13, 2020"]
    assert [heading(hit) for hit in results.hits] == [heading(hit) for hit in results.nearest]  # nothing unrelated
    assert results.window.since == dt.date(2020, 1, 11)  # the date is kept, not dropped from the question


def test_an_empty_day_number_offers_the_days_around_it(log):
    results = ask(log, "What did I do on Day 12?")
    assert results.empty and [hit.days for hit in results.nearest] == [[10], [14]]


def test_a_year_less_date_outside_the_journal_is_still_its_nearest_year(posts):
    results = ask(posts, "What did I do on June 30th?")
    assert results.window.since == dt.date(2025, 6, 30) and results.empty
    assert [heading(hit) for hit in results.nearest] == ["June 23, 2025"]


# ----------------------------------------------------------------- the CLI names entries; --json fields
def test_cli_search_names_the_entry_and_says_when_a_window_is_empty(journal_dir, run_cli):
    import json

    write(journal_dir / "notes" / "100-days-log.md", LOG)
    assert run_cli("ingest", "--no-reflect").exit_code == 0
    shown = json.loads(run_cli("search", "--json", "What did I do on Day 3?").output)
    first = shown["results"][0]
    assert {k: first[k] for k in ("path", "entry", "entry_heading", "line", "anchor", "date", "end_date", "day",
                                  "days", "preamble", "in_window")} == {
        "path": "notes/100-days-log.md", "entry": 4, "entry_heading": "Day 3: January 4, 2020", "line": 17,
        "anchor": "day-3-january-4-2020", "date": "2020-01-04", "end_date": "2020-01-04", "day": 3, "days": [3],
        "preamble": False, "in_window": True}
    assert set(shown) >= {"day_range", "order", "event", "empty", "nearest"}
    human = run_cli("search", "What did I do on Day 3?").output
    assert "notes/100-days-log.md:17 “Day 3: January 4, 2020”" in human
    empty = run_cli("search", "What did I do on January 11, 2020?")
    assert "no entry there; the nearest before and after" in empty.output
    assert json.loads(run_cli("search", "--json", "What did I do on January 11, 2020?").output)["empty"] is True


def test_a_misremembered_month_keeps_the_words_and_still_names_the_nearest(posts):
    from journal_agent.agent.journal_tools import JournalTools

    results = ask(posts, "What did I learn about Docker in March 2025?")
    assert results.window.kind == "month" and results.empty
    assert results.hits[0].path.endswith("week-three.md")  # boosted, not filtered: the words still find Docker
    assert [hit.date for hit in results.nearest] == [dt.date(2025, 6, 15)]  # none before; the first after
    said = JournalTools(posts, today=TODAY).search_notes("What did I learn about Docker in March 2025?")
    assert said.startswith('No journal entry for "in March 2025" = 2025-03-01 to 2025-03-31.')
    assert "Nearest entries before and after it:" in said and "Entries the words match, at other dates:" in said


@pytest.mark.parametrize("question", ["What did I do on Day 17?", "What did I learn on June 17th?"])
def test_a_sub_entry_of_a_weekly_post(posts, question):
    assert heading(ask(posts, question).hits[0]) == "17/06/2025 - Day 17"


JRNL = """[2020-01-04 09:00] Regex lookaheads
Learned positive and negative lookahead in Python's re module.

[2020-01-05 21:30] SQLite window functions
Ranked rows with ROW_NUMBER over a partition.

[2020-01-07 08:15] Git bisect
Found the commit that broke the build with git bisect run.
"""


def test_a_jrnl_journal_is_searched_entry_by_entry(journal_dir):
    write(journal_dir / "notes" / "journal.txt", JRNL)
    journal = open_journal(root=journal_dir)
    ingest(journal)
    assert [(hit.entry_heading, hit.line) for hit in entries_where(Archive.open(journal))] == [
        ("Regex lookaheads", 1), ("SQLite window functions", 4), ("Git bisect", 7)]
    assert heading(ask(journal, "What did I learn on January 5th?").hits[0]) == "SQLite window functions"
    gap = ask(journal, "What did I do on January 6, 2020?")
    assert gap.empty and [heading(hit) for hit in gap.hits] == ["SQLite window functions", "Git bisect"]


# Written in the way public #100DaysOfCode logs are (benchmarks/journal_shapes: "When did I first use jQuery?"
# ranked Day 2 first there: it shares "use" and "did" with the question, not jQuery).
VERB_LOG = """# 100 Days Of Code - Log

### Day 1: March 2, 2021

**Today's Progress**: I did two Project Euler problems and learned to use list comprehensions. I used them
for everything today and did some reading on generators.

### Day 2: March 3, 2021

**Today's Progress**: Did more Euler problems. I want to use a library for the UI later, maybe jQuery.

### Day 3: March 4, 2021

**Today's Progress**: Built the to-do page with jQuery: selectors, click handlers, toggling classes with
jQuery's addClass and removeClass, and fading items out with jQuery animations.

### Day 4: March 5, 2021

**Today's Progress**: More jQuery events on the to-do page: delegated handlers with jQuery's on().
"""


@pytest.fixture(scope="module")
def verb_log(tmp_path_factory):
    return _journal(tmp_path_factory, "verbs", {"log.md": VERB_LOG})


def test_order_topic_leaves_the_question_words_out():
    from journal_agent.notes.time_expressions import order_topic

    assert order_topic("use jQuery?") == "jquery"
    assert order_topic("start reading the Let's Go book?") == "let's go book"
    assert order_topic("did I") == ""


def test_first_time_is_the_first_entry_about_the_topic_not_one_sharing_the_questions_verbs(verb_log):
    """The entries about the topic are those with a strong keyword hit for its own words (ORDER_TOPIC_SHARE):
    Day 1 (which "used" and "did" a lot) and Day 2 (jQuery named in passing) are not the first time."""
    results = ask(verb_log, "When did I first use jQuery?")
    assert results.order == "first" and heading(results.hits[0]) == "Day 3: March 4, 2021"
    last = ask(verb_log, "When was the last time I used jQuery?")
    assert heading(last.hits[0]) == "Day 4: March 5, 2021"


def test_days_written_as_a_range_are_the_entries_of_those_days(log):
    results = ask(log, "What did I do on days 3 to 5?", limit=5)
    assert results.day_range == (3, 5)
    inside = [hit.days[0] for hit, mark in zip(results.hits, results.in_window) if mark]
    assert sorted(inside) == [3, 4, 5] and all(results.in_window[:3])
