"""The one file lock of journal commands: :class:`JournalLock`, a :class:`filelock.FileLock` that says who holds it.

Journal commands that write shared state take a lock file under ``.journal/``
(``add.lock``, ``ingest.lock``, ``review.lock``, ``conversation.lock``,
``core_memory.json.lock``). When another process holds it for longer than the
command waits, :class:`~journal_agent.errors.LockBusy` names the lock's file and
what holds it, in one message shape ("another `journal add` has held
.../add.lock for 5s; wait for it to finish, then try again").
"""

from __future__ import annotations

from pathlib import Path

from filelock import FileLock, Timeout

from journal_agent.errors import LockBusy


class JournalLock:
    """A re-entrant inter-process lock on ``path`` whose timeout raises :class:`LockBusy`.

    Use as ``with JournalLock(path, holder="`journal add`", timeout=5):`` or with
    :meth:`acquire` / :meth:`release` (re-entrant within one process: a nested
    acquire only counts).

    Args:
        path: the lock file (created when first acquired; its folder must exist).
        holder: what holds the lock when it is busy, as a user names it
            ("`journal ingest`", "turn of the coach agent").
        timeout: seconds to wait for the lock; ``0`` tries once, a negative value waits forever.
    """

    def __init__(self, path: str | Path, *, holder: str, timeout: float):
        self.path, self.holder, self.timeout = Path(path), holder, timeout
        self._lock = FileLock(str(self.path))

    def acquire(self, timeout: float | None = None) -> None:
        """Take the lock, waiting at most ``timeout`` seconds (default: the lock's own).

        Raises:
            LockBusy: another process held it all that time.
            OSError: the lock file cannot be created (a read-only ``.journal/``).
        """
        waited = self.timeout if timeout is None else timeout
        try:
            self._lock.acquire(timeout=waited)
        except Timeout as exc:
            raise LockBusy(self.path, self.holder, waited) from exc

    def release(self) -> None:
        """Release one acquire (the file lock is let go when the last one is released)."""
        self._lock.release()

    def __enter__(self) -> JournalLock:
        self.acquire()
        return self

    def __exit__(self, *exc_info: object) -> None:
        self.release()
