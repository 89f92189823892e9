"""A note file on disk: its bytes as text, where it sits, how text names it, and when it was written.

The file-level half of the notes model (:mod:`journal_agent.notes.model`
reads the fields): which suffixes are notes, bytes → text with one line-ending
rule, the journal-relative path, note paths cited in text (:func:`paths_cited`),
the ``private`` folder rule, and the dates of a note that names none (file
name, first git commit, mtime).
"""

from __future__ import annotations

import datetime as dt
import os
import re
import stat
import subprocess
from functools import lru_cache
from pathlib import Path

from journal_agent.errors import NoteError
from journal_agent.notes.dates import MAX_NOTE_YEAR, MIN_NOTE_YEAR

NOTE_SUFFIXES = (".md", ".markdown", ".txt")
MAX_NOTE_BYTES = 1_000_000  # a learning note is a few KB; 1 MB is a pasted dump
_CITED_PATH_RE = re.compile(r"[\w./~-]+\.(?:" + "|".join(s.lstrip(".") for s in NOTE_SUFFIXES) + r")\b", re.IGNORECASE)
PRIVATE_FOLDER = "private"
# 2020-01-22-day-19, 2020_01_22, 2020.01.22, 20200122 (year first); 22-01-2020, 22_01_2020 (day first)
_FILENAME_DATE_RE = re.compile(r"(?<!\d)(?:(?P<y>\d{4})([-_.]?)(?P<m>\d{2})\2(?P<d>\d{2})"
                               r"|(?P<d2>\d{1,2})([-_.])(?P<m2>\d{1,2})\6(?P<y2>\d{4}))(?!\d)")


def paths_cited(text: str) -> list[str]:
    """Note paths written in ``text`` ("notes/2025-09-18-rrf.md", "./day-3.markdown"), each once, in order.

    Used to check what a model's answer or digest cites against the journal's notes.
    """
    return list(dict.fromkeys(_CITED_PATH_RE.findall(text)))


def decode_note_bytes(path: Path, raw: bytes) -> str:
    """Bytes → text with ``\\n`` line endings, rejecting binary, oversized, non-UTF-8 and empty files.

    ``\\r\\n`` and lone ``\\r`` become ``\\n`` and NUL becomes U+FFFD, as CommonMark
    §2.1/§2.3 and markdown-it do; other characters are kept.

    Raises:
        NoteError: with the reason (and line, for bad UTF-8).
    """
    if len(raw) > MAX_NOTE_BYTES:
        raise too_big(path, len(raw))
    if raw.startswith((b"\xff\xfe", b"\xfe\xff")):
        raise NoteError(path, "UTF-16 text; re-save the file as UTF-8")
    if b"\x00" in raw[:8192]:
        raise NoteError(path, "binary file (contains NUL bytes), not a text note")
    try:
        text = raw.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        line = raw[: exc.start].count(b"\n") + 1
        raise NoteError(
            path, f"not valid UTF-8 (byte 0x{raw[exc.start]:02x}); re-save the file as UTF-8", line
        ) from exc
    text = normalize_newlines(text)
    if not text.strip():
        raise NoteError(path, "empty note")
    return text


def too_big(path: Path, size: int) -> NoteError:
    """The refusal of a note of ``size`` bytes (over :data:`MAX_NOTE_BYTES`), saying its real size.

    Issue 21: a 9 MB note was refused as "note is 1.0 MB" (the size of what had been read).
    """
    return NoteError(path, f"note is {size:,} bytes ({size / 1e6:.1f} MB), over the {MAX_NOTE_BYTES / 1e6:.0f} MB "
                           f"limit ({MAX_NOTE_BYTES:,} bytes) for one note; split it into smaller notes")


MAX_NESTING = 64  # brackets or HTML elements open at once in one paragraph; real notes stay under 10
_FENCE_RE = re.compile(r"^ {0,3}(`{3,}|~{3,})")
_NESTING_RE = re.compile(r"\\.|[\[\]]|<(/?)([A-Za-z][\w-]*)(?:[^<>\"']|\"[^\"]*\"|'[^']*')*?(/?)>")
# void elements have no end tag; these may omit theirs (HTML § 13.1.2.4), so neither is counted open
_UNCOUNTED_ELEMENTS = frozenset({"area", "base", "br", "col", "embed", "hr", "img", "input", "link", "meta", "param",
                                 "source", "track", "wbr", "p", "li", "dt", "dd", "tr", "td", "th", "thead", "tbody",
                                 "tfoot", "colgroup", "caption", "option", "optgroup", "rb", "rt", "rtc", "rp"})


