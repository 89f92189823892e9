"""The background reflection seen from the CLI: the hidden ``_sleeptime`` command and the one-line notice.

``_sleeptime`` is what a background reflection runs in its detached process
(:func:`journal_agent.agent.sleeptime.start_background`); it prints nothing a
learner reads (its output goes to ``.journal/sleeptime/log.txt``).

Every command runs :func:`sleeptime_notice` first, so this module imports the agent only when there is
a reflection to tell about (``journal search`` through a running server stays light).
"""

from __future__ import annotations

import json
import logging
from pathlib import Path

import click

from journal_agent.root import STATE_DIR, find_root

log = logging.getLogger(__name__)


@click.command(name="_sleeptime", hidden=True)
@click.pass_context
def sleeptime(ctx) -> None:
    """Run the pending background reflections (started by `journal add`/`ingest`; not for people)."""
    from journal_agent.agent.sleeptime import run_jobs
    from journal_agent.cli.common import journal_of

    status = run_jobs(journal_of(ctx))
    if status is not None:
        click.echo(f"{status.finished} {status.state}: {status.message}")


def sleeptime_notice(root: str | None) -> None:
    """Print, on stderr, the one line about the last background reflection (nothing when there is none).

    Never fails: outside a journal, or when the status cannot be read, it prints nothing
    (what went wrong is logged: ``--debug`` shows it).
    """
    try:
        state_dir = find_root(explicit=root) / STATE_DIR
        if not (state_dir / "sleeptime").is_dir() or already_shown(state_dir / "sleeptime" / "status.json"):
            return
        from journal_agent.agent.sleeptime import notice  # here: only when there may be something to say

        line = notice(state_dir)
    except Exception:  # noqa: BLE001 - a notice must never break the command it precedes
        log.debug("no sleep-time notice", exc_info=True)
        return
    if line:
        click.echo(line, err=True)


def already_shown(status_file: Path) -> bool:
    """Whether the recorded status (``agent.sleeptime.Status`` as JSON) says its outcome was printed
    (``"shown": true``), read with the standard library: then there is nothing to say, and every command
    of a journal with a past background reflection skips loading pydantic and the agent for it (issue 23,
    start-up). Anything else (no file, not JSON, not shown) is left to :func:`~journal_agent.agent.sleeptime.notice`.
    """
    try:
        data = json.loads(status_file.read_bytes())
    except (OSError, ValueError):
        return False
    return isinstance(data, dict) and data.get("shown") is True
