"""The handshake between a running ``journal serve`` and the ``journal`` commands of the same journal.

A server announces itself in ``.journal/serve.json``: its URL, its process id and a random token made
for this run (``{"url": "http://127.0.0.1:8283", "pid": 4242, "token": "..."}``). The file is written
atomically (:func:`journal_agent.atomic.write_atomic`) with mode 0600, so only the journal's owner can
read the token, and removed when the server stops. A command that would otherwise open the archive
(``journal search``; ``journal ask``, whose turn streams back as JSON lines, :func:`stream_json`) asks that
server instead, with the token: the server then answers as the local
CLI would, private notes included. Commands already running at ~jrnl speed gain nothing from a daemon;
the point is to skip ``import lancedb`` and the embedder in every short-lived process (issue 23), as
tools with a daemon do (``git fsmonitor--daemon``, ``gpg-agent``).

The file is never trusted blindly: one whose process is gone, that another user owns or others can
read, or that does not parse is ignored (:func:`running_server` returns ``None``); a server that
refuses the connection or the token, or answers anything but 200, makes :func:`request_json` return
``None``, and the caller does the work itself. This module uses the standard library only: it is on
the path of a command that must start fast.
"""

from __future__ import annotations

import http.client
import json
import os
import stat
from collections.abc import Generator
from dataclasses import dataclass
from pathlib import Path
from typing import Any
from urllib.parse import urlencode, urlsplit

from journal_agent.atomic import write_atomic
from journal_agent.processes import pid_alive
from journal_agent.root import STATE_DIR

SERVE_FILE = "serve.json"
LOCAL_HEADER = "X-Journal-Local"  # the server's answer says it recognized the local token ("owner")
TIMEOUT = 60.0  # seconds: a server's first search loads the archive and the embedder
TURN_TIMEOUT = 900.0  # seconds between two lines of a streamed turn: a model step may be slow


@dataclass(frozen=True)
class LocalServer:
    """A running ``journal serve`` of this journal, as its serve file says.

    Attributes:
        url: where it listens, ``http://host:port`` (a loopback address).
        pid: its process id.
        token: the per-run local token (``Authorization: Bearer <token>``).
    """

    url: str
    pid: int
    token: str


def serve_file(root: Path) -> Path:
    """``<root>/.journal/serve.json``: where a running server of the journal at ``root`` announces itself."""
    return root / STATE_DIR / SERVE_FILE


def announce(root: Path, server: LocalServer) -> Path:
    """Write the serve file of ``root`` for ``server`` (atomically, mode 0600); the path written.

    Raises:
        OSError: ``.journal/`` cannot be written.
    """
    path = serve_file(root)
    path.parent.mkdir(parents=True, exist_ok=True)
    data = json.dumps({"url": server.url, "pid": server.pid, "token": server.token})
    write_atomic(path, data, durable=False)  # mkstemp made the file 0600; chmod says so for any umask
    os.chmod(path, 0o600)
    return path


def withdraw(root: Path, server: LocalServer) -> None:
    """Remove the serve file of ``root`` if it still announces ``server`` (a newer server's file stays)."""
    path = serve_file(root)
    if _read(path) == server:
        path.unlink(missing_ok=True)


def running_server(root: Path) -> LocalServer | None:
    """The server announced for the journal at ``root``, or ``None``: no file, a file this user does not own
    or that others can read, one that does not parse, or whose process is gone (a stale file)."""
    server = _read(serve_file(root))
    if server is None or not pid_alive(server.pid):
        return None
    return server


def server_here(explicit_root: str | os.PathLike[str] | None = None) -> LocalServer | None:
    """The server announced for the journal a command runs in (found as every command finds it: ``--root`` /
    ``JOURNAL_ROOT``, else walking up), or ``None``: no journal there (the in-process path says what is
    wrong), or no trusted server (:func:`running_server`)."""
    from journal_agent.errors import JournalError
    from journal_agent.root import find_root

    try:
        root = find_root(explicit=explicit_root)
    except JournalError:
        return None
    return running_server(root)


def _read(path: Path) -> LocalServer | None:
    try:
        info = path.stat()
        if info.st_uid != os.getuid() or stat.S_IMODE(info.st_mode) & 0o077:
            return None
        data = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None
    if not isinstance(data, dict):
        return None
    url, pid, token = data.get("url"), data.get("pid"), data.get("token")
    if not (isinstance(url, str) and isinstance(pid, int) and isinstance(token, str) and token):
        return None
    parts = urlsplit(url)
    if parts.scheme != "http" or not parts.hostname or parts.port is None:
        return None
    return LocalServer(url, pid, token)


def request_json(server: LocalServer, method: str, path: str, *, params: dict[str, Any] | None = None,
                 body: dict[str, Any] | None = None, timeout: float = TIMEOUT) -> Any | None:
    """``method path`` on ``server`` with its local token; the JSON answer, or ``None`` to do the work locally.

    ``params`` become the query string (``None`` values left out); ``body`` is sent as JSON. ``None``
    comes back when the connection fails or times out, the status is not 200, the answer is not JSON, or
    the server did not recognize the local token (no ``X-Journal-Local: owner`` header): a server that
    would answer as a stranger (private notes left out) is not asked.
    """
    parts = urlsplit(server.url)
    query = urlencode({k: v for k, v in (params or {}).items() if v is not None})
    target = path + (f"?{query}" if query else "")
    payload = json.dumps(body).encode() if body is not None else None
    headers = {"Authorization": f"Bearer {server.token}", "Accept": "application/json"}
    if payload is not None:
        headers["Content-Type"] = "application/json"
    assert parts.hostname is not None and parts.port is not None  # checked by _read
    connection = http.client.HTTPConnection(parts.hostname, parts.port, timeout=timeout)
    try:
        connection.request(method, target, body=payload, headers=headers)
        response = connection.getresponse()
        raw = response.read()
        if response.status != 200 or response.getheader(LOCAL_HEADER) != "owner":
            return None
        return json.loads(raw)
    except (OSError, http.client.HTTPException, ValueError):
        return None
    finally:
        connection.close()


def stream_json(server: LocalServer, method: str, path: str, *, body: dict[str, Any],
                timeout: float = TURN_TIMEOUT) -> Generator[dict[str, Any], None, None] | None:
    """``method path`` on ``server`` with its local token and ``body`` as JSON; its answer, JSON lines read
    as they come (one object a line), or ``None`` to do the work locally: the same rules as
    :func:`request_json`, checked before any line is read. Close the generator when done with it.

    A connection that breaks after the first line ends the lines early (the caller sees no final line).
    """
    parts = urlsplit(server.url)
    assert parts.hostname is not None and parts.port is not None  # checked by _read
    headers = {"Authorization": f"Bearer {server.token}", "Accept": "application/x-ndjson",
               "Content-Type": "application/json"}
    connection = http.client.HTTPConnection(parts.hostname, parts.port, timeout=timeout)
    try:
        connection.request(method, path, body=json.dumps(body).encode(), headers=headers)
        response = connection.getresponse()
    except (OSError, http.client.HTTPException):
        connection.close()
        return None
    if response.status != 200 or response.getheader(LOCAL_HEADER) != "owner":
        connection.close()
        return None

    def lines() -> Generator[dict[str, Any], None, None]:
        try:
            for line in response:
                if line.strip():
                    yield json.loads(line)
        except (OSError, http.client.HTTPException, ValueError):
            return
        finally:
            connection.close()

    return lines()
