"""Review state (issue 14): FSRS due dates at pinned times, sync after edits, sessions.

Due dates follow py-fsrs 6.3's defaults (``fsrs/scheduler.py`` of
https://github.com/open-spaced-repetition/py-fsrs: ``Scheduler.__init__`` learning steps
1 min and 10 min; a Hard on the first step waits their mean; a Good on the last step
moves the card to Review with an interval of its stability, ``DEFAULT_PARAMETERS[2]`` =
2.3065 days for a card first rated Good, rounded to whole days; fuzz only from 2.5 days).
"""

from __future__ import annotations

import datetime as dt
import shutil
import sqlite3

import pytest
from fsrs import Scheduler

from journal_agent.errors import ReviewError
from journal_agent.review.queue import run_session
from journal_agent.review.store import ReviewStore
from tests.support.journals import SEED, SEED_NAME, write

T0 = dt.datetime(2025, 9, 18, 20, 0, tzinfo=dt.UTC)
MIN = dt.timedelta(minutes=1)
DAY = dt.timedelta(days=1)

NOTE = """---
title: Momentum Learning Day 3
date: 2025-09-19
---
# Day 3 | Momentum Learning Series

- **Core memory**: the always-in-context blocks.
- **Archival memory**: long-term storage outside the context window.

What is RRF?::Reciprocal rank fusion of ranked lists
"""


def _store(journal, **kwargs) -> ReviewStore:
    return ReviewStore.open(journal, **kwargs)


def _by_question(store) -> dict:
    return {card.question: card for card in store.cards()}


def test_rating_at_pinned_times_gives_fsrs_due_dates(journal):
    write(journal.notes_dir / "day3.md", NOTE)
    with _store(journal) as store:
        report = store.sync(T0)
        assert (report.added, report.notes_read) == (3, 1)
        cards = _by_question(store)
        assert {c.due for c in cards.values()} == {T0}  # new cards are due when first seen
        core, archival, rrf = cards["Core memory"], cards["Archival memory"], cards["What is RRF?"]

        assert store.rate(core.id, "good", T0).due == T0 + 10 * MIN  # second learning step
        assert store.rate(archival.id, "again", T0).due == T0 + MIN  # back to the first step
        assert store.rate(rrf.id, "hard", T0).due == T0 + 5.5 * MIN  # mean of the two steps

        reviewed = store.rate(core.id, "good", T0 + 10 * MIN)  # last step done → Review state
        assert reviewed.state == "review"
        assert reviewed.due == T0 + 10 * MIN + 2 * DAY  # stability 2.3065 d rounds to 2 (no fuzz under 2.5 d)
        assert reviewed.reviews == 2
        assert [c.question for c in store.cards(due_by=T0 + MIN)] == ["Archival memory"]
        log = sqlite3.connect(journal.state_dir / "review.sqlite").execute(
            "SELECT rating, reviewed_at FROM reviews WHERE card_id = ? ORDER BY seq", (core.id,)).fetchall()
        assert log == [("good", "2025-09-18T20:00:00+00:00"), ("good", "2025-09-18T20:10:00+00:00")]


def test_easy_and_long_intervals_with_fuzz_off_are_exact(journal):
    write(journal.notes_dir / "day3.md", NOTE)
    with _store(journal, scheduler=Scheduler(enable_fuzzing=False)) as store:
        store.sync(T0)
        cards = _by_question(store)
        assert store.rate(cards["Core memory"].id, "easy", T0).due == T0 + 8 * DAY  # w[3] = 8.2956 d
        card = cards["What is RRF?"]
        store.rate(card.id, "good", T0)
        store.rate(card.id, "good", T0 + 10 * MIN)
        third = store.rate(card.id, "good", T0 + 10 * MIN + 2 * DAY)
        assert third.due == T0 + 10 * MIN + 13 * DAY
    with _store(journal) as store:  # default scheduler: fuzz spreads the 8-day interval over 6..11 days
        again = store.rate(cards["Archival memory"].id, "easy", T0)
        assert T0 + 6 * DAY <= again.due <= T0 + 11 * DAY


