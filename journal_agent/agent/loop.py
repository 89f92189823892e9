"""The memory agent loop (MemGPT over the ``openai`` SDK's chat completions).

One step: build the context (system instructions + core memory + running
summary, a stable prefix; the recent messages that fit the budget; the memory
metadata, taken once per turn, after the turn's opening message), call
chat completions with the memory tools, run every tool call in the reply and
append the results to recall memory. The loop continues while the model calls
tools and stops when it answers without one, when its reply is cut off at the
token limit, or at the step cap. Each step is yielded as a :class:`Step` as it
finishes, in the manner of smolagents' ``stream=True`` runs, so the CLI can
show steps live and tests can inspect them.

A journal has several agents (Letta docs, "Multi-agent"): each is a record
(:class:`~journal_agent.agent.core_memory.AgentSpec`: persona, attached blocks,
tools, system-prompt file) and runs this same loop with its own view of core
memory, its own recall conversations and its own conversation lock. An agent
can run one turn of another with ``send_message_to_agent``
(:meth:`Agent.message_agent`); the nested turn's steps reach the caller's
:class:`TurnHooks` as they happen and its :class:`Turn` is kept on the call's
:class:`ToolCallRecord`.

What real servers do, handled here: a context-length refusal teaches the
agent the server's window (kept in ``.journal/context_limits.json``), older
messages are summarized and evicted, and the step is retried once; content
sent beside a tool call is the answer when the final reply is empty; a reply
that broke off is kept in recall marked incomplete; Ctrl-C during tool calls
stores a result for every call, so no call is left unanswered. Reasoning
(a ``reasoning_content`` field or ``<think>`` blocks; :mod:`journal_agent.agent.llm`)
is a step's :attr:`Step.reasoning`, shown beside its tool calls the way Letta
streams reasoning messages, never part of an answer; a reply that only reasoned
is said plainly (:attr:`Turn.reasoned_only`). Tool calls written as text (the
server ran without a tool parser) run when they name a known tool with valid
arguments (:mod:`journal_agent.agent.textcalls`); otherwise the step says so
(:attr:`Step.unparsed_call`).

Sources: Packer et al. 2023, "MemGPT: Towards LLMs as Operating Systems"
(arXiv:2310.08560); Letta docs ("Agent memory", "Base tools"); the
DeepLearning.AI course "LLMs as Operating Systems: Agent Memory".
"""

from __future__ import annotations

import datetime as dt
import json
import logging
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from typing import Any, Literal

from journal_agent.agent import messaging
from journal_agent.agent.agent_tools import AgentTools, tool_names
from journal_agent.agent.context import (
    DEFAULT_CONTEXT_TOKENS,
    PENDING_ID,
    WINDOW_SAFETY,
    ContextWindow,
    LearnedLimit,
    Prepared,
    TokenCounter,
    budget_for,
    load_limit,
    memory_metadata,
    save_limit,
    summarize,
    summary_section,
)
from journal_agent.agent.core_memory import CoreMemory, CoreMemoryError
from journal_agent.agent.llm import FROM_KEY, REASONING_FIELDS, Reply, ToolCall, complete, endpoint_key
from journal_agent.agent.prompts import load as load_prompt
from journal_agent.agent.recall import ConversationKind, MessageKind, RecallMemory
from journal_agent.agent.textcalls import parse_text_calls
from journal_agent.agent.toolcalls import new_id
from journal_agent.agent.tools import ToolEffects
from journal_agent.errors import AgentError, ContextOverflow, ReplyBrokeOff
from journal_agent.locks import JournalLock
from journal_agent.openai_client import make_client

log = logging.getLogger(__name__)

BASE_INSTRUCTIONS = load_prompt("system")
StopReason = Literal["answer", "length", "step_cap"]

