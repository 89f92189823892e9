"""Reasoning models and every provider (issue 19): each behaviour reproduced by a strict mode of the
local server (tests/support/openai_server.py), through the real ``openai`` client and the CLI.

Every test names the provider doc or upstream issue it reproduces.
"""

from __future__ import annotations

import json
import re

import openai
import pytest

from journal_agent.agent.context import load_limit
from journal_agent.agent.core_memory import CoreMemory
from journal_agent.agent.llm import ThinkFilter, complete, endpoint_key, split_think
from journal_agent.agent.loop import Agent
from journal_agent.agent.recall import RecallMemory
from journal_agent.agent.reflection import reflect_on_notes
from journal_agent.errors import AgentError, ContextOverflow
from journal_agent.notes.journal import read_journal
from journal_agent.workspace import open_journal
from tests.support.journals import set_config
from tests.support.openai_server import (
    DEEPSEEK_MISSING,
    FakeOpenAI,
    call,
    calls,
    error,
    raw_error,
    reasoned,
    text,
)

STREAMS = [pytest.param(False, id="plain"), pytest.param(True, id="streamed")]
SEARCH = call("archival_memory_search", {"query": "MemGPT"})


def ask(journal, message: str, *, stream: bool, **kwargs):
    """One agent turn, streamed or not; returns ``(turn, streamed tokens)``."""
    agent = Agent(journal, **kwargs)
    tokens: list[str] = []
    try:
        return agent.ask(message, on_token=tokens.append if stream else None), tokens
    finally:
        agent.close()


def stored_payloads(journal) -> list[dict]:
    recall = RecallMemory.open(journal)
    try:
        return [m.payload for m in recall.recent(1000)]
    finally:
        recall.close()


def client_for(server: FakeOpenAI, timeout: float = 5.0) -> openai.OpenAI:
    return openai.OpenAI(base_url=server.base_url, api_key="sk-test-dummy", max_retries=0, timeout=timeout)


# ============================================================ 1. DeepSeek thinking mode
@pytest.mark.parametrize("stream", STREAMS)
def test_deepseek_reasoning_content_goes_back_on_tool_call_turns(seeded_journal, server, stream):
    """api-docs.deepseek.com "Thinking mode" (tool calls): the ``reasoning_content`` of an assistant
    message with tool calls must be passed back, else 400; anomalyco/opencode#9397."""
    server.modes = {"deepseek-thinking"}
    server.push(SEARCH, text("You wrote about MemGPT."))
    turn, tokens = ask(seeded_journal, "what about MemGPT?", stream=stream)
    assert server.rejected == [] and turn.answer == "You wrote about MemGPT."
    sent = next(m for m in server.requests[1]["messages"] if m.get("tool_calls"))
    assert sent["reasoning_content"] == "Reasoning for request 1."
    assert turn.steps[0].reasoning == "Reasoning for request 1."
    assert "Reasoning" not in turn.answer and "Reasoning" not in "".join(tokens)
    final = [p for p in stored_payloads(seeded_journal) if p["role"] == "assistant"][-1]
    assert "reasoning_content" not in final  # no tool calls: DeepSeek ignores it, so it is not kept


def test_deepseek_conversation_stored_without_reasoning_is_not_poisoned(seeded_root, server, run_cli):
    """opencode#9397: a conversation whose stored tool-call turn lacks ``reasoning_content`` (from before, or
    from another model) failed on every later request; now ``ask -c`` works: DeepSeek's 400 gets an empty
    ``reasoning_content`` on those messages, once."""
    server.push(SEARCH, text("First answer."))
    assert run_cli("ask", "--no-stream", "what about MemGPT?", root=seeded_root).exit_code == 0
    server.modes = {"deepseek-thinking"}
    server.push(text("Second answer."))
    result = run_cli("ask", "-c", "--no-stream", "and more?", root=seeded_root)
    assert result.exit_code == 0, result.output
    assert result.stdout.startswith("Second answer.")
    assert len(server.rejected) == 1 and "Missing reasoning_content" in server.rejected[0][1]
    retried = next(m for m in server.requests[-1]["messages"] if m.get("tool_calls"))
    assert retried["reasoning_content"] == ""
    assert DEEPSEEK_MISSING.split(" at ")[0] in server.rejected[0][1]


