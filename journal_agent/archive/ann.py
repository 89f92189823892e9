"""The approximate-nearest-neighbour (ANN) index on ``vector``: made once the archive is big enough to need it.

Below :data:`MIN_ROWS` chunks there is no vector index and LanceDB answers a
vector query with an exact flat scan (every vector compared). From
:data:`MIN_ROWS` on, :func:`maintain` (called by ``Archive.optimize`` after
every ingest) creates an IVF index (Jégou, Douze & Schmid, "Product
quantization for nearest neighbor search", TPAMI 2011: an inverted file of
k-means partitions; a query scans the :data:`NPROBES` partitions whose
centroids are closest). Rows written after the index was trained are folded
into it by LanceDB's ``Table.optimize()`` ("Index: Optimizes the indices,
adding new data to existing indices", lancedb 0.40 ``table.py``); until then
LanceDB scans those unindexed rows exactly and merges them into the result,
so a query never misses a new chunk. When the archive has grown so that its
ideal partition count is :data:`RETRAIN_GROWTH` times the one trained, the
index is trained again (k-means centroids do not move when rows are folded in).

The index type and its parameters were chosen by measuring Recall@10 against
exact search (``bypass_vector_index()``) and query latency at 10k and 100k
chunks (``python -m benchmarks.search_scale --sweep``; results in
``benchmarks/RESULTS.md``).
"""

from __future__ import annotations

import math
import re
from typing import Any, Literal

IndexKind = Literal["IVF_FLAT", "IVF_PQ", "IVF_SQ", "IVF_HNSW_SQ"]

KIND: IndexKind = "IVF_FLAT"
# Index type, threshold and nprobes, measured with `python -m benchmarks.search_scale --sweep` (2-core VM, one
# run; benchmarks/RESULTS.md). Recall@10 against exact at 100k chunks, nprobes 20: IVF_FLAT 0.995 (1.000 with
# nprobes 40), IVF_SQ 0.967 (0.992 refined x5), IVF_PQ 0.600 (0.988 refined x10; 39 s to train against 7 s),
# IVF_HNSW_SQ 0.931 (0.993 refined x5; 24 s to train); all answer in 7-11 ms against 59 ms exact. IVF_FLAT keeps
# the full vectors, so it needs no refine step and is the quickest to train. The vector query alone takes
# 5.8 ms exact at 2k chunks, 7.1 at 5k, 11.4 at 10k, 19.2 at 20k, 35.7 at 50k (indexed: 3.9-7.0 ms, Recall@10
# 0.994-1.000 with nprobes 40, trained in 0.1-6 s). From 10k chunks the exact scan costs over 10 ms and about
# three times the indexed query; below it, exact search stays exact and cheap.
MIN_ROWS = 10_000
NPROBES = 40  # partitions scanned per query, of sqrt(chunks): Recall@10 0.998 at 10k (0.980 with 20)
REFINE_FACTOR: int | None = None  # IVF_FLAT keeps full vectors: nothing to re-rank
RETRAIN_GROWTH = 2  # retrain when the ideal partition count reaches this multiple of the trained one
INDEX_PREFIX = "vector_ann_p"  # the index name carries its partition count: vector_ann_p100
_NAME_RE = re.compile(rf"^{INDEX_PREFIX}(\d+)$")


def partitions_for(rows: int) -> int:
    """IVF partitions for a table of ``rows`` chunks: ``round(sqrt(rows))``, at least 1 (the usual IVF rule,
    also LanceDB's documented default)."""
    return max(1, round(math.sqrt(rows)))


def index_config(rows: int, kind: IndexKind = KIND, partitions: int | None = None) -> Any:
    """The LanceDB index config of ``kind`` for ``rows`` chunks (cosine distance)."""
    from lancedb.index import HnswSq, IvfFlat, IvfPq, IvfSq

    config = {"IVF_FLAT": IvfFlat, "IVF_SQ": IvfSq, "IVF_HNSW_SQ": HnswSq}.get(kind, IvfPq)
    return config(distance_type="cosine", num_partitions=partitions or partitions_for(rows))


