"""`journal digest` (issue 14): a week's digest note, offline and through the agent, and what it must not change.

The week 2025-W38 runs from Monday 15 to Sunday 21 September 2025. The learner wrote
on Monday (Day 3), Tuesday (Day 4) and Thursday (Day 5): Wednesday is a gap.
"""

from __future__ import annotations

import datetime as dt
import json

import pytest

from tests.support.journals import write
from tests.support.openai_server import error, rule_responder, text

D = dt.date
AFTER = D(2025, 9, 25)  # "today" in these tests: the week is over

MONDAY = """---
title: Momentum Learning Day 3
date: 2025-09-15
categories: [Learning Journey]
---
# Day 3 | Momentum Learning Series

Started the **RAG** course: chunking and <b>retrieval</b>. Why do chunks overlap?

## Chunking

Heading-aware chunks keep sections whole.

```python
# is this a question?
x = 1
```

## Open questions

- overlap size vs chunk size
- does BM25 need stemming
"""

TUESDAY = """---
title: Momentum Learning Day 4
date: 2025-09-16
---
# Day 4

Embeddings with MiniLM; cosine similarity.

**Questions:**

- which pooling does MiniLM use
"""

THURSDAY = """---
title: Momentum Learning Day 5
date: 2025-09-18
---
# Day 5

RRF fuses BM25 and vector ranks. Is k=60 always right?
"""


@pytest.fixture
def week_dir(journal_dir):
    notes = journal_dir / "notes"
    write(notes / "2025-09-12-day-1.md", "---\ntitle: Momentum Learning Day 1\ndate: 2025-09-12\n---\nStart.\n")
    write(notes / "2025-09-13-day-2.md", "---\ntitle: Momentum Learning Day 2\ndate: 2025-09-13\n---\nMore.\n")
    write(notes / "2025-09-15-day-3.md", MONDAY)
    write(notes / "2025-09-16-day-4.md", TUESDAY)
    write(notes / "2025-09-18-day-5.md", THURSDAY)
    return journal_dir


@pytest.fixture
def week_journal(week_dir):
    from journal_agent.workspace import open_journal

    return open_journal(root=week_dir)


def _digest(journal, **kwargs):
    from journal_agent.digest import make_digest

    return make_digest(journal, D(2025, 9, 17), today=AFTER, **kwargs)


# ------------------------------------------------------------------ the offline digest
def test_digest_of_a_week_with_a_gap(week_journal):
    from journal_agent.notes.model import read_note

    result = _digest(week_journal)
    assert result.note.rel_path == "notes/digests/weekly-digest-2025-W38.md" and not result.replaced
    note = read_note(result.path, week_journal.root)
    assert (note.title, note.date, note.categories, note.day) == (
        "Weekly digest 2025-W38", D(2025, 9, 21), ["Weekly Digest"], None)
    assert note.is_digest and note.publishable
    body = note.body
    monday = body.index("### Monday 15 September · Day 3: Momentum Learning Day 3")
    tuesday = body.index("### Tuesday 16 September · Day 4: Momentum Learning Day 4")
    wednesday = body.index("### Wednesday 17 September\n\nNo note (a gap).")
    thursday = body.index("### Thursday 18 September · Day 5: Momentum Learning Day 5")
    assert monday < tuesday < wednesday < thursday
    assert "Source: Day 3, `notes/2025-09-15-day-3.md`" in body
    assert "- Sections: Chunking; Open questions" in body
    assert "- First lines: Started the RAG course: chunking and retrieval. Why do chunks overlap?" in body
    assert "- Gaps this week: Wednesday 17 September." in body
    assert [e.day for e in result.digest.entries] == [3, 4, 5]
    assert result.digest.gaps == [D(2025, 9, 17)]
    # as of Sunday 21: the last note was Thursday, so the streak is broken; the longest was Days 1-2 or 3-4
    assert result.digest.streak.days == 0 and result.digest.longest.days == 2
    assert result.summary.startswith("3 learning days out of 7: Monday (Day 3), Tuesday (Day 4), Thursday (Day 5). "
                                     "Studied: Chunking; Embeddings with MiniLM; cosine similarity; ")
    assert "Missed: Wednesday." in result.summary and result.summary_by == "offline"


