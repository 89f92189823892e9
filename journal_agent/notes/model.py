"""The notes model: read one Markdown (or text) note into a :class:`Note`.

Handles what real learning notes contain:

* Jekyll front matter as in the learner's own notes: ``title`` with stray
  whitespace, ``last_modified_at`` in day-first ``DD-MM-YYYY`` or
  ``DD-MM-YYYY HH.MM`` form, ``categories`` as a flow list or a
  space-separated string, ``layout``/``image`` (kept in ``metadata``).
* ISO ``date:`` (YAML gives a ``date``/``datetime``), ``tags``, ``draft``, ``private``.
* No front matter (TIL-style notes): title from the first ``# `` heading
  outside fenced code, date from a ``YYYY-MM-DD`` file name, else the file's
  first git commit, else its mtime; category from the parent folder.
* ``.md``, ``.markdown`` and ``.txt`` (title from the first line).

Front matter is read with python-frontmatter, Markdown with markdown-it-py.
Every failure raises :class:`~journal_agent.errors.NoteError` naming the file
and, where known, the line.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import re
import subprocess
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path
from typing import Any

from journal_agent.errors import NoteError

NOTE_SUFFIXES = (".md", ".markdown", ".txt")
MAX_NOTE_BYTES = 1_000_000  # a learning note is a few KB; 1 MB is a pasted dump
PRIVATE_FOLDER = "private"

_DAY_RE = re.compile(r"\bday\s*#?\s*(\d{1,5})\b", re.IGNORECASE)
_FILENAME_DATE_RE = re.compile(r"(\d{4})-(\d{2})-(\d{2})")
# Jekyll-style day-first dates: 18-09-2025, 18-09-2025 23.55, 18/09/2025 23:55
_DAY_FIRST_RE = re.compile(
    r"^\s*(\d{1,2})[-/.](\d{1,2})[-/.](\d{4})(?:[ T]+(\d{1,2})[.:h](\d{2})(?:[.:](\d{2}))?)?\s*$"
)


@dataclass
class Note:
    """One journal note as read from disk.

    Attributes:
        path: absolute file path.
        rel_path: path relative to the journal root (POSIX), the note's id in the store.
        title: cleaned title (never empty).
        date: the journal date, the day the note is about.
        date_source: where ``date`` came from: ``date``, ``last_modified_at``,
            ``file name``, ``git`` or ``mtime``.
        modified: when the note was last modified (front matter, else file mtime), UTC-naive local.
        categories, tags: lists of strings, order kept, duplicates removed.
        day: "Day N" number taken from the title (or first heading), else ``None``.
        body: Markdown body without front matter.
        draft, private: publication flags (``private`` also set under ``notes/private/``).
        content_hash: SHA-256 hex of the file's bytes; the ingest's change detector.
        metadata: the remaining front-matter keys (``layout``, ``image``, ...).
    """

    path: Path
    rel_path: str
    title: str
    date: dt.date
    date_source: str
    modified: dt.datetime
    categories: list[str]
    tags: list[str]
    day: int | None
    body: str
    draft: bool = False
    private: bool = False
    content_hash: str = ""
    metadata: dict[str, Any] = field(default_factory=dict)

    @property
    def publishable(self) -> bool:
        """True unless the note is a draft or private."""
        return not (self.draft or self.private)


def read_note(path: Path, root: Path, notes_dir: Path | None = None) -> Note:
    """Read and parse one note.

    Args:
        path: the file.
        root: the journal root; ``rel_path`` is relative to it when inside it.
        notes_dir: the notes folder, for the "category from parent folder" and
            ``private/`` rules (defaults to ``root / "notes"``).

    Raises:
        NoteError: unreadable, binary, over ``MAX_NOTE_BYTES``, not UTF-8,
            empty, or front matter that is not a YAML mapping.
    """
    path = Path(path).resolve()
    root = Path(root).resolve()
    notes_dir = Path(notes_dir or root / "notes").resolve()
    try:
        raw = path.read_bytes()
    except OSError as exc:
        raise NoteError(path, f"cannot read file: {exc.strerror or exc}") from exc
    text = decode_note_bytes(path, raw)
    metadata, body, body_line = split_front_matter(path, text)
    suffix = path.suffix.lower()
    stat = path.stat()
    mtime = dt.datetime.fromtimestamp(stat.st_mtime).replace(microsecond=0)

    heading = None if suffix == ".txt" else first_heading_title(body)  # parsed once
    title = _clean(metadata.pop("title", None))
    if not title:
        title = first_line_title(body) if suffix == ".txt" else heading
    if not title:
        title = path.stem.replace("-", " ").replace("_", " ").strip() or path.name

    modified = _parse_when(path, metadata.get("last_modified_at"), "last_modified_at") or mtime
    if isinstance(modified, dt.date) and not isinstance(modified, dt.datetime):
        modified = dt.datetime.combine(modified, dt.time())
    date, date_source = _journal_date(path, metadata)
    if date is None:
        date, date_source = _fallback_date(path, mtime)

    try:
        rel_to_notes = path.relative_to(notes_dir).parts
    except ValueError:
        rel_to_notes = (path.name,)
    categories = _as_list(metadata.pop("categories", None)) + _as_list(metadata.pop("category", None))
    if not categories and len(rel_to_notes) > 1 and rel_to_notes[0] != PRIVATE_FOLDER:
        categories = [rel_to_notes[-2]]
    tags = _as_list(metadata.pop("tags", None))
    private = _truthy(metadata.pop("private", False)) or (
        len(rel_to_notes) > 1 and rel_to_notes[0] == PRIVATE_FOLDER
    )
    draft = _truthy(metadata.pop("draft", False)) or _truthy(metadata.get("published") is False)
    day = _day_number(title) or _day_number(heading or "")

    try:
        rel_path = path.relative_to(root).as_posix()
    except ValueError:
        rel_path = path.as_posix()
    for key in ("date", "last_modified_at"):
        metadata.pop(key, None)
    return Note(
        path=path,
        rel_path=rel_path,
        title=title,
        date=date,
        date_source=date_source,
        modified=modified,
        categories=_dedupe(categories),
        tags=_dedupe(tags),
        day=day,
        body=body,
        draft=draft,
        private=private,
        content_hash=hashlib.sha256(raw).hexdigest(),
        metadata=metadata,
    )


def slugify(text: str) -> str:
    """ASCII, lower-case, ``-``-separated slug ("Momentum Learning Day 3" → "momentum-learning-day-3"); may be empty."""
    import unicodedata

    text = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode("ascii")
    return re.sub(r"[^a-z0-9]+", "-", text.lower()).strip("-")


def decode_note_bytes(path: Path, raw: bytes) -> str:
    """Bytes → text, rejecting binary, oversized, non-UTF-8 and empty files with a reason."""
    if len(raw) > MAX_NOTE_BYTES:
        raise NoteError(
            path,
            f"note is {len(raw) / 1e6:.1f} MB, over the {MAX_NOTE_BYTES / 1e6:.0f} MB limit "
            "for one note; split it into smaller notes",
        )
    if b"\x00" in raw[:8192]:
        raise NoteError(path, "binary file (contains NUL bytes), not a text note")
    try:
        text = raw.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        line = raw[: exc.start].count(b"\n") + 1
        raise NoteError(
            path, f"not valid UTF-8 (byte 0x{raw[exc.start]:02x}); re-save the file as UTF-8", line
        ) from exc
    if not text.strip():
        raise NoteError(path, "empty note")
    return text


def split_front_matter(path: Path, text: str) -> tuple[dict[str, Any], str, int]:
    """Split YAML front matter from the body with python-frontmatter.

    Returns ``(metadata, body, body_first_line)``.

    Raises:
        NoteError: the front matter is not valid YAML (with the file line), or not a mapping.
    """
    import frontmatter
    import yaml

    if not text.lstrip("\ufeff").startswith("---"):
        return {}, text, 1
    try:
        post = frontmatter.loads(text)
    except yaml.YAMLError as exc:
        # python-frontmatter hands YAML the text after the opening "---" line, newline
        # included, so a 0-based YAML line is already the file's 1-based line.
        mark = getattr(exc, "problem_mark", None)
        line = mark.line + 1 if mark is not None else None
        problem = getattr(exc, "problem", None) or str(exc).splitlines()[0]
        context, context_mark = getattr(exc, "context", None), getattr(exc, "context_mark", None)
        if context and context_mark is not None:
            problem += f" ({context} started at line {context_mark.line + 1})"
        raise NoteError(path, f"front matter is not valid YAML: {problem}", line) from exc
    except (ValueError, TypeError) as exc:
        raise NoteError(path, f"front matter is not valid: {exc}", 1) from exc
    if not isinstance(post.metadata, dict):
        raise NoteError(path, "front matter must be a YAML mapping (key: value lines)", 2)
    body_line = text[: len(text) - len(post.content)].count("\n") + 1
    return dict(post.metadata), post.content, body_line


def first_heading_title(body: str) -> str | None:
    """Text of the first level-1 heading, ignoring ``#`` lines inside fenced code."""
    tokens = _tokens(body)
    for index, token in enumerate(tokens):
        if token.type == "heading_open" and token.tag == "h1":
            return _clean_heading(tokens[index + 1].content)
    return None


