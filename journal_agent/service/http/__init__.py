"""``journal serve``: the journal's agents as a service on one ASGI app (Starlette on uvicorn).

* :mod:`.app` — the Letta-compatible subset of the v1 REST API (:func:`create_app`);
* :mod:`.turns` — the agents as the server runs them (one turn per agent conversation at a time);
* :mod:`.letta` — Letta's shapes for agents, blocks, messages, passages;
* :mod:`.guard` — the bearer token and the request-body bound.

:func:`serve` checks the address (loopback, or a token), builds the app and runs uvicorn; once it
listens, it announces itself to the journal's own commands in ``.journal/serve.json`` with a per-run
local token (:mod:`journal_agent.service.local`), and removes the file when it stops.
"""

from __future__ import annotations

import os
import secrets
import sys

from journal_agent.service.http.app import create_app
from journal_agent.service.http.guard import check_bind
from journal_agent.service.local import LocalServer, announce, withdraw

WILDCARDS = {"0.0.0.0": "127.0.0.1", "::": "::1", "": "127.0.0.1"}  # where the local CLI reaches a server on all

DEFAULT_HOST = "127.0.0.1"
DEFAULT_PORT = 8283  # Letta's port: letta-client's examples point there


def serve(journal, *, host: str = DEFAULT_HOST, port: int = DEFAULT_PORT, token: str | None = None,
          log_level: str = "info") -> None:
    """Serve ``journal`` on ``host:port`` until interrupted (Ctrl-C).

    Raises:
        TokenRequired: ``host`` is not loopback and no ``token`` was given.
        OSError: the port is taken (the CLI boundary says so).
    """
    import uvicorn
    from uvicorn.main import STARTUP_FAILURE

    check_bind(host, token)
    local_token = secrets.token_urlsafe(32)
    app = create_app(journal, token=token, host=host, local_token=local_token)
    announced: list[LocalServer] = []

    class AnnouncingServer(uvicorn.Server):
        """uvicorn's server that writes the serve file once its socket listens (the port is then known)."""

        async def startup(self, sockets=None) -> None:
            await super().startup(sockets=sockets)
            if self.started and self.servers and self.servers[0].sockets:
                address, bound_port = self.servers[0].sockets[0].getsockname()[:2]
                name = WILDCARDS.get(address, address)
                local = LocalServer(f"http://{f'[{name}]' if ':' in name else name}:{bound_port}", os.getpid(),
                                    local_token)
                announce(journal.root, local)
                announced.append(local)

    server = AnnouncingServer(uvicorn.Config(app, host=host, port=port, log_level=log_level, server_header=False))
    try:
        server.run()
    except KeyboardInterrupt:  # as uvicorn.run: Ctrl-C before the loop took over the signal
        pass
    finally:
        for local in announced:
            withdraw(journal.root, local)
    if not server.started:  # as uvicorn.run: the port is taken, or the app failed to start
        sys.exit(STARTUP_FAILURE)


__all__ = ["DEFAULT_HOST", "DEFAULT_PORT", "create_app", "serve"]
