"""Core memory: the agent's in-context, self-editable memory blocks.

In MemGPT (Packer et al. 2023, "MemGPT: Towards LLMs as Operating Systems",
arXiv:2310.08560) and its successor Letta, *core memory* is the part of the
main context the agent rewrites itself through tools. It is made of *blocks*;
each block has a ``label``, a ``description`` (what belongs in it), a ``value``
(the text) and a ``limit`` in characters, and renders itself into the system
prompt with ``chars_current`` / ``chars_limit`` so the model sees its budget
(Letta docs, "Memory blocks").

Two blocks by default: ``persona`` (who the assistant is) and ``learner`` (the
learner profile: goals, courses and books, topics learned and when, open
questions, struggles, preferences, streak).

Storage: one JSON file, ``.journal/core_memory.json``, written atomically under
a :class:`filelock.FileLock`. Every change is re-read, applied and written
under the lock, so a ``journal chat`` session and a ``journal add`` reflection
running at the same time never lose each other's edits. Every edit is
recorded as a :class:`MemoryEdit` (time, tool, label, before, after);
:meth:`CoreMemory.undo` reverts the last one.
"""

from __future__ import annotations

import datetime as dt
import json
import os
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Any

from journal_agent.errors import JournalError

MEMORY_FILE = "core_memory.json"
FORMAT_VERSION = 1

PERSONA_DESCRIPTION = "Who you are; edit only when the learner asks you to work differently."
LEARNER_DESCRIPTION = (
    "The learner profile: goals, courses and books, topics learned (date: topic), open questions, "
    "struggles, preferences. One fact per line, dates as YYYY-MM-DD; merge or drop outdated lines."
)
DEFAULT_PERSONA = (
    "I am the learner's study companion. I answer from their journal, connect new topics to what "
    "they learned before, point out gaps and open questions, and suggest a next step."
)
DEFAULT_LEARNER = (
    "Goals:\n"
    "Current courses and books:\n"
    "Topics learned (date: topic):\n"
    "Open questions:\n"
    "Struggles:\n"
    "Preferences:\n"
    "Streak:"
)
DEFAULT_LIMITS = {"persona": 2000, "learner": 5000}


class CoreMemoryError(JournalError):
    """A core-memory edit cannot be applied as asked; the message says how to fix it."""


@dataclass
class Block:
    """One core-memory block.

    Attributes:
        label: short identifier the tools use (``persona``, ``learner``).
        description: what belongs in the block; shown to the model.
        value: the block's text.
        limit: maximum length of ``value`` in characters.
    """

    label: str
    description: str
    value: str
    limit: int

    @property
    def chars_current(self) -> int:
        """Length of ``value`` in characters."""
        return len(self.value)

    def render(self) -> str:
        """The block as it appears in the system prompt (Letta's XML-like layout)."""
        return (
            f"<{self.label}>\n"
            f"<description>\n{self.description}\n</description>\n"
            f"<metadata>\n- chars_current={self.chars_current}\n- chars_limit={self.limit}\n</metadata>\n"
            f"<value>\n{self.value}\n</value>\n"
            f"</{self.label}>"
        )


@dataclass
class MemoryEdit:
    """One recorded core-memory change.

    Attributes:
        time: local time of the edit, ISO 8601 to the second.
        tool: what made it (``core_memory_append``, ``core_memory_replace``,
            ``memory edit`` for ``journal memory edit``).
        label: the block changed.
        before, after: the block's full value before and after.
    """

    time: str
    tool: str
    label: str
    before: str
    after: str


def default_blocks() -> dict[str, Block]:
    """The two default blocks, ``persona`` and ``learner``."""
    return {
        "persona": Block("persona", PERSONA_DESCRIPTION, DEFAULT_PERSONA, DEFAULT_LIMITS["persona"]),
        "learner": Block("learner", LEARNER_DESCRIPTION, DEFAULT_LEARNER, DEFAULT_LIMITS["learner"]),
    }


