"""``POST /v1/chat/completions``: the journal's agents behind the OpenAI chat API, so any chat client talks to them.

``model`` names the agent (``journal``, ``coach``, or its Letta id). The agent keeps its own
history (its server conversation, as for the Letta endpoints), so only the last user message
of ``messages`` is sent; the rest of the request is the client's copy of that history. The
answer is the message ``content``; the agent's steps (reasoning, each tool call and a line of
its result) are ``reasoning_content``, the field DeepSeek and vLLM use for reasoning, so
clients that show reasoning (Open WebUI, the ``llm`` CLI) show the steps apart from the
answer. The notes the answer cites follow it as Markdown links to their posts on the site
when it is built (``journal site build``), else as their paths.

Streamed (``"stream": true``): ``chat.completion.chunk`` events as the steps happen, a last
chunk with ``finish_reason`` (and ``usage``), then ``data: [DONE]`` (OpenAI API reference,
"Chat Completions", streaming).
"""

from __future__ import annotations

import time
import uuid
from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

from starlette.requests import Request
from starlette.responses import JSONResponse, Response, StreamingResponse

from journal_agent.agent.citations import Source
from journal_agent.service.http.common import ApiError, TurnStream, detail_of, read_body, sse
from journal_agent.service.http.turns import Agents, TurnOutcome
from journal_agent.site.links import PostLinks, built_post_links, cited_url
from journal_agent.text import one_line

FINISH = {"answer": "stop", "length": "length", "step_cap": "length"}
RESULT_CHARS = 200  # of a tool result in the reasoning lines


def step_line(message: dict[str, Any]) -> str:
    """A Letta message as one line of ``reasoning_content`` ('' for the answer, which is ``content``)."""
    kind = message.get("message_type")
    if kind == "reasoning_message":
        return f"{message['reasoning'].strip()}\n"
    if kind == "tool_call_message":
        call = message["tool_call"]
        return f"→ {call['name']}({call['arguments']})\n"
    if kind == "tool_return_message":
        mark = "✗" if message.get("status") == "error" else "←"
        return f"{mark} {message.get('name') or 'result'}: {one_line(message['tool_return'], RESULT_CHARS)}\n"
    return ""


def cited(sources: list[Source], links: PostLinks) -> str:
    """The sources of an answer as Markdown: a link to each post (at the cited entry) when the site has it,
    else its path.

    ``links`` is :func:`~journal_agent.site.links.built_post_links`; a link is
    ``"/" +`` :func:`~journal_agent.site.links.cited_url` (the site is served at ``/``), the URL the Ask
    page links to for the same citation.
    """
    if not sources:
        return ""
    lines = []
    for source in sources:
        name = f"{source.title} ({source.date.isoformat()})"
        url = cited_url(links, source.path, source.anchor)
        lines.append(f"- [{name}](/{url})" if url else f"- {name}, `{source.path}`")
    return "\n\nSources:\n" + "\n".join(lines)


def _last_user_text(body: dict[str, Any]) -> str:
    for message in reversed(body.get("messages") or []):
        if isinstance(message, dict) and message.get("role") == "user":
            content = message.get("content")
            if isinstance(content, list):
                content = "\n".join(str(p.get("text", "")) for p in content
                                    if isinstance(p, dict) and p.get("type") == "text")
            if isinstance(content, str) and content.strip():
                return content.strip()
    raise ApiError(422, 'no user message to answer: give {"model": "journal", "messages": '
                        '[{"role": "user", "content": "..."}]}')


def _usage(outcome: TurnOutcome) -> dict[str, int]:
    usage = outcome.usage
    return {"prompt_tokens": usage["prompt_tokens"], "completion_tokens": usage["completion_tokens"],
            "total_tokens": usage["total_tokens"]}


def chat_completions(agents: Agents, site_dir: Path):
    """The ``POST /v1/chat/completions`` endpoint over ``agents`` (citations link into ``site_dir``'s build)."""

    async def endpoint(request: Request) -> Response:
        body = await read_body(request)
        model = body.get("model")
        if not isinstance(model, str) or not model:
            raise ApiError(422, "model is required: the agent to talk to (journal or coach)")
        info = agents.resolve(model)
        text = _last_user_text(body)
        turn = TurnStream(agents, info.name, text)
        await turn.start()
        ident, created = f"chatcmpl-{uuid.uuid4().hex}", int(time.time())
        if body.get("stream") is True:
            usage_wanted = bool((body.get("stream_options") or {}).get("include_usage"))
            return StreamingResponse(_chunks(turn, ident, created, model, usage_wanted),
                                     media_type="text/event-stream", headers={"Cache-Control": "no-cache"})
        steps: list[str] = []
        async for event in turn.events():
            if event.kind == "message":
                assert event.message is not None
                steps.append(step_line(event.message))
            elif event.kind == "error":
                assert event.error is not None
                raise event.error
            elif event.kind == "done":
                assert event.outcome is not None
                out = event.outcome
                content = out.turn.answer + cited(out.turn.sources, built_post_links(site_dir))
                message = {"role": "assistant", "content": content, "reasoning_content": "".join(steps)}
                return JSONResponse({
                    "id": ident, "object": "chat.completion", "created": created, "model": model,
                    "choices": [{"index": 0, "message": message,
                                 "finish_reason": FINISH.get(out.turn.stop_reason, "stop")}],
                    "usage": _usage(out)})
        raise ApiError(500, "the turn ended without an answer")  # pragma: no cover

    async def _chunks(turn: TurnStream, ident: str, created: int, model: str,
                      usage_wanted: bool) -> AsyncIterator[str]:
        def chunk(delta: dict[str, Any], finish: str | None = None, **extra: Any) -> str:
            return sse({"id": ident, "object": "chat.completion.chunk", "created": created, "model": model,
                        "choices": [{"index": 0, "delta": delta, "finish_reason": finish}], **extra})

        yield chunk({"role": "assistant", "content": ""})
        async for event in turn.events():
            if event.kind == "message":
                assert event.message is not None
                line = step_line(event.message)
                if line:
                    yield chunk({"reasoning_content": line})
                elif event.message.get("message_type") == "assistant_message":
                    yield chunk({"content": event.message["content"]})
            elif event.kind == "done":
                assert event.outcome is not None
                out = event.outcome
                tail = cited(out.turn.sources, built_post_links(site_dir))
                if tail:
                    yield chunk({"content": tail})
                extra = {"usage": _usage(out)} if usage_wanted else {}
                yield chunk({}, FINISH.get(out.turn.stop_reason, "stop"), **extra)
            elif event.kind == "error":
                assert event.error is not None
                yield sse({"error": {"message": detail_of(event.error), "type": type(event.error).__name__}})
        yield sse("[DONE]")

    return endpoint
