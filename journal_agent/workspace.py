"""The journal workspace: where a journal lives and where its parts are.

A journal is a folder with ``journal.toml`` at its root, found by walking up
from the current directory the way git finds ``.git``. It holds ``notes/``
(Markdown notes), ``site/`` (the MkDocs project) and ``.journal/`` (the
archival store and agent state; git-ignored).

Its notes are ``notes/`` plus every folder ``journal ingest`` was given:
the archive records those folders (``sources`` in ``archive.json``, beside
the archive's table) and :meth:`Journal.sources` is the one reader of that
record, for the notes layer (which never imports the archive) and for the
archive itself (:meth:`journal_agent.archive.store.Archive.sources`).
"""

from __future__ import annotations

import json
import os
import tempfile
from collections.abc import Mapping
from contextlib import suppress
from dataclasses import dataclass
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

from journal_agent.config import DEFAULT_SERIES, Config, default_toml, load_config
from journal_agent.errors import ConfigError, ReadOnlyStore, StoreError
from journal_agent.notes.files import journal_relative
from journal_agent.root import CONFIG_FILE, STATE_DIR, find_root

GITIGNORED = [f"{STATE_DIR}/", "site/public/", "site/docs/posts/", "site/.cache/"]
ARCHIVE_RECORD = "archive.json"  # beside a local archive's table: how it was built, the folders ingested
DEFAULT_SOURCE = "notes"  # the folder every journal's archive ingests first
REMOTE_SCHEMES = ("s3", "s3+ddb", "gs", "az", "abfs", "abfss")  # object stores LanceDB can keep an archive in


def uri_scheme(uri: str) -> str:
    """The URI scheme in lower case; ``""`` for a path (also a Windows drive letter)."""
    head, sep, _ = uri.partition("://")
    return head.lower() if sep and len(head) > 1 else ""


def read_record(path: Path) -> dict[str, Any]:
    """An archive's record (``archive.json``) as a dict (``{}`` when absent).

    Raises:
        StoreError: it exists but cannot be read or is not a JSON object, naming ``journal ingest --full``.
    """
    try:
        meta = json.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        return {}
    except (OSError, ValueError) as exc:
        raise StoreError(f"{path}: unreadable ({exc}); run `journal ingest --full`") from exc
    if not isinstance(meta, dict):
        raise StoreError(f"{path}: not a JSON object; run `journal ingest --full`")
    return meta


def recorded_sources(record: Mapping[str, Any]) -> list[str]:
    """The folders an archive record names as ingested (``sources``: journal-relative POSIX paths, or
    absolute outside the journal), in the order they were first ingested; ``["notes"]`` when it names none
    (an archive before its first ingest of another folder)."""
    sources = record.get("sources")
    return [str(s) for s in sources] if isinstance(sources, list) and sources else [DEFAULT_SOURCE]


