"""Hybrid fusion: the convex combination of min-max normalized BM25 and cosine scores (issue 23)."""

from __future__ import annotations

import pytest

from journal_agent.archive.search import fuse_convex, fuse_rrf


def row(path: str, chunk: int = 0) -> dict:
    return {"path": path, "chunk_index": chunk}


def order(ranked) -> list[tuple[str, int]]:
    return [(r["path"], r["chunk_index"]) for r, _ in ranked]


# The vectors find "answer" far closer than anything else; BM25 does not have it. "middling" is second in
# both lists: rank fusion, which only counts ranks, puts it above the clear semantic match.
VECTOR = [(row("answer"), 0.90), (row("middling"), 0.50), (row("v3"), 0.45), (row("v4"), 0.40)]
FTS = [(row("keyword"), 10.0), (row("middling"), 8.5), (row("f3"), 1.0)]


def test_a_clear_semantic_match_is_not_diluted_by_a_middling_note():
    assert order(fuse_rrf(FTS, VECTOR))[0] == ("middling", 0)  # the old default's dilution
    fused = fuse_convex(FTS, VECTOR)
    assert order(fused)[0] == ("answer", 0)
    assert fused[0][1] == pytest.approx(0.7)  # best cosine -> 1, absent from BM25 -> 0


def test_the_share_moves_the_balance_between_the_lists():
    assert order(fuse_convex(FTS, VECTOR, share=1.0))[:4] == order(VECTOR)
    assert order(fuse_convex(FTS, VECTOR, share=0.0))[:2] == order(FTS)[:2]  # a list's worst scores 0, as absent
    assert order(fuse_convex(FTS, VECTOR, share=0.3))[0] == ("keyword", 0)


def test_each_chunk_once_scores_between_zero_and_one():
    vector = [(row("a", 0), 0.8), (row("a", 1), 0.6), (row("b"), 0.2)]
    fts = [(row("a", 1), 3.0), (row("b"), 2.0)]
    fused = fuse_convex(fts, vector)
    assert sorted(order(fused)) == [("a", 0), ("a", 1), ("b", 0)]  # chunks of one note stay apart
    assert all(0.0 <= score <= 1.0 for _, score in fused)
    assert order(fused)[0] == ("a", 1)  # second by cosine, first by BM25: 0.7 * 0.667 + 0.3 * 1
    assert [score for _, score in fused] == sorted((score for _, score in fused), reverse=True)


def test_equal_scores_and_empty_lists():
    assert fuse_convex([], []) == []
    same = [(row("x"), 0.5), (row("y"), 0.5)]
    assert [score for _, score in fuse_convex([], same)] == [pytest.approx(0.7)] * 2  # equal: all count as best
    assert order(fuse_convex([(row("k"), 4.0)], [])) == [("k", 0)]
