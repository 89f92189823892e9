"""Search that knows the journal's structure: day numbers, dates and weeks first; private notes withheld.

The journal is the learner benchmark's (benchmarks/learner_journal: Days 1, 3-9 and a weekly review,
17-26 September 2025, plus the repository's seed note as Day 2), embedded by the fast hashed
bag-of-words test server.
"""

from __future__ import annotations

import datetime as dt
import json
import shutil
from pathlib import Path

import pytest

from journal_agent.archive.ingest import ingest
from journal_agent.archive.retrieval import entries_where
from journal_agent.archive.search import search_notes
from journal_agent.archive.store import Archive
from journal_agent.workspace import open_journal
from tests.support.journals import SEED, write

LEARNER = Path(__file__).resolve().parents[1] / "benchmarks" / "learner_journal"
TODAY = dt.date(2025, 9, 27)  # Saturday after the weekly review
DAY_DATES = {day: dt.date(2025, 9, 16 + day) for day in range(1, 10)}


def fill_learner_journal(root: Path) -> None:
    for source in [SEED, *LEARNER.glob("*.markdown")]:
        shutil.copy(source, root / "notes" / source.name)


@pytest.fixture
def learner(journal_dir):
    fill_learner_journal(journal_dir)
    journal = open_journal(root=journal_dir)
    ingest(journal)
    return journal


def ask(journal, question, **options):
    return search_notes(journal, question, today=TODAY, **options)


@pytest.mark.parametrize("day", range(1, 10))
def test_day_n_question_is_answered_by_day_n_first(learner, day):
    words = {1: "one", 2: "two", 3: "three", 4: "four", 5: "five", 6: "six", 7: "seven", 8: "eight", 9: "nine"}
    for question in (f"What did I study on Day {day}?", f"what was day {words[day]} about"):
        results = ask(learner, question)
        assert results.day == day
        assert results.hits[0].day == day and results.in_window[0] is True, question
        assert all(mark is False for mark in results.in_window[1:])
        assert len(results.hits) == 5  # the normal ranking follows


def test_a_day_without_a_note_says_so_and_offers_the_nearest_then_the_words(learner):
    results = ask(learner, "What did I learn about cosine similarity on Day 40?")
    assert results.day == 40 and results.search_text == "What did I learn about cosine similarity?"
    assert results.empty and [hit.day for hit in results.nearest] == [9]  # the last day before 40; none after
    assert results.hits[0].day == 9 and all(mark is False for mark in results.in_window)
    assert any(hit.day == 4 for hit in results.hits)  # the embeddings note is still found by the words


@pytest.mark.parametrize("question, day", [
    ("What did I do on September 23, 2025?", 7),
    ("What did I learn on 2025-09-19?", 3),
    ("What did I learn last Monday?", 6),
    ("What did I study on the 17th of September?", 1),
    ("What did I learn the day before yesterday?", 9),
])
def test_an_exact_date_puts_that_days_note_first(learner, question, day):
    for mode in ("hybrid", "fts"):  # fts finds no words in "What did I do?": the day's note still comes first
        results = ask(learner, question, mode=mode)
        assert results.window.kind == "day"
        assert results.hits[0].date == DAY_DATES[day] and results.in_window[0], (question, mode)


def test_yesterday_is_the_weekly_review(learner):
    results = ask(learner, "What did I write yesterday?")
    assert results.hits[0].title == "Momentum Learning Weekly Review"


def test_a_week_puts_all_of_its_notes_first(learner):
    results = ask(learner, "What did I learn last week?", limit=6)  # Monday 15 to Sunday 21 September
    assert {hit.date for hit in results.hits[:5]} == {DAY_DATES[d] for d in range(1, 6)}
    assert results.in_window == [True] * 5 + [False]


def test_a_misremembered_month_still_finds_the_note(learner):
    results = ask(learner, "What did I learn about HNSW and IVF-PQ indexes in March 2025?", mode="fts")
    assert results.window.kind == "month"  # boosted, not filtered: no note is in March 2025
    assert results.hits[0].day == 5