@dataclass
class Journal:
    """A journal workspace rooted at ``root``.

    Attributes:
        root: absolute folder holding ``journal.toml``.
        config: its settings (:class:`~journal_agent.config.Config`).
    """

    root: Path
    config: Config

    @property
    def notes_dir(self) -> Path:
        return self.root / "notes"

    @property
    def site_dir(self) -> Path:
        return self.root / "site"

    @property
    def state_dir(self) -> Path:
        """``.journal/``: archival store, core memory, recall memory.

        Created on demand when the journal folder can be written; on a
        read-only journal the path is returned as it is, so reading commands
        find what is there (or nothing). Writing code asks
        :meth:`writable_state_dir` first.
        """
        path = self.root / STATE_DIR
        if not path.is_dir():
            with suppress(OSError):  # read-only journal: readers see an empty state, writers are refused
                path.mkdir(parents=True, exist_ok=True)
        return path

    def writable_state_dir(self, command: str) -> Path:
        """:attr:`state_dir`, after checking that files can be created in it.

        The check creates and removes a probe file, so it answers what the
        operating system will do (a read-only mount, missing permissions, also
        for root) rather than what the mode bits say.

        Args:
            command: what wants to write, for the message (``"journal ingest"``).

        Raises:
            ReadOnlyStore: ``.journal/`` cannot be created or written.
        """
        path = self.state_dir
        try:
            with tempfile.NamedTemporaryFile(dir=path, prefix=".write-probe-"):
                pass
        except OSError as exc:
            raise ReadOnlyStore(f"{command} needs to write to {path}, which is read-only ({exc.strerror or exc}); "
                                f"make it writable (e.g. chmod -R u+w {path}) and run it again; reading commands "
                                "(search, memory show) still work") from exc
        return path

    @property
    def store_dir(self) -> Path:
        """``.journal/archive.lance`` (``.journal/`` created as :attr:`state_dir` does): the archive's folder
        unless ``[archive] uri`` names another place."""
        return self.state_dir / "archive.lance"

    @property
    def archive_uri(self) -> str:
        """Where the archive lives, from ``[archive] uri`` (after ``JOURNAL_ARCHIVE_URI``): the absolute path of
        a local folder (unset: :attr:`store_dir`; relative: from the journal root; ``~`` and ``file://``
        accepted), or an object-store URI (``s3://bucket/prefix``; schemes in :data:`REMOTE_SCHEMES`) as given.

        Raises:
            ConfigError: ``db://`` (LanceDB Cloud, not supported yet) or a scheme LanceDB cannot store tables in.
        """
        uri = (self.config.archive.uri or "").strip()
        if not uri:
            return str(self.root / STATE_DIR / "archive.lance")  # as store_dir, without creating .journal/
        scheme = uri_scheme(uri)
        if scheme in REMOTE_SCHEMES:
            return uri.rstrip("/")
        if scheme == "db":
            raise ConfigError(f"[archive] uri {uri}: LanceDB Cloud (db://) is not supported yet; use a local "
                              "folder or s3://, gs://, az://")
        if scheme == "file":
            uri = urlsplit(uri).path
        elif scheme:
            raise ConfigError(f"[archive] uri {uri}: unknown scheme {scheme}://; use a folder, s3://, gs:// or az://")
        path = Path(os.path.expanduser(uri))
        return str(path if path.is_absolute() else self.root / path)

    def sources(self) -> list[str]:
        """The folders whose notes are this journal's: ``sources`` of the archive's ``archive.json``
        (:func:`recorded_sources`; ``["notes"]`` before another folder was ingested).

        The one reader of that record: the notes layer (``list``, ``show``, ``stats``, ``export``, review,
        digests, the site) reads ``notes/`` and these folders; the archive ingests them again.
        An archive in an object store keeps its record in the store, which only the archive can read
        (:meth:`journal_agent.archive.store.Archive.sources` applies :func:`recorded_sources` to it);
        here such a journal's notes are ``notes/`` alone.

        Raises:
            StoreError: ``archive.json`` exists but is damaged (see :func:`read_record`).
            ConfigError: ``[archive] uri`` is invalid (see :attr:`archive_uri`).
        """
        uri = self.archive_uri
        if uri_scheme(uri) in REMOTE_SCHEMES:
            return [DEFAULT_SOURCE]
        return recorded_sources(read_record(Path(uri) / ARCHIVE_RECORD))

    def relative(self, path: str | os.PathLike[str]) -> str:
        """``path`` relative to the journal root, POSIX style; absolute if outside it.

        The path is made absolute without resolving symlinks, so a link inside
        the journal keeps its own name.
        """
        return journal_relative(path, self.root)


def open_journal(start: Path | None = None, root: str | os.PathLike[str] | None = None) -> Journal:
    """Locate (see :func:`find_root`) and load a journal.

    Raises:
        JournalNotFound: see :func:`find_root`.
        ConfigError: ``journal.toml`` is invalid.
    """
    found = find_root(start, root)
    return Journal(found, load_config(found / CONFIG_FILE))


def create_workspace(folder: Path, series: str = DEFAULT_SERIES) -> Journal:
    """Create ``journal.toml``, ``notes/``, ``site/`` and a ``.gitignore`` in ``folder``; keep existing files.

    The MkDocs scaffold is written by :func:`journal_agent.site.build.scaffold_site`
    (``journal init`` calls both through :func:`journal_agent.init_journal`).
    """
    folder = Path(folder).expanduser().resolve()
    folder.mkdir(parents=True, exist_ok=True)
    config_path = folder / CONFIG_FILE
    if not config_path.exists():
        config_path.write_text(default_toml(series), encoding="utf-8")
    (folder / "notes").mkdir(exist_ok=True)
    (folder / "site").mkdir(exist_ok=True)
    gitignore = folder / ".gitignore"
    existing = gitignore.read_text(encoding="utf-8").splitlines() if gitignore.exists() else []
    missing = [line for line in GITIGNORED if line not in existing]
    if missing:
        gitignore.write_text("\n".join(existing + missing) + "\n", encoding="utf-8")
    return Journal(folder, load_config(config_path))
