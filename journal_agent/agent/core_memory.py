"""Core memory: the agents' in-context, self-editable memory blocks, and the file that holds them.

In MemGPT (Packer et al. 2023, "MemGPT: Towards LLMs as Operating Systems",
arXiv:2310.08560) and its successor Letta, *core memory* is the part of the
main context an agent rewrites itself through tools: *blocks* (:class:`Block`),
rendered into the system prompt with their size and limit so the model sees its
budget (Letta docs, "Memory blocks"). Blocks are stored once and attached to
agents (:class:`AgentSpec`); a block attached to several is *shared memory*
(Letta docs, "Shared memory", "Multi-agent"): an edit by one is in the others' next prompt.

The default memory (:func:`default_state`):

* blocks ``persona`` (the journal agent's), ``coach_persona`` (the coach's),
  ``learner`` (the learner profile) and ``study_queue`` (the study plan, one
  task per line, kept by the coach with ``task_queue_push``/``task_queue_pop``;
  the course's custom task-queue memory);
* agents ``journal`` (answers from the notes; the default), ``coach`` (plans
  study and review) and ``sleeptime`` (reflects on new notes in the background,
  Letta's sleep-time agent), sharing ``learner``; ``journal`` and ``coach``
  share ``study_queue`` too.

Storage: ``.journal/core_memory.json``, format version 2 (:data:`FORMAT_VERSION`)::

    {"format": "journal-agent-memory", "version": 2,
     "blocks": [{id, label, description, value, limit, read_only, modified}],
     "agents": [{name, description, persona, blocks: [block ids], tools, prompt, role}],
     "history": [{time, tool, label, before, after, agent, block_id}]}

Version 1 (persona and learner blocks, history, no agents) is migrated on
first open by :func:`migrate`, keeping its blocks and history; the file as it
was is kept beside it (``core_memory.v1.json``). ``journal memory export``
writes the same document; ``import`` refuses any other format or version.

:class:`CoreMemory` is one agent's view of the journal's blocks (``agent=None``:
every block, as ``journal memory`` sees them). The file is written atomically
under a :class:`~journal_agent.locks.JournalLock`; every change is re-read,
applied and written under the lock, so a ``journal chat`` session, a
background reflection and a second agent never lose each other's edits. Every
edit is recorded as a :class:`MemoryEdit`; :meth:`CoreMemory.undo` reverts the
last one and records that as an edit too, so a second undo redoes.
"""

from __future__ import annotations

import datetime as dt
import json
import re
import shutil
import uuid
from pathlib import Path
from typing import Any, Final, Literal

from pydantic import (
    BaseModel,
    Field,
    ValidationError,
    ValidationInfo,
    field_serializer,
    field_validator,
    model_validator,
)

from journal_agent.atomic import write_atomic
from journal_agent.errors import JournalError
from journal_agent.locks import JournalLock
from journal_agent.text import clip

FORMAT: Final = "journal-agent-memory"
FORMAT_VERSION: Final = 2
LABEL_RE = re.compile(r"^[a-z][a-z0-9_]{0,39}$")
MAX_LIMIT = 20_000
AgentRole = Literal["chat", "sleeptime"]

PERSONA_DESCRIPTION = "Who you are; edit only when the learner asks you to work differently."
LEARNER_DESCRIPTION = ("The learner profile: goals, courses and books, topics learned (date: topic), open questions, "
                       "struggles, preferences. One fact per line, dates as YYYY-MM-DD; merge or drop outdated lines.")
STUDY_QUEUE_DESCRIPTION = "The study plan, one task per line, next first; the coach keeps it."
# Short on purpose: every block is in every prompt (lean context, python -m benchmarks.bench_context).
DEFAULT_PERSONA = ("I am the learner's journal agent. I answer from their journal, connect new topics to what "
                   "they learned before, point out gaps and open questions, and suggest a next step.")
DEFAULT_COACH_PERSONA = (
    "I am the learner's study coach. I plan what to study and review next from their goals, "
    "their notes and their struggles, and keep the plan in the study_queue block, one task per line.\n"
    "For what they wrote, I ask the journal agent (send_message_to_agent) or search archival memory.\n"
    "I am brief and concrete: one next step at a time.")
DEFAULT_LEARNER = ("Goals:\nCurrent courses and books:\nTopics learned (date: topic):\nOpen questions:\n"
                   "Struggles:\nPreferences:\nStreak:")
DEFAULT_LIMITS = {"persona": 2000, "coach_persona": 2000, "learner": 5000, "study_queue": 1500}


class CoreMemoryError(JournalError):
    """A core-memory change cannot be applied as asked; the message says how to fix it."""