TRUNCATION_RATIO = 0.6  # the server read less than this share of the prompt: it cut the prompt
MIN_TRUNCATION_CHECK = 1000  # prompts shorter than this are not checked (tokenizers differ most on short texts)
CAP_MESSAGE = (
    "I stopped after {steps} steps without reaching an answer (the step cap). Ask again, more "
    "specifically, or raise [agent] max_steps in journal.toml (or JOURNAL_MAX_STEPS)."
)
INCOMPLETE_MARK = "\n\n[incomplete: this reply broke off here]"
INTERRUPTED_RESULT = "Error: interrupted by the learner (Ctrl-C) before this call finished; it may not have run."
STILL_TOO_LONG = (
    "the conversation is still too long for the model's context window{window} after summarizing older "
    "messages; start a new conversation (`journal ask` without -c), shorten the question, or use a model "
    "with a larger window ([llm] context_window)"
)


@dataclass
class ToolCallRecord:
    """One tool call made in a step: the raw ``arguments`` JSON and the ``result`` returned to the model.

    ``turn`` is the other agent's :class:`Turn` when the call was ``send_message_to_agent``.
    """

    id: str
    name: str
    arguments: str
    result: str
    error: bool
    seconds: float
    turn: Turn | None = None


@dataclass
class Step:
    """One step of the loop.

    Attributes:
        number: 1-based step number within the turn.
        tool_calls: the calls the model made, with their results.
        content: the model's text ('' when it only called tools; the step-cap
            message when ``stop_reason == "step_cap"``).
        final: whether the turn ends with this step.
        stop_reason: ``"answer"``, ``"length"`` (cut off at the token limit),
            ``"step_cap"`` or ``None`` (the loop goes on).
        context_tokens: prompt tokens counted for this step's request.
        events: context events (memory pressure warning, summarization/eviction, trimming).
        llm_seconds: wall time inside HTTP calls to the model (chat and summary).
        seconds: wall time of the whole step.
        reasoning: the model's reasoning in this step ('' when none); never part of ``content``.
        unparsed_call: when the model wrote a tool call as text that could not be run, the
            line saying so and how to fix the server ('' otherwise).
        notices: what the reply showed that the learner must know (the server cut the prompt).
    """

    number: int
    tool_calls: list[ToolCallRecord] = field(default_factory=list)
    content: str = ""
    final: bool = False
    stop_reason: StopReason | None = None
    context_tokens: int = 0
    events: list[str] = field(default_factory=list)
    llm_seconds: float = 0.0
    seconds: float = 0.0
    reasoning: str = ""
    unparsed_call: str = ""
    notices: list[str] = field(default_factory=list)

    @property
    def non_llm_seconds(self) -> float:
        """Time spent outside the model: context assembly, tools, storage."""
        return max(0.0, self.seconds - self.llm_seconds)


@dataclass
class Turn:
    """A finished turn: the message, the answer, its steps, and the notes it cited.

    Attributes:
        sources: :class:`~journal_agent.agent.citations.Source` of notes the answer cites.
        flagged: notes the answer names that were not retrieved in this turn.
        stop_reason: ``"answer"``, ``"length"`` (the answer was cut off) or ``"step_cap"``.
        edits: core-memory edits made during the turn (:class:`~journal_agent.agent.core_memory.MemoryEdit`).
        withheld: paths of private or draft notes that matched a search but were not sent to the model.
        conversation_id: the recall conversation the turn belongs to.
        agent: the agent that ran the turn.
        reasoned_only: the model reasoned but wrote no answer (``answer`` is then '').
    """

    message: str
    answer: str
    steps: list[Step]
    sources: list = field(default_factory=list)
    flagged: list[str] = field(default_factory=list)
    stop_reason: StopReason = "answer"
    edits: list = field(default_factory=list)
    withheld: list[str] = field(default_factory=list)
    conversation_id: int | None = None
    agent: str = "journal"
    reasoned_only: bool = False


@dataclass
class TurnHooks:
    """Optional callbacks while a turn runs (the CLI's live view).

    Attributes:
        on_request: before each model request, with the step number and the prepared request.
        on_tool: as each tool call starts.
        on_tool_done: as each tool call finishes, with its record.
        on_step: as each step finishes.
        on_reasoning: with the model's reasoning, as each reply that reasoned arrives (before its tools run).
        nested: ``(agent, message) -> TurnHooks`` for the turn another agent runs when this
            one calls ``send_message_to_agent`` (the CLI indents its steps); ``None``: no hooks.
    """

    on_request: Callable[[int, Prepared], None] | None = None
    on_tool: Callable[[ToolCall], None] | None = None
    on_tool_done: Callable[[ToolCallRecord], None] | None = None
    on_step: Callable[[Step], None] | None = None
    on_reasoning: Callable[[str], None] | None = None
    nested: Callable[[str, str], TurnHooks] | None = None


