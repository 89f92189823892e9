"""Hybrid fusion compared by kind of question: fts, vector, the old default (equal-weight chunk RRF) and candidates.

Every configuration runs the whole default pipeline (``search_notes`` with
``time_mode="auto"``: day numbers and time windows applied as in ``journal
search``); only ``mode`` and the hybrid ``fusion`` change. The question sets:

* ``original`` / ``paraphrased``: benchmarks/til_questions.jsonl and
  til_paraphrases.jsonl (kinds ``plain``, ``dated``);
* ``hard``: benchmarks/til_hard_questions.jsonl (issue 23; kinds ``middle``:
  the answer sits in the middle of a long note, ``paraphrase``: the idea in
  other words than the note's, ``topic_time``: a topic and a month/season),
  written from the notes before any ranking run;
* ``learner`` / ``learner+til``: benchmarks/learner_questions.jsonl (day,
  date, week, topic) on the learner journal alone and among the TIL notes.

The TIL journal is the one ``python -m benchmarks.quality_til`` builds (built
here when missing). BM25 and vector rows are cached per query, so the
candidates are compared on exactly the same retrieved rows.

    python -m benchmarks.ranking [--til benchmarks/.work/til] [--learner benchmarks/.work/ranking] [--write]

``--write`` replaces the "Hybrid fusion by kind" section of benchmarks/RESULTS.md.
"""

from __future__ import annotations

import argparse
import datetime as dt
import shutil
from collections.abc import Callable
from pathlib import Path
from statistics import mean, pstdev

from benchmarks.corpora import REPO
from benchmarks.metrics import first_rank, summarize

HARD = REPO / "benchmarks" / "til_hard_questions.jsonl"
Ranked = list[tuple[dict, float]]


class CachedArchive:
    """An open archive whose BM25 and vector queries are remembered (same rows for every configuration)."""

    def __init__(self, archive) -> None:
        self._archive = archive
        self._fts: dict = {}
        self._vector: dict = {}

    def __getattr__(self, name):
        return getattr(self._archive, name)

    def fts_rows(self, text, where, limit, columns):
        key = (text, where, limit, tuple(columns))
        if key not in self._fts:
            self._fts[key] = self._archive.fts_rows(text, where, limit, columns)
        return self._fts[key]

    def vector_rows(self, vector, where, limit, columns):
        key = (vector.tobytes(), where, limit, tuple(columns))
        if key not in self._vector:
            self._vector[key] = self._archive.vector_rows(vector, where, limit, columns)
        return self._vector[key]


def _per_note(ranked: Ranked) -> Ranked:
    seen: set[str] = set()
    out = []
    for row, score in ranked:
        if row["path"] not in seen:
            seen.add(row["path"])
            out.append((row, score))
    return out


def _chunk(row: dict) -> tuple[str, int]:
    return row["path"], row["chunk_index"]


def _note(row: dict) -> str:
    return row["path"]


def rrf(weight: float, notes: bool = False) -> Callable[[Ranked, Ranked], Ranked]:
    """Weighted RRF (vector at ``weight``), of chunks or (``notes``) of each list's best chunk per note."""
    from journal_agent.archive.search import rrf_fuse

    def fuse(fts: Ranked, vector: Ranked) -> Ranked:
        if notes:
            fts, vector = _per_note(fts), _per_note(vector)
        key = _note if notes else _chunk
        return [(row, s) for (row, _), s in rrf_fuse([fts, vector], key=lambda p: key(p[0]), weights=[1.0, weight])]

    return fuse


def _normalized(scores: list[float], how: str) -> tuple[list[float], float]:
    """The scores normalized within their list, and the value a row missing from the list gets."""
    if not scores:
        return [], 0.0
    if how == "minmax":
        lo, hi = min(scores), max(scores)
        return [(s - lo) / (hi - lo) if hi > lo else 1.0 for s in scores], 0.0
    mu, sigma = mean(scores), pstdev(scores) or 1.0
    z = [(s - mu) / sigma for s in scores]
    return z, min(z)


