"""The ``journal serve`` ASGI app (Starlette on uvicorn): a Letta-compatible subset of the v1 REST API and more.

Routes (the README's table lists what exists and what does not):

* ``GET /v1/agents/``, ``GET /v1/agents/{agent_id}`` — the chat agents as Letta ``AgentState``;
* ``POST /v1/agents/{agent_id}/messages`` — one turn; the agent's steps as Letta messages with
  ``usage``, ``stop_reason`` and ``sources`` (the cited notes with their site links,
  :func:`~.letta.sources_json`; ``"streaming": true`` in the body streams them as below);
* ``POST /v1/agents/{agent_id}/messages/stream`` — the same turn as server-sent events, one
  ``data: {json}`` per message as it happens, then ``stop_reason`` (with ``sources``),
  ``usage_statistics``, ``[DONE]``;
* ``GET /v1/agents/{agent_id}/messages`` — the agent's server conversation, paged
  (``before``/``after`` message ids, ``limit``, ``order``; ``conversation_id`` another conversation);
* ``GET /v1/agents/{agent_id}/core-memory/blocks`` and ``GET``/``PATCH .../blocks/{block_label}`` —
  core memory, changed through :meth:`~journal_agent.agent.core_memory.CoreMemory.set_value`, the call
  ``journal memory edit`` makes (limit enforced, edit recorded in the history);
* ``GET /v1/agents/{agent_id}/archival-memory/search`` — the one search pipeline
  (:func:`~journal_agent.archive.search.search_notes`), private notes as ``[llm] share_private`` says;
* ``GET /v1/journal/search`` — journal-native: exactly what ``journal search --json`` prints
  (:meth:`~journal_agent.archive.search.SearchResults.to_json`; ``query``, ``limit``, ``mode``, ``since``,
  ``until``, ``category``, ``source`` as the command's options). Asked with the local token
  (:mod:`journal_agent.service.local`) it answers as the local CLI does, private notes included and
  marked (``"private": true``), and says so in ``X-Journal-Local: owner``; asked without it, private
  and draft notes are never served (nor named in ``withheld``);
* ``POST /v1/journal/ask`` — journal-native, the owner's only: one ``journal ask`` turn, its steps as
  JSON lines, then what ``journal ask --json`` prints (:mod:`.ask`);
* ``GET /v1/agents/{agent_id}/context`` — :func:`~journal_agent.agent.compiled.compile_context` of the
  server conversation (``?message=`` previews one), as Letta's context-window overview;
* ``POST /v1/chat/completions`` — OpenAI-compatible chat (:mod:`.chat`);
* ``/mcp`` — MCP over streamable HTTP, the server object of ``journal mcp``
  (:func:`~journal_agent.service.mcp.build_server`);
* ``GET /v1/health/``; and ``/``: the built site (``site/public/``), when there is one.

Errors are JSON ``{"detail": "..."}``: 401 (token), 403 (an owner-only route), 404 (no such agent, block
or route), 409 (a turn of the agent is running; ``started_at`` says since when, and the turn runs to its
end even when its client disconnects), 413 (body too large), 422 (a request the API cannot read), 400 (a change the
journal refuses, such as a block over its limit), 502/503 (the model failed / none is configured).
The model's key never appears in a response: every detail goes through
:func:`~journal_agent.agent.llm.redact`.
"""

from __future__ import annotations

import contextlib
import datetime as dt
from collections.abc import AsyncIterator, Callable
from typing import Any

import anyio
from starlette.applications import Starlette
from starlette.exceptions import HTTPException
from starlette.requests import Request
from starlette.responses import JSONResponse, Response, StreamingResponse
from starlette.routing import Mount, Route
from starlette.staticfiles import StaticFiles

from journal_agent import __version__
from journal_agent.agent.core_memory import CoreMemory, CoreMemoryError
from journal_agent.agent.prompts import load as load_prompt
from journal_agent.agent.recall import RecallMemory
from journal_agent.archive.modes import MODES, SOURCES
from journal_agent.errors import AgentError, JournalError
from journal_agent.service.http.ask import journal_ask
from journal_agent.service.http.chat import chat_completions
from journal_agent.service.http.common import (
    ApiError,
    TurnStream,
    detail_of,
    error_response,
    read_body,
    sse,
    user_text,
)
from journal_agent.service.http.guard import MAX_BODY_BYTES, Guard
from journal_agent.service.http.letta import (
    agent_json,
    block_json,
    context_json,
    message_cursor,
    passage_json,
    row_messages,
    sources_json,
    stop_json,
)
from journal_agent.service.http.turns import Agents, TurnOutcome
from journal_agent.service.local import LOCAL_HEADER
from journal_agent.site.links import built_post_links