def check_nesting(path: Path, body: str, first_line: int = 1) -> None:
    """Refuse a note whose Markdown nests brackets, or whose HTML nests elements, more than
    :data:`MAX_NESTING` deep in one paragraph (fenced code is not counted: nothing parses inside it).

    The site's renderers are quadratic in that depth: Python-Markdown's link pattern scans from every
    ``[`` to its match or the paragraph's end, Material's search indexer checks every open element on
    every tag (issue 21: a 250 KB note of nested brackets, emphasis and ``<div>`` never finished building;
    5,000 nested ``<div>`` took 38 s). An unclosed ``[`` counts until the paragraph ends. One pass, linear.

    Raises:
        NoteError: "nested N levels deep ..." with the line where the limit was passed.
    """
    fence = ""
    brackets = 0
    elements: list[str] = []
    for number, line in enumerate(body.split("\n"), start=first_line):
        opened = _FENCE_RE.match(line)
        if fence:
            if opened and opened.group(1)[0] == fence[0] and len(opened.group(1)) >= len(fence) \
                    and not line.strip().strip(fence[0]):
                fence = ""
            continue
        if opened:
            fence = opened.group(1)
            continue
        if not line.strip():  # a paragraph ends: unclosed brackets end with it (HTML blocks go on)
            brackets = 0
            continue
        for match in _NESTING_RE.finditer(line):
            token = match.group(0)
            if token == "[":
                brackets += 1
            elif token == "]":
                brackets = max(brackets - 1, 0)
            elif match.group(2):
                name = match.group(2).lower()
                if match.group(1):
                    if name in elements:
                        del elements[len(elements) - 1 - elements[::-1].index(name):]
                elif not match.group(3) and name not in _UNCOUNTED_ELEMENTS:
                    elements.append(name)
            if brackets > MAX_NESTING or len(elements) > MAX_NESTING:
                what = "brackets [ ]" if brackets > MAX_NESTING else "HTML elements"
                raise NoteError(path, f"{what} nested more than {MAX_NESTING} levels deep (or left open); "
                                      "the site cannot render that in reasonable time: close or remove them", number)


def normalize_newlines(text: str) -> str:
    """``\\r\\n`` and lone ``\\r`` → ``\\n``; NUL → U+FFFD.

    As CommonMark §2.1/§2.3 and markdown-it's ``normalize`` rule do.
    """
    return text.replace("\r\n", "\n").replace("\r", "\n").replace("\x00", "\ufffd")


def read_note_bytes(path: Path) -> tuple[bytes, dt.datetime]:
    """The file's bytes and its mtime (local, whole seconds).

    Raises:
        NoteError: not a regular file (a folder, device or pipe: never opened, so never blocks), unreadable,
            over :data:`MAX_NOTE_BYTES` (at most that many bytes and one are read; the message gives the size).
    """
    try:
        info = path.stat()
        if not stat.S_ISREG(info.st_mode):
            raise NoteError(path, "not a regular file (a folder, device or pipe), not a note")
        with path.open("rb") as handle:
            raw = handle.read(MAX_NOTE_BYTES + 1)
            if len(raw) > MAX_NOTE_BYTES:  # say the file's size, not what was read of it
                raise too_big(path, max(os.fstat(handle.fileno()).st_size, len(raw)))
    except OSError as exc:
        raise NoteError(path, f"cannot read file: {exc.strerror or exc}") from exc
    return raw, dt.datetime.fromtimestamp(info.st_mtime).replace(microsecond=0)


def folders_under(given: Path, resolved: Path, notes_dir: Path) -> tuple[str, ...]:
    """Folder names between ``notes_dir`` and the file: from the given path, else the resolved one.

    Whichever of the two holds a ``private`` folder (any case) wins, so the
    private rule holds for links in both directions.
    """
    folders: tuple[str, ...] = ()
    for candidate in (given, resolved):
        for base in _bases(str(notes_dir)):
            try:
                parts = candidate.relative_to(base).parts[:-1]
            except ValueError:
                continue
            if any(part.casefold() == PRIVATE_FOLDER for part in parts):
                return parts
            folders = folders or parts
    return folders


@lru_cache(maxsize=64)
def _bases(folder: str) -> tuple[Path, Path]:
    """A folder as given (absolute) and with symlinks resolved; cached, notes are read by the thousand."""
    absolute = Path(os.path.abspath(Path(folder).expanduser()))
    return absolute, absolute.resolve()