def now_text() -> str:
    """Local time now, ISO 8601 to the second (the format of every time in the file)."""
    return dt.datetime.now().replace(microsecond=0).isoformat()


class Block(BaseModel):
    """One core-memory block, after Letta's ``schemas/block.py``.

    Attributes:
        label: short identifier, unique in the journal (``persona``, ``learner``); the block's tag in the prompt.
        description: what belongs in the block; shown to the model.
        value: the block's text.
        limit: maximum length of ``value`` in characters.
        id: stable id (``block-<uuid4>``); attachments and history refer to it.
        read_only: agents can read the block but their core-memory tools refuse to edit it.
        modified: local time of the last change, ISO 8601 ('' when unknown).
    """

    label: str
    description: str = ""
    value: str = ""
    limit: int
    id: str = Field(default_factory=lambda: f"block-{uuid.uuid4()}")  # as Letta's block ids
    read_only: bool = False
    modified: str = ""

    @property
    def chars_current(self) -> int:
        """Length of ``value`` in characters."""
        return len(self.value)

    def render(self) -> str:
        """The block as it appears in the system prompt (Letta's XML-like layout)."""
        read_only = "\n- read_only=true" if self.read_only else ""
        return (
            f"<{self.label}>\n"
            f"<description>\n{self.description}\n</description>\n"
            f"<metadata>\n- chars_current={self.chars_current}\n- chars_limit={self.limit}{read_only}\n</metadata>\n"
            f"<value>\n{self.value}\n</value>\n"
            f"</{self.label}>")


class AgentSpec(BaseModel):
    """One agent of the journal.

    Attributes:
        name: its name (``journal``, ``coach``, ``sleeptime``); ``journal ask --agent NAME``.
        description: what it does, one line (shown to other agents and in ``journal agents``).
        persona: label of its persona block ('' when it has none).
        blocks: ids of the blocks attached to it, in prompt order.
        tools: its tool names; ``None`` means its built-in set (:data:`BUILTIN_TOOLS`).
        prompt: its system-prompt file (``prompts/<prompt>.md``).
        role: ``chat`` (the learner talks to it) or ``sleeptime`` (runs in the background).
    """

    name: str
    description: str = ""
    persona: str = ""
    blocks: list[str] = []
    tools: list[str] | None = None
    prompt: str = "system"
    role: AgentRole = "chat"


class MemoryEdit(BaseModel):
    """One recorded core-memory change.

    Attributes:
        time: local time of the edit, ISO 8601 to the second.
        tool: what made it (``core_memory_append``, ``core_memory_replace``, ``task_queue_push``,
            ``memory edit`` for ``journal memory edit``, ``memory undo``).
        label: the block changed.
        before, after: the block's full value before and after.
        agent: the agent that made it ('' for the learner, from the CLI).
        block_id: the id of the block changed.
    """

    time: str
    tool: str
    label: str
    before: str
    after: str
    agent: str = ""
    block_id: str = ""


class MemoryState(BaseModel):
    """Everything in ``core_memory.json``: blocks by label, agents by name, the edit history (oldest first).

    Validating reads the version-2 document (lists of blocks and agents keyed here by label and
    name; no agents → :func:`default_agents`); :meth:`model_dump` writes it back.
    """

    format: Literal["journal-agent-memory"] = FORMAT
    version: Literal[2] = FORMAT_VERSION
    blocks: dict[str, Block]
    agents: dict[str, AgentSpec] = {}
    history: list[MemoryEdit] = []

    @field_validator("blocks", "agents", mode="before")
    @classmethod
    def _keyed(cls, value: Any, info: ValidationInfo) -> Any:
        key = "label" if info.field_name == "blocks" else "name"
        if not isinstance(value, list):
            return value
        return {(item.get(key) if isinstance(item, dict) else None) or f"#{n}": item for n, item in enumerate(value)}

    @field_serializer("blocks", "agents")
    def _listed(self, value: dict[str, Any]) -> list[Any]:
        return list(value.values())

    @model_validator(mode="after")
    def _default_agents(self) -> MemoryState:
        self.agents = self.agents or default_agents(self.blocks)
        return self

    def by_id(self, block_id: str) -> Block | None:
        """The block with ``block_id``, or ``None``."""
        return next((b for b in self.blocks.values() if b.id == block_id), None)

    def attached_to(self, block: Block) -> list[str]:
        """Names of the agents ``block`` is attached to."""
        return [a.name for a in self.agents.values() if block.id in a.blocks]