def test_resync_after_edit_updates_answer_keeps_id_and_schedule_and_retires_removed(journal):
    note = write(journal.notes_dir / "day3.md", NOTE)
    with _store(journal) as store:
        store.sync(T0)
        before = _by_question(store)
        store.rate(before["Core memory"].id, "good", T0)

        edited = NOTE.replace("the always-in-context blocks.", "blocks always in the context window.")
        edited = edited.replace("What is RRF?::Reciprocal rank fusion of ranked lists\n", "")
        note.write_text(edited, encoding="utf-8")
        report = store.sync(T0 + DAY)
        assert (report.added, report.updated, report.retired, report.notes_read) == (0, 1, 1, 1)

        after = _by_question(store)
        assert set(after) == {"Core memory", "Archival memory"}
        core = after["Core memory"]
        assert core.id == before["Core memory"].id
        assert core.answer == "blocks always in the context window."
        assert (core.due, core.reviews) == (T0 + 10 * MIN, 1)  # schedule kept
        retired = store.cards(status="retired")
        assert [(c.question, c.retired) for c in retired] == [("What is RRF?", T0 + DAY)]
        with pytest.raises(ReviewError, match="retired"):
            store.rate(retired[0].id, "good", T0 + DAY)

        note.write_text(NOTE, encoding="utf-8")  # the question comes back with its history
        report = store.sync(T0 + 2 * DAY)
        assert (report.revived, report.added) == (1, 0)
        assert _by_question(store)["What is RRF?"].id == retired[0].id


def test_sync_reparses_only_changed_notes_and_retires_deleted_ones(journal):
    shutil.copy(SEED, journal.notes_dir / SEED_NAME)
    note = write(journal.notes_dir / "day3.md", NOTE)
    with _store(journal) as store:
        first = store.sync(T0)
        assert (first.notes_read, first.notes_unchanged, first.added) == (2, 0, 3)
        second = store.sync(T0 + MIN)
        assert (second.notes_read, second.notes_unchanged, second.changed) == (0, 2, False)
        note.unlink()
        third = store.sync(T0 + 2 * MIN)
        assert (third.retired, third.notes_read) == (3, 0)
        assert store.cards() == []


def test_a_note_that_cannot_be_read_keeps_its_cards(journal):
    note = write(journal.notes_dir / "day3.md", NOTE)
    with _store(journal) as store:
        store.sync(T0)
        note.write_text("---\ntitle: [unclosed\n---\n**X**: y\n", encoding="utf-8")
        report = store.sync(T0 + MIN)
        assert [path for path, _ in report.failed] == ["notes/day3.md"]
        assert "YAML" in report.failed[0][1]
        assert len(store.cards()) == 3 and report.retired == 0


def test_card_ids_by_unique_prefix_and_errors(journal):
    write(journal.notes_dir / "day3.md", NOTE)
    with _store(journal) as store:
        store.sync(T0)
        card = store.cards()[0]
        assert store.get(card.id[:6]).id == card.id
        with pytest.raises(ReviewError, match="too short"):
            store.get("ab")
        with pytest.raises(ReviewError, match="no card"):
            store.get("ffffffff0000")
        with pytest.raises(ReviewError, match="unknown rating"):
            store.rate(card.id, "great", T0)  # type: ignore[arg-type]


def test_session_brings_learning_cards_back_and_stores_each_rating(journal):
    write(journal.notes_dir / "day3.md", NOTE)
    times = iter(T0 + n * 10 * MIN for n in range(100))  # ten minutes pass per call of the clock
    answers = iter(["good", "again", "good", "good", None])
    shown = []

    def ask(prompt):
        shown.append((prompt.card.question, prompt.position, prompt.remaining))
        assert set(prompt.previews) == {"again", "hard", "good", "easy"}
        return next(answers)

    report = run_session(journal, ask, lambda: next(times))
    assert shown == [
        ("Core memory", 1, 3), ("Archival memory", 2, 3), ("What is RRF?", 3, 3),
        ("Core memory", 4, 3),  # good on a new card: due in 10 min, inside the 20-min learn-ahead
        ("Archival memory", 5, 2),  # again: due in 1 min; Core memory's second good sent it 2 days off
    ]
    assert report.stopped and report.cards == 3 and report.rated == 4
    assert dict(report.ratings) == {"good": 3, "again": 1}
    with _store(journal) as store:
        cards = _by_question(store)
        assert cards["Core memory"].state == "review" and cards["Archival memory"].reviews == 1


