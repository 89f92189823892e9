"""The archive's files on disk: faults become messages, interrupted work is finished or undone.

LanceDB commits each write as a new table version (a manifest under
``_versions/``); data written by a write that fails (a full disk) or is killed
is never referenced, so the previous version stays readable (Lance format,
"Transactions": https://lancedb.github.io/lance/format.html). What is left to
handle here:

* the first ``create_table`` failing before its first commit leaves a table
  folder without a manifest, which LanceDB lists but cannot open
  ("Table 'chunks' was not found") and will not create again;
* a full rebuild (``journal ingest --full``) is written beside the archive,
  into ``archive.lance.rebuild``, and swapped in with two renames; a crash
  between them is finished (or undone) by :func:`finish_swap`;
* LanceDB reports I/O faults as ``RuntimeError("lance error: ...")``,
  ``OSError`` or ``ValueError``: :func:`storage_errors` turns them into one
  :class:`~journal_agent.errors.StoreError` line naming the command that repairs.
"""

from __future__ import annotations

import errno
import os
import re
import shutil
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from journal_agent.errors import ReadOnlyStore, StoreError
from journal_agent.workspace import ARCHIVE_RECORD

META_FILE = ARCHIVE_RECORD  # archive.json: the workspace names it and reads its sources
REBUILD_MARKER = ".rebuild-complete"  # written last into a rebuild: it is complete and may be swapped in
# What LanceDB raises for I/O and format faults (lance errors come as RuntimeError).
LANCE_ERRORS = (RuntimeError, OSError, ValueError)
_REASON_RE = re.compile(r"LanceError\(\w+\):\s*(?P<reason>.*?)(?:,\s*/\S+:\d+:\d+|$)", re.DOTALL)
_FULL_DISK = (errno.ENOSPC, errno.EDQUOT, errno.EFBIG)
_READ_ONLY = (errno.EACCES, errno.EPERM, errno.EROFS)


def rebuild_dir(directory: Path) -> Path:
    """Where a full rebuild of the archive at ``directory`` is written."""
    return directory.with_name(directory.name + ".rebuild")


def _old_dir(directory: Path) -> Path:
    return directory.with_name(directory.name + ".old")


def lance_reason(exc: BaseException) -> str:
    """A short reason for a LanceDB/OS error ("No space left on device (os error 28)")."""
    if isinstance(exc, OSError) and exc.strerror:
        return exc.strerror
    text = str(exc)
    match = _REASON_RE.search(text)
    reason = match.group("reason") if match else text.removeprefix("lance error: ")
    return " ".join(reason.split())[:300] or type(exc).__name__


def _errno_of(exc: BaseException) -> int | None:
    if isinstance(exc, OSError) and exc.errno:
        return exc.errno
    match = re.search(r"os error (\d+)", str(exc))
    return int(match.group(1)) if match else None


@contextmanager
def storage_errors(directory: Path, *, writing: bool) -> Iterator[None]:
    """Turn LanceDB and OS errors raised inside the block into a one-line :class:`StoreError`.

    Args:
        directory: the archive folder, named in the message.
        writing: the block writes; failed writes leave the previous version,
            so the message says nothing was lost. A failed read means damaged
            files: the message says to rebuild with ``journal ingest --full``.
    """
    try:
        yield
    except StoreError:
        raise
    except LANCE_ERRORS as exc:
        raise store_error(directory, exc, writing=writing) from exc


def store_error(directory: Path, exc: BaseException, *, writing: bool) -> StoreError:
    """The :class:`StoreError` for a LanceDB/OS error ``exc`` met in the archive at ``directory``."""
    reason = lance_reason(exc)
    code = _errno_of(exc)
    if code in _FULL_DISK:
        return StoreError(f"could not write the archive at {directory}: {reason}; what was stored before is kept. "
                          "Free some disk space, then run `journal ingest` again")
    if code in _READ_ONLY:
        return ReadOnlyStore(
            f"cannot write the archive at {directory} ({reason}); make it writable and run the command "
            "again; reading commands (search, memory show) still work")
    if writing:
        return StoreError(
            f"could not write the archive at {directory}: {reason}; what was stored before is kept. "
            "Run `journal ingest` again; if this repeats, `journal ingest --full` rebuilds it from your notes")
    return StoreError(f"the archive at {directory} is damaged ({reason}); run `journal ingest --full` to rebuild it "
                      "from your notes (the agent's own entries are kept where they can be read)")


def is_orphan_table(table_dir: Path) -> bool:
    """Whether ``table_dir`` is a table folder without any committed version (a creation that failed)."""
    if not table_dir.is_dir():
        return False
    versions = table_dir / "_versions"
    return not (versions.is_dir() and any(versions.glob("*.manifest")))


def remove_orphan_table(table_dir: Path) -> bool:
    """Delete ``table_dir`` when it holds no committed version (call under the ingest lock). Returns whether it did."""
    if not is_orphan_table(table_dir):
        return False
    shutil.rmtree(table_dir, ignore_errors=True)
    return not table_dir.exists()


def finish_swap(directory: Path) -> None:
    """Finish (or undo) a rebuild swap that a crash interrupted; leave everything else alone.

    ``directory`` missing with a complete rebuild beside it: the rebuild is
    renamed into place. Missing with only the ``.old`` copy: that copy goes
    back. A complete swap's leftover ``.old`` copy is removed. Best effort: on
    a read-only journal nothing changes and readers open what is there.

    Raises:
        StoreError: the archive folder is gone and cannot be put back.
    """
    rebuilt, old = rebuild_dir(directory), _old_dir(directory)
    try:
        if not directory.exists():
            if (rebuilt / REBUILD_MARKER).is_file():
                os.rename(rebuilt, directory)
            elif old.is_dir():
                os.rename(old, directory)
        if directory.exists() and old.exists():
            shutil.rmtree(old, ignore_errors=True)
        (directory / REBUILD_MARKER).unlink(missing_ok=True)
    except OSError as exc:
        if not directory.exists():
            raise StoreError(f"a rebuild of the archive was interrupted and {directory} could not be put back "
                             f"({exc.strerror or exc}); run `journal ingest --full`") from exc


def swap_in(rebuilt: Path, directory: Path) -> None:
    """Replace the archive at ``directory`` by the complete rebuild at ``rebuilt``.

    Two renames (old aside, rebuild in) then the old copy is deleted; a crash
    in between is repaired by :func:`finish_swap` on the next open.
    """
    old = _old_dir(directory)
    shutil.rmtree(old, ignore_errors=True)
    if directory.exists():
        os.rename(directory, old)
    try:
        os.rename(rebuilt, directory)
    except FileNotFoundError:
        if rebuilt.exists() or not directory.exists():
            raise  # (a reader's finish_swap may have done this rename already: then all is well)
    shutil.rmtree(old, ignore_errors=True)
