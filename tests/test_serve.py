"""`journal serve`: the Letta-compatible API through `letta-client` from PyPI, on a real uvicorn server.

The model is the scripted OpenAI-compatible server of tests/support; the agent loop, recall and
core memory, the search pipeline, uvicorn and the SDKs run for real, over HTTP on 127.0.0.1.
The calls are the course's ("LLMs as Operating Systems: Agent Memory"): create a message, stream
one, retrieve and modify the `learner` block, search passages.
"""

from __future__ import annotations

import json
import threading

import httpx
import pytest
from letta_client import Letta

from journal_agent.agent.core_memory import CoreMemory
from journal_agent.agent.recall import RecallMemory
from journal_agent.service.http import create_app
from journal_agent.service.http.letta import agent_id
from tests.support.http_server import running
from tests.support.openai_server import call, reasoned, rule_responder, without_tail

SEED_PATH = "notes/Momentum Learning Day 2.markdown"
QUESTION = "Which course did I start about agent memory?"
JOURNAL_ID = agent_id("journal")


@pytest.fixture
def base_url(seeded_journal, server):
    server.responder = rule_responder
    with running(create_app(seeded_journal)) as url:
        yield url


@pytest.fixture
def letta(base_url):
    return Letta(base_url=base_url, api_key="unused-without-a-token", max_retries=0)


def test_agents_are_listed_with_letta_ids_and_their_blocks(letta):
    agents = list(letta.agents.list())
    assert [a.name for a in agents] == ["journal", "coach"]  # the sleep-time agent is not one to talk to
    journal = agents[0]
    assert journal.id == JOURNAL_ID and journal.id.startswith("agent-")
    assert {b.label for b in journal.blocks} == {"persona", "learner", "study_queue"}
    assert letta.agents.retrieve(JOURNAL_ID).name == "journal"
    assert letta.agents.retrieve("journal").id == JOURNAL_ID  # the name works as an id


def test_create_message_returns_the_steps_and_the_cited_answer(letta, seeded_journal):
    response = letta.agents.messages.create(JOURNAL_ID, messages=[{"role": "user", "content": QUESTION}])
    kinds = [m.message_type for m in response.messages]
    assert kinds == ["tool_call_message", "tool_return_message", "assistant_message"]
    call, result, answer = response.messages
    assert call.tool_call.name == "archival_memory_search"
    assert json.loads(call.tool_call.arguments) == {"query": QUESTION}
    assert result.tool_call_id == call.tool_call.tool_call_id and result.status == "success"
    assert "LLMs as Operating Systems: Agent Memory" in result.tool_return
    assert answer.content == f'You wrote about this in "Momentum Learning Day 2" (2025-09-18, `{SEED_PATH}`).'
    assert response.stop_reason.stop_reason == "end_turn"
    assert response.usage.step_count == 2 and response.usage.prompt_tokens > 0
    # stored in the agent's server conversation, which `journal log` shows as `serve`
    recall = RecallMemory.open(seeded_journal)
    [conversation] = recall.conversations()
    assert conversation.command == "serve" and conversation.agent == "journal" and conversation.messages == 4


def test_stream_sends_each_step_then_stop_reason_and_usage(letta):
    stream = letta.agents.messages.create(JOURNAL_ID, messages=[{"role": "user", "content": QUESTION}],
                                          streaming=True)
    chunks = list(stream)
    assert [c.message_type for c in chunks] == ["tool_call_message", "tool_return_message", "assistant_message",
                                                "stop_reason", "usage_statistics"]
    assert "Momentum Learning Day 2" in chunks[2].content
    assert chunks[3].stop_reason == "end_turn" and chunks[4].step_count == 2


def test_deprecated_stream_path_and_raw_sse(base_url):
    with httpx.stream("POST", f"{base_url}/v1/agents/{JOURNAL_ID}/messages/stream",
                      json={"messages": [{"role": "user", "content": QUESTION}]}, timeout=30) as response:
        assert response.headers["content-type"].startswith("text/event-stream")
        lines = [line for line in response.iter_lines() if line]
    assert all(line.startswith("data: ") for line in lines)
    assert lines[-1] == "data: [DONE]"
    events = [json.loads(line[6:]) for line in lines[:-1]]
    assert [e["message_type"] for e in events][-2:] == ["stop_reason", "usage_statistics"]


