"""Reading the archival store's rows: search hits, the SQL filter, and reciprocal rank fusion.

The store (:mod:`journal_agent.archive.store`) runs the LanceDB queries; this module
holds what those queries are made of and what they return, so that the search
pipeline (:mod:`journal_agent.archive.search`) and the store share one definition.

Hybrid search fuses the BM25 and vector rankings with reciprocal rank fusion
(Cormack, Clarke & Büttcher, SIGIR 2009): ``score = sum(w_i / (RRF_K + rank_i))``.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Literal

RRF_K = 60
SearchMode = Literal["hybrid", "fts", "vector"]
MODES: tuple[SearchMode, ...] = ("hybrid", "fts", "vector")


@dataclass
class SearchHit:
    """One matching chunk.

    ``score``: RRF score in hybrid mode, BM25 in fts mode, cosine similarity
    (1 - distance) in vector mode; higher is better in every mode.
    """

    path: str
    title: str
    date: dt.date
    categories: list[str]
    tags: list[str]
    score: float
    text: str
    heading: str
    chunk_index: int
    source: str
    day: int | None
    private: bool = False

    def to_json(self) -> dict:
        """The hit as JSON types (date as ISO text, score rounded to 6 places)."""
        return {
            "path": self.path, "title": self.title, "date": self.date.isoformat(),
            "categories": self.categories, "tags": self.tags, "score": round(self.score, 6),
            "text": self.text, "heading": self.heading, "chunk_index": self.chunk_index,
            "source": self.source, "day": self.day, "private": self.private,
        }


COLUMNS = ["path", "title", "date", "categories", "tags", "text", "heading", "chunk_index", "source", "day",
            "private"]


def rrf_fuse(
    rankings: Sequence[Sequence[tuple[dict, float]]],
    k: int = RRF_K,
    weights: Sequence[float] | None = None,
) -> list[tuple[dict, float]]:
    """Reciprocal rank fusion of ranked lists of ``(row, score)`` keyed by ``(path, chunk_index)``.

    ``RRF(d) = sum over lists i of w_i / (k + rank_i(d))``, rank from 1
    (Cormack et al. 2009; weights default to 1).
    """
    fused: dict[tuple[str, int], list] = {}
    for ranking, weight in zip(rankings, weights or [1.0] * len(rankings)):
        for rank, (row, _score) in enumerate(ranking, start=1):
            key = (row["path"], row["chunk_index"])
            entry = fused.setdefault(key, [row, 0.0])
            entry[1] += weight / (k + rank)
    return sorted(((row, score) for row, score in fused.values()), key=lambda item: -item[1])


def hit_from_row(row: dict, score: float) -> SearchHit:
    return SearchHit(
        path=row["path"], title=row["title"], date=row["date"], categories=list(row["categories"] or []),
        tags=list(row["tags"] or []), score=score, text=row["text"], heading=row["heading"],
        chunk_index=int(row["chunk_index"]), source=row["source"], day=row["day"],
        private=bool(row.get("private")),
    )


def sql_text(value: str) -> str:
    return "'" + str(value).replace("'", "''") + "'"


def where_clause(
    since: dt.date | None,
    until: dt.date | None,
    category: str | None,
    source: str | None,
    *,
    day: int | None = None,
    include_private: bool = True,
) -> str | None:
    """The SQL filter (LanceDB/DataFusion) for the given bounds; ``None`` when nothing is filtered."""
    clauses = []
    if source:
        clauses.append(f"source = {sql_text(source)}")
    if since:
        clauses.append(f"date >= date '{since.isoformat()}'")
    if until:
        clauses.append(f"date <= date '{until.isoformat()}'")
    if category:
        clauses.append(f"array_has_any(categories, [{sql_text(category)}])")
    if day is not None:
        clauses.append(f"day = {int(day)}")
    if not include_private:
        clauses.append("private = false")
    return " AND ".join(clauses) or None
