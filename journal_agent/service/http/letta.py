"""Letta's v1 REST shapes for the journal's agents, blocks, messages and passages (JSON-ready dicts).

The shapes are those the ``letta-client`` SDK (1.x, Stainless-generated) parses:
``AgentState`` (``letta_client/types/agent_state.py``), ``BlockResponse``, the
``LettaMessage`` union discriminated by ``message_type`` (``reasoning_message``,
``tool_call_message``, ``tool_return_message``, ``assistant_message``,
``user_message``, ``system_message``, ``summary_message``), ``LettaStopReason``,
``LettaUsageStatistics`` and the agent passage search response
(``{"count", "results": [{"id", "content", "timestamp", "tags"}]}``). Only the fields
the journal has are filled; the SDK leaves the rest ``None``.

Ids: an agent is ``agent-<uuid5 of its name>`` (stable across restarts; the name
itself is accepted too); a message is ``message-<uuid>`` whose first and last groups
hold the recall-memory row id and the part of the row (one stored assistant
message can be a reasoning message, an assistant message and several tool-call
messages, as in Letta), so a message id is a paging cursor (:func:`message_cursor`).

One addition: a turn's cited notes, ``sources`` (:func:`sources_json`), ride on its
``stop_reason`` message when streamed and on the response when not (extra fields the
SDK keeps); the Ask page links them.

Sources: Letta API reference ("Agents", "Messages", "Blocks", "Passages");
Letta ``schemas/letta_message.py``, ``schemas/block.py``.
"""

from __future__ import annotations

import datetime as dt
import re
import uuid
from typing import TYPE_CHECKING, Any

from journal_agent.agent.agent_tools import AgentInfo
from journal_agent.agent.core_memory import Block
from journal_agent.agent.llm import REASONING_FIELDS
from journal_agent.agent.recall import RecallMessage
from journal_agent.site.links import PostLinks, cited_url

if TYPE_CHECKING:
    from journal_agent.agent.citations import Source
    from journal_agent.agent.compiled import CompiledContext
    from journal_agent.archive.retrieval import SearchHit

AGENT_NAMESPACE = uuid.UUID("5f0c2a52-9d1e-4f4b-a3a1-6a6f75726e61")  # fixed: ids survive restarts
AGENT_TYPE = "memgpt_v2_agent"  # Letta's agent type with core/archival/recall memory tools
STOP_REASONS = {"answer": "end_turn", "length": "max_tokens_exceeded", "step_cap": "max_steps"}
_MESSAGE_ID_RE = re.compile(r"^message-([0-9a-f]{8})-0000-4000-8000-([0-9a-f]{12})$")


def agent_id(name: str) -> str:
    """The Letta id of agent ``name``: ``agent-<uuid5>``, the same on every start."""
    return f"agent-{uuid.uuid5(AGENT_NAMESPACE, name)}"


def message_id(row: int, part: int = 0) -> str:
    """The Letta id of part ``part`` of recall row ``row`` (a UUID-shaped ``message-…``)."""
    return f"message-{row:08x}-0000-4000-8000-{part:012x}"


def message_cursor(value: str) -> tuple[int, int] | None:
    """``(row, part)`` of a :func:`message_id`, ``None`` when ``value`` is not one."""
    found = _MESSAGE_ID_RE.match(value or "")
    return (int(found[1], 16), int(found[2], 16)) if found else None


def _date(created: dt.datetime) -> str:
    return created.astimezone().isoformat()


def block_json(block: Block) -> dict[str, Any]:
    """A core-memory block as Letta's ``BlockResponse``, with ``chars_current`` and ``modified`` in ``metadata``."""
    return {"id": block.id, "label": block.label, "value": block.value, "limit": block.limit,
            "description": block.description, "read_only": block.read_only, "is_template": False,
            "hidden": False, "tags": [],
            "metadata": {"chars_current": block.chars_current, "modified": block.modified}}


def agent_json(info: AgentInfo, blocks: list[Block], *, model: str, system: str,
               context_window: int | None) -> dict[str, Any]:
    """An agent as Letta's ``AgentState``: id, name, blocks (and ``memory.blocks``), tools by name, model.

    Args:
        info: the agent as ``journal agents`` lists it.
        blocks: its attached blocks, in prompt order.
        model: the chat model it answers with.
        system: its instructions (the system prompt before core memory).
        context_window: the model's window in tokens, when configured.
    """
    shown = [block_json(b) for b in blocks]
    return {
        "id": agent_id(info.name), "name": info.name, "description": info.description,
        "agent_type": AGENT_TYPE, "system": system, "blocks": shown, "memory": {"blocks": shown},
        "tools": [{"id": f"tool-{uuid.uuid5(AGENT_NAMESPACE, 'tool:' + name)}", "name": name,
                   "tool_type": "letta_core"} for name in info.tools],
        "tags": [info.role], "sources": [], "model": model,
        "llm_config": {"model": model, "model_endpoint_type": "openai", "context_window": context_window},
        "metadata": {"persona": info.persona, "role": info.role},
    }


