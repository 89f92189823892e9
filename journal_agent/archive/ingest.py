"""The ingest pipeline: note files → chunks → embeddings → the archival store.

Incremental by content hash (SHA-256 of the file's bytes): an unchanged note
is not even parsed, a changed note's chunks are replaced in one commit, a
note whose file is gone loses its chunks. Nothing is lost because it cannot
be read: a note that fails to read, a folder that cannot be listed and a
remembered folder that is missing are failures named in the report, and the
chunks already stored for them stay. One ingest runs at a time per journal
(a file lock under ``.journal/``).

Which notes: :func:`journal_agent.notes.walk.walk_notes` decides (one note
per file however many symlinks reach it). The archive remembers the folders
it ingested (``sources`` in ``archive.json``, ``notes`` at first):

* ``ingest(journal)`` re-scans every remembered folder (deletions included),
  and re-checks notes stored from single files outside them;
* ``ingest(journal, [paths])`` scans those paths only, and remembers the folders;
* ``ingest(journal, full=True)`` rebuilds the archive from all of them
  (:mod:`journal_agent.archive.rebuild`), keeping the agent's own entries.

A note is stored under its path relative to the journal root (absolute only
when outside the journal). A note outside ``notes/`` takes the folder it is
in, below the ingested folder, as its category, as notes under ``notes/`` do.
"""

from __future__ import annotations

import bisect
import dataclasses
import hashlib
import itertools
import os
import time
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING

from journal_agent.errors import JournalError, LockBusy, NoteError
from journal_agent.locks import JournalLock
from journal_agent.notes.files import FILE_TIME_SOURCES
from journal_agent.notes.journal import note_base, read_one
from journal_agent.notes.model import Note
from journal_agent.notes.walk import walk_notes

if TYPE_CHECKING:
    from journal_agent.archive.store import Archive
    from journal_agent.notes.chunking import Chunk
    from journal_agent.workspace import Journal

EMBED_BATCH_CHUNKS = 256  # chunks embedded, then written in one store commit
EMBED_CALL_CHUNKS = 64  # chunks per embedder call; progress advances after each
LOCK_TIMEOUT_SECONDS = 600
DATING_HINT = ("give each a `date:` line in its front matter, a date in its file name (2020-01-22-day-19.md) "
               "or dated headings (### Day 12: January 4, 2020), then run `journal ingest`")



@dataclass(frozen=True)
class IngestProgress:
    """How far an ingest is, given to its ``progress`` callback.

    Attributes:
        notes_done, notes_total: changed notes whose every chunk is embedded / to embed.
        chunks_done, chunks_total: chunks embedded / to embed.
        embed_seconds: time spent inside the embedding model so far.
        waiting: set (and the counts zero) while another process holds the ingest lock: what is
            waited for, as a user would name it.
    """

    notes_done: int = 0
    notes_total: int = 0
    chunks_done: int = 0
    chunks_total: int = 0
    embed_seconds: float = 0.0
    waiting: str = ""

    @property
    def chunks_per_second(self) -> float | None:
        """Chunks embedded per second of embedding so far; ``None`` before the first call returns."""
        return self.chunks_done / self.embed_seconds if self.chunks_done and self.embed_seconds > 0 else None


ProgressCallback = Callable[[IngestProgress], None]
"""``progress(IngestProgress)``: with ``waiting`` set while another process holds the lock; then with the
totals (nothing done) once the changed notes are read and chunked; then after every embedder call."""


