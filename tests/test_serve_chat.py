"""`journal serve`: OpenAI-compatible chat (the real `openai` client), MCP over streamable HTTP (the `mcp`
SDK's client), and the built site as static files, all on one uvicorn server on 127.0.0.1."""

from __future__ import annotations

import asyncio
import json

import httpx
import openai
import pytest
from mcp import Client

from journal_agent.service.http import create_app
from journal_agent.site.render import GENERATED_HEADER
from tests.support.http_server import running
from tests.support.openai_server import rule_responder

SEED_PATH = "notes/Momentum Learning Day 2.markdown"
QUESTION = "Which course did I start about agent memory?"
ANSWER = f'You wrote about this in "Momentum Learning Day 2" (2025-09-18, `{SEED_PATH}`).'


def built_site(root) -> None:
    """What `journal site build` leaves for the seed note: its generated post and its page."""
    posts, public = root / "site" / "docs" / "posts", root / "site" / "public"
    posts.mkdir(parents=True)
    (posts / "day-2.md").write_text(f"---\n{GENERATED_HEADER.format(source=SEED_PATH)}\ntitle: Day 2\n---\n\nText\n",
                                    encoding="utf-8")
    (public / "day-2").mkdir(parents=True)
    (public / "day-2" / "index.html").write_text("<html><body>Momentum Learning Day 2</body></html>", encoding="utf-8")
    (public / "index.html").write_text("<html><body>The journal</body></html>", encoding="utf-8")


@pytest.fixture
def base_url(seeded_journal, server):
    server.responder = rule_responder
    with running(create_app(seeded_journal)) as url:
        yield url


def test_chat_completion_answers_with_steps_as_reasoning_and_sources(base_url):
    client = openai.OpenAI(base_url=f"{base_url}/v1", api_key="unused", max_retries=0)
    reply = client.chat.completions.create(model="journal", messages=[{"role": "user", "content": QUESTION}])
    message = reply.choices[0].message
    assert message.content == f"{ANSWER}\n\nSources:\n- Momentum Learning Day 2 (2025-09-18), `{SEED_PATH}`"
    reasoning = (message.model_extra or {})["reasoning_content"]
    assert reasoning.startswith(f'→ archival_memory_search({{"query": "{QUESTION}"}})\n')
    assert '← archival_memory_search: ' in reasoning and '1. "Momentum Learning Day 2" | 2025-09-18' in reasoning
    assert reply.choices[0].finish_reason == "stop" and reply.model == "journal"
    assert reply.usage.prompt_tokens > 0


def test_chat_completion_streams_reasoning_deltas_then_the_answer(seeded_journal, server):
    server.responder = rule_responder
    built_site(seeded_journal.root)
    with running(create_app(seeded_journal)) as url:
        client = openai.OpenAI(base_url=f"{url}/v1", api_key="unused", max_retries=0)
        stream = client.chat.completions.create(model="journal", stream=True, stream_options={"include_usage": True},
                                                messages=[{"role": "system", "content": "ignored"},
                                                          {"role": "user", "content": QUESTION}])
        order, content, reasoning, finish, usage = [], "", "", None, None
        for chunk in stream:
            delta = chunk.choices[0].delta
            extra = (delta.model_extra or {}).get("reasoning_content")
            if extra:
                reasoning += extra
                order.append("reasoning")
            if delta.content:
                content += delta.content
                order.append("content")
            finish = chunk.choices[0].finish_reason or finish
            usage = chunk.usage or usage
        page = httpx.get(f"{url}/day-2/")  # the citation's link, served from the same origin
    assert order[:2] == ["reasoning", "reasoning"] and order[-1] == "content"
    assert content == f"{ANSWER}\n\nSources:\n- [Momentum Learning Day 2 (2025-09-18)](/day-2/)"
    assert "archival_memory_search" in reasoning and finish == "stop" and usage.total_tokens > 0
    assert page.status_code == 200 and "Momentum Learning Day 2" in page.text


def test_chat_completion_needs_a_known_agent_and_a_user_message(base_url):
    client = openai.OpenAI(base_url=f"{base_url}/v1", api_key="unused", max_retries=0)
    with pytest.raises(openai.NotFoundError) as missing:
        client.chat.completions.create(model="gpt-4o", messages=[{"role": "user", "content": "hi"}])
    assert "no agent 'gpt-4o'" in str(missing.value)
    with pytest.raises(openai.UnprocessableEntityError):
        client.chat.completions.create(model="journal", messages=[{"role": "system", "content": "hi"}])


