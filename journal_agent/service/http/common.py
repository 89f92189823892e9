"""What the routes of ``journal serve`` share: errors as ``{"detail": ...}``, request bodies, and a turn
running in a worker thread whose events are read on the event loop (:class:`TurnStream`)."""

from __future__ import annotations

import asyncio
import json
import logging
import os
from collections.abc import AsyncIterator
from typing import Any

import anyio
from starlette.requests import Request
from starlette.responses import JSONResponse

from journal_agent.agent.llm import redact
from journal_agent.errors import AgentBusy, AgentError, JournalError, LockBusy, ModelNotConfigured
from journal_agent.service.http.turns import Agents, TurnEvent, UnknownAgent

log = logging.getLogger("journal_agent.service.http")


class ApiError(Exception):
    """A request the API refuses: ``status`` and the ``detail`` it answers with."""

    def __init__(self, status: int, detail: str):
        super().__init__(detail)
        self.status, self.detail = status, detail


def status_of(exc: BaseException) -> int:
    """The HTTP status a failure answers with (see the module docstring)."""
    if isinstance(exc, ApiError):
        return exc.status
    if isinstance(exc, UnknownAgent):
        return 404
    if isinstance(exc, AgentBusy | LockBusy):
        return 409
    if isinstance(exc, ModelNotConfigured):
        return 503
    if isinstance(exc, AgentError):
        return 502
    if isinstance(exc, JournalError):
        return 400
    return 500


def detail_of(exc: BaseException) -> str:
    """What a failure says, without any secret (:func:`~journal_agent.agent.llm.redact`)."""
    if isinstance(exc, ApiError):
        text = exc.detail
    elif isinstance(exc, JournalError):
        text = f"{exc} ({exc.hint})" if exc.hint else str(exc)
    else:
        text = f"internal error: {type(exc).__name__}; the server log has the details"
    return redact(text, secrets())


def secrets() -> tuple[str, ...]:
    """The values no response or log line may hold: the model key."""
    key = os.environ.get("OPENAI_API_KEY", "")
    return (key,) if key else ()


def error_response(exc: BaseException, *, openai_style: bool = False) -> JSONResponse:
    """``{"detail": ...}`` with the status of ``exc``; an unexpected error is logged (redacted), not shown.

    A 409 for a running turn (:class:`~journal_agent.errors.AgentBusy`) adds ``started_at``, when that
    turn started (ISO 8601, UTC). ``openai_style`` adds OpenAI's ``{"error": {"message", "type"}}``
    beside ``detail`` (the ``openai`` SDK shows its message).
    """
    status = status_of(exc)
    if status >= 500 and not isinstance(exc, JournalError):
        log.error("unexpected error: %s", redact(repr(exc), secrets()))
    body: dict[str, Any] = {"detail": detail_of(exc)}
    if isinstance(exc, AgentBusy) and exc.started:
        body["started_at"] = exc.started  # when the turn that holds the agent started
    if openai_style:
        body["error"] = {"message": body["detail"], "type": type(exc).__name__, "code": status}
    return JSONResponse(body, status_code=status)


async def read_body(request: Request) -> dict[str, Any]:
    try:
        data = json.loads(await request.body() or b"{}")
    except ValueError as exc:
        raise ApiError(422, f"the request body is not JSON: {exc}") from exc
    if not isinstance(data, dict):
        raise ApiError(422, "the request body must be a JSON object")
    return data


def _text_of(content: Any) -> str:
    """The text of a message's ``content``: a string, or a list of ``{"type": "text", "text": ...}`` parts."""
    if isinstance(content, str):
        return content
    if isinstance(content, list):
        return "\n".join(str(p.get("text", "")) for p in content if isinstance(p, dict) and p.get("type") == "text")
    return ""


def user_text(body: dict[str, Any]) -> str:
    """The learner's message of a Letta ``messages`` request (``messages`` of role user, or ``input``).

    Raises:
        ApiError: 422 when there is no text to send.
    """
    parts: list[str] = []
    if isinstance(body.get("input"), str | list):
        parts.append(_text_of(body["input"]))
    for message in body.get("messages") or []:
        if isinstance(message, dict) and message.get("role", "user") == "user":
            parts.append(_text_of(message.get("content")))
    text = "\n\n".join(p for p in parts if p.strip()).strip()
    if not text:
        raise ApiError(422, 'no message to send: give {"messages": [{"role": "user", "content": "..."}]}')
    return text


_RUNNING: set[asyncio.Future] = set()  # the turns running now (the event loop keeps only weak references)


class TurnStream:
    """One turn running in a worker thread, its events read on the event loop (see :mod:`.turns`).

    A client that disconnects stops reading the events, not the turn: the worker thread runs it to its
    end (its answer stored in recall memory) and then releases the agent (:meth:`Agents.run_turn`).

    Use :meth:`start` (it waits until the turn holds its conversation, so a busy agent or a missing
    model is an HTTP error, not a broken stream), then iterate :meth:`events`.
    """

    def __init__(self, agents: Agents, name: str, text: str, max_steps: int | None = None):
        self.agents, self.name, self.text, self.max_steps = agents, name, text, max_steps
        self.queue: asyncio.Queue[TurnEvent] = asyncio.Queue()
        self.task: asyncio.Task | None = None
        self.first: TurnEvent | None = None  # an event that came before ``started`` (none in practice)

    async def start(self) -> None:
        """Claim the agent and start the turn.

        Raises:
            AgentBusy, LockBusy: a turn of this agent is running (409).
            JournalError: the turn could not start (no model, a damaged store).
        """
        self.agents.claim(self.name)
        loop = asyncio.get_running_loop()

        def emit(event: TurnEvent) -> None:
            try:
                loop.call_soon_threadsafe(self.queue.put_nowait, event)
            except RuntimeError:  # the event loop has closed (the server stopped): nobody is listening;
                pass  # the turn still runs to its end, so what it stores stays whole

        self.task = asyncio.ensure_future(anyio.to_thread.run_sync(self.agents.run_turn, self.name, self.text, emit,
                                                                   self.max_steps))
        _RUNNING.add(self.task)  # held until the turn ends, also when its client has gone
        self.task.add_done_callback(_RUNNING.discard)
        first = await self.queue.get()
        if first.kind == "error":
            assert first.error is not None
            raise first.error
        if first.kind != "started":  # pragma: no cover - the loop always requests before it answers
            self.first = first

    async def events(self) -> AsyncIterator[TurnEvent]:
        """The turn's events after ``started``, ending with ``done`` or ``error``."""
        while True:
            event, self.first = (self.first, None) if self.first is not None else (await self.queue.get(), None)
            yield event
            if event.kind in ("done", "error"):
                return


def sse(data: Any) -> str:
    """One server-sent event: ``data: <data as JSON, or a string as it is>`` and the blank line."""
    return f"data: {data if isinstance(data, str) else json.dumps(data, ensure_ascii=False)}\n\n"