@dataclass
class IngestReport:
    """What one ingest did.

    Attributes:
        added, updated, removed, unchanged: note counts.
        failed: ``(path, reason)`` for notes, folders and remembered sources
            that could not be read; what the store had for them was kept.
        skipped: ``(path, reason)`` for files that are not notes and second
            paths (symlinks) to a note already found.
        changed_notes: notes added or updated, for the agent's reflection.
        chunks_written: note chunks written to the store.
        agent_entries: agent entries carried over by a full rebuild.
        sources: the folders the archive now remembers.
        dated_by_file_time: paths of the notes read whose date (of the note or of an entry) came from the
            file's first git commit or its modification time, not from what the learner wrote
            (:data:`~journal_agent.notes.files.FILE_TIME_SOURCES`): a copied folder is all "today" (issue 18).
            See :data:`DATING_HINT`.
        seconds: wall time.
        embed_seconds: part of ``seconds`` spent inside the embedding model.

    Paths are relative to the journal root when inside it.
    """

    added: int = 0
    updated: int = 0
    removed: int = 0
    unchanged: int = 0
    failed: list[tuple[str, str]] = field(default_factory=list)
    skipped: list[tuple[str, str]] = field(default_factory=list)
    changed_notes: list[Note] = field(default_factory=list)
    chunks_written: int = 0
    agent_entries: int = 0
    sources: list[str] = field(default_factory=list)
    dated_by_file_time: list[str] = field(default_factory=list)
    seconds: float = 0.0
    embed_seconds: float = 0.0

    @property
    def ok(self) -> bool:
        return not self.failed


def ingest(
    journal: Journal,
    paths: Iterable[str | os.PathLike[str]] | None = None,
    *,
    full: bool = False,
    progress: ProgressCallback | None = None,
    archive: Archive | None = None,
) -> IngestReport:
    """Bring the archive up to date with the notes (see the module docstring for which).

    Args:
        journal: the journal.
        paths: files or folders to scan (default: every remembered folder).
        full: rebuild the archive from every remembered folder (and ``paths``),
            re-embedding everything (after a change of embedding model or
            schema, or to repair damaged files).
        progress: see :data:`ProgressCallback`.
        archive: an open archive to reuse.

    Interrupted (``KeyboardInterrupt``, Ctrl-C) while embedding, the notes whose chunks were all
    embedded are written before the interrupt goes on, so a rerun embeds only the rest.

    Raises:
        JournalError: a path in ``paths`` does not exist (nothing is done).
        LockBusy: another ingest has held the lock for too long.
        ReadOnlyStore: ``.journal/`` cannot be written.
        StoreError: the store needs ``--full`` (other embedding model, damaged
            files), or a write failed (full disk; what was stored is kept).
    """
    from journal_agent.archive.store import Archive

    started = time.perf_counter()
    given = [Path(os.path.abspath(Path(p).expanduser())) for p in paths or []]
    for path in given:
        if not os.path.lexists(path):
            raise JournalError(f"{journal.relative(path)}: no such file or folder; nothing was ingested")
    lock = JournalLock(journal.writable_state_dir("journal ingest") / "ingest.lock", holder="`journal ingest`",
                       timeout=LOCK_TIMEOUT_SECONDS)
    try:
        lock.acquire(timeout=0)
    except LockBusy:
        if progress:
            progress(IngestProgress(waiting=f"another `journal ingest` ({journal.relative(lock.path)})"))
        lock.acquire()
    try:
        archive = archive or Archive.open(journal, check=False)
        archive.repair()
        if not full:
            archive.check_compatible()
            archive.verify(need_index=False)
        report = IngestReport()
        _run(journal, archive, given, full, report, progress)
        report.seconds = time.perf_counter() - started
        return report
    finally:
        lock.release()


