"""The review queue's state: ``.journal/review.sqlite``, kept in step with the notes.

Tables (built by the append-only :data:`migrations`): ``notes`` (journal-relative path →
SHA-256 of the file's bytes when its cards were last read), ``cards`` (one row per card
ever read: question, answer, source, FSRS state JSON, due time, ``retired`` time or NULL),
``reviews`` (every rating, kept for good, also of retired cards: the review log an FSRS
optimiser trains on) and ``generated`` (cards a model proposed and the learner kept, with
the quote each rests on and the model's name).

:meth:`ReviewStore.sync` re-reads only notes whose bytes changed since the last sync:

* a new question → a new card, due now;
* the same question (same id, :func:`~journal_agent.review.cards.card_id`) with another
  answer → the card's answer and line are updated, its schedule kept;
* a question gone from its note, or the note deleted → the card is retired (its
  schedule and reviews stay; it comes back with them if the question returns);
* a card a model proposed and the learner kept (``generated``, :meth:`ReviewStore.keep_generated`)
  is kept while the sentence it quotes is still in its note, else retired like the others.

Renaming a note changes its cards' ids (the path is part of the id): the old cards are
retired and new ones made. Every write happens in one SQLite transaction under
``.journal/review.lock`` (a :class:`~journal_agent.locks.JournalLock`), so two ``journal review``
commands never interleave and a killed command leaves the last committed state.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import sqlite3
import time
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any, Literal

from pydantic import BaseModel, PlainSerializer
from sqlite_utils import Database

from journal_agent.errors import NoteError, ReviewError
from journal_agent.locks import JournalLock
from journal_agent.migrations import Migrations
from journal_agent.review import schedule
from journal_agent.review.cards import CardDraft, CardKind, Extractor, QuotedDraft, extract_cards, find_quote

if TYPE_CHECKING:
    from fsrs import Scheduler

    from journal_agent.workspace import Journal

DB_NAME = "review.sqlite"
LOCK_NAME = "review.lock"
LOCK_TIMEOUT_SECONDS = 30
MIN_ID_PREFIX = 4
migrations = Migrations()


@migrations
def m001_initial(db: Database) -> None:
    """Notes, cards and reviews, as first released (files of that release already hold them)."""
    db.executescript("""
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
    """)


@migrations
def m002_drop_meta(db: Database) -> None:
    """The ``meta`` table held the schema version (always 1); ``_migrations`` records it now."""
    db.execute("DROP TABLE IF EXISTS meta")


@migrations
def m003_generated(db: Database) -> None:
    """Cards a model proposed and the learner kept (``journal review --generate``), with the quote that grounds
    each in its note: a sync keeps such a card while its quote is still in the note."""
    db.executescript("""
    CREATE TABLE IF NOT EXISTS generated (
        id TEXT PRIMARY KEY, path TEXT NOT NULL, question TEXT NOT NULL, answer TEXT NOT NULL,
        quote TEXT NOT NULL, model TEXT NOT NULL, created TEXT NOT NULL
    );
    CREATE INDEX IF NOT EXISTS generated_path ON generated (path);
    """)


class ReviewCard(BaseModel, frozen=True):
    """A card with its schedule; ``journal review --json`` shows it as :meth:`to_json`.

    Attributes:
        id, question, answer, path, kind, line: as in :class:`~journal_agent.review.cards.CardDraft`.
        due: when the card is next due (UTC; ISO 8601 with ``+00:00`` in JSON).
        title: the note's title.
        state: ``new``, ``learning``, ``review`` or ``relearning``.
        reviews: how many times it was rated.
        private: the note is private or a draft (left out of the Anki export unless asked).
        retired: when its question left its note (UTC), else ``None``.
    """

    id: str
    question: str
    answer: str
    path: str
    due: Annotated[dt.datetime, PlainSerializer(dt.datetime.isoformat, when_used="json")]
    kind: CardKind
    line: int
    title: str
    state: schedule.CardState
    reviews: int
    private: bool
    retired: dt.datetime | None = None

    def to_json(self) -> dict[str, Any]:
        """Every field in the order above but ``private`` and ``retired``."""
        return self.model_dump(mode="json", exclude={"private", "retired"})


@dataclass
class SyncReport:
    """What one :meth:`ReviewStore.sync` did.

    Attributes:
        added, updated, retired, revived: cards made, re-answered, retired, brought back.
        notes_read: notes whose bytes changed and were parsed; notes_unchanged: skipped by hash.
        failed: ``(path, reason)`` of notes that could not be read (their cards are left as they were).
        seconds: wall time.
    """

    added: int = 0
    updated: int = 0
    retired: int = 0
    revived: int = 0
    notes_read: int = 0
    notes_unchanged: int = 0
    failed: list[tuple[str, str]] = field(default_factory=list)
    seconds: float = 0.0

    @property
    def changed(self) -> bool:
        return bool(self.added or self.updated or self.retired or self.revived)


class ReviewStore:
    """The review state of one journal. Use as a context manager: ``with ReviewStore.open(journal) as store``."""

    def __init__(self, journal: Journal, db: Database, scheduler: Scheduler | None = None):
        self.journal = journal
        self.db = db
        self.scheduler = scheduler
        self._lock = JournalLock(journal.state_dir / LOCK_NAME, holder="journal review command",
                                 timeout=LOCK_TIMEOUT_SECONDS)

    @classmethod
    def open(cls, journal: Journal, scheduler: Scheduler | None = None) -> ReviewStore:
        """Open (creating if needed) ``.journal/review.sqlite``.

        Args:
            scheduler: the FSRS scheduler (default: py-fsrs defaults, see :mod:`~journal_agent.review.schedule`).

        Raises:
            ReviewError: the file is not a review database this version can read.
        """
        path = review_db_path(journal)
        try:
            db = migrations.open(path, error=ReviewError, timeout=LOCK_TIMEOUT_SECONDS, isolation_level=None)
        except sqlite3.DatabaseError as exc:
            raise ReviewError(f"{path} is damaged ({exc}); move it away to start the review queue anew "
                              "(the schedule of every card is lost)") from exc
        return cls(journal, db, scheduler)

    def __enter__(self) -> ReviewStore:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def close(self) -> None:
        self.db.close()

    # -- writing -------------------------------------------------------------------------------------

    @contextmanager
    def _write(self) -> Iterator[Database]:
        """The file lock, then one SQLite transaction: committed when the block ends, rolled back on error.

        Raises:
            LockBusy: another command held the lock for :data:`LOCK_TIMEOUT_SECONDS`.
        """
        self._lock.acquire()
        try:
            self.db.execute("BEGIN IMMEDIATE")
            try:
                yield self.db
                self.db.execute("COMMIT")
            except BaseException as exc:
                if self.db.conn.in_transaction:
                    self.db.execute("ROLLBACK")
                if isinstance(exc, sqlite3.OperationalError) and _disk_full(exc):
                    raise ReviewError(f"no space left while writing {self.path} ({exc}); free some disk space "
                                      "and run the command again (nothing was recorded)") from exc
                raise
        finally:
            self._lock.release()

    @property
    def path(self) -> str:
        """The review database, journal-relative."""
        return self.journal.relative(review_db_path(self.journal))

    def _damaged(self, row: sqlite3.Row, exc: BaseException) -> ReviewError:
        """A card row this version cannot read (``fsrs`` not JSON, ``due`` out of range, wrong types)."""
        detail = str(exc).splitlines()[0][:160] if str(exc) else type(exc).__name__
        return ReviewError(f"{self.path} is damaged (card {row['id']}: {detail}); move it away to start the review "
                           "queue anew (the schedule of every card is lost)")

    def sync(self, now: dt.datetime, extractors: Sequence[Extractor] = (extract_cards,)) -> SyncReport:
        """Bring the cards in step with the notes (``notes/`` and every ingested folder; module doc); only notes
        whose bytes changed are parsed.

        Args:
            now: the sync time: new cards are due then, retirements are stamped with it.
            extractors: functions that find cards in a note (:data:`~journal_agent.review.cards.Extractor`).

        Returns:
            The counts. A note that cannot be read is listed in ``failed``; its cards stay as they were.
        """
        from journal_agent.notes.journal import journal_sources, note_base, note_files, read_one

        started = time.perf_counter()
        stamp = schedule.utc(now).isoformat()
        report = SyncReport()
        journal = self.journal
        sources = journal_sources(journal)  # notes/ and every ingested folder, each its own base
        files = note_files(journal, sources)
        with self._write() as db:
            known = {row["path"]: row["content_hash"] for row in db.execute("SELECT path, content_hash FROM notes")}
            seen: set[str] = set()
            for path in files:
                rel = journal.relative(path)
                seen.add(rel)
                try:
                    raw = path.read_bytes()
                except OSError as exc:
                    report.failed.append((rel, exc.strerror or str(exc)))
                    continue
                digest = hashlib.sha256(raw).hexdigest()
                if known.get(rel) == digest:
                    report.notes_unchanged += 1
                    continue
                try:
                    note = read_one(journal, path, note_base(journal, path, sources.recorded))
                except NoteError as exc:
                    report.failed.append((rel, exc.reason))
                    continue
                text = raw.decode("utf-8-sig")
                drafts: list[CardDraft] = []
                for extractor in () if note.is_digest else extractors:  # a digest repeats other notes
                    drafts += extractor(note, rel, text)
                drafts += _generated_drafts(db, rel, text)
                self._apply(db, rel, note.title, not note.publishable, drafts, stamp, report)
                db.execute("INSERT OR REPLACE INTO notes VALUES (?, ?, ?)", (rel, digest, int(not note.publishable)))
                report.notes_read += 1
            for rel in sorted(set(known) - seen):
                self._apply(db, rel, "", False, [], stamp, report)
                db.execute("DELETE FROM notes WHERE path = ?", (rel,))
        report.seconds = time.perf_counter() - started
        return report

    def _apply(self, db: Database, path: str, title: str, private: bool, drafts: list[CardDraft],
               stamp: str, report: SyncReport) -> None:
        rows = {row["id"]: row for row in db.execute("SELECT * FROM cards WHERE path = ?", (path,))}
        wanted = {draft.id: draft for draft in drafts}
        for card_id, row in rows.items():
            if card_id not in wanted and row["retired"] is None:
                db.execute("UPDATE cards SET retired = ?, updated = ? WHERE id = ?", (stamp, stamp, card_id))
                report.retired += 1
        for card_id, draft in wanted.items():
            row = rows.get(card_id)
            if row is None:
                _insert_card(db, draft, title, private, stamp)
                report.added += 1
                continue
            same = (row["question"], row["answer"], row["line"], row["title"], row["private"]) == \
                (draft.question, draft.answer, draft.line, title, int(private))
            if row["retired"] is not None:
                report.revived += 1
            elif not same and (row["question"], row["answer"]) != (draft.question, draft.answer):
                report.updated += 1
            if row["retired"] is not None or not same:
                db.execute("UPDATE cards SET question = ?, answer = ?, line = ?, title = ?, private = ?, "
                           "retired = NULL, updated = ? WHERE id = ?",
                           (draft.question, draft.answer, draft.line, title, int(private), stamp, card_id))

    def keep_generated(self, path: str, title: str, private: bool, kept: Sequence[QuotedDraft], model: str,
                       now: dt.datetime) -> int:
        """Store cards a model proposed for the note at ``path`` and the learner kept: due at ``now``, scheduled
        by FSRS like every card, and kept by later syncs while their quotes stay in the note.

        A card whose id is already active is left as it is; a retired one with that id comes back with the
        new answer and its old schedule.

        Args:
            path, title, private: the note (journal-relative path; private or draft).
            kept: the cards with their quotes (kind ``generated``).
            model: the model that proposed them (recorded with each).

        Returns:
            How many cards were added or brought back.

        Raises:
            LockBusy: another review command is writing. ReviewError: the disk is full.
        """
        stamp = schedule.utc(now).isoformat()
        count = 0
        with self._write() as db:
            for quoted in kept:
                draft = quoted.draft
                db.execute("INSERT OR REPLACE INTO generated VALUES (?, ?, ?, ?, ?, ?, ?)",
                           (draft.id, path, draft.question, draft.answer, quoted.quote, model, stamp))
                row = db.execute("SELECT retired FROM cards WHERE id = ?", (draft.id,)).fetchone()
                if row is None:
                    _insert_card(db, draft, title, private, stamp)
                elif row["retired"] is not None:
                    db.execute("UPDATE cards SET question = ?, answer = ?, line = ?, title = ?, private = ?, "
                               "retired = NULL, updated = ? WHERE id = ?",
                               (draft.question, draft.answer, draft.line, title, int(private), stamp, draft.id))
                else:
                    continue
                count += 1
        return count

    def active_paths(self) -> set[str]:
        """Journal-relative paths of the notes that have at least one active card."""
        return {row["path"] for row in self.db.execute("SELECT DISTINCT path FROM cards WHERE retired IS NULL")}

    def rate(self, card_id: str, rating: schedule.RatingName, now: dt.datetime,
             duration_ms: int | None = None) -> ReviewCard:
        """Record a rating of the card (``card_id`` or a unique prefix of at least 4 characters) at ``now``.

        Returns:
            The card with its new schedule.

        Raises:
            ReviewError: no such card, an ambiguous prefix, a retired card, or an unknown rating.
        """
        if rating not in schedule.RATINGS:
            raise ReviewError(f"unknown rating {rating!r}; rate with one of {', '.join(schedule.RATINGS)}")
        with self._write() as db:
            row = self._row(db, card_id)
            try:
                state, due = schedule.review(row["fsrs"], rating, now, self.scheduler, duration_ms)
            except _DAMAGE as exc:
                raise self._damaged(row, exc) from exc
            stamp = schedule.utc(now).isoformat()
            db.execute("UPDATE cards SET fsrs = ?, due = ? WHERE id = ?", (state, due.timestamp(), row["id"]))
            db.execute("INSERT INTO reviews (card_id, rating, reviewed_at, duration_ms, due_after) "
                       "VALUES (?, ?, ?, ?, ?)", (row["id"], rating, stamp, duration_ms, due.isoformat()))
        return self.get(row["id"])

    # -- reading -------------------------------------------------------------------------------------

    def get(self, card_id: str) -> ReviewCard:
        """The active card with this id or unique id prefix.

        Raises:
            ReviewError: none, several, or a retired card.
        """
        return self._card(self._row(self.db, card_id))

    def cards(self, due_by: dt.datetime | None = None, status: Literal["active", "retired"] = "active"
              ) -> list[ReviewCard]:
        """Cards ordered by due time, then note and line.

        Args:
            due_by: only cards due at or before this time (``None``: all).
            status: ``active`` cards (default) or ``retired`` ones.
        """
        query = "SELECT * FROM cards WHERE retired IS " + ("NULL" if status == "active" else "NOT NULL")
        args: tuple = ()
        if due_by is not None:
            query += " AND due <= ?"
            args = (schedule.utc(due_by).timestamp(),)
        rows = self.db.execute(query + " ORDER BY due, path, line", args).fetchall()
        return [self._card(row) for row in rows]

    def preview(self, card_id: str, now: dt.datetime) -> dict[schedule.RatingName, dt.datetime]:
        """When the card would be due after each rating at ``now`` (nothing is stored).

        Raises:
            ReviewError: as :meth:`get`; the card's row is damaged.
        """
        row = self._row(self.db, card_id)
        try:
            return schedule.preview(row["fsrs"], now, self.scheduler)
        except _DAMAGE as exc:
            raise self._damaged(row, exc) from exc

    def next_due(self) -> dt.datetime | None:
        """The earliest due time of any active card (UTC), ``None`` without cards."""
        row = self.db.execute("SELECT MIN(due) AS due FROM cards WHERE retired IS NULL").fetchone()
        try:
            return None if row["due"] is None else dt.datetime.fromtimestamp(row["due"], dt.UTC)
        except _DAMAGE as exc:
            raise ReviewError(f"{self.path} is damaged (a due time of {row['due']!r}); move it away to start "
                              "the review queue anew (the schedule of every card is lost)") from exc

    def _row(self, db: Database, card_id: str) -> sqlite3.Row:
        key = card_id.strip().lower()
        if len(key) < MIN_ID_PREFIX:
            raise ReviewError(f"card id {card_id!r} is too short; give at least {MIN_ID_PREFIX} characters "
                              "(ids are listed by `journal review --json --all`)")
        if any(c not in "0123456789abcdef" for c in key):
            raise ReviewError(f"no card {card_id!r}: ids are hexadecimal; `journal review --json --all` lists them")
        rows = db.execute("SELECT * FROM cards WHERE substr(id, 1, ?) = ?", (len(key), key)).fetchall()
        active = [row for row in rows if row["retired"] is None]
        if len(active) > 1:
            raise ReviewError(f"card id {card_id!r} matches {len(active)} cards; give more characters")
        if not active and rows:
            raise ReviewError(f"card {rows[0]['id']} was retired on {rows[0]['retired'][:10]}: its question "
                              f"is no longer in {rows[0]['path']}")
        if not active:
            raise ReviewError(f"no card {card_id!r}; `journal review --json --all` lists the ids")
        return active[0]

    def _card(self, row: sqlite3.Row) -> ReviewCard:
        """The card of a row; ``ReviewError`` ("is damaged, move it away") when the row cannot be read."""
        reviews = self.db.execute("SELECT COUNT(*) FROM reviews WHERE card_id = ?", (row["id"],)).fetchone()[0]
        try:
            return ReviewCard.model_validate(dict(row) | {
                "due": dt.datetime.fromtimestamp(row["due"], dt.UTC), "state": schedule.state_name(row["fsrs"]),
                "reviews": reviews})
        except _DAMAGE as exc:  # pydantic's ValidationError is a ValueError
            raise self._damaged(row, exc) from exc


# What reading a damaged row raises: json (ValueError), fromtimestamp (OverflowError, OSError, ValueError,
# TypeError), py-fsrs' Card.from_dict (KeyError, TypeError, AttributeError), pydantic (ValidationError).
_DAMAGE = (ValueError, OverflowError, OSError, TypeError, KeyError, AttributeError)


def _insert_card(db: Database, draft: CardDraft, title: str, private: bool, stamp: str) -> None:
    """A new card row, never reviewed, due at ``stamp`` (UTC ISO 8601)."""
    when = dt.datetime.fromisoformat(stamp)
    db.execute("INSERT INTO cards VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, NULL, ?, ?)",
               (draft.id, draft.path, draft.kind, draft.question, draft.answer, draft.line, title, int(private),
                stamp, stamp, schedule.new_state(draft.id, when), when.timestamp()))


def _generated_drafts(db: Database, path: str, text: str) -> list[CardDraft]:
    """The kept generated cards of the note at ``path`` whose quotes ``text`` (the note's file) still holds."""
    drafts = []
    for row in db.execute("SELECT * FROM generated WHERE path = ? ORDER BY created, id", (path,)):
        line = find_quote(text, row["quote"])
        if line is not None:
            drafts.append(CardDraft(row["id"], path, "generated", row["question"], row["answer"], line))
    return drafts


def _disk_full(exc: sqlite3.OperationalError) -> bool:
    """SQLITE_FULL ("database or disk is full"), or an I/O error the OS reported as no space."""
    return getattr(exc, "sqlite_errorcode", None) == sqlite3.SQLITE_FULL or "disk is full" in str(exc)


def review_db_path(journal: Journal) -> Path:
    """``.journal/review.sqlite`` of ``journal``."""
    return journal.state_dir / DB_NAME
