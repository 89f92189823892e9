"""The no-model fallback of ``journal ask``: the best-matching passages, marked as retrieval-only.

When no model is configured, or the model cannot call tools (Ollama's
"does not support tools"), ``journal ask`` says so in one line and then
shows what the archive alone can give: the best passage of each of the
best-matching notes (hybrid search, time expressions in the question
applied, via :func:`journal_agent.search.search_notes`), each with its
source. It never pretends to be the agent.
"""

from __future__ import annotations

from typing import Any, Literal

from pydantic import BaseModel, Field, computed_field

from journal_agent.agent.citations import Source
from journal_agent.archive.search import search_notes

LABEL = "Retrieval-only answer (no model configured): the best-matching passages from your notes."
NO_TOOLS_LABEL = "Retrieval-only answer (the model cannot call tools): the best-matching passages from your notes."


class RetrievalAnswer(BaseModel):
    """Passages for a question without a model; ``ask --json`` shows :meth:`to_json`.

    Attributes:
        mode: always ``retrieval-only``; answer: always ``None`` (there is no agent answer).
        reason: why there is no agent answer ("no model configured", "the model cannot call tools").
        question: the question as asked.
        hits: best chunk per note, best first (``SearchHit``); shown as ``passages`` and ``sources``.
        window: the time window found in the question, if any (``TimeWindow``); not in the JSON.
    """

    mode: Literal["retrieval-only"] = "retrieval-only"
    reason: str = "no model configured"
    question: str
    answer: None = None
    hits: list[Any] = Field(exclude=True)
    window: Any = Field(default=None, exclude=True)

    @computed_field  # type: ignore[prop-decorator]
    @property
    def passages(self) -> list[dict[str, Any]]:
        """Each hit as JSON (``SearchHit``, pydantic)."""
        return [hit.model_dump(mode="json") for hit in self.hits]

    @computed_field  # type: ignore[prop-decorator]
    @property
    def sources(self) -> list[dict[str, str]]:
        """Each hit's note as a cited :class:`~journal_agent.agent.citations.Source`."""
        return [Source(h.title, h.date, h.path).to_dict() for h in self.hits]

    def to_json(self) -> dict[str, Any]:
        """``mode``, ``reason``, ``question``, ``answer: null``, ``passages``, ``sources``."""
        return self.model_dump(mode="json")


def retrieval_only_answer(journal, question: str, *, limit: int = 5, archive=None) -> RetrievalAnswer:
    """Search the notes for ``question`` (see the module docstring).

    Raises:
        StoreError: the archive needs re-indexing.
    """
    # Nothing is sent to a model here: the learner's own private notes are shown to the learner.
    results = search_notes(journal, question, limit=limit, archive=archive, include_private=True)
    return RetrievalAnswer(question=question, hits=results.hits, window=results.window)
