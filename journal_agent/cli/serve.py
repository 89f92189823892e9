"""``journal serve``: the Click adapter over :func:`journal_agent.service.http.serve`."""

from __future__ import annotations

import click

from journal_agent.cli.common import journal_of
from journal_agent.service.http import DEFAULT_HOST, DEFAULT_PORT
from journal_agent.service.http import serve as run_server
from journal_agent.service.http.guard import TOKEN_ENV


@click.command()
@click.option("--host", default=DEFAULT_HOST, show_default=True,
              help="Address to listen on; any other than loopback needs --token.")
@click.option("--port", default=DEFAULT_PORT, show_default=True, type=click.IntRange(1, 65535))
@click.option("--token", envvar=TOKEN_ENV, default=None,
              help=f"Bearer token every request must carry (Authorization: Bearer TOKEN). Env: {TOKEN_ENV}.")
@click.pass_context
def serve(ctx: click.Context, host: str, port: int, token: str | None) -> None:
    """Serve the agents and the site over HTTP (Letta API, MCP).

    A Letta-compatible API (/v1/agents/...), OpenAI-compatible chat (/v1/chat/completions), MCP
    over streamable HTTP (/mcp) and the built site (/). Listens on 127.0.0.1 unless --host is given
    with a --token.
    """
    journal = journal_of(ctx)
    shown = f"[{host}]" if ":" in host else host
    click.echo(f"Serving {journal.root} on http://{shown}:{port}/ (Ctrl-C to stop)"
               + ("; requests need the bearer token." if token else "."), err=True)
    run_server(journal, host=host, port=port, token=token)