def _run(journal: Journal, archive: Archive, given: list[Path], full: bool, report: IngestReport,
         progress: ProgressCallback | None) -> None:
    from journal_agent.archive.rebuild import rebuild, salvage_rows
    from journal_agent.archive.repair import lance_reason

    if full:  # the old archive may be damaged: read what can be read
        rows, _lost = salvage_rows(archive, lambda r: r.get("source") == "note", ["source", "path"])
        stored = dict.fromkeys((r["path"] for r in rows), "")
        if archive.damage:
            report.failed.append((journal.relative(archive.directory), (
                f"the old archive could not be opened ({lance_reason(archive.damage.__cause__ or archive.damage)}); "
                "it is rebuilt from the notes, "
                "and the agent entries it held could not be kept")))
    else:
        stored = _stored_hashes(archive)
    sources = _remember(journal, _stored_sources(archive), [p for p in given if p.is_dir()])
    report.sources = sources
    bases, scope, kept = _plan(journal, sources, given, stored, full, report)
    walk = walk_notes(bases)
    report.failed += [(journal.relative(p), reason) for p, reason in walk.failed]
    report.skipped += [(journal.relative(p), reason) for p, reason in walk.skipped]
    kept |= {journal.relative(p) for p, _ in walk.failed}
    blind = [journal.relative(folder) for folder in walk.unreadable]
    work, seen, unreadable = _read(journal, walk.files, {} if full else stored, report)
    kept |= unreadable
    gone = [p for p in stored if p not in seen and p not in kept and not any(_under(p, b) for b in blind)
            and (full or any(_under(p, s) for s in scope))]
    report.removed = len(gone)
    if full:
        written = {note.rel_path for note, _ in work}
        keep = [p for p in stored if p not in gone and p not in written]
        report.agent_entries, lost = rebuild(
            archive, lambda target: _embed_and_write(target, work, report, progress), keep, {"sources": sources})
        if lost:
            report.failed.append((journal.relative(archive.directory), (
                f"{lost} page(s) of stored rows could not be read from the damaged archive; the agent entries "
                "and unreadable notes in them could not be kept")))
        return
    _embed_and_write(archive, work, report, progress)
    archive.remove_paths(gone)
    if report.chunks_written or gone or archive.index_missing():
        archive.optimize()
    if sources != _stored_sources(archive):
        archive.write_meta(sources=sources)


def _plan(journal: Journal, sources: list[str], given: list[Path], stored: dict[str, str], full: bool,
          report: IngestReport) -> tuple[list[Path], list[str], set[str]]:
    """What to walk, the scope in which stored notes not found are gone, and notes kept whatever happens."""
    kept: set[str] = set()
    if given and not full:
        return given, [journal.relative(p) for p in given], kept
    bases: list[Path] = []
    scope: list[str] = []
    for source in sources:
        folder = journal.root / source
        if folder.is_dir():
            bases.append(folder)
            scope.append(source)
        else:
            report.failed.append((source, "remembered folder is missing (not mounted?); its notes are kept "
                                          "in the archive until it is back"))
            kept |= {p for p in stored if _under(p, source)}
    bases += [p for p in given if p not in bases]
    scope += [journal.relative(p) for p in given]
    for path in stored:  # notes stored from single files, outside every folder: re-check each
        if not any(_under(path, s) for s in scope) and path not in kept:
            scope.append(path)
            if os.path.lexists(journal.root / path):
                bases.append(journal.root / path)
    return bases, scope, kept


def _read(journal: Journal, files, stored: dict[str, str], report: IngestReport
          ) -> tuple[list[tuple[Note, list[Chunk]]], set[str], set[str]]:
    """Hash every file, read and chunk the changed ones. Returns ``(work, paths seen, paths that failed)``."""
    work: list[tuple[Note, list[Chunk]]] = []
    seen: set[str] = set()
    failed: set[str] = set()
    for found in files:
        rel = journal.relative(found.path)
        seen.add(rel)
        try:
            digest = hashlib.sha256(found.path.read_bytes()).hexdigest()
        except OSError as exc:
            report.failed.append((rel, f"cannot read file: {exc.strerror or exc}"))
            failed.add(rel)
            continue
        if stored.get(rel) == digest:
            report.unchanged += 1
            continue
        try:
            note = read_one(journal, found.path, note_base(journal, found.path, [str(found.base)]))
        except NoteError as exc:
            report.failed.append((f"{rel}:{exc.line}" if exc.line else rel, exc.reason))
            failed.add(rel)
            continue
        except Exception as exc:  # noqa: BLE001 - one bad note never stops the others; it is named
            report.failed.append((rel, f"cannot read note: {type(exc).__name__}: {exc}"))
            failed.add(rel)
            continue
        note = dataclasses.replace(note, rel_path=rel)
        work.append((note, _chunks(note)))
        if any(entry.date_source in FILE_TIME_SOURCES for entry in note.entries):
            report.dated_by_file_time.append(rel)
        if rel in stored:
            report.updated += 1
        else:
            report.added += 1
        report.changed_notes.append(note)
    return work, seen, failed