def test_pages_never_repeat_a_note(learner):
    seen = []
    for offset in (0, 4, 8):
        seen += ask(learner, "memory agents embeddings", limit=4, offset=offset).notes
    assert len(seen) == len(set(seen)) == 10


def test_time_mode_off_ignores_days_and_dates(learner):
    results = ask(learner, "What did I study on Day 4?", time_mode="off")
    assert results.day is None and results.window is None and results.in_window == [None] * len(results.hits)


def test_private_and_draft_notes_are_withheld_unless_asked(journal_dir):
    notes = journal_dir / "notes"
    write(notes / "open.md", "---\ntitle: Open note\ndate: 2025-09-01\n---\nZebra finches sing at dawn.\n")
    write(notes / "secret.md", "---\ntitle: Secret\ndate: 2025-09-02\nprivate: true\n---\nZebra finches are loud.\n")
    write(notes / "draft.md", "---\ntitle: Draft\ndate: 2025-09-03\ndraft: true\n---\nZebra finches, half done.\n")
    write(notes / "private" / "diary.md", "# Diary\n\nZebra finches again.\n")
    journal = open_journal(root=journal_dir)
    ingest(journal)
    shared = search_notes(journal, "zebra finches")
    assert shared.notes == ["notes/open.md"]
    assert sorted(shared.withheld) == ["notes/draft.md", "notes/private/diary.md", "notes/secret.md"]
    everything = search_notes(journal, "zebra finches", include_private=True)
    assert len(everything.notes) == 4 and everything.withheld == []
    assert {hit.path: hit.private for hit in everything.hits}["notes/secret.md"] is True
    archive = Archive.open(journal)
    assert [h.path for h in entries_where(archive, include_private=False)] == ["notes/open.md"]


def test_source_note_agent_all(journal_dir):
    write(journal_dir / "notes" / "n.md", "---\ntitle: Pelicans\ndate: 2025-09-01\n---\nPelicans fish in groups.\n")
    journal = open_journal(root=journal_dir)
    ingest(journal)
    Archive.open(journal).insert_agent_memory("The learner likes pelicans and fishing trips.")
    sources = {source: [h.source for h in search_notes(journal, "pelicans fishing", source=source).hits]
               for source in ("note", "agent", "all")}
    assert sources == {"note": ["note"], "agent": ["agent"], "all": sorted(sources["all"], reverse=True)}
    assert set(sources["all"]) == {"note", "agent"}
    with pytest.raises(ValueError, match="unknown source"):
        search_notes(journal, "x", source="web")


# --------------------------------------------------------------------- CLI
def test_cli_search_json_says_what_was_understood(journal_dir, run_cli):
    fill_learner_journal(journal_dir)
    assert run_cli("ingest", "--no-reflect").exit_code == 0

    def search(*args):
        result = run_cli("search", "--json", *args)
        assert result.exit_code == 0, result.output
        return json.loads(result.output)

    by_day = search("What did I study on Day 4?")
    assert set(by_day) >= {"query", "window", "day", "results", "withheld"}
    assert by_day["query"] == "What did I study on Day 4?" and by_day["day"] == 4 and by_day["window"] is None
    assert by_day["results"][0]["day"] == 4 and by_day["results"][0]["in_window"] is True
    assert [r["in_window"] for r in by_day["results"][1:]] == [False] * 4

    by_date = search("What did I do on September 23, 2025?")
    assert by_date["window"] == {"phrase": "on September 23, 2025", "since": "2025-09-23", "until": "2025-09-23",
                                 "kind": "day"}
    assert by_date["day"] is None and by_date["results"][0]["date"] == "2025-09-23"

    bounded = search("memory", "--since", "2025-09-24", "--until", "2025-09-25")
    assert bounded["window"]["phrase"] is None and bounded["window"]["since"] == "2025-09-24"
    assert {r["date"] for r in bounded["results"]} <= {"2025-09-24", "2025-09-25"}

    plain = search("reciprocal rank fusion")
    assert plain["window"] is None and plain["day"] is None
    assert plain["results"][0]["day"] == 6 and plain["results"][0]["in_window"] is None

    human = run_cli("search", "What did I study on Day 4?")
    assert "1. Momentum Learning Day 4" in human.output and "Day 4 · 2025-09-20" in human.output


