"""Writing files so that a crash, a full disk or a concurrent reader never sees half a file.

Every file journal-agent writes whole (notes, digests, core memory, archive metadata,
status and job files, Anki packages) goes through here: the data goes to a hidden
temporary file in the same folder (so the final rename stays on one file system),
is flushed to disk, then renamed over the target with ``os.replace``, which POSIX
makes atomic. On any error the temporary file is removed and the target is as it was.
"""

from __future__ import annotations

import errno
import os
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path


@contextmanager
def _temporary(folder: Path, name: str) -> Iterator[Path]:
    """A new empty hidden file in ``folder``, removed on the way out unless it was renamed away."""
    handle, temporary = tempfile.mkstemp(dir=folder, prefix=f".{name}.", suffix=".tmp")
    os.close(handle)
    try:
        yield Path(temporary)
    finally:
        Path(temporary).unlink(missing_ok=True)


@contextmanager
def replacing(path: str | os.PathLike[str]) -> Iterator[Path]:
    """A temporary path beside ``path`` to write; on a clean exit it replaces ``path`` atomically.

    For writers that want a file name (``genanki.Package.write_to_file``). On an exception
    the temporary file is removed and ``path`` is untouched.

    Raises:
        OSError: the temporary file cannot be created, or the rename fails.
    """
    target = Path(path)
    with _temporary(target.parent, target.name) as temporary:
        yield temporary
        os.replace(temporary, target)


def write_atomic(path: str | os.PathLike[str], data: bytes | str, *, durable: bool = True) -> None:
    """Write ``data`` (``str`` as UTF-8) to ``path`` atomically, replacing what is there.

    Args:
        durable: ``fsync`` before the rename, so the new content survives a power cut (notes,
            memory); ``False`` for small state files that are cheap to lose (status, jobs).

    Raises:
        OSError: full disk, read-only folder, permissions; ``path`` is then as it was.
    """
    raw = data.encode("utf-8") if isinstance(data, str) else data
    with replacing(path) as temporary, open(temporary, "wb") as out:
        out.write(raw)
        out.flush()
        if durable:
            os.fsync(out.fileno())


def write_new(folder: Path, stem: str, suffix: str, data: bytes, *, attempts: int = 999) -> Path:
    """Write ``data`` to a new file ``<stem><suffix>`` (else ``<stem>-2<suffix>``, ...) in ``folder``; never
    overwrite.

    The data is written and flushed to a temporary file, then hard-linked to the first free
    name (``os.link`` fails rather than replace, so two writers never take the same name).
    Where hard links are not supported (some network and FAT file systems) the file is
    renamed to a name checked to be free; callers serialize with a lock there.

    Returns:
        The path written.

    Raises:
        OSError: the write failed (disk full, too large, permissions); nothing is left behind.
        FileExistsError: no free name in ``attempts`` tries.
    """
    with _temporary(folder, stem) as temporary:
        with open(temporary, "wb") as out:
            out.write(data)
            out.flush()
            os.fsync(out.fileno())
        for attempt in range(1, attempts + 1):
            path = folder / (f"{stem}{suffix}" if attempt == 1 else f"{stem}-{attempt}{suffix}")
            try:
                os.link(temporary, path)
                return path
            except FileExistsError:
                continue
            except OSError as exc:
                if exc.errno not in (errno.EPERM, errno.ENOTSUP, errno.EOPNOTSUPP, errno.EMLINK):
                    raise
                if path.exists():
                    continue
                os.replace(temporary, path)
                return path
    raise FileExistsError(errno.EEXIST, f"no free file name for {stem}{suffix}", str(folder))
