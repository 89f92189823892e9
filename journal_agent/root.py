"""Where the journal is: its root folder (found the way git finds ``.git``) and the names inside it.

Kept apart from :mod:`journal_agent.workspace` (which loads ``journal.toml`` through pydantic) so a
command that only needs the folder, such as ``journal search`` asking a running ``journal serve``,
finds it with the standard library alone.
"""

from __future__ import annotations

import os
from pathlib import Path

from journal_agent.errors import JournalNotFound

CONFIG_FILE = "journal.toml"
STATE_DIR = ".journal"


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