MAX_PAGE = 1000
MAX_STEPS = 50  # the most steps a request may ask one turn for (Letta's max_steps)
SITE_OUTPUT = "public"  # `journal site build` writes the HTML to site/public/ (site_dir in site/mkdocs.yml)


def page_by_id(items: list[dict[str, Any]], params) -> list[dict[str, Any]]:
    """One page of a short list in its own order: the items after ``after`` / before ``before`` (ids), at
    most ``limit``. A cursor that is not in the list gives an empty page (the SDKs stop paging there)."""
    ids = [item["id"] for item in items]
    after, before = params.get("after"), params.get("before")
    if after:
        items = items[ids.index(after) + 1:] if after in ids else []
    if before:
        items = items[:ids.index(before)] if before in ids else []
    limit = params.get("limit") or ""
    return items[:int(limit)] if limit.isdigit() and int(limit) > 0 else items


def create_app(journal, *, token: str | None = None, client=None, model: str | None = None,
               max_body: int = MAX_BODY_BYTES, host: str = "127.0.0.1", local_token: str | None = None) -> Guard:
    """The ``journal serve`` app for ``journal`` (an ASGI callable: Starlette behind :class:`Guard`).

    Args:
        journal: the journal to serve.
        token: the bearer token every request must carry (``None``: none; only safe on loopback).
        client: an ``openai.OpenAI``-compatible client for the agents (default: the journal's).
        model: the chat model (default ``[llm] model``).
        max_body: the largest request body accepted, in bytes (413 above it).
        host: the address the server listens on; on loopback the MCP endpoint also refuses other
            ``Host`` and ``Origin`` headers (the MCP SDK's DNS-rebinding protection).
        local_token: the per-run token of the journal's owner (``.journal/serve.json``): requests carrying
            it pass the guard and are answered as the local CLI (``/v1/journal/search``); ``None``: none.
    """
    from journal_agent.service.mcp import build_server

    agents = Agents(journal, client=client, model=model)
    mcp = build_server(journal)
    mcp_routes = mcp.streamable_http_app(streamable_http_path="/mcp", host=host).routes
    public = journal.site_dir / SITE_OUTPUT

    @contextlib.asynccontextmanager
    async def lifespan(app: Starlette) -> AsyncIterator[None]:
        async with mcp.session_manager.run():
            yield
        await anyio.to_thread.run_sync(agents.close)

    def agent_of(request: Request):
        return agents.resolve(request.path_params["agent_id"])

    async def in_thread(fn: Callable[..., Any], *args: Any) -> Any:
        return await anyio.to_thread.run_sync(fn, *args)

    # ------------------------------------------------------------- agents
    def _agent_json(info) -> dict[str, Any]:
        core = CoreMemory.open(journal, agent=info.name)
        spec = core.spec(info.name)
        return agent_json(info, core.blocks, model=agents.model,
                          system=load_prompt(spec.prompt), context_window=journal.config.llm.context_window)

    async def list_agents_(request: Request) -> Response:
        params = request.query_params
        infos = [i for i in await in_thread(agents.infos) if params.get("name") in (None, i.name)]
        shown = page_by_id([await in_thread(_agent_json, i) for i in infos], params)
        return JSONResponse(shown)

    async def get_agent(request: Request) -> Response:
        info = await in_thread(agent_of, request)
        return JSONResponse(await in_thread(_agent_json, info))

    # ----------------------------------------------------------- messages
    async def create_message(request: Request) -> Response:
        body = await read_body(request)
        text = user_text(body)
        info = await in_thread(agent_of, request)
        max_steps = body.get("max_steps")
        if max_steps is not None and (not isinstance(max_steps, int) or not 1 <= max_steps <= MAX_STEPS):
            raise ApiError(422, f"max_steps must be a whole number from 1 to {MAX_STEPS}")
        turn = TurnStream(agents, info.name, text, max_steps)
        await turn.start()
        if body.get("streaming") is True or request.url.path.rstrip("/").endswith("/stream"):
            return StreamingResponse(_letta_stream(turn), media_type="text/event-stream",
                                     headers={"Cache-Control": "no-cache", "X-Accel-Buffering": "no"})
        async for event in turn.events():
            if event.kind == "error":
                assert event.error is not None
                raise event.error
            if event.kind == "done":
                assert event.outcome is not None
                out = event.outcome
                return JSONResponse({"messages": out.messages, "usage": out.usage, "stop_reason": out.stop_reason,
                                     "sources": _sources(out)})
        raise ApiError(500, "the turn ended without an answer")  # pragma: no cover

    def _sources(outcome: TurnOutcome) -> list[dict[str, Any]]:
        return sources_json(outcome.turn.sources, built_post_links(journal.site_dir))

    async def _letta_stream(turn: TurnStream) -> AsyncIterator[str]:
        async for event in turn.events():
            if event.kind == "message":
                yield sse(event.message)
            elif event.kind == "done":
                assert event.outcome is not None
                yield sse({**event.outcome.stop_reason, "sources": await in_thread(_sources, event.outcome)})
                yield sse(event.outcome.usage)
            elif event.kind == "error":
                assert event.error is not None
                yield sse({"message_type": "error_message", "error_type": type(event.error).__name__,
                            "message": detail_of(event.error), "run_id": ""})
                yield sse(stop_json("llm_api_error" if isinstance(event.error, AgentError) else "error"))
        yield sse("[DONE]")

    def _messages(name: str, params) -> list[dict[str, Any]]:
        conversation = params.get("conversation_id")
        if conversation:
            digits = conversation.rsplit("-", 1)[-1]
            if not digits.isdigit():
                raise ApiError(422, f"conversation_id {conversation!r} is not a conversation number (`journal log`)")
            cid: int | None = int(digits)
        else:
            cid = agents.conversation_id(name)
        if cid is None:
            return []
        recall = RecallMemory.open(journal, agent=name)
        try:
            recall.use_conversation(cid)
            rows = recall.messages(cid)
        except JournalError as exc:  # no such conversation, or another agent's
            raise ApiError(404, str(exc)) from exc
        finally:
            recall.close()
        order = params.get("order", "desc")
        if order not in ("asc", "desc"):
            raise ApiError(422, "order must be asc (oldest first) or desc (newest first)")
        descending = order == "desc"
        found = [m for row in rows for m in row_messages(row)]
        if descending:
            found.reverse()

        def key(message: dict[str, Any]) -> tuple[int, int]:
            return message_cursor(message["id"]) or (0, 0)

        for name_, keep in (("after", lambda k, c: k < c if descending else k > c),
                            ("before", lambda k, c: k > c if descending else k < c)):
            value = params.get(name_)
            if value:
                cursor = message_cursor(value)
                if cursor is None:
                    raise ApiError(422, f"{name_}={value!r} is not a message id of this server")
                found = [m for m in found if keep(key(m), cursor)]
        limit = params.get("limit", "100")
        if not limit.isdigit() or not 1 <= int(limit) <= MAX_PAGE:
            raise ApiError(422, f"limit must be a whole number from 1 to {MAX_PAGE}")
        if params.get("before") and not params.get("after"):
            return found[-int(limit):]
        return found[:int(limit)]

    async def list_messages(request: Request) -> Response:
        info = await in_thread(agent_of, request)
        return JSONResponse(await in_thread(_messages, info.name, request.query_params))

    # ------------------------------------------------------- core memory
    def _block(name: str, label: str):
        core = CoreMemory.open(journal, agent=name)
        if label not in core.labels:
            raise ApiError(404, f"the {name} agent has no core memory block {label!r}; its blocks are: "
                                f"{', '.join(core.labels)}")
        return core, core.block(label)

    async def list_blocks(request: Request) -> Response:
        info = await in_thread(agent_of, request)
        core = await in_thread(CoreMemory.open, journal, info.name)
        return JSONResponse(page_by_id([block_json(b) for b in core.blocks], request.query_params))

    async def get_block(request: Request) -> Response:
        info = await in_thread(agent_of, request)
        _, block = await in_thread(_block, info.name, request.path_params["block_label"])
        return JSONResponse(block_json(block))

    async def update_block(request: Request) -> Response:
        body = await read_body(request)
        info = await in_thread(agent_of, request)
        label = request.path_params["block_label"]
        core, block = await in_thread(_block, info.name, label)
        changed = {k for k, v in body.items() if v is not None and k != "value"
                   and not (k in ("label", "limit", "description", "read_only") and getattr(block, k) == v)}
        if changed:
            raise ApiError(422, f"only a block's value can be changed here, not {', '.join(sorted(changed))}; "
                                f"use `journal memory block` for the rest")
        if isinstance(body.get("value"), str):
            try:
                await in_thread(core.set_value, label, body["value"])
            except CoreMemoryError as exc:
                exc.hint = exc.hint or "nothing was saved"
                raise
        _, block = await in_thread(_block, info.name, label)
        return JSONResponse(block_json(block))

    # ---------------------------------------------------- archival memory
    def _search(params) -> dict[str, Any]:
        from journal_agent.archive.search import search_notes

        query = (params.get("query") or "").strip()
        if not query:
            raise ApiError(422, "query is required: what to search archival memory for")
        top_k = params.get("top_k") or "5"
        if not top_k.isdigit() or not 1 <= int(top_k) <= 50:
            raise ApiError(422, "top_k must be a whole number from 1 to 50")
        bounds: list[dt.date | None] = []
        for key in ("start_datetime", "end_datetime"):
            value = params.get(key)
            try:
                bounds.append(dt.datetime.fromisoformat(value.replace("Z", "+00:00")).date() if value else None)
            except ValueError as exc:
                raise ApiError(422, f"{key}={value!r} is not an ISO 8601 date-time") from exc
        found = search_notes(journal, query, limit=int(top_k), since=bounds[0], until=bounds[1],
                             include_private=journal.config.llm.share_private)
        results = [passage_json(hit) for hit in found.hits]
        return {"count": len(results), "results": results}

    async def search_passages(request: Request) -> Response:
        await in_thread(agent_of, request)
        return JSONResponse(await in_thread(_search, request.query_params))

    def _journal_search(params, local: bool) -> dict[str, Any]:
        from journal_agent.archive.search import search_notes

        query = (params.get("query") or "").strip()
        if not query:
            raise ApiError(422, "query is required: what to search the journal for")
        limit = params.get("limit") or "5"
        if not limit.isdigit() or not 1 <= int(limit) <= 100:
            raise ApiError(422, "limit must be a whole number from 1 to 100")
        mode, source = params.get("mode") or "hybrid", params.get("source") or "note"
        if mode not in MODES or source not in SOURCES:
            raise ApiError(422, f"mode must be one of {', '.join(MODES)}; source one of {', '.join(SOURCES)}")
        bounds: list[dt.date | None] = []
        for key in ("since", "until"):
            value = params.get(key)
            try:
                bounds.append(dt.date.fromisoformat(value) if value else None)
            except ValueError as exc:
                raise ApiError(422, f"{key}={value!r} is not an ISO 8601 date (YYYY-MM-DD)") from exc
        found = search_notes(journal, query, limit=int(limit), mode=mode, since=bounds[0], until=bounds[1],
                             category=params.get("category") or None, source=source, include_private=local)
        data = found.to_json()
        if not local:
            data["withheld"] = []  # a private note's path is private too
        return data

    async def journal_search(request: Request) -> Response:
        local = request.scope.get("journal.local") is True
        data = await in_thread(_journal_search, request.query_params, local)
        return JSONResponse(data, headers={LOCAL_HEADER: "owner"} if local else None)

    # ------------------------------------------------------------ context
    def _context(name: str, message: str | None) -> dict[str, Any]:
        from journal_agent.agent.compiled import compile_context

        cid = agents.conversation_id(name)
        view = compile_context(journal, agent=name, message=message, conversation=cid if cid is not None else "new",
                               client=agents.client, model=agents.model)
        return context_json(view)

    async def get_context(request: Request) -> Response:
        info = await in_thread(agent_of, request)
        return JSONResponse(await in_thread(_context, info.name, request.query_params.get("message")))

    async def no_site(request: Request) -> Response:
        return JSONResponse({"detail": "no site is built here: run `journal site build`, then start `journal serve` "
                                       "again (the API is under /v1/)"}, status_code=404)

    async def health(request: Request) -> Response:
        return JSONResponse({"status": "ok", "version": __version__})

    # ------------------------------------------------------------- errors
    async def on_error(request: Request, exc: Exception) -> Response:
        return error_response(exc, openai_style=request.url.path.startswith("/v1/chat/"))

    async def on_http_error(request: Request, exc: Exception) -> Response:
        assert isinstance(exc, HTTPException)
        return JSONResponse({"detail": exc.detail}, status_code=exc.status_code, headers=exc.headers)

    base = "/v1/agents/{agent_id}"
    routes = [
        Route("/v1/health/", health, methods=["GET"]),
        Route("/v1/agents/", list_agents_, methods=["GET"]),
        Route(base, get_agent, methods=["GET"]),
        Route(f"{base}/messages", create_message, methods=["POST"]),
        Route(f"{base}/messages/stream", create_message, methods=["POST"]),
        Route(f"{base}/messages", list_messages, methods=["GET"]),
        Route(f"{base}/core-memory/blocks", list_blocks, methods=["GET"]),
        Route(base + "/core-memory/blocks/{block_label}", get_block, methods=["GET"]),
        Route(base + "/core-memory/blocks/{block_label}", update_block, methods=["PATCH"]),
        Route(f"{base}/archival-memory/search", search_passages, methods=["GET"]),
        Route(f"{base}/context", get_context, methods=["GET"]),
        Route("/v1/journal/search", journal_search, methods=["GET"]),
        Route("/v1/journal/ask", journal_ask(agents), methods=["POST"]),
        Route("/v1/chat/completions", chat_completions(agents, journal.site_dir), methods=["POST"]),
        *mcp_routes,
    ]
    if public.is_dir():
        routes.append(Mount("/", StaticFiles(directory=public, html=True)))
    else:
        routes.append(Route("/", no_site, methods=["GET"]))
    app = Starlette(routes=routes, lifespan=lifespan,
                    exception_handlers={HTTPException: on_http_error, Exception: on_error,
                                        JournalError: on_error, ApiError: on_error})
    app.state.agents = agents
    return Guard(app, token=token, max_body=max_body, local_token=local_token)
