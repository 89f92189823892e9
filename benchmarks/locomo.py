"""LoCoMo session retrieval (Maharana et al., ACL 2024; CC BY-NC 4.0, benchmark use only).

Each conversation session becomes a dated journal note (session date → note
date, speaker turns → body, conversation id → category) in a throwaway
journal under benchmarks/.work (git-ignored; nothing from LoCoMo is
committed). For every QA item of categories 1-4 with evidence, the question
is searched inside its conversation (category filter) and we check whether a
note of an evidence session is in the top k (recall-any, as LongMemEval's
session-level Hit@k). Category 5 (adversarial) is left out.

    python -m benchmarks.locomo [--work DIR] [--reuse]
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import re
import shutil
import time
from collections import defaultdict
from pathlib import Path

from benchmarks.corpora import CORPORA, REPO
from benchmarks.metrics import first_rank, summarize

LOCOMO = CORPORA / "locomo" / "locomo10.json"
CATEGORIES = {1: "multi-hop", 2: "temporal", 3: "open-domain", 4: "single-hop"}
CONFIGS = {
    "fts": {"mode": "fts", "time_mode": "off"},
    "vector": {"mode": "vector", "time_mode": "off"},
    "hybrid": {"mode": "hybrid", "time_mode": "off"},
    "hybrid + date parsing": {"mode": "hybrid", "time_mode": "boost"},
}


def session_date(text: str) -> dt.datetime:
    """'1:56 pm on 8 May, 2023' → datetime."""
    return dt.datetime.strptime(re.sub(r"\s+", " ", text.strip()), "%I:%M %p on %d %B, %Y")


def build_journal(folder: Path) -> tuple[Path, list[dict]]:
    """Write one note per session; return the journal folder and the QA items with relevant note paths."""
    from journal_agent.config import default_toml

    samples = json.loads(LOCOMO.read_text(encoding="utf-8"))
    if folder.exists():
        shutil.rmtree(folder)
    (folder / "notes").mkdir(parents=True)
    (folder / "journal.toml").write_text(default_toml(series="LoCoMo"), encoding="utf-8")
    items = []
    for sample in samples:
        conv, sid = sample["conversation"], sample["sample_id"]
        last = None
        for key in sorted((k for k in conv if re.fullmatch(r"session_\d+", k)), key=lambda k: int(k.split("_")[1])):
            number = int(key.split("_")[1])
            when = session_date(conv[f"{key}_date_time"])
            last = max(last or when, when)
            turns = []
            for turn in conv[key]:
                text = turn["text"]
                if turn.get("blip_caption"):
                    text += f" [shares a photo: {turn['blip_caption']}]"
                turns.append(f"**{turn['speaker']}:** {text}")
            title = f"{conv['speaker_a']} and {conv['speaker_b']}, session {number}"
            note = (f"---\ntitle: \"{title}\"\ndate: {when.date().isoformat()}\ncategories: [{sid}]\n---\n"
                    + "\n\n".join(turns) + "\n")
            (folder / "notes" / sid).mkdir(exist_ok=True)
            (folder / "notes" / sid / f"session-{number:02d}.md").write_text(note, encoding="utf-8")
        for qa in sample["qa"]:
            if qa.get("category") not in CATEGORIES or not qa.get("evidence"):
                continue
            sessions = {int(m.group(1)) for e in qa["evidence"] for m in [re.match(r"D(\d+):", e)] if m}
            if not sessions:
                continue
            items.append({
                "question": qa["question"], "category": qa["category"], "conversation": sid,
                "relevant": {f"notes/{sid}/session-{s:02d}.md" for s in sessions},
                "today": (last + dt.timedelta(days=1)).date(),
            })
    return folder, items


def bm25_ranks(journal, items: list[dict], k: int = 10) -> list[int | None]:
    """Baseline: bm25s over whole session notes, one index per conversation."""
    import bm25s

    by_conv: dict[str, list[Path]] = defaultdict(list)
    for path in sorted(journal.notes_dir.rglob("*.md")):
        by_conv[path.parent.name].append(path)
    indexes = {}
    for conv, paths in by_conv.items():
        retriever = bm25s.BM25()
        corpus = [p.read_text(encoding="utf-8") for p in paths]
        retriever.index(bm25s.tokenize(corpus, stopwords="en", show_progress=False), show_progress=False)
        indexes[conv] = (retriever, [journal.relative(p) for p in paths])
    ranks = []
    for item in items:
        retriever, ids = indexes[item["conversation"]]
        rows, _ = retriever.retrieve(bm25s.tokenize([item["question"]], stopwords="en", show_progress=False),
                                     k=min(k, len(ids)), show_progress=False)
        ranks.append(first_rank([ids[i] for i in rows[0]], item["relevant"]))
    return ranks


def evaluate(journal, items: list[dict]) -> dict[str, dict]:
    """``{config: {category name | "all": metrics}}`` plus ``ms_per_query``."""
    from journal_agent.archive.search import search_notes
    from journal_agent.archive.store import Archive

    archive = Archive.open(journal)
    results: dict[str, dict] = {}
    for name, options in CONFIGS.items():
        started = time.perf_counter()
        ranks = []
        for item in items:
            found = search_notes(journal, item["question"], limit=10, category=item["conversation"],
                                 today=item["today"], archive=archive, **options)
            ranks.append(first_rank([h.path for h in found.hits], item["relevant"]))
        results[name] = _per_category(items, ranks)
        results[name]["ms_per_query"] = (time.perf_counter() - started) / len(items) * 1000
    try:
        results["bm25s baseline"] = _per_category(items, bm25_ranks(journal, items))
    except ImportError:
        results["bm25s baseline"] = {"error": "pip install bm25s"}
    return results


def _per_category(items, ranks) -> dict:
    out = {"all": summarize(ranks)}
    for category, label in CATEGORIES.items():
        out[label] = summarize([r for it, r in zip(items, ranks) if it["category"] == category])
    return out


def format_table(results: dict[str, dict]) -> str:
    lines = ["| configuration | category | n | Hit@1 | Hit@5 | Hit@10 | MRR@10 |", "|---|---|---|---|---|---|---|"]
    for name, per in results.items():
        if "error" in per:
            lines.append(f"| {name} | {per['error']} ||||||")
            continue
        for label in ["all", *CATEGORIES.values()]:
            m = per[label]
            lines.append(f"| {name} | {label} | {m['n']} | {m['Hit@1']:.3f} | {m['Hit@5']:.3f} | "
                         f"{m['Hit@10']:.3f} | {m['MRR@10']:.3f} |")
    return "\n".join(lines)


def run(work: Path, reuse: bool = False) -> dict:
    """Build (or reuse), ingest, evaluate. Returns ``{"table": md, "results": .., "ingest_s": ..}``."""
    from journal_agent.archive.ingest import ingest
    from journal_agent.workspace import open_journal

    folder, items = build_journal(work) if not (reuse and (work / ".journal").exists()) else (work, None)
    if items is None:  # reuse: rebuild the QA list only (cheap), keep the ingested store
        tmp = work.parent / (work.name + "-qa")
        _, items = build_journal(tmp)
        shutil.rmtree(tmp)
    journal = open_journal(root=folder)
    report = ingest(journal)
    results = evaluate(journal, items)
    return {"table": format_table(results), "results": results, "ingest_s": report.seconds,
            "sessions": report.added + report.unchanged, "questions": len(items)}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--work", type=Path, default=REPO / "benchmarks" / ".work" / "locomo")
    parser.add_argument("--reuse", action="store_true")
    args = parser.parse_args()
    out = run(args.work, args.reuse)
    print(f"{out['sessions']} session notes, {out['questions']} questions; ingest {out['ingest_s']:.1f}s")
    print(out["table"])


if __name__ == "__main__":
    main()
