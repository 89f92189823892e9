"""``journal serve``: the journal's agents as a service on one ASGI app (Starlette on uvicorn).

* :mod:`.app` — the Letta-compatible subset of the v1 REST API (:func:`create_app`);
* :mod:`.turns` — the agents as the server runs them (one turn per agent conversation at a time);
* :mod:`.letta` — Letta's shapes for agents, blocks, messages, passages;
* :mod:`.guard` — the bearer token and the request-body bound.

:func:`serve` checks the address (loopback, or a token), builds the app and runs uvicorn.
"""

from __future__ import annotations

from journal_agent.service.http.app import create_app
from journal_agent.service.http.guard import check_bind

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

    check_bind(host, token)
    app = create_app(journal, token=token, host=host)
    uvicorn.run(app, host=host, port=port, log_level=log_level, server_header=False)


__all__ = ["DEFAULT_HOST", "DEFAULT_PORT", "create_app", "serve"]
