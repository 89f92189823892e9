"""Which notes the fresh TIL question sets ask about: 60 per set, drawn at random (issue 23).

The notes no other TIL question set (til_questions, til_paraphrases, til_hard_questions) asks about, of at
least 300 bytes, 60 drawn from each corpus with ``random.Random(20261207)``, alternately into set A and set
B. Two helpers then wrote one question per note (benchmarks/til_fresh_a.jsonl, til_fresh_b.jsonl) from the
notes alone, before any search ran on them. This prints the draw, so it can be checked against the sets.

    python -m benchmarks.fresh_notes
"""

from __future__ import annotations

import json
import random

from benchmarks.corpora import REPO, TIL_CORPORA, manifest

SEED = 20261207
PER_CORPUS = 60
MIN_BYTES = 300
ASKED = ("til_questions", "til_paraphrases", "til_hard_questions")


def draw() -> dict[str, list[dict]]:
    """``{"A": [...], "B": [...]}``: each note as ``{corpus, path, title, date}``, in the order drawn."""
    asked = set()
    for name in ASKED:
        with open(REPO / "benchmarks" / f"{name}.jsonl", encoding="utf-8") as handle:
            asked |= {(q["corpus"], q["path"]) for q in map(json.loads, filter(str.strip, handle))}
    rng = random.Random(SEED)
    sets: dict[str, list[dict]] = {"A": [], "B": []}
    for corpus in TIL_CORPORA:
        rows = [r for r in manifest(corpus) if (corpus, r["path"]) not in asked and r["bytes"] >= MIN_BYTES]
        for number, row in enumerate(rng.sample(rows, PER_CORPUS)):
            sets["A" if number % 2 == 0 else "B"].append(
                {"corpus": corpus, "path": row["path"], "title": row["title"], "date": row["created"][:10]})
    return sets


if __name__ == "__main__":
    for name, notes in draw().items():
        for note in notes:
            print(name, json.dumps(note))
