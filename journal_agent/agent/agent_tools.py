"""The tools beyond the journal agent's memory tools: the study queue and agent messaging.

* ``task_queue_push`` / ``task_queue_pop``: the course's custom memory example
  (DeepLearning.AI, "LLMs as Operating Systems: Agent Memory", lesson on a
  task-queue memory with push/pop tools): a block (``study_queue``) holding one
  task per line, the next task first, edited through
  :meth:`~journal_agent.agent.core_memory.CoreMemory.push_task` and ``pop_task``
  (limit-aware: a push that would overflow the block is refused).
* ``send_message_to_agent``: Letta's synchronous multi-agent messaging
  (``send_message_to_agent_and_wait_for_reply``, Letta docs "Multi-agent"):
  runs one turn of the other agent and returns its reply. The turn itself is run
  by the calling agent's *messenger* (:meth:`journal_agent.agent.loop.Agent.message_agent`),
  which applies the depth and loop rules of :mod:`journal_agent.agent.messaging`.

:class:`AgentTools` offers exactly the tools of one agent's record
(:class:`~journal_agent.agent.core_memory.AgentSpec`); the schemas come from the
docstrings, like every tool's (:mod:`journal_agent.agent.toolspec`).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from journal_agent.agent.core_memory import BUILTIN_TOOLS, AgentSpec, CoreMemory
from journal_agent.agent.journal_tools import ToolEffects, ToolError
from journal_agent.agent.tools import TOOL_NAMES, MemoryTools

EXTRA_TOOLS = ("task_queue_push", "task_queue_pop", "send_message_to_agent")
ALL_TOOLS = (*TOOL_NAMES, *EXTRA_TOOLS)

Messenger = Callable[[str, str], tuple[str, ToolEffects]]


def tool_names(spec: AgentSpec) -> tuple[str, ...]:
    """The tools of agent ``spec``: its own list, else its built-in set (the journal agent's for a new agent)."""
    names = spec.tools if spec.tools is not None else BUILTIN_TOOLS.get(spec.name, BUILTIN_TOOLS["journal"])
    return tuple(n for n in names if n in ALL_TOOLS)


class AgentTools(MemoryTools):
    """One agent's tools: the memory and journal tools it has, plus the queue and messaging tools.

    Args:
        journal, core, recall, archive: as for :class:`~journal_agent.agent.tools.MemoryTools`
            (``core`` is the agent's view of core memory).
        names: the tools offered, in schema order (see :func:`tool_names`).
        messenger: ``(agent, message) -> (reply text, effects)``, running the other agent's turn;
            it raises :class:`~journal_agent.agent.journal_tools.ToolError` to refuse.
    """

    def __init__(self, journal, core, recall, *, names: tuple[str, ...], archive=None,
                 messenger: Messenger | None = None, **kwargs):
        super().__init__(journal, core, recall, archive=archive, **kwargs)
        self.names = tuple(n for n in names if n in ALL_TOOLS)
        self.messenger = messenger

    def task_queue_push(self, task: str) -> str:
        """Add a task to the end of the study queue (the study_queue block).

        Args:
            task: The task, one line, e.g. "Review Day 2: MemGPT memory tiers (15 min)".
        """
        edit, tasks = self.core.push_task(task)
        return f"Queued as task {len(tasks)} of {len(tasks)} in the {edit.label} block ({self._edited(edit)})."

    def task_queue_pop(self) -> str:
        """Remove and return the first task of the study queue (the study_queue block)."""
        task, edit, left = self.core.pop_task()
        if edit is None:
            return "The study queue is empty."
        self._effects.edits.append(edit)
        return f"Popped: {task} ({len(left)} task{'s' if len(left) != 1 else ''} left)."

    def send_message_to_agent(self, agent: str, message: str) -> str:
        """Send a message to another agent (journal: answers from the notes; coach: plans study) and wait
        for its reply.

        Args:
            agent: The agent's name, e.g. journal or coach.
            message: What to ask or tell it; it does not see your conversation.
        """
        if self.messenger is None:
            raise ToolError("messaging other agents is not available in this session")
        if not message.strip():
            raise ToolError("message is empty; write what you want the other agent to answer or do")
        reply, effects = self.messenger(agent.strip(), message.strip())
        self._effects.merge(effects)
        return reply


@dataclass
class AgentInfo:
    """One agent as ``journal agents`` shows it.

    Attributes:
        name, description, role: from its record.
        persona: label of its persona block ('' when none).
        persona_text: its persona block's first line ('' when none).
        blocks: labels of its attached blocks, in prompt order.
        tools: its tool names, in schema order.
    """

    name: str
    description: str
    role: str
    persona: str
    persona_text: str
    blocks: list[str]
    tools: list[str]


def list_agents(journal) -> list[AgentInfo]:
    """Every agent of ``journal`` with its persona, attached blocks and tools.

    Raises:
        CoreMemoryError: the core-memory file is damaged.
    """
    state = CoreMemory.open(journal, agent=None).state
    persona = {label: (b.value.strip().splitlines() or [""])[0] for label, b in state.blocks.items()}
    return [AgentInfo(spec.name, spec.description, spec.role, spec.persona, persona.get(spec.persona, ""),
                      [b.label for b in map(state.by_id, spec.blocks) if b is not None], list(tool_names(spec)))
            for spec in state.agents.values()]
