"""`journal serve`: the Letta-compatible API through `letta-client` from PyPI, on a real uvicorn server.

The model is the scripted OpenAI-compatible server of tests/support; the agent loop, recall and
core memory, the search pipeline, uvicorn and the SDKs run for real, over HTTP on 127.0.0.1.
The calls are the course's ("LLMs as Operating Systems: Agent Memory"): create a message, stream
one, retrieve and modify the `learner` block, search passages.
"""

from __future__ import annotations

import json

import httpx
import pytest
from letta_client import Letta

from journal_agent.agent.core_memory import CoreMemory
from journal_agent.agent.recall import RecallMemory
from journal_agent.service.http import create_app
from journal_agent.service.http.letta import agent_id
from tests.support.http_server import running
from tests.support.openai_server import rule_responder

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