def test_messages_are_paged_and_ids_match_the_turn(letta):
    sent = letta.agents.messages.create(JOURNAL_ID, messages=[{"role": "user", "content": QUESTION}])
    listed = letta.agents.messages.list(JOURNAL_ID, order="asc", limit=100).items
    assert [m.message_type for m in listed] == ["user_message", "tool_call_message", "tool_return_message",
                                                "assistant_message"]
    assert listed[0].content == QUESTION
    assert [m.id for m in listed[1:]] == [m.id for m in sent.messages]  # one id, streamed or listed
    first = letta.agents.messages.list(JOURNAL_ID, order="asc", limit=2)
    assert [m.id for m in first.items] == [m.id for m in listed[:2]]
    rest = letta.agents.messages.list(JOURNAL_ID, order="asc", limit=2, after=first.items[-1].id)
    assert [m.id for m in rest.items] == [m.id for m in listed[2:]]
    newest = letta.agents.messages.list(JOURNAL_ID, limit=1).items  # desc: newest first (Letta's default)
    assert newest[0].id == listed[-1].id
    older = letta.agents.messages.list(JOURNAL_ID, order="asc", limit=10, before=listed[1].id).items
    assert [m.id for m in older] == [listed[0].id]
    # cursors are relative to the sort order (Letta's API reference): before in desc order is newer
    newer = letta.agents.messages.list(JOURNAL_ID, limit=10, before=listed[1].id).items
    assert [m.id for m in newer] == [listed[3].id, listed[2].id]


def test_learner_block_is_read_and_modified_as_the_cli_does(letta, seeded_journal):
    block = letta.agents.blocks.retrieve("learner", agent_id=JOURNAL_ID)
    assert block.label == "learner" and block.limit == 5000 and block.value.startswith("Goals:")
    changed = letta.agents.blocks.update("learner", agent_id=JOURNAL_ID, value="Goals: finish the course")
    assert changed.value == "Goals: finish the course"
    core = CoreMemory.open(seeded_journal)
    assert core.block("learner").value == "Goals: finish the course"
    assert core.history()[-1].tool == "memory edit" and core.history()[-1].after == "Goals: finish the course"
    # the limit holds, exactly as `journal memory edit`: nothing is saved
    with pytest.raises(Exception) as info:
        letta.agents.blocks.update("learner", agent_id=JOURNAL_ID, value="x" * 5001)
    assert info.value.status_code == 400 and "5,000" in info.value.body["detail"] or "5000" in str(info.value)
    assert CoreMemory.open(seeded_journal).block("learner").value == "Goals: finish the course"
    with pytest.raises(Exception) as missing:
        letta.agents.blocks.retrieve("nope", agent_id=JOURNAL_ID)
    assert missing.value.status_code == 404


def test_passages_search_goes_through_the_search_pipeline(letta):
    found = letta.agents.passages.search(JOURNAL_ID, query="agent memory course", top_k=3)
    assert found.count == len(found.results) >= 1
    assert "LLMs as Operating Systems" in found.results[0].content
    assert found.results[0].timestamp.startswith("2025-09-18")


def test_unknown_agent_is_404_with_a_detail(base_url):
    response = httpx.get(f"{base_url}/v1/agents/agent-nope")
    assert response.status_code == 404
    assert "no agent 'agent-nope'" in response.json()["detail"] and JOURNAL_ID in response.json()["detail"]


def test_context_shows_what_the_next_request_sends(letta, base_url):
    letta.agents.messages.create(JOURNAL_ID, messages=[{"role": "user", "content": QUESTION}])
    view = httpx.get(f"{base_url}/v1/agents/{JOURNAL_ID}/context", params={"message": "And next?"}).json()
    assert view["context_window_size_current"] == view["journal"]["tokens"] > 0
    assert sum(s["tokens"] for s in view["journal"]["sections"]) == view["journal"]["tokens"]
    learner = next(b for b in view["journal"]["blocks"] if b["label"] == "learner")
    assert learner["chars_limit"] == 5000 and learner["chars_current"] > 0
    assert "<learner>" in view["core_memory"]
    assert {f["function"]["name"] for f in view["functions_definitions"]} >= {"archival_memory_search"}
    users = [m["content"] for m in view["messages"] if m["role"] == "user"]
    assert users[0] == QUESTION and users[-1].startswith("And next?")  # the server conversation, continued
    assert view["journal"]["conversation_id"] is not None