def test_open_questions_are_cited_by_day_and_path(week_journal):
    result = _digest(week_journal)
    found = [(q.text, q.day) for q in result.digest.questions]
    assert found == [
        ("Started the RAG course: chunking and retrieval. Why do chunks overlap?", 3),
        ("overlap size vs chunk size", 3), ("does BM25 need stemming", 3),
        ("which pooling does MiniLM use", 4),
        ("RRF fuses BM25 and vector ranks. Is k=60 always right?", 5),
    ]
    body = result.note.body
    assert "- does BM25 need stemming (Day 3, `notes/2025-09-15-day-3.md`)" in body
    assert "is this a question" not in body, "nothing inside code counts"


def test_the_digest_changes_neither_the_next_day_nor_the_streak(week_journal, run_cli):
    from journal_agent.notes.add import highest_day
    from journal_agent.notes.stats import journal_stats

    before = journal_stats(week_journal, today=D(2025, 9, 21)).to_json()
    _digest(week_journal)  # dated Sunday 21: a day without a learning note
    assert highest_day(week_journal) == 5
    assert journal_stats(week_journal, today=D(2025, 9, 21)).to_json() == before
    assert before["current_streak"]["days"] == 0 and before["days"] == 5

    added = run_cli("add", "--no-reflect", "--date", "2025-09-22", "Monday again.")
    assert added.exit_code == 0, added.output
    assert "Day 6" in added.output  # not Day 7, and not refused as a date before the digest's


def test_a_digest_of_the_running_week_is_dated_today(week_journal):
    from journal_agent.notes.stats import journal_stats

    before = journal_stats(week_journal, today=D(2025, 9, 18))
    result = _digest_on(week_journal, D(2025, 9, 18))
    assert result.note.date == D(2025, 9, 18) and result.digest.until == D(2025, 9, 18)
    assert "Friday" not in result.note.body  # days after today are not listed
    assert "(written on Thursday 18 September, before the week ended)" in result.note.body
    after = journal_stats(week_journal, today=D(2025, 9, 18))
    assert after.current_streak == before.current_streak and after.notes == before.notes == 5


def _digest_on(journal, today):
    from journal_agent.digest import make_digest

    return make_digest(journal, None, today=today)


def test_rerunning_replaces_the_same_file(week_journal):
    first = _digest(week_journal)
    write(week_journal.notes_dir / "2025-09-19-day-6.md",
          "---\ntitle: Momentum Learning Day 6\ndate: 2025-09-19\n---\nFriday notes.\n")
    second = _digest(week_journal)
    assert second.replaced and second.path == first.path
    assert "Day 6: Momentum Learning Day 6" in second.note.body
    digests = [p for p in week_journal.notes_dir.rglob("*") if p.is_file() and "digest" in p.read_text()]
    assert digests == [first.path]
    assert not [p for p in first.path.parent.iterdir() if p.name.startswith(".")], "no temporary file left"

    moved = week_journal.notes_dir / "reviews" / "my-week.md"
    moved.parent.mkdir()
    first.path.rename(moved)
    third = _digest(week_journal)
    assert third.replaced and third.path == moved.resolve()
    assert not first.path.exists(), "the moved digest is replaced where it is, not written twice"


def test_private_notes_stay_out_unless_included(week_journal):
    from journal_agent.notes.model import read_note

    write(week_journal.notes_dir / "diary.md",
          "---\ntitle: Diary\ndate: 2025-09-17\nprivate: true\n---\nZebracorn feelings?\n")
    public = _digest(week_journal)
    assert "Zebracorn" not in public.path.read_text() and public.digest.withheld == 1
    assert public.digest.gaps == [D(2025, 9, 17)], "published as if the private note did not exist"

    private = _digest(week_journal, include_private=True)
    assert "Zebracorn feelings?" in private.path.read_text() and private.digest.gaps == []
    assert not read_note(private.path, week_journal.root).publishable, "a digest with private notes is private"


def test_a_week_without_notes_is_refused(week_journal):
    from journal_agent.digest import make_digest
    from journal_agent.errors import JournalError

    with pytest.raises(JournalError, match=r"no notes in 2025-W36 .*the next is from 2025-09-12"):
        make_digest(week_journal, D(2025, 9, 3), today=AFTER)
    assert not (week_journal.notes_dir / "digests").exists()


def test_digest_notes_make_no_review_cards(week_dir, run_cli):
    from journal_agent.workspace import open_journal

    _digest(open_journal(root=week_dir))
    cards = json.loads(run_cli("review", "--json", "--all").stdout)
    assert cards and not [c for c in cards if "digests/" in c["path"]], "a digest repeats other notes"


