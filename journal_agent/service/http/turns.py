"""The journal's agents as the server runs them: one turn per agent conversation at a time, steps as Letta messages.

Each chat agent (``journal agents``) has one server conversation in recall memory,
started by the first message the server receives for it (``journal log`` lists it as
``serve``) and continued by every later one, as a Letta agent keeps one message
history. A turn runs the agent loop (:meth:`journal_agent.agent.loop.Agent.run`)
in a worker thread; its :class:`~journal_agent.agent.loop.TurnHooks` turn what the
loop stores in recall memory into Letta messages as it happens
(:func:`~journal_agent.service.http.letta.row_messages`): the reasoning and tool
calls of a reply when its tools start, each tool return as it finishes, the answer
when the step ends. The same converter pages stored messages, so a streamed
message and the listed one have one id.

One turn at a time per agent: :meth:`Agents.claim` refuses a second one at once
(:class:`~journal_agent.errors.AgentBusy`, the server's 409, saying when the running turn
started), and the loop's own conversation lock is taken without waiting, so a ``journal ask``
running in another process is a 409 too. Reads (messages, blocks, search) never wait for a turn.

A turn whose client disconnects runs to its end all the same: its effects (the answer in
recall memory, block edits) are stored whole, never cut between a tool call and its return,
and the agent takes its next message once the turn has finished.
"""

from __future__ import annotations

import datetime as dt
import threading
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any, Literal

from journal_agent.agent.agent_tools import AgentInfo, list_agents
from journal_agent.agent.loop import Agent, Step, ToolCallRecord, Turn, TurnHooks
from journal_agent.agent.recall import RecallMemory, RecallMessage
from journal_agent.errors import AgentBusy, ServerError
from journal_agent.service.http.letta import agent_id, row_messages, stop_json, usage_json

ORIGIN = "serve"  # the command recorded on the server's conversations (`journal log` shows it)


class UnknownAgent(ServerError):
    """No agent of the journal has the id or name a request gave (the server's 404)."""


@dataclass
class TurnEvent:
    """What a running turn reports to the request that started it.

    Attributes:
        kind: ``started`` (the conversation lock is held, the message stored), ``message`` (a Letta
            message), ``error`` (the turn failed: ``error``), ``done`` (``outcome`` holds the result).
    """

    kind: Literal["started", "message", "error", "done"]
    message: dict[str, Any] | None = None
    error: BaseException | None = None
    outcome: TurnOutcome | None = None


@dataclass
class TurnOutcome:
    """A finished turn: the loop's :class:`Turn`, the Letta messages sent, its usage and stop reason (dicts)."""

    turn: Turn
    messages: list[dict[str, Any]] = field(default_factory=list)
    usage: dict[str, Any] = field(default_factory=dict)
    stop_reason: dict[str, Any] = field(default_factory=dict)