def journal_relative(path: str | os.PathLike[str], root: Path) -> str:
    """``path`` relative to the journal ``root``, POSIX style; absolute when outside it.

    The one rule for journal-relative paths (notes, reports, the site, the CLI): the
    path as given (made absolute, symlinks not resolved) first, so a link inside the
    journal keeps its own name; then the resolved path.
    """
    given = Path(os.path.abspath(Path(path).expanduser()))
    try:
        resolved = given.resolve()
    except (OSError, RuntimeError):  # a symlink loop
        resolved = given
    return relative_path(given, resolved, root)


def relative_path(given: Path, resolved: Path, root: Path) -> str:
    """Journal-relative POSIX path: the given path first (a link keeps its own name), absolute outside."""
    for candidate in (given, resolved):
        for base in _bases(str(root)):
            try:
                return candidate.relative_to(base).as_posix()
            except ValueError:
                continue
    return given.as_posix()


def is_private_path(path: Path, notes_dir: Path) -> bool:
    """True when ``path`` lies under a folder named ``private`` (any case) inside ``notes_dir``.

    Checked on the path as given (made absolute, symlinks not resolved) and on
    the resolved path: a private folder that is a symlink, or a link into a
    private folder, is private either way.
    """
    given = Path(os.path.abspath(Path(path).expanduser()))
    return any(part.casefold() == PRIVATE_FOLDER for part in folders_under(given, given.resolve(), Path(notes_dir)))


FILE_TIME_SOURCES = ("git", "mtime")  # :func:`fallback_date`'s sources that are the file's times, not the learner's


def fallback_date(path: Path, mtime: dt.datetime) -> tuple[dt.date, str]:
    """The date of a note whose front matter names none, and where it came from.

    A date in the file name (:func:`file_name_date`), else the file's first git commit, else its mtime.
    Returns ``(date, "file name" | "git" | "mtime")``; ingest counts the ``mtime`` ones (a copied folder's
    notes are all "today") and says how to date them.
    """
    named = file_name_date(path)
    if named is not None:
        return named, "file name"
    created = git_first_commit_dates(str(path.parent)).get(str(path))
    if created is not None:
        return created, "git"
    return mtime.date(), "mtime"

def file_name_date(path: Path) -> dt.date | None:
    """The date a note's file name gives, or ``None``.

    Year first with ``-``, ``_``, ``.`` or nothing between (``2020-01-22-day-19.md``, ``2020_01_22.md``,
    ``20200122.md``), or day first (``22-01-2020.md``; ``01-22-2020.md``, whose second number cannot be a
    month, is month first: January 22). A file name without a date takes its folder's
    (``2023-01-05/README.md``). Only real dates in the years notes are accepted for (1900-2199).
    """
    names = [Path(path).name]
    if not _FILENAME_DATE_RE.search(names[0]):  # "2023-01-05/README.md": one folder per day
        names.append(Path(path).parent.name)
    for match in (found for name in names for found in _FILENAME_DATE_RE.finditer(name)):
        if match.group("y"):
            year, month, day = int(match.group("y")), int(match.group("m")), int(match.group("d"))
        else:
            year, month, day = int(match.group("y2")), int(match.group("m2")), int(match.group("d2"))
            if month > 12 >= day:  # 01-22-2020: month first
                month, day = day, month
        try:
            named = dt.date(year, month, day)
        except ValueError:
            continue
        if MIN_NOTE_YEAR <= named.year <= MAX_NOTE_YEAR:
            return named
    return None


@lru_cache(maxsize=32)
def git_first_commit_dates(folder: str) -> dict[str, dt.date]:
    """Map absolute file path → date of the commit that added it, for the git repo holding ``folder``.

    One ``git log`` per repository (cached), not one per file. Empty when
    ``folder`` is not in a git repository or git is missing.
    """
    try:
        top = subprocess.run(
            ["git", "-C", folder, "rev-parse", "--show-toplevel"],
            capture_output=True, text=True, timeout=10, check=True,
        ).stdout.strip()
        log = subprocess.run(
            ["git", "-C", top, "log", "--diff-filter=A", "--format=@%aI", "--name-only", "--no-renames"],
            capture_output=True, text=True, timeout=60, check=True,
        ).stdout
    except (OSError, subprocess.SubprocessError):
        return {}
    dates: dict[str, dt.date] = {}
    current: dt.date | None = None
    for line in log.splitlines():
        if line.startswith("@"):
            current = dt.datetime.fromisoformat(line[1:]).date()
        elif line.strip() and current is not None:
            # git log is newest first; the last date seen for a path is its first commit.
            dates[str(Path(top, line))] = current
    return dates