def test_deepseek_reflection_edits_once_and_says_updated(seeded_journal, server):
    """opencode#9397 in reflection: the edit was applied, step 2 failed, it reported failure and each
    ``journal reflect`` retry appended the same line again. Now step 2 goes through."""
    server.modes = {"deepseek-thinking"}
    server.push(call("core_memory_append", {"label": "learner", "content": "Studies MemGPT"}), text("Done."))
    notes = read_journal(seeded_journal).notes[:1]
    outcome = reflect_on_notes(seeded_journal, notes)
    assert outcome.status == "updated", outcome.message
    assert server.rejected == []
    value = CoreMemory.open(seeded_journal, agent="sleeptime").block("learner").value
    assert value.count("Studies MemGPT") == 1


def test_a_reflection_that_fails_after_an_edit_says_the_edit_was_kept(seeded_journal, server):
    """opencode#9397 in reflection: the edit was applied, then step 2 failed and the outcome listed no edit."""
    server.push(call("core_memory_append", {"label": "learner", "content": "Studies MemGPT"}),
                error(401, "Incorrect API key provided."))
    outcome = reflect_on_notes(seeded_journal, read_journal(seeded_journal).notes[:1])
    assert outcome.status == "failed" and len(outcome.edits) == 1
    assert "1 core memory edit was made before it failed and kept" in outcome.message


# ============================================================ 2. Gemini thought signatures
@pytest.mark.parametrize("stream", STREAMS)
def test_gemini_thought_signatures_are_kept_and_sent_back(seeded_journal, server, stream):
    """ai.google.dev "Thought signatures" (OpenAI compatibility): ``extra_content.google.thought_signature``
    on a tool call is required on the next request; continuedev/continue#8865."""
    server.modes = {"gemini-signatures"}
    server.push(calls(SEARCH, call("archival_memory_search", {"query": "SQLite"})), text("Both found."))
    turn, _ = ask(seeded_journal, "MemGPT and SQLite?", stream=stream)
    assert server.rejected == [] and turn.answer == "Both found."
    sent = next(m for m in server.requests[1]["messages"] if m.get("tool_calls"))
    assert sent["tool_calls"][0]["extra_content"] == {"google": {"thought_signature": "sig-1-0"}}
    assert "extra_content" not in sent["tool_calls"][1]  # only the first call of a step carries one


def test_gemini_digest_with_a_tool_call_uses_the_model(journal_dir, server):
    """continuedev/continue#8865: with Gemini 3 a digest turn that called a tool failed at step 2 (400) and
    ``journal digest`` silently fell back to its offline summary."""
    import datetime as dt

    from journal_agent.digest import make_digest
    from tests.support.journals import write

    write(journal_dir / "notes" / "2025-09-15-day-3.md",
          "---\ntitle: Momentum Learning Day 3\ndate: 2025-09-15\n---\n# Day 3\n\nStarted RAG: chunking.\n")
    server.modes = {"gemini-signatures"}
    server.push(call("archival_memory_search", {"query": "RAG"}), text("On Day 3 you began RAG with chunking."))
    result = make_digest(open_journal(root=journal_dir), dt.date(2025, 9, 15), today=dt.date(2025, 9, 22))
    assert server.rejected == [] and result.summary_by == "model", result.model_note


def test_gemini_refusal_in_a_json_list_body_is_read(journal, server):
    """google-gemini/gemini-cli#6678: Gemini's compatible endpoint sends errors as a JSON list; the message
    was lost ("HTTP 400: Error code: 400")."""
    server.push(raw_error(400, [{"error": {"code": 400, "message": "API key not valid for this project.",
                                           "status": "INVALID_ARGUMENT"}}]))
    with pytest.raises(AgentError) as caught:
        ask(journal, "hello", stream=False)
    assert "API key not valid for this project." in str(caught.value)


def test_lm_studio_string_error_body_is_read(journal, server):
    """lmstudio-ai/lmstudio-bug-tracker#237: the error is a string (``{"error": "..."}``) or the body is one."""
    server.push(raw_error(400, {"error": "Model 'qwen3' is not loaded."}))
    with pytest.raises(AgentError) as caught:
        ask(journal, "hello", stream=False)
    assert "Model 'qwen3' is not loaded." in str(caught.value)
    server.push(raw_error(400, "Unexpected endpoint or method."))
    with pytest.raises(AgentError) as caught:
        ask(journal, "hello", stream=False)
    assert "Unexpected endpoint or method." in str(caught.value)