def test_cli_search_source_option(journal_dir, run_cli):
    write(journal_dir / "notes" / "n.md", "---\ntitle: Pelicans\ndate: 2025-09-01\n---\nPelicans fish in groups.\n")
    run_cli("ingest", "--no-reflect")
    Archive.open(open_journal(root=journal_dir)).insert_agent_memory("Pelicans: the learner's favourite bird.")
    notes = json.loads(run_cli("search", "--json", "pelicans").output)["results"]
    agent = json.loads(run_cli("search", "--json", "--source", "agent", "pelicans").output)["results"]
    assert [r["source"] for r in notes] == ["note"] and [r["source"] for r in agent] == ["agent"]
    assert run_cli("search", "--source", "web", "x").exit_code == 2


def test_hybrid_scores_are_the_convex_fusion_of_both_lists(learner):
    """Issue 23: hybrid fuses min-max normalized BM25 and cosine scores (vector share 0.55), not ranks."""
    from journal_agent.archive.retrieval import VECTOR_SHARE

    results = ask(learner, "cosine similarity of embeddings", time_mode="off", limit=10)
    scores = [hit.score for hit in results.hits]
    assert all(0.0 <= score <= 1.0 for score in scores) and scores == sorted(scores, reverse=True)
    assert scores[0] >= VECTOR_SHARE  # at least the nearest chunk's share; rank fusion tops out near 2/61


# ----------------------------------------------------------------- first/last time and events: what an entry is about
# Written the way public #100DaysOfCode logs are (benchmarks/journal_shapes, batches 1-3): a topic named first as a
# plan or an idea, a project spelt "TicTacToe" one day and "Tic Tac Toe" the next, "project" on every day.
ORDER_LOG = """# 100 Days Of Code - Log

### Day 1: March 1, 2021

**Today's Progress**: Project Euler problem 3 for my project folder. I'm going to tackle Django next: I want to
get Django running and make a Django app.

### Day 2: March 2, 2021

**Today's Progress**: Today I got Django running on my machine with a single route, then a Project Euler
problem for the project.

### Day 3: March 3, 2021

**Today's Progress**: Got started on a personal TicTacToe project, the board is drawn.

### Day 4: March 4, 2021

**Today's Progress**: More work on the Tic Tac Toe project: the Tic Tac Toe turns and the Tic Tac Toe project's
reset button.

### Day 5: March 5, 2021

**Today's Progress**: The Tic Tac Toe project checks for a winner; another Project Euler project problem.

### Day 6: March 6, 2021

**Today's Progress**: Came back to the Tic Tac Toe application after a month: it finally works the way I wanted.

### Day 7: March 7, 2021

**Today's Progress**: Python generators and the yield keyword for the project.

#### What I'm planning to do next

Kubernetes: read the Kubernetes docs on pods and Kubernetes deployments.

### Day 8: March 8, 2021

**Today's Progress**: Ran my first Kubernetes pods with kubectl on a local kind cluster; a
Project Euler problem for the project.

### Day 9: March 9, 2021

**Today's Progress**: Wrote unit tests for the project. Some ideas for later:

- a Sudoku solver: a Sudoku solver for any Sudoku
- a Medium bot

### Day 10: March 10, 2021

**Today's Progress**: Built the grid class of my Sudoku solver.

### Day 11: March 11, 2021

**Today's Progress**: Regular expressions in Python: groups and lookaheads, for a Project Euler project problem.

### Day 12: March 12, 2021

**Today's Progress**: I need to brush up before I take the Codility test: Codility test practice.

### Day 13: March 13, 2021

**Today's Progress**: Leetcode: two pointers and sliding windows; the Project Euler project.

### Day 14: March 14, 2021

**Today's Progress**: Finished the Codility test for the Genospace interview this morning, three tasks
on arrays and strings, then a walk in the park and SQL joins in the evening. No project today.

### Day 15: March 15, 2021

**Today's Progress**: The Sudoku solver works: the Sudoku solver solves every Sudoku puzzle I tried with it.
Next week I want to try Next.js, maybe a Next.js blog.

### Day 16: March 16, 2021

#### Next.js

Pages and file-based routing, my first page.
"""


