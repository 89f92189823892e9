"""journal-agent: a personal learning-journal assistant, as a library.

The ``journal`` command (:mod:`journal_agent.cli`) is a thin layer over these names::

    import journal_agent as ja

    journal = ja.open_journal(root="~/my-journal")          # or ja.init_journal(Path("new-journal"))
    note = ja.add_note(journal, "# Day 5\\n\\nRRF fuses ranked lists.")
    ja.ingest(journal, [note.path])                           # embed what changed into the archive
    for summary in ja.list_notes(journal, category="Learning Journey").notes:
        print(summary.date, summary.title)
    print(ja.find_note(journal, "day 5").note.body)           # a day, a date or a path
    for hit in ja.search_notes(journal, "reciprocal rank fusion", limit=3).hits:
        print(hit.title, hit.path)
    agent = ja.Agent(journal)                                 # needs a model: [llm] in journal.toml
    print(agent.ask("What did I learn about RRF?").answer)    # one turn: tools, memory, sources

Every name is imported when first used (PEP 562), so ``import journal_agent``
loads none of the heavy libraries (lancedb, openai, mkdocs, numpy, pyarrow).
Errors derive from :class:`journal_agent.errors.JournalError`.
"""

from __future__ import annotations

import importlib
import logging
import os
from typing import TYPE_CHECKING, Any

__version__ = "0.1.0"

# The library logs what it swallows on purpose; an application chooses whether to show it
# (`journal --debug` does). Without a handler Python would print warnings to stderr.
logging.getLogger(__name__).addHandler(logging.NullHandler())

# public name -> the module that defines it
_EXPORTS: dict[str, str] = {
    "Journal": "journal_agent.workspace",
    "open_journal": "journal_agent.workspace",
    "Note": "journal_agent.notes.model",
    "read_note": "journal_agent.notes.model",
    "read_journal": "journal_agent.notes.journal",
    "list_notes": "journal_agent.notes.journal",
    "find_note": "journal_agent.notes.journal",
    "search_notes": "journal_agent.archive.search",
    "ingest": "journal_agent.archive.ingest",
    "add_note": "journal_agent.notes.add",
    "import_jrnl": "journal_agent.notes.jrnl",
    "Agent": "journal_agent.agent.loop",
    "JournalError": "journal_agent.errors",
}

__all__ = ["__version__", "init_journal", *_EXPORTS]

if TYPE_CHECKING:  # re-exported for type checkers (the ``X as X`` form); imported on use at run time
    from journal_agent.agent.loop import Agent as Agent
    from journal_agent.archive.ingest import ingest as ingest
    from journal_agent.archive.search import search_notes as search_notes
    from journal_agent.errors import JournalError as JournalError
    from journal_agent.notes.add import add_note as add_note
    from journal_agent.notes.journal import find_note as find_note
    from journal_agent.notes.journal import list_notes as list_notes
    from journal_agent.notes.journal import read_journal as read_journal
    from journal_agent.notes.jrnl import import_jrnl as import_jrnl
    from journal_agent.notes.model import Note as Note
    from journal_agent.notes.model import read_note as read_note
    from journal_agent.workspace import Journal as Journal
    from journal_agent.workspace import open_journal as open_journal

def init_journal(folder: str | os.PathLike[str], series: str | None = None) -> Journal:
    """``journal init``: a new journal in ``folder`` — ``journal.toml``, ``notes/``, ``.gitignore``
    (:func:`~journal_agent.workspace.create_workspace`) and the MkDocs scaffold under ``site/``
    (:func:`~journal_agent.site.build.scaffold_site`). Existing files are kept.

    Here, at the top, because it joins two layers: the workspace knows nothing of the site.

    Returns:
        The opened journal.

    Raises:
        SiteError: the scaffold cannot be written.
    """
    from pathlib import Path

    from journal_agent.config import DEFAULT_SERIES
    from journal_agent.site.build import scaffold_site
    from journal_agent.workspace import create_workspace

    journal = create_workspace(Path(folder), series or DEFAULT_SERIES)
    scaffold_site(journal)
    return journal


def __getattr__(name: str) -> Any:
    """PEP 562: import the module of a public name on first use."""
    module = _EXPORTS.get(name)
    if module is None:
        raise AttributeError(f"module 'journal_agent' has no attribute {name!r}")
    value = getattr(importlib.import_module(module), name)
    globals()[name] = value
    return value


def __dir__() -> list[str]:
    return sorted(set(globals()) | set(_EXPORTS))
