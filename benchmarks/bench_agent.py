"""Agent overhead: non-LLM time per step and context tokens per question.

Builds (once, cached under ``benchmarks/.work/agent``) a journal from the
learner's seed note plus a subset of ``../shared/corpora/simonw-til`` (dated
from its manifest), ingests it with the default MiniLM embeddings, then asks
TIL questions from ``til_questions.jsonl`` through the real agent against the
rule-driven local OpenAI-compatible server of ``tests/support/openai_server.py`` (archival search,
then an answer citing the first note found).

Non-LLM time of a step = the step's wall time minus the time spent inside the
HTTP calls to the model server (``Step.llm_seconds``): context assembly,
token counting, tool execution (query embedding + LanceDB hybrid search),
recall-memory writes. Context tokens = the prompt tokens counted for the
largest request of the question (messages + tool schemas).

Run: ``python benchmarks/bench_agent.py`` (prints JSON and a summary).
"""

from __future__ import annotations

import json
import os
import shutil
import statistics
import sys
import time
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
sys.path[:0] = [str(REPO), str(REPO / "benchmarks")]

SEED = REPO / "notes" / "2025-09-18-momentum-learning-day-2.markdown"
QUESTIONS = REPO / "benchmarks" / "til_questions.jsonl"
N_QUESTIONS = 8
DISTRACTORS = 16  # first manifest rows added besides the questions' own notes


def _questions() -> list[dict]:
    rows = [json.loads(line) for line in QUESTIONS.read_text(encoding="utf-8").splitlines() if line.strip()]
    return [r for r in rows if r["corpus"] == "simonw-til"][:N_QUESTIONS]


def build_journal(root: Path) -> Path:
    """Seed + the questions' notes + distractors, dated from the manifest (reused when present)."""
    from corpora import CORPORA, manifest

    from journal_agent.config import default_toml

    if (root / "journal.toml").exists():
        return root
    (root / "notes" / "til").mkdir(parents=True, exist_ok=True)
    (root / "journal.toml").write_text(default_toml(series="Momentum Learning"), encoding="utf-8")
    shutil.copy2(SEED, root / "notes" / SEED.name)
    wanted = {q["path"] for q in _questions()}
    rows = manifest("simonw-til")
    chosen = [r for r in rows if r["path"] in wanted] + [r for r in rows[:DISTRACTORS] if r["path"] not in wanted]
    for row in chosen:
        target = root / "notes" / "til" / row["path"]
        target.parent.mkdir(parents=True, exist_ok=True)
        body = (CORPORA / "simonw-til" / row["path"]).read_text(encoding="utf-8")
        target.write_text(f"---\ndate: {row['created'][:10]}\n---\n{body}", encoding="utf-8")
    return root


def run(work_dir: Path) -> dict:
    """Build/ingest the journal under ``work_dir``, ask the questions, return the measurements.

    Returns:
        ``{"notes", "chunks", "questions", "steps", "non_llm_ms_per_step": {median, p90, max,
        by_step}, "non_llm_ms_per_question": {median, max}, "context_tokens_per_question":
        {median, max, values}, "cold_first_step_ms", "cited_expected_note"}``.
    """
    from journal_agent.agent.loop import Agent
    from journal_agent.archive.ingest import ingest
    from journal_agent.workspace import open_journal
    from tests.support.openai_server import FakeOpenAI, rule_responder

    root = build_journal(Path(work_dir) / "journal")
    journal = open_journal(root=root)
    started = time.perf_counter()
    ingest(journal)
    ingest_seconds = time.perf_counter() - started
    for name in ("recall.sqlite3", "recall.sqlite3-wal", "recall.sqlite3-shm", "core_memory.json"):
        (journal.state_dir / name).unlink(missing_ok=True)  # a fresh conversation each run

    questions = _questions()
    per_step: dict[int, list[float]] = {}
    per_question, tokens, cited = [], [], 0
    cold = None
    env_before = {k: os.environ.get(k) for k in ("OPENAI_BASE_URL", "OPENAI_API_KEY")}
    with FakeOpenAI(rule_responder) as server:
        os.environ["OPENAI_BASE_URL"] = server.base_url
        os.environ["OPENAI_API_KEY"] = "sk-bench-dummy"
        try:
            agent = Agent(journal)
            warm = agent.ask("Which course did I start about agent memory?")  # loads models, opens the store
            cold = warm.steps[0].non_llm_seconds * 1000
            for q in questions:
                t0 = time.perf_counter()
                turn = agent.ask(q["question"])
                wall = time.perf_counter() - t0
                llm = sum(s.llm_seconds for s in turn.steps)
                per_question.append((wall - llm) * 1000)
                tokens.append(max(s.context_tokens for s in turn.steps))
                for s in turn.steps:
                    per_step.setdefault(s.number, []).append(s.non_llm_seconds * 1000)
                cited += any(src.path.endswith(q["path"]) for src in turn.sources)
            agent.close()
        finally:
            for key, value in env_before.items():
                if value is None:
                    os.environ.pop(key, None)
                else:
                    os.environ[key] = value
    from journal_agent.archive.store import Archive

    stats = Archive.open(journal).stats()
    all_steps = sorted(v for values in per_step.values() for v in values)
    return {
        "notes": stats.notes,
        "chunks": stats.chunks,
        "ingest_seconds": round(ingest_seconds, 1),
        "questions": len(questions),
        "steps": len(all_steps),
        "cold_first_step_ms": round(cold, 1),
        "non_llm_ms_per_step": {
            "median": round(statistics.median(all_steps), 1),
            "p90": round(all_steps[int(0.9 * (len(all_steps) - 1))], 1),
            "max": round(all_steps[-1], 1),
            "by_step": {n: round(statistics.median(v), 1) for n, v in sorted(per_step.items())},
        },
        "non_llm_ms_per_question": {"median": round(statistics.median(per_question), 1),
                                    "max": round(max(per_question), 1)},
        "context_tokens_per_question": {"median": statistics.median(tokens), "max": max(tokens),
                                        "values": tokens},
        "budget_tokens": journal.config.agent.context_tokens,
        "cited_expected_note": f"{cited}/{len(questions)}",
        "encoding": agent.counter.encoding_name,
    }


if __name__ == "__main__":
    result = run(REPO / "benchmarks" / ".work" / "agent")
    print(json.dumps(result, indent=2))
    steps = result["non_llm_ms_per_step"]
    print(f"\n{result['notes']} notes / {result['chunks']} chunks; {result['questions']} questions, "
          f"{result['steps']} steps")
    print(f"non-LLM time per step: median {steps['median']} ms (p90 {steps['p90']}, max {steps['max']}); "
          f"by step number {steps['by_step']}")
    ctx = result["context_tokens_per_question"]
    print(f"context tokens per question: median {ctx['median']}, max {ctx['max']} "
          f"(budget {result['budget_tokens']}); cited the expected note {result['cited_expected_note']}")