@pytest.fixture(scope="module")
def order_log(tmp_path_factory):
    from tests.support.journals import make_journal_dir

    root = make_journal_dir(tmp_path_factory.mktemp("order") / "journal")
    write(root / "notes" / "log.md", ORDER_LOG)
    journal = open_journal(root=root)
    ingest(journal)
    return journal


@pytest.mark.parametrize("question, expected", [
    # an intention ("I'm going to tackle Django next") is not the first time
    ("When did I first get Django running?", "Day 2: March 2, 2021"),
    # the words however they are joined: "TicTacToe" is "Tic Tac Toe"
    ("When did I first work on the Tic Tac Toe game?", "Day 3: March 3, 2021"),
    # "project" is on most days, so it weighs little beside "tic tac toe"
    ("When did I last work on the Tic Tac Toe project?", "Day 6: March 6, 2021"),
    # a section headed as a plan is not what was done
    ("When did I first use Kubernetes?", "Day 8: March 8, 2021"),
    # nor a list of ideas for later
    ("When did I start the Sudoku solver?", "Day 10: March 10, 2021"),
    # a heading naming Next.js is no "next steps" plan
    ("When did I first use Next.js?", "Day 16: March 16, 2021"),
])
def test_first_and_last_time_is_the_entry_that_did_it(order_log, question, expected):
    results = search_notes(order_log, question)
    assert results.order in ("first", "last") and results.hits[0].entry_heading == expected, [
        hit.entry_heading for hit in results.hits[:3]]


def test_the_learners_own_start_is_the_earliest_entry_about_it(order_log):
    """"I started the Sudoku solver" is the first entry doing it (Day 10), not the best match of the words (Day 15)
    nor the idea of it (Day 9)."""
    results = search_notes(order_log, "What did I do the day after I started the Sudoku solver?")
    assert results.event.entry_heading == "Day 10: March 10, 2021"
    assert results.hits[0].entry_heading == "Day 11: March 11, 2021"


def test_an_event_is_the_entry_where_it_happened_not_where_it_was_awaited(order_log):
    results = search_notes(order_log, "What did I do the day before the Codility test?")
    assert results.event.entry_heading == "Day 14: March 14, 2021"
    assert results.hits[0].entry_heading == "Day 13: March 13, 2021"


# ------------------------------------------------------------ events: the entry that records it, not a retelling
# The learner benchmark's relative questions (benchmarks/learner_relative.md, r01 and r03): a course finished on
# one day and retold in a later review; a course started in a sentence that names it only by its title.
EVENT_LOG = """# Learning log

### Day 0: May 2, 2021

I completed the short course on Git today, with branches, merges, rebases, tags, hooks, submodules, worktrees,
bisect, blame, reflog and the stash, all in one long afternoon of practice at home.

Rust compiles slowly on my old laptop, so I read the release notes on the train, then the changelog, then forum
threads about incremental builds, linkers, caches and sccache, and at last a book.

### Day 1: May 3, 2021

Read about consensus in general. The Raft course starts from leader election: I read its outline.

### Day 2: May 4, 2021

I started a new course called [Replicated State Machines, Part One](https://example.org/courses/rsm-part-one).

It introduces the idea of replicated logs and leaders, with a focus on the Raft design.

### Day 3: May 5, 2021

I continued the course, with the lessons on how Raft elects a leader. Finished chapter four of the Rust Book
course in the evening.

### Day 4: May 6, 2021

I completed the short course on the Rust Book today and got the badge.

### Day 5: May 7, 2021

Leader leases and log compaction in Raft, from the course's last lesson.

### Day 6: May 8, 2021

Weekly review: finished two courses, the Rust Book course and the Raft course. Raft course notes reread.

### Day 7: May 9, 2021

The badge page: my badge collection, the badge I wear. I got a new frame for it.
"""


