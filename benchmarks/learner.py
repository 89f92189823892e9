"""Retrieval quality on a learner's own journal: "Day N", date, week, topic and streak questions.

Builds a journal from benchmarks/learner_journal/ (Days 1, 3-9 and a weekly
review, September 2025, in the learner's Jekyll form) plus the repository's
seed note (Day 2), ingests it with the configured embedder (MiniLM by
default), and asks benchmarks/learner_questions.jsonl with a fixed "today"
per question. Search questions are scored by the rank of the first expected
note (Hit@1/5, MRR@10); week questions, which name several notes, also by
coverage@5 (the share of the expected notes, at most 5, that are in the top
5). Streak questions are checked against ``journal_stats`` on the journal and
on a copy without Day 5 (a gap). ``--with-til DIR`` also asks the search
questions in a copy of an ingested TIL benchmark journal (``python -m
benchmarks.quality_til`` builds one in benchmarks/.work/til) with the learner's
notes added: 2,458 notes, some of them TIL notes dated on the same September
days.

    python -m benchmarks.learner [--work DIR] [--reuse] [--with-til benchmarks/.work/til]
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import shutil
from pathlib import Path

from benchmarks.corpora import REPO
from benchmarks.metrics import first_rank, summarize

JOURNAL = REPO / "benchmarks" / "learner_journal"
SEED = REPO / "notes" / "2025-09-18-momentum-learning-day-2.markdown"
QUESTIONS = REPO / "benchmarks" / "learner_questions.jsonl"
GAP_NOTE = "2025-09-21-momentum-learning-day-5.markdown"  # left out of the "gap" journal
CONFIGS = {
    "fts, no day/time handling": {"mode": "fts", "time_mode": "off"},
    "hybrid, no day/time handling": {"mode": "hybrid", "time_mode": "off"},
    "hybrid, every window boosted": {"mode": "hybrid", "time_mode": "boost"},
    "hybrid, every window first": {"mode": "hybrid", "time_mode": "filter"},
    "hybrid, per kind (default)": {"mode": "hybrid", "time_mode": "auto"},
    "fts, per kind": {"mode": "fts", "time_mode": "auto"},
}
KINDS = ("day", "date", "week", "topic")
RELATIVE = "relative"  # issue 18: windows around an event, the challenge's calendar, relative to today; own table
RELATIVE_CONFIGS = {name: CONFIGS[name] for name in ("hybrid, no day/time handling", "hybrid, per kind (default)",
                                                     "fts, per kind")}


def load_questions(path: Path = QUESTIONS) -> list[dict]:
    with open(path, encoding="utf-8") as handle:
        return [json.loads(line) for line in handle if line.strip()]


def make_learner_journal(folder: Path, *, without: str | None = None, embedding_base_url: str | None = None) -> Path:
    """A fresh journal at ``folder`` holding the learner notes (minus ``without``)."""
    from journal_agent.config import default_toml

    if folder.exists():
        shutil.rmtree(folder)
    (folder / "notes").mkdir(parents=True)
    toml = default_toml(series="Momentum Learning")
    if embedding_base_url:
        from tests.support.journals import use_embedding_server

        toml = use_embedding_server(toml, embedding_base_url)
    (folder / "journal.toml").write_text(toml, encoding="utf-8")
    for source in [SEED, *sorted(JOURNAL.glob("*.markdown"))]:
        if source.name != without:
            shutil.copy(source, folder / "notes" / source.name)
    return folder


def bm25s_rankings(journal, questions: list[dict], k: int = 10) -> list[list[str]]:
    """Baseline: bm25s (Lù 2024) over whole note files, English stop words, no stemming."""
    import bm25s

    from journal_agent.notes.walk import iter_note_files

    paths = list(iter_note_files([journal.notes_dir]))
    ids = [journal.relative(p) for p in paths]
    corpus = [p.read_text(encoding="utf-8") for p in paths]
    retriever = bm25s.BM25()
    retriever.index(bm25s.tokenize(corpus, stopwords="en", show_progress=False), show_progress=False)
    tokens = bm25s.tokenize([q["question"] for q in questions], stopwords="en", show_progress=False)
    results, _ = retriever.retrieve(tokens, k=min(k, len(ids)), show_progress=False)
    return [[ids[i] for i in row] for row in results]


def score(questions: list[dict], rankings: list[list[str]]) -> dict:
    """Per kind and overall: Hit@1/5, MRR@10; week coverage@5; "Day N first" count."""
    ranks = [first_rank(ranked, set(q["expect"])) for q, ranked in zip(questions, rankings)]
    table = {"all": summarize(ranks)}
    for kind in KINDS:
        table[kind] = summarize([r for q, r in zip(questions, ranks) if q["kind"] == kind])
    weeks = [(q, ranked) for q, ranked in zip(questions, rankings) if q["kind"] == "week"]
    table["week coverage@5"] = (sum(len(set(r[:5]) & set(q["expect"])) / min(5, len(q["expect"]))
                                    for q, r in weeks) / len(weeks)) if weeks else float("nan")
    day_qs = [r for q, r in zip(questions, ranks) if q["kind"] == "day"]
    table["day N first"] = f"{sum(1 for r in day_qs if r == 1)}/{len(day_qs)}"
    table["misses@1"] = [q["id"] for q, r in zip(questions, ranks) if r != 1]
    return table


def note_ranking(paths: list[str]) -> list[str]:
    """Note paths in rank order, each once: ``SearchResults.notes`` names a note once per entry that matched
    (a single-file log's sections), and the questions here expect notes, so a note counts at its best rank
    and its other entries do not push the next note down (note-level Hit@k, MRR, coverage)."""
    return list(dict.fromkeys(paths))


def evaluate(journal, questions: list[dict], configs=CONFIGS) -> dict[str, dict]:
    from journal_agent.archive.search import search_notes
    from journal_agent.archive.store import Archive

    archive = Archive.open(journal)
    table = {}
    for name, options in configs.items():
        rankings = []
        for q in questions:
            today = dt.date.fromisoformat(q["today"])
            found = search_notes(journal, q["question"], limit=10, archive=archive, today=today, **options)
            rankings.append(note_ranking(found.notes))
        table[name] = score(questions, rankings)
    try:
        table["bm25s baseline (whole notes)"] = score(questions, bm25s_rankings(journal, questions))
    except ImportError:
        pass
    return table


def evaluate_relative(journal, questions: list[dict], configs=RELATIVE_CONFIGS) -> dict[str, dict]:
    """The ``relative`` questions, scored apart from the other kinds so their table stays comparable.

    A question with ``"empty": true`` names a window holding no entry: it counts only when the search says so
    (``SearchResults.empty``) and offers an expected nearest entry, so its ranks are taken from
    ``nearest + hits``; questions naming several notes (a week, "my first three days") are also scored by
    coverage@5 like the week kind. Per configuration: ``{"all": summarize, "coverage@5", "misses@1",
    "first": {id: first note path or None}, "understood": {id: what search read}}``."""
    from journal_agent.archive.search import search_notes
    from journal_agent.archive.store import Archive

    archive = Archive.open(journal)
    table = {}
    for name, options in configs.items():
        ranks, covered, first, understood = [], [], {}, {}
        for q in questions:
            found = search_notes(journal, q["question"], limit=10, archive=archive,
                                 today=dt.date.fromisoformat(q["today"]), **options)
            ranking = note_ranking(found.notes)
            if q.get("empty"):
                ranking = note_ranking([hit.path for hit in found.nearest] + found.notes) if found.empty else []
            ranks.append(first_rank(ranking, set(q["expect"])))
            if len(q["expect"]) > 1:
                covered.append(len(set(ranking[:5]) & set(q["expect"])) / min(5, len(q["expect"])))
            first[q["id"]] = ranking[0] if ranking else None
            window = f"{found.window.since}..{found.window.until}" if found.window else None
            understood[q["id"]] = {"window": window, "day": found.day, "day_range": found.day_range,
                                   "event": found.event.path if found.event else None, "empty": found.empty}
        table[name] = {"all": summarize(ranks), "coverage@5": sum(covered) / len(covered) if covered else float("nan"),
                       "misses@1": [q["id"] for q, r in zip(questions, ranks) if r != 1],
                       "first": first, "understood": understood}
    return table


def format_relative(table: dict[str, dict], questions: list[dict]) -> str:
    """The relative questions' table and, for the default configuration, the first note per question."""
    lines = ["| configuration | Hit@1 | Hit@5 | MRR@10 | coverage@5 (several notes) | misses@1 |",
             "|---|---|---|---|---|---|"]
    for name, row in table.items():
        a = row["all"]
        lines.append(f"| {name} | {a['Hit@1']:.3f} | {a['Hit@5']:.3f} | {a['MRR@10']:.3f} | "
                     f"{row['coverage@5']:.3f} | {', '.join(row['misses@1']) or '-'} |")
    default = next((row for name, row in table.items() if "default" in name), None)
    if default is not None:
        lines += ["", "| id | question | expected | first (default) | ok |", "|---|---|---|---|---|"]
        for q in questions:
            got = default["first"][q["id"]]
            short = (lambda path: Path(path).stem.replace("2025-09-", "").replace("-momentum-learning", "")
                     if path else "none")
            want = ", ".join(short(path) for path in q["expect"]) + (" (empty)" if q.get("empty") else "")
            lines.append(f"| {q['id']} | {q['question']} | {want} | {short(got)} | "
                         f"{'yes' if got in q['expect'] else 'no'} |")
    return "\n".join(lines)


def check_streaks(questions: list[dict], journals: dict[str, object]) -> list[tuple[str, str, bool]]:
    """``(question id, what was checked, passed)`` for every streak question."""
    from journal_agent.notes.stats import journal_stats

    out = []
    for q in questions:
        stats = journal_stats(journals[q["journal"]], today=dt.date.fromisoformat(q["today"]))
        for key, want in q["expect_stats"].items():
            got = len(stats.gaps) if key == "gaps" else getattr(stats, key).days
            out.append((q["id"], f"{key} = {got} (want {want})", got == want))
    return out


def format_table(table: dict[str, dict]) -> str:
    lines = [("| configuration | Hit@1 | Hit@5 | MRR@10 | day Hit@1 | date Hit@1 | week Hit@1 | week cov@5 "
              "| topic Hit@1 | Day N first |"),
             "|---|---|---|---|---|---|---|---|---|---|"]
    for name, row in table.items():
        a = row["all"]
        lines.append(f"| {name} | {a['Hit@1']:.3f} | {a['Hit@5']:.3f} | {a['MRR@10']:.3f} | "
                     f"{row['day']['Hit@1']:.3f} | {row['date']['Hit@1']:.3f} | {row['week']['Hit@1']:.3f} | "
                     f"{row['week coverage@5']:.3f} | "
                     f"{row['topic']['Hit@1']:.3f} | {row['day N first']} |")
    return "\n".join(lines)


def run(work: Path, *, reuse: bool = False, with_til: Path | None = None) -> dict:
    """Build (or reuse) the journals under ``work`` and ask every question.

    Returns ``{"table", "with_til" (table or None), "misses", "streaks": [(id, check, ok)], "counts",
    "relative", "relative_with_til" (:func:`evaluate_relative` tables or None), "relative_questions"}``.
    """
    from journal_agent.archive.ingest import ingest
    from journal_agent.workspace import open_journal

    full, gap = work / "full", work / "gap"
    if not (reuse and (full / ".journal").exists()):
        make_learner_journal(full)
        ingest(open_journal(root=full))
    make_learner_journal(gap, without=GAP_NOTE)
    questions = load_questions()
    search_qs = [q for q in questions if q["kind"] in KINDS]
    table = evaluate(open_journal(root=full), search_qs)
    relative_qs = [q for q in questions if q["kind"] == RELATIVE]
    relative = evaluate_relative(open_journal(root=full), relative_qs) if relative_qs else None
    mixed_table = mixed_relative = None
    if with_til is not None:
        mixed = work / "with-til"
        if mixed.exists():
            shutil.rmtree(mixed)
        shutil.copytree(with_til, mixed)
        for source in [SEED, *sorted(JOURNAL.glob("*.markdown"))]:
            shutil.copy(source, mixed / "notes" / source.name)
        ingest(open_journal(root=mixed))
        mixed_table = evaluate(open_journal(root=mixed), search_qs)
        # an "empty" window of the learner's own journal may hold TIL notes here (r26, r28 do): not scored
        mixed_relative = evaluate_relative(open_journal(root=mixed), [q for q in relative_qs if not q.get("empty")]) \
            if relative_qs else None
    checks = check_streaks([q for q in questions if q["kind"] == "streak"],
                           {"full": open_journal(root=full), "gap": open_journal(root=gap)})
    counts = ", ".join(f"{sum(q['kind'] == k for q in search_qs)} {k}" for k in KINDS)
    return {"table": table, "with_til": mixed_table, "streaks": checks, "counts": counts,
            "questions": len(search_qs), "relative": relative, "relative_with_til": mixed_relative,
            "relative_questions": relative_qs}


def report(result: dict) -> str:
    """The Markdown section: the tables, the misses, the streak checks."""
    intro = (f"{result['questions']} search questions ({result['counts']}) over the learner journal "
             "(10 notes), MiniLM embeddings:")
    parts = [intro, "", format_table(result["table"])]
    misses = [f"{name}: not first for {', '.join(row['misses@1'])}" for name, row in result["table"].items()
              if row["misses@1"] and "per kind" in name]
    parts += ([""] + misses) if misses else []
    if result["with_til"] is not None:
        mixed = ("The same questions with the learner's notes among the 2,448 TIL notes (some TIL notes are "
                 "dated on the same September days):")
        parts += ["", mixed, "", format_table(result["with_til"])]
    if result.get("relative"):
        parts += ["", f"{len(result['relative_questions'])} relative questions (a window around an event, the "
                  "challenge's calendar, relative to today; an empty window must be said and its nearest entries "
                  "offered):", "", format_relative(result["relative"], result["relative_questions"])]
    if result.get("relative_with_til"):
        parts += ["", ("The relative questions among the TIL notes (the four empty-window questions left out: "
                       "TIL notes lie in some of those windows):"), "",
                  format_relative(result["relative_with_til"],
                                  [q for q in result["relative_questions"] if not q.get("empty")])]
    checks = result["streaks"]
    parts += ["", (f"Streak questions (`journal_stats`, on the journal and on a copy without Day 5): "
              f"{sum(ok for *_, ok in checks)}/{len(checks)} checks right.")]
    return "\n".join(parts)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--work", type=Path, default=REPO / "benchmarks" / ".work" / "learner")
    parser.add_argument("--reuse", action="store_true", help="keep an already ingested work journal")
    parser.add_argument("--with-til", type=Path, help="an ingested TIL benchmark journal to add the notes to (a copy)")
    args = parser.parse_args()
    result = run(args.work, reuse=args.reuse, with_til=args.with_til)
    print(report(result))
    for name, row in result["table"].items():
        if row["misses@1"]:
            print(f"{name}: not first for {', '.join(row['misses@1'])}")
    for qid, what, ok in result["streaks"]:
        print(f"  {qid} {'ok ' if ok else 'BAD'} {what}")


if __name__ == "__main__":
    main()