BUILTIN_TOOLS: dict[str, tuple[str, ...]] = {
    "journal": ("archival_memory_search", "archival_memory_insert", "core_memory_append", "core_memory_replace",
                "conversation_search", "read_note", "list_notes", "journal_stats", "send_message_to_agent"),
    "coach": ("core_memory_append", "core_memory_replace", "task_queue_push", "task_queue_pop",
              "archival_memory_search", "conversation_search", "list_notes", "journal_stats",
              "send_message_to_agent"),
    "sleeptime": ("core_memory_append", "core_memory_replace", "archival_memory_search")}


def default_blocks(modified: str = "") -> dict[str, Block]:
    """The default blocks: ``persona``, ``coach_persona``, ``learner``, ``study_queue``."""
    made = [("persona", PERSONA_DESCRIPTION, DEFAULT_PERSONA), ("coach_persona", PERSONA_DESCRIPTION,
            DEFAULT_COACH_PERSONA), ("learner", LEARNER_DESCRIPTION, DEFAULT_LEARNER),
            ("study_queue", STUDY_QUEUE_DESCRIPTION, "")]
    return {label: Block(label=label, description=description, value=value, limit=DEFAULT_LIMITS[label],
                         modified=modified) for label, description, value in made}


def default_agents(blocks: dict[str, Block]) -> dict[str, AgentSpec]:
    """The three default agents over ``blocks`` (see the module docstring); missing blocks are skipped."""

    def ids(*labels: str) -> list[str]:
        return [blocks[label].id for label in labels if label in blocks]

    made = [
        AgentSpec(name="journal", description="answers the learner's questions from the journal notes, citing them",
                  persona="persona", blocks=ids("persona", "learner", "study_queue"), prompt="system"),
        AgentSpec(name="coach", description="plans what the learner studies and reviews next; keeps the study queue",
                  persona="coach_persona", blocks=ids("coach_persona", "learner", "study_queue"), prompt="coach"),
        AgentSpec(name="sleeptime", description="reflects on new notes in the background and keeps the learner "
                  "block current", blocks=ids("learner"), prompt="sleeptime", role="sleeptime")]
    return {a.name: a for a in made}


def default_state() -> MemoryState:
    """A new journal's memory: :func:`default_blocks` attached to :func:`default_agents`."""
    return MemoryState(blocks=default_blocks(now_text()))


def parse(data: Any, *, source: str, exported: bool = False) -> MemoryState:
    """Read a version-2 document (or migrate a version-1 file when not ``exported``).

    Args:
        data: the parsed JSON.
        source: the file, for messages.
        exported: ``data`` comes from ``journal memory import``: only this format and version are accepted.

    Raises:
        CoreMemoryError: not a memory document, another format version, or damaged.
    """
    if not isinstance(data, dict):
        raise CoreMemoryError(f"{source}: not a journal-agent memory file (expected a JSON object)")
    version = data.get("version")
    if exported:
        if data.get("format") != FORMAT:
            raise CoreMemoryError(f"{source}: not a journal-agent memory export (no \"format\": \"{FORMAT}\"); "
                                  "write one with `journal memory export FILE`")
        if version != FORMAT_VERSION:
            raise CoreMemoryError(
                f"{source}: memory export format version {version!r}, but this journal-agent reads version "
                f"{FORMAT_VERSION} only; export it again with the journal-agent that reads it, or upgrade")
    elif version in (None, 1):
        return migrate(data, source=source)
    elif version != FORMAT_VERSION:
        raise CoreMemoryError(f"{source}: core memory format version {version!r} is newer than this journal-agent "
                              f"reads ({FORMAT_VERSION}); upgrade journal-agent")
    return _validated(data, source)


def migrate(data: dict[str, Any], *, source: str) -> MemoryState:
    """A version-1 file (``{"blocks": [persona, learner], "history": [...]}``) as a version-2 state.

    Its blocks keep their label, description, value and limit and get ids; each
    block's ``modified`` is its last recorded edit; its history is kept (undone
    edits are dropped, as version 1 dropped them from view). The default blocks
    it lacks (``coach_persona``, ``study_queue``) and the default agents are added.

    Raises:
        CoreMemoryError: the file is damaged.
    """
    old = _validated({"blocks": data.get("blocks", []), "history": data.get("history", [])}, source)
    now = now_text()
    for label, block in old.blocks.items():
        block.modified = max((e.time for e in old.history if e.label == label), default=now)
    blocks = old.blocks | {label: b for label, b in default_blocks(now).items() if label not in old.blocks}
    for edit in old.history:
        if edit.label in blocks and not edit.block_id:
            edit.block_id = blocks[edit.label].id
    agents = default_agents(blocks)
    # a block of a hand-edited version-1 file stays in the journal agent's view
    agents["journal"].blocks.extend(b.id for label, b in old.blocks.items() if label not in DEFAULT_LIMITS)
    return MemoryState(blocks=blocks, agents=agents, history=old.history)