class Agents:
    """The chat agents of one journal, as one server runs them.

    Args:
        journal: the :class:`~journal_agent.workspace.Journal`.
        client: an ``openai.OpenAI``-compatible client for every agent (default: the journal's,
            :func:`~journal_agent.openai_client.make_client`).
        model: the chat model (default ``[llm] model``).
    """

    def __init__(self, journal, *, client=None, model: str | None = None):
        self.journal = journal
        self.client = client
        self.model = model or journal.config.llm.model
        self._guard = threading.Lock()
        self._busy: dict[str, dt.datetime] = {}  # agent name → when its running turn started (UTC)
        self._agents: dict[str, Agent] = {}
        self._conversations: dict[str, int] = {}  # each agent's server conversation, once it has one
        self._seen: dict[str, int] = {}  # the last recall message id each cached agent has sent

    # ------------------------------------------------------------ the agents
    def infos(self) -> list[AgentInfo]:
        """The agents a learner talks to (role ``chat``), as ``journal agents`` lists them."""
        return [info for info in list_agents(self.journal) if info.role == "chat"]

    def resolve(self, ref: str) -> AgentInfo:
        """The chat agent whose Letta id (:func:`agent_id`) or name is ``ref``.

        Raises:
            UnknownAgent: no chat agent has that id or name.
        """
        infos = self.infos()
        for info in infos:
            if ref in (info.name, agent_id(info.name)):
                return info
        names = ", ".join(f"{i.name} ({agent_id(i.name)})" for i in infos)
        raise UnknownAgent(f"no agent {ref!r}; the agents are: {names}")

    def conversation_id(self, name: str) -> int | None:
        """The id of agent ``name``'s server conversation, ``None`` before its first message."""
        with self._guard:
            cached = self._agents.get(name)
            known = self._conversations.get(name)
        if known is not None:
            return known
        if cached is not None and cached.recall.conversation_id is not None:
            found: int | None = cached.recall.conversation_id
        else:
            recall = RecallMemory.open(self.journal, agent=name)
            try:
                found = next((c.id for c in recall.conversations(limit=1_000_000, kind="chat")
                              if c.agent == name and c.command == ORIGIN), None)
            finally:
                recall.close()
        if found is not None:
            with self._guard:
                self._conversations[name] = found
        return found

    # -------------------------------------------------------------- turns
    def claim(self, name: str) -> None:
        """Reserve agent ``name`` for one turn; release with :meth:`release` (``run_turn`` does).

        Raises:
            AgentBusy: a turn of this agent is running; its ``started`` is when that turn started (UTC).
        """
        with self._guard:
            started = self._busy.get(name)
            if started is None:
                self._busy[name] = dt.datetime.now(dt.UTC).replace(microsecond=0)
                return
        stamp = started.isoformat().replace("+00:00", "Z")
        busy = AgentBusy(f"the {name} agent is answering another message in this conversation (a turn started "
                         f"at {stamp}); a turn in progress runs to its end and is stored whole, even when its "
                         "client disconnects; send this one when that turn has finished (one turn at a time "
                         "per agent)")
        busy.started = stamp
        raise busy

    def release(self, name: str) -> None:
        """Let agent ``name`` take its next turn."""
        with self._guard:
            self._busy.pop(name, None)

    def _agent(self, name: str) -> Agent:
        with self._guard:
            cached = self._agents.get(name)
        if cached is not None:
            return cached
        conversation = self.conversation_id(name)
        agent = Agent(self.journal, name=name, model=self.model, client=self.client,
                      conversation=conversation if conversation is not None else "new", origin=ORIGIN)
        with self._guard:
            self._agents[name] = agent
        return agent

    def _forget(self, name: str) -> None:
        with self._guard:
            agent = self._agents.pop(name, None)
            self._seen.pop(name, None)
        if agent is not None:
            agent.close()

    def run_turn(self, name: str, text: str, emit: Callable[[TurnEvent], None], max_steps: int | None = None) -> None:
        """Run one turn of agent ``name`` (claimed with :meth:`claim`) for ``text``, in the calling thread.

        Reports through ``emit``: ``started`` once the turn holds its conversation, each Letta
        message as it happens, then ``done`` with the :class:`TurnOutcome`, or ``error`` with the
        exception (a :class:`~journal_agent.errors.JournalError` says what went wrong; ``LockBusy``
        when a turn in another process holds the conversation). Releases the claim at the end.
        ``max_steps`` caps this turn's steps (Letta's request field; default ``[agent] max_steps``).
        """
        try:
            self._run(name, text, emit, max_steps)
        except Exception as exc:  # noqa: BLE001 - every failure goes back to the request that started the turn
            self._forget(name)  # the next turn starts from what recall memory holds
            emit(TurnEvent("error", error=exc))
        finally:
            self.release(name)

    def _run(self, name: str, text: str, emit: Callable[[TurnEvent], None], max_steps: int | None) -> None:
        agent = self._agent(name)
        configured = agent.max_steps
        last = self._seen.get(name)
        if last is None:  # the first turn of this agent object: what the conversation holds already
            before = agent.recall.messages() if agent.recall.conversation_id is not None else []
            last = before[-1].id if before else 0
        seen: int = last
        sent: list[dict[str, Any]] = []
        failed: set[str] = set()
        pending = {"reasoning": "", "started": False}

        def flush(*_: object) -> None:
            nonlocal seen
            rows: list[RecallMessage] = agent.recall.messages(after=seen) if agent.recall.conversation_id else []
            for row in rows:
                seen = row.id
                if row.role == "user" and row.kind == "message":
                    continue  # the learner's own message: Letta does not send it back
                reasoning = ""
                if row.role == "assistant":
                    reasoning, pending["reasoning"] = str(pending["reasoning"]), ""
                for message in row_messages(row, reasoning=reasoning, failed=failed):
                    sent.append(message)
                    emit(TurnEvent("message", message=message))

        def on_request(*_: object) -> None:
            if not pending["started"]:
                pending["started"] = True
                emit(TurnEvent("started"))

        def on_reasoning(reasoning: str) -> None:
            pending["reasoning"] = reasoning

        def on_tool_done(record: ToolCallRecord) -> None:
            if record.error:
                failed.add(record.id)
            flush()

        hooks = TurnHooks(on_request=on_request, on_reasoning=on_reasoning, on_tool=flush,
                          on_tool_done=on_tool_done, on_step=flush)
        agent.max_steps = max(1, max_steps) if max_steps else configured
        try:
            steps: list[Step] = list(agent.run(text, hooks=hooks, lock_timeout=0))
        finally:
            self._seen[name] = seen
            agent.max_steps = configured
        turn = agent.finish_turn(text, steps)
        counter = agent.counter
        completion = sum(counter.count(s.content) + counter.count(s.reasoning)
                         + sum(counter.count(c.arguments) for c in s.tool_calls) for s in steps)
        usage = usage_json(prompt_tokens=sum(s.context_tokens for s in steps), completion_tokens=completion,
                           steps=len(steps))
        emit(TurnEvent("done", outcome=TurnOutcome(turn, sent, usage, stop_json(turn.stop_reason))))

    def close(self) -> None:
        """Close every cached agent's recall memory."""
        with self._guard:
            agents, self._agents = list(self._agents.values()), {}
        for agent in agents:
            agent.close()
