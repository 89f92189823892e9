"""The archive's row shape and its two records of how it was built.

One row per chunk (Arrow schema :func:`arrow_schema`)::

    id, source ("note" | "agent"), path, title, date, end_date, modified, categories,
    tags, day, days, entry, entry_heading, entry_line, anchor, preamble, date_source, challenge_round,
    chunk_index, heading, text, search_text, content_hash, private, vector

``id`` is ``<path>#<chunk_index>`` for note chunks and ``agent:<hex>`` for the
agent's entries.

A chunk belongs to one entry of its note (:mod:`journal_agent.notes.entries`, issue 18): ``entry`` is the
entry's index in the note, ``entry_heading``/``entry_line``/``anchor`` its heading as written, its 1-based
line in the note file and its HTML id in the published post (``""``/1/``""`` for a whole-note entry),
``preamble`` whether it is the text before a note's first entry heading (no day, not a study day);
``date``/``end_date`` are the entry's dates (equal unless it covers a date range), ``days`` every learning
day it covers (``[]`` for none; filter with ``array_has(days, 12)``) and ``day`` the first of them (or null).
``date_source`` says where the entry's date came from (:attr:`journal_agent.notes.entries.Entry.date_source`:
``date``, ``heading``, ``file name``, ``git``, ``mtime``, ...; ``"agent"`` for the agent's entries, ``""`` when
unknown): a date guessed from the file's modification time is no date the learner wrote, so the archive's span
(:meth:`~journal_agent.archive.store.Archive.span`) leaves it out. ``challenge_round`` is the entry's
#100DaysOfCode round (``R2D14``, a "Round 2" log; null for none): day numbers start again in each round.

``private`` is true for a note that is private or a draft (``note.private or note.draft``); agent
entries are false (they are never published, and are told apart by ``source``).

How the archive was built (schema version, embedding model, vector dimension)
is recorded twice: in the table's Arrow schema metadata under
:data:`SCHEMA_METADATA_KEY`, written with the table so it cannot be lost
separately, and in ``archive.json`` beside the table, which also lists the
folders ingested (``sources``). :func:`incompatibility` compares a record with
what this journal-agent would write.
"""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path
from typing import TYPE_CHECKING, Any

from journal_agent.atomic import write_atomic
from journal_agent.errors import StoreError
from journal_agent.notes.chunking import Chunk

if TYPE_CHECKING:
    from journal_agent.notes.model import Note

# 2: ``private`` and the schema-metadata record; 3: entries (days, end_date, ...); 4: date_source, challenge_round
SCHEMA_VERSION = 4
AGENT_DATE_SOURCE = "agent"  # date_source of the agent's entries (dated when they were written)
SCHEMA_METADATA_KEY = "journal_agent"  # {"schema_version", "embedding_model", "dimension"} as JSON


def arrow_schema(dimension: int, record: dict[str, Any] | None = None):
    """The table's Arrow schema for ``dimension``-wide vectors, with ``record`` as its metadata."""
    import pyarrow as pa

    schema = pa.schema([("id", pa.string()), ("source", pa.string()), ("path", pa.string()),
                        ("title", pa.string()), ("date", pa.date32()), ("end_date", pa.date32()),
                        ("modified", pa.timestamp("s")),
                        ("categories", pa.list_(pa.string())), ("tags", pa.list_(pa.string())),
                        ("day", pa.int32()), ("days", pa.list_(pa.int32())), ("entry", pa.int32()),
                        ("entry_heading", pa.string()), ("entry_line", pa.int32()), ("anchor", pa.string()),
                        ("preamble", pa.bool_()), ("date_source", pa.string()), ("challenge_round", pa.int32()),
                        ("chunk_index", pa.int32()), ("heading", pa.string()),
                        ("text", pa.string()), ("search_text", pa.string()), ("content_hash", pa.string()),
                        ("private", pa.bool_()), ("vector", pa.list_(pa.float32(), dimension))])
    return schema.with_metadata({SCHEMA_METADATA_KEY: json.dumps(record)}) if record else schema


def sql_text(value: str) -> str:
    """``value`` as a SQL string literal for a filter on the table (``'it''s'``)."""
    return "'" + str(value).replace("'", "''") + "'"


def build_record(embedding_model: str, dimension: int) -> dict[str, Any]:
    """The record of an archive this journal-agent builds."""
    return {"schema_version": SCHEMA_VERSION, "embedding_model": embedding_model, "dimension": dimension}


def schema_record(schema) -> dict[str, Any]:
    """The record in an Arrow ``schema``'s metadata (``{}`` for tables from before schema version 2)."""
    raw = (schema.metadata or {}).get(SCHEMA_METADATA_KEY.encode())
    try:
        record = json.loads(raw) if raw else {}
    except ValueError:
        return {}
    return record if isinstance(record, dict) else {}


