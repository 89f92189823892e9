"""`journal serve` is safe by default: loopback or a token, the token on every endpoint, bounded bodies,
one turn per agent conversation (409) while reads go on, and the model key in no response or log."""

from __future__ import annotations

import json
import logging
import threading

import httpx
import pytest
from letta_client import Letta

from journal_agent.errors import TokenRequired
from journal_agent.locks import JournalLock
from journal_agent.service.http import create_app
from journal_agent.service.http.guard import check_bind, is_loopback
from journal_agent.service.http.letta import agent_id
from tests.support.http_server import running
from tests.support.openai_server import echo_key_error, rule_responder, text

JOURNAL_ID = agent_id("journal")
ASK = {"messages": [{"role": "user", "content": "Which course did I start about agent memory?"}]}


def test_any_address_but_loopback_needs_a_token():
    assert is_loopback("127.0.0.1") and is_loopback("::1") and is_loopback("localhost")
    assert not is_loopback("0.0.0.0") and not is_loopback("192.168.1.20")
    check_bind("127.0.0.1", None)
    check_bind("0.0.0.0", "a-token")
    with pytest.raises(TokenRequired) as info:
        check_bind("0.0.0.0", None)
    assert "0.0.0.0" in str(info.value) and "--token" in info.value.hint


def test_cli_refuses_to_start_on_a_public_address_without_a_token(journal_dir, run_cli, monkeypatch):
    monkeypatch.delenv("JOURNAL_SERVER_TOKEN", raising=False)
    from click.testing import CliRunner

    from journal_agent.cli import main

    result = CliRunner().invoke(main, ["--root", str(journal_dir), "serve", "--host", "0.0.0.0"])
    assert result.exit_code == 1
    assert "without a bearer token" in result.output and "JOURNAL_SERVER_TOKEN" in result.output


def test_with_a_token_every_endpoint_needs_it(seeded_journal, server):
    server.responder = rule_responder
    with running(create_app(seeded_journal, token="s3cret-token")) as url:
        for method, path in [("GET", "/v1/agents/"), ("GET", f"/v1/agents/{JOURNAL_ID}/messages"),
                             ("POST", f"/v1/agents/{JOURNAL_ID}/messages"), ("POST", "/v1/chat/completions"),
                             ("POST", "/mcp"), ("GET", "/v1/health/"), ("POST", "/")]:
            refused = httpx.request(method, url + path, json={})
            assert refused.status_code == 401, path
            assert "Authorization: Bearer" in refused.json()["detail"]
            wrong = httpx.request(method, url + path, json={}, headers={"Authorization": "Bearer nope"})
            assert wrong.status_code == 401 and "wrong bearer token" in wrong.json()["detail"]
        # the published site's pages load without it (a browser opening /ask/ cannot send a bearer header)
        page = httpx.get(url + "/")
        assert page.status_code != 401 and "journal site" in page.text  # no site built: says how to build it
        letta = Letta(base_url=url, api_key="s3cret-token", max_retries=0)
        assert [a.name for a in letta.agents.list()] == ["journal", "coach"]
        answer = letta.agents.messages.create(JOURNAL_ID, messages=ASK["messages"]).messages[-1]
        assert "Momentum Learning Day 2" in answer.content


def test_request_bodies_are_bounded(seeded_journal, server):
    with running(create_app(seeded_journal, max_body=2000)) as url:
        big = {"messages": [{"role": "user", "content": "x" * 5000}]}
        response = httpx.post(f"{url}/v1/agents/{JOURNAL_ID}/messages", json=big)
        assert response.status_code == 413
        assert "larger than this server accepts (2,000 bytes)" in response.json()["detail"]

        def chunks():  # no Content-Length: counted as it arrives
            for _ in range(10):
                yield b"x" * 500

        chunked = httpx.post(f"{url}/v1/agents/{JOURNAL_ID}/messages", content=chunks())
        assert chunked.status_code == 413
    assert server.requests == []  # the model never saw them


