"""The README's `journal serve` section runs as printed: its curl lines and its `letta-client` snippet,
against the app on a real uvicorn server on 127.0.0.1 (the scripted model of tests/support; letta-client
1.12.1 from PyPI, the version tests/test_serve.py runs)."""

from __future__ import annotations

import contextlib
import io
import json
import re
import shlex

import httpx

from journal_agent.agent.core_memory import CoreMemory
from journal_agent.service.http import create_app
from tests.support.http_server import running
from tests.support.journals import REPO
from tests.support.openai_server import rule_responder

README_BASE = "http://127.0.0.1:8283"


def serve_section() -> str:
    text = (REPO / "README.md").read_text(encoding="utf-8")
    section = text.split("\n## The agent as a service (`journal serve`)\n", 1)[1]
    return section.split("\n## ", 1)[0]


def curl_lines() -> list[list[str]]:
    """The curl commands of the section's first sh block, continuation lines joined, as shlex words."""
    block = re.search(r"```sh\n(.*?)```", serve_section(), re.S)
    assert block, "the serve section has no sh block"
    joined = block.group(1).replace("\\\n", " ")
    return [shlex.split(line.split("|", 1)[0]) for line in joined.splitlines() if line.startswith("curl ")]


def letta_snippet() -> str:
    block = re.search(r"```python\n(.*?)```", serve_section(), re.S)
    assert block, "the serve section has no python block"
    return block.group(1)


def run_curl(words: list[str], base: str) -> httpx.Response:
    """A curl command of the README (``-s``, ``-N``, ``-H``, ``-d``) sent with httpx to ``base``."""
    headers, data, url = {}, None, None
    rest = iter(words[1:])
    for word in rest:
        if word == "-H":
            name, value = next(rest).split(":", 1)
            headers[name.strip()] = value.strip()
        elif word == "-d":
            data = next(rest)
        elif word.startswith("-"):
            assert set(word[1:]) <= {"s", "N"}, f"an option the test does not know: {word}"
        else:
            url = word
    assert url and url.startswith(README_BASE), url
    method = "POST" if data is not None else "GET"
    return httpx.request(method, base + url[len(README_BASE):], headers=headers, content=data, timeout=30)


def test_the_curl_lines_run_as_printed(seeded_journal, server):
    server.responder = rule_responder
    lines = curl_lines()
    assert len(lines) >= 2 and any("-d" in words for words in lines)
    with running(create_app(seeded_journal)) as url:
        responses = [run_curl(words, url) for words in lines]
    listed, streamed = responses[0], responses[1]
    assert listed.status_code == 200 and [a["name"] for a in listed.json()] == ["journal", "coach"]
    assert streamed.status_code == 200 and streamed.headers["content-type"].startswith("text/event-stream")
    events = [line[6:] for line in streamed.text.splitlines() if line.startswith("data: ")]
    assert events[-1] == "[DONE]"
    kinds = [json.loads(e)["message_type"] for e in events[:-1]]
    assert kinds[-3:] == ["assistant_message", "stop_reason", "usage_statistics"]


def test_the_letta_client_snippet_runs_as_printed(seeded_journal, server):
    """The course's calls: create a message, stream one, read and modify the learner block, search passages."""
    server.responder = rule_responder
    snippet = letta_snippet()
    for call in ("client.agents.messages.create(", "streaming=True", "client.agents.blocks.retrieve(\"learner\"",
                 "client.agents.blocks.update(\"learner\"", "client.agents.passages.search("):
        assert call in snippet, call
    before = CoreMemory.open(seeded_journal).block("learner").value
    printed = io.StringIO()
    with running(create_app(seeded_journal)) as url, contextlib.redirect_stdout(printed):
        scope: dict = {}
        exec(compile(snippet.replace(README_BASE, url), "README.md", "exec"), scope)  # noqa: S102 - our README
    lines = printed.getvalue().splitlines()
    assert [line.split(" ", 1)[0] for line in lines] == [
        "tool_call_message", "tool_return_message", "assistant_message",  # the created message's steps
        "tool_call_message", "tool_return_message", "assistant_message", "stop_reason", "usage_statistics"]  # streamed
    assert "archival_memory_search" in lines[0] and lines[2].startswith("assistant_message You wrote about this in")
    assert scope["reply"].stop_reason.stop_reason == "end_turn"
    assert CoreMemory.open(seeded_journal).block("learner").value == before + "\nGoal: finish the course"
    assert scope["hits"].count == len(scope["hits"].results) >= 1
