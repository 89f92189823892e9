"""A stable prompt prefix: how much of each request a prefix-caching server can reuse (issue 19).

llama.cpp (``cache_prompt``, one cache per slot), vLLM (automatic prefix caching)
and OpenAI ("Prompt caching") reuse the computation of the longest prefix a
request shares with an earlier one; a local CPU server re-reads everything after
the first changed token. This script asks the learner questions of
``benchmarks/learner_questions.jsonl`` through the real agent against the
rule-driven local server of ``tests/support/openai_server.py``, renders every
request the server *received* the way a ChatML/Hermes chat template does
(Qwen2.5, the template llama.cpp and vLLM serve most tool-calling models with:
system text, then the tool schemas, then the messages), tokenizes it with the
agent's tokenizer and measures, for each request, the fraction of its tokens
shared as a prefix with the request before it.

Scenarios: **between asks** (each question a fresh ``journal ask``; the first step of
an ask against the last step of the one before), **within a turn** (step 2 against
step 1 of the same ask), **within a chat** (all questions in one conversation, like
``journal chat``: every request against the one before). "Before" renders the same
requests with the per-turn tail (memory metadata, pressure alert) put back inside
the system text, where it was before this change.

Run: ``python -m benchmarks.bench_prefix [--json] [--write]`` (``--write`` replaces the
section in ``benchmarks/RESULTS.md``).
"""

from __future__ import annotations

import json
import os
import shutil
import statistics
import sys
import tempfile
from pathlib import Path
from typing import Any

REPO = Path(__file__).resolve().parent.parent
GOAL_CHAT, GOAL_ASKS = 0.9, 0.8  # issue 19


def render(body: dict[str, Any], *, before: bool = False) -> str:
    """``body`` as a ChatML + Hermes tools template renders it (Qwen2.5's ``tokenizer_config.json``).

    ``before``: the per-turn tail moved back into the system text (the layout before issue 19).
    """
    from tests.support.openai_server import tail_of, without_tail

    messages = [dict(m) for m in body["messages"]]
    tail = tail_of(body)
    if before and tail:
        messages = [dict(m, content=without_tail(m.get("content"))) for m in messages]
        messages[0]["content"] = f"{messages[0]['content']}\n\n<memory_metadata>{tail}"
    parts = []
    system = messages[0]["content"] if messages and messages[0]["role"] == "system" else ""
    tools = "\n".join(json.dumps(t, separators=(",", ":")) for t in body.get("tools") or [])
    parts.append(f"<|im_start|>system\n{system}\n\n# Tools\n\n<tools>\n{tools}\n</tools><|im_end|>\n")
    for message in messages[1 if system else 0:]:
        content = message.get("content") or ""
        if message["role"] == "tool":
            parts.append(f"<|im_start|>user\n<tool_response>\n{content}\n</tool_response><|im_end|>\n")
            continue
        calls = "".join(f"\n<tool_call>\n{json.dumps(c['function'])}\n</tool_call>"
                        for c in message.get("tool_calls") or [])
        parts.append(f"<|im_start|>{message['role']}\n{content}{calls}<|im_end|>\n")
    return "".join(parts) + "<|im_start|>assistant\n"


def shared_tokens(previous: list[int], current: list[int]) -> int:
    """Tokens in the longest prefix ``current`` shares with ``previous``."""
    shared = 0
    for a, b in zip(previous, current, strict=False):
        if a != b:
            break
        shared += 1
    return shared


def shared_fraction(previous: list[int], current: list[int]) -> float:
    """Tokens of ``current`` in the longest prefix it shares with ``previous``, as a fraction of ``current``."""
    return shared_tokens(previous, current) / len(current) if current else 1.0


def build_journal(root: Path) -> Path:
    """The learner journal + the repo's seed note (as :mod:`benchmarks.bench_context`)."""
    from benchmarks.bench_context import build_journal as build

    return build(root)


