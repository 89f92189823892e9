"""Recall memory: every message of the conversation, persisted and searchable.

MemGPT (Packer et al. 2023, arXiv:2310.08560, section 2.3) keeps the full
event history in *recall storage*: messages evicted from the context window
are not lost, and the agent pages them back in with ``conversation_search``.
Here recall memory is a SQLite database, ``.journal/recall.sqlite3`` (sqlite-utils,
its schema built by the append-only :data:`migrations`), with an FTS5 index (porter
stemming) over each message's text.

Each row is one chat message exactly as sent to the model (``payload``, the
OpenAI message dict), its role and kind (see :data:`MessageKind`), a local
timestamp, its conversation, and ``in_context``: 1 while the message is in the
context window, 0 once evicted by summarization. The running (recursive)
summary and small flags live in a ``state`` key/value table, per conversation
(:meth:`RecallMemory.scoped`).

Conversations work the way users of simonw/llm expect: each ``journal ask``
starts one, ``-c/--continue`` continues the last, ``journal log`` lists them.
The context window holds the current conversation's messages; recall search
(``conversation_search``) covers all of them (each agent its own), ranked by BM25 over any of the
query's words (SQLite FTS5 ``bm25()``), so "cat name" finds "my cat is called
Zorblax" long after it left the context window.
"""

from __future__ import annotations

import datetime as dt
import json
import re
import sqlite3
from pathlib import Path
from typing import Any, Literal

from pydantic import BaseModel, field_validator
from sqlite_utils import Database

from journal_agent.errors import JournalError
from journal_agent.migrations import Migrations
from journal_agent.text import one_line

RECALL_FILE = "recall.sqlite3"
MessageKind = Literal["message", "tool_call", "tool_result", "system_event", "memory_pressure", "summary",
                      "incomplete", "cut_off"]
ConversationKind = Literal["chat", "reflection", "message"]

_WORD_RE = re.compile(r"\w+", re.UNICODE)
# Words too common to rank on; dropped from a recall query unless nothing else is left.
_STOP_WORDS = frozenset([
    "a", "about", "an", "and", "are", "as", "at", "be", "but", "by", "can", "did", "do", "does", "for", "from",
    "had", "has", "have", "how", "i", "in", "is", "it", "its", "me", "my", "of", "on", "or", "our", "s", "so",
    "that", "the", "their", "them", "there", "this", "to", "was", "we", "were", "what", "when", "where",
    "which", "who", "why", "will", "with", "you", "your"
])
migrations = Migrations()


@migrations
def m001_messages(db: Database) -> None:
    """The messages, their FTS5 index (porter stemming) and the key/value ``state`` table: the first store."""
    db.table("messages").create(
        {"id": int, "created": str, "role": str, "kind": str, "tool_name": str, "content": str, "payload": str,
         "in_context": int}, pk="id", not_null={"created", "role", "kind", "content", "payload", "in_context"},
        defaults={"in_context": 1}, if_not_exists=True)
    db.table("messages").create_index(["created"], index_name="messages_created", if_not_exists=True)
    db.table("messages").create_index(["in_context", "id"], index_name="messages_in_context", if_not_exists=True)
    db.execute("CREATE VIRTUAL TABLE IF NOT EXISTS messages_fts USING fts5(content, tokenize='porter unicode61')")
    db.table("state").create({"key": str, "value": str}, pk="key", not_null={"value"}, if_not_exists=True)


@migrations
def m002_conversations(db: Database) -> None:
    """Conversations; a store from before them gets one holding its messages, its summary and flags."""
    db.table("conversations").create({"id": int, "created": str, "kind": str, "model": str}, pk="id",
                                     not_null={"created", "kind"}, defaults={"kind": "chat"}, if_not_exists=True)
    if "conversation_id" not in db.table("messages").columns_dict:
        db.table("messages").add_column("conversation_id", int)
    db.table("messages").create_index(["conversation_id", "id"], index_name="messages_conversation", if_not_exists=True)
    first = db.execute("SELECT MIN(created) FROM messages WHERE conversation_id IS NULL").fetchone()[0]
    if first is None:
        return
    cid = db.execute("INSERT INTO conversations (created, kind) VALUES (?, 'chat')", (first,)).lastrowid
    db.execute("UPDATE messages SET conversation_id = ? WHERE conversation_id IS NULL", (cid,))
    for key in ("summary", "pressure_warned"):
        db.execute("UPDATE OR REPLACE state SET key = ? WHERE key = ?", (f"{key}:{cid}", key))


