"""Lean context: prompt tokens of every agent step on the learner's kind of questions (issue 13).

Builds a journal from the learner journal in ``benchmarks/learner_journal`` plus the
seed note in ``notes/`` (10 notes, default MiniLM embeddings), then asks every
question of ``benchmarks/learner_questions.jsonl`` as ``journal ask`` does (a fresh
conversation each) through the real agent against the rule-driven local
OpenAI-compatible server of ``tests/support/openai_server.py`` (archival search,
then an answer citing the first note found). The tokens of each request the server
*received* (messages + tool schemas, counted with the agent's own tokenizer) are
measured, split into the fixed part (system prompt and schemas) and the rest.

Run: ``python -m benchmarks.bench_context [--json]``.
"""

from __future__ import annotations

import json
import os
import shutil
import statistics
import sys
import tempfile
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
LIMIT = 2500  # issue 13: no step sends more than this many prompt tokens at default settings


def build_journal(root: Path) -> Path:
    """The learner journal (Days 1, 3-9, weekly review) + the repo's seed note (Day 2)."""
    from journal_agent.config import default_toml

    (root / "notes").mkdir(parents=True, exist_ok=True)
    (root / "journal.toml").write_text(default_toml(), encoding="utf-8")
    for note in (REPO / "benchmarks" / "learner_journal").iterdir():
        shutil.copy2(note, root / "notes" / note.name)
    for note in (REPO / "notes").iterdir():
        shutil.copy2(note, root / "notes" / note.name)
    return root


def run() -> dict:
    """Ask every learner question; return per-step token figures (see module doc)."""
    from journal_agent.agent.context import TokenCounter
    from journal_agent.agent.loop import Agent
    from journal_agent.archive.ingest import ingest
    from journal_agent.workspace import open_journal
    from tests.support.openai_server import FakeOpenAI, rule_responder

    questions = [json.loads(line) for line in (REPO / "benchmarks" / "learner_questions.jsonl")
                 .read_text(encoding="utf-8").splitlines() if line.strip()]
    work = Path(tempfile.mkdtemp(prefix="bench-context-"))
    journal = open_journal(root=build_journal(work / "journal"))
    ingest(journal)
    saved = {k: os.environ.get(k) for k in ("OPENAI_BASE_URL", "OPENAI_API_KEY")}
    per_step: list[int] = []
    fixed: list[int] = []
    steps_per_question: list[int] = []
    cited = 0
    try:
        with FakeOpenAI(rule_responder) as server:
            os.environ["OPENAI_BASE_URL"], os.environ["OPENAI_API_KEY"] = server.base_url, "sk-bench"
            for question in questions:
                before = len(server.requests)
                agent = Agent(journal)  # a fresh conversation, as `journal ask` starts
                counter = TokenCounter(agent.model)
                turn = agent.ask(question["question"])
                agent.close()
                cited += any(src.path in question.get("expect", []) for src in turn.sources)
                requests = [r for r in server.requests[before:] if r.get("tools")]
                steps_per_question.append(len(requests))
                for body in requests:
                    schemas = counter.count(json.dumps(body["tools"]))
                    system = counter.count_messages([m for m in body["messages"] if m["role"] == "system"])
                    per_step.append(counter.count_messages(body["messages"]) + schemas)
                    fixed.append(system + schemas)
    finally:
        for key, value in saved.items():
            os.environ.pop(key, None) if value is None else os.environ.__setitem__(key, value)
        shutil.rmtree(work, ignore_errors=True)
    ordered = sorted(per_step)
    return {
        "questions": len(questions), "steps": len(per_step),
        "prompt_tokens_per_step": {"median": statistics.median(ordered),
                                   "p90": ordered[int(0.9 * (len(ordered) - 1))], "max": ordered[-1]},
        "fixed_tokens_per_step": {"median": statistics.median(fixed), "max": max(fixed)},
        "steps_over_limit": sum(n > LIMIT for n in per_step), "limit": LIMIT,
        "cited_expected_note": f"{cited}/{len(questions)}",
        "encoding": counter.encoding_name,
    }


def main() -> None:
    result = run()
    if "--json" in sys.argv:
        print(json.dumps(result))
        return
    tokens, fixed = result["prompt_tokens_per_step"], result["fixed_tokens_per_step"]
    print("| measure | value |\n|---|---|")
    print(f"| questions / steps | {result['questions']} / {result['steps']} |")
    print(f"| prompt tokens per step (median / p90 / max) | {tokens['median']} / {tokens['p90']} / {tokens['max']} |")
    print(f"| of which system prompt + tool schemas (median) | {fixed['median']} |")
    print(f"| steps over {result['limit']} tokens | {result['steps_over_limit']} |")
    print(f"| answers citing an expected note | {result['cited_expected_note']} |")
    print(f"| tokenizer | {result['encoding']} |")


if __name__ == "__main__":
    sys.path.insert(0, str(REPO))
    main()
