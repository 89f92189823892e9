"""Hybrid fusion: the convex combination of min-max normalized BM25 and cosine scores (issue 23)."""

from __future__ import annotations

import pytest

from journal_agent.archive.retrieval import VECTOR_SHARE, fuse_convex, fuse_rrf


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
    assert fused[0][1] == pytest.approx(VECTOR_SHARE)  # best cosine -> 1, absent from BM25 -> 0


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
    assert order(fused)[0] == ("a", 1)  # second by cosine, first by BM25: 0.55 * 0.667 + 0.45 * 1 > 0.55
    assert [score for _, score in fused] == sorted((score for _, score in fused), reverse=True)


def test_equal_scores_and_empty_lists():
    assert fuse_convex([], []) == []
    same = [(row("x"), 0.5), (row("y"), 0.5)]
    assert [score for _, score in fuse_convex([], same)] == [pytest.approx(VECTOR_SHARE)] * 2  # equal: all best
    assert order(fuse_convex([(row("k"), 4.0)], [])) == [("k", 0)]


# Round 2 of issue 23: the pipeline candidates of benchmarks/ranking.py (measured, not the default).

def test_the_question_frame_is_dropped_and_only_the_frame():
    from benchmarks.ranking import question_topic

    assert question_topic("How did I rebase onto main?") == "rebase onto main?"
    assert question_topic("When did I learn about HNSW indexes?") == "HNSW indexes?"
    assert question_topic("what did I learn about closures") == "closures"
    assert question_topic("Can I copy two commits at once?") == "copy two commits at once?"
    assert question_topic("Which pytest flag shows locals?") == "Which pytest flag shows locals?"  # no frame
    assert question_topic("How did I?") == "How did I?"  # nothing would be left


def test_rocchio_moves_the_query_toward_the_feedback_and_keeps_it_unit_length():
    import numpy as np

    from benchmarks.ranking import rocchio

    query = np.array([1.0, 0.0, 0.0], dtype=np.float32)
    feedback = [[0.0, 1.0, 0.0], [0.0, 0.6, 0.8]]
    moved = rocchio(query, feedback, 0.3)
    assert np.linalg.norm(moved) == pytest.approx(1.0)
    assert moved[1] > 0 and moved[2] > 0 and moved[0] > moved[1]  # toward the feedback, still mostly the query
    assert np.allclose(rocchio(query, feedback, 0.0), query)
    assert rocchio(query, [], 0.5) is query


def test_expansion_terms_come_from_two_feedback_texts_and_are_new():
    from benchmarks.ranking import feedback_terms

    texts = ["git cherry-pick a range of commits", "cherry-pick several commits from a branch",
             "a branch of commits, squash them"]
    assert feedback_terms("copy changes from a branch", texts, 5) == ["commits", "cherry-pick"]
    assert feedback_terms("copy changes from a branch", texts, 1) == ["commits"]
    assert feedback_terms("anything", ["one text only"], 5) == []


class Recording:
    """A stand-in archive: remembers the texts embedded and returns fixed rows."""

    def __init__(self) -> None:
        self.embedded: list[str] = []
        self.fts: list[str] = []

    def query_vector(self, text):
        import numpy as np

        self.embedded.append(text)
        return np.array([1.0, 0.0], dtype=np.float32)

    def fts_rows(self, text, where, limit, columns):
        self.fts.append(text)
        return []

    def vector_rows(self, vector, where, limit, columns):
        return [{"path": "a.md", "chunk_index": 0, "vector": [0.0, 1.0], "search_text": "x", "_distance": 0.0}
                ] if limit == 3 else [{"path": "b.md", "chunk_index": 0, "seen": list(vector), "_distance": 0.5}]


def test_the_views_change_only_what_they_say():
    from benchmarks.ranking import TopicQuery, VectorFeedback

    inner = Recording()
    view = TopicQuery(inner)
    view.query_vector("How did I rebase?")
    view.fts_rows("How did I rebase?", None, 10, [])
    assert inner.embedded == ["rebase?"] and inner.fts == ["How did I rebase?"]  # BM25 keeps the question
    TopicQuery(inner, fts=True).fts_rows("How did I rebase?", None, 10, [])
    assert inner.fts[-1] == "rebase?"
    feedback = VectorFeedback(inner, k=3, beta=0.5)
    [row] = feedback.vector_rows(feedback.query_vector("q"), None, 10, ["path"])
    assert row["seen"][0] == pytest.approx(row["seen"][1])  # halfway to the one feedback chunk [0, 1]
    [row] = feedback.vector_rows(feedback.query_vector("q"), None, 1, ["path"])  # limit 1: the weak-match check
    assert row["seen"] == [1.0, 0.0]  # the question's own vector
