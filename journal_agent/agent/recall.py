"""Recall memory: every message of the conversation, persisted and searchable.

MemGPT (Packer et al. 2023, arXiv:2310.08560, section 2.3) keeps the full
event history in *recall storage*: messages evicted from the context window
are not lost, and the agent pages them back in with ``conversation_search``.
Here recall memory is a SQLite database, ``.journal/recall.sqlite3`` (stdlib
``sqlite3``), with an FTS5 index (porter stemming) over each message's text.

Each row is one chat message exactly as sent to the model (``payload``, the
OpenAI message dict), its role and kind (``message``, ``tool_call``,
``tool_result``, ``system_event``, ``memory_pressure``, ``summary``), a local timestamp, and
``in_context``: 1 while the message is in the context window, 0 once evicted by
summarization. The running (recursive) summary and small flags live in a
``state`` key/value table.
"""

from __future__ import annotations

import datetime as dt
import json
import re
import sqlite3
from dataclasses import dataclass
from pathlib import Path
from typing import Any

RECALL_FILE = "recall.sqlite3"

_SCHEMA = """
CREATE TABLE IF NOT EXISTS messages (
    id INTEGER PRIMARY KEY,
    created TEXT NOT NULL,
    role TEXT NOT NULL,
    kind TEXT NOT NULL,
    tool_name TEXT,
    content TEXT NOT NULL,
    payload TEXT NOT NULL,
    in_context INTEGER NOT NULL DEFAULT 1
);
CREATE INDEX IF NOT EXISTS messages_created ON messages(created);
CREATE INDEX IF NOT EXISTS messages_in_context ON messages(in_context, id);
CREATE VIRTUAL TABLE IF NOT EXISTS messages_fts USING fts5(content, tokenize='porter unicode61');
CREATE TABLE IF NOT EXISTS state (key TEXT PRIMARY KEY, value TEXT NOT NULL);
"""
_WORD_RE = re.compile(r"\w+", re.UNICODE)


@dataclass
class RecallMessage:
    """One stored message.

    Attributes:
        id: row id; increases with time.
        created: local time the message was stored.
        role: ``system``, ``user``, ``assistant`` or ``tool``.
        kind: ``message``, ``tool_call``, ``tool_result``, ``system_event``,
            ``memory_pressure`` (alerts; not searchable) or ``summary`` (a new
            recursive summary, stored out of context for the record).
        tool_name: for a tool result, the tool's name; for an assistant
            message with tool calls, the called names joined with commas.
        content: the searchable text (tool calls rendered as ``name(arguments)``).
        payload: the OpenAI chat message dict, as sent to the model.
        in_context: still in the context window (not evicted).
    """

    id: int
    created: dt.datetime
    role: str
    kind: str
    tool_name: str | None
    content: str
    payload: dict[str, Any]
    in_context: bool


def message_text(payload: dict[str, Any]) -> str:
    """Searchable text of an OpenAI message dict: its content plus any tool calls."""
    parts = []
    content = payload.get("content")
    if isinstance(content, str) and content:
        parts.append(content)
    elif isinstance(content, list):  # content parts
        parts.extend(p.get("text", "") for p in content if isinstance(p, dict))
    for call in payload.get("tool_calls") or []:
        fn = call.get("function", {})
        parts.append(f"{fn.get('name')}({fn.get('arguments', '')})")
    return "\n".join(p for p in parts if p)