@pytest.fixture(scope="module")
def event_log(tmp_path_factory):
    from tests.support.journals import make_journal_dir

    root = make_journal_dir(tmp_path_factory.mktemp("events") / "journal")
    write(root / "notes" / "log.md", EVENT_LOG)
    journal = open_journal(root=root)
    ingest(journal)
    return journal


def test_a_finish_is_the_entry_that_records_it_not_a_later_retelling(event_log):
    """"I finished the Rust Book course" is Day 4 ("I completed the short course on the Rust Book"), not the
    review of Day 6 that retells it (the latest entry about the course), nor Day 3's finished chapter."""
    results = search_notes(event_log, "What did I do the day after I finished the Rust Book course?")
    assert results.event.entry_heading == "Day 4: May 6, 2021"
    assert results.hits[0].entry_heading == "Day 5: May 7, 2021"


def test_a_start_is_recorded_by_the_start_verb_beside_the_topic_and_its_words_in_the_entry(event_log):
    """"I started the Raft course": Day 2 says "I started a new course" and names Raft two sentences on (in a
    sentence the mention analysis reads as an idea); Day 3 names the two words together but only continues;
    Day 1, earlier and about the Raft course, says the course "starts from" something: no start of the
    learner's (learner r13: "The course starts from OpenAI function calling" was the agent memory course's
    start)."""
    results = search_notes(event_log, "What did I do the day after I started the Raft course?")
    assert results.event.entry_heading == "Day 2: May 4, 2021"
    assert results.hits[0].entry_heading == "Day 3: May 5, 2021"


def test_n_days_after_an_event_is_that_day(event_log):
    results = search_notes(event_log, "What did I do three days after I started the Raft course?")
    assert (results.window.since, results.window.until) == (dt.date(2021, 5, 7), dt.date(2021, 5, 7))
    assert results.hits[0].entry_heading == "Day 5: May 7, 2021" and results.in_window[1:3] == [False, False]


def test_the_challenges_calendar_days_and_weekends_come_from_its_own_days(journal_dir):
    """learner r18, r19: "the last day of my first week" is Day 7; "the first weekend of the challenge" is the
    weekend after Day 1 (Wednesday 17 September 2025), not one counted from an older note without day numbers;
    the challenge's start and end are its Day 1 and last day."""
    fill_learner_journal(journal_dir)
    write(journal_dir / "notes" / "older.md",
          "---\ntitle: Older\ndate: 2021-03-01\n---\nA weekend coding challenge with friends.\n")
    journal = open_journal(root=journal_dir)
    ingest(journal)
    last_day = ask(journal, "What did I learn on the last day of my first week?")
    assert last_day.day_range == (7, 7) and last_day.search_text == "What did I learn?"
    assert last_day.hits[0].day == 7 and last_day.in_window[1:] == [False] * (len(last_day.hits) - 1)
    weekend = ask(journal, "What did I do on the first weekend of the challenge?")
    assert (weekend.window.since, weekend.window.until) == (DAY_DATES[4], DAY_DATES[5])
    assert [hit.day for hit in weekend.hits[:2]] == [4, 5] and weekend.in_window[:3] == [True, True, False]
    # "I started the challenge" is its Day 1 (the challenge's own calendar), not the older note naming a challenge
    started = ask(journal, "What did I do the day after I started the challenge?")
    assert started.event.day == 1 and started.hits[0].day == 2
    finished = ask(journal, "What did I do the day before I finished my challenge?")
    assert finished.event.day == 9 and finished.hits[0].day == 8


