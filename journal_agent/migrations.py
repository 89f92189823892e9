"""Append-only schema migrations for our SQLite files, as simonw/llm's ``llm/migrations.py`` keeps them.

Each database (recall memory, :mod:`journal_agent.agent.recall`; the review queue,
:mod:`journal_agent.review.store`) has its own :class:`Migrations`: a list of functions
``m001_name(db)``, applied in order, each once. A ``_migrations`` table records which
ran (``name``, ``applied_at`` UTC ISO 8601). A migration is never edited once released:
a change to a schema is a new function at the end of the list.

Files written before this table existed hold no record: their first migrations must
therefore find the tables as they may already be (``if_not_exists``, a column added
only when missing), so an old file and a new one end in the same schema.
"""

from __future__ import annotations

import datetime as dt
import sqlite3
from collections.abc import Callable
from pathlib import Path
from typing import Any

from sqlite_utils import Database

from journal_agent.errors import JournalError

MIGRATIONS_TABLE = "_migrations"
Migration = Callable[[Database], None]


class Migrations:
    """One database's ordered list of migrations; decorate each function with the instance to append it."""

    def __init__(self) -> None:
        self.steps: list[Migration] = []

    def __call__(self, step: Migration) -> Migration:
        self.steps.append(step)
        return step

    def open(self, path: Path, *, error: type[JournalError], timeout: float, pragmas: tuple[str, ...] = (),
             **connect: Any) -> Database:
        """Connect to ``path`` (creating it), run ``pragmas``, then :meth:`apply`; rows are :class:`sqlite3.Row`.

        Args:
            timeout: seconds to wait for another connection's write lock (SQLite's busy timeout).
            connect: more :func:`sqlite3.connect` arguments (``isolation_level``, ``check_same_thread``).

        Raises:
            error: as for :meth:`apply`.
            sqlite3.DatabaseError: the file is not a SQLite database (callers name it damaged).
        """
        connection = sqlite3.connect(path, timeout=timeout, **connect)
        connection.row_factory = sqlite3.Row
        db = Database(connection, execute_plugins=False)
        for pragma in pragmas:
            db.execute(f"PRAGMA {pragma}")
        self.apply(db, error=error, source=str(path))
        return db

    def apply(self, db: Database, *, error: type[JournalError], source: str) -> list[str]:
        """Run the migrations ``db`` has not run yet, all in one ``BEGIN IMMEDIATE`` transaction.

        Concurrent openers wait for one another (the connection's busy timeout) and the
        second finds nothing left to do. Returns the names applied (``[]`` when up to date).

        Raises:
            error: ``db`` records migrations this version does not know (a newer journal-agent wrote it).
        """
        names = [step.__name__ for step in self.steps]
        if db.table(MIGRATIONS_TABLE).exists() and self._done(db) >= set(names):
            self._refuse_newer(db, names, error, source)
            return []
        db.execute("BEGIN IMMEDIATE")
        try:
            if not db.table(MIGRATIONS_TABLE).exists():
                db.table(MIGRATIONS_TABLE).create({"name": str, "applied_at": str}, pk="name")
            self._refuse_newer(db, names, error, source)
            done, applied = self._done(db), []
            for step in self.steps:
                if step.__name__ not in done:
                    step(db)
                    db.execute(f"INSERT INTO {MIGRATIONS_TABLE} (name, applied_at) VALUES (?, ?)",
                               (step.__name__, dt.datetime.now(dt.UTC).isoformat(timespec="seconds")))
                    applied.append(step.__name__)
        except BaseException:
            db.rollback()
            raise
        db.commit()
        return applied

    @staticmethod
    def _done(db: Database) -> set[str]:
        return {row["name"] for row in db.query(f"SELECT name FROM {MIGRATIONS_TABLE}")}

    def _refuse_newer(self, db: Database, names: list[str], error: type[JournalError], source: str) -> None:
        unknown = sorted(self._done(db) - set(names))
        if unknown:
            raise error(f"{source} was written by a newer journal-agent (schema migration {unknown[-1]} is "
                        "unknown here); upgrade journal-agent")