# ------------------------------------------------------------------ the command line
def test_cli_writes_ingests_and_prints(week_dir, run_cli):
    result = run_cli("digest", "--week", "2025-09-17", "--json")
    assert result.exit_code == 0, result.output
    data = json.loads(result.stdout)
    assert data["week"] == "2025-W38" and data["path"] == "notes/digests/weekly-digest-2025-W38.md"
    assert [(n["weekday"], n["day"]) for n in data["notes"]] == [("Monday", 3), ("Tuesday", 4), ("Thursday", 5)]
    assert data["gaps"] == ["2025-09-17"] and data["summary_by"] == "offline" and data["chunks_written"] > 0

    again = run_cli("digest", "--week", "2025-W38")
    assert again.exit_code == 0
    assert again.stdout.startswith("Replaced notes/digests/weekly-digest-2025-W38.md (Weekly digest 2025-W38: "
                                   "3 notes, Day 3 to Day 5, 1 gap day(s), 5 open question(s); summary offline)")
    hits = json.loads(run_cli("search", "which pooling does MiniLM use", "--json").stdout)["results"]
    assert "notes/digests/weekly-digest-2025-W38.md" in [h["path"] for h in hits], "ingested and searchable"


def test_cli_errors_are_one_line(week_dir, run_cli):
    unreadable = run_cli("digest", "--week", "the other day")
    assert unreadable.exit_code == 2 and "cannot read 'the other day' as a week" in unreadable.output
    empty = run_cli("digest", "--week", "2025-08-01")
    assert empty.exit_code == 1 and "no notes in 2025-W31" in empty.output and "Traceback" not in empty.output


# ------------------------------------------------------------------ the agent writes the summary
def test_model_summary_is_used_and_days_outside_the_week_are_dropped(week_journal, server):
    """The agent gets one system event with the week's notes quoted as data and the digest prompt; its
    answer is validated: sentences citing Day 9 (not in the week) or an unknown path are dropped."""
    server.responder = rule_responder
    server.push(text("## This week\n\nOn Day 3 you began RAG with chunking. Day 9 covered cats. "
                     "Days 4 and 5 moved on to embeddings and RRF.\n\n"
                     "See `notes/invented.md` for more. Your open question about k=60 (Day 5) remains."))
    result = _digest(week_journal)
    assert result.summary_by == "model"
    assert result.summary == ("**This week**\n\nOn Day 3 you began RAG with chunking. Days 4 and 5 moved on to "
                              "embeddings and RRF.\n\nYour open question about k=60 (Day 5) remains.")
    assert len(result.flagged) == 2
    assert "Day 9" in result.flagged[0] and "notes/invented.md" in result.flagged[1]
    assert "cats" not in result.path.read_text() and result.note.metadata["summary_by"] == "model"
    assert result.note.title == "Weekly digest 2025-W38" and result.note.day is None

    event = server.requests[0]["messages"][-1]["content"]
    assert event.startswith("[system event] Weekly digest of 2025-W38")
    assert '"Momentum Learning Day 3" | 2025-09-15 | notes/2025-09-15-day-3.md\n<note>' in event
    assert "Cite each note you mention by its learning day" in event  # prompts/digest.md
    assert "Day 1" not in event.split("<notes>")[1], "only the week's notes are sent"


def test_model_error_falls_back_to_the_offline_summary(week_journal, server):
    server.push(error(400, "Invalid model"))
    result = _digest(week_journal)
    assert result.summary_by == "offline" and "the model could not write the summary" in result.model_note
    assert "Missed: Wednesday." in result.note.body and len(server.requests) == 1


def test_model_summary_citing_only_other_days_falls_back(week_journal, server):
    server.push(text("Day 12 was great. Day 13 too."))
    result = _digest(week_journal)
    assert result.summary_by == "offline" and len(result.flagged) == 2
    assert "cited a day or note outside the week" in result.model_note


def test_private_notes_are_not_sent_to_the_model(week_journal, server):
    write(week_journal.notes_dir / "diary.md",
          "---\ntitle: Diary\ndate: 2025-09-17\nprivate: true\n---\nZebracorn.\n")
    result = _digest(week_journal, include_private=True)
    assert server.requests == [] and result.summary_by == "offline" and "share_private" in result.model_note


