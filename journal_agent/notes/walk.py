"""The note walker: which files under some folders are notes. Every part that walks notes uses it.

Rules (one place, so ingest, the site, citations and ``add`` agree):

* A note is a file whose suffix is in :data:`~journal_agent.notes.files.NOTE_SUFFIXES`;
  other files are *skipped* with a reason ("not a note (.png)").
* Names starting with ``.`` (files and folders) are not walked.
* Folders are walked depth-first, names sorted, so the order is that of
  ``sorted(folder.rglob("*"))``.
* A file is one note however many ways it is reached: files are deduplicated
  by their resolved path. The path a note is known by is the one it was found
  under, unresolved: the real file's path when the walk meets it, otherwise
  the first symlink's path (sorted order). So a link to a file outside the
  journal is known by the link's own journal-relative path and disappears
  with the link; it is never known by the target's absolute path.
* Symlinked folders are followed; one that points back to a folder being walked
  (a symlink loop) is a *failure* named in the walk, as is a link that cannot
  be resolved (``a.md -> b.md -> a.md``).
* A folder that cannot be listed (``chmod 000``, any ``OSError`` from
  ``os.scandir``) is a *failure*, and its path is in :attr:`NoteWalk.unreadable`
  so that callers keep what they knew about the notes under it.
"""

from __future__ import annotations

import errno
import os
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from pathlib import Path

from journal_agent.notes.files import NOTE_SUFFIXES


@dataclass(frozen=True)
class NoteFile:
    """One note file found by the walk.

    Attributes:
        path: the path it was found under (absolute, symlinks not resolved).
        real: the resolved file (what ``path`` points to).
        base: the folder (or file) given to the walk that it was found under.
        via_link: whether ``path`` goes through a symlink below ``base`` (the
            file itself or a folder on the way).
    """

    path: Path
    real: Path
    base: Path
    via_link: bool = False


@dataclass
class NoteWalk:
    """What :func:`walk_notes` found.

    Attributes:
        files: the notes, each file once, in walk order.
        failed: ``(path, reason)`` for folders that could not be listed, symlink
            loops and links that cannot be resolved.
        skipped: ``(path, reason)`` for files that are not notes and for second
            paths to a note already found (symlinks).
        unreadable: folders that could not be listed (everything under them is unknown).
    """

    files: list[NoteFile] = field(default_factory=list)
    failed: list[tuple[Path, str]] = field(default_factory=list)
    skipped: list[tuple[Path, str]] = field(default_factory=list)
    unreadable: list[Path] = field(default_factory=list)


def walk_notes(paths: Iterable[str | os.PathLike[str]]) -> NoteWalk:
    """Walk ``paths`` (files or folders) for notes by the rules in the module docstring.

    Paths are made absolute without resolving symlinks. A path that does not
    exist is a failure ("no such file or folder").
    """
    walk = NoteWalk()
    found: dict[Path, int] = {}  # real path -> index in walk.files
    for given in paths:
        base = Path(os.path.abspath(Path(given).expanduser()))
        if base.is_dir():
            try:
                real_base = base.resolve(strict=True)
            except (OSError, RuntimeError) as exc:
                walk.failed.append((base, _link_reason(exc)))
                continue
            _walk_folder(base, base, (real_base,), False, walk, found)
        elif os.path.lexists(base):
            _add_file(base, base, base.is_symlink(), walk, found, explicit=True)
        else:
            walk.failed.append((base, "no such file or folder"))
    return walk


def iter_note_files(paths: Iterable[str | os.PathLike[str]]) -> Iterator[Path]:
    """Yield the note files under ``paths`` (see :func:`walk_notes`), each once; problems are left out.

    For callers that only list notes (site, citations, ``add``); ``journal
    ingest`` uses :func:`walk_notes` to report what could not be walked.
    """
    yield from (note.path for note in walk_notes(paths).files)


def _walk_folder(base: Path, folder: Path, ancestors: tuple[Path, ...], via_link: bool, walk: NoteWalk,
                 found: dict[Path, int]) -> None:
    try:
        with os.scandir(folder) as listing:
            entries = sorted(listing, key=lambda entry: entry.name)
    except OSError as exc:
        walk.failed.append((folder, f"cannot read folder: {exc.strerror or exc}"))
        walk.unreadable.append(folder)
        return
    for entry in entries:
        if entry.name.startswith("."):
            continue
        path = folder / entry.name
        try:
            is_dir = entry.is_dir()  # follows symlinks
            is_link = entry.is_symlink()
        except OSError:
            is_dir, is_link = False, True
        if is_dir:
            try:
                real = path.resolve(strict=True)
            except (OSError, RuntimeError) as exc:
                walk.failed.append((path, _link_reason(exc)))
                continue
            if real in ancestors:
                walk.failed.append((path, f"symlink loop: points back to {real}, a folder above it"))
                continue
            _walk_folder(base, path, (*ancestors, real), via_link or is_link, walk, found)
        else:
            _add_file(base, path, via_link or is_link, walk, found, explicit=False)


def _add_file(base: Path, path: Path, via_link: bool, walk: NoteWalk, found: dict[Path, int], *,
              explicit: bool) -> None:
    try:
        real = path.resolve(strict=True)
    except (OSError, RuntimeError) as exc:
        # A loop is always named; a broken link only when it looks like a note.
        if _is_loop(exc) or path.suffix.lower() in NOTE_SUFFIXES or explicit:
            walk.failed.append((path, _link_reason(exc)))
        return
    if not real.is_file():
        if explicit:
            walk.skipped.append((path, "not a regular file"))
        return
    if path.suffix.lower() not in NOTE_SUFFIXES:
        walk.skipped.append((path, f"not a note ({path.suffix or 'no extension'})"))
        return
    note = NoteFile(path=path, real=real, base=base, via_link=via_link)
    if real not in found:
        found[real] = len(walk.files)
        walk.files.append(note)
        return
    kept = walk.files[found[real]]
    if kept.via_link and not note.via_link:  # the real file wins over a link met earlier
        walk.files[found[real]] = note
        walk.skipped.append((kept.path, f"same file as {path} (symlink); stored once, under {path}"))
    elif kept.path != note.path:
        walk.skipped.append((path, f"same file as {kept.path} (symlink); stored once, under {kept.path}"))


def _is_loop(exc: BaseException) -> bool:
    # Python 3.11's Path.resolve raises RuntimeError on a loop; 3.13 raises OSError(ELOOP).
    return isinstance(exc, RuntimeError) or getattr(exc, "errno", None) == errno.ELOOP


def _link_reason(exc: BaseException) -> str:
    if _is_loop(exc):
        return "symlink loop: the link points (through other links) back to itself"
    if isinstance(exc, FileNotFoundError):
        return "broken symlink: its target does not exist"
    return f"cannot resolve: {getattr(exc, 'strerror', None) or exc}"