def vector_index(table) -> tuple[str, int] | None:
    """``(name, trained partitions)`` of the table's vector index, or ``None`` (exact search)."""
    for index in table.list_indices():
        if index.columns == ["vector"]:
            match = _NAME_RE.match(index.name)
            return index.name, int(match.group(1)) if match else 0
    return None


def maintain(table, *, min_rows: int | None = None,
             kind: IndexKind | None = None) -> Literal["created", "retrained", None]:
    """Create the vector index once ``table`` holds ``min_rows`` rows (default :data:`MIN_ROWS`); retrain it
    after large growth (see :data:`RETRAIN_GROWTH`).

    Folding new rows into an existing index is left to ``table.optimize()``,
    which the caller runs next. Costs one row count and one index listing when
    nothing is to be done.

    Returns:
        ``"created"``, ``"retrained"`` or ``None``.

    Raises:
        RuntimeError, OSError, ValueError: as LanceDB raises them (the caller
        turns them into a StoreError).
    """
    rows = table.count_rows()
    if rows < (MIN_ROWS if min_rows is None else min_rows):
        return None
    existing = vector_index(table)
    wanted = partitions_for(rows)
    if existing is not None and wanted < RETRAIN_GROWTH * max(existing[1], 1):
        return None
    create(table, rows, kind=kind or KIND, partitions=wanted)
    if existing is not None and existing[0] != f"{INDEX_PREFIX}{wanted}":
        table.drop_index(existing[0])
    return "retrained" if existing else "created"


def create(table, rows: int, *, kind: IndexKind = KIND, partitions: int | None = None) -> str:
    """Train a vector index of ``kind`` over ``table`` now (replacing one of the same name). Returns its name."""
    parts = partitions or partitions_for(rows)
    name = f"{INDEX_PREFIX}{parts}"
    table.create_index("vector", config=index_config(rows, kind, parts), name=name, replace=True)
    return name


def tune(builder, table=None, where: str | None = None, *, nprobes: int | None = None,
         refine_factor: int | None = REFINE_FACTOR):
    """Set the ANN query parameters on a LanceDB vector query ``builder`` (ignored by an exact flat scan).

    Args:
        builder: ``table.search(vector, query_type="vector")...``.
        table, where: the table searched and the query's prefilter. When both
            are given and the table has a vector index, the partitions probed
            grow with the filter's narrowness: ``NPROBES / f`` where ``f`` is
            the fraction of rows the filter keeps, up to all of them (which
            LanceDB still answers from the index's partition-ordered vectors:
            exact, and 4-6x quicker than the flat scan). Measured at 100k
            chunks, a one-month window (2% of rows) gives Recall@20 0.78 with
            40 partitions and 1.000 with all 316, at 10 ms (flat scan: 44 ms).
            Costs one filtered row count (~3 ms at 100k chunks).
        nprobes: partitions to probe, instead of the above.
        refine_factor: re-rank ``limit x refine_factor`` candidates with full vectors.
    """
    if nprobes is None:
        nprobes = NPROBES
        index = vector_index(table) if table is not None else None
        if index is not None and where:
            total, kept = table.count_rows(), table.count_rows(where)
            if 0 < kept < total:
                nprobes = min(index[1] or partitions_for(total), math.ceil(NPROBES * total / kept))
    builder = builder.nprobes(nprobes)
    return builder.refine_factor(refine_factor) if refine_factor else builder


def recall_at_k(approximate: list[list[str]], exact: list[list[str]], k: int = 10) -> float:
    """Mean over queries of ``|top-k approximate ∩ top-k exact| / |top-k exact|`` (ids)."""
    scores = [len(set(a[:k]) & set(e[:k])) / len(e[:k]) for a, e in zip(approximate, exact, strict=True) if e]
    return sum(scores) / len(scores) if scores else math.nan