# ------------------------------------------------------------------ pieces
def test_validate_summary_reads_day_references():
    from journal_agent.digest import DayEntry, Week, WeeklyDigest, validate_summary
    from journal_agent.notes.stats import Streak

    digest = WeeklyDigest(Week(2025, 38), D(2025, 9, 21),
                          [DayEntry(D(2025, 9, 15), 3, "T", "notes/a.md")], [], Streak(), Streak(), [])
    kept, flagged = validate_summary("On Day 3, 2025 was fine. Days 3-9 were not. See a.md.\n# Title\n===", digest)
    assert kept == "On Day 3, 2025 was fine. See a.md.\n**Title**" and len(flagged) == 1


def test_outline_escapes_note_text():
    from journal_agent.notes.outline import outline

    brief = outline("# Title\n\nHi <script>alert(1)</script> *a* [b](http://x) `c|d` 1. x\n\n## # odd\n")
    assert brief.first_lines == "Hi alert(1) a b `c|d` 1. x"
    assert brief.headings == ["\\# odd"]
    brief = outline("Is a < b & *c* > \\*d\\* <tag>?")  # raw HTML (<tag>) is dropped, the rest is text
    assert brief.questions == ["Is a &lt; b &amp; c &gt; \\*d\\* ?"]


def test_parse_week():
    from journal_agent.digest import Week, parse_week

    assert parse_week("2025-W38") == parse_week("2025w38") == parse_week("2025-09-21") == Week(2025, 38)
    assert parse_week("2025-09-22") == Week(2025, 39)
    assert parse_week("2024-12-30").id == "2025-W01"  # ISO: the week with the year's first Thursday
    with pytest.raises(ValueError, match="W01 to W52 or W53"):
        parse_week("2025-W54")


def test_cli_with_a_model_reports_what_it_dropped(week_dir, run_cli, server):
    server.push(text("Day 3 opened the RAG course. Day 8 was about cats."))
    result = run_cli("digest", "--week", "2025-W38")
    assert result.exit_code == 0, result.output
    assert "summary model)" in result.stdout
    assert "flagged: dropped “Day 8 was about cats.”: Day 8 not in 2025-W38's notes" in result.stderr
    text_written = (week_dir / "notes" / "digests" / "weekly-digest-2025-W38.md").read_text()
    assert "Day 3 opened the RAG course." in text_written and "cats" not in text_written


def test_note_text_in_the_digest_stays_text(week_journal):
    write(week_journal.notes_dir / "x.md", "---\ntitle: <img src=x onerror=alert(1)>\ndate: 2025-09-17\n---\n"
                                           "# T\n\n## [a](javascript:alert(2)) *b*\n\n# Day 99 heading\n\n"
                                           "- first <script>alert(3)</script> line\n")
    result = _digest(week_journal)
    body = result.note.body
    assert "### Wednesday 17 September · &lt;img src=x onerror=alert(1)&gt;" in body
    assert "<img" not in body and "<script>" not in body
    # markdown-it refuses javascript: links (validateLink), so the brackets are text, escaped to stay text
    assert "- Sections: \\[a\\](javascript:alert(2)) b; Day 99 heading" in body
    assert result.note.day is None and result.note.title == "Weekly digest 2025-W38", "note text sets nothing"


def test_a_single_file_log_gives_each_week_its_own_entries(journal_dir):
    """Issue 18: a #100DaysOfCode log is one note of many days; its week's digest lists that week's entries (by
    their own dates and days), not the whole log under the note's first date."""
    from journal_agent.digest import collect_digest, parse_week
    from journal_agent.workspace import open_journal

    write(journal_dir / "notes" / "log.md", "# 100 Days Of Code - Log\n\n"
          "### Day 0: September 12, 2025\n\nSetup.\n\n### Day 1: September 13, 2025\n\nLoops.\n\n"
          "### Day 2: September 15, 2025\n\nLists and dicts. Why are dicts ordered?\n\n"
          "### Day 3: September 16, 2025\n\nClosures.\n\n### Day 4: September 18, 2025\n\nDecorators.\n")
    digest = collect_digest(open_journal(root=journal_dir), parse_week("2025-W38"), today=AFTER)
    assert [(e.date, e.day) for e in digest.entries] == [(D(2025, 9, 15), 2), (D(2025, 9, 16), 3),
                                                          (D(2025, 9, 18), 4)]
    assert digest.entries[0].title == "100 Days Of Code - Log › Day 2: September 15, 2025"
    assert "Closures" not in digest.entries[0].body and digest.gaps == [D(2025, 9, 17)]
    assert [q.day for q in digest.questions] == [2]