def test_mcp_over_streamable_http_has_the_tools_of_journal_mcp(base_url):
    async def main():
        async with Client(f"{base_url}/mcp") as client:
            tools = {tool.name for tool in (await client.list_tools()).tools}
            found = await client.call_tool("search_notes", {"query": "agent memory course"})
            return tools, found

    tools, found = asyncio.run(main())
    assert tools == {"search_notes", "list_notes", "read_note", "journal_stats", "core_memory"}
    assert not found.is_error
    text = "".join(getattr(part, "text", "") for part in found.content)
    assert "Momentum Learning Day 2" in text and "LLMs as Operating Systems" in text


def test_mcp_refuses_a_foreign_origin_on_loopback(base_url):
    """The MCP SDK's DNS-rebinding protection: a web page elsewhere cannot drive the local server."""
    body = {"jsonrpc": "2.0", "id": 1, "method": "tools/list", "params": {}}
    response = httpx.post(f"{base_url}/mcp", json=body, headers={
        "Origin": "http://evil.example", "Accept": "application/json, text/event-stream"})
    assert response.status_code == 403


def test_the_built_site_is_served_at_the_root(seeded_journal, server):
    built_site(seeded_journal.root)
    with running(create_app(seeded_journal)) as url:
        home = httpx.get(f"{url}/")
        missing = httpx.get(f"{url}/no-such-page/")
        api = httpx.get(f"{url}/v1/agents/")
    assert home.status_code == 200 and "The journal" in home.text
    assert missing.status_code == 404 and missing.json() == {"detail": "Not Found"}
    assert api.status_code == 200 and json.loads(api.text)[0]["name"] == "journal"


def test_without_a_built_site_the_root_says_how_to_build_it(base_url):
    response = httpx.get(f"{base_url}/")
    assert response.status_code == 404 and "journal site build" in response.json()["detail"]


ENTRY_NOTE = "notes/sprint-log.md"
ENTRY_TEXT = """# Sprint log

## 2025-09-20 Vector stores

Compared LanceDB with pgvector for the archive of the journal.

## 2025-09-21 Reciprocal rank fusion

Learned that reciprocal rank fusion merges the keyword ranking and the vector ranking.
"""


def test_a_cited_entry_links_to_its_anchor_the_same_in_chat_and_on_the_ask_page(seeded_journal, server):
    """One function makes the link: /v1/chat/completions' Markdown link and the URL the Ask page follows
    (the stream's ``sources``, next to the page's own post map) name the same post and entry anchor."""
    from journal_agent.archive.ingest import ingest
    from journal_agent.notes.journal import read_one
    from journal_agent.service.http.letta import agent_id
    from journal_agent.site.ask_page import post_links
    from journal_agent.site.render import note_slugs

    (seeded_journal.root / ENTRY_NOTE).write_text(ENTRY_TEXT, encoding="utf-8")
    assert not ingest(seeded_journal).failed
    note = read_one(seeded_journal, seeded_journal.root / ENTRY_NOTE)
    anchor = note.entries[-1].anchor
    assert anchor == "2025-09-21-reciprocal-rank-fusion"
    page_map = post_links([note], note_slugs([note]))  # what the built Ask page holds
    slug = page_map[ENTRY_NOTE]["url"].rstrip("/")
    posts, public = seeded_journal.root / "site" / "docs" / "posts", seeded_journal.root / "site" / "public"
    posts.mkdir(parents=True)
    (posts / f"{slug}.md").write_text(f"---\n{GENERATED_HEADER.format(source=ENTRY_NOTE)}\ntitle: Sprint log\n---\n",
                                      encoding="utf-8")
    (public / slug).mkdir(parents=True)
    (public / slug / "index.html").write_text(f'<h2 id="{anchor}">2025-09-21</h2>', encoding="utf-8")
    server.responder = rule_responder
    question = [{"role": "user", "content": "What did I learn about reciprocal rank fusion?"}]
    with running(create_app(seeded_journal)) as url:
        client = openai.OpenAI(base_url=f"{url}/v1", api_key="unused", max_retries=0)
        content = client.chat.completions.create(model="journal", messages=question).choices[0].message.content
        with httpx.stream("POST", f"{url}/v1/agents/{agent_id('journal')}/messages/stream",
                          json={"messages": question}, timeout=30) as response:
            events = [json.loads(line[6:]) for line in response.iter_lines() if line.startswith("data: {")]
    [stop] = [e for e in events if e["message_type"] == "stop_reason"]
    [source] = stop["sources"]
    assert source["path"] == ENTRY_NOTE and source["anchor"] == anchor
    assert source["url"] == f"{page_map[ENTRY_NOTE]['url']}#{anchor}"  # the Ask page's post URL + the entry
    assert content.endswith(f"Sources:\n- [Sprint log (2025-09-21)](/{source['url']})")
