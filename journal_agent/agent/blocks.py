"""Memory blocks and agents as records: the data model and file format of ``.journal/core_memory.json``.

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
from dataclasses import asdict, dataclass, field
from typing import Any, Literal

from journal_agent.errors import JournalError

FORMAT = "journal-agent-memory"
FORMAT_VERSION = 2
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


@dataclass
class Block:
    """One core-memory block.

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
    description: str
    value: str
    limit: int
    id: str = field(default_factory=new_id)
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


@dataclass
class AgentSpec:
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
    description: str
    persona: str
    blocks: list[str]
    tools: list[str] | None = None
    prompt: str = "system"
    role: AgentRole = "chat"


@dataclass
class MemoryEdit:
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


@dataclass
class MemoryState:
    """Everything in ``core_memory.json``: blocks by label, agents by name, the edit history (oldest first)."""

    blocks: dict[str, Block]
    agents: dict[str, AgentSpec]
    history: list[MemoryEdit] = field(default_factory=list)

    def by_id(self, block_id: str) -> Block | None:
        """The block with ``block_id``, or ``None``."""
        return next((b for b in self.blocks.values() if b.id == block_id), None)

    def attached_to(self, block: Block) -> list[str]:
        """Names of the agents ``block`` is attached to."""
        return [a.name for a in self.agents.values() if block.id in a.blocks]

    def to_dict(self) -> dict[str, Any]:
        """The version-2 document (see the module docstring)."""
        return {
            "format": FORMAT,
            "version": FORMAT_VERSION,
            "blocks": [asdict(b) for b in self.blocks.values()],
            "agents": [asdict(a) for a in self.agents.values()],
            "history": [asdict(e) for e in self.history],
        }


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
    made = [
        Block("persona", PERSONA_DESCRIPTION, DEFAULT_PERSONA, DEFAULT_LIMITS["persona"], modified=modified),
        Block("coach_persona", PERSONA_DESCRIPTION, DEFAULT_COACH_PERSONA, DEFAULT_LIMITS["coach_persona"],
              modified=modified),
        Block("learner", LEARNER_DESCRIPTION, DEFAULT_LEARNER, DEFAULT_LIMITS["learner"], modified=modified),
        Block("study_queue", STUDY_QUEUE_DESCRIPTION, "", DEFAULT_LIMITS["study_queue"], modified=modified),
    ]
    return {b.label: b for b in made}


def default_agents(blocks: dict[str, Block]) -> dict[str, AgentSpec]:
    """The three default agents over ``blocks`` (see the module docstring); missing blocks are skipped."""

    def ids(*labels: str) -> list[str]:
        return [blocks[label].id for label in labels if label in blocks]

    made = [
        AgentSpec("journal", "answers the learner's questions from the journal notes, citing them", "persona",
                  ids("persona", "learner", "study_queue"), prompt="system"),
        AgentSpec("coach", "plans what the learner studies and reviews next; keeps the study queue",
                  "coach_persona", ids("coach_persona", "learner", "study_queue"), prompt="coach"),
        AgentSpec("sleeptime", "reflects on new notes in the background and keeps the learner block current",
                  "", ids("learner"), prompt="sleeptime", role="sleeptime"),
    ]
    return {a.name: a for a in made}


def default_state() -> MemoryState:
    """A new journal's memory: :func:`default_blocks` attached to :func:`default_agents`."""
    blocks = default_blocks(now_text())
    return MemoryState(blocks, default_agents(blocks))


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
    try:
        blocks = {}
        for raw in data["blocks"]:
            block = Block(str(raw["label"]), str(raw.get("description", "")), str(raw.get("value", "")),
                          int(raw["limit"]), str(raw.get("id") or new_id()), bool(raw.get("read_only", False)),
                          str(raw.get("modified", "")))
            blocks[block.label] = block
        agents = {}
        for raw in data.get("agents", []):
            tools = raw.get("tools")
            agents[str(raw["name"])] = AgentSpec(
                str(raw["name"]), str(raw.get("description", "")), str(raw.get("persona", "")),
                [str(i) for i in raw.get("blocks", [])], [str(t) for t in tools] if tools is not None else None,
                str(raw.get("prompt", "system")), "sleeptime" if raw.get("role") == "sleeptime" else "chat")
        history = [MemoryEdit(**{k: str(v) for k, v in e.items()}) for e in data.get("history", [])]
    except (KeyError, TypeError, ValueError) as exc:
        raise CoreMemoryError(f"{source}: core memory file is damaged ({type(exc).__name__}: {exc}); fix or "
                              "delete it (deleting restores the default blocks)") from exc
    return MemoryState(blocks, agents or default_agents(blocks), history)


def migrate(data: dict[str, Any], *, source: str) -> MemoryState:
    """A version-1 file (``{"blocks": [persona, learner], "history": [...]}``) as a version-2 state.

    Its blocks keep their label, description, value and limit and get ids; each
    block's ``modified`` is its last recorded edit; its history is kept (undone
    edits are dropped, as version 1 dropped them from view). The default blocks
    it lacks (``coach_persona``, ``study_queue``) and the default agents are added.

    Raises:
        CoreMemoryError: the file is damaged.
    """
    try:
        history = [MemoryEdit(**{k: str(v) for k, v in e.items()}) for e in data.get("history", [])]
        old = {str(b["label"]): Block(str(b["label"]), str(b.get("description", "")), str(b.get("value", "")),
                                      int(b["limit"])) for b in data.get("blocks", [])}
    except (KeyError, TypeError, ValueError, AttributeError) as exc:
        raise CoreMemoryError(f"{source}: core memory file is damaged ({type(exc).__name__}: {exc}); fix or "
                              "delete it (deleting restores the default blocks)") from exc
    now = now_text()
    blocks = default_blocks(now)
    for label, block in old.items():
        edits = [e.time for e in history if e.label == label]
        block.modified = max(edits) if edits else now
        blocks[label] = block
    for edit in history:
        if edit.label in blocks and not edit.block_id:
            edit.block_id = blocks[edit.label].id
    ordered = {label: blocks[label] for label in [*old, *blocks] if label in blocks}
    agents = default_agents(ordered)
    extra = [b.id for label, b in ordered.items() if label in old and label not in DEFAULT_LIMITS]
    agents["journal"].blocks.extend(extra)  # a block of a hand-edited version-1 file stays in the journal agent's view
    return MemoryState(ordered, agents, history)


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