def test_steps_are_streamed_while_the_turn_runs(seeded_journal, server):
    """The tool call and its result reach the client before the model has written the answer."""
    gate = threading.Event()

    def answer_when_released(body):
        if body["messages"][-1]["role"] == "tool":
            assert gate.wait(20), "the client never saw the tool result"
        return rule_responder(body)

    server.responder = answer_when_released
    seen = []
    with running(create_app(seeded_journal)) as url, httpx.stream(
            "POST", f"{url}/v1/agents/{JOURNAL_ID}/messages/stream",
            json={"messages": [{"role": "user", "content": QUESTION}]}, timeout=30) as response:
        for line in response.iter_lines():
            if not line.startswith("data: {"):
                continue
            seen.append(json.loads(line[6:])["message_type"])
            if seen[-1] == "tool_return_message":
                assert not gate.is_set() and "assistant_message" not in seen
                gate.set()  # now the model may answer
    assert seen == ["tool_call_message", "tool_return_message", "assistant_message", "stop_reason",
                    "usage_statistics"]


def test_reasoning_is_a_reasoning_message_before_the_calls_it_led_to(letta, server):
    server.responder = None
    search = call("archival_memory_search", {"query": "agent memory"})
    server.push(reasoned("", "The learner asks about a course; search the notes.", tool_calls=search["tool_calls"]),
                reasoned("You started the agent memory course.", "Found it in Day 2."))
    response = letta.agents.messages.create(JOURNAL_ID, messages=[{"role": "user", "content": QUESTION}])
    assert [(m.message_type, getattr(m, "reasoning", None)) for m in response.messages] == [
        ("reasoning_message", "The learner asks about a course; search the notes."),
        ("tool_call_message", None), ("tool_return_message", None),
        ("reasoning_message", "Found it in Day 2."), ("assistant_message", None)]
    assert response.messages[-1].content == "You started the agent memory course."


def test_the_server_conversation_goes_on_across_turns_and_restarts(seeded_journal, server):
    server.responder = rule_responder
    ask = [{"role": "user", "content": QUESTION}]
    with running(create_app(seeded_journal)) as url:
        client = Letta(base_url=url, api_key="x", max_retries=0)
        first = client.agents.messages.create(JOURNAL_ID, messages=ask)
        second = client.agents.messages.create(JOURNAL_ID, messages=[{"role": "user", "content": "And then?"}])
    assert len(second.messages) == 3 and not {m.id for m in first.messages} & {m.id for m in second.messages}
    with running(create_app(seeded_journal)) as url:  # a restarted server continues the same conversation
        client = Letta(base_url=url, api_key="x", max_retries=0)
        third = client.agents.messages.create(JOURNAL_ID, messages=[{"role": "user", "content": "Once more"}])
        listed = client.agents.messages.list(JOURNAL_ID, order="asc", limit=1000).items
    users = [without_tail(m["content"]) for m in server.tool_requests[-1]["messages"] if m["role"] == "user"]
    assert users == [QUESTION, "And then?", "Once more"]
    assert [m.id for m in listed if m.message_type != "user_message"][-3:] == [m.id for m in third.messages]
    assert len(RecallMemory.open(seeded_journal).conversations()) == 1


def test_only_a_blocks_value_can_be_changed_over_http(base_url, seeded_journal):
    url = f"{base_url}/v1/agents/{JOURNAL_ID}/core-memory/blocks/learner"
    refused = httpx.patch(url, json={"limit": 9000, "value": "Goals: x"})
    assert refused.status_code == 422 and "not limit" in refused.json()["detail"]
    same = httpx.patch(url, json={"label": "learner", "limit": 5000, "value": "Goals: y"})  # unchanged fields pass
    assert same.status_code == 200 and same.json()["value"] == "Goals: y"
    blocks = httpx.get(f"{base_url}/v1/agents/{JOURNAL_ID}/core-memory/blocks").json()
    assert [b["label"] for b in blocks] == ["persona", "learner", "study_queue"]
    assert blocks[1]["metadata"]["chars_current"] == len("Goals: y")


def test_max_steps_caps_the_turn_as_letta_does(letta):
    response = letta.agents.messages.create(JOURNAL_ID, messages=[{"role": "user", "content": QUESTION}],
                                            max_steps=1)
    assert response.stop_reason.stop_reason == "max_steps" and response.usage.step_count == 1
    assert response.messages[-1].content.startswith("I stopped after 1 steps")
    again = letta.agents.messages.create(JOURNAL_ID, messages=[{"role": "user", "content": QUESTION}])
    assert again.stop_reason.stop_reason == "end_turn"  # the cap was for that request only