def test_a_second_turn_is_409_while_reads_go_on(seeded_journal, server):
    gate = threading.Event()

    def slow(body):
        gate.wait(20)
        return rule_responder(body)

    server.responder = slow
    with running(create_app(seeded_journal)) as url:
        first = httpx.Client(timeout=30)
        with first.stream("POST", f"{url}/v1/agents/{JOURNAL_ID}/messages/stream", json=ASK) as streaming:
            assert streaming.status_code == 200  # the turn holds the conversation and waits for the model
            busy = httpx.post(f"{url}/v1/agents/{JOURNAL_ID}/messages", json=ASK)
            assert busy.status_code == 409
            assert busy.json()["detail"].startswith("the journal agent is answering another message")
            chat = httpx.post(f"{url}/v1/chat/completions", json={"model": "journal", **ASK})
            assert chat.status_code == 409
            # reads do not wait for the turn
            assert httpx.get(f"{url}/v1/agents/{JOURNAL_ID}/messages", timeout=5).status_code == 200
            assert httpx.get(f"{url}/v1/agents/{JOURNAL_ID}/core-memory/blocks/learner", timeout=5).status_code == 200
            # another agent has its own conversation
            coach = httpx.get(f"{url}/v1/agents/{agent_id('coach')}", timeout=5)
            assert coach.status_code == 200
            gate.set()
            lines = [line for line in streaming.iter_lines() if line]
        assert lines[-1] == "data: [DONE]" and '"end_turn"' in lines[-3]
        again = httpx.post(f"{url}/v1/agents/{JOURNAL_ID}/messages", json=ASK, timeout=30)
        assert again.status_code == 200  # free again once the turn ended


def test_a_turn_held_by_another_process_is_409_at_once(seeded_journal, server):
    """`journal ask` in another process holds the agent's conversation lock: no 300 s wait."""
    server.responder = rule_responder
    held = JournalLock(seeded_journal.state_dir / "conversation.lock", holder="`journal ask`", timeout=0)
    held.acquire()
    try:
        with running(create_app(seeded_journal)) as url:
            busy = httpx.post(f"{url}/v1/agents/{JOURNAL_ID}/messages", json=ASK, timeout=30)
            assert busy.status_code == 409 and "conversation.lock" in busy.json()["detail"]
            assert server.requests == []
    finally:
        held.release()


def test_the_model_key_is_in_no_response_and_no_log(seeded_journal, server, monkeypatch, caplog):
    key = "sk-serve-secret-0123456789abcdefXYZ"
    monkeypatch.setenv("OPENAI_API_KEY", key)
    server.push(echo_key_error(400), echo_key_error(400))  # a proxy quoting the Authorization header back
    caplog.set_level(logging.DEBUG)
    with running(create_app(seeded_journal)) as url:
        failed = httpx.post(f"{url}/v1/agents/{JOURNAL_ID}/messages", json=ASK, timeout=30)
        assert failed.status_code == 502 and "upstream refused the request" in failed.json()["detail"]
        streamed = httpx.post(f"{url}/v1/agents/{JOURNAL_ID}/messages/stream", json=ASK, timeout=30)
        server.push(echo_key_error(400))
        chat = httpx.post(f"{url}/v1/chat/completions", json={"model": "journal", **ASK}, timeout=30)
        server.push(text("Fine now."))
        fine = httpx.post(f"{url}/v1/agents/{JOURNAL_ID}/messages", json=ASK, timeout=30)
        listed = httpx.get(f"{url}/v1/agents/{JOURNAL_ID}/messages?limit=1000")
        agents = httpx.get(f"{url}/v1/agents/")
    assert any(key in str(h) for h in server.headers)  # the key was really sent
    for response in (failed, streamed, chat, fine, listed, agents):
        assert key not in response.text and key[:12] not in response.text
    assert key not in caplog.text and key[:12] not in caplog.text


def test_private_notes_are_not_served_or_sent_unless_configured(seeded_root, server):
    from journal_agent.archive.ingest import ingest
    from journal_agent.workspace import open_journal
    from tests.support.journals import set_config, write

    write(seeded_root / "notes" / "secret.md",
          "---\ntitle: Secret\ndate: 2025-09-26\nprivate: true\n---\nMy zanzibar salary negotiation notes.\n")
    ingest(open_journal(root=seeded_root))
    server.responder = rule_responder
    ask = {"messages": [{"role": "user", "content": "zanzibar salary negotiation"}]}
    with running(create_app(open_journal(root=seeded_root))) as url:
        found = httpx.get(f"{url}/v1/agents/{JOURNAL_ID}/archival-memory/search", params={"query": "zanzibar salary"})
        turn = httpx.post(f"{url}/v1/agents/{JOURNAL_ID}/messages", json=ask, timeout=30)
    assert found.status_code == 200 and "zanzibar" not in found.text
    assert turn.status_code == 200 and "zanzibar salary negotiation notes" not in turn.text
    assert not any("negotiation notes" in json.dumps(r) for r in server.requests)  # the model never saw it
    set_config(seeded_root, "llm", "share_private", True)  # the learner chose to share them
    with running(create_app(open_journal(root=seeded_root))) as url:
        shared = httpx.get(f"{url}/v1/agents/{JOURNAL_ID}/archival-memory/search", params={"query": "zanzibar salary"})
    assert "zanzibar salary negotiation notes" in shared.json()["results"][0]["content"]


