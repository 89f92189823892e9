"""Lean context: prompt tokens of every agent step on the learner's kind of questions (issue 13).

Builds a journal from the learner journal in ``benchmarks/learner_journal`` plus the
seed note in ``notes/`` (10 notes, default MiniLM embeddings), then asks every
question of ``benchmarks/learner_questions.jsonl`` as ``journal ask`` does (a fresh
conversation each) through the real agent against the rule-driven local
OpenAI-compatible server of ``tests/support/openai_server.py`` (archival search,
then an answer citing the first note found). The figure is the one of
:mod:`benchmarks.context_tokens` (shared with ``bench_agent``): prompt tokens of each
step's request as the loop counts them, checked against ``journal context``'s preview,
split into the fixed part (system prompt, core memory, tool schemas) and the rest.

Run: ``python -m benchmarks.bench_context [--json] [--write]`` (``--write`` replaces the
"Lean context" section of RESULTS.md through ``results.write_section``).
"""

from __future__ import annotations

import json
import os
import shutil
import sys
import tempfile
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent


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
    """Ask every learner question; return the per-step token figures (see module doc)."""
    from benchmarks.context_tokens import ask_measured, summarize
    from journal_agent.archive.ingest import ingest
    from journal_agent.archive.store import Archive
    from journal_agent.workspace import open_journal
    from tests.support.openai_server import FakeOpenAI, rule_responder

    questions = [json.loads(line) for line in (REPO / "benchmarks" / "learner_questions.jsonl")
                 .read_text(encoding="utf-8").splitlines() if line.strip()]
    work = Path(tempfile.mkdtemp(prefix="bench-context-"))
    journal = open_journal(root=build_journal(work / "journal"))
    ingest(journal)
    saved = {k: os.environ.get(k) for k in ("OPENAI_BASE_URL", "OPENAI_API_KEY")}
    per_step: list[int] = []
    views = []
    cited = 0
    try:
        with FakeOpenAI(rule_responder) as server:
            os.environ["OPENAI_BASE_URL"], os.environ["OPENAI_API_KEY"] = server.base_url, "sk-bench"
            archive = Archive.open(journal)
            for question in questions:
                turn, tokens, view, _ = ask_measured(journal, question["question"], archive=archive)
                per_step.extend(tokens)
                views.append(view)
                cited += any(src.path in question.get("expect", []) for src in turn.sources)
    finally:
        for key, value in saved.items():
            os.environ.pop(key, None) if value is None else os.environ.__setitem__(key, value)
        shutil.rmtree(work, ignore_errors=True)
    return {"questions": len(questions), "cited_expected_note": f"{cited}/{len(questions)}",
            **summarize(per_step, views)}


def table(result: dict) -> str:
    """The "Lean context" table of RESULTS.md."""
    from benchmarks.context_tokens import table_rows

    return ("| measure | value |\n|---|---|\n"
            f"| questions / steps | {result['questions']} / {result['steps']} |\n"
            f"{table_rows(result)}\n"
            f"| answers citing an expected note | {result['cited_expected_note']} |")


def main() -> None:
    result = run()
    if "--json" in sys.argv:
        print(json.dumps(result))
    else:
        print(table(result))
    if "--write" in sys.argv:
        import datetime as dt
        import subprocess

        from benchmarks.results import write_section

        commit = subprocess.run(["git", "-C", str(REPO), "rev-parse", "--short", "HEAD"], capture_output=True,
                                text=True).stdout.strip()
        write_section(
            f"## Lean context: prompt tokens per agent step\n\n{dt.datetime.now():%Y-%m-%d %H:%M}, commit {commit}. "
            "Command: `python -m benchmarks.bench_context --write`. The 44 learner questions of "
            "`benchmarks/learner_questions.jsonl`, each asked as `journal ask` does (a new conversation) through "
            "the real agent against the rule-driven local server of `tests/support/openai_server.py` (search, then "
            "an answer). The figure is the one both agent benchmarks report (benchmarks/context_tokens.py): prompt "
            "tokens of each step's request (messages + tool schemas) as the agent loop counts them for its budget, "
            "equal for every first step to what `journal context` previews (checked). "
            f"Tokenizer: {result['encoding_reason']}.\n\n{table(result)}\n\n"
            "Issue 23 found two figures: `bench_agent` printed a median of 4,931 tokens *per question* (the largest "
            "step, in one conversation grown over every question) with budget `None` (the unset setting), and this "
            "section said 2,162 per step by re-tokenizing the received bodies with the tool schemas as spaced JSON "
            "(`json.dumps` default, about 260 tokens more than the compact JSON the loop counts: 1,283 against "
            "1,023 for the journal agent's 9 schemas; chat templates' `tojson` renders them spaced, OpenAI's own "
            "format is terser). Now both report this one figure.\n\n"
            "Before the trim of issue 13 (commit 99cb296): median 2,766, p90 3,310, max 3,351; 44 of 88 steps "
            "over 2,500 (counted the old way).\n")


if __name__ == "__main__":
    sys.path.insert(0, str(REPO))
    main()
