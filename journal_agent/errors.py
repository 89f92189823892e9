"""Every domain exception journal-agent raises, under one base class.

The CLI boundary (:mod:`journal_agent.cli.boundary`) is the one place these
become messages: the message and, when set, its ``hint`` (what to do next, in
parentheses) as one line on stderr, exit code 1 (``--debug`` or ``JOURNAL_DEBUG=1`` shows the
traceback). Every message says what went wrong and, where there is one, how to
fix it.
"""

from __future__ import annotations

from pathlib import Path


class JournalError(Exception):
    """Base class: a problem the user can act on, with a message that says how.

    Attributes:
        hint: what to do next, said after the message (``"message (hint)"``) by the
            CLI boundary, or ``None``: the class's own (e.g. :class:`AgentError`'s),
            or one given as ``hint=`` when raised.
    """

    hint: str | None = None

    def __init__(self, *args: object, hint: str | None = None):
        super().__init__(*args)
        if hint is not None:
            self.hint = hint


class JournalNotFound(JournalError):
    """No ``journal.toml`` was found walking up from the start directory."""


class ConfigError(JournalError):
    """``journal.toml`` or an environment override is invalid."""


class ModelNotInstalled(JournalError):
    """The local embedding model's weights package is not installed (or incomplete)."""


class LockBusy(JournalError):
    """Another journal command holds a lock this one needs (ingest, add, review, a conversation, core memory).

    Raised by :class:`journal_agent.locks.JournalLock`, the one lock helper.

    Attributes:
        lock_file: the lock's file.
        holder: what holds it, as a user names it ("`journal add`").
        waited: seconds this command waited before giving up.
    """

    def __init__(self, lock_file: str | Path, holder: str, waited: float):
        self.lock_file, self.holder, self.waited = str(lock_file), holder, waited
        super().__init__(f"another {holder} has held {lock_file} for {waited:g}s",
                         hint="wait for it to finish, then try again")


class NoteError(JournalError):
    """One note could not be read or parsed.

    Attributes:
        path: the file, as given (absolute or journal-relative).
        reason: short human reason ("front matter is not valid YAML: ...").
        line: 1-based line number where known, else ``None``.
    """

    def __init__(self, path, reason: str, line: int | None = None):
        self.path, self.reason, self.line = path, reason, line
        super().__init__(f"{path}:{line}: {reason}" if line else f"{path}: {reason}")


class StoreError(JournalError):
    """The archival store cannot be used as it is (schema, embedding model mismatch, damaged files, full disk).

    The message names the command that repairs it (``journal ingest`` or ``journal ingest --full``).
    """


class ReadOnlyStore(StoreError):
    """A writing command met a ``.journal/`` it cannot write to; reading commands still work."""


class ModelNotConfigured(JournalError):
    """No LLM endpoint is configured (no API key and no base URL)."""


class AgentError(JournalError):
    """The LLM call failed (API error, timeout); the conversation so far is kept."""

    hint = "the conversation so far is kept; `journal ask -c` continues it"


class ReplyBrokeOff(AgentError):
    """The model's streamed reply ended without a finish reason (the connection dropped).

    Attributes:
        partial: the text received before it broke off ('' when none).
    """

    def __init__(self, message: str, partial: str = ""):
        super().__init__(message)
        self.partial = partial


class ContextOverflow(AgentError):
    """The server refused the request as longer than the model's context window.

    Attributes:
        window: the window in tokens, when the server said (``None`` otherwise).
        prompt_tokens: the server's count of the refused prompt, when it said.
    """

    def __init__(self, message: str, window: int | None = None, prompt_tokens: int | None = None):
        super().__init__(message)
        self.window, self.prompt_tokens = window, prompt_tokens


class ToolsUnsupported(AgentError):
    """The model cannot call tools (Ollama: 400 "<model> does not support tools")."""


class SiteError(JournalError):
    """The site cannot be built or served (MkDocs configuration, failed notes with ``--strict``, port in use)."""


class ReviewError(JournalError):
    """The review queue cannot do what was asked: an unknown or retired card id, a damaged ``review.sqlite``."""


class NoteNotFound(JournalError):
    """No note matches a reference (day number, date or path) given by the user or the agent."""


class ImportRefused(JournalError):
    """An import (``journal import jrnl``) was refused before anything was written: not a journal of that
    kind, over a bound (file size, entry count, one day's note), or a note it would write exists already."""


class ServerError(JournalError):
    """``journal serve`` cannot start or cannot do what a request asked (:mod:`journal_agent.service.http`)."""


class TokenRequired(ServerError):
    """``journal serve`` was asked to listen on an address other than loopback without a bearer token."""


class AgentBusy(ServerError):
    """An agent's conversation is running a turn already (the server's HTTP 409: one turn at a time).

    Attributes:
        started: when the running turn started (ISO 8601, UTC, ``Z``), or ``None`` when unknown.
    """

    started: str | None = None
