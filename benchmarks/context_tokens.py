"""One context-token figure for the agent benchmarks (issue 23): prompt tokens per step, as the loop counts them.

``bench_agent`` printed a median of 4,931 context tokens *per question* (the largest
step, in one conversation that grew over every question) and a budget of ``None``
(the setting, not the budget in force), while ``bench_context`` counted 2,162 *per
step*, re-tokenizing the requests the server received, each question in a fresh
conversation. Both now measure the same thing, here:

* each question asked as ``journal ask`` does: a new conversation;
* the figure is the prompt tokens of each step's request (messages + tool schemas) as
  the agent loop counts them for its budget (``Step.context_tokens``, from
  ``Agent.prepare``), with the agent's one tokenizer (``TokenCounter``);
* before each question, ``compile_context`` (what ``journal context`` shows) previews the
  first step's request; it must equal what the loop then counts (checked, not assumed);
* the budget is the one in force (``agent.context.budget``), and :data:`LIMIT` is the
  lean-context goal of issue 13: no step over 2,500 tokens at default settings.
"""

from __future__ import annotations

import statistics
from typing import Any

LIMIT = 2500


def ask_measured(journal, question: str, *, archive=None) -> tuple[Any, list[int], Any, float]:
    """Ask ``question`` in a new conversation; ``(turn, tokens of each step, the compiled context before it,
    wall seconds of the turn alone)``.

    Raises:
        AssertionError: the first step's count differs from what ``compile_context`` previewed.
    """
    import time

    from journal_agent.agent.compiled import compile_context
    from journal_agent.agent.loop import Agent

    view = compile_context(journal, message=question, conversation="new", archive=archive)
    agent = Agent(journal, archive=archive)
    started = time.perf_counter()
    try:
        turn = agent.ask(question)
    finally:
        seconds = time.perf_counter() - started
        agent.close()
    tokens = [step.context_tokens for step in turn.steps]
    if tokens[0] != view.tokens:
        raise AssertionError(f"journal context previewed {view.tokens} tokens for {question!r}; "
                             f"the loop counted {tokens[0]}")
    return turn, tokens, view, seconds


def summarize(per_step: list[int], views: list[Any]) -> dict[str, Any]:
    """The agreed figures: tokens per step (median, p90, max), the fixed part, steps over :data:`LIMIT`,
    the budget in force and the tokenizer."""
    ordered = sorted(per_step)
    fixed = [v.section("system_instructions") + v.section("core_memory") + v.section("summary")
             + v.section("tool_schemas") for v in views]
    return {
        "steps": len(ordered),
        "prompt_tokens_per_step": {"median": statistics.median(ordered),
                                   "p90": ordered[int(0.9 * (len(ordered) - 1))], "max": ordered[-1]},
        "fixed_tokens_per_step": {"median": statistics.median(fixed), "max": max(fixed)},
        "steps_over_limit": sum(n > LIMIT for n in ordered), "limit": LIMIT,
        "budget_tokens": views[0].budget, "encoding": views[0].encoding,
        "encoding_reason": views[0].encoding_reason,
    }


def table_rows(result: dict[str, Any]) -> str:
    """The rows both benchmarks print for the figures of :func:`summarize`."""
    tokens, fixed = result["prompt_tokens_per_step"], result["fixed_tokens_per_step"]
    return (f"| prompt tokens per step (median / p90 / max; budget {result['budget_tokens']:,}) | "
            f"{tokens['median']} / {tokens['p90']} / {tokens['max']} |\n"
            f"| of which system prompt + core memory + tool schemas (median) | {fixed['median']} |\n"
            f"| steps over {result['limit']:,} tokens | {result['steps_over_limit']} |\n"
            f"| tokenizer | {result['encoding']} |")
