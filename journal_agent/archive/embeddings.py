"""Embedding backends: the local all-MiniLM-L6-v2 (default) and OpenAI-compatible endpoints.

Every backend exposes ``name`` (the model id recorded in the store),
``dimension`` and ``embed(texts) -> np.ndarray`` of shape ``(n, dimension)``,
float32, rows L2-normalized so that cosine similarity is a dot product.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Protocol

import numpy as np

from journal_agent.config import Config
from journal_agent.errors import ConfigError, ModelNotConfigured
from journal_agent.openai_client import make_client


class Embedder(Protocol):
    """What the archive needs of an embedding model.

    ``name`` is recorded in the archive (a different name means "re-index");
    ``embed`` returns a float32 array of shape ``(len(texts), dimension)``, rows L2-normalized.
    """

    name: str

    @property
    def dimension(self) -> int: ...

    def embed(self, texts: Sequence[str]) -> np.ndarray: ...


class OpenAIEmbedder:
    """Embeddings from ``/v1/embeddings`` of OpenAI or any compatible server.

    The client is :func:`journal_agent.openai_client.make_client`'s (``OPENAI_API_KEY``,
    ``OPENAI_BASE_URL`` or ``[llm] base_url``), or ``[embedding] base_url`` when set.
    The dimension is learnt from the first response and cached.
    """

    BATCH = 128

    def __init__(self, config: Config):
        self.name = config.embedding.model_name
        try:  # the same endpoint and key rules as the agent's chat client
            self._client = make_client(config, base_url=config.embedding.base_url)
        except ModelNotConfigured as exc:
            raise ConfigError(f"the openai embedding backend needs an endpoint: {exc}") from exc
        self._dimension: int | None = None

    @property
    def dimension(self) -> int:
        if self._dimension is None:
            self.embed(["dimension probe"])
        return self._dimension  # type: ignore[return-value]

    def embed(self, texts: Sequence[str]) -> np.ndarray:
        rows: list[list[float]] = []
        for start in range(0, len(texts), self.BATCH):
            batch = [t or " " for t in texts[start : start + self.BATCH]]
            response = self._client.embeddings.create(model=self.name, input=batch)
            rows.extend(item.embedding for item in sorted(response.data, key=lambda d: d.index))
        if not rows:
            return np.zeros((0, self._dimension or 0), dtype=np.float32)
        matrix = np.asarray(rows, dtype=np.float32)
        self._dimension = matrix.shape[1]
        return matrix / np.maximum(np.linalg.norm(matrix, axis=1, keepdims=True), 1e-12)


def make_embedder(config: Config) -> Embedder:
    """The embedder ``config`` names.

    Raises:
        ConfigError: unknown backend, or a MiniLM model name other than all-MiniLM-L6-v2.
        journal_agent.minilm.ModelNotInstalled: the MiniLM weights package is missing.
    """
    if config.embedding.backend == "minilm":
        from journal_agent.archive.minilm import MODEL_NAME, MiniLMEmbedder

        if config.embedding.model_name not in (MODEL_NAME, MODEL_NAME.split("/")[-1]):
            raise ConfigError(f"the minilm backend runs only {MODEL_NAME}, not {config.embedding.model_name!r}; "
                              "fix [embedding] model in journal.toml")
        return MiniLMEmbedder()
    if config.embedding.backend == "openai":
        return OpenAIEmbedder(config)
    raise ConfigError(f"unknown embedding backend {config.embedding.backend!r}")
