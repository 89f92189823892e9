"""The ingest pipeline: note files → chunks → embeddings → the archival store.

Incremental by content hash (SHA-256 of the file's bytes): an unchanged note
is not even parsed, a changed note's chunks are replaced, a note whose file
is gone loses its chunks. A note that fails to read is reported with its
reason and keeps whatever the store already had for it. One ingest runs at a
time per journal (a file lock under ``.journal/``).
"""

from __future__ import annotations

import hashlib
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Callable, Iterable

from journal_agent.errors import JournalError, NoteError
from journal_agent.notes.model import NOTE_SUFFIXES, Note, read_note

if TYPE_CHECKING:
    from journal_agent.archive.store import Archive
    from journal_agent.workspace import Journal

EMBED_BATCH_CHUNKS = 256  # chunks embedded (and written) per store commit
LOCK_TIMEOUT_SECONDS = 600


@dataclass
class IngestReport:
    """What one ingest did.

    Attributes:
        added, updated, removed, unchanged: note counts.
        failed: ``(path, reason)`` for notes that could not be read; their
            stored chunks (if any) were kept.
        skipped: ``(path, reason)`` for files that are not notes (images, ...).
        changed_notes: notes added or updated, for the agent's reflection.
        chunks_written: rows appended to the store.
        seconds: wall time.
        embed_seconds: part of ``seconds`` spent inside the embedding model.
    """

    added: int = 0
    updated: int = 0
    removed: int = 0
    unchanged: int = 0
    failed: list[tuple[str, str]] = field(default_factory=list)
    skipped: list[tuple[str, str]] = field(default_factory=list)
    changed_notes: list[Note] = field(default_factory=list)
    chunks_written: int = 0
    seconds: float = 0.0
    embed_seconds: float = 0.0

    @property
    def ok(self) -> bool:
        return not self.failed


ProgressCallback = Callable[[int, int], None]


def ingest(
    journal: "Journal",
    paths: Iterable[Path] | None = None,
    *,
    full: bool = False,
    progress: ProgressCallback | None = None,
    archive: "Archive | None" = None,
) -> IngestReport:
    """Bring the archive up to date with the notes under ``paths``.

    Args:
        journal: the journal.
        paths: files or folders (default: the journal's ``notes/``). Notes the
            store holds under a given folder but that are gone are removed.
        full: drop the store first and re-embed everything (after a change of
            embedding model or schema).
        progress: called as ``progress(done, total)`` over the files.
        archive: an open archive to reuse.

    Raises:
        JournalError: another ingest holds the lock for too long.
        StoreError: the store needs ``--full`` (different embedding model).
    """
    from filelock import FileLock, Timeout

    from journal_agent.archive.store import Archive
    from journal_agent.notes.chunking import chunk_markdown

    started = time.perf_counter()
    paths = [Path(p).resolve() for p in (paths or [journal.notes_dir])]
    lock = FileLock(str(journal.state_dir / "ingest.lock"))
    try:
        lock.acquire(timeout=LOCK_TIMEOUT_SECONDS)
    except Timeout as exc:
        raise JournalError(
            f"another ingest has held {lock.lock_file} for {LOCK_TIMEOUT_SECONDS}s; try again later"
        ) from exc
    try:
        archive = archive or Archive.open(journal, check=not full)
        if full:
            archive.reset()
        report = IngestReport()
        stored = archive.note_hashes()
        files, missing = _collect(paths, report)
        seen: set[str] = set()
        pending: list[tuple[Note, list]] = []
        pending_chunks = 0
        for done, path in enumerate(files, start=1):
            rel = journal.relative(path)
            seen.add(rel)
            try:
                digest = hashlib.sha256(path.read_bytes()).hexdigest()
            except OSError as exc:
                report.failed.append((rel, f"cannot read file: {exc.strerror or exc}"))
                continue
            if stored.get(rel) == digest:
                report.unchanged += 1
            else:
                try:
                    note = read_note(path, journal.root, journal.notes_dir)
                except NoteError as exc:
                    where = f"{rel}:{exc.line}" if exc.line else rel
                    report.failed.append((where, exc.reason))
                    continue
                chunks = chunk_markdown(note.body)
                pending.append((note, chunks))
                pending_chunks += len(chunks)
                if rel in stored:
                    report.updated += 1
                else:
                    report.added += 1
                report.changed_notes.append(note)
                if pending_chunks >= EMBED_BATCH_CHUNKS:
                    report.chunks_written += _write(archive, pending, report)
                    pending, pending_chunks = [], 0
            if progress:
                progress(done, len(files))
        report.chunks_written += _write(archive, pending, report)
        gone = [p for p in stored if p not in seen and _in_scope(p, paths, journal, missing)]
        archive.remove_paths(gone)
        report.removed = len(gone)
        if report.chunks_written or gone or full:
            archive.optimize()
        report.seconds = time.perf_counter() - started
        return report
    finally:
        lock.release()


def _write(archive: "Archive", pending: list[tuple[Note, list]], report: IngestReport) -> int:
    if not pending:
        return 0
    texts = [chunk.embedding_text(note.title) for note, chunks in pending for chunk in chunks]
    started = time.perf_counter()
    vectors = archive.embedder.embed(texts)
    report.embed_seconds += time.perf_counter() - started
    return archive.replace_notes(pending, vectors)


def _collect(paths: list[Path], report: IngestReport) -> tuple[list[Path], list[Path]]:
    """Note files under ``paths``; non-note files go to ``report.skipped``; missing paths returned."""
    files: list[Path] = []
    missing: list[Path] = []
    for base in paths:
        if base.is_file():
            files.append(base)
        elif base.is_dir():
            for path in sorted(base.rglob("*")):
                if any(part.startswith(".") for part in path.relative_to(base).parts):
                    continue
                if not path.is_file():
                    continue
                if path.suffix.lower() in NOTE_SUFFIXES:
                    files.append(path)
                else:
                    report.skipped.append((str(path), f"not a note ({path.suffix or 'no extension'})"))
        else:
            missing.append(base)
    return files, missing


def _in_scope(rel: str, paths: list[Path], journal: "Journal", missing: list[Path]) -> bool:
    """Whether stored note ``rel`` lies under one of the folders scanned (or is a deleted file given by name)."""
    for base in paths:
        prefix = journal.relative(base)
        if base in missing and rel == prefix:
            return True
        if base.is_dir() and (rel.startswith(prefix.rstrip("/") + "/")):
            return True
    return False
