"""`journal serve` as a learner runs it: the command in its own process, then `letta-client` and curl-like calls."""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
import time
from pathlib import Path

import httpx
import pytest
from letta_client import Letta

from tests.support.openai_server import FakeOpenAI, echo_key_error, rule_responder

REPO = Path(__file__).resolve().parents[1]
KEY = "sk-process-secret-abcdef0123456789"


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@pytest.mark.slow
def test_journal_serve_command_answers_letta_client_with_the_token_from_the_environment(seeded_root):
    port = free_port()
    with FakeOpenAI(rule_responder) as model:
        env = {**os.environ, "OPENAI_BASE_URL": model.base_url, "OPENAI_API_KEY": KEY,
               "JOURNAL_SERVER_TOKEN": "proc-token", "PYTHONPATH": str(REPO)}
        process = subprocess.Popen([sys.executable, "-m", "journal_agent.cli", "--root", str(seeded_root), "serve",
                                    "--port", str(port)], env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT,
                                   text=True)
        try:
            url = f"http://127.0.0.1:{port}"
            deadline = time.monotonic() + 60
            while True:
                try:
                    if httpx.get(f"{url}/v1/health/", headers={"Authorization": "Bearer proc-token"}).is_success:
                        break
                except httpx.TransportError:
                    pass
                assert process.poll() is None and time.monotonic() < deadline, "journal serve did not start"
                time.sleep(0.2)
            assert httpx.get(f"{url}/v1/agents/").status_code == 401
            letta = Letta(base_url=url, api_key="proc-token", max_retries=0)
            agent = next(a for a in letta.agents.list() if a.name == "journal")
            ask = [{"role": "user", "content": "agent memory course"}]
            reply = letta.agents.messages.create(agent.id, messages=ask)
            assert "Momentum Learning Day 2" in reply.messages[-1].content
            learner = letta.agents.blocks.retrieve("learner", agent_id=agent.id)
            assert learner.limit == 5000
            model.push(echo_key_error(400))  # a proxy quoting the key back: not in the response, not in the log
            failed = httpx.post(f"{url}/v1/agents/{agent.id}/messages", json={"messages": ask}, timeout=30,
                                headers={"Authorization": "Bearer proc-token"})
            assert failed.status_code == 502 and KEY not in failed.text
        finally:
            process.send_signal(signal.SIGINT)
            output, _ = process.communicate(timeout=30)
    assert process.returncode == 0, output
    assert "Serving" in output and "requests need the bearer token" in output
    assert KEY not in output and "proc-token" not in output


@pytest.mark.slow
def test_citations_link_to_the_posts_of_a_real_site_build(seeded_journal, server):
    """`journal site build` for real, then the chat answer's source links to the page the server serves."""
    import openai

    from journal_agent.service.http import create_app
    from journal_agent.site.build import build_site, scaffold_site
    from tests.support.http_server import running

    scaffold_site(seeded_journal)
    report = build_site(seeded_journal)
    assert not report.failed
    server.responder = rule_responder
    with running(create_app(seeded_journal)) as url:
        client = openai.OpenAI(base_url=f"{url}/v1", api_key="unused", max_retries=0)
        reply = client.chat.completions.create(model="journal", messages=[{"role": "user", "content": "agent memory"}])
        content = reply.choices[0].message.content
        link = content.split("](", 1)[1].split(")", 1)[0]
        page = httpx.get(url + link)
        home = httpx.get(url + "/")
    assert content.endswith(f"- [Momentum Learning Day 2 (2025-09-18)]({link})") and link == "/day-2/"
    assert page.status_code == 200 and "LLMs as Operating Systems" in page.text
    assert home.status_code == 200 and "<html" in home.text.lower()