# ============================================================ 3. overflow wordings
@pytest.mark.parametrize(("body", "window", "prompt"), [
    pytest.param([{"error": {"code": 400, "status": "INVALID_ARGUMENT", "message":
                             "The input token count (1200345) exceeds the maximum number of tokens allowed "
                             "(1048576)."}}], 1048576, 1200345, id="gemini-cli-12214"),
    pytest.param({"error": "Trying to keep the first 5080 tokens when context the overflows. However, the model "
                           "is loaded with context length of only 4096 tokens, which is not enough. Try to load "
                           "the model with a larger context length, or provide a shorter input"},
                 4096, 5080, id="lmstudio-546"),
    pytest.param({"type": "error", "error": {"type": "invalid_request_error",
                                             "message": "prompt is too long: 215000 tokens > 200000 maximum"}},
                 200000, 215000, id="cline-3664-anthropic"),
])
def test_overflow_wordings_teach_the_window(journal, server, body, window, prompt):
    """Gemini (gemini-cli#12214), LM Studio (lmstudio-bug-tracker#546), Anthropic (cline#3664): a context
    overflow with its numbers; the agent learns the window, summarizes and retries once."""
    server.push(raw_error(400, body))
    with pytest.raises(ContextOverflow) as caught:
        complete(client_for(server), model="m", messages=[{"role": "user", "content": "hi"}])
    assert (caught.value.window, caught.value.prompt_tokens) == (window, prompt)
    server.push(raw_error(400, body), text("Fits now."))
    agent = Agent(journal, model="m")
    try:
        assert agent.ask("hello").answer == "Fits now."
        assert load_limit(journal.state_dir, endpoint_key(agent.client, "m")).window == window
    finally:
        agent.close()


# ============================================================ 4. think blocks
@pytest.mark.parametrize("stream", STREAMS)
def test_think_blocks_are_reasoning_never_answer_or_history(seeded_journal, server, stream):
    """ollama/ollama-python#529, the Qwen3 model card: ``<think>…</think>`` in the content (no reasoning
    parser) was printed as the answer and sent back in history."""
    server.push(text("<think>The learner asks about MemGPT; search.</think>\n\nMemGPT pages memory."))
    turn, tokens = ask(seeded_journal, "what is MemGPT?", stream=stream)
    assert turn.answer == "MemGPT pages memory."
    assert turn.steps[0].reasoning == "The learner asks about MemGPT; search."
    if stream:
        assert "think" not in "".join(tokens) and "".join(tokens).strip() == "MemGPT pages memory."
    assert all("<think>" not in (p.get("content") or "") for p in stored_payloads(seeded_journal))


def test_think_split_and_filter_shapes():
    """Qwen3 model card: an opening tag may be in the prompt (only ``</think>`` in the reply); a reply cut off
    while thinking has no closing tag; streamed tags can be split across chunks."""
    assert split_think("plan</think>Answer") == ("Answer", "plan")
    assert split_think("<think>still thinking") == ("", "still thinking")
    assert split_think("no tags") == ("no tags", "")
    assert split_think("A <think>x</think> B") == ("A  B", "x")
    shown = ThinkFilter()
    out = "".join(shown.feed(piece) for piece in ["<th", "ink>abc</thi", "nk>Hel", "lo <", "b>"]) + shown.flush()
    assert out == "Hello <b>"


def test_digest_never_contains_think_blocks(journal_dir, server):
    """ollama-python#529: the digest took the model's answer with its ``<think>`` block, wrote it into the
    digest note and so onto the site and its search index."""
    import datetime as dt

    from journal_agent.digest import make_digest
    from tests.support.journals import write

    write(journal_dir / "notes" / "2025-09-15-day-3.md",
          "---\ntitle: Momentum Learning Day 3\ndate: 2025-09-15\n---\n# Day 3\n\nStarted RAG: chunking.\n")
    server.push(text("<think>The learner is weak on chunking; do not say so.</think>"
                     "On Day 3 you began RAG with chunking."))
    result = make_digest(open_journal(root=journal_dir), dt.date(2025, 9, 15), today=dt.date(2025, 9, 22))
    assert result.summary_by == "model", result.model_note
    written = result.path.read_text()
    assert "On Day 3 you began RAG with chunking." in written
    assert "weak on chunking" not in written and "think>" not in written


