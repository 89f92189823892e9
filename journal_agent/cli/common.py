"""What every Click adapter shares: the journal of the command, consoles, escaping, JSON, the repeated options.

Imports of the journal's configuration (pydantic), dates (dateparser) and workspace happen inside the
functions that need them: ``journal search`` answered by a running ``journal serve`` never loads them.

Option bundles are decorators (the style of sqlite-utils' ``output_options``):
:func:`json_option`, :func:`date_window_options`, :func:`include_private_option`,
:func:`model_option`; a command applies them instead of restating the option.
"""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Callable
from typing import IO, TYPE_CHECKING, Any, TypeVar

import click
from rich.console import Console
from rich.markup import escape as escape  # re-exported: a note title like [x] prints as written

from journal_agent.errors import JournalError

if TYPE_CHECKING:
    from journal_agent.archive.ingest import IngestProgress
    from journal_agent.workspace import Journal

F = TypeVar("F", bound=Callable[..., Any])


def journal_of(ctx: click.Context) -> Journal:
    """The journal the command runs in (``--root``, ``JOURNAL_ROOT``, or found walking up).

    Raises:
        JournalNotFound, ConfigError: shown by the CLI boundary as one line.
    """
    from journal_agent.workspace import open_journal

    return open_journal(root=(ctx.find_object(dict) or {}).get("root"))


def console(stderr: bool = False) -> Console:
    """A rich console that neither highlights nor wraps what it prints (pipes get plain lines)."""
    return Console(stderr=stderr, highlight=False, soft_wrap=True)


def print_json(data: Any, file: IO[str] | None = None) -> None:
    """``data`` as indented JSON on stdout (or ``file``), non-ASCII kept: every JSON the CLI prints goes here."""
    click.echo(json.dumps(data, indent=2, ensure_ascii=False), file=file)


def date_languages(ctx: click.Context | None) -> list[str]:
    """``[journal] date_languages`` of the journal the command runs in; the configured default outside one."""
    obj = ctx.find_object(dict) if ctx is not None else None
    if obj is None:
        obj = {}
    if "date_languages" not in obj:
        from journal_agent.config import DEFAULT_DATE_LANGUAGES
        from journal_agent.workspace import open_journal

        try:
            obj["date_languages"] = list(open_journal(root=obj.get("root")).config.journal.date_languages)
        except JournalError:
            obj["date_languages"] = list(DEFAULT_DATE_LANGUAGES)
    return obj["date_languages"]


class DateParam(click.ParamType):
    """A date option ("yesterday", "last monday", 2025-09-18, "18 Sep 2025") → ``datetime.date``.

    Read by :func:`~journal_agent.notes.dates.parse_date` in the journal's
    ``[journal] date_languages`` (the default outside a journal). A date that
    cannot be read is a usage error (exit 2) naming the option.
    """

    name = "date"

    def convert(self, value: Any, param: click.Parameter | None, ctx: click.Context | None) -> dt.date:
        if isinstance(value, dt.date):
            return value
        from journal_agent.notes.dates import parse_date

        try:
            return parse_date(str(value), languages=date_languages(ctx))
        except ValueError as exc:
            self.fail(str(exc), param, ctx)


DATE = DateParam()


def json_option(help: str = "Print JSON.") -> Callable[[F], F]:
    """``--json`` (the parameter ``as_json``), with ``help`` saying what the JSON holds."""
    return click.option("--json", "as_json", is_flag=True, help=help)


def date_window_options(fn: F) -> F:
    """``--since`` and ``--until`` (:data:`DATE`, both ends included)."""
    fn = click.option("--until", type=DATE, help="Only notes on or before this date.")(fn)
    return click.option("--since", type=DATE, help='Only notes on or after this date ("last month", 2025-09-01).')(fn)


def include_private_option(help: str = "Also private and draft notes.") -> Callable[[F], F]:
    """``--include-private`` (the parameter ``include_private``), with ``help`` saying what it adds."""
    return click.option("--include-private", is_flag=True, help=help)


def model_option(fn: F) -> F:
    """``--model``: the chat model of this command."""
    return click.option("--model", help="Model name (default: JOURNAL_MODEL, else [llm] model in journal.toml).")(fn)


def say_waiting(step: IngestProgress) -> None:
    """An ingest progress callback that only says, on stderr, when it waits for another ingest's lock
    (for commands whose own ingest is one note: ``add``, ``digest``)."""
    if step.waiting:
        click.echo(f"waiting for {step.waiting} to finish...", err=True)