def row_messages(row: RecallMessage, *, reasoning: str = "", failed: frozenset[str] | set[str] = frozenset(),
                 part: int = 0) -> list[dict[str, Any]]:
    """One stored recall message as Letta messages, parts numbered from ``part``.

    Args:
        row: the stored message.
        reasoning: the step's reasoning when the stored message does not keep it (only tool-call
            replies keep theirs for the model; :meth:`journal_agent.agent.llm.Reply.to_message`).
        failed: ids of tool calls whose result is an error (a stored result starting ``Error:`` also is).

    Returns:
        ``[]`` for memory-pressure alerts; otherwise the messages in Letta's order (reasoning, assistant
        text, tool calls; a tool result is one ``tool_return_message``).
    """
    if row.kind == "memory_pressure":
        return []
    payload = row.payload
    out: list[dict[str, Any]] = []

    def add(kind: str, **fields: Any) -> None:
        out.append({"id": message_id(row.id, part + len(out)), "date": _date(row.created), "message_type": kind,
                    **fields})

    raw = payload.get("content")
    content = raw if isinstance(raw, str) else "\n".join(
        str(p.get("text", "")) for p in raw or [] if isinstance(p, dict))  # None beside tool calls; or parts
    if row.kind == "summary":
        add("summary_message", summary=content or "")
    elif row.role == "tool":
        call_id = str(payload.get("tool_call_id") or "")
        error = call_id in failed or (content or "").startswith("Error:")
        add("tool_return_message", tool_return=content or "", status="error" if error else "success",
            tool_call_id=call_id, name=row.tool_name)
    elif row.role == "assistant":
        thought = next((payload[k] for k in REASONING_FIELDS if isinstance(payload.get(k), str) and payload[k]),
                       "") or reasoning
        if thought:
            add("reasoning_message", reasoning=thought, source="reasoner_model")
        if content:
            add("assistant_message", content=content)
        calls = [{"name": (c.get("function") or {}).get("name", ""),
                  "arguments": (c.get("function") or {}).get("arguments", ""),
                  "tool_call_id": c.get("id") or ""} for c in payload.get("tool_calls") or []]
        for call in calls:
            add("tool_call_message", tool_call=call, tool_calls=[call])
    elif row.role == "user" and row.kind == "message":
        add("user_message", content=content or "")
    else:  # system events, system messages
        add("system_message", content=content or "")
    return out


def usage_json(*, prompt_tokens: int, completion_tokens: int, steps: int) -> dict[str, Any]:
    """Letta's ``usage_statistics`` (tokens as the agent counts them; the model's own counts are not kept)."""
    return {"message_type": "usage_statistics", "prompt_tokens": prompt_tokens,
            "completion_tokens": completion_tokens, "total_tokens": prompt_tokens + completion_tokens,
            "step_count": steps}


def stop_json(reason: str) -> dict[str, Any]:
    """Letta's ``stop_reason`` message for a turn's stop reason (``answer`` → ``end_turn``, …; else as given)."""
    return {"message_type": "stop_reason", "stop_reason": STOP_REASONS.get(reason, reason)}


def sources_json(sources: list[Source], links: PostLinks) -> list[dict[str, Any]]:
    """A turn's cited notes: ``{"title", "date", "path", "anchor", "url"}`` each.

    ``url`` is the note's post on the built site, at the cited entry's anchor
    (:func:`~journal_agent.site.links.cited_url`, relative to the site's root; the link
    ``/v1/chat/completions`` gives), or ``None`` when the note is not published.
    """
    return [{**source.to_dict(), "anchor": source.anchor, "url": cited_url(links, source.path, source.anchor)}
            for source in sources]


def passage_json(hit: SearchHit) -> dict[str, Any]:
    """A search hit (:class:`~journal_agent.archive.retrieval.SearchHit`) as a passage search result."""
    return {"id": f"passage-{uuid.uuid5(AGENT_NAMESPACE, f'{hit.path}#{hit.chunk_index}')}",
            "content": hit.text, "timestamp": dt.datetime.combine(hit.date, dt.time()).astimezone().isoformat(),
            "tags": list(hit.tags),
            "title": hit.title, "path": hit.path, "date": hit.date.isoformat(), "score": hit.score}


def context_json(view: CompiledContext) -> dict[str, Any]:
    """A compiled context (:class:`~journal_agent.agent.compiled.CompiledContext`) as Letta's context-window
    overview (``GET /v1/agents/{agent_id}/context``: sizes and tokens per part), with the whole view under
    ``journal`` (every block with ``chars_current/chars_limit``, the messages, the tool schemas)."""
    tokens = {section.name: section.tokens for section in view.sections}
    return {
        "context_window_size_max": view.budget, "context_window_size_current": view.tokens,
        "num_messages": len(view.messages), "num_archival_memory": view.num_archival_memory,
        "num_recall_memory": view.num_recall_memory,
        "num_tokens_external_memory_summary": tokens.get("memory_metadata", 0),
        "external_memory_summary": view.memory_metadata,
        "num_tokens_system": tokens.get("system_instructions", 0), "system_prompt": view.system_instructions,
        "num_tokens_core_memory": tokens.get("core_memory", 0), "core_memory": view.core_memory,
        "num_tokens_summary_memory": tokens.get("summary", 0), "summary_memory": view.summary or None,
        "num_tokens_functions_definitions": tokens.get("tool_schemas", 0), "functions_definitions": view.tools,
        "num_tokens_messages": tokens.get("messages", 0), "messages": view.messages,
        "journal": view.model_dump(mode="json"),
    }