def incompatibility(record: dict[str, Any], embedding_model: str, directory: Path) -> str | None:
    """Why an archive built as ``record`` cannot be used with ``embedding_model`` (``None`` when it can)."""
    version = record.get("schema_version")
    if version != SCHEMA_VERSION:
        return (f"the archive at {directory} has schema version {version}, this journal-agent "
                f"uses {SCHEMA_VERSION}; run `journal ingest --full` to rebuild it from your notes")
    if record.get("embedding_model") != embedding_model:
        return (f"re-index needed: the archive was embedded with {record.get('embedding_model')!r} "
                f"but journal.toml now says {embedding_model!r}; run `journal ingest --full`")
    return None


def check_records(meta: dict[str, Any], recorded: dict[str, Any], embedding_model: str, directory: Path) -> None:
    """Check ``archive.json`` (``meta``) and the table's own record (``recorded``) against this journal-agent.

    Raises:
        StoreError: either record is incompatible (:func:`incompatibility`), or
            there is no record at all (a table from before schema version 2
            whose ``archive.json`` is gone), each naming ``journal ingest --full``.
    """
    if not meta and not recorded:
        raise StoreError(
            f"the archive at {directory} has no archive.json and its table does not record the "
            "embedding model it was built with; run `journal ingest --full` to rebuild it from your notes")
    for record in (meta, recorded):
        problem = incompatibility(record, embedding_model, directory) if record else None
        if problem:
            raise StoreError(problem)


def write_json(path: Path, meta: dict[str, Any]) -> None:
    """Write ``meta`` to ``path`` atomically (:func:`~journal_agent.atomic.write_atomic`).

    Raises:
        OSError: it cannot be written (full disk, read-only folder).
    """
    write_atomic(path, json.dumps(meta, indent=2))


def note_row(note: Note, chunk: Chunk, vector) -> dict[str, Any]:
    """The row of chunk ``chunk`` of ``note`` (of the entry ``note.entries[chunk.entry]``); ``vector`` is its
    embedding."""
    heading = f"{chunk.heading}\n" if chunk.heading else ""
    entry = note.entries[chunk.entry]
    return {"id": f"{note.rel_path}#{chunk.index}", "source": "note", "path": note.rel_path,
            "title": note.title, "date": entry.date, "end_date": entry.end_date, "modified": note.modified,
            "categories": note.categories, "tags": note.tags, "day": entry.days[0] if entry.days else None,
            "days": list(entry.days), "entry": entry.index, "entry_heading": entry.heading,
            "entry_line": entry.line, "anchor": entry.anchor, "preamble": entry.preamble,
            "date_source": entry.date_source, "challenge_round": entry.challenge_round,
            "chunk_index": chunk.index, "heading": chunk.heading,
            "text": chunk.text, "search_text": f"{note.title}\n{heading}{chunk.text}",
            "content_hash": note.content_hash, "private": bool(note.private or note.draft), "vector": _floats(vector)}


def agent_row(entry_id: str, content: str, tags: list[str], when: dt.datetime, vector) -> dict[str, Any]:
    """The row of an agent entry (``source = "agent"``)."""
    return {"id": entry_id, "source": "agent", "path": entry_id, "title": "Agent memory",
            "date": when.date(), "end_date": when.date(), "modified": when, "categories": [], "tags": tags,
            "day": None, "days": [], "entry": 0, "entry_heading": "", "entry_line": 1, "anchor": "", "preamble": False,
            "date_source": AGENT_DATE_SOURCE, "challenge_round": None, "chunk_index": 0, "heading": "", "text": content,
            "search_text": content, "content_hash": "", "private": False, "vector": _floats(vector)}


def carried_row(row: dict[str, Any]) -> dict[str, Any]:
    """A stored row of any schema version in this version's columns (a full rebuild carries agent entries and
    unreadable notes over): the entry columns an older row lacks become its note's (the whole note one entry,
    its one day, its one date); a row whose privacy is unknown is private unless it is the agent's; a row
    without ``date_source`` (before version 4) has ``""`` (unknown: counted as written), the agent's ``"agent"``."""
    out = {name: row.get(name) for name in arrow_schema(1).names}
    defaults = {"end_date": out["date"], "days": [] if out["day"] is None else [out["day"]], "entry": 0,
                "entry_heading": "", "entry_line": 1, "anchor": "", "preamble": False,
                "date_source": AGENT_DATE_SOURCE if out["source"] == "agent" else "",
                "private": out["source"] == "note"}
    return out | {name: value for name, value in defaults.items() if out[name] is None}


def embedding_text(row: dict[str, Any]) -> str:
    """What was embedded for a stored row: the text of an agent entry; title, heading path and text of a chunk.

    The same text as :meth:`journal_agent.notes.chunking.Chunk.embedding_text`,
    so a row can be re-embedded without its note (a note that can no longer be read).
    """
    if row.get("source") == "agent":
        return row["text"]
    chunk = Chunk(int(row["chunk_index"]), row.get("heading") or "", row["text"], entry=int(row.get("entry") or 0))
    return chunk.embedding_text(row["title"])


def _floats(vector) -> list[float]:
    return vector.tolist() if hasattr(vector, "tolist") else list(vector)
