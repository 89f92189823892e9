"""The compiled agent state: what an agent's next request would send, section by section, with tokens.

The DeepLearning.AI course "LLMs as Operating Systems: Agent Memory" shows "how agent
state is turned into a prompt", and Letta shows it as the agent's context window
(``GET /v1/agents/{agent_id}/context``, its ``ContextWindowOverview``: tokens of the
system prompt, core memory, summary memory, external-memory summary, function
definitions and messages, against ``context_window_size_max``). Here
:func:`compile_context` builds that view from the request the agent loop itself would
build next (:meth:`~journal_agent.agent.loop.Agent.preview`, the same
:meth:`~journal_agent.agent.loop.Agent.prepare` every step calls, run as a dry run:
nothing is stored, summarized, evicted or sent), so what ``journal context`` shows is
what the model's server receives. ``journal context`` prints it; ``journal serve``
serves it (:meth:`CompiledContext.letta` gives Letta's field names).

Tokens are the agent's :class:`~journal_agent.agent.context.TokenCounter` (one
tokenizer for the loop's budget, this view and the benchmarks; its
``encoding_reason`` says which encoding and why). The sections add up to the total the
loop counts for the step (``Step.context_tokens``); ``framing`` is the rest: per-message
overhead (OpenAI cookbook, "How to count tokens with tiktoken": 3 per message, 3 to
prime the reply) and the separators between sections.
"""

from __future__ import annotations

from typing import Any, Literal

from pydantic import BaseModel

from journal_agent.agent.context import summary_section
from journal_agent.agent.core_memory import CoreMemory

SectionName = Literal["system_instructions", "core_memory", "summary", "memory_metadata", "messages",
                      "tool_schemas", "framing"]


class BlockUsage(BaseModel):
    """One core-memory block as the request carries it.

    Attributes:
        label, description: the block's (Letta ``schemas/block.py``).
        chars_current: length of its value in characters; ``chars_limit``: its limit.
        read_only: the agent's tools cannot edit it.
        tokens: tokens of the block as rendered in the system prompt.
    """

    label: str
    description: str
    chars_current: int
    chars_limit: int
    read_only: bool
    tokens: int


class ContextSection(BaseModel):
    """One part of the request and its tokens."""

    name: SectionName
    tokens: int


class CompiledContext(BaseModel):
    """What the next request of an agent would send (see the module docstring).

    Attributes:
        agent, model: whose request, to which model.
        conversation_id: the recall conversation it continues (``None``: a new one).
        message: the opening message previewed ('' when none: the request then ends with the
            last stored message, and the memory metadata follows the system text).
        encoding, encoding_reason: the tokenizer (:class:`~journal_agent.agent.context.TokenCounter`).
        budget: the prompt-token budget of one step; ``tokens``: this request's count (the loop's figure).
        sections: tokens per part; they add up to ``tokens``.
        system_instructions, core_memory, summary, memory_metadata: the texts of those parts.
        blocks: each core-memory block with ``chars_current/chars_limit`` and tokens.
        messages: the request's messages exactly as sent (system message first).
        message_tokens: tokens of each of ``messages``, overhead included.
        tools: the tool schemas sent with it.
        num_recall_memory: messages in recall memory (this agent's); ``num_messages_in_view``: of the
            current conversation, in the window; ``num_archival_memory``: chunks in archival memory
            (``None`` when the archive is unavailable).
        events: what a real step would do first (summarize and evict, memory pressure).
    """

    agent: str
    model: str
    conversation_id: int | None
    message: str
    encoding: str
    encoding_reason: str
    budget: int
    tokens: int
    sections: list[ContextSection]
    system_instructions: str
    core_memory: str
    summary: str
    memory_metadata: str
    blocks: list[BlockUsage]
    messages: list[dict[str, Any]]
    message_tokens: list[int]
    tools: list[dict[str, Any]]
    num_recall_memory: int
    num_messages_in_view: int
    num_archival_memory: int | None
    events: list[str]

    def section(self, name: SectionName) -> int:
        """Tokens of section ``name``."""
        return next(s.tokens for s in self.sections if s.name == name)

    def letta(self) -> dict[str, Any]:
        """The view under Letta's ``ContextWindowOverview`` field names (``GET /v1/agents/{id}/context``)."""
        return {
            "context_window_size_max": self.budget,
            "context_window_size_current": self.tokens,
            "num_messages": len(self.messages),
            "num_archival_memory": self.num_archival_memory or 0,
            "num_recall_memory": self.num_recall_memory,
            "num_tokens_external_memory_summary": self.section("memory_metadata"),
            "external_memory_summary": self.memory_metadata,
            "num_tokens_system": self.section("system_instructions"),
            "system_prompt": self.system_instructions,
            "num_tokens_core_memory": self.section("core_memory"),
            "core_memory": self.core_memory,
            "num_tokens_summary_memory": self.section("summary"),
            "summary_memory": self.summary or None,
            "num_tokens_functions_definitions": self.section("tool_schemas"),
            "functions_definitions": self.tools,
            "num_tokens_messages": self.section("messages"),
            "messages": self.messages,
        }