def _validated(data: dict[str, Any], source: str) -> MemoryState:
    try:
        return MemoryState.model_validate(data)
    except ValidationError as exc:
        first = exc.errors()[0]
        where = ".".join(str(part) for part in first["loc"])
        raise CoreMemoryError(f"{source}: core memory file is damaged ({where}: {first['msg']}); fix or "
                              "delete it (deleting restores the default blocks)") from exc


def check_label(label: str) -> str:
    """``label`` if it can name a block (it becomes the block's tag in the prompt).

    Raises:
        CoreMemoryError: not 1-40 lowercase letters, digits or ``_``, starting with a letter.
    """
    if not LABEL_RE.match(label or ""):
        raise CoreMemoryError(f"{label!r} cannot label a block: use 1-40 lowercase letters, digits or _, "
                              "starting with a letter (e.g. reading_list)")
    return label


def queue_tasks(value: str) -> list[str]:
    """The tasks of a queue block's value: each non-empty line, without its ``- `` or ``1.`` marker."""
    return [task_text(line) for line in value.splitlines() if line.strip()]


def task_text(line: str) -> str:
    """One queue line without its ``- ``, ``* `` or ``1.`` marker."""
    text = line.strip()
    if text.startswith(("- ", "* ")):
        return text[2:].strip()
    head, dot, rest = text.partition(". ")
    return rest.strip() if dot and head.isdigit() else text


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

    Attributes:
        state: every block, agent and edit, as last loaded (:class:`MemoryState`).

    Raises:
        CoreMemoryError: the file is damaged or of a newer format; ``agent`` does not exist.
    """

    def __init__(self, path: Path, agent: str | None = "journal"):
        self.path = Path(path)
        self.agent = agent
        self._lock = JournalLock(str(self.path) + ".lock", holder="core memory edit", timeout=30)
        self.state: MemoryState = default_state()
        self.reload(create=True)
        if agent is not None:
            self.spec(agent)

    @classmethod
    def open(cls, journal, agent: str | None = "journal") -> CoreMemory:
        """Open (creating with the default blocks and agents) the core memory of ``journal`` as ``agent`` sees it."""
        return cls(journal.state_dir / MEMORY_FILE, agent)

    @property
    def blocks(self) -> list[Block]:
        """The blocks of this view, in prompt order."""
        if self.agent is None:
            return list(self.state.blocks.values())
        found = (self.state.by_id(i) for i in self.spec(self.agent).blocks)
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
        found = next((b for b in self.blocks if b.label == label), None)
        if found is None:
            raise CoreMemoryError(
                f"there is no core memory block labelled {label!r}; use one of: {', '.join(self.labels)}")
        return found

    def spec(self, name: str) -> AgentSpec:
        """The agent record called ``name``.

        Raises:
            CoreMemoryError: no such agent (the message lists them).
        """
        try:
            return self.state.agents[name]
        except KeyError:
            raise CoreMemoryError(f"there is no agent named {name!r}; the agents are: "
                                  f"{', '.join(self.state.agents)} (`journal agents` lists them)") from None

    def attached_to(self, label: str) -> list[str]:
        """Names of the agents block ``label`` is attached to."""
        return self.state.attached_to(self.state.blocks[label])

    def last_modified(self) -> str:
        """When a block of this view last changed (ISO 8601; '' when unknown)."""
        return max((b.modified for b in self.blocks), default="")

    def history(self) -> list[MemoryEdit]:
        """Every recorded edit of every block, oldest first (undos included)."""
        self.reload()
        return list(self.state.history)

    def render(self) -> str:
        """This view's blocks for the system prompt, inside ``<memory_blocks>``."""
        inner = "\n\n".join(block.render() for block in self.blocks)
        return ("<memory_blocks>\nThe following memory blocks are currently engaged in your core memory:\n\n"
                f"{inner}\n</memory_blocks>")

    def to_dict(self, *, with_history: bool = False) -> dict[str, Any]:
        """JSON-ready view: ``{"blocks": [{id, label, description, value, limit, read_only, modified,
        chars_current, agents}]}`` (and ``history`` when asked)."""
        out: dict[str, Any] = {"blocks": [b.model_dump() | {"chars_current": b.chars_current,
                                                             "agents": self.state.attached_to(b)}
                                          for b in self.blocks]}
        if with_history:
            out["history"] = [e.model_dump() for e in self.state.history]
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
            raise CoreMemoryError("old_content is empty; copy the exact text to change from the block's <value> "
                                  "(to add new text, use core_memory_append)")

        def change(block: Block) -> str:
            count = block.value.count(old_content)
            if count == 0:
                raise CoreMemoryError(f"old_content {_quote(old_content)} does not occur in the {block.label} block; "
                                      "copy it exactly (case, spaces and punctuation) from the block's <value>")
            if count > 1:
                raise CoreMemoryError(
                    f"old_content {_quote(old_content)} occurs {count} times in the {block.label} block; "
                    "include more of the surrounding text so it matches exactly once")
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
        def change(block: Block) -> str:
            lines = block.value.splitlines()
            first = next((index for index, raw in enumerate(lines) if raw.strip()), None)
            if first is None:
                raise _Unchanged()
            return "\n".join(lines[first + 1:]).strip("\n")

        try:
            edit = self._edit(label, "task_queue_pop", change)
        except _Unchanged:
            return None, None, []
        return queue_tasks(edit.before)[0], edit, queue_tasks(edit.after)

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
            if not self.state.history:
                raise CoreMemoryError("nothing to undo: core memory has no recorded edits")
            last = self.state.history[-1]
            block = self.state.by_id(last.block_id) if last.block_id else self.state.blocks.get(last.label)
            if block is None or block.value != last.after:
                raise CoreMemoryError(f"cannot undo the last edit of the {last.label} block: the block no longer "
                                      "holds what that edit left; use `journal memory edit` instead")
            recorded = self._record(block, "memory undo", block.value, last.before, agent="")
            self._save()
            return last, recorded

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
            if label in self.state.blocks:
                raise CoreMemoryError(f"there is already a block labelled {label!r}; pick another label "
                                      "or delete it first (`journal memory block delete`)")
            names = agents if agents else [a.name for a in self.state.agents.values() if a.role == "chat"]
            specs = [self.spec(name) for name in names]
            block = Block(label=label, description=description.strip(), value=value, limit=limit,
                          read_only=read_only, modified=now_text())
            self.state.blocks[label] = block
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
            owners = [a.name for a in self.state.agents.values() if a.persona == label]
            if owners:
                raise CoreMemoryError(f"the {label} block is the persona of the {owners[0]} agent and cannot be "
                                      f"deleted; edit it with `journal memory edit {label}`")
            attached = self.state.attached_to(block)
            for spec in self.state.agents.values():
                spec.blocks = [i for i in spec.blocks if i != block.id]
            del self.state.blocks[label]
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

    def export_data(self) -> dict[str, Any]:
        """Every block, attachment, agent and edit as the version-2 document (``journal memory export``)."""
        self.reload()
        return self.state.model_dump()

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
            self.state = state
            self._save()
        return state

    def _all(self, label: str) -> Block:
        try:
            return self.state.blocks[label]
        except KeyError:
            raise CoreMemoryError(f"there is no block labelled {label!r}; the blocks are: "
                                  f"{', '.join(self.state.blocks)}") from None

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
                raise CoreMemoryError(f"{tool} would make the {label} block {len(after):,} characters, over its "
                                      f"limit of {block.limit:,} (it holds {len(before):,} now); shorten the new "
                                      "text, or first condense the block with core_memory_replace "
                                      "(merge related lines, delete outdated ones)")
            edit = self._record(block, tool, before, after, agent=self.agent or "")
            self._save()
            return edit

    def _record(self, block: Block, tool: str, before: str, after: str, *, agent: str) -> MemoryEdit:
        edit = MemoryEdit(time=now_text(), tool=tool, label=block.label, before=before, after=after,
                          agent=agent, block_id=block.id)
        block.value = after
        block.modified = edit.time
        self.state.history.append(edit)
        return edit

    def _load(self, *, write_migration: bool = True) -> None:
        try:
            data = json.loads(self.path.read_text(encoding="utf-8"))
        except (OSError, ValueError) as exc:
            raise CoreMemoryError(f"{self.path}: core memory file is damaged ({exc}); fix or delete it "
                                  "(deleting restores the default blocks)") from exc
        state = parse(data, source=str(self.path))
        self.state = state if state.blocks else default_state()
        if write_migration and (not isinstance(data, dict) or data.get("version") != state.version):  # version 1
            shutil.copy2(self.path, self.path.with_name("core_memory.v1.json"))
            self._save()

    def _save(self) -> None:
        write_atomic(self.path, self.state.model_dump_json(indent=2))


class _Unchanged(Exception):
    pass


def _quote(text: str, limit: int = 80) -> str:
    return json.dumps(clip(text, limit), ensure_ascii=False)