class CoreMemory:
    """The core-memory blocks of one journal, persisted in ``.journal/core_memory.json``.

    Open with :meth:`open`. Reads see the state as of the last load or edit;
    every edit reloads from disk under the lock first.
    """

    def __init__(self, path: Path):
        from filelock import FileLock

        self.path = Path(path)
        self._lock = FileLock(str(self.path) + ".lock", timeout=30)
        self._blocks: dict[str, Block] = default_blocks()
        self._history: list[MemoryEdit] = []
        self._undone: list[MemoryEdit] = []
        try:
            self._lock.acquire()
        except OSError:  # a read-only .journal: read without the lock; an edit will say why it cannot
            if self.path.exists():
                self._load()
            return
        try:
            if self.path.exists():
                self._load()
            else:
                self._save()
        finally:
            self._lock.release()

    @classmethod
    def open(cls, journal) -> "CoreMemory":
        """Open (creating with the default blocks) the core memory of ``journal``."""
        return cls(journal.state_dir / MEMORY_FILE)

    # ----------------------------------------------------------------- reading
    @property
    def blocks(self) -> list[Block]:
        """The blocks in display order."""
        return list(self._blocks.values())

    @property
    def labels(self) -> list[str]:
        """Block labels in display order."""
        return list(self._blocks)

    def block(self, label: str) -> Block:
        """The block called ``label``.

        Raises:
            CoreMemoryError: no such block (the message lists the labels).
        """
        try:
            return self._blocks[label]
        except KeyError:
            raise CoreMemoryError(
                f"there is no core memory block labelled {label!r}; "
                f"use one of: {', '.join(self._blocks)}"
            ) from None

    def history(self) -> list[MemoryEdit]:
        """Every recorded edit, oldest first (undone edits removed)."""
        self.reload()
        return list(self._history)

    def render(self) -> str:
        """All blocks for the system prompt, inside ``<memory_blocks>``."""
        inner = "\n\n".join(block.render() for block in self._blocks.values())
        return (
            "<memory_blocks>\nThe following memory blocks are currently engaged in your core memory:\n\n"
            f"{inner}\n</memory_blocks>"
        )

    def to_dict(self, *, with_history: bool = False) -> dict[str, Any]:
        """JSON-ready view: ``{"blocks": [{label, description, value, limit, chars_current}]}``."""
        out: dict[str, Any] = {
            "blocks": [dict(asdict(b), chars_current=b.chars_current) for b in self._blocks.values()]
        }
        if with_history:
            out["history"] = [asdict(e) for e in self._history]
        return out

    def reload(self) -> None:
        """Re-read the file (another process may have edited it)."""
        with self._lock:
            if self.path.exists():
                self._load()

    # ----------------------------------------------------------------- editing
    def append(self, label: str, content: str, *, tool: str = "core_memory_append") -> MemoryEdit:
        """Append ``content`` as a new line at the end of block ``label``.

        Raises:
            CoreMemoryError: unknown label, empty content, or the limit would be exceeded.
        """
        if not content or not content.strip():
            raise CoreMemoryError("content is empty; pass the text to append to the block")

        def change(block: Block) -> str:
            return f"{block.value}\n{content}" if block.value else content

        return self._edit(label, tool, change)

    def replace(
        self, label: str, old_content: str, new_content: str, *, tool: str = "core_memory_replace"
    ) -> MemoryEdit:
        """Replace the one occurrence of ``old_content`` in block ``label``; empty new text deletes it.

        Raises:
            CoreMemoryError: unknown label, empty ``old_content``, no match,
                several matches, or the limit would be exceeded.
        """
        if not old_content:
            raise CoreMemoryError(
                "old_content is empty; copy the exact text to change from the block's <value> "
                "(to add new text, use core_memory_append)"
            )

        def change(block: Block) -> str:
            count = block.value.count(old_content)
            if count == 0:
                raise CoreMemoryError(
                    f"old_content {_quote(old_content)} does not occur in the {block.label} block; "
                    "copy it exactly (case, spaces and punctuation) from the block's <value>"
                )
            if count > 1:
                raise CoreMemoryError(
                    f"old_content {_quote(old_content)} occurs {count} times in the {block.label} block; "
                    "include more of the surrounding text so it matches exactly once"
                )
            return block.value.replace(old_content, new_content, 1)

        return self._edit(label, tool, change)

    def set_value(self, label: str, value: str, *, tool: str = "memory edit") -> MemoryEdit | None:
        """Set block ``label`` to ``value`` (``journal memory edit``); ``None`` when unchanged.

        Raises:
            CoreMemoryError: unknown label or ``value`` over the block's limit.
        """
        try:
            return self._edit(label, tool, lambda block: value)
        except _Unchanged:
            return None

    def undo(self) -> MemoryEdit:
        """Revert the last recorded edit and drop it from the history.

        Returns:
            The edit that was reverted.

        Raises:
            CoreMemoryError: nothing to undo, or the block changed since without a record.
        """
        with self._lock:
            self._load()
            if not self._history:
                raise CoreMemoryError("nothing to undo: core memory has no recorded edits")
            edit = self._history[-1]
            block = self._blocks.get(edit.label)
            if block is None or block.value != edit.after:
                raise CoreMemoryError(
                    f"cannot undo the last edit of the {edit.label} block: the block no longer "
                    "holds what that edit left; use `journal memory edit` instead"
                )
            block.value = edit.before
            self._history.pop()
            self._undone.append(edit)
            self._save()
            return edit

    # ---------------------------------------------------------------- internals
    def _edit(self, label: str, tool: str, change) -> MemoryEdit:
        with self._lock:
            self._load()
            block = self.block(label)
            before = block.value
            after = change(block)
            if after == before:
                if tool == "memory edit":
                    raise _Unchanged()
                raise CoreMemoryError(
                    f"the {label} block would not change; nothing was edited"
                )
            if len(after) > block.limit:
                raise CoreMemoryError(
                    f"{tool} would make the {label} block {len(after):,} characters, over its "
                    f"limit of {block.limit:,} (it holds {len(before):,} now); shorten the new "
                    "text, or first condense the block with core_memory_replace "
                    "(merge related lines, delete outdated ones)"
                )
            block.value = after
            edit = MemoryEdit(
                time=dt.datetime.now().replace(microsecond=0).isoformat(),
                tool=tool, label=label, before=before, after=after,
            )
            self._history.append(edit)
            self._undone.clear()
            self._save()
            return edit

    def _load(self) -> None:
        try:
            data = json.loads(self.path.read_text(encoding="utf-8"))
            blocks = {
                b["label"]: Block(b["label"], b.get("description", ""), b.get("value", ""), int(b["limit"]))
                for b in data.get("blocks", [])
            }
            history = [MemoryEdit(**e) for e in data.get("history", [])]
            undone = [MemoryEdit(**e) for e in data.get("undone", [])]
        except (OSError, ValueError, KeyError, TypeError) as exc:
            raise CoreMemoryError(
                f"{self.path}: core memory file is damaged ({exc}); fix or delete it "
                "(deleting restores the default blocks)"
            ) from exc
        self._blocks = blocks or default_blocks()
        self._history = history
        self._undone = undone

    def _save(self) -> None:
        data = {
            "version": FORMAT_VERSION,
            "blocks": [asdict(b) for b in self._blocks.values()],
            "history": [asdict(e) for e in self._history],
            "undone": [asdict(e) for e in self._undone],
        }
        tmp = self.path.with_suffix(".json.tmp")
        tmp.write_text(json.dumps(data, ensure_ascii=False, indent=2), encoding="utf-8")
        os.replace(tmp, self.path)


class _Unchanged(Exception):
    pass


def _quote(text: str, limit: int = 80) -> str:
    shown = text if len(text) <= limit else text[: limit - 1] + "…"
    return json.dumps(shown, ensure_ascii=False)
