"""The no-model fallback of ``journal ask``: the best-matching passages, marked as retrieval-only.

When no model is configured, or the model cannot call tools (Ollama's
"does not support tools"), ``journal ask`` says so in one line and then
shows what the archive alone can give: the best passage of each of the
best-matching notes (hybrid search, time expressions in the question
applied, via :func:`journal_agent.search.search_notes`), each with its
source. It never pretends to be the agent.
"""

from __future__ import annotations

from dataclasses import dataclass

LABEL = "Retrieval-only answer (no model configured): the best-matching passages from your notes."
NO_TOOLS_LABEL = ("Retrieval-only answer (the model cannot call tools): the best-matching passages "
                  "from your notes.")


@dataclass
class RetrievalAnswer:
    """Passages for a question without a model.

    Attributes:
        question: the question as asked.
        hits: best chunk per note, best first (``SearchHit``).
        window: the time window found in the question, if any (``TimeWindow``).
        reason: why there is no agent answer ("no model configured", "the model cannot call tools").
    """

    question: str
    hits: list
    window: object | None = None
    reason: str = "no model configured"

    def to_json(self) -> dict:
        """``ask --json`` view: mode, why, question, ``answer: null``, passages, sources."""
        return {
            "mode": "retrieval-only",
            "reason": self.reason,
            "question": self.question,
            "answer": None,
            "passages": [hit.model_dump(mode="json") for hit in self.hits],
            "sources": [
                {"title": h.title, "date": h.date.isoformat(), "path": h.path} for h in self.hits
            ],
        }


def retrieval_only_answer(journal, question: str, *, limit: int = 5, archive=None) -> RetrievalAnswer:
    """Search the notes for ``question`` (see the module docstring).

    Raises:
        StoreError: the archive needs re-indexing.
    """
    from journal_agent.archive.search import search_notes

    # Nothing is sent to a model here: the learner's own private notes are shown to the learner.
    results = search_notes(journal, question, limit=limit, archive=archive, include_private=True)
    return RetrievalAnswer(question, results.hits, results.window)