def test_a_second_writer_waits_for_the_lock_then_gets_a_one_line_error(journal, monkeypatch):
    from filelock import FileLock

    import journal_agent.review.store as store_module
    from journal_agent.errors import LockBusy

    write(journal.notes_dir / "day3.md", NOTE)
    monkeypatch.setattr(store_module, "LOCK_TIMEOUT_SECONDS", 0.2)
    with _store(journal) as store, FileLock(str(journal.state_dir / "review.lock")):
        with pytest.raises(LockBusy, match="another journal review command has held"):
            store.sync(T0)


# The schema review/store.py created before its migrations (commit 5852589), kept as the old format's fixture.
REVIEW_SCHEMA_BEFORE_MIGRATIONS = """
CREATE TABLE IF NOT EXISTS meta (key TEXT PRIMARY KEY, value TEXT NOT NULL);
CREATE TABLE IF NOT EXISTS notes (path TEXT PRIMARY KEY, content_hash TEXT NOT NULL, private INTEGER NOT NULL);
CREATE TABLE IF NOT EXISTS cards (
    id TEXT PRIMARY KEY, path TEXT NOT NULL, kind TEXT NOT NULL, question TEXT NOT NULL,
    answer TEXT NOT NULL, line INTEGER NOT NULL, title TEXT NOT NULL, private INTEGER NOT NULL,
    created TEXT NOT NULL, updated TEXT NOT NULL, retired TEXT,
    fsrs TEXT NOT NULL, due REAL NOT NULL
);
CREATE INDEX IF NOT EXISTS cards_due ON cards (retired, due);
CREATE INDEX IF NOT EXISTS cards_path ON cards (path);
CREATE TABLE IF NOT EXISTS reviews (
    seq INTEGER PRIMARY KEY AUTOINCREMENT, card_id TEXT NOT NULL, rating TEXT NOT NULL,
    reviewed_at TEXT NOT NULL, duration_ms INTEGER, due_after TEXT NOT NULL
);
CREATE INDEX IF NOT EXISTS reviews_card ON reviews (card_id);
INSERT INTO meta VALUES ('schema', '1');
"""


def test_a_review_file_written_before_migrations_keeps_every_card_and_review(journal):
    from journal_agent.review import schedule

    write(journal.notes_dir / "day3.md", NOTE)
    path = journal.state_dir / "review.sqlite"
    db = sqlite3.connect(path)
    db.executescript(REVIEW_SCHEMA_BEFORE_MIGRATIONS)
    state, due = schedule.review(schedule.new_state("ab12cd34", T0), "good", T0)
    db.execute("INSERT INTO notes VALUES ('notes/day3.md', 'stale-hash', 0)")
    db.execute("INSERT INTO cards VALUES ('ab12cd34', 'notes/day3.md', 'qa', 'Old question', 'Old answer', 9, "
               "'Day 3', 0, ?, ?, NULL, ?, ?)", (T0.isoformat(), T0.isoformat(), state, due.timestamp()))
    db.execute("INSERT INTO reviews (card_id, rating, reviewed_at, duration_ms, due_after) VALUES "
               "('ab12cd34', 'good', ?, 1500, ?)", (T0.isoformat(), due.isoformat()))
    db.commit()
    db.close()
    with _store(journal) as store:
        card = store.get("ab12")
        assert (card.question, card.answer, card.due, card.reviews, card.state) == (
            "Old question", "Old answer", due, 1, "learning")
        report = store.sync(T0 + DAY)  # the note's bytes differ from the stored hash: re-read
        assert (report.added, report.retired) == (3, 1)
    with _store(journal) as store:
        assert [c.id for c in store.cards(status="retired")] == ["ab12cd34"]
    tables = {name for (name,) in sqlite3.connect(path).execute("SELECT name FROM sqlite_master WHERE type='table'")}
    assert {"notes", "cards", "reviews", "generated", "_migrations"} <= tables and "meta" not in tables


def test_a_damaged_or_newer_review_file_is_refused_with_a_named_error(journal):
    path = journal.state_dir / "review.sqlite"
    _store(journal).close()
    with sqlite3.connect(path) as db:
        db.execute("INSERT INTO _migrations VALUES ('m999_future', '2030-01-01T00:00:00+00:00')")
    with pytest.raises(ReviewError, match="newer journal-agent .*m999_future"):
        _store(journal)
    path.write_bytes(b"not a database" * 100)
    with pytest.raises(ReviewError, match="is damaged"):
        _store(journal)
