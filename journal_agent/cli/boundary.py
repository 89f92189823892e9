"""The one place where exceptions become what a user reads.

:class:`JournalGroup` wraps every ``journal`` command: a domain error
(:class:`~journal_agent.errors.JournalError`, a busy lock included) prints its
own message and hint; the operating-system faults a journal meets in normal use
(a busy port, a read-only folder, a full disk) get a message that
says what to do; anything else says it is unexpected and how to see more.
Each is one line on stderr with exit code 1 (130 for Ctrl-C). ``--debug`` or
``JOURNAL_DEBUG=1`` re-raises instead, so the traceback is shown, and shows what
the library logged (:func:`show_logs`: the exceptions it swallowed on purpose).

This module imports only Click and the standard library: ``journal --help``
stays fast.
"""

from __future__ import annotations

import errno
import logging
import os
from typing import Any

import click

from journal_agent.errors import JournalError

EXIT_PARTIAL = 3  # some notes failed and are listed; every other note went through
EXIT_INTERRUPTED = 130
DEBUG_HINT = "run again with --debug (or JOURNAL_DEBUG=1) to see the traceback"


def debug_enabled(ctx: click.Context | None) -> bool:
    """Whether ``--debug`` was given or ``JOURNAL_DEBUG`` is set to a true value."""
    if os.environ.get("JOURNAL_DEBUG", "").strip().lower() in {"1", "true", "yes", "on"}:
        return True
    root = ctx.find_root() if ctx is not None else None
    return bool(root is not None and isinstance(root.obj, dict) and root.obj.get("debug"))


def show_logs() -> None:
    """Print what the ``journal_agent`` loggers record (debug level and up) on the current stderr."""
    logger = logging.getLogger("journal_agent")
    for old in [h for h in logger.handlers if getattr(h, "journal_debug", False)]:
        logger.removeHandler(old)  # a second command in one process (tests) writes to its own stderr
    handler = logging.StreamHandler()
    handler.setFormatter(logging.Formatter("debug: %(name)s: %(message)s"))
    handler.journal_debug = True  # type: ignore[attr-defined]
    logger.addHandler(handler)
    logger.setLevel(logging.DEBUG)


def user_message(exc: BaseException) -> str:
    """The one-line message a user reads for ``exc``.

    Args:
        exc: any exception that escaped a command.

    Returns:
        A message without a trailing newline that says what went wrong and, where
        known, how to fix it.
    """
    if isinstance(exc, JournalError):
        return f"{exc} ({exc.hint})" if exc.hint else str(exc)
    if isinstance(exc, OSError):
        return _os_error_message(exc)
    return f"unexpected error: {type(exc).__name__}: {exc}; {DEBUG_HINT}"


def _os_error_message(exc: OSError) -> str:
    where = f" {exc.filename}" if exc.filename else ""
    reason = exc.strerror or str(exc)
    if exc.errno == errno.EADDRINUSE:
        return f"the address is already in use ({reason}); pick another port with --port"
    if exc.errno in (errno.EACCES, errno.EPERM, errno.EROFS):
        return (f"cannot write{where}: {reason}; the journal folder (or its .journal/ store) is "
                "read-only for you: fix its permissions, or run reading commands only")
    if exc.errno in (errno.ENOSPC, errno.EDQUOT, errno.EFBIG):
        return (f"no space left while writing{where} ({reason}); free some disk space and run the "
                "command again: what was stored before is kept")
    if exc.errno == errno.ENOENT:
        return f"no such file or folder:{where or ' ' + str(exc)}"
    return f"{reason}{':' + where if where else ''}; {DEBUG_HINT}"


class JournalGroup(click.Group):
    """A Click group whose commands' exceptions become one-line messages (see module doc)."""

    def invoke(self, ctx: click.Context) -> Any:
        try:
            return super().invoke(ctx)
        except (click.exceptions.Exit, click.exceptions.Abort, click.ClickException):
            raise
        except KeyboardInterrupt:
            if debug_enabled(ctx):
                raise
            click.echo("Interrupted.", err=True)
            ctx.exit(EXIT_INTERRUPTED)
        except Exception as exc:  # noqa: BLE001 - the boundary: nothing escapes as a traceback
            if debug_enabled(ctx):
                raise
            raise click.ClickException(user_message(exc)) from exc
