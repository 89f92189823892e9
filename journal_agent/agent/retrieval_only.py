"""The no-model fallback of ``journal ask``: the best-matching passages, marked as retrieval-only.

When no model is configured, or the model cannot call tools (Ollama's
"does not support tools"), ``journal ask`` says so in one line and then
shows what the archive alone can give: the best passage of each of the
best-matching notes (hybrid search, time expressions in the question
applied, via :func:`journal_agent.search.search_notes`), each with its
source. It never pretends to be the agent.

When the question names a day, days or a window that holds no entry ("What did I do on Day 9?" in a
journal that skipped it), the answer says so (``empty``, ``named``) and offers the nearest entries
before and after it first (``nearest``, from
:func:`~journal_agent.archive.retrieval.nearest_entries`), as ``journal search`` does (issue 18).
"""

from __future__ import annotations

from typing import Any, Literal

from pydantic import BaseModel, Field, computed_field

from journal_agent.agent.citations import Source
from journal_agent.archive.search import SearchResults, search_notes

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
        empty: the question named a day, days or a window and no entry is in it.
        named: what it named, as words ("Day 9", "Days 8-14", "“in March 2024” (2024-03-01 to 2024-03-31)");
            ``""`` when it named none.
        nearest: when ``empty``, the nearest entries before and after it, nearest first (``SearchHit``);
            shown as ``nearest`` (each a passage plus ``side``: ``"before"`` or ``"after"``).
    """

    mode: Literal["retrieval-only"] = "retrieval-only"
    reason: str = "no model configured"
    question: str
    answer: None = None
    hits: list[Any] = Field(exclude=True)
    window: Any = Field(default=None, exclude=True)
    empty: bool = False
    named: str = ""
    nearest_hits: list[Any] = Field(default_factory=list, exclude=True)
    day: int | None = Field(default=None, exclude=True)
    day_range: tuple[int, int] | None = Field(default=None, exclude=True)

    def side(self, hit: Any) -> str:
        """Whether a nearest entry is ``"before"`` or ``"after"`` the empty day, days or window (``hit``: a
        ``SearchHit``)."""
        if self.window is not None:
            return "before" if (hit.end_date or hit.date) < self.window.since else "after"
        low = self.day_range[0] if self.day_range else self.day
        if low is not None and hit.days:
            return "before" if max(hit.days) < low else "after"
        return "nearest"  # not reached: an empty answer named a day, days or a window

    @computed_field  # type: ignore[prop-decorator]
    @property
    def nearest(self) -> list[dict[str, Any]]:
        """The nearest entries as JSON (``SearchHit``) with their ``side``; ``[]`` unless ``empty``."""
        return [hit.model_dump(mode="json") | {"side": self.side(hit)} for hit in self.nearest_hits]

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
        """``mode``, ``reason``, ``question``, ``answer: null``, ``empty``, ``named``, ``nearest``, ``passages``,
        ``sources``."""
        return self.model_dump(mode="json")


def retrieval_only_answer(journal, question: str, *, limit: int = 5, archive=None) -> RetrievalAnswer:
    """Search the notes for ``question`` (see the module docstring).

    Raises:
        StoreError: the archive needs re-indexing.
    """
    # Nothing is sent to a model here: the learner's own private notes are shown to the learner.
    results = search_notes(journal, question, limit=limit, archive=archive, include_private=True)
    return RetrievalAnswer(question=question, hits=results.hits, window=results.window, empty=results.empty,
                           named=named(results), nearest_hits=results.nearest if results.empty else [],
                           day=results.day, day_range=results.day_range)


def named(results: SearchResults) -> str:
    """What a question named of the journal's calendar, as words: "Day 9", "Days 8-14",
    "“in March 2024” (2024-03-01 to 2024-03-31)", joined by "and"; ``""`` for none."""
    parts = []
    if results.day is not None:
        parts.append(f"Day {results.day}")
    if results.day_range is not None:
        parts.append(f"Days {results.day_range[0]}-{results.day_range[1]}")
    if results.window is not None:
        w = results.window
        span = w.since.isoformat() + (f" to {w.until.isoformat()}" if w.until != w.since else "")
        parts.append(f"\u201c{w.phrase}\u201d ({span})")
    return " and ".join(parts)
