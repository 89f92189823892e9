"""The words of a search request: how to rank (:data:`SearchMode`) and what to search (:data:`Source`).

Apart from :mod:`journal_agent.archive.search` (pydantic, the notes layer) so the CLI can offer them as
choices without loading the search pipeline, which ``journal search`` skips when a running
``journal serve`` answers.
"""

from __future__ import annotations

from typing import Literal

SearchMode = Literal["hybrid", "fts", "vector"]
MODES: tuple[SearchMode, ...] = ("hybrid", "fts", "vector")
Source = Literal["note", "agent", "all"]  # the learner's notes, the agent's own archival entries, or both
SOURCES: tuple[Source, ...] = ("note", "agent", "all")
