"""The memory agent loop (MemGPT over the ``openai`` SDK's chat completions).

One step: build the context (system instructions + core memory + memory
metadata + running summary + the recent messages that fit the budget), call
chat completions with the memory tools, run every tool call in the reply and
append the results to recall memory. The loop continues while the model calls
tools and stops when it answers without one, or at the step cap. Each step is
yielded as a :class:`Step` as it finishes, in the manner of smolagents'
``stream=True`` runs, so the CLI can show steps live and tests can inspect them.

Sources: Packer et al. 2023, "MemGPT: Towards LLMs as Operating Systems"
(arXiv:2310.08560); Letta docs ("Agent memory", "Base tools"); the
DeepLearning.AI course "LLMs as Operating Systems: Agent Memory".
"""

from __future__ import annotations

import datetime as dt
import time
from dataclasses import dataclass, field
from typing import Callable, Iterator

from journal_agent.agent.context import ContextWindow, TokenCounter, memory_metadata, summarize, summary_section
from journal_agent.agent.core_memory import CoreMemory
from journal_agent.agent.llm import complete, make_client
from journal_agent.agent.recall import RecallMemory
from journal_agent.agent.tools import MemoryTools, ToolEffects
from journal_agent.errors import AgentError

BASE_INSTRUCTIONS = """\
You are the memory agent of a personal learning journal, built on the MemGPT design: your \
context window is limited, so you manage your own memory with tools.

How you run: each step, you either call tools or answer. Tool results come back to you; keep \
calling tools until you can answer, then reply to the learner in plain Markdown without a tool call.

Your memory:
- Core memory (below, always in view): the persona block (who you are) and the learner block \
(the learner profile). Keep the learner block current with core_memory_append and \
core_memory_replace: goals, courses and books, topics learned and when, open questions, \
struggles, preferences, streak. Stay within each block's chars_limit.
- Archival memory: every journal note, chunked and searchable by meaning and keywords with \
date filters (archival_memory_search), plus entries you saved (archival_memory_insert).
- Recall memory: the whole conversation history, including messages no longer in view \
(conversation_search).

Answering:
- For any question about what the learner studied or wrote, search archival memory first, \
and answer only from what you retrieved. Cite every note you use by its title, date and path, \
exactly as the search results give them. Never cite a note you did not retrieve in this turn.
- If the journal does not cover something, say so.
- Messages starting with "[system event]" come from the journal software, not the learner."""

CAP_MESSAGE = (
    "I stopped after {steps} steps without reaching an answer (the step cap). Ask again, more "
    "specifically, or raise [agent] max_steps in journal.toml (or JOURNAL_MAX_STEPS)."
)


@dataclass
class ToolCallRecord:
    """One tool call made in a step: the raw ``arguments`` JSON and the ``result`` returned to the model."""

    id: str
    name: str
    arguments: str
    result: str
    error: bool
    seconds: float


@dataclass
class Step:
    """One step of the loop.

    Attributes:
        number: 1-based step number within the turn.
        tool_calls: the calls the model made, with their results.
        content: the model's text ('' when it only called tools; the step-cap
            message when ``stop_reason == "step_cap"``).
        final: whether the turn ends with this step.
        stop_reason: ``"answer"``, ``"step_cap"`` or ``None`` (the loop goes on).
        context_tokens: prompt tokens counted for this step's request.
        events: context events (memory pressure warning, summarization/eviction, trimming).
        llm_seconds: wall time inside HTTP calls to the model (chat and summary).
        seconds: wall time of the whole step.
    """

    number: int
    tool_calls: list[ToolCallRecord] = field(default_factory=list)
    content: str = ""
    final: bool = False
    stop_reason: str | None = None
    context_tokens: int = 0
    events: list[str] = field(default_factory=list)
    llm_seconds: float = 0.0
    seconds: float = 0.0

    @property
    def non_llm_seconds(self) -> float:
        """Time spent outside the model: context assembly, tools, storage."""
        return max(0.0, self.seconds - self.llm_seconds)


@dataclass
class Turn:
    """A finished turn: the message, the answer, its steps, and the notes it cited.

    ``sources`` are :class:`~journal_agent.citations.Source`; ``flagged`` are
    notes the answer names that were not retrieved in this turn.
    """

    message: str
    answer: str
    steps: list[Step]
    sources: list = field(default_factory=list)
    flagged: list[str] = field(default_factory=list)
    stop_reason: str = "answer"
    edits: list = field(default_factory=list)