class Agent:
    """One agent of a journal (the journal agent by default).

    Args:
        journal: the :class:`~journal_agent.workspace.Journal`.
        name: the agent (``journal``, ``coach``, ``sleeptime``; ``journal agents`` lists them).
        model: model name; default ``journal.config.llm.model`` (``JOURNAL_MODEL``, ``[llm] model``).
        client: an ``openai.OpenAI``-compatible client; default :func:`~journal_agent.openai_client.make_client`
            (``[llm] timeout``; the agent retries transient failures itself).
        archive: an open ``Archive``; opened on first use when ``None``.
        max_steps: step cap; default ``[agent] max_steps``.
        context_tokens: prompt-token budget; default ``[agent] context_tokens``, else what the
            server allows when known (``[llm] context_window`` or learned), else 8,000.
        conversation: ``"new"`` (default, like ``journal ask``), ``"continue"`` (the last
            conversation of ``kind``, like ``-c``), or a conversation id.
        kind: ``"chat"``, ``"reflection"`` or ``"message"`` (a turn run for another agent).
        origin: the command that starts a new conversation (``"ask"``, ``"chat"``), shown by ``journal log``.
        depth: 0 for the agent the learner talks to; one more for each agent-to-agent message.
        chain: the agents waiting for this one's reply, outermost first.

    Raises:
        ModelNotConfigured: no client given and no endpoint configured.
        JournalError: ``conversation`` is an id that does not exist; no agent is called ``name``.
    """

    def __init__(self, journal, *, name: str = "journal", model: str | None = None, client=None, archive=None,
                 max_steps: int | None = None, context_tokens: int | None = None,
                 conversation: int | Literal["new", "continue"] = "new", kind: ConversationKind = "chat",
                 depth: int = 0, chain: tuple[str, ...] = (), origin: str | None = None):
        self.journal = journal
        self.name = name
        self.depth, self.chain = depth, chain
        self.core = CoreMemory.open(journal, agent=name)
        self.spec = self.core.spec(name)
        if kind == "chat" and self.spec.role != "chat":
            chat = ", ".join(a.name for a in self.core.state.agents.values() if a.role == "chat")
            raise CoreMemoryError(f"the {name} agent runs in the background after add and ingest; "
                                  f"talk to one of: {chat}")
        self.instructions = BASE_INSTRUCTIONS if self.spec.prompt == "system" else load_prompt(self.spec.prompt)
        self.model = model or journal.config.llm.model
        self.client = client if client is not None else make_client(journal.config, max_retries=0)
        self.max_steps = max(1, max_steps or journal.config.agent.max_steps)
        self.max_tokens = journal.config.llm.max_tokens
        self.recall = RecallMemory.open(journal, agent=name)
        if conversation == "continue":
            self.recall.continue_last(kind, self.model, origin)
        elif conversation == "new":
            self.recall.new_conversation(kind, self.model, origin)
        else:
            self.recall.use_conversation(int(conversation))
        self.tools = AgentTools(journal, self.core, self.recall, names=tool_names(self.spec), archive=archive,
                                messenger=self.message_agent)
        self.schemas = self.tools.schemas()
        self.counter = TokenCounter(self.model)
        self.endpoint = endpoint_key(self.client, self.model)
        self._explicit_budget = context_tokens or journal.config.agent.context_tokens
        self.context = ContextWindow(
            self.recall, self.counter, self._budget(),
            lambda previous, messages: summarize(self.client, model=self.model, previous=previous,
                                                 messages=messages),
        )
        self._stats: Any = None  # the archive's ArchiveStats, read once per turn
        self.turn = ToolEffects()  # what this turn's tool calls retrieved and edited
        self._withheld: list[str] = []
        self._hooks = TurnHooks()
        self._nested: Turn | None = None  # the turn the running send_message_to_agent call ran
        self._turn_context = ""  # the memory metadata of the running turn (turn_context)
        self._pending = 0  # 1 while a preview counts an opening message it has not stored

    def close(self) -> None:
        """Close recall memory's database connection."""
        self.recall.close()

    # ---------------------------------------------------------- the window
    def _budget(self) -> int:
        """The prompt budget: explicit setting (capped by the server's window when known), else the window's."""
        learned = load_limit(self.journal.state_dir, self.endpoint)
        window = (learned.window if learned and learned.window else None) or self.journal.config.llm.context_window
        ratio = learned.ratio if learned else 1.0
        allowed = budget_for(window, reply_tokens=self.max_tokens, ratio=ratio) if window else None
        if allowed is None and learned and learned.budget:
            allowed = learned.budget
        if self._explicit_budget:
            return min(self._explicit_budget, allowed) if allowed else self._explicit_budget
        return allowed or DEFAULT_CONTEXT_TOKENS

    def _learn(self, exc: ContextOverflow, counted: int) -> str:
        """Remember what the server said about its window; lower the budget; describe it for the step's events."""
        limit = load_limit(self.journal.state_dir, self.endpoint) or LearnedLimit()
        if exc.window:
            limit.window = exc.window
        if exc.prompt_tokens and counted:
            limit.ratio = max(limit.ratio, exc.prompt_tokens / counted)
        if not limit.window:
            limit.budget = int(min(self.context.budget, counted) * 0.75)
        limit.learned = dt.datetime.now().replace(microsecond=0).isoformat()
        save_limit(self.journal.state_dir, self.endpoint, limit)
        before = self.context.budget
        self.context.budget = min(self._budget(), int(counted * 0.9)) if counted else self._budget()
        window = f"a {limit.window:,}-token context window" if limit.window else "a smaller context window"
        return (f"the server refused the prompt as too long ({window}); budget {before:,} → "
                f"{self.context.budget:,} tokens, retrying once")

    # ------------------------------------------------------------------ prompt
    def archive_stats(self):
        """The archive's stats for the metadata section, ``None`` when the archive is unavailable."""
        if self._stats is None:
            try:
                self._stats = self.tools.archive.stats()
            except Exception:  # noqa: BLE001 - the agent still works without archive stats
                log.debug("archive stats unavailable", exc_info=True)
                return None
        return self._stats

    def system_prompt(self) -> str:
        """The stable part of the prompt: the agent's instructions (``prompts/<prompt>.md``) + its core
        memory blocks + running summary (what changes per turn is :meth:`turn_context`)."""
        self.core.reload()
        parts = [self.instructions, self.core.render(), summary_section(self.recall.summary)]
        return "\n\n".join(p for p in parts if p)

    def turn_context(self) -> str:
        """The memory metadata (today, archive and recall size, when memory blocks last changed), taken once
        per turn: it goes after the turn's opening message, so the prefix before it stays cacheable
        (:func:`~journal_agent.agent.context.with_tail`)."""
        if not self._turn_context:
            self._turn_context = memory_metadata(
                today=dt.date.today(), stats=self.archive_stats(),
                recall_total=self.recall.count() + self._pending,
                in_view=self.recall.count(in_context_only=True) + self._pending,
                blocks_modified=self.core.last_modified(),
            )
        return self._turn_context

    # -------------------------------------------------------------------- loop
    def run(self, message: str, *, event: bool = False, on_token: Callable[[str], None] | None = None,
            hooks: TurnHooks | None = None, lock_timeout: float | None = None) -> Iterator[Step]:
        """Run one turn for ``message``, yielding each :class:`Step` as it finishes.

        Args:
            message: the learner's message, or a system event's text when ``event``.
            event: store the message as a ``[system event]`` from the journal software.
            on_token: called with each content delta of every model reply (streams the answer).
            hooks: callbacks as requests and tool calls start (:class:`TurnHooks`).
            lock_timeout: seconds to wait for the conversation lock (default 300; 15 for a turn run
                for another agent); ``0`` fails at once (``journal serve`` answers 409).

        Raises:
            AgentError: a model call failed; messages stored so far are kept in recall memory
                (a reply that broke off is stored marked incomplete: ``ReplyBrokeOff``).
            KeyboardInterrupt: the learner pressed Ctrl-C; every stored tool call has a result.
            LockBusy: another turn of this agent kept its conversation lock.
        """
        lock_name = "conversation.lock" if self.name == "journal" else f"conversation-{self.name}.lock"
        # a turn run for another agent waits less: the caller's tool call says the agent is busy
        lock = JournalLock(self.journal.state_dir / lock_name, holder=f"turn of the {self.name} agent "
                           "(`journal ask`/`chat`/`serve`)",
                           timeout=lock_timeout if lock_timeout is not None else 300 if self.depth == 0 else 15)
        lock.acquire()
        try:
            self.turn = ToolEffects()
            self._withheld = []
            self._stats = None
            self._turn_context = ""
            self._hooks = hooks or TurnHooks()
            text = f"[system event] {message}" if event else message
            start = self.recall.append({"role": "user", "content": text},
                                       kind="system_event" if event else "message")
            number = 0
            while number < self.max_steps:
                number += 1
                step = self._step(number, start.id, on_token, self._hooks, last=number == self.max_steps)
                if self._hooks.on_step:
                    self._hooks.on_step(step)
                yield step
                if step.final:
                    return
        finally:
            lock.release()

    def prepare(self, turn_start_id: int, *, force_eviction: bool = False, pending: dict[str, Any] | None = None,
                dry_run: bool = False) -> Prepared:
        """Assemble this agent's next request: the one place a step's request is built
        (:meth:`ContextWindow.prepare` over :meth:`system_prompt`, the tool schemas and :meth:`turn_context`);
        :meth:`preview` and ``journal context`` call it too."""
        return self.context.prepare(self.system_prompt, self.schemas, protect_from_id=turn_start_id,
                                    force_eviction=force_eviction, build_tail=self.turn_context,
                                    pending=pending, dry_run=dry_run)

    def preview(self, message: str | None = None) -> Prepared:
        """The request the first step of the next turn would send for ``message``; nothing is stored or sent.

        With ``message`` ``None`` the request has no new message and the memory metadata goes after the
        system text (:func:`~journal_agent.agent.context.with_tail`). Summarization and eviction a real
        step would do are only said in :attr:`Prepared.events`.
        """
        pending = {"role": "user", "content": message} if message is not None else None
        self._stats, self._turn_context, self._pending = None, "", 1 if pending else 0
        try:
            return self.prepare(PENDING_ID, pending=pending, dry_run=True)
        finally:
            self._turn_context, self._pending = "", 0

    def _request(self, number: int, turn_start_id: int, on_token, hooks: TurnHooks) -> tuple[Reply, Prepared]:
        """Prepare and send one request; on a context-length refusal, learn the window, evict and retry once."""
        prepared = self.prepare(turn_start_id)
        if hooks.on_request:
            hooks.on_request(number, prepared)
        try:
            return self._send(prepared, on_token), prepared
        except ContextOverflow as exc:
            event = self._learn(exc, prepared.tokens)
        retry = self.prepare(turn_start_id, force_eviction=True)
        retry.events[:0] = [*prepared.events, event]
        retry.llm_seconds += prepared.llm_seconds
        if hooks.on_request:
            hooks.on_request(number, retry)
        try:
            return self._send(retry, on_token), retry
        except ContextOverflow as exc:
            learned = load_limit(self.journal.state_dir, self.endpoint)
            window = exc.window or (learned.window if learned else None)
            raise AgentError(STILL_TOO_LONG.format(window=f" ({window:,} tokens)" if window else "")) from exc

    def _send(self, prepared: Prepared, on_token) -> Reply:
        try:
            return complete(self.client, model=self.model, messages=prepared.messages, tools=self.schemas,
                            on_token=on_token, max_tokens=self.max_tokens)
        except ReplyBrokeOff as exc:
            self._store_incomplete(exc.partial)
            raise
        except KeyboardInterrupt as exc:
            self._store_incomplete(getattr(exc, "partial_reply", ""))
            raise

    def _store_incomplete(self, partial: str) -> None:
        if partial.strip():
            self.recall.append({"role": "assistant", "content": partial + INCOMPLETE_MARK}, kind="incomplete")

    def _step(self, number: int, turn_start_id: int, on_token, hooks: TurnHooks, *, last: bool) -> Step:
        started = time.perf_counter()
        reply, prepared = self._request(number, turn_start_id, on_token, hooks)
        unparsed = self._text_calls(reply)
        truncated = self._check_truncation(reply, prepared)
        if reply.reasoning and hooks.on_reasoning:
            hooks.on_reasoning(reply.reasoning)
        kind: MessageKind = "tool_call" if reply.tool_calls else ("cut_off" if reply.cut_off else "message")
        message = reply.to_message()
        if any(k in message for k in REASONING_FIELDS) or any(c.extra for c in reply.tool_calls):
            message[FROM_KEY] = self.endpoint  # its extras go back to this endpoint only (provider_extras_for)
        self.recall.append(message, kind=kind, tool_name=",".join(c.name for c in reply.tool_calls) or None)
        records = self._run_tools(reply.tool_calls, hooks)
        nested = sum(s.llm_seconds for r in records if r.turn is not None for s in r.turn.steps)  # other agents'
        step = Step(number, records, reply.content, context_tokens=prepared.tokens,
                    events=prepared.events, llm_seconds=prepared.llm_seconds + reply.seconds + nested,
                    reasoning=reply.reasoning, unparsed_call=unparsed, notices=[truncated] if truncated else [])
        if not reply.tool_calls:
            step.final, step.stop_reason = True, ("length" if reply.cut_off else "answer")
        elif last:
            step.final, step.stop_reason = True, "step_cap"
            step.content = CAP_MESSAGE.format(steps=number)
            self.recall.append({"role": "assistant", "content": step.content}, kind="system_event")
        step.seconds = time.perf_counter() - started
        return step

    def _check_truncation(self, reply: Reply, prepared: Prepared) -> str:
        """Detect a server that cut the prompt without saying so; the event line (once), else ''.

        Ollama drops the oldest messages when the prompt passes its ``num_ctx``
        (default 4,096; its ``/v1`` endpoint ignores request options; Ollama docs,
        "Context length") and only ``usage.prompt_tokens`` shows it. When the server
        read fewer than :data:`TRUNCATION_RATIO` of the tokens we counted, the budget
        shrinks to what it read (remembered for the endpoint) and the step says how to
        give the server a larger window.
        """
        read = (reply.usage or {}).get("prompt_tokens")
        if not isinstance(read, int) or prepared.tokens < MIN_TRUNCATION_CHECK \
                or read >= TRUNCATION_RATIO * prepared.tokens:
            return ""
        budget = int(read * WINDOW_SAFETY)
        if budget >= self.context.budget:
            return ""
        limit = load_limit(self.journal.state_dir, self.endpoint) or LearnedLimit()
        limit.budget = budget
        limit.learned = dt.datetime.now().replace(microsecond=0).isoformat()
        save_limit(self.journal.state_dir, self.endpoint, limit)
        before, self.context.budget = self.context.budget, budget
        return (f"the server read only {read:,} of the {prepared.tokens:,} prompt tokens sent: it cut the oldest "
                f"messages without saying so (Ollama stops at its context length, num_ctx); budget {before:,} → "
                f"{budget:,} tokens. Give the server a larger window (OLLAMA_CONTEXT_LENGTH=16384 before "
                "`ollama serve`) and set [llm] context_window to match")

    def _text_calls(self, reply: Reply) -> str:
        """Turn tool calls written in ``reply.content`` into real calls when they are valid (in place);
        the line saying why not when they are not, else ''."""
        if reply.tool_calls or not reply.content.strip():
            return ""
        found = parse_text_calls(reply.content, lambda name: self.tools.tool(name) if name in self.tools.names
                                 else None)
        if found.calls:
            reply.tool_calls = [ToolCall(new_id(), name, json.dumps(arguments, ensure_ascii=False))
                                for name, arguments in found.calls]
            reply.content = found.text
            reply.finish_reason = "tool_calls"
            return ""
        return found.unparsed

    def _run_tools(self, calls: list[ToolCall], hooks: TurnHooks) -> list[ToolCallRecord]:
        """Run each call and store its result; on Ctrl-C, store a result for every call left, then re-raise."""
        records: list[ToolCallRecord] = []
        pending = list(calls)
        try:
            for call in calls:
                if hooks.on_tool:
                    hooks.on_tool(call)
                self._nested = None
                result = self.tools.call(call.name, call.arguments)
                self.turn.merge(result.effects)
                for path in getattr(result.effects, "withheld", None) or []:
                    if path not in self._withheld:
                        self._withheld.append(path)
                self.recall.append({"role": "tool", "tool_call_id": call.id, "content": result.content},
                                   kind="tool_result", tool_name=call.name)
                pending.remove(call)
                record = ToolCallRecord(call.id, call.name, call.arguments, result.content, result.error,
                                        result.seconds, self._nested)
                records.append(record)
                if call.name == "archival_memory_insert":
                    self._stats = None
                if hooks.on_tool_done:
                    hooks.on_tool_done(record)
        except BaseException:
            for call in pending:
                self.recall.append({"role": "tool", "tool_call_id": call.id, "content": INTERRUPTED_RESULT},
                                   kind="tool_result", tool_name=call.name)
            raise
        return records

    def ask(self, message: str, *, event: bool = False,
            on_step: Callable[[Step], None] | None = None,
            on_token: Callable[[str], None] | None = None, hooks: TurnHooks | None = None) -> Turn:
        """Run one turn to the end and return it with its sources (see :meth:`run`)."""
        steps = []
        for step in self.run(message, event=event, on_token=on_token, hooks=hooks):
            steps.append(step)
            if on_step is not None:
                on_step(step)
        return self.finish_turn(message, steps)

    def finish_turn(self, message: str, steps: list[Step]) -> Turn:
        """Build the :class:`Turn` for ``steps``: the answer, its sources and flagged notes.

        The answer is the final step's text; when that is empty (the model answered
        beside a tool call, then sent an empty message), the last non-empty text
        of the turn (nornscode/norns#2, sipeed/picoclaw#2099).
        """
        from journal_agent.agent.citations import find_citations, known_notes

        last = steps[-1] if steps else Step(0)
        answer = last.content
        if not answer.strip() and last.stop_reason in ("answer", "length"):
            answer = next((s.content for s in reversed(steps) if s.content.strip()), "")
        reasoned_only = not answer.strip() and bool(last.reasoning.strip())
        sources: list = []
        flagged: list[str] = []
        if last.stop_reason in ("answer", "length") and answer:
            sources, flagged = find_citations(answer, self.turn.retrieved, known_notes(self.journal))
        return Turn(message, answer, steps, sources, flagged, last.stop_reason or "answer",
                    list(self.turn.edits), list(self._withheld), self.recall.conversation_id, self.name,
                    reasoned_only)

    # ------------------------------------------------------------- messaging
    def message_agent(self, target: str, message: str) -> tuple[str, ToolEffects]:
        """Run one turn of agent ``target`` for ``message`` (``send_message_to_agent``); its reply and effects.

        The other agent runs at ``depth + 1`` in a new conversation of its own (kind
        ``message``), with this agent's client, model and archive; its steps reach
        ``hooks.nested`` as they happen and its :class:`Turn` is kept for the call's
        :class:`ToolCallRecord`. See :mod:`journal_agent.agent.messaging` for the bounds.

        Raises:
            ToolError: the message is refused (depth, loop, unknown agent), or the other agent's
                model call failed; the message says why.
        """
        turn, effects = messaging.run_turn(self, target, message, self._hooks)
        self._nested = turn
        return messaging.reply_text(target, turn.answer, turn.stop_reason), effects