def _chunks(note: Note) -> list[Chunk]:
    """The note's chunks, each of one entry (:func:`~journal_agent.notes.chunking.chunk_note`); a note with no
    text at all is one chunk holding its title (stored, so not re-added)."""
    from journal_agent.notes.chunking import Chunk, chunk_note

    return chunk_note(note) or [Chunk(0, "", note.title, entry=0)]


def _embed_and_write(archive: Archive, work: list[tuple[Note, list[Chunk]]], report: IngestReport,
                     progress: ProgressCallback | None) -> None:
    """Embed ``work`` and write it, one commit per :data:`EMBED_BATCH_CHUNKS` chunks (whole notes).

    A ``KeyboardInterrupt`` during a batch's embedding writes the batch's notes already embedded whole,
    then is raised again.
    """
    import numpy as np

    total = sum(len(chunks) for _, chunks in work)
    ends = list(itertools.accumulate(len(chunks) for _, chunks in work))  # chunks done when note i is
    done = 0

    def tell() -> None:
        if progress:
            progress(IngestProgress(bisect.bisect_right(ends, done), len(work), done, total, report.embed_seconds))

    tell()
    batch: list[tuple[Note, list[Chunk]]] = []
    for index, (note, chunks) in enumerate(work):
        batch.append((note, chunks))
        if sum(len(c) for _, c in batch) < EMBED_BATCH_CHUNKS and index < len(work) - 1:
            continue
        texts = [chunk.embedding_text(n.title) for n, cs in batch for chunk in cs]
        parts: list = []
        try:
            for start in range(0, len(texts), EMBED_CALL_CHUNKS):
                began = time.perf_counter()
                parts.append(archive.embedder.embed(texts[start:start + EMBED_CALL_CHUNKS]))
                report.embed_seconds += time.perf_counter() - began
                done += len(texts[start:start + EMBED_CALL_CHUNKS])
                tell()
        except KeyboardInterrupt:
            _write_embedded(archive, batch, parts, report)
            raise
        report.chunks_written += archive.replace_notes(batch, np.concatenate(parts) if parts else [])
        batch = []


def _write_embedded(archive: Archive, batch: list[tuple[Note, list[Chunk]]], parts: list,
                    report: IngestReport) -> None:
    """Write the notes of ``batch`` whose chunks are all in ``parts`` (an interrupted batch's finished work)."""
    import numpy as np

    embedded = sum(len(part) for part in parts)
    whole, used = [], 0
    for note, chunks in batch:
        if used + len(chunks) > embedded:
            break
        whole.append((note, chunks))
        used += len(chunks)
    if whole:
        report.chunks_written += archive.replace_notes(whole, np.concatenate(parts)[:used])


def _stored_hashes(archive: Archive) -> dict[str, str]:
    """``{path: content_hash}`` of the stored notes; ``""`` for a note whose rows disagree (two hashes,
    a chunk index twice or missing), so that it is written again."""
    table = archive.scan("source = 'note'", ["path", "content_hash", "chunk_index"])
    rows: dict[str, tuple[set[str], list[int]]] = {}
    for path, digest, index in zip(table.column("path").to_pylist(), table.column("content_hash").to_pylist(),
                                   table.column("chunk_index").to_pylist(), strict=True):
        hashes, indexes = rows.setdefault(path, (set(), []))
        hashes.add(digest)
        indexes.append(index)
    return {path: next(iter(hashes)) if len(hashes) == 1 and sorted(indexes) == list(range(len(indexes))) else ""
            for path, (hashes, indexes) in rows.items()}


def _stored_sources(archive: Archive) -> list[str]:
    return archive.sources()


def _remember(journal: Journal, sources: list[str], folders: list[Path]) -> list[str]:
    """``sources`` with ``folders`` added (journal-relative when inside); a folder inside a source adds nothing."""
    result = list(sources)
    for folder in folders:
        rel = journal.relative(folder)
        if any(_under(rel, s) for s in result):
            continue
        result = [s for s in result if not _under(s, rel)] + [rel]
    return result


def _under(path: str, base: str) -> bool:
    """Whether journal-relative (or absolute) ``path`` is ``base`` or inside it."""
    if base in (".", ""):
        return not path.startswith("/")
    return path == base or path.startswith(base.rstrip("/") + "/")