def test_the_learners_own_doing_is_the_entry_that_says_it_with_that_verb(event_log):
    """learner r11, r12 among the TIL notes: "I got my certificate" is where the learner "got the badge" (Day 4),
    not the entry that names the badge most (Day 7's badge page, where "got" is about something else)."""
    results = search_notes(event_log, "What did I do the day after I got the badge?")
    assert results.event.entry_heading == "Day 4: May 6, 2021"
    assert results.hits[0].entry_heading == "Day 5: May 7, 2021"


def test_first_inside_an_event_is_the_events_first_time(order_log):
    """learner r14: "the day after I first worked on the Sudoku solver" is the day after Day 10 (the first entry
    about it), not a first-time question about "What did I do?" with the event "I worked on the Sudoku solver"
    (the best match, Day 15)."""
    results = search_notes(order_log, "What did I do the day after I first worked on the Sudoku solver?")
    assert results.order is None and results.event.entry_heading == "Day 10: March 10, 2021"
    assert results.hits[0].entry_heading == "Day 11: March 11, 2021"


@pytest.mark.parametrize("question, heading", [
    ("What did I do on the day I finished the Rust Book course?", "Day 4: May 6, 2021"),
    ("What did I do the day after finishing the Rust Book course?", "Day 5: May 7, 2021"),
])
def test_an_event_named_by_its_day_or_by_a_gerund(event_log, question, heading):
    """"On the day I finished X" is the event's own day; "after finishing X" an event as "after I finished X".
    Day 0 "completed the short course" on Git and names Rust and a book far from it: a finish, but of no Rust
    Book course (the entries that record it and are about it come first)."""
    results = search_notes(event_log, question)
    assert results.event is not None and results.event.entry_heading == "Day 4: May 6, 2021"
    assert results.hits[0].entry_heading == heading


# -- a date in numbers alone, read as the journal writes its own (issue 18) ------------------------------------
_TOPICS = ["list comprehensions in Python", "dictionaries and sets", "writing unit tests with pytest"]
NUMERIC_LOGS = {
    # only January: "01/04/2020" can only mean 4 January here, whoever typed it
    "day first": ["04/01/2020 - Day 1", "13/01/2020 - Day 2"],
    # only spring: 04/01/2020 is 1 April
    "month first": ["03/31/2020 - Day 1", "04/01/2020 - Day 2"],
    # both readings have entries: the journal's own order decides
    "day first, both": ["04/01/2020 - Day 1", "13/01/2020 - Day 2", "01/04/2020 - Day 3"],
    "month first, both": ["01/04/2020 - Day 1", "01/13/2020 - Day 2", "04/01/2020 - Day 3"],
}


@pytest.fixture(scope="module")
def numeric_logs(tmp_path_factory):
    from tests.support.journals import make_journal_dir

    journals = {}
    for number, (name, headings) in enumerate(NUMERIC_LOGS.items()):
        root = make_journal_dir(tmp_path_factory.mktemp(f"numeric{number}") / "journal")
        body = "".join(f"## {heading}\n\nToday I practised {topic}.\n\n" for heading, topic in zip(headings, _TOPICS))
        write(root / "notes" / "log.md", f"# 100 Days Of Code - Log\n\n{body}")
        journal = open_journal(root=root)
        ingest(journal)
        journals[name] = journal
    return journals


