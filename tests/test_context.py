"""The compiled agent state (issue 22): ``compile_context`` and ``journal context`` show what the next
request sends, and the fake OpenAI server receives exactly that on the next turn."""

from __future__ import annotations

import json

from journal_agent.agent.compiled import compile_context
from journal_agent.agent.core_memory import CoreMemory
from journal_agent.agent.loop import Agent
from journal_agent.agent.recall import RecallMemory
from tests.support.openai_server import rule_responder, text


def _turns(journal, server, *questions: str, conversation="new") -> None:
    server.responder = rule_responder
    for question in questions:
        agent = Agent(journal, conversation=conversation)
        agent.ask(question)
        agent.close()
        conversation = "continue"


def test_context_shown_is_what_the_server_receives_next(seeded_journal, server):
    _turns(seeded_journal, server, "Which course did I start about agent memory?", "And what about search?")
    question = "What did I write about memory blocks?"
    view = compile_context(seeded_journal, message=question)
    before = len(server.requests)
    agent = Agent(seeded_journal, conversation="continue")
    turn = agent.ask(question)
    agent.close()
    sent = server.requests[before]
    assert sent["messages"] == view.messages  # byte for byte, tail and history included
    assert sent["tools"] == view.tools
    assert turn.steps[0].context_tokens == view.tokens  # the loop's own count
    assert view.num_messages_in_view == 8 and len(view.messages) == 10  # system + 8 in view + the question


def test_sections_add_up_and_name_the_tokenizer(seeded_journal, server):
    _turns(seeded_journal, server, "Which course did I start about agent memory?")
    view = compile_context(seeded_journal, message="One more question")
    assert sum(s.tokens for s in view.sections) == view.tokens
    assert view.section("tool_schemas") > 0 and view.section("core_memory") > 0
    assert abs(view.section("framing")) < 5 * len(view.messages) + 10  # per-message overhead, not a lost section
    assert view.encoding in view.encoding_reason and view.encoding_reason.split(":")[0] == view.encoding
    assert view.budget == 8000 and view.tokens <= 2500  # the default budget; a short conversation is lean
    assert "Today's date" in view.memory_metadata and view.memory_metadata in view.messages[-1]["content"]
    learner = next(b for b in view.blocks if b.label == "learner")
    assert (learner.chars_limit, learner.chars_current) == (5000, len(CoreMemory.open(seeded_journal).block(
        "learner").value))
    letta = view.letta()
    assert letta["context_window_size_current"] == view.tokens
    assert letta["num_tokens_functions_definitions"] == view.section("tool_schemas")


def test_preview_changes_nothing(seeded_journal, server):
    _turns(seeded_journal, server, "Which course did I start about agent memory?")
    recall = RecallMemory.open(seeded_journal, agent="journal")
    stored = recall.count()
    compile_context(seeded_journal, message="a question never sent", conversation="new")
    compile_context(seeded_journal)
    assert recall.count() == stored and len(recall.conversations()) == 1
    recall.close()


def test_over_budget_says_what_a_step_would_do_without_doing_it(seeded_journal, server):
    server.push(text("x " * 3000))  # a long answer fills the window
    agent = Agent(seeded_journal, conversation="new")
    agent.ask("Tell me everything")
    agent.close()
    view = compile_context(seeded_journal, message="and then?")
    runner = Agent(seeded_journal, conversation="continue", context_tokens=2800)
    prepared = runner.preview("and then?")
    runner.close()
    assert any(e.startswith("would summarize and evict") for e in prepared.events)
    assert prepared.tokens <= 2800 and "x x x" not in json.dumps(prepared.messages)
    recall = RecallMemory.open(seeded_journal, agent="journal")
    assert recall.count(in_context_only=False) == 2 and recall.summary == ""
    recall.close()
    assert view.tokens > 2800  # the default 8,000 budget holds it all


def test_journal_context_command(seeded_root, seeded_journal, server, run_cli):
    _turns(seeded_journal, server, "Which course did I start about agent memory?")
    result = run_cli("context", "--json", root=seeded_root)
    assert result.exit_code == 0, result.output
    data = json.loads(result.output)
    assert data["agent"] == "journal" and data["tokens"] == sum(s["tokens"] for s in data["sections"])
    assert {b["label"] for b in data["blocks"]} == {"persona", "learner", "study_queue"}
    shown = run_cli("context", root=seeded_root)
    assert shown.exit_code == 0, shown.output
    for words in ("system instructions", "core memory", "tool schemas", "learner", "/ 5,000 chars", "budget"):
        assert words in shown.output
    assert "cl100k" in shown.output or "o200k" in shown.output or "estimate" in shown.output
    missing = run_cli("context", "--agent", "nobody", root=seeded_root)
    assert missing.exit_code == 1 and "no agent named 'nobody'" in missing.output


def test_every_agent_has_a_context(seeded_journal):
    coach = compile_context(seeded_journal, agent="coach", message="plan my week")
    assert "task_queue_push" in {t["function"]["name"] for t in coach.tools}
    assert {b.label for b in coach.blocks} == {"coach_persona", "learner", "study_queue"}
    sleeptime = compile_context(seeded_journal, agent="sleeptime")
    assert [b.label for b in sleeptime.blocks] == ["learner"] and sleeptime.conversation_id is None
    assert sleeptime.messages[0]["role"] == "system" and "Today's date" in sleeptime.messages[0]["content"]