# ============================================================ 5. reasoning only
def test_reasoning_only_reply_is_said_plainly(seeded_root, server, run_cli):
    """claw-code#3228 (Ollama qwen3/gpt-oss): reasoning in the ``reasoning`` field and empty content printed
    "(the model returned an empty answer)" with no hint."""
    server.push(reasoned("", "I should answer about MemGPT but I ran out.", field="reasoning"))
    result = run_cli("ask", "--no-stream", "what is MemGPT?", root=seeded_root)
    assert result.exit_code == 0
    assert "the model only reasoned and wrote no answer" in result.stdout
    server.push(reasoned("", "Thinking hard.", field="reasoning"))
    data = json.loads(run_cli("ask", "--json", "again", root=seeded_root).stdout)
    assert data["reasoned_only"] is True and data["answer"] == ""
    assert data["steps"][0]["reasoning"] == "Thinking hard."


def test_reasoning_that_spends_the_budget_does_not_advise_continue(seeded_root, server, run_cli):
    """OpenAI reasoning guide: reasoning tokens count against the limit; ``finish_reason: "length"`` with
    empty content. ``ask -c "continue"`` would spend the budget again."""
    set_config(seeded_root, "llm", "max_tokens", 64)
    server.push(reasoned("", "Long reasoning...", finish_reason="length"))
    result = run_cli("ask", "--no-stream", "what is MemGPT?", root=seeded_root)
    assert "spent its whole reply limit ([llm] max_tokens = 64) reasoning" in result.stdout
    assert 'ask -c "continue"' not in result.stdout


def test_show_steps_shows_reasoning_as_its_own_line(seeded_root, server, run_cli):
    """Letta streams reasoning messages beside tool calls; ``--show-steps`` shows reasoning, never as the answer."""
    server.push(reasoned("", "Search first.", tool_calls=SEARCH["tool_calls"]), text("Found."))
    result = run_cli("ask", "--no-stream", "--show-steps", "what about MemGPT?", root=seeded_root)
    assert result.exit_code == 0
    lines = result.stdout.splitlines()
    reasoning = next(i for i, line in enumerate(lines) if "∴ reasoning: Search first." in line)
    assert "archival_memory_search" in lines[reasoning + 1]
    assert lines[-1] != "Search first."


def test_chat_shows_reasoning_apart_from_the_answer(seeded_root, server, run_cli):
    """Letta streams reasoning messages beside tool calls: ``chat`` shows reasoning as its own line."""
    server.push(text("<think>They greet me.</think>Hello!"))
    result = run_cli("chat", "--no-stream", input="hi\n", root=seeded_root)
    assert result.exit_code == 0
    lines = result.stdout.splitlines()
    assert any("∴ reasoning: They greet me." in line for line in lines)
    assert any(line.endswith("Hello!") for line in lines) and not any("<think>" in line for line in lines)


# ============================================================ 6. max_completion_tokens
@pytest.mark.parametrize("model", ["o4-mini", "gpt-5-mini", "openai/o3"])
def test_reasoning_models_get_max_completion_tokens(journal, server, model):
    """OpenAI reasoning guide; gollm#33, opencode#37964: o-series and gpt-5 refuse ``max_tokens``."""
    server.modes = {"completion-tokens"}
    set_config(journal.root, "llm", "max_tokens", 500)
    server.push(text("Hello."))
    turn, _ = ask(open_journal(root=journal.root), "hi", stream=False, model=model)
    assert turn.answer == "Hello." and server.rejected == []
    assert server.requests[0]["max_completion_tokens"] == 500 and "max_tokens" not in server.requests[0]


def test_max_tokens_refusal_is_retried_with_max_completion_tokens(journal, server):
    """gollm#33: a deployment alias hides the model family; the refusal names the fix, which is applied once."""
    server.modes = {"completion-tokens"}
    server.push(text("Hello."))
    reply = complete(client_for(server), model="my-azure-deployment", max_tokens=300,
                     messages=[{"role": "user", "content": "hi"}])
    assert reply.content == "Hello." and len(server.rejected) == 1
    assert server.requests[-1]["max_completion_tokens"] == 300


# ============================================================ 7. retries
def test_retry_after_ms_is_honoured(journal, server):
    """OpenAI rate-limit guide: a 429 says when to retry (``Retry-After`` seconds, ``retry-after-ms``)."""
    server.push(raw_error(429, {"error": {"message": "Rate limit reached", "code": "rate_limit_exceeded"}},
                          {"retry-after-ms": "50"}), text("Back."))
    assert complete(client_for(server), model="m", messages=[{"role": "user", "content": "hi"}]).content == "Back."
    assert len(server.requests) == 2