class RecallMemory:
    """The recall store of one journal. Use :meth:`open`; close with :meth:`close`."""

    def __init__(self, path: Path):
        self.path = Path(path)
        self._db = sqlite3.connect(self.path, timeout=30, check_same_thread=False)
        self._db.row_factory = sqlite3.Row
        self._db.execute("PRAGMA journal_mode=WAL")
        self._db.execute("PRAGMA synchronous=NORMAL")  # WAL + NORMAL: durable commits without an fsync each
        self._db.executescript(_SCHEMA)
        self._db.commit()

    @classmethod
    def open(cls, journal) -> "RecallMemory":
        """Open (creating) ``.journal/recall.sqlite3`` of ``journal``."""
        return cls(journal.state_dir / RECALL_FILE)

    def close(self) -> None:
        """Close the database connection."""
        self._db.close()

    # ---------------------------------------------------------------- writing
    def append(
        self,
        payload: dict[str, Any],
        *,
        kind: str = "message",
        tool_name: str | None = None,
        in_context: bool = True,
        created: dt.datetime | None = None,
    ) -> RecallMessage:
        """Store one message (``payload``: the OpenAI message dict) and index its text."""
        created = (created or dt.datetime.now()).replace(microsecond=0)
        text = message_text(payload)
        with self._db:
            cur = self._db.execute(
                "INSERT INTO messages (created, role, kind, tool_name, content, payload, in_context) "
                "VALUES (?, ?, ?, ?, ?, ?, ?)",
                (created.isoformat(), payload.get("role", "user"), kind, tool_name, text,
                 json.dumps(payload, ensure_ascii=False), int(in_context)),
            )
            self._db.execute("INSERT INTO messages_fts (rowid, content) VALUES (?, ?)", (cur.lastrowid, text))
        return RecallMessage(cur.lastrowid, created, payload.get("role", "user"), kind, tool_name,
                             text, payload, in_context)

    def evict(self, ids: list[int]) -> None:
        """Mark messages as out of the context window (they stay searchable)."""
        with self._db:
            self._db.executemany("UPDATE messages SET in_context = 0 WHERE id = ?", [(i,) for i in ids])

    # ---------------------------------------------------------------- reading
    def in_context(self) -> list[RecallMessage]:
        """Messages still in the context window, oldest first."""
        rows = self._db.execute("SELECT * FROM messages WHERE in_context = 1 ORDER BY id").fetchall()
        return [_row(r) for r in rows]

    def count(self, *, in_context_only: bool = False) -> int:
        """Number of stored messages (only those still in the context window with ``in_context_only``)."""
        sql = "SELECT COUNT(*) FROM messages" + (" WHERE in_context = 1" if in_context_only else "")
        return self._db.execute(sql).fetchone()[0]

    def recent(self, limit: int = 20) -> list[RecallMessage]:
        """The last ``limit`` messages, oldest first."""
        rows = self._db.execute("SELECT * FROM messages ORDER BY id DESC LIMIT ?", (limit,)).fetchall()
        return [_row(r) for r in reversed(rows)]

    def search(
        self,
        query: str,
        *,
        start: dt.date | None = None,
        end: dt.date | None = None,
        limit: int = 5,
        offset: int = 0,
        exclude_tools: tuple[str, ...] = ("conversation_search",),
    ) -> tuple[list[RecallMessage], int]:
        """Full-text search, best match first, within ``[start, end]`` (days, inclusive).

        All words must match; when nothing does, any word may. An empty query
        lists messages in the range, newest first. Results of the tools in
        ``exclude_tools`` are skipped, and so are assistant messages that only
        called them (searching past searches only echoes them).

        Returns:
            ``(messages, total)``: one page and the number of matches in all.
        """
        where, params = ["m.kind != 'memory_pressure'"], []
        if start:
            where.append("m.created >= ?")
            params.append(dt.datetime.combine(start, dt.time()).isoformat())
        if end:
            where.append("m.created < ?")
            params.append(dt.datetime.combine(end + dt.timedelta(days=1), dt.time()).isoformat())
        if exclude_tools:
            marks = ",".join("?" * len(exclude_tools))
            where.append(
                f"NOT (m.kind IN ('tool_result', 'tool_call') AND COALESCE(m.tool_name, '') IN ({marks}))"
            )
            params.extend(exclude_tools)
        words = _WORD_RE.findall(query or "")
        if not words:
            sql_where = " AND ".join(where)
            total = self._db.execute(f"SELECT COUNT(*) FROM messages m WHERE {sql_where}", params).fetchone()[0]
            rows = self._db.execute(
                f"SELECT m.* FROM messages m WHERE {sql_where} ORDER BY m.id DESC LIMIT ? OFFSET ?",
                (*params, limit, offset),
            ).fetchall()
            return [_row(r) for r in rows], total
        for joiner in (" AND ", " OR "):
            match = joiner.join('"' + w.replace('"', "") + '"' for w in words)
            sql_where = " AND ".join(where + ["messages_fts MATCH ?"])
            base = f"FROM messages_fts JOIN messages m ON m.id = messages_fts.rowid WHERE {sql_where}"
            total = self._db.execute(f"SELECT COUNT(*) {base}", (*params, match)).fetchone()[0]
            if total or joiner == " OR ":
                rows = self._db.execute(
                    f"SELECT m.* {base} ORDER BY bm25(messages_fts), m.id DESC LIMIT ? OFFSET ?",
                    (*params, match, limit, offset),
                ).fetchall()
                return [_row(r) for r in rows], total
        return [], 0  # pragma: no cover - loop always returns

    # ------------------------------------------------------------------ state
    def get_state(self, key: str, default: str = "") -> str:
        """A small persisted value (e.g. ``summary``, ``pressure_warned``), ``default`` when unset."""
        row = self._db.execute("SELECT value FROM state WHERE key = ?", (key,)).fetchone()
        return row[0] if row else default

    def set_state(self, key: str, value: str) -> None:
        """Persist a small value under ``key``."""
        with self._db:
            self._db.execute(
                "INSERT INTO state (key, value) VALUES (?, ?) "
                "ON CONFLICT(key) DO UPDATE SET value = excluded.value",
                (key, value),
            )

    @property
    def summary(self) -> str:
        """The running recursive summary of evicted messages ('' when none)."""
        return self.get_state("summary")

    def set_summary(self, text: str) -> None:
        """Replace the running summary."""
        self.set_state("summary", text)


def _row(row: sqlite3.Row) -> RecallMessage:
    return RecallMessage(
        id=row["id"],
        created=dt.datetime.fromisoformat(row["created"]),
        role=row["role"],
        kind=row["kind"],
        tool_name=row["tool_name"],
        content=row["content"],
        payload=json.loads(row["payload"]),
        in_context=bool(row["in_context"]),
    )
