"""Click adapters for the agents: ``journal agents`` and the hidden ``_sleeptime`` command.

``_sleeptime`` is what a background reflection runs in its detached process
(:func:`journal_agent.agent.sleeptime.start_background`); it prints nothing a
learner reads (its output goes to ``.journal/sleeptime/log.txt``).
"""

from __future__ import annotations

import json

import click

from journal_agent.cli.common import journal_of


@click.command()
@click.option("--json", "as_json", is_flag=True, help="Print the agents as JSON.")
@click.pass_context
def agents(ctx, as_json) -> None:
    """List the agents: name, persona, attached blocks, tools (`journal ask --agent NAME`)."""
    from dataclasses import asdict

    from rich.console import Console

    from journal_agent.agent.agent_tools import list_agents
    from journal_agent.cli.agent_view import print_agents

    found = list_agents(journal_of(ctx))
    if as_json:
        click.echo(json.dumps([asdict(a) for a in found], indent=2, ensure_ascii=False))
        return
    print_agents(Console(highlight=False, soft_wrap=True), found)


@click.command(name="_sleeptime", hidden=True)
@click.pass_context
def sleeptime(ctx) -> None:
    """Run the pending background reflections (started by `journal add`/`ingest`; not for people)."""
    from journal_agent.agent.sleeptime import run_jobs

    status = run_jobs(journal_of(ctx))
    if status is not None:
        click.echo(f"{status.finished} {status.state}: {status.message}")


def sleeptime_notice(root: str | None) -> None:
    """Print, on stderr, the one line about the last background reflection (nothing when there is none).

    Never fails: outside a journal, or when the status cannot be read, it prints nothing.
    """
    from journal_agent.agent.sleeptime import notice
    from journal_agent.workspace import STATE_DIR, find_root

    try:
        state_dir = find_root(explicit=root) / STATE_DIR
        if not (state_dir / "sleeptime").is_dir():
            return
        line = notice(state_dir)
    except Exception:  # noqa: BLE001 - a notice must never break the command it precedes
        return
    if line:
        click.echo(line, err=True)