def test_retry_after_longer_than_the_timeout_is_not_waited_for(journal, server):
    """OpenAI rate-limit guide: a Retry-After of 25 s was capped at 10 s, then failed; now a wait longer
    than the timeout is not attempted and the message says so."""
    server.push(raw_error(429, {"error": {"message": "Rate limit reached", "code": "rate_limit_exceeded"}},
                          {"Retry-After": "25"}))
    with pytest.raises(AgentError) as caught:
        complete(client_for(server, timeout=5), model="m", messages=[{"role": "user", "content": "hi"}])
    assert len(server.requests) == 1 and "asked to wait 25 s, longer than the 5 s timeout" in str(caught.value)


@pytest.mark.parametrize("reply", [
    pytest.param(error(429, "You exceeded your current quota, please check your plan and billing details.",
                       code="insufficient_quota", type="insufficient_quota"), id="insufficient-quota"),
    pytest.param(error(401, "Incorrect API key provided."), id="401"),
    pytest.param(error(404, "The model `gpt-9` does not exist."), id="404"),
])
def test_errors_that_a_retry_cannot_fix_are_not_retried(seeded_root, server, run_cli, reply):
    """OpenAI error codes: ``insufficient_quota`` (429) needs billing, 401 a key, 404 a model name; retrying
    spends time for nothing, and ``ask -c`` cannot help either."""
    server.push(reply)
    result = run_cli("ask", "--no-stream", "hi", root=seeded_root)
    assert result.exit_code == 1 and len(server.requests) == 1
    assert "`journal ask -c` continues it" not in result.stderr


def test_groq_tool_use_failed_is_resampled_once(seeded_journal, server):
    """huggingface/smolagents#1119, agno-agi/agno#4090: Groq's intermittent 400 ``tool_use_failed``."""
    failed = error(400, "Failed to call a function. Please adjust your prompt. See 'failed_generation' for "
                        "more details.", code="tool_use_failed", failed_generation="<function=search>")
    server.push(failed, SEARCH, text("Found."))
    turn, _ = ask(seeded_journal, "what about MemGPT?", stream=False)
    assert turn.answer == "Found." and len(server.requests) == 3


# ============================================================ 8. ids
def test_mistral_ids_are_rewritten_when_the_model_changes(seeded_root, server, run_cli):
    """jackmpcollins/magentic#276, karthink/gptel#1203: Mistral accepts only 9-alphanumeric tool-call ids;
    ``ask -c --model mistral-…`` after another model's ``call_…`` ids could not continue."""
    server.push(call("archival_memory_search", {"query": "MemGPT"}, id="call_abc123def456"), text("First."))
    assert run_cli("ask", "--no-stream", "what about MemGPT?", root=seeded_root).exit_code == 0
    server.modes = {"mistral-ids"}
    server.push(text("Second."))
    result = run_cli("ask", "-c", "--no-stream", "--model", "mistral-small-latest", "more?", root=seeded_root)
    assert result.exit_code == 0, result.output
    assert server.rejected == []
    sent = server.requests[-1]["messages"]
    ids = [c["id"] for m in sent for c in m.get("tool_calls") or []]
    answered = [m["tool_call_id"] for m in sent if m["role"] == "tool"]
    assert ids == answered and all(re.fullmatch(r"[A-Za-z0-9]{9}", i) for i in ids)
    stored = [c["id"] for p in stored_payloads(open_journal(root=seeded_root)) for c in p.get("tool_calls") or []]
    assert stored == ["call_abc123def456"]  # stored messages are not changed


def test_provider_extras_go_only_to_the_endpoint_that_wrote_them(seeded_root, server, run_cli):
    """api-docs.deepseek.com "Thinking mode" keeps ``reasoning_content``; Mistral refuses fields it does not
    know ("Extra inputs are not permitted"): ``ask -c --model mistral-…`` after DeepSeek drops the extras."""
    server.modes = {"deepseek-thinking"}
    server.push(SEARCH, text("First."))
    assert run_cli("ask", "--no-stream", "what about MemGPT?", root=seeded_root).exit_code == 0
    server.modes = {"mistral-ids"}
    server.push(text("Second."))
    result = run_cli("ask", "-c", "--no-stream", "--model", "mistral-small-latest", "more?", root=seeded_root)
    assert result.exit_code == 0, result.output
    assert server.rejected == []
    assert not any("reasoning_content" in m or "_from" in m for m in server.requests[-1]["messages"])