def convex(alpha: float, notes: bool = True, how: str = "minmax") -> Callable[[Ranked, Ranked], Ranked]:
    """Convex combination ``alpha * vector + (1 - alpha) * bm25`` of scores normalized per list (``how``)."""

    def fuse(fts: Ranked, vector: Ranked) -> Ranked:
        if notes:
            fts, vector = _per_note(fts), _per_note(vector)
        key = _note if notes else _chunk
        f, f_missing = _normalized([s for _, s in fts], how)
        v, v_missing = _normalized([s for _, s in vector], how)
        rows: dict = {}
        parts: dict = {}
        for (row, _), n in zip(vector, v):
            rows.setdefault(key(row), row)
            parts.setdefault(key(row), [f_missing, v_missing])[1] = n
        for (row, _), n in zip(fts, f):
            rows.setdefault(key(row), row)
            parts.setdefault(key(row), [f_missing, v_missing])[0] = n
        scored = [(rows[k], (1 - alpha) * b + alpha * c) for k, (b, c) in parts.items()]
        return sorted(scored, key=lambda pair: -pair[1])

    return fuse


def adaptive(low: float, high: float, peak: float, how: str = "minmax") -> Callable[[Ranked, Ranked], Ranked]:
    """Query-dependent weight: vector weight ``low`` when the best BM25 score stands out (its z-score within the
    BM25 list is ``peak`` or more: a rare exact term), ``high`` otherwise (a paraphrase)."""

    def fuse(fts: Ranked, vector: Ranked) -> Ranked:
        scores = [s for _, s in fts]
        z = (scores[0] - mean(scores)) / (pstdev(scores) or 1.0) if len(scores) > 1 else 0.0
        return convex(low if z >= peak else high, notes=False, how=how)(fts, vector)

    return fuse


def aggregated(fusion: Callable[[Ranked, Ranked], Ranked], beta: float) -> Callable[[Ranked, Ranked], Ranked]:
    """Chunk-to-note aggregation: a note scores its best chunk plus ``beta`` times the sum of its other chunks'
    scores in the fused list (several matching chunks help); one row per note (its best chunk)."""

    def fuse(fts: Ranked, vector: Ranked) -> Ranked:
        best: dict[str, list] = {}
        for row, score in fusion(fts, vector):
            entry = best.setdefault(row["path"], [row, score, 0.0])
            if entry[0] is not row:
                entry[2] += max(score, 0.0)
        return sorted(((row, top + beta * rest) for row, top, rest in best.values()), key=lambda p: -p[1])

    return fuse


def candidates() -> dict[str, dict]:
    """``{name: search_notes options}``: the halves, the old and new defaults and the candidates measured."""
    from functools import partial

    from journal_agent.archive.search import fuse_convex, fuse_rrf

    out: dict[str, dict] = {
        "fts": {"mode": "fts"},
        "vector": {"mode": "vector"},
        "old default (chunk RRF 1:1)": {"mode": "hybrid", "fusion": fuse_rrf},
        "**new default (chunk min-max, vector 0.7)**": {"mode": "hybrid"},
    }
    for w in (2.0, 3.0):
        out[f"chunk RRF 1:{w:g}"] = {"mode": "hybrid", "fusion": rrf(w)}
    out["note RRF 1:1"] = {"mode": "hybrid", "fusion": rrf(1.0, notes=True)}
    for a in (0.5, 0.6, 0.65, 0.75, 0.8):
        out[f"chunk min-max, vector {a}"] = {"mode": "hybrid", "fusion": partial(fuse_convex, share=a)}
    out["chunk z-score, vector 0.7"] = {"mode": "hybrid", "fusion": convex(0.7, notes=False, how="z")}
    out["note min-max, vector 0.7"] = {"mode": "hybrid", "fusion": convex(0.7)}
    out["vector 0.5 if BM25 peak z>=3 else 0.7"] = {"mode": "hybrid", "fusion": adaptive(0.5, 0.7, 3.0)}
    for beta in (0.05, 0.1, 0.2):
        out[f"new default + {beta:g}×other chunks"] = {"mode": "hybrid", "fusion": aggregated(fuse_convex, beta)}
    for name in ("fts", "vector", "old default (chunk RRF 1:1)", "**new default (chunk min-max, vector 0.7)**"):
        out[f"{name.strip('*')}, no day/time handling"] = out[name] | {"time_mode": "off"}
    return out


def _target(q: dict) -> set[str]:
    return set(q["expect"]) if "expect" in q else {f"notes/{q['corpus']}/{q['path']}"}