class _NoModel:
    """Stands in for the client when no model is configured: a preview never calls the model."""

    base_url = ""


def compile_context(journal, *, agent: str = "journal", message: str | None = None,
                    conversation: int | Literal["new", "continue"] = "continue", client=None,
                    model: str | None = None, archive=None) -> CompiledContext:
    """The request ``agent``'s next turn would send first, for ``message``, with tokens per section.

    Args:
        journal: the :class:`~journal_agent.workspace.Journal`.
        agent: the agent's name (``journal agents`` lists them).
        message: the learner's next message ('' or ``None``: none; see :attr:`CompiledContext.message`).
        conversation: ``"continue"`` (default: the last conversation, as ``journal ask -c`` and
            ``journal chat`` go on; the sleep-time agent's last reflection), ``"new"`` (as ``journal ask``
            starts one) or a conversation id.
        client: the ``openai`` client whose endpoint's learned window sets the budget; default: the
            configured one, or none when no model is configured (the preview never calls it).
        model: the model name; default ``[llm] model``.
        archive: an open ``Archive`` for the memory metadata; opened when ``None``.

    Raises:
        CoreMemoryError: no agent called ``agent``.
        JournalError: ``conversation`` is an id that does not exist or is another agent's.
    """
    from journal_agent.agent.loop import Agent
    from journal_agent.openai_client import is_configured, make_client

    if client is None:
        client = make_client(journal.config, max_retries=0) if is_configured(journal.config) else _NoModel()
    role = CoreMemory.open(journal, agent=agent).spec(agent).role
    runner = Agent(journal, name=agent, model=model, client=client, archive=archive, conversation=conversation,
                   kind="reflection" if role == "sleeptime" else "chat")
    try:
        prepared = runner.preview(message or None)
        counter = runner.counter
        head = prepared.messages[0] if prepared.messages and prepared.messages[0].get("role") == "system" else {}
        rest = prepared.messages[1:] if head else prepared.messages
        instructions, core = runner.instructions, runner.core.render()
        summary, tail = summary_section(runner.recall.summary), prepared.tail
        tail_tokens = counter.count(tail)
        tail_in_system = bool(tail) and str(head.get("content") or "").endswith(tail)
        parts = {
            "system_instructions": counter.count(instructions),
            "core_memory": counter.count(core),
            "summary": counter.count(summary),
            "memory_metadata": tail_tokens,
            "messages": sum(counter.count(_text(m)) for m in rest) - (0 if tail_in_system or not tail
                                                                       else tail_tokens),
            "tool_schemas": counter.count_tools(runner.schemas),
        }
        parts["framing"] = prepared.tokens - sum(parts.values())
        stats = runner.archive_stats()
        return CompiledContext(
            agent=runner.name, model=runner.model, conversation_id=runner.recall.conversation_id,
            message=message or "", encoding=counter.encoding_name, encoding_reason=counter.encoding_reason,
            budget=prepared.budget, tokens=prepared.tokens,
            sections=[ContextSection(name=name, tokens=tokens) for name, tokens in parts.items()],
            system_instructions=instructions, core_memory=core, summary=summary, memory_metadata=tail,
            blocks=[BlockUsage(label=b.label, description=b.description, chars_current=b.chars_current,
                               chars_limit=b.limit, read_only=b.read_only, tokens=counter.count(b.render()))
                    for b in runner.core.blocks],
            messages=prepared.messages, message_tokens=[counter.count_message(m) for m in prepared.messages],
            tools=runner.schemas, num_recall_memory=runner.recall.count(),
            num_messages_in_view=runner.recall.count(in_context_only=True),
            num_archival_memory=stats.chunks if stats is not None else None, events=prepared.events)
    finally:
        runner.close()


def _text(message: dict[str, Any]) -> str:
    """The countable text of one chat message: its content and its tool calls' names and arguments."""
    content = message.get("content")
    text = content if isinstance(content, str) else ""
    for call in message.get("tool_calls") or []:
        fn = call.get("function", {})
        text += (fn.get("name") or "") + (fn.get("arguments") or "")
    return text