def first_line_title(body: str) -> str | None:
    """First non-empty line of a plain-text note, trimmed to 120 characters."""
    for line in body.splitlines():
        if line.strip():
            return _clean_heading(line.strip().lstrip("#").strip())[:120]
    return None


def _tokens(body: str):
    from markdown_it import MarkdownIt

    return MarkdownIt("commonmark").parse(body)


def _clean(value: Any) -> str:
    return re.sub(r"\s+", " ", str(value)).strip() if value is not None else ""


def _clean_heading(text: str) -> str:
    # "Day 2| Momentum Learning Series" style headings keep their words, not their pipes.
    return re.sub(r"\s*\|\s*", " | ", _clean(text)).strip(" |")


def _as_list(value: Any) -> list[str]:
    if value is None or value == "":
        return []
    if isinstance(value, (list, tuple)):
        return [_clean(v) for v in value if _clean(v)]
    text = _clean(value)
    # Jekyll splits a string of categories on spaces; commas are a common variant.
    parts = re.split(r"\s*,\s*", text) if "," in text else text.split()
    return [p for p in parts if p]


def _dedupe(items: list[str]) -> list[str]:
    return list(dict.fromkeys(items))


def _truthy(value: Any) -> bool:
    if isinstance(value, str):
        return value.strip().lower() in {"true", "yes", "1", "on"}
    return bool(value)


