"""Agent-to-agent messaging: who may message whom, and what the messages look like.

The course's message-based collaboration (DeepLearning.AI, "LLMs as Operating
Systems: Agent Memory", multi-agent lesson) and Letta's
``send_message_to_agent_and_wait_for_reply`` (Letta docs, "Multi-agent"): an
agent sends a message to another and waits; the other runs one turn in a
conversation of its own (kind ``message``) and its final answer is the reply.

Bounded, so two agents can never call each other forever:

* **depth**: the agent the learner talks to is at depth 0; an agent it messages
  runs at depth 1, and so on. An agent at depth :data:`MAX_DEPTH` cannot message
  anyone: it replies instead.
* **no loops**: an agent never messages itself or an agent waiting for its reply
  (one in the *chain* of callers); it answers in its reply instead.
* only ``chat`` agents receive messages (the sleep-time agent runs on its own).

Each refused call comes back to the model as the tool's ``Error:`` result, saying
why and what to do instead; the step cap bounds how often it can retry.
"""

from __future__ import annotations

from journal_agent.agent.core_memory import AgentSpec
from journal_agent.agent.journal_tools import ToolEffects, ToolError
from journal_agent.errors import AgentError, JournalError
from journal_agent.text import clip

MAX_DEPTH = 2
REPLY_CHARS = 4000  # longest reply handed back to the calling agent


def refusal(sender: str, target: str, *, depth: int, chain: tuple[str, ...],
            agents: dict[str, AgentSpec]) -> str | None:
    """Why ``sender`` (at ``depth``, called by ``chain``) may not message ``target``; ``None`` when it may.

    Args:
        sender: the agent calling ``send_message_to_agent``.
        target: the agent it names.
        depth: ``sender``'s depth (0: the learner's agent).
        chain: the agents waiting for ``sender``'s reply, outermost first.
        agents: every agent record, by name.
    """
    reachable = [a.name for a in agents.values() if a.role == "chat" and a.name != sender]
    if target == sender:
        return f"you are the {sender} agent; message another agent: {', '.join(reachable) or 'none'}"
    spec = agents.get(target)
    if spec is None or spec.role != "chat":
        return f"there is no agent named {target!r} to message; you can message: {', '.join(reachable) or 'none'}"
    if target in chain:
        return (f"the {target} agent sent you this message and is waiting for your reply; answer it in your "
                "reply instead of messaging it (agents never message in a loop)")
    if depth >= MAX_DEPTH:
        caller = chain[-1] if chain else "another agent"
        return (f"you were messaged by {caller} at depth {depth}, the deepest allowed ({MAX_DEPTH}); reply "
                "with what you know instead of messaging further")
    return None


def incoming(sender: str, message: str) -> str:
    """The message as ``target`` receives it: marked as coming from ``sender``, not from the learner."""
    return f"[message from the {sender} agent; your reply goes back to it, not to the learner] {message}"


def reply_text(target: str, answer: str, stop_reason: str) -> str:
    """The tool result the calling agent reads: ``target``'s answer (shortened past :data:`REPLY_CHARS`)."""
    if stop_reason == "step_cap" or not answer.strip():
        return f"The {target} agent stopped without an answer: {answer.strip() or '(empty reply)'}"
    return f"The {target} agent replied:\n{clip(answer.strip(), REPLY_CHARS)}"


def run_turn(caller, target: str, message: str, hooks):
    """Run one turn of agent ``target`` for ``caller``'s ``message``: ``(Turn, ToolEffects)``.

    ``caller`` is the calling :class:`~journal_agent.agent.loop.Agent`; the other
    agent is the same class, made at ``caller.depth + 1`` with ``caller`` added to
    its chain, in a new conversation of kind ``message``, with the caller's
    client, model, step cap and archive. ``hooks`` are the caller's
    :class:`~journal_agent.agent.loop.TurnHooks`: their ``nested`` callback gives the
    hooks of the other agent's turn, so its steps are seen as they happen.

    Raises:
        ToolError: refused (see :func:`refusal`), or the other agent's model call failed.
    """
    why = refusal(caller.name, target, depth=caller.depth, chain=caller.chain, agents=caller.core.state.agents)
    if why:
        raise ToolError(why)
    try:
        other = type(caller)(caller.journal, name=target, model=caller.model, client=caller.client,
                             archive=caller.tools.opened_archive, max_steps=caller.max_steps,
                             kind="message", depth=caller.depth + 1, chain=(*caller.chain, caller.name))
    except JournalError as exc:
        raise ToolError(f"the {target} agent cannot run: {exc}") from exc
    nested_hooks = hooks.nested(target, message) if hooks.nested else type(hooks)()
    text = incoming(caller.name, message)
    try:
        try:
            steps = list(other.run(text, hooks=nested_hooks))
        except AgentError as exc:
            raise ToolError(f"the {target} agent could not answer: {exc}") from exc
        turn = other.finish_turn(text, steps)
    finally:
        other.close()
        caller.tools.adopt_archive(other.tools)  # the next message reuses the archive it opened
    return turn, ToolEffects(retrieved=dict(other.turn.retrieved), edits=list(turn.edits),
                             inserted=list(other.turn.inserted), withheld=list(turn.withheld))
