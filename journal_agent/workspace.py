"""The journal workspace: where a journal lives and where its parts are.

A journal is a folder with ``journal.toml`` at its root, found by walking up
from the current directory the way git finds ``.git``. It holds ``notes/``
(Markdown notes), ``site/`` (the MkDocs project) and ``.journal/`` (the
archival store and agent state; git-ignored).
"""

from __future__ import annotations

import os
import tempfile
from contextlib import suppress
from dataclasses import dataclass
from pathlib import Path

from journal_agent.config import CONFIG_FILE, DEFAULT_SERIES, Config, default_toml, load_config
from journal_agent.errors import JournalNotFound, ReadOnlyStore
from journal_agent.notes.files import journal_relative

STATE_DIR = ".journal"
GITIGNORED = [f"{STATE_DIR}/", "site/public/", "site/docs/posts/", "site/.cache/"]


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
        return self.state_dir / "archive.lance"

    def relative(self, path: str | os.PathLike[str]) -> str:
        """``path`` relative to the journal root, POSIX style; absolute if outside it.

        The path is made absolute without resolving symlinks, so a link inside
        the journal keeps its own name.
        """
        return journal_relative(path, self.root)


def find_root(start: Path | None = None, explicit: str | os.PathLike[str] | None = None) -> Path:
    """Find the journal root: ``explicit`` > ``$JOURNAL_ROOT`` > walk up from ``start``.

    Raises:
        JournalNotFound: no ``journal.toml`` on the way up (or at the explicit root).
    """
    explicit = explicit or os.environ.get("JOURNAL_ROOT")
    if explicit:
        root = Path(explicit).expanduser().resolve()
        if not (root / CONFIG_FILE).is_file():
            raise JournalNotFound(f"{root} is not a journal (no {CONFIG_FILE}); run `journal init {root}` first")
        return root
    here = Path(start or Path.cwd()).resolve()
    for folder in (here, *here.parents):
        if (folder / CONFIG_FILE).is_file():
            return folder
    raise JournalNotFound(f"no {CONFIG_FILE} in {here} or any parent folder; run `journal init` to create "
                          "a journal here, or pass --root / set JOURNAL_ROOT")


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
