"""Retrieval quality on the TIL corpora with our own question sets.

benchmarks/til_questions.jsonl (60 questions) and benchmarks/til_paraphrases.jsonl
(the same 60 targets asked in other words, written before any run). Builds a
journal from dated copies of simonw/til and jbranchaud/til, ingests it, and
ranks notes for each question with every search configuration plus a bm25s
baseline over whole notes. Prints Hit@1/5/10 and MRR@10 per configuration,
question set and kind.

    python -m benchmarks.quality_til [--work DIR] [--reuse]
"""

from __future__ import annotations

import argparse
import json
import time
from pathlib import Path

from benchmarks.corpora import REPO, make_journal
from benchmarks.metrics import first_rank, summarize

QUESTIONS = REPO / "benchmarks" / "til_questions.jsonl"
PARAPHRASES = REPO / "benchmarks" / "til_paraphrases.jsonl"
CONFIGS = {
    "fts (LanceDB BM25, no dates)": {"mode": "fts", "time_mode": "off"},
    "vector (MiniLM, no dates)": {"mode": "vector", "time_mode": "off"},
    "hybrid (no dates)": {"mode": "hybrid", "time_mode": "off"},
    "hybrid + date filter→fallback": {"mode": "hybrid", "time_mode": "filter"},
    "hybrid + date boost": {"mode": "hybrid", "time_mode": "boost"},
    "hybrid, per window kind (default)": {"mode": "hybrid", "time_mode": "auto"},
    "fts + date boost": {"mode": "fts", "time_mode": "boost"},
}


def load_questions(path: Path = QUESTIONS) -> list[dict]:
    with open(path, encoding="utf-8") as handle:
        return [json.loads(line) for line in handle if line.strip()]


WRONG_MONTH_CONFIGS = {
    "hybrid (no dates)": {"mode": "hybrid", "time_mode": "off"},
    "hybrid + date filter→fallback": {"mode": "hybrid", "time_mode": "filter"},
    "hybrid, per window kind (default)": {"mode": "hybrid", "time_mode": "auto"},
}


def with_wrong_month(questions: list[dict], shift: int = 4) -> list[dict]:
    """The dated questions that name a month, with the month moved ``shift`` months on (a misremembered date)."""
    import calendar
    import re

    names = [calendar.month_name[i] for i in range(1, 13)]
    wrong = []
    for q in questions:
        match = re.search("|".join(names), q["question"]) if q["kind"] == "dated" else None
        if match:
            moved = names[(names.index(match.group(0)) + shift) % 12]
            wrong.append({**q, "question": q["question"].replace(match.group(0), moved, 1)})
    return wrong


def bm25s_ranks(journal, questions: list[dict], k: int = 10) -> list[int | None]:
    """Baseline: bm25s (Lù 2024) over whole note files, English stop words, no stemming."""
    import bm25s

    from journal_agent.notes.walk import iter_note_files

    paths = list(iter_note_files([journal.notes_dir]))
    ids = [journal.relative(p) for p in paths]
    corpus = [p.read_text(encoding="utf-8", errors="replace") for p in paths]
    retriever = bm25s.BM25()
    retriever.index(bm25s.tokenize(corpus, stopwords="en", show_progress=False), show_progress=False)
    results, _ = retriever.retrieve(bm25s.tokenize([q["question"] for q in questions], stopwords="en",
                                                   show_progress=False), k=k, show_progress=False)
    return [first_rank([ids[i] for i in row], {_target(q)}) for row, q in zip(results, questions)]


def _target(question: dict) -> str:
    return f"notes/{question['corpus']}/{question['path']}"


def evaluate(journal, questions: list[dict], configs=CONFIGS) -> dict[str, dict]:
    """``{config: {"all": metrics, "plain": .., "dated": .., "ms_per_query": ..}}``."""
    from journal_agent.archive.search import search_notes
    from journal_agent.archive.store import Archive

    archive = Archive.open(journal)
    table: dict[str, dict] = {}
    for name, options in configs.items():
        ranks = []
        started = time.perf_counter()
        for q in questions:
            results = search_notes(journal, q["question"], limit=10, archive=archive, **options)
            ranks.append(first_rank([h.path for h in results.hits], {_target(q)}))
        elapsed = (time.perf_counter() - started) / len(questions) * 1000
        table[name] = _by_kind(questions, ranks) | {"ms_per_query": elapsed}
    if configs is CONFIGS:
        try:
            table["bm25s baseline (whole notes)"] = _by_kind(questions, bm25s_ranks(journal, questions))
        except ImportError:
            table["bm25s baseline (whole notes)"] = {"error": "pip install bm25s"}
    return table


def _by_kind(questions, ranks) -> dict:
    return {
        "all": summarize(ranks),
        "plain": summarize([r for q, r in zip(questions, ranks) if q["kind"] == "plain"]),
        "dated": summarize([r for q, r in zip(questions, ranks) if q["kind"] == "dated"]),
        "misses@5": [q["id"] for q, r in zip(questions, ranks) if r is None or r > 5],
    }


def format_table(table: dict[str, dict]) -> str:
    lines = ["| configuration | Hit@1 | Hit@5 | Hit@10 | MRR@10 | dated Hit@1 | dated Hit@5 | plain Hit@5 | ms/query |",
             "|---|---|---|---|---|---|---|---|---|"]
    for name, row in table.items():
        if "error" in row:
            lines.append(f"| {name} | {row['error']} |||||||")
            continue
        a, d, p = row["all"], row["dated"], row["plain"]
        ms = f"{row['ms_per_query']:.0f}" if "ms_per_query" in row else "–"
        lines.append(f"| {name} | {a['Hit@1']:.3f} | {a['Hit@5']:.3f} | {a['Hit@10']:.3f} | {a['MRR@10']:.3f} | "
                     f"{d['Hit@1']:.3f} | {d['Hit@5']:.3f} | {p['Hit@5']:.3f} | {ms} |")
    return "\n".join(lines)


def main() -> None:
    from journal_agent.archive.ingest import ingest
    from journal_agent.workspace import open_journal

    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--work", type=Path, default=REPO / "benchmarks" / ".work" / "til")
    parser.add_argument("--reuse", action="store_true", help="keep an already ingested work journal")
    parser.add_argument("--questions", type=Path, default=QUESTIONS)
    parser.add_argument("--paraphrases", type=Path, default=PARAPHRASES)
    args = parser.parse_args()
    if not (args.reuse and (args.work / ".journal").exists()):
        make_journal(args.work)
        journal = open_journal(root=args.work)
        report = ingest(journal)
        print(f"ingested {report.added} notes, {report.chunks_written} chunks in {report.seconds:.1f}s")
    journal = open_journal(root=args.work)
    sets = {"original": load_questions(args.questions), "paraphrased": load_questions(args.paraphrases)}
    for set_name, questions in sets.items():
        table = evaluate(journal, questions)
        print(f"\n{set_name} questions ({len(questions)}):")
        print(format_table(table))
        for name, row in table.items():
            if row.get("misses@5"):
                print(f"{name}: missed@5 {', '.join(row['misses@5'])}")
    wrong = with_wrong_month(sets["original"])
    print(f"\nThe {len(wrong)} month-naming questions with the month moved 4 months (misremembered):")
    print(format_table(evaluate(journal, wrong, WRONG_MONTH_CONFIGS)))


if __name__ == "__main__":
    main()
