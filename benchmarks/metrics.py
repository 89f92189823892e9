"""Retrieval metrics: Recall@k and MRR@k over ranked lists of ids.

Recall@k here is the share of questions whose relevant item (any of them, when
several are relevant) appears in the top k; MRR@k is the mean of 1/rank of the
first relevant item within the top k, 0 when absent (Voorhees, TREC-8 QA, 1999).
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
    """``{"R@1": .., "R@5": .., "R@10": .., "MRR@10": .., "n": ..}`` from first-relevant ranks."""
    if not ranks:
        return {**{f"R@{k}": float("nan") for k in ks}, f"MRR@{mrr_k}": float("nan"), "n": 0}
    out = {f"R@{k}": mean(1.0 if r is not None and r <= k else 0.0 for r in ranks) for k in ks}
    out[f"MRR@{mrr_k}"] = mean(1.0 / r if r is not None and r <= mrr_k else 0.0 for r in ranks)
    out["n"] = len(ranks)
    return out
