"""Memory blocks and agents as pydantic records: the data model and file format of ``.journal/core_memory.json``.

Letta's design (docs "Memory blocks", "Shared memory", "Multi-agent"): a
*block* is a record of its own (``id``, ``label``, ``description``,
``value``, ``limit`` in characters, ``read_only``), stored once and attached
to one or more agents; when one agent edits a shared block, every agent it is
attached to sees the change in its next prompt. An *agent* here is a record
too: a name, a description, its persona block, the blocks attached to it (by
block id), its tools and its system-prompt file.

The default memory (:func:`default_state`):

* blocks ``persona`` (the journal agent's), ``coach_persona`` (the coach's),
  ``learner`` (the learner profile) and ``study_queue`` (the study plan, one
  task per line, kept by the coach with ``task_queue_push``/``task_queue_pop``;
  the course's custom task-queue memory);
* agents ``journal`` (answers from the notes; the default), ``coach`` (plans
  study and review) and ``sleeptime`` (reflects on new notes in the background,
  Letta's sleep-time agent), sharing ``learner``; ``journal`` and ``coach``
  share ``study_queue`` too.

File format version 2 (:data:`FORMAT_VERSION`)::

    {"format": "journal-agent-memory", "version": 2,
     "blocks": [{id, label, description, value, limit, read_only, modified}],
     "agents": [{name, description, persona, blocks: [block ids], tools, prompt, role}],
     "history": [{time, tool, label, before, after, agent, block_id}]}

Version 1 (persona and learner blocks, history, no agents) is migrated on
first open by :func:`migrate`, keeping its blocks and history; the file as it
was is kept beside it (``core_memory.v1.json``). ``journal memory export``
writes the same document; ``import`` refuses any other format or version.
"""

from __future__ import annotations

import datetime as dt
import re
import uuid
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

from journal_agent.errors import JournalError

FORMAT: Final = "journal-agent-memory"
FORMAT_VERSION: Final = 2
LABEL_RE = re.compile(r"^[a-z][a-z0-9_]{0,39}$")
MAX_LIMIT = 20_000
AgentRole = Literal["chat", "sleeptime"]

PERSONA_DESCRIPTION = "Who you are; edit only when the learner asks you to work differently."
LEARNER_DESCRIPTION = (
    "The learner profile: goals, courses and books, topics learned (date: topic), open questions, "
    "struggles, preferences. One fact per line, dates as YYYY-MM-DD; merge or drop outdated lines."
)
STUDY_QUEUE_DESCRIPTION = "The study plan, one task per line, next first; the coach keeps it."
# Short on purpose: every block is in every prompt (lean context, python -m benchmarks.bench_context).
DEFAULT_PERSONA = (
    "I am the learner's journal agent. I answer from their journal, connect new topics to what "
    "they learned before, point out gaps and open questions, and suggest a next step."
)
DEFAULT_COACH_PERSONA = (
    "I am the learner's study coach. I plan what to study and review next from their goals, "
    "their notes and their struggles, and keep the plan in the study_queue block, one task per line.\n"
    "For what they wrote, I ask the journal agent (send_message_to_agent) or search archival memory.\n"
    "I am brief and concrete: one next step at a time."
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
DEFAULT_LIMITS = {"persona": 2000, "coach_persona": 2000, "learner": 5000, "study_queue": 1500}


class CoreMemoryError(JournalError):
    """A core-memory change cannot be applied as asked; the message says how to fix it."""


def now_text() -> str:
    """Local time now, ISO 8601 to the second (the format of every time in the file)."""
    return dt.datetime.now().replace(microsecond=0).isoformat()


def new_id() -> str:
    """A new block id, ``block-`` and a UUID4 (Letta's block ids)."""
    return f"block-{uuid.uuid4()}"


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
    id: str = Field(default_factory=new_id)
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
            f"</{self.label}>"
        )


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
    "sleeptime": ("core_memory_append", "core_memory_replace", "archival_memory_search"),
}


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
                  "block current", blocks=ids("learner"), prompt="sleeptime", role="sleeptime"),
    ]
    return {a.name: a for a in made}


def default_state() -> MemoryState:
    """A new journal's memory: :func:`default_blocks` attached to :func:`default_agents`."""
    return MemoryState(blocks=default_blocks(now_text()))


# ------------------------------------------------------------------ reading
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
    for marker in ("- ", "* "):
        if text.startswith(marker):
            return text[len(marker):].strip()
    head, dot, rest = text.partition(". ")
    return rest.strip() if dot and head.isdigit() else text
