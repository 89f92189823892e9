"""A turn as JSON: its progress events as they happen and the finished turn, the one shape the CLI renders.

``journal ask`` in its own process and ``POST /v1/journal/ask`` on a running ``journal serve`` make the
same events from the same :class:`~journal_agent.agent.loop.TurnHooks` (:func:`event_hooks`), so the
terminal view (:func:`journal_agent.cli.render_steps.show_event`) and ``--json`` (:func:`turn_json`) are
the same on both paths (issue 23). Each event is a dict with ``kind`` and ``depth`` (0 for the learner's
agent, 1 and more for the turn another agent runs for ``send_message_to_agent``) and ``agent`` (``None`` at
depth 0):

* ``step``: ``number``, ``tokens`` (context tokens of the request), ``events`` (context events);
* ``tool``: ``name``, ``arguments`` (the raw JSON string); ``tool_done``: ``result``, ``error`` (bool);
* ``reasoning``: ``text``; ``token``: ``text`` (a streamed piece of the answer, depth 0 only);
* ``step_done``: ``stop_reason``, ``unparsed_call``, ``notices``, ``non_llm_seconds``.

This module imports nothing heavy at import time: the served ``journal ask`` loads it to start fast.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

Event = dict[str, Any]


def event_hooks(emit: Callable[[Event], None], depth: int = 0, agent: str | None = None):
    """:class:`~journal_agent.agent.loop.TurnHooks` that report a turn's progress to ``emit`` as events
    (see the module docstring); a nested agent's turn reports at ``depth + 1`` under its name."""
    from journal_agent.agent.loop import TurnHooks

    def event(kind: str, **fields: Any) -> None:
        emit({"kind": kind, "depth": depth, "agent": agent, **fields})

    return TurnHooks(
        on_request=lambda number, prepared: event("step", number=number, tokens=prepared.tokens,
                                                  events=list(prepared.events)),
        on_tool=lambda call: event("tool", name=call.name, arguments=call.arguments),
        on_tool_done=lambda record: event("tool_done", result=record.result, error=bool(record.error)),
        on_step=lambda step: event("step_done", stop_reason=step.stop_reason, unparsed_call=step.unparsed_call,
                                   notices=list(step.notices), non_llm_seconds=step.non_llm_seconds),
        on_reasoning=lambda text: event("reasoning", text=text),
        nested=lambda target, _message: event_hooks(emit, depth + 1, target),
    )


def turn_json(turn) -> dict[str, Any]:
    """``--json`` view of a :class:`~journal_agent.agent.loop.Turn`; another agent's turn run by a
    ``send_message_to_agent`` call is nested under that call as ``"turn"``."""
    return {
        "mode": "agent",
        "agent": turn.agent,
        "conversation_id": turn.conversation_id,
        "question": turn.message,
        "answer": turn.answer,
        "stop_reason": turn.stop_reason,
        "sources": [s.to_dict() for s in turn.sources],
        "flagged": turn.flagged,
        "edits": [edit_json(e) for e in turn.edits],
        "withheld": turn.withheld,
        "reasoned_only": turn.reasoned_only,
        "steps": [
            {
                "number": s.number, "context_tokens": s.context_tokens, "events": s.events,
                "reasoning": s.reasoning, "unparsed_call": s.unparsed_call, "notices": s.notices,
                "content": s.content, "stop_reason": s.stop_reason,
                "non_llm_seconds": round(s.non_llm_seconds, 4), "llm_seconds": round(s.llm_seconds, 4),
                "tool_calls": [dict({"name": c.name, "arguments": c.arguments, "result": c.result,
                                     "error": c.error}, **({"turn": turn_json(c.turn)} if c.turn else {}))
                               for c in s.tool_calls],
            }
            for s in turn.steps
        ],
    }


def edit_json(edit) -> dict[str, Any]:
    """A core-memory edit (:class:`~journal_agent.agent.core_memory.MemoryEdit`) as ``tool``, ``label``,
    ``before``, ``after``, ``agent``."""
    return {"tool": edit.tool, "label": edit.label, "before": edit.before, "after": edit.after, "agent": edit.agent}


def error_json(question: str, exc: BaseException, conversation_id: int | None = None) -> dict[str, Any]:
    """``--json`` view of a turn that failed: always an object, with ``error`` (and ``hint``)."""
    return {"mode": "agent", "question": question, "conversation_id": conversation_id,
            "answer": None, "error": str(exc), "hint": getattr(exc, "hint", None),
            "error_type": type(exc).__name__}