def test_mistral_id_refusal_under_an_alias_is_fixed_once(server):
    """magentic#276 behind a model alias: the refusal itself triggers the rewrite."""
    server.modes = {"mistral-ids"}
    server.push(text("OK."))
    messages = [{"role": "user", "content": "hi"},
                {"role": "assistant", "content": None, "tool_calls": [
                    {"id": "call_x", "type": "function", "function": {"name": "f", "arguments": "{}"}}]},
                {"role": "tool", "tool_call_id": "call_x", "content": "done"}]
    assert complete(client_for(server), model="my-alias", messages=messages).content == "OK."
    assert len(server.rejected) == 1


# ============================================================ 9. text tool calls
@pytest.mark.parametrize("content", [
    pytest.param('<tool_call>\n{"name": "archival_memory_search", "arguments": {"query": "MemGPT"}}\n</tool_call>',
                 id="hermes"),
    pytest.param('[TOOL_CALLS][{"name": "archival_memory_search", "arguments": {"query": "MemGPT"}}]',
                 id="mistral"),
    pytest.param('[TOOL_CALLS]archival_memory_search[ARGS]{"query": "MemGPT"}', id="mistral-v11"),
    pytest.param('<|python_tag|>{"name": "archival_memory_search", "parameters": {"query": "MemGPT"}}',
                 id="llama"),
    pytest.param('```json\n{"name": "archival_memory_search", "arguments": {"query": "MemGPT"}}\n```',
                 id="bare-json"),
])
def test_tool_calls_written_as_text_run(seeded_journal, server, content):
    """ollama/ollama#6390, NousResearch/hermes-agent#5867: a server without a tool parser leaves the call in
    the content; it was printed as the answer and no tool ran."""
    server.push(text(content), text("Found it."))
    turn, _ = ask(seeded_journal, "what about MemGPT?", stream=False)
    assert [c.name for c in turn.steps[0].tool_calls] == ["archival_memory_search"]
    assert "Momentum Learning Day 2" in turn.steps[0].tool_calls[0].result
    assert turn.answer == "Found it." and server.rejected == []


def test_text_call_of_an_unknown_tool_is_reported_not_run(seeded_root, server, run_cli):
    """hermes-agent#5867: a call that names no tool (or whose arguments do not validate) is not run; the
    learner is told the server did not parse it and which option fixes that."""
    server.push(text('<tool_call>{"name": "web_search", "arguments": {"q": "x"}}</tool_call>'))
    result = run_cli("ask", "--no-stream", "search the web", root=seeded_root)
    assert result.exit_code == 0
    assert "the server did not parse" in result.stdout and "--tool-call-parser" in result.stdout


def test_reflection_never_says_no_update_when_the_model_tried_one(seeded_journal, server):
    """ollama#6390: reflection reported "needed no update" when the model wrote its edit as text."""
    server.push(text('<tool_call>{"name": "core_memory_append", "arguments": {"label": "learner"}}</tool_call>'))
    outcome = reflect_on_notes(seeded_journal, read_journal(seeded_journal).notes[:1])
    assert outcome.status == "failed" and "needed no update" not in outcome.message
    assert "did not parse" in outcome.message


def test_null_arguments_are_no_arguments(seeded_journal, server):
    """``arguments: "null"`` for a tool without arguments cost an extra step (an error result)."""
    server.push(call("task_queue_pop", "null"), text("Done."))
    turn, _ = ask(seeded_journal, "what is next?", stream=False, name="coach")
    assert turn.steps[0].tool_calls[0].arguments == ""


# ============================================================ 10. CLI
def test_json_is_an_object_even_when_the_call_fails(seeded_root, server, run_cli):
    """A JSON consumer got nothing on stdout when the model call failed."""
    server.push(error(401, "Incorrect API key provided."))
    result = run_cli("ask", "--json", "hi", root=seeded_root)
    assert result.exit_code == 1
    data = json.loads(result.stdout)
    assert data["answer"] is None and "401" in data["error"] and data["conversation_id"]