def run() -> dict[str, Any]:
    """Ask every learner question fresh, then all in one conversation; the shared-prefix fractions."""
    from journal_agent.agent.context import TokenCounter
    from journal_agent.agent.loop import Agent
    from journal_agent.archive.ingest import ingest
    from journal_agent.workspace import open_journal
    from tests.support.openai_server import FakeOpenAI, rule_responder

    questions = [json.loads(line)["question"] for line in (REPO / "benchmarks" / "learner_questions.jsonl")
                 .read_text(encoding="utf-8").splitlines() if line.strip()]
    work = Path(tempfile.mkdtemp(prefix="bench-prefix-"))
    journal = open_journal(root=build_journal(work / "journal"))
    ingest(journal)
    saved = {k: os.environ.get(k) for k in ("OPENAI_BASE_URL", "OPENAI_API_KEY")}
    asks: list[list[dict[str, Any]]] = []
    chat: list[dict[str, Any]] = []
    try:
        with FakeOpenAI(rule_responder) as server:
            os.environ["OPENAI_BASE_URL"], os.environ["OPENAI_API_KEY"] = server.base_url, "sk-bench"
            for question in questions:  # `journal ask`: a fresh conversation each
                before = len(server.requests)
                agent = Agent(journal)
                agent.ask(question)
                agent.close()
                asks.append([r for r in server.requests[before:] if r.get("tools")])
            before = len(server.requests)
            agent = Agent(journal, context_tokens=200_000)  # `journal chat`: one conversation, no eviction
            for question in questions:
                agent.ask(question)
            agent.close()
            chat = [r for r in server.requests[before:] if r.get("tools")]
            counter = TokenCounter(agent.model)
    finally:
        for key, value in saved.items():
            os.environ.pop(key, None) if value is None else os.environ.__setitem__(key, value)
        shutil.rmtree(work, ignore_errors=True)

    def tokens(body: dict[str, Any], before: bool) -> list[int]:
        text = render(body, before=before)
        encoding = counter._encoding  # noqa: SLF001 - the same tokenizer the agent counts with
        return list(encoding.encode(text, disallowed_special=())) if encoding is not None else list(text.encode())

    def fractions(pairs: list[tuple[dict[str, Any], dict[str, Any]]], before: bool) -> list[float]:
        return [shared_fraction(tokens(a, before), tokens(b, before)) for a, b in pairs]

    def reused(pairs: list[tuple[dict[str, Any], dict[str, Any]]]) -> list[float]:
        """Of the previous request's tokens (what the server has cached), the fraction reused."""
        out = []
        for a, b in pairs:
            first, second = tokens(a, False), tokens(b, False)
            out.append(shared_tokens(first, second) / max(1, len(first)))
        return out

    scenarios = {
        "between asks": [(asks[i - 1][-1], asks[i][0]) for i in range(1, len(asks)) if asks[i] and asks[i - 1]],
        "within a turn": [(steps[j - 1], steps[j]) for steps in asks for j in range(1, len(steps))],
        "within a chat": list(zip(chat, chat[1:], strict=False)),
    }
    result: dict[str, Any] = {"questions": len(questions), "template": "ChatML + Hermes tools (Qwen2.5)",
                              "encoding": counter.encoding_name, "scenarios": {}}
    for name, pairs in scenarios.items():
        old, new = fractions(pairs, True), fractions(pairs, False)
        result["scenarios"][name] = {
            "pairs": len(pairs),
            "before": {"mean": round(statistics.fmean(old), 3), "min": round(min(old), 3)},
            "after": {"mean": round(statistics.fmean(new), 3), "min": round(min(new), 3)},
            "cache_reused_after": round(statistics.fmean(reused(pairs)), 3),
        }
    return result


def section(result: dict[str, Any]) -> str:
    """The ``## Prompt prefix`` section of RESULTS.md."""
    lines = [
        "## Prompt prefix shared between consecutive requests (issue 19)",
        "",
        f"`python -m benchmarks.bench_prefix --write`: the {result['questions']} learner questions through the "
        "real agent and the rule-driven local server; each request rendered as the "
        f"{result['template']} template does and tokenized ({result['encoding']}); the fraction of a request's "
        "tokens in the prefix it shares with the request before it (what llama.cpp, vLLM and OpenAI reuse "
        "from their prefix cache). Before: the per-turn memory metadata inside the system text, ahead of the "
        "tool schemas (simulated on the same requests: the tail moved back into the system text; the old "
        "per-step change of the recall count inside a turn is not simulated); after: the system text stable, "
        "the metadata after the turn's opening message, taken once per turn. Within a turn the rest is the new "
        "tool result, which any server must read: the last column (the share of the previous request's "
        "tokens reused) shows the cache is kept whole. "
        f"Goal: >= {GOAL_CHAT} within a chat, >= {GOAL_ASKS} between asks.",
        "",
        "| consecutive requests | pairs | before (mean / min) | after (mean / min) | previous request reused, after |",
        "|---|---|---|---|---|",
    ]
    for name, figures in result["scenarios"].items():
        lines.append(f"| {name} | {figures['pairs']} | {figures['before']['mean']:.3f} / "
                     f"{figures['before']['min']:.3f} | {figures['after']['mean']:.3f} / "
                     f"{figures['after']['min']:.3f} | {figures['cache_reused_after']:.3f} |")
    return "\n".join(lines) + "\n"


def main() -> None:
    result = run()
    if "--json" in sys.argv:
        print(json.dumps(result))
    else:
        print(section(result))
    if "--write" in sys.argv:
        from benchmarks.results import write_section

        write_section(section(result))


if __name__ == "__main__":
    sys.path.insert(0, str(REPO))
    main()