def _day_number(title: str) -> int | None:
    match = _DAY_RE.search(title or "")
    return int(match.group(1)) if match else None


def _parse_when(path: Path, value: Any, key: str) -> dt.datetime | dt.date | None:
    """A front-matter date value → date/datetime; day-first strings as Jekyll writes them."""
    if value is None or value == "":
        return None
    if isinstance(value, (dt.datetime, dt.date)):
        return value.replace(tzinfo=None) if isinstance(value, dt.datetime) else value
    text = str(value).strip()
    match = _DAY_FIRST_RE.match(text)
    try:
        if match:
            day, month, year, hour, minute, second = match.groups()
            return dt.datetime(
                int(year), int(month), int(day), int(hour or 0), int(minute or 0), int(second or 0)
            )
        return dt.datetime.fromisoformat(text).replace(tzinfo=None)
    except ValueError:
        pass
    import dateparser

    parsed = dateparser.parse(text, settings={"DATE_ORDER": "DMY", "PREFER_DAY_OF_MONTH": "first"})
    if parsed is None:
        raise NoteError(path, f"front matter {key}: cannot read {text!r} as a date")
    return parsed.replace(tzinfo=None)


def _journal_date(path: Path, metadata: dict[str, Any]) -> tuple[dt.date | None, str]:
    for key in ("date", "last_modified_at"):
        when = _parse_when(path, metadata.get(key), key)
        if when is not None:
            return (when.date() if isinstance(when, dt.datetime) else when), key
    return None, ""


def _fallback_date(path: Path, mtime: dt.datetime) -> tuple[dt.date, str]:
    match = _FILENAME_DATE_RE.search(path.name)
    if match:
        try:
            return dt.date(*map(int, match.groups())), "file name"
        except ValueError:
            pass
    created = git_first_commit_dates(str(path.parent)).get(str(path))
    if created is not None:
        return created, "git"
    return mtime.date(), "mtime"


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