class Agent:
    """The memory agent of one journal.

    Args:
        journal: the :class:`~journal_agent.workspace.Journal`.
        model: model name; default ``journal.config.llm.model`` (``JOURNAL_MODEL``, ``[llm] model``).
        client: an ``openai.OpenAI``-compatible client; default :func:`~journal_agent.llm.make_client`.
        archive: an open ``Archive``; opened on first use when ``None``.
        max_steps: step cap; default ``[agent] max_steps``.
        context_tokens: prompt-token budget; default ``[agent] context_tokens``.

    Raises:
        ModelNotConfigured: no client given and no endpoint configured.
    """

    def __init__(self, journal, *, model: str | None = None, client=None, archive=None,
                 max_steps: int | None = None, context_tokens: int | None = None):
        self.journal = journal
        self.model = model or journal.config.llm.model
        self.client = client if client is not None else make_client(journal.config)
        self.max_steps = max(1, max_steps or journal.config.agent.max_steps)
        self.core = CoreMemory.open(journal)
        self.recall = RecallMemory.open(journal)
        self.tools = MemoryTools(journal, self.core, self.recall, archive=archive)
        self.schemas = self.tools.schemas()
        self.counter = TokenCounter(self.model)
        self.context = ContextWindow(
            self.recall, self.counter, context_tokens or journal.config.agent.context_tokens,
            lambda previous, messages: summarize(self.client, model=self.model, previous=previous,
                                                 messages=messages),
        )
        self._stats = None
        self.turn = ToolEffects()  # what this turn's tool calls retrieved and edited

    def close(self) -> None:
        """Close recall memory's database connection."""
        self.recall.close()

    # ------------------------------------------------------------------ prompt
    def archive_stats(self):
        """The archive's stats for the metadata section, ``None`` when the archive is unavailable."""
        if self._stats is None:
            try:
                self._stats = self.tools.archive.stats()
            except Exception:  # noqa: BLE001 - the agent still works without archive stats
                return None
        return self._stats

    def system_prompt(self) -> str:
        """System instructions + core memory + memory metadata + running summary."""
        self.core.reload()
        metadata = memory_metadata(
            today=dt.date.today(), stats=self.archive_stats(),
            recall_total=self.recall.count(), in_view=self.recall.count(in_context_only=True),
        )
        parts = [BASE_INSTRUCTIONS, self.core.render(), metadata, summary_section(self.recall.summary)]
        return "\n\n".join(p for p in parts if p)

    # -------------------------------------------------------------------- loop
    def run(self, message: str, *, event: bool = False,
            on_token: Callable[[str], None] | None = None) -> Iterator[Step]:
        """Run one turn for ``message``, yielding each :class:`Step` as it finishes.

        Args:
            message: the learner's message, or a system event's text when ``event``.
            event: store the message as a ``[system event]`` from the journal software.
            on_token: called with each content delta of every model reply (streams the answer).

        Raises:
            AgentError: a model call failed; messages stored so far are kept in recall memory.
        """
        from filelock import FileLock, Timeout

        lock = FileLock(str(self.journal.state_dir / "conversation.lock"), timeout=300)
        try:
            lock.acquire()
        except Timeout as exc:
            raise AgentError("another `journal ask`/`chat` turn is still running; try again") from exc
        try:
            self.turn = ToolEffects()
            self._stats = None
            text = f"[system event] {message}" if event else message
            start = self.recall.append({"role": "user", "content": text},
                                       kind="system_event" if event else "message")
            number = 0
            while number < self.max_steps:
                number += 1
                step = self._step(number, start.id, on_token, last=number == self.max_steps)
                yield step
                if step.final:
                    return
        finally:
            lock.release()

    def _step(self, number: int, turn_start_id: int, on_token, *, last: bool) -> Step:
        started = time.perf_counter()
        prepared = self.context.prepare(self.system_prompt, self.schemas, protect_from_id=turn_start_id)
        reply = complete(self.client, model=self.model, messages=prepared.messages,
                         tools=self.schemas, on_token=on_token)
        self.recall.append(reply.to_message(), kind="tool_call" if reply.tool_calls else "message",
                           tool_name=",".join(c.name for c in reply.tool_calls) or None)
        records = []
        for index, call in enumerate(reply.tool_calls):
            call.id = call.id or f"call_{number}_{index}"
            result = self.tools.call(call.name, call.arguments)
            self.turn.merge(result.effects)
            self.recall.append({"role": "tool", "tool_call_id": call.id, "content": result.content},
                               kind="tool_result", tool_name=call.name)
            records.append(ToolCallRecord(call.id, call.name, call.arguments, result.content,
                                          result.error, result.seconds))
            if call.name == "archival_memory_insert":
                self._stats = None
        step = Step(number, records, reply.content, context_tokens=prepared.tokens,
                    events=prepared.events, llm_seconds=prepared.llm_seconds + reply.seconds)
        if not reply.tool_calls:
            step.final, step.stop_reason = True, "answer"
        elif last:
            step.final, step.stop_reason = True, "step_cap"
            step.content = CAP_MESSAGE.format(steps=number)
            self.recall.append({"role": "user", "content": f"[system event] {step.content}"},
                               kind="system_event")
        step.seconds = time.perf_counter() - started
        return step

    def ask(self, message: str, *, event: bool = False,
            on_step: Callable[[Step], None] | None = None,
            on_token: Callable[[str], None] | None = None) -> Turn:
        """Run one turn to the end and return it with its sources (see :meth:`run`)."""
        steps = []
        for step in self.run(message, event=event, on_token=on_token):
            steps.append(step)
            if on_step is not None:
                on_step(step)
        return self.finish_turn(message, steps)

    def finish_turn(self, message: str, steps: list[Step]) -> Turn:
        """Build the :class:`Turn` for ``steps``: the answer, its sources and flagged notes."""
        from journal_agent.agent.citations import find_citations, known_notes

        last = steps[-1] if steps else Step(0)
        answer = last.content
        sources, flagged = [], []
        if last.stop_reason == "answer" and answer:
            sources, flagged = find_citations(answer, self.turn.retrieved, known_notes(self.journal))
        return Turn(message, answer, steps, sources, flagged, last.stop_reason or "answer",
                    list(self.turn.edits))