@migrations
def m003_agents(db: Database) -> None:
    """Each conversation an agent's: before agents the journal agent held them all, bar its reflections
    (the sleep-time agent's now)."""
    if "agent" not in db.table("conversations").columns_dict:
        db.execute("ALTER TABLE conversations ADD COLUMN agent TEXT NOT NULL DEFAULT 'journal'")
        db.execute("UPDATE conversations SET agent = 'sleeptime' WHERE kind = 'reflection'")


@migrations
def m004_alerts_out_of_view(db: Database) -> None:
    """Memory-pressure alerts were once stored as user messages in view; now they are system-prompt content."""
    db.execute("UPDATE messages SET in_context = 0 WHERE kind = 'memory_pressure' AND in_context = 1")


@migrations
def m005_conversation_command(db: Database) -> None:
    """Which command started a conversation (``ask`` or ``chat``; issue 20: `journal log` said `chat` for both).
    Conversations from before are unknown (``NULL``) and keep showing their kind."""
    if "command" not in db.table("conversations").columns_dict:
        db.table("conversations").add_column("command", str)


class RecallMessage(BaseModel):
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
    conversation_id: int | None = None

    @field_validator("payload", mode="before")
    @classmethod
    def _parsed(cls, value: Any) -> Any:
        return json.loads(value) if isinstance(value, str) else value  # a row holds the JSON text