# ============================================================ 11. a stable prefix
def test_what_changes_per_turn_comes_after_the_stable_prefix(seeded_journal, server):
    """OpenAI "Prompt caching" (static content first, variable content last); llama.cpp ``cache_prompt``:
    the date and counts sat in the system text, ahead of the tool schemas, so every ask re-read ~70%."""
    from tests.support.openai_server import tail_of, without_tail

    server.push(SEARCH, text("One."), SEARCH, text("Two."))
    ask(seeded_journal, "what about MemGPT?", stream=False)
    ask(seeded_journal, "and SQLite?", stream=False)
    first, second, third, fourth = server.tool_requests
    assert first["messages"][0] == third["messages"][0]  # the system text is byte-identical between asks
    assert "Today's date" not in first["messages"][0]["content"] and "Today's date" in tail_of(first)
    assert tail_of(first) == tail_of(second)  # taken once per turn: the steps of a turn share their prefix
    opening = second["messages"][1]
    assert opening["content"].startswith("what about MemGPT?\n\n<memory_metadata>")
    assert without_tail(opening["content"]) == "what about MemGPT?"
    stored = [p["content"] for p in stored_payloads(seeded_journal) if p["role"] == "user"]
    assert stored == ["what about MemGPT?", "and SQLite?"]  # the tail is never stored
    assert second["messages"][:2] != first["messages"][:1] and second["messages"][1] == first["messages"][1]


# ============================================================ 12. Ollama truncation, oversized messages
@pytest.mark.parametrize("stream", STREAMS)
def test_ollama_silent_truncation_is_detected_once_and_the_budget_shrinks(journal, server, stream):
    """Ollama docs "Context length": at ``num_ctx`` (default 4096; ``/v1`` ignores options) the oldest
    messages are dropped without an error; only ``usage.prompt_tokens`` shows it. In a 14-turn chat the
    server dropped up to 12 messages unnoticed."""
    server.context_window, server.context_style = 3000, "ollama"
    server.responder = lambda body: text("Summary: retrieval notes." if not body.get("tools") else "Noted.")
    filler = "I studied retrieval today and wrote a long paragraph about chunk overlap. " * 30
    notices = []
    for number in range(10):
        agent = Agent(journal, conversation="continue" if number else "new")
        try:
            turn = agent.ask(f"{number}: {filler}", on_token=(lambda _t: None) if stream else None)
            notices += [n for s in turn.steps for n in s.notices]
        finally:
            agent.close()
    assert any(server.truncated), "the server cut the prompt"
    assert len(notices) == 1 and "OLLAMA_CONTEXT_LENGTH" in notices[0]  # warned once
    limit = load_limit(journal.state_dir, f"{server.base_url}|{journal.config.llm.model}")
    assert limit is not None and limit.budget and limit.budget < 3000  # was 8,000 (the default budget)
    assert server.truncated[-1] == 0, "with the smaller budget the server cuts nothing more"


def test_a_tool_argument_too_big_for_the_budget_is_cut_in_the_request(seeded_journal, server):
    """A 300 KB argument (a whole file pasted into archival_memory_insert) made the next step send
    56,789 tokens against an 8,000 budget; now it is cut, with a note, and arguments stay JSON."""
    huge = "word " * 60_000
    server.push(call("archival_memory_insert", {"content": huge}), text("Saved."))
    turn, _ = ask(seeded_journal, "save this", stream=False, context_tokens=4000)
    assert turn.answer == "Saved."
    sent = server.tool_requests[1]
    from journal_agent.agent.context import TokenCounter

    counter = TokenCounter(seeded_journal.config.llm.model)
    assert counter.count_messages(sent["messages"]) + counter.count_tools(sent["tools"]) <= 4000
    arguments = json.loads(next(m for m in sent["messages"] if m.get("tool_calls"))["tool_calls"][0]["function"]
                           ["arguments"])
    assert "did not fit the context budget" in arguments["content"]
    assert any(e.startswith("cut 1 message too long") for e in turn.steps[1].events)


def test_a_server_that_refuses_stream_options_is_asked_without(server):
    """OpenAI API reference: ``stream_options`` is optional; an older proxy answers 400 "Unrecognized request
    argument supplied: stream_options". The usage it brings (truncation checks) is worth one retry."""
    server.push(raw_error(400, {"error": {"message": "Unrecognized request argument supplied: stream_options",
                                          "type": "invalid_request_error"}}), text("Streamed."))
    tokens: list[str] = []
    reply = complete(client_for(server), model="m", messages=[{"role": "user", "content": "hi"}],
                     on_token=tokens.append)
    assert reply.content == "Streamed." and "".join(tokens) == "Streamed."
    assert "stream_options" in server.requests[0] and "stream_options" not in server.requests[1]
