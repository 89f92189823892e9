"""``POST /v1/journal/ask``: one ``journal ask`` turn run by the server for the journal's owner (issue 23).

The request body: ``{"question": str, "agent": "journal", "conversation": "new" | "continue" | CID,
"stream": bool}`` (``journal ask``'s QUESTION, ``--agent``, ``-c``/``--cid`` and ``--stream``). The turn is
the one ``journal ask`` runs in its own process (:class:`~journal_agent.agent.loop.Agent` with
``origin="ask"``; a new conversation unless continued; ``journal log`` lists it as ``ask``), on the
server's model client. The answer is JSON lines (``application/x-ndjson``), one as each event of the turn
happens (:mod:`journal_agent.agent.turn_events`; ``token`` events only with ``"stream": true``), then
``{"kind": "turn", "turn": <what journal ask --json prints>, "max_tokens": ...}`` or ``{"kind": "error",
"error": <journal ask --json's error object>}``.

Only the owner may ask (the local token of ``.journal/serve.json``; others get 403): the turn sees
private notes as the local CLI does. Errors before the turn starts are HTTP errors, so the CLI can run
the turn itself instead: 409 while a turn of the agent runs (:meth:`Agents.claim`), 503 without a model,
400 for a conversation that does not exist. A client that disconnects leaves the turn to run to its end.
"""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from typing import Any, Literal

import anyio
from starlette.requests import Request
from starlette.responses import Response, StreamingResponse

from journal_agent.agent.turn_events import error_json, event_hooks, turn_json
from journal_agent.errors import ModelNotConfigured
from journal_agent.service.http.common import ApiError, read_body
from journal_agent.service.http.turns import Agents
from journal_agent.service.local import LOCAL_HEADER

_RUNNING: set[asyncio.Future] = set()  # the turns running now (the event loop keeps only weak references)


def _conversation(value: Any) -> int | Literal["new", "continue"]:
    if value is None or value == "new":
        return "new"
    if value == "continue":
        return "continue"
    if isinstance(value, int) and not isinstance(value, bool):
        return value
    raise ApiError(422, 'conversation must be "new", "continue" or a conversation number (`journal log`)')


def journal_ask(agents: Agents):
    """The ``POST /v1/journal/ask`` endpoint over the server's ``agents`` (see the module docstring)."""

    async def endpoint(request: Request) -> Response:
        if request.scope.get("journal.local") is not True:
            raise ApiError(403, "only the journal's owner may ask here (the local token of .journal/serve.json)")
        body = await read_body(request)
        question = body.get("question")
        if not isinstance(question, str) or not question.strip():
            raise ApiError(422, 'the question is empty: give {"question": "..."}')
        conversation = _conversation(body.get("conversation"))
        name = (await anyio.to_thread.run_sync(agents.resolve, str(body.get("agent") or "journal"))).name
        agents.claim(name)  # a second turn of the agent at once: 409
        try:
            agent = await anyio.to_thread.run_sync(_open, agents, name, conversation)
        except BaseException:
            agents.release(name)
            raise
        queue: asyncio.Queue[dict[str, Any] | None] = asyncio.Queue()
        loop = asyncio.get_running_loop()

        def emit(event: dict[str, Any]) -> None:
            try:
                loop.call_soon_threadsafe(queue.put_nowait, event)
            except RuntimeError:  # the event loop has closed: nobody listens; the turn still ends whole
                pass

        def run() -> None:
            try:
                steps = list(agent.run(question, hooks=event_hooks(emit),
                                       on_token=(lambda text: emit({"kind": "token", "depth": 0, "agent": None,
                                                                    "text": text}))
                                       if body.get("stream") is True else None))
                turn = agent.finish_turn(question, steps)
                emit({"kind": "turn", "turn": turn_json(turn), "max_tokens": agents.journal.config.llm.max_tokens})
            except Exception as exc:  # noqa: BLE001 - every failure goes back to the client, as journal ask says it
                emit({"kind": "error", "error": error_json(question, exc, agent.recall.conversation_id)})
            finally:
                agent.close()
                agents.release(name)

        task = asyncio.ensure_future(anyio.to_thread.run_sync(run))
        _RUNNING.add(task)  # held until the turn ends, also when its client has gone
        task.add_done_callback(_RUNNING.discard)

        async def lines() -> AsyncIterator[str]:
            while True:
                event = await queue.get()
                yield json_line(event)
                if event is not None and event["kind"] in ("turn", "error"):
                    return

        return StreamingResponse(lines(), media_type="application/x-ndjson",
                                 headers={LOCAL_HEADER: "owner", "Cache-Control": "no-cache"})

    return endpoint


def _open(agents: Agents, name: str, conversation: int | Literal["new", "continue"]):
    """The agent of the turn, as ``journal ask`` opens it (raises as it does: no model, no such conversation)."""
    from journal_agent.agent.loop import Agent
    from journal_agent.openai_client import NOT_CONFIGURED, is_configured

    if agents.client is None and not is_configured(agents.journal.config):
        raise ModelNotConfigured(NOT_CONFIGURED)
    return Agent(agents.journal, name=name, model=agents.model, client=agents.client, conversation=conversation,
                 origin="ask")


def json_line(data: Any) -> str:
    """``data`` as one line of JSON lines."""
    import json

    return json.dumps(data, ensure_ascii=False) + "\n"
