"""What every Click adapter shares: the journal of the command, consoles, escaping, the date option.

Imports only Click and the standard library at module level (rich and the
library are imported when used), so ``journal --help`` stays fast.
"""

from __future__ import annotations

import datetime as dt
import json
import textwrap
from typing import TYPE_CHECKING, Any

import click

from journal_agent.errors import JournalError

if TYPE_CHECKING:
    from rich.console import Console

    from journal_agent.workspace import Journal


def journal_of(ctx: click.Context) -> Journal:
    """The journal the command runs in (``--root``, ``JOURNAL_ROOT``, or found walking up).

    Raises:
        JournalNotFound, ConfigError: shown by the CLI boundary as one line.
    """
    from journal_agent.workspace import open_journal

    return open_journal(root=(ctx.find_object(dict) or {}).get("root"))


def console(stderr: bool = False) -> Console:
    """A rich console that neither highlights nor wraps what it prints (pipes get plain lines)."""
    from rich.console import Console

    return Console(stderr=stderr, highlight=False, soft_wrap=True)


def escape(text: str) -> str:
    """``text`` with rich markup escaped (a note title like ``[x]`` prints as written)."""
    from rich.markup import escape as rich_escape

    return rich_escape(text)


def one_line(text: str, width: int = 160) -> str:
    """``text`` on one line of at most ``width`` characters (``textwrap.shorten``, "…" when cut)."""
    return textwrap.shorten(text or "", width=width, placeholder=" …")


def print_json(data: Any) -> None:
    """``data`` as indented JSON on stdout, non-ASCII kept."""
    click.echo(json.dumps(data, indent=2, ensure_ascii=False))


def date_languages(ctx: click.Context | None) -> list[str]:
    """``[journal] date_languages`` of the journal the command runs in; ``["en"]`` outside one."""
    obj = ctx.find_object(dict) if ctx is not None else None
    if obj is None:
        obj = {}
    if "date_languages" not in obj:
        from journal_agent.workspace import open_journal

        try:
            obj["date_languages"] = list(open_journal(root=obj.get("root")).config.journal.date_languages)
        except JournalError:
            obj["date_languages"] = ["en"]
    return obj["date_languages"]


class DateParam(click.ParamType):
    """A date option ("yesterday", "last monday", 2025-09-18, "18 Sep 2025") → ``datetime.date``.

    Read by :func:`~journal_agent.notes.dates.parse_date` in the journal's
    ``[journal] date_languages`` (English outside a journal). A date that cannot
    be read is a usage error (exit 2) naming the option.
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