def ranks_for(journal, archive, questions: list[dict], options: dict) -> list[int | None]:
    from journal_agent.archive.search import search_notes

    out = []
    for q in questions:
        today = dt.date.fromisoformat(q["today"]) if "today" in q else None
        found = search_notes(journal, q["question"], limit=10, archive=archive, today=today, **options)
        out.append(first_rank(found.notes, _target(q)))
    return out


def by_kind(questions: list[dict], ranks: list[int | None]) -> dict[str, dict]:
    kinds = sorted({q["kind"] for q in questions})
    return {"all": summarize(ranks)} | {k: summarize([r for q, r in zip(questions, ranks) if q["kind"] == k])
                                        for k in kinds}


def format_table(rows: dict[str, dict[str, dict]]) -> str:
    """One line per configuration: overall Hit@1/Hit@5/MRR@10, then Hit@1/Hit@5 per kind."""
    kinds = [k for k in next(iter(rows.values())) if k != "all"]
    head = "| configuration | Hit@1 | Hit@5 | MRR@10 | " + " | ".join(f"{k} (n={next(iter(rows.values()))[k]['n']}) "
                                                               "H@1 / H@5" for k in kinds) + " |"
    lines = [head, "|---" * (4 + len(kinds)) + "|"]
    for name, table in rows.items():
        a = table["all"]
        cells = [f"{table[k]['Hit@1']:.3f} / {table[k]['Hit@5']:.3f}" for k in kinds]
        overall = f"| {name} | {a['Hit@1']:.3f} | {a['Hit@5']:.3f} | {a['MRR@10']:.3f} | "
        lines.append(overall + " | ".join(cells) + " |")
    return "\n".join(lines)


def journals(til: Path, learner: Path) -> dict[str, Path]:
    """The TIL, learner and learner+TIL journals, built when missing (the TIL one takes minutes: MiniLM)."""
    from benchmarks.corpora import make_journal
    from benchmarks.learner import JOURNAL, SEED, make_learner_journal
    from journal_agent.archive.ingest import ingest
    from journal_agent.workspace import open_journal

    if not (til / ".journal").exists():
        make_journal(til)
        ingest(open_journal(root=til))
    alone, mixed = learner / "learner", learner / "learner+til"
    if not (alone / ".journal").exists():
        make_learner_journal(alone)
        ingest(open_journal(root=alone))
    if not (mixed / ".journal").exists():
        shutil.copytree(til, mixed)
        for source in [SEED, *sorted(JOURNAL.glob("*.markdown"))]:
            shutil.copy(source, mixed / "notes" / source.name)
        ingest(open_journal(root=mixed))
    return {"til": til, "learner": alone, "learner+til": mixed}


def run(til: Path, learner: Path, configs: dict[str, dict] | None = None) -> dict[str, dict[str, dict]]:
    """``{set: {configuration: {kind: metrics}}}`` over every question set."""
    from benchmarks import learner as learner_bench
    from benchmarks import quality_til
    from journal_agent.archive.store import Archive
    from journal_agent.workspace import open_journal

    configs = configs or candidates()
    paths = journals(til, learner)
    learner_qs = [q for q in learner_bench.load_questions() if q["kind"] in learner_bench.KINDS]
    sets = {
        "original": ("til", quality_til.load_questions(quality_til.QUESTIONS)),
        "paraphrased": ("til", quality_til.load_questions(quality_til.PARAPHRASES)),
        "hard": ("til", quality_til.load_questions(HARD)),
        "learner": ("learner", learner_qs),
        "learner+til": ("learner+til", learner_qs),
    }
    opened = {}
    out: dict[str, dict[str, dict]] = {}
    for set_name, (where, questions) in sets.items():
        if where not in opened:
            journal = open_journal(root=paths[where])
            opened[where] = (journal, CachedArchive(Archive.open(journal)))
        journal, archive = opened[where]
        out[set_name] = {name: by_kind(questions, ranks_for(journal, archive, questions, options))
                         for name, options in configs.items()}
        out[set_name][BM25S] = by_kind(questions, bm25s_ranks(journal, questions))
    return out


BM25S = "bm25s baseline (whole notes, no day/time handling)"


def bm25s_ranks(journal, questions: list[dict]) -> list[int | None]:
    """The BM25 baseline of the other benchmarks (bm25s over whole note files), on any question set."""
    from benchmarks.learner import bm25s_rankings

    return [first_rank(ranked, _target(q)) for q, ranked in zip(questions, bm25s_rankings(journal, questions))]


