"""Core memory: the agents' in-context, self-editable memory blocks.

In MemGPT (Packer et al. 2023, "MemGPT: Towards LLMs as Operating Systems",
arXiv:2310.08560) and its successor Letta, *core memory* is the part of the
main context an agent rewrites itself through tools. It is made of *blocks*
(:class:`~journal_agent.agent.blocks.Block`: label, description, value, limit
in characters, read-only flag), rendered into the system prompt with
``chars_current`` / ``chars_limit`` so the model sees its budget (Letta docs,
"Memory blocks"). Blocks are stored once and attached to agents; a block
attached to several agents is *shared memory* (Letta docs, "Shared memory"):
an edit by one is in the others' next prompt.

:class:`CoreMemory` is one agent's view of the journal's blocks (``agent=None``:
every block, as ``journal memory`` sees them). Storage: one JSON file,
``.journal/core_memory.json`` (format in :mod:`journal_agent.agent.blocks`),
written atomically under a :class:`~journal_agent.locks.JournalLock`. Every change is
re-read, applied and written under the lock, so a ``journal chat`` session, a
background reflection and a second agent never lose each other's edits. Every
edit is recorded as a :class:`MemoryEdit`; :meth:`CoreMemory.undo` reverts the
last one and records that as an edit too, so a second undo redoes.
"""

from __future__ import annotations

import json
import shutil
from pathlib import Path
from typing import Any

from journal_agent.agent.blocks import (
    DEFAULT_LEARNER,
    DEFAULT_LIMITS,
    DEFAULT_PERSONA,
    LEARNER_DESCRIPTION,
    MAX_LIMIT,
    PERSONA_DESCRIPTION,
    AgentSpec,
    Block,
    CoreMemoryError,
    MemoryEdit,
    MemoryState,
    check_label,
    default_state,
    now_text,
    parse,
    queue_tasks,
    task_text,
)
from journal_agent.atomic import write_atomic
from journal_agent.locks import JournalLock
from journal_agent.text import clip

__all__ = ["DEFAULT_LEARNER", "DEFAULT_LIMITS", "DEFAULT_PERSONA", "LEARNER_DESCRIPTION", "MEMORY_FILE",
           "PERSONA_DESCRIPTION", "QUEUE_LABEL", "AgentSpec", "Block", "CoreMemory", "CoreMemoryError",
           "MemoryEdit"]

MEMORY_FILE = "core_memory.json"
QUEUE_LABEL = "study_queue"
CLI_TOOLS = ("memory edit", "memory undo")


