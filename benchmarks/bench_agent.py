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
recall-memory writes. Context tokens: the one figure of
:mod:`benchmarks.context_tokens` (prompt tokens per step as the loop counts them,
each question in a new conversation as ``journal ask`` asks it, checked against
``journal context``'s preview).

Run: ``python benchmarks/bench_agent.py [--write]`` (prints JSON and the table; ``--write`` replaces the
"Agent overhead" section of RESULTS.md through ``results.write_section``).
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
        by_step}, "non_llm_ms_per_question": {median, max}, "cold_first_step_ms", "cited_expected_note"}``
        and the context-token figures of :func:`context_tokens.summarize`.
    """
    from context_tokens import ask_measured, summarize

    from journal_agent.agent.loop import Agent
    from journal_agent.archive.ingest import ingest
    from journal_agent.archive.store import Archive
    from journal_agent.workspace import open_journal
    from tests.support.openai_server import FakeOpenAI, rule_responder

    root = build_journal(Path(work_dir) / "journal")
    journal = open_journal(root=root)
    started = time.perf_counter()
    ingest(journal)
    ingest_seconds = time.perf_counter() - started
    for name in ("recall.sqlite3", "recall.sqlite3-wal", "recall.sqlite3-shm", "core_memory.json"):
        (journal.state_dir / name).unlink(missing_ok=True)  # a fresh recall store each run

    questions = _questions()
    per_step: dict[int, list[float]] = {}
    per_question, tokens, views, cited = [], [], [], 0
    cold = None
    env_before = {k: os.environ.get(k) for k in ("OPENAI_BASE_URL", "OPENAI_API_KEY")}
    with FakeOpenAI(rule_responder) as server:
        os.environ["OPENAI_BASE_URL"] = server.base_url
        os.environ["OPENAI_API_KEY"] = "sk-bench-dummy"
        try:
            archive = Archive.open(journal)
            agent = Agent(journal, archive=archive)
            warm = agent.ask("Which course did I start about agent memory?")  # loads models, opens the store
            agent.close()
            cold = warm.steps[0].non_llm_seconds * 1000
            for q in questions:
                turn, step_tokens, view, wall = ask_measured(journal, q["question"], archive=archive)
                llm = sum(s.llm_seconds for s in turn.steps)
                per_question.append((wall - llm) * 1000)
                tokens.extend(step_tokens)
                views.append(view)
                for s in turn.steps:
                    per_step.setdefault(s.number, []).append(s.non_llm_seconds * 1000)
                cited += any(src.path.endswith(q["path"]) for src in turn.sources)
        finally:
            for key, value in env_before.items():
                if value is None:
                    os.environ.pop(key, None)
                else:
                    os.environ[key] = value
    stats = archive.stats()
    all_steps = sorted(v for values in per_step.values() for v in values)
    return {
        "notes": stats.notes,
        "chunks": stats.chunks,
        "ingest_seconds": round(ingest_seconds, 1),
        "questions": len(questions),
        "cold_first_step_ms": round(cold, 1),
        "non_llm_ms_per_step": {
            "median": round(statistics.median(all_steps), 1),
            "p90": round(all_steps[int(0.9 * (len(all_steps) - 1))], 1),
            "max": round(all_steps[-1], 1),
            "by_step": {n: round(statistics.median(v), 1) for n, v in sorted(per_step.items())},
        },
        "non_llm_ms_per_question": {"median": round(statistics.median(per_question), 1),
                                    "max": round(max(per_question), 1)},
        "cited_expected_note": f"{cited}/{len(questions)}",
        **summarize(tokens, views),
    }


def table(d: dict) -> str:
    """The "Agent overhead" table of RESULTS.md for a :func:`run` result."""
    from context_tokens import table_rows

    s, q = d["non_llm_ms_per_step"], d["non_llm_ms_per_question"]
    return ("| measure | value |\n|---|---|\n"
            f"| journal | {d['notes']} notes, {d['chunks']} chunks |\n"
            f"| questions / steps | {d['questions']} / {d['steps']} |\n"
            f"| non-LLM ms per step (median / p90 / max) | {s['median']} / {s['p90']} / {s['max']} |\n"
            f"| non-LLM ms per question (median / max) | {q['median']} / {q['max']} |\n"
            f"{table_rows(d)}\n"
            f"| first step of a fresh process (model load) ms | {d['cold_first_step_ms']} |\n"
            f"| answers citing the expected note | {d['cited_expected_note']} |\n\n"
            "Against the local rule-driven OpenAI-compatible server of tests/support/openai_server.py; each "
            "question in a new conversation, as `journal ask` asks it. Context tokens: prompt tokens of each "
            "step's request (messages + tool schemas) as the agent loop counts them for its budget, the figure "
            "`journal context` shows (benchmarks/context_tokens.py).")


if __name__ == "__main__":
    result = run(REPO / "benchmarks" / ".work" / "agent")
    print(json.dumps(result, indent=2))
    print(table(result))
    if "--write" in sys.argv:
        import datetime as dt
        import subprocess

        from results import write_section

        commit = subprocess.run(["git", "-C", str(REPO), "rev-parse", "--short", "HEAD"], capture_output=True,
                                text=True).stdout.strip()
        write_section(f"## Agent overhead\n\n{dt.datetime.now():%Y-%m-%d %H:%M}, commit {commit}. Command: "
                      f"`python benchmarks/bench_agent.py --write`.\n\n{table(result)}\n")