SHOWN = ("fts", "vector", "old default (chunk RRF 1:1)", "**new default (chunk min-max, vector 0.7)**", BM25S)


def report(results: dict[str, dict[str, dict]]) -> str:
    """The RESULTS.md section: per set, the halves, old and new default and BM25 by kind; then every candidate."""
    intro = {
        "original": "benchmarks/til_questions.jsonl, 60 questions over both TIL corpora (2,448 notes)",
        "paraphrased": "benchmarks/til_paraphrases.jsonl, the same 60 notes asked in other words",
        "hard": ("benchmarks/til_hard_questions.jsonl, 40 questions written for issue 23 before any run: answer "
                 "in the middle of a long note, paraphrases avoiding the note's words, a topic and a time"),
        "learner": "benchmarks/learner_questions.jsonl, 37 search questions over the learner journal (10 notes)",
        "learner+til": "the same 37 questions with the learner's notes among the 2,448 TIL notes",
    }
    parts = ["## Hybrid fusion by kind (issue 23)", "",
             ("`python -m benchmarks.ranking --write` (TIL journal of `python -m benchmarks.quality_til`, built "
              "once; BM25 and vector rows cached per query so every configuration ranks the same rows). Every "
              "row runs the whole `search_notes` pipeline with the default day/time handling unless it says "
              "otherwise; `fts` and `vector` are `journal search --mode fts|vector`. Cells per kind are "
              "Hit@1 / Hit@5."), ""]
    for set_name, rows in results.items():
        parts += [f"**{set_name}**: {intro.get(set_name, set_name)}.", "",
                  format_table({name: rows[name] for name in SHOWN + tuple(
                      n for n in rows if n.endswith("no day/time handling") and n != BM25S)}), ""]
    parts += [("Chosen: the convex combination of min-max normalized scores, vector share 0.7 "
               "(`archive/search.py` `fuse_convex`, Bruch et al., ACM TOIS 2023), the new hybrid default: with the "
               "default day/time handling it is at or above the old default and each half overall on every set "
               "(paraphrased Hit@1 0.883 → 0.950, hard 0.800 → 0.825, the others equal). Where it is not the "
               "best of its halves by kind: one dated original question (q43, Postgres JSON in April 2021) fts "
               "puts first and the default second (dated Hit@1 0.926 vs fts 0.963, as the old default). Without "
               "day/time handling it drops two dated original questions out of the top 5 that equal-weight RRF "
               "kept (Hit@5 0.950 vs 0.983, as vector alone); the default pipeline applies the month and finds "
               "them. The held-out TIL questions of issue 23 were not available here: their targets (Hit@1 ≥ "
               "0.90, Hit@5 ≥ 0.98, MRR@10 ≥ 0.93, paraphrase Hit@5 ≥ 0.95) are met on original and "
               "paraphrased, not on the harder set (0.825 / 0.925 / 0.858; its paraphrases Hit@5 0.786)."), "",
              "Every candidate measured (hybrid, default day/time handling), Hit@1 / Hit@5 / MRR@10:", "",
              "| candidate | " + " | ".join(results) + " |", "|---" * (1 + len(results)) + "|"]
    for name in next(iter(results.values())):
        if name in SHOWN[:2] or name == BM25S or name.endswith("no day/time handling"):
            continue
        cells = [" / ".join(f"{rows[name]['all'][m]:.3f}" for m in ("Hit@1", "Hit@5", "MRR@10"))
                 for rows in results.values()]
        parts.append(f"| {name} | " + " | ".join(cells) + " |")
    return "\n".join(parts) + "\n"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--til", type=Path, default=REPO / "benchmarks" / ".work" / "til")
    parser.add_argument("--learner", type=Path, default=REPO / "benchmarks" / ".work" / "ranking")
    parser.add_argument("--write", action="store_true", help="replace the section in benchmarks/RESULTS.md")
    args = parser.parse_args()
    results = run(args.til, args.learner)
    for set_name, rows in results.items():
        print(f"\n{set_name}:\n{format_table(rows)}")
    if args.write:
        from benchmarks.results import write_section

        write_section(report(results))


if __name__ == "__main__":
    main()
