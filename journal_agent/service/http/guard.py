"""What every request to ``journal serve`` passes first: the bearer token and the body bound (pure ASGI).

* With a token, every API and MCP request (``/v1/...``, ``/mcp``, any method but GET/HEAD) needs
  ``Authorization: Bearer <token>``; the token is compared in constant time
  (:func:`hmac.compare_digest`) and never logged. Pages of the built site are not guarded: they are
  what ``journal site`` publishes (no private or draft note is ever in them), and a browser cannot
  send a bearer header when it opens a page, so the Ask page could not load (it asks for the token
  and sends it with each API call). Without a token the server only listens on loopback
  (:func:`check_bind`).
* The local token (:mod:`journal_agent.service.local`: the per-run token in ``.journal/serve.json``,
  readable only by the journal's owner) is accepted wherever the token is, and marks the request as
  the owner's: ``scope["journal.local"]`` is ``True`` for it and ``False`` for every other request
  (a client cannot set it). Routes that answer the owner as the local CLI does read it.
* A request body over ``max_body`` bytes is refused with 413 before the app reads it: by its
  ``Content-Length``, or while it arrives when it is sent in chunks.

Errors are JSON ``{"detail": "..."}`` like every other error of the server.
"""

from __future__ import annotations

import hmac
import ipaddress
import json
from typing import Any

from journal_agent.errors import TokenRequired

MAX_BODY_BYTES = 1_000_000  # a question, a block value or an MCP call is far smaller
LOOPBACK_NAMES = {"localhost", "localhost.localdomain", "ip6-localhost"}
TOKEN_ENV = "JOURNAL_SERVER_TOKEN"


def is_loopback(host: str) -> bool:
    """Whether ``host`` (a name or an address) only accepts connections from this machine."""
    if host.lower() in LOOPBACK_NAMES:
        return True
    try:
        return ipaddress.ip_address(host.strip("[]")).is_loopback
    except ValueError:
        return False


def check_bind(host: str, token: str | None) -> None:
    """Refuse to listen beyond this machine without a token (safe by default).

    Raises:
        TokenRequired: ``host`` is not a loopback address and ``token`` is empty.
    """
    if not is_loopback(host) and not token:
        raise TokenRequired(
            f"journal serve would listen on {host}, which other machines can reach, without a bearer token",
            hint=f"give one with --token TOKEN or {TOKEN_ENV}, or listen on 127.0.0.1")


def needs_token(scope: dict[str, Any]) -> bool:
    """True for an API or MCP request; False for a GET/HEAD of the published site's pages."""
    path = scope.get("path", "")
    api = path == "/mcp" or path.startswith(("/mcp/", "/v1/")) or path == "/v1"
    return api or scope.get("method") not in ("GET", "HEAD")


async def send_json(send, status: int, detail: str, headers: dict[str, str] | None = None) -> None:
    """Send ``{"detail": detail}`` with ``status`` (an ASGI response)."""
    body = json.dumps({"detail": detail}).encode()
    raw = [(b"content-type", b"application/json"), (b"content-length", str(len(body)).encode())]
    raw += [(k.lower().encode(), v.encode()) for k, v in (headers or {}).items()]
    await send({"type": "http.response.start", "status": status, "headers": raw})
    await send({"type": "http.response.body", "body": body})


class Guard:
    """ASGI middleware: the bearer token and the body bound (see the module docstring).

    Args:
        app: the ASGI app behind it.
        token: the bearer token every request must carry; ``None`` or '': none needed.
        max_body: the largest request body accepted, in bytes.
        local_token: the per-run token of the journal's owner (``journal serve`` makes one), or ``None``.
    """

    def __init__(self, app, *, token: str | None = None, max_body: int = MAX_BODY_BYTES,
                 local_token: str | None = None):
        self.app, self.token, self.max_body = app, token or None, max_body
        self.local_token = local_token or None

    async def __call__(self, scope: dict[str, Any], receive, send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        headers = {k.decode("latin-1").lower(): v.decode("latin-1") for k, v in scope.get("headers", [])}
        given = headers.get("authorization", "")
        scheme, _, credential = given.partition(" ")
        bearer = credential.strip().encode() if scheme.lower() == "bearer" else None
        local = bearer is not None and self.local_token is not None and hmac.compare_digest(
            bearer, self.local_token.encode())
        scope = {**scope, "journal.local": local}
        if self.token is not None and needs_token(scope) and not local:
            if bearer is None or not hmac.compare_digest(bearer, self.token.encode()):
                what = "a wrong bearer token" if given else "no bearer token"
                await send_json(send, 401, f"this server needs Authorization: Bearer <token>; the request had {what}",
                                {"WWW-Authenticate": "Bearer"})
                return
        if scope.get("method") not in ("POST", "PUT", "PATCH"):
            await self.app(scope, receive, send)
            return
        too_large = (f"the request body is larger than this server accepts ({self.max_body:,} bytes); "
                     "send a shorter message")
        length = headers.get("content-length", "")
        if length.isdigit() and int(length) > self.max_body:
            await send_json(send, 413, too_large)
            return
        chunks: list[bytes] = []
        size, more = 0, True
        while more:
            message = await receive()
            if message["type"] == "http.disconnect":
                return
            chunk = message.get("body", b"")
            size += len(chunk)
            if size > self.max_body:
                await send_json(send, 413, too_large)
                return
            chunks.append(chunk)
            more = message.get("more_body", False)
        replayed = False

        async def replay() -> dict[str, Any]:
            nonlocal replayed
            if not replayed:
                replayed = True
                return {"type": "http.request", "body": b"".join(chunks), "more_body": False}
            return await receive()

        await self.app(scope, replay, send)