class CoreMemory:
    """One agent's view of the journal's core-memory blocks, persisted in ``.journal/core_memory.json``.

    Open with :meth:`open`. Reads see the state as of the last load or edit;
    every edit reloads from disk under the lock first.

    Args:
        path: the JSON file.
        agent: the agent whose blocks this view shows and whose tools edit them
            (read-only blocks refused); ``None``: every block, edited by the learner.

    Raises:
        CoreMemoryError: the file is damaged or of a newer format; ``agent`` does not exist.
    """

    def __init__(self, path: Path, agent: str | None = "journal"):
        self.path = Path(path)
        self.agent = agent
        self._lock = JournalLock(str(self.path) + ".lock", holder="core memory edit", timeout=30)
        self._state: MemoryState = default_state()
        self.reload(create=True)
        if agent is not None:
            self.spec(agent)

    @classmethod
    def open(cls, journal, agent: str | None = "journal") -> CoreMemory:
        """Open (creating with the default blocks and agents) the core memory of ``journal`` as ``agent`` sees it."""
        return cls(journal.state_dir / MEMORY_FILE, agent)

    # ----------------------------------------------------------------- reading
    @property
    def state(self) -> MemoryState:
        """Every block, agent and edit, as last loaded."""
        return self._state

    @property
    def blocks(self) -> list[Block]:
        """The blocks of this view, in prompt order."""
        if self.agent is None:
            return list(self._state.blocks.values())
        found = (self._state.by_id(i) for i in self.spec(self.agent).blocks)
        return [b for b in found if b is not None]

    @property
    def labels(self) -> list[str]:
        """Block labels of this view, in prompt order."""
        return [b.label for b in self.blocks]

    def block(self, label: str) -> Block:
        """The block called ``label`` in this view.

        Raises:
            CoreMemoryError: no such block here (the message lists the labels).
        """
        for block in self.blocks:
            if block.label == label:
                return block
        raise CoreMemoryError(
            f"there is no core memory block labelled {label!r}; use one of: {', '.join(self.labels)}")

    def spec(self, name: str) -> AgentSpec:
        """The agent record called ``name``.

        Raises:
            CoreMemoryError: no such agent (the message lists them).
        """
        try:
            return self._state.agents[name]
        except KeyError:
            raise CoreMemoryError(f"there is no agent named {name!r}; the agents are: "
                                  f"{', '.join(self._state.agents)} (`journal agents` lists them)") from None

    def attached_to(self, label: str) -> list[str]:
        """Names of the agents block ``label`` is attached to."""
        return self._state.attached_to(self._state.blocks[label])

    def last_modified(self) -> str:
        """When a block of this view last changed (ISO 8601; '' when unknown)."""
        return max((b.modified for b in self.blocks), default="")

    def history(self) -> list[MemoryEdit]:
        """Every recorded edit of every block, oldest first (undos included)."""
        self.reload()
        return list(self._state.history)

    def render(self) -> str:
        """This view's blocks for the system prompt, inside ``<memory_blocks>``."""
        inner = "\n\n".join(block.render() for block in self.blocks)
        return (
            "<memory_blocks>\nThe following memory blocks are currently engaged in your core memory:\n\n"
            f"{inner}\n</memory_blocks>"
        )

    def to_dict(self, *, with_history: bool = False) -> dict[str, Any]:
        """JSON-ready view: ``{"blocks": [{id, label, description, value, limit, read_only, modified,
        chars_current, agents}]}`` (and ``history`` when asked)."""
        out: dict[str, Any] = {"blocks": [b.model_dump() | {"chars_current": b.chars_current,
                                                             "agents": self._state.attached_to(b)}
                                          for b in self.blocks]}
        if with_history:
            out["history"] = [e.model_dump() for e in self._state.history]
        return out

    def reload(self, *, create: bool = False) -> None:
        """Re-read the file (another process or agent may have edited it); with ``create``, write it when missing.

        A ``.journal`` that cannot be written (the lock cannot be made) is read without the lock;
        an edit then says why it cannot be saved.
        """
        try:
            self._lock.acquire()
        except OSError:
            if self.path.exists():
                self._load(write_migration=False)
            return
        try:
            if self.path.exists():
                self._load()
            elif create:
                self._save()
        finally:
            self._lock.release()

    # ----------------------------------------------------------------- editing
    def append(self, label: str, content: str, *, tool: str = "core_memory_append") -> MemoryEdit:
        """Append ``content`` as a new line at the end of block ``label``.

        Raises:
            CoreMemoryError: unknown label, read-only block, empty content, or the limit would be exceeded.
        """
        if not content or not content.strip():
            raise CoreMemoryError("content is empty; pass the text to append to the block")
        return self._edit(label, tool, lambda block: f"{block.value}\n{content}" if block.value else content)

    def replace(self, label: str, old_content: str, new_content: str, *,
                tool: str = "core_memory_replace") -> MemoryEdit:
        """Replace the one occurrence of ``old_content`` in block ``label``; empty new text deletes it.

        Raises:
            CoreMemoryError: unknown label, read-only block, empty ``old_content``, no match,
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

    def push_task(self, task: str, *, label: str = QUEUE_LABEL) -> tuple[MemoryEdit, list[str]]:
        """Add ``task`` (one line) at the end of the queue block; the edit and the tasks now queued.

        Raises:
            CoreMemoryError: empty task, no queue block, read-only, or the block is full (the
                message gives its size and says to pop tasks first).
        """
        line = " ".join((task or "").split())
        if not line:
            raise CoreMemoryError("task is empty; pass the task to add, e.g. \"Review Day 2: memory tiers\"")

        def change(block: Block) -> str:
            after = f"{block.value.rstrip()}\n- {line}" if block.value.strip() else f"- {line}"
            if len(after) > block.limit:
                tasks = queue_tasks(block.value)
                raise CoreMemoryError(
                    f"the {label} block is full: this task would make it {len(after):,} characters, over its "
                    f"limit of {block.limit:,} (it holds {len(tasks)} task{'s' if len(tasks) != 1 else ''} in "
                    f"{block.chars_current:,}); pop done tasks with task_queue_pop, or shorten the task")
            return after

        edit = self._edit(label, "task_queue_push", change)
        return edit, queue_tasks(edit.after)

    def pop_task(self, *, label: str = QUEUE_LABEL) -> tuple[str | None, MemoryEdit | None, list[str]]:
        """Remove the first task of the queue block: ``(task, edit, tasks left)``; ``(None, None, [])`` when empty.

        Raises:
            CoreMemoryError: no queue block, or it is read-only.
        """
        popped: list[str] = []

        def change(block: Block) -> str:
            lines = block.value.splitlines()
            for index, raw in enumerate(lines):
                if raw.strip():
                    popped.append(task_text(raw))
                    return "\n".join(lines[index + 1:]).strip("\n")
            raise _Unchanged()

        try:
            edit = self._edit(label, "task_queue_pop", change)
        except _Unchanged:
            return None, None, []
        return popped[0], edit, queue_tasks(edit.after)

    def undo(self) -> tuple[MemoryEdit, MemoryEdit]:
        """Revert the last recorded edit, recording the revert as an edit (``memory undo``).

        History keeps both, so a second undo reverts the revert: it redoes.

        Returns:
            ``(reverted, recorded)``: the edit reverted and the new ``memory undo`` edit.

        Raises:
            CoreMemoryError: nothing to undo, or the block changed since without a record (or was deleted).
        """
        with self._lock:
            self._load()
            if not self._state.history:
                raise CoreMemoryError("nothing to undo: core memory has no recorded edits")
            last = self._state.history[-1]
            block = self._state.by_id(last.block_id) if last.block_id else self._state.blocks.get(last.label)
            if block is None or block.value != last.after:
                raise CoreMemoryError(
                    f"cannot undo the last edit of the {last.label} block: the block no longer "
                    "holds what that edit left; use `journal memory edit` instead"
                )
            recorded = self._record(block, "memory undo", block.value, last.before, agent="")
            self._save()
            return last, recorded

    # ------------------------------------------------------- blocks and agents
    def create_block(self, label: str, *, limit: int, description: str = "", value: str = "",
                     read_only: bool = False, agents: list[str] | None = None) -> Block:
        """Create block ``label`` and attach it to ``agents`` (default: every chat agent).

        Raises:
            CoreMemoryError: bad label, label taken, limit out of range, value over the limit, unknown agent.
        """
        check_label(label)
        if not 1 <= limit <= MAX_LIMIT:
            raise CoreMemoryError(f"limit must be 1 to {MAX_LIMIT:,} characters (got {limit:,})")
        if len(value) > limit:
            raise CoreMemoryError(f"the value is {len(value):,} characters, over the limit of {limit:,}")
        with self._lock:
            self._load()
            if label in self._state.blocks:
                raise CoreMemoryError(f"there is already a block labelled {label!r}; pick another label "
                                      "or delete it first (`journal memory block delete`)")
            names = agents if agents else [a.name for a in self._state.agents.values() if a.role == "chat"]
            specs = [self.spec(name) for name in names]
            block = Block(label=label, description=description.strip(), value=value, limit=limit,
                          read_only=read_only, modified=now_text())
            self._state.blocks[label] = block
            for spec in specs:
                spec.blocks.append(block.id)
            self._save()
            return block

    def delete_block(self, label: str) -> list[str]:
        """Delete block ``label`` and detach it from every agent; the agents it was attached to.

        Its edits stay in the history (they can no longer be undone).

        Raises:
            CoreMemoryError: no such block, or it is an agent's persona.
        """
        with self._lock:
            self._load()
            block = self._all(label)
            owners = [a.name for a in self._state.agents.values() if a.persona == label]
            if owners:
                raise CoreMemoryError(f"the {label} block is the persona of the {owners[0]} agent and cannot be "
                                      f"deleted; edit it with `journal memory edit {label}`")
            attached = self._state.attached_to(block)
            for spec in self._state.agents.values():
                spec.blocks = [i for i in spec.blocks if i != block.id]
            del self._state.blocks[label]
            self._save()
            return attached

    def attach(self, label: str, agent: str, *, detach: bool = False) -> bool:
        """Attach (or with ``detach``, detach) block ``label`` to ``agent``; ``False`` when already so.

        Raises:
            CoreMemoryError: unknown block or agent; detaching an agent's own persona.
        """
        with self._lock:
            self._load()
            block, spec = self._all(label), self.spec(agent)
            if detach and spec.persona == label:
                raise CoreMemoryError(f"the {label} block is the {agent} agent's persona; it stays attached")
            if (block.id in spec.blocks) != detach:
                return False
            spec.blocks = [i for i in spec.blocks if i != block.id] if detach else [*spec.blocks, block.id]
            self._save()
            return True

    # ------------------------------------------------------------ portability
    def export_data(self) -> dict[str, Any]:
        """Every block, attachment, agent and edit as the version-2 document (``journal memory export``)."""
        self.reload()
        return self._state.model_dump()

    def import_data(self, data: Any, *, source: str) -> MemoryState:
        """Replace this journal's core memory with an export (``journal memory import``).

        The file as it was is kept as ``core_memory.before-import.json``.

        Raises:
            CoreMemoryError: not an export, another format version, damaged, or inconsistent
                (an attachment to a block that is not in the file).
        """
        state = parse(data, source=source, exported=True)
        ids = {b.id for b in state.blocks.values()}
        for spec in state.agents.values():
            missing = [i for i in spec.blocks if i not in ids]
            if missing:
                raise CoreMemoryError(f"{source}: agent {spec.name!r} is attached to block {missing[0]!r}, which "
                                      "is not in the file; the export is damaged")
        with self._lock:
            if self.path.exists():
                shutil.copy2(self.path, self.path.with_name("core_memory.before-import.json"))
            self._state = state
            self._save()
        return state

    # ---------------------------------------------------------------- internals
    def _all(self, label: str) -> Block:
        try:
            return self._state.blocks[label]
        except KeyError:
            raise CoreMemoryError(f"there is no block labelled {label!r}; the blocks are: "
                                  f"{', '.join(self._state.blocks)}") from None

    def _edit(self, label: str, tool: str, change) -> MemoryEdit:
        with self._lock:
            self._load()
            block = self.block(label)
            if block.read_only and self.agent is not None and tool not in CLI_TOOLS:
                raise CoreMemoryError(
                    f"the {label} block is read-only: you can read it but not edit it; if it needs a change, "
                    f"tell the learner (they can edit it with `journal memory edit {label}`)")
            before = block.value
            after = change(block)
            if after == before:
                if tool == "memory edit":
                    raise _Unchanged()
                raise CoreMemoryError(f"the {label} block would not change; nothing was edited")
            if len(after) > block.limit:
                raise CoreMemoryError(
                    f"{tool} would make the {label} block {len(after):,} characters, over its "
                    f"limit of {block.limit:,} (it holds {len(before):,} now); shorten the new "
                    "text, or first condense the block with core_memory_replace "
                    "(merge related lines, delete outdated ones)"
                )
            edit = self._record(block, tool, before, after, agent=self.agent or "")
            self._save()
            return edit

    def _record(self, block: Block, tool: str, before: str, after: str, *, agent: str) -> MemoryEdit:
        edit = MemoryEdit(time=now_text(), tool=tool, label=block.label, before=before, after=after,
                          agent=agent, block_id=block.id)
        block.value = after
        block.modified = edit.time
        self._state.history.append(edit)
        return edit

    def _load(self, *, write_migration: bool = True) -> None:
        try:
            data = json.loads(self.path.read_text(encoding="utf-8"))
        except (OSError, ValueError) as exc:
            raise CoreMemoryError(
                f"{self.path}: core memory file is damaged ({exc}); fix or delete it "
                "(deleting restores the default blocks)"
            ) from exc
        state = parse(data, source=str(self.path))
        if not state.blocks:
            state = default_state()
        self._state = state
        old = not isinstance(data, dict) or data.get("version") != state.version
        if old and write_migration:
            shutil.copy2(self.path, self.path.with_name("core_memory.v1.json"))
            self._save()

    def _save(self) -> None:
        write_atomic(self.path, self._state.model_dump_json(indent=2))


class _Unchanged(Exception):
    pass


def _quote(text: str, limit: int = 80) -> str:
    return json.dumps(clip(text, limit), ensure_ascii=False)
