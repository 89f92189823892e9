"""Keeping the learner profile current: the agent reflects on new notes.

After ``journal add`` and after an ``ingest`` that added or changed notes,
the agent receives a *system event* listing the new notes (title, date, path,
short excerpt) and is asked to update the ``learner`` core-memory block where
warranted, the way MemGPT agents edit core memory in response to events
(Packer et al. 2023, arXiv:2310.08560, section 2.3). ``journal reflect``
runs the same on demand.

With no model configured, reflection is skipped with one line saying so.
Model errors never lose a note: the outcome says what failed and how to retry.
"""

from __future__ import annotations

import datetime as dt
import json
import re
from dataclasses import dataclass, field
from typing import Callable

from journal_agent.errors import AgentError, JournalError

EXCERPT_CHARS = 240
NOTES_PER_EVENT = 8
MAX_NOTES = 24  # per reflection: the most recent; a first ingest of hundreds of notes stays cheap
RECENT_NOTES_DEFAULT = 10
STATE_FILE = "reflection.json"
SKIPPED_NO_MODEL = (
    "Reflection skipped: no model configured (set OPENAI_API_KEY, or OPENAI_BASE_URL for a local "
    "server, or [llm] base_url in journal.toml; then run `journal reflect`)."
)


@dataclass
class ReflectOutcome:
    """What a reflection did.

    Attributes:
        status: ``updated`` (core memory changed), ``unchanged``, ``skipped``
            (no notes or no model) or ``failed`` (model error).
        message: one line for the CLI ('' when there is nothing to say).
        edits: the core-memory edits made (:class:`~journal_agent.memory.MemoryEdit`).
        turns: the agent turns run (:class:`~journal_agent.agent.Turn`), one per batch of notes.
    """

    status: str
    message: str
    edits: list = field(default_factory=list)
    turns: list = field(default_factory=list)


def _excerpt(body: str, limit: int = EXCERPT_CHARS) -> str:
    text = re.sub(r"^#+\s*", "", body, flags=re.MULTILINE)
    text = re.sub(r"\[([^\]]+)\]\([^)]+\)", r"\1", text)  # links → their text
    flat = " ".join(text.split())
    return flat if len(flat) <= limit else flat[: limit - 1].rstrip() + "…"


def notes_event(notes) -> str:
    """The system-event text listing ``notes`` (:class:`~journal_agent.notes.Note`) for the agent."""
    lines = [f"{len(notes)} new or changed note{'s' if len(notes) != 1 else ''} in the journal:"]
    for note in notes:
        lines.append(f"- \"{note.title}\" ({note.date.isoformat()}, {note.rel_path}): {_excerpt(note.body)}")
    lines.append(
        "Update the learner block of your core memory where these notes warrant it (topics "
        "learned with their dates, current courses and books, goals, open questions, struggles, "
        "streak), with core_memory_append or core_memory_replace. Keep it concise; do not repeat "
        "what is already there. Then reply with one short line saying what you changed, or "
        "\"No update needed\"."
    )
    return "\n".join(lines)


def reflect_on_notes(journal, notes: list, *, model: str | None = None, client=None, archive=None,
                     on_step: Callable | None = None, max_notes: int | None = MAX_NOTES) -> ReflectOutcome:
    """Ask the agent to update the learner profile after ``notes`` were added or changed.

    Args:
        journal: the :class:`~journal_agent.workspace.Journal`.
        notes: the new or changed :class:`~journal_agent.notes.Note` objects.
        model: model name override (default: config).
        client: an OpenAI-compatible client (default: from config / environment).
        archive: an open ``Archive`` to reuse.
        on_step: called with each agent :class:`~journal_agent.agent.Step`.
        max_notes: reflect on at most this many of the most recent notes (``None``: all).

    Notes go to the agent in batches of :data:`NOTES_PER_EVENT`, one agent
    turn each. By default only the :data:`MAX_NOTES` most recent are
    reflected on, so a first ingest of hundreds of notes stays cheap; the
    outcome message says how many older ones were skipped.

    Returns:
        A :class:`ReflectOutcome`; never raises for a missing model or a model error.
    """
    from journal_agent.agent.llm import is_configured
    from journal_agent.agent.loop import Agent

    if not notes:
        return ReflectOutcome("skipped", "")
    if client is None and not is_configured(journal.config):
        return ReflectOutcome("skipped", SKIPPED_NO_MODEL)
    ordered = sorted(notes, key=lambda n: (n.date, n.rel_path))
    left_out = ordered[:-max_notes] if max_notes else []
    ordered = ordered[-max_notes:] if max_notes else ordered
    turns = []
    try:
        agent = Agent(journal, model=model, client=client, archive=archive)
    except JournalError as exc:
        return ReflectOutcome("failed", f"Reflection failed: {exc}")
    try:
        for start in range(0, len(ordered), NOTES_PER_EVENT):
            batch = ordered[start:start + NOTES_PER_EVENT]
            turns.append(agent.ask(notes_event(batch), event=True, on_step=on_step))
    except AgentError as exc:
        edits = [e for t in turns for e in t.edits]
        return ReflectOutcome(
            "failed",
            f"Reflection failed: {exc}. Your notes are saved; run `journal reflect` to retry.",
            edits, turns,
        )
    finally:
        agent.close()
    _record_run(journal)
    edits = [e for t in turns for e in t.edits]
    count = f"{len(ordered)} note{'s' if len(ordered) != 1 else ''}"
    if left_out:
        count += (f" (the most recent; {len(left_out)} older skipped: "
                  f"`journal reflect --since {left_out[0].date.isoformat()}` covers them)")
    if edits:
        labels = ", ".join(sorted({e.label for e in edits}))
        return ReflectOutcome(
            "updated",
            f"Learner profile updated from {count}: {len(edits)} core memory edit"
            f"{'s' if len(edits) != 1 else ''} ({labels}); see `journal memory history`.",
            edits, turns,
        )
    return ReflectOutcome("unchanged", f"Reflected on {count}; the learner profile needed no update.",
                          edits, turns)


def last_reflection(journal) -> dt.datetime | None:
    """When reflection last completed, or ``None``."""
    path = journal.state_dir / STATE_FILE
    try:
        return dt.datetime.fromisoformat(json.loads(path.read_text(encoding="utf-8"))["last_run"])
    except (OSError, ValueError, KeyError, TypeError):
        return None


def _record_run(journal) -> None:
    path = journal.state_dir / STATE_FILE
    path.write_text(json.dumps({"last_run": dt.datetime.now().replace(microsecond=0).isoformat()}),
                    encoding="utf-8")


def select_notes(journal, since: dt.date | None = None) -> list:
    """Notes for ``journal reflect``, oldest first.

    With ``since``: notes dated or modified on or after that day. Without:
    notes modified since the last reflection, or the
    :data:`RECENT_NOTES_DEFAULT` most recent notes when there was none.
    Unreadable notes are skipped (``journal ingest`` reports them).
    """
    from journal_agent.errors import NoteError
    from journal_agent.notes.model import read_note
    from journal_agent.notes.walk import iter_note_files

    notes = []
    if journal.notes_dir.exists():
        for path in iter_note_files([journal.notes_dir]):
            try:
                notes.append(read_note(path, journal.root, journal.notes_dir))
            except NoteError:
                continue
    notes.sort(key=lambda n: (n.date, n.rel_path))
    if since is not None:
        return [n for n in notes if n.date >= since or n.modified.date() >= since]
    last = last_reflection(journal)
    if last is not None:
        return [n for n in notes if n.modified >= last]
    return notes[-RECENT_NOTES_DEFAULT:]