def test_without_a_model_turns_are_503_and_reads_still_work(seeded_journal):
    with running(create_app(seeded_journal)) as url:  # no OPENAI_* in the environment, no [llm] base_url
        turn = httpx.post(f"{url}/v1/agents/{JOURNAL_ID}/messages", json=ASK)
        chat = httpx.post(f"{url}/v1/chat/completions", json={"model": "journal", **ASK})
        reads = [httpx.get(f"{url}{path}") for path in (
            "/v1/agents/", f"/v1/agents/{JOURNAL_ID}/messages", f"/v1/agents/{JOURNAL_ID}/core-memory/blocks/learner",
            f"/v1/agents/{JOURNAL_ID}/archival-memory/search?query=agent+memory")]
        again = httpx.post(f"{url}/v1/agents/{JOURNAL_ID}/messages", json=ASK)
    assert turn.status_code == chat.status_code == 503 and "No model configured" in turn.json()["detail"]
    assert chat.json()["error"]["message"] == chat.json()["detail"]  # the openai SDK shows error.message
    assert [r.status_code for r in reads] == [200, 200, 200, 200]
    assert again.status_code == 503  # a failed start leaves the agent free, not busy


def test_a_model_failure_mid_stream_ends_the_stream_with_an_error_message(seeded_journal, server):
    from tests.support.openai_server import call, error

    server.push(call("archival_memory_search", {"query": "agent memory"}), error(400, "context too odd"))
    with running(create_app(seeded_journal)) as url:
        response = httpx.post(f"{url}/v1/agents/{JOURNAL_ID}/messages/stream", json=ASK, timeout=30)
        listed = httpx.get(f"{url}/v1/agents/{JOURNAL_ID}/messages", params={"order": "asc"}).json()
        bad = httpx.get(f"{url}/v1/agents/{JOURNAL_ID}/messages", params={"conversation_id": "999"})
    lines = [line[6:] for line in response.text.splitlines() if line.startswith("data: ")]
    assert lines[-1] == "[DONE]"
    events = [json.loads(line) for line in lines[:-1]]
    assert [e["message_type"] for e in events] == ["tool_call_message", "tool_return_message", "error_message",
                                                   "stop_reason"]
    assert "context too odd" in events[2]["message"] and events[3]["stop_reason"] == "llm_api_error"
    assert [m["message_type"] for m in listed][-2:] == ["tool_call_message", "tool_return_message"]  # kept
    assert bad.status_code == 404 and "no conversation #999" in bad.json()["detail"]


def test_a_client_that_leaves_mid_stream_leaves_a_whole_turn_behind(seeded_journal, server):
    """The turn runs to its end without its client; meanwhile a 409 says when it started and that it
    finishes; then the next message is answered and recall memory holds both turns whole."""
    from journal_agent.agent.recall import RecallMemory

    gate = threading.Event()

    def answer_when_released(body):
        if body["messages"][-1]["role"] == "tool":
            assert gate.wait(20), "the test never let the model answer"
        return rule_responder(body)

    server.responder = answer_when_released
    with running(create_app(seeded_journal)) as url:
        with httpx.stream("POST", f"{url}/v1/agents/{JOURNAL_ID}/messages/stream", json=ASK, timeout=30) as left:
            for line in left.iter_lines():
                if '"tool_return_message"' in line:
                    break  # the client goes away before the answer
        busy = httpx.post(f"{url}/v1/agents/{JOURNAL_ID}/messages", json=ASK, timeout=30)
        assert busy.status_code == 409
        detail = busy.json()["detail"]
        assert "started at " + busy.json()["started_at"] in detail
        assert "runs to its end" in detail and "disconnect" in detail
        gate.set()
        for _ in range(600):  # a read never waits for the turn: poll the messages until the answer is stored
            listed = httpx.get(f"{url}/v1/agents/{JOURNAL_ID}/messages", params={"order": "asc"}, timeout=5).json()
            if listed and listed[-1]["message_type"] == "assistant_message":
                break
            threading.Event().wait(0.05)
        again = None
        for _ in range(600):  # the claim is released just after the answer is stored
            again = httpx.post(f"{url}/v1/agents/{JOURNAL_ID}/messages", json=ASK, timeout=30)
            if again.status_code != 409:
                break
            threading.Event().wait(0.05)
        assert again is not None and again.status_code == 200
        assert again.json()["messages"][-1]["message_type"] == "assistant_message"
    recall = RecallMemory.open(seeded_journal)
    [conversation] = recall.conversations()
    rows = recall.messages(conversation.id)
    roles = [row.role for row in rows]
    assert roles == ["user", "assistant", "tool", "assistant"] * 2  # both turns whole, nothing twice
    assert len({row.id for row in rows}) == len(rows)
    assert "Momentum Learning Day 2" in rows[3].content and rows[3].content == rows[7].content