class Conversation(BaseModel):
    """One conversation in recall memory.

    Attributes:
        id: its number (``journal log ID``, ``journal ask --cid ID``).
        created: when it started (local time).
        kind: ``chat`` (``ask``/``chat``), ``reflection`` (the sleep-time agent reflecting on new
            notes) or ``message`` (a turn run for another agent's ``send_message_to_agent``).
        model: the model that answered, when known.
        messages: how many messages it holds.
        title: its first learner message, shortened ('' when none).
        last: when its last message was stored.
        command: the command that started it (``ask``, ``chat``), when it was recorded.
    """

    id: int
    created: dt.datetime
    kind: str
    model: str | None
    messages: int
    title: str
    last: dt.datetime | None
    agent: str = "journal"
    command: str | None = None

    @property
    def label(self) -> str:
        """What ``journal log`` calls it: the command that started it (``ask``, ``chat``), else its kind."""
        return self.command or self.kind


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
    """The recall store of one journal. Use :meth:`open`; close with :meth:`close`.

    Writing and the context window work on the *current conversation*: a new
    one by default (created with its first message), or the one chosen with
    :meth:`continue_last` / :meth:`use_conversation`.

    Each agent has its own conversations (Letta: an agent's message history is
    its own): opened for ``agent``, new conversations belong to it and
    :meth:`search`, :meth:`count` and :meth:`continue_last` see its
    conversations only; ``agent=None`` sees every agent's (``journal log``).
    """

    def __init__(self, path: Path, agent: str | None = None):
        self.path = Path(path)
        self.agent = agent
        # WAL + synchronous=NORMAL: durable commits without an fsync each
        self.db = migrations.open(self.path, error=JournalError, timeout=30, check_same_thread=False,
                                  pragmas=("journal_mode=WAL", "synchronous=NORMAL"))
        self.conversation_id: int | None = None
        self._new_kind: str = "chat"
        self._new_model: str | None = None
        self._new_origin: str | None = None

    @classmethod
    def open(cls, journal, agent: str | None = None) -> RecallMemory:
        """Open (creating) ``.journal/recall.sqlite3`` of ``journal``, as ``agent``'s (``None``: every agent's)."""
        return cls(journal.state_dir / RECALL_FILE, agent)

    def close(self) -> None:
        """Close the database connection."""
        self.db.close()

    # ---------------------------------------------------------- conversations
    def new_conversation(self, kind: ConversationKind = "chat", model: str | None = None,
                         origin: str | None = None) -> None:
        """Start a new conversation; it is stored with its first message. ``origin``: the command that
        started it (``ask``, ``chat``), shown by ``journal log``."""
        self.conversation_id, self._new_kind, self._new_model, self._new_origin = None, kind, model, origin

    def continue_last(self, kind: ConversationKind = "chat", model: str | None = None,
                      origin: str | None = None) -> int | None:
        """Make the most recent conversation of ``kind`` current; its id, or ``None`` (a new one starts)."""
        mine, params = self._mine("c")
        row = self.db.execute(
            "SELECT c.id FROM conversations c JOIN messages m ON m.conversation_id = c.id "
            f"WHERE c.kind = ? {mine} GROUP BY c.id ORDER BY MAX(m.id) DESC LIMIT 1", (kind, *params)).fetchone()
        if row is None:
            self.new_conversation(kind, model, origin)
            return None
        self.conversation_id = row[0]
        return self.conversation_id

    def use_conversation(self, conversation_id: int) -> None:
        """Make conversation ``conversation_id`` current.

        Raises:
            JournalError: there is no such conversation, or it is another agent's.
        """
        row = self.db.execute("SELECT agent FROM conversations WHERE id = ?", (conversation_id,)).fetchone()
        if row is None:
            raise JournalError(f"there is no conversation #{conversation_id}; `journal log` lists them")
        if self.agent and row[0] != self.agent:
            raise JournalError(f"conversation #{conversation_id} is the {row[0]} agent's, not the {self.agent} "
                               f"agent's; continue it with --agent {row[0]}")
        self.conversation_id = conversation_id

    def _current(self, created: dt.datetime) -> int:
        if self.conversation_id is None:
            cur = self.db.execute(
                "INSERT INTO conversations (created, kind, model, agent, command) VALUES (?, ?, ?, ?, ?)",
                (created.isoformat(), self._new_kind, self._new_model, self.agent or "journal", self._new_origin))
            self.conversation_id = cur.lastrowid
        return self.conversation_id  # type: ignore[return-value]

    def conversations(self, limit: int = 20, *, kind: str | None = None) -> list[Conversation]:
        """The most recent conversations that hold messages, newest first."""
        where = "WHERE c.kind = ?" if kind else ""
        rows = self.db.execute(
            "SELECT c.id, c.created, c.kind, c.model, c.agent, c.command, COUNT(m.id) AS n, MAX(m.created) AS last, "
            "(SELECT content FROM messages u WHERE u.conversation_id = c.id AND u.role = 'user' "
            " ORDER BY u.id LIMIT 1) AS first "
            f"FROM conversations c JOIN messages m ON m.conversation_id = c.id {where} "
            "GROUP BY c.id ORDER BY MAX(m.id) DESC LIMIT ?", ((kind, limit) if kind else (limit,))).fetchall()
        return [Conversation(**dict(r), messages=r["n"], title=one_line(r["first"], 80)) for r in rows]

    def conversation(self, conversation_id: int) -> Conversation:
        """One conversation's summary row.

        Raises:
            JournalError: there is no such conversation (or it holds no message).
        """
        for found in self.conversations(limit=1_000_000):
            if found.id == conversation_id:
                return found
        raise JournalError(f"there is no conversation #{conversation_id}; `journal log` lists them")

    def messages(self, conversation_id: int | None = None, *, after: int = 0) -> list[RecallMessage]:
        """Every message of a conversation (default: the current one), oldest first; with ``after``, only
        those stored after message id ``after`` (``journal serve`` sends a running turn's new messages)."""
        cid = self.conversation_id if conversation_id is None else conversation_id
        rows = self.db.execute("SELECT * FROM messages WHERE conversation_id = ? AND id > ? ORDER BY id",
                               (cid, after)).fetchall()
        return [_row(r) for r in rows]

    # ---------------------------------------------------------------- writing
    def append(
        self,
        payload: dict[str, Any],
        *,
        kind: MessageKind = "message",
        tool_name: str | None = None,
        in_context: bool = True,
        created: dt.datetime | None = None,
    ) -> RecallMessage:
        """Store one message (``payload``: the OpenAI message dict) in the current conversation and index its text."""
        created = (created or dt.datetime.now()).replace(microsecond=0)
        text = message_text(payload)
        with self.db.atomic():
            conversation = self._current(created)
            cur = self.db.execute(
                "INSERT INTO messages (created, role, kind, tool_name, content, payload, in_context, conversation_id) "
                "VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
                (created.isoformat(), payload.get("role", "user"), kind, tool_name, text,
                 json.dumps(payload, ensure_ascii=False), int(in_context), conversation),
            )
            self.db.execute("INSERT INTO messages_fts (rowid, content) VALUES (?, ?)", (cur.lastrowid, text))
        return RecallMessage(id=cur.lastrowid, created=created, role=payload.get("role", "user"), kind=kind,
                             tool_name=tool_name, content=text, payload=payload, in_context=in_context,
                             conversation_id=conversation)

    def evict(self, ids: list[int]) -> None:
        """Mark messages as out of the context window (they stay searchable)."""
        with self.db.atomic():
            self.db.conn.executemany("UPDATE messages SET in_context = 0 WHERE id = ?", [(i,) for i in ids])

    # ---------------------------------------------------------------- reading
    def in_context(self) -> list[RecallMessage]:
        """The current conversation's messages still in the context window, oldest first."""
        if self.conversation_id is None:
            return []
        rows = self.db.execute("SELECT * FROM messages WHERE in_context = 1 AND conversation_id = ? ORDER BY id",
                                (self.conversation_id,)).fetchall()
        return [_row(r) for r in rows]

    def count(self, *, in_context_only: bool = False) -> int:
        """Stored messages of every conversation (this agent's only when it has one);
        with ``in_context_only``, the current conversation's messages in view."""
        if in_context_only:
            return len(self.in_context())
        mine, params = self._mine("c")
        if not mine:
            return self.db.execute("SELECT COUNT(*) FROM messages").fetchone()[0]
        return self.db.execute(f"SELECT COUNT(*) FROM messages m JOIN conversations c ON c.id = m.conversation_id "
                                f"WHERE 1 {mine}", params).fetchone()[0]

    def _mine(self, alias: str) -> tuple[str, tuple[str, ...]]:
        """SQL restricting conversations ``alias`` to this store's agent ('' when it sees every agent)."""
        return (f"AND {alias}.agent = ?", (self.agent,)) if self.agent else ("", ())

    def recent(self, limit: int = 20) -> list[RecallMessage]:
        """The last ``limit`` messages of all conversations, oldest first."""
        rows = self.db.execute("SELECT * FROM messages ORDER BY id DESC LIMIT ?", (limit,)).fetchall()
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
        """Full-text search of every conversation, best match first, within ``[start, end]`` (days, inclusive).

        Messages matching any of the query's words count, ranked by BM25
        (SQLite FTS5 ``bm25()``; Robertson & Zaragoza 2009), so a message with
        more of the rarer words ranks higher; very common words ("what", "my")
        are left out when other words remain. An empty query lists messages in
        the range, newest first. Memory-pressure alerts, results of the tools
        in ``exclude_tools`` and assistant messages that only called them are
        skipped (searching past searches only echoes them).

        Returns:
            ``(messages, total)``: one page and the number of matches in all.
        """
        where, params = ["m.kind != 'memory_pressure'"], []
        if self.agent:
            where.append("m.conversation_id IN (SELECT id FROM conversations WHERE agent = ?)")
            params.append(self.agent)
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
        words = [w.lower() for w in _WORD_RE.findall(query or "")]
        kept = [w for w in words if w not in _STOP_WORDS and len(w) > 1] or words
        if not kept:
            sql_where = " AND ".join(where)
            total = self.db.execute(f"SELECT COUNT(*) FROM messages m WHERE {sql_where}", params).fetchone()[0]
            rows = self.db.execute(
                f"SELECT m.* FROM messages m WHERE {sql_where} ORDER BY m.id DESC LIMIT ? OFFSET ?",
                (*params, limit, offset),
            ).fetchall()
            return [_row(r) for r in rows], total
        match = " OR ".join('"' + w.replace('"', "") + '"' for w in dict.fromkeys(kept))
        sql_where = " AND ".join(where + ["messages_fts MATCH ?"])
        base = f"FROM messages_fts JOIN messages m ON m.id = messages_fts.rowid WHERE {sql_where}"
        total = self.db.execute(f"SELECT COUNT(*) {base}", (*params, match)).fetchone()[0]
        rows = self.db.execute(
            f"SELECT m.* {base} ORDER BY bm25(messages_fts), m.id DESC LIMIT ? OFFSET ?",
            (*params, match, limit, offset),
        ).fetchall()
        return [_row(r) for r in rows], total

    # ------------------------------------------------------------------ state
    def scoped(self, key: str) -> str:
        """``key`` for the current conversation's state (``"summary:12"``)."""
        return f"{key}:{self.conversation_id if self.conversation_id is not None else 'new'}"

    def get_state(self, key: str, default: str = "") -> str:
        """A small persisted value (e.g. :meth:`scoped` ``pressure_warned``), ``default`` when unset."""
        row = self.db.execute("SELECT value FROM state WHERE key = ?", (key,)).fetchone()
        return row[0] if row else default

    def set_state(self, key: str, value: str) -> None:
        """Persist a small value under ``key``."""
        self.db.table("state").upsert({"key": key, "value": value}, pk="key")

    @property
    def summary(self) -> str:
        """The current conversation's running recursive summary of evicted messages ('' when none)."""
        return self.get_state(self.scoped("summary"))

    def set_summary(self, text: str) -> None:
        """Replace the current conversation's running summary."""
        self.set_state(self.scoped("summary"), text)




def _row(row: sqlite3.Row) -> RecallMessage:
    return RecallMessage.model_validate(dict(row))
