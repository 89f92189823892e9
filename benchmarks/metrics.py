"""Retrieval metrics: Hit@k and MRR@k over ranked lists of ids.

Hit@k is the share of questions with at least one relevant item in the top k
(a question counts once, however many of its relevant items are there). It is
not Recall@k, the share of each question's relevant items found, which these
tables called it before: for a question with one relevant item the two agree.
MRR@k is the mean of 1/rank of the first relevant item within the top k, 0 when
absent (Voorhees, TREC-8 QA, 1999).
"""

from __future__ import annotations

from collections.abc import Sequence
from statistics import mean


def first_rank(ranked: Sequence[str], relevant: set[str]) -> int | None:
    """1-based rank of the first relevant id in ``ranked``, or None."""
    for rank, item in enumerate(ranked, start=1):
        if item in relevant:
            return rank
    return None


def summarize(ranks: Sequence[int | None], ks=(1, 5, 10), mrr_k: int = 10) -> dict[str, float]:
    """``{"Hit@1": .., "Hit@5": .., "Hit@10": .., "MRR@10": .., "n": ..}`` from first-relevant ranks (Hit@k: see
    the module docstring)."""
    if not ranks:
        return {**{f"Hit@{k}": float("nan") for k in ks}, f"MRR@{mrr_k}": float("nan"), "n": 0}
    out = {f"Hit@{k}": mean(1.0 if r is not None and r <= k else 0.0 for r in ranks) for k in ks}
    out[f"MRR@{mrr_k}"] = mean(1.0 / r if r is not None and r <= mrr_k else 0.0 for r in ranks)
    out["n"] = len(ranks)
    return out