@pytest.mark.parametrize("log, question, expected", [
    ("day first", "What did I do on 01/04/2020?", "04/01/2020 - Day 1"),  # 4 January
    ("month first", "What did I do on 01/04/2020?", "04/01/2020 - Day 2"),  # 1 April
    ("day first", "What did I learn on 4/1/20?", "04/01/2020 - Day 1"),
    ("day first, both", "What did I do on 01/04/2020?", "01/04/2020 - Day 3"),  # 1 April, as this journal writes
    ("month first, both", "What did I do on 01/04/2020?", "01/04/2020 - Day 1"),  # 4 January, as this one does
    ("month first, both", "What did I do on 04.01.2020?", "04/01/2020 - Day 3"),
])
def test_a_numeric_date_is_read_as_the_journal_writes_its_dates(numeric_logs, log, question, expected):
    results = search_notes(numeric_logs[log], question)
    assert results.hits and results.hits[0].entry_heading == expected, [hit.entry_heading for hit in results.hits]


@pytest.mark.parametrize("log, ref, expected", [
    ("day first", "01/04/2020", "04/01/2020 - Day 1"),
    ("month first", "01/04/2020", "04/01/2020 - Day 2"),
    ("day first, both", "01/04/2020", "01/04/2020 - Day 3"),
    ("month first, both", "01/04/2020", "01/04/2020 - Day 1"),
    ("month first, both", "4-1-20", "04/01/2020 - Day 3"),
])
def test_journal_show_reads_a_numeric_date_as_questions_do(numeric_logs, log, ref, expected):
    from journal_agent.notes.journal import find_note

    match = find_note(numeric_logs[log], ref)
    assert match.entry is not None and match.entry.heading == expected


# -- a preamble whose date is its own (issue 23: a TIL note with dated "Update" sections) ----------------------
_UPDATED_NOTE = """---
date: 2023-04-28
---
# Deno KV

Deno ships a key/value database built in. I stored a visit counter in it and read the SQLite file it writes.

## Update: 5th September 2023

The hosted version added a web console for browsing keys.

## Deno Queues (27th September 2023)

The hosted version added queues for background jobs.
"""
_NEIGHBOURS = {  # other notes of the same spring, on other topics
    "2023-04-30-code-interpreter.md": "Uploading files to the code interpreter and running Python there.",
    "2023-05-10-pyodide.md": "Running Pyodide inside a sandboxed worker from a small script.",
    "2023-03-12-comments.md": "Pulling recent comments out of an API with a scraper.",
}


@pytest.fixture
def updated_note(journal_dir):
    write(journal_dir / "notes" / "deno-kv.md", _UPDATED_NOTE)
    for name, text in _NEIGHBOURS.items():
        write(journal_dir / "notes" / name, f"# {name[11:-3].title()}\n\n{text}\n")
    journal = open_journal(root=journal_dir)
    ingest(journal)
    return journal


def test_a_preamble_dated_by_front_matter_is_inside_its_window(updated_note):
    results = search_notes(updated_note, "What did I learn about the key/value database in spring 2023?")
    first = results.hits[0]
    assert (first.path, first.entry, first.preamble) == ("notes/deno-kv.md", 0, True)
    assert results.in_window[0] is True
    listed = entries_where(Archive.open(updated_note), since=dt.date(2023, 4, 28), until=dt.date(2023, 4, 28))
    assert [(hit.path, hit.entry) for hit in listed] == [("notes/deno-kv.md", 0)]


def test_a_log_introduction_dated_by_its_headings_is_in_no_window(journal_dir):
    write(journal_dir / "notes" / "log.md", "# 100 Days Of Code - Log\n\nMy log of the challenge.\n\n"
          "## Day 1: April 28, 2023\n\nToday I practised list comprehensions.\n\n"
          "## Day 2: April 29, 2023\n\nToday I practised dictionaries.\n")
    journal = open_journal(root=journal_dir)
    ingest(journal)
    listed = entries_where(Archive.open(journal), since=dt.date(2023, 4, 28), until=dt.date(2023, 4, 28))
    assert [hit.entry_heading for hit in listed] == ["Day 1: April 28, 2023"]
