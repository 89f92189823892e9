"""Where a command may write a file the user named: never into the journal's own folders, never over a
file it did not write unless asked (issue 21).

``journal export -o notes/2025-01-01-….md`` turned a note into JSON and
``--format markdown -o journal.toml`` turned the configuration into a zip;
``journal digest`` replaced a hand-written note at the digest's path. One
check, :func:`check_output`, stands before every such write:

* a path inside ``notes/`` or ``.journal/`` (as given or with symlinks
  resolved) is refused, ``--force`` or not: those files belong to the journal
  and are written by ``journal add``, ``digest`` and the stores only;
* an existing file is replaced only when the command recognises it as one it
  wrote itself (``ours``) or with ``force``;
* a folder, or anything that is not a regular file, is refused.
"""

from __future__ import annotations

import os
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING

from journal_agent.errors import JournalError

if TYPE_CHECKING:
    from journal_agent.workspace import Journal


class OutputRefused(JournalError):
    """A command was asked to write where it must not (the journal's folders) or over a file it did not write."""


def check_output(journal: Journal, path: Path, *, force: bool = False,
                 ours: Callable[[Path], bool] | None = None, what: str = "the output") -> Path:
    """``path`` made absolute, once it is a place the command may write; raises :class:`OutputRefused` otherwise.

    Args:
        journal: the journal whose ``notes/`` and ``.journal/`` are off limits.
        path: the file the user named (relative to the working folder).
        force: replace an existing file the command did not write.
        ours: ``ours(path)`` is true when an existing file was written by this command (then no ``force``
            is needed); ``None``: no existing file is.
        what: what is being written, for the message ("the export").

    Raises:
        OutputRefused: the path is inside ``notes/`` or ``.journal/``, is a folder or special file, or is an
            existing file that is not ``ours`` and ``force`` is false.
    """
    from journal_agent.root import STATE_DIR

    given = Path(os.path.abspath(Path(path).expanduser()))
    shown = journal.relative(given)
    for folder, role in ((journal.notes_dir, "the notes"), (journal.root / STATE_DIR, "the journal's stores")):
        base = Path(os.path.abspath(folder))
        for candidate, root in ((given, base), (_resolved(given), _resolved(base))):
            if candidate == root or root in candidate.parents:
                raise OutputRefused(f"will not write {what} to {shown}: {journal.relative(base)}/ holds {role}",
                                    hint="choose a file outside it")
    if given.exists() or given.is_symlink():
        if not given.is_file():
            raise OutputRefused(f"will not write {what} to {shown}: it is not a regular file")
        if not force and not (ours is not None and _safely(ours, given)):
            raise OutputRefused(f"{shown} already exists and was not written by this command; nothing was written",
                                hint="add --force to replace it, or choose another file")
    return given


def _resolved(path: Path) -> Path:
    try:
        return path.resolve()
    except (OSError, RuntimeError):
        return path


def _safely(ours: Callable[[Path], bool], path: Path) -> bool:
    try:
        return ours(path)
    except (OSError, ValueError):
        return False
