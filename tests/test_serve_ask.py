"""`journal ask` through a running `journal serve` (issue 23, start-up): `POST /v1/journal/ask`.

The model is the scripted OpenAI-compatible server of tests/support (``rule_responder``: search the
question, answer citing the first note found). The same questions are asked of two copies of one journal,
one in process and one through its server, so conversation numbers match; what differs only by the clock
(ms outside the model, seconds in JSON) is blanked before comparing.
"""

from __future__ import annotations

import json
import os
import re
import shutil
import socket
from pathlib import Path

import httpx
import pytest
from click.testing import CliRunner

from journal_agent.cli import main
from journal_agent.cli.ask import ASK_PATH
from journal_agent.service.local import running_server, serve_file
from tests.support.openai_server import rule_responder
from tests.test_serve_local import SECRET, TOKEN, dead_pid, serving

QUESTIONS = [
    ["What did I learn about agent memory?"],
    ["--json", "What did I learn about agent memory?"],
    ["--show-steps", "What", "is", "my", "zanzibar", "salary", "negotiation?"],  # the private note
    ["--json", "--show-steps", "zanzibar", "salary"],
    ["-c", "And", "what", "next?"],
    ["--cid", "1", "--show-steps", "Tell", "me", "more"],
    ["--cid", "999", "missing?"],  # no such conversation: the same error both ways
    ["--json", "--cid", "999", "missing?"],
]
CLOCK = [(re.compile(r"\d+ ms outside the model"), "N ms outside the model"),
         (re.compile(r'"(non_llm_seconds|llm_seconds)": [0-9.e-]+'), r'"\1": 0')]


@pytest.fixture
def roots(seeded_root, server, tmp_path):
    """Two copies of the seeded journal with a private note, ingested; the model scripted."""
    from journal_agent.archive.ingest import ingest
    from journal_agent.workspace import open_journal
    from tests.support.journals import write

    root = seeded_root
    write(root / "notes" / "secret.md", SECRET)
    ingest(open_journal(root=root))
    server.responder = rule_responder
    twin = tmp_path / "twin"
    shutil.copytree(root, twin)
    return root, twin


def ask(root: Path, args: list[str]) -> tuple[int, str, str]:
    result = CliRunner().invoke(main, ["--root", str(root), "ask", *args])
    out, err = result.stdout, result.stderr
    for pattern, fixed in CLOCK:
        out, err = pattern.sub(fixed, out), pattern.sub(fixed, err)
    return result.exit_code, out, err


def test_ask_through_the_server_prints_exactly_what_the_in_process_ask_prints(roots):
    here, served_root = roots
    expected = [ask(here, args) for args in QUESTIONS]
    with serving(served_root) as app:
        served = [ask(served_root, args) for args in QUESTIONS]
    assert app.paths.count(ASK_PATH) == len(QUESTIONS)  # every question went to the server first
    assert served == expected
    # steps shown; the private note withheld from the model and said so, as [llm] share_private says
    assert "→ archival_memory_search" in expected[2][1] and "withheld from the model" in expected[2][1]
    assert json.loads(served[3][1])["withheld"] == ["notes/secret.md"]
    answer = json.loads(served[1][1])
    assert answer["mode"] == "agent" and answer["sources"] and answer["conversation_id"] == 2
    assert json.loads(served[4][1] if served[4][1].startswith("{") else "{}") == {}  # -c prints text, not JSON
    assert expected[6][0] != 0 and "999" in expected[6][2]
    assert json.loads(served[7][1])["error"] and served[7][0] != 0


def test_served_turns_are_stored_as_ask_conversations(roots):
    _, served_root = roots
    with serving(served_root):
        ask(served_root, ["What did I learn about agent memory?"])
    code, out, _ = ask(served_root, ["--json", "-c", "And next?"])  # in process now: continues the served one
    assert code == 0 and json.loads(out)["conversation_id"] == 1
    log = CliRunner().invoke(main, ["--root", str(served_root), "log", "--json"])
    assert [c["command"] for c in json.loads(log.stdout)] == ["ask"]


def test_only_the_owner_may_ask_and_a_busy_agent_is_409(roots):
    _, served_root = roots
    with serving(served_root) as app:
        url = running_server(served_root).url
        stranger = httpx.post(url + ASK_PATH, json={"question": "zanzibar salary"})
        wrong = httpx.post(url + ASK_PATH, json={"question": "zanzibar salary"},
                           headers={"Authorization": "Bearer not-the-token"})
        agents = app.app.app.state.agents  # Recorder → Guard → Starlette
        agents.claim("journal")
        try:
            busy = httpx.post(url + ASK_PATH, json={"question": "hello"}, headers={"Authorization": f"Bearer {TOKEN}"})
            fallback = ask(served_root, ["--json", "What did I learn about agent memory?"])
        finally:
            agents.release("journal")
        lines = httpx.post(url + ASK_PATH, json={"question": "agent memory", "conversation": "new"},
                           headers={"Authorization": f"Bearer {TOKEN}"})
    assert stranger.status_code == wrong.status_code == 403 and "secret" not in stranger.text
    assert busy.status_code == 409 and busy.json()["started_at"]
    assert fallback[0] == 0 and json.loads(fallback[1])["answer"]  # refused: the CLI ran the turn itself
    events = [json.loads(line) for line in lines.text.splitlines()]
    assert [e["kind"] for e in events][:2] == ["step", "tool"] and events[-1]["kind"] == "turn"


def closed_port_url() -> str:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return f"http://127.0.0.1:{sock.getsockname()[1]}"


@pytest.mark.parametrize("stale", ["process gone", "connection refused", "readable by others", "unknown token"])
def test_a_stale_serve_file_falls_back_to_the_in_process_ask(roots, stale):
    here, served_root = roots
    expected = ask(here, ["--json", "What did I learn about agent memory?"])
    options = {"process gone": {"pid": dead_pid()}, "connection refused": {"url": closed_port_url()},
               "unknown token": {"announced_token": "an-old-token"}}.get(stale, {})
    with serving(served_root, **options) as app:
        if stale == "readable by others":
            serve_file(served_root).chmod(0o644)
        served = ask(served_root, ["--json", "What did I learn about agent memory?"])
    assert app.paths == ([ASK_PATH] if stale == "unknown token" else [])  # asked (403) or never asked
    assert served == expected


def test_model_override_runs_in_process(roots):
    _, served_root = roots
    with serving(served_root) as app:
        code, out, _ = ask(served_root, ["--json", "--model", "another-model", "What did I learn?"])
    assert code == 0 and json.loads(out)["answer"]
    assert ASK_PATH not in app.paths
    assert os.environ.get("OPENAI_BASE_URL")


@pytest.mark.slow
def test_ask_through_a_server_imports_no_archive_no_model_client_no_pydantic(roots):
    from tests.test_serve_local import modules_after

    _, served_root = roots
    with serving(served_root) as app:
        assert modules_after(served_root, ["ask", "What did I learn about agent memory?"]) == []
    assert app.paths == [ASK_PATH]
    assert {"lancedb", "openai"} <= set(modules_after(served_root, ["ask", "agent memory?"]))  # in process: both


def test_a_model_failure_is_told_the_same_way_through_the_server(roots, server):
    from tests.support.openai_server import error

    here, served_root = roots
    args = [["What did I learn about agent memory?"], ["--json", "What did I learn about agent memory?"]]
    server.push(error(400, "the model refuses this request"), error(400, "the model refuses this request"))
    expected = [ask(here, a) for a in args]
    server.push(error(400, "the model refuses this request"), error(400, "the model refuses this request"))
    with serving(served_root) as app:
        served = [ask(served_root, a) for a in args]
    assert app.paths.count(ASK_PATH) == 2
    assert served == expected
    assert expected[0][0] != 0 and "the model refuses this request" in expected[0][2]
    failure = json.loads(served[1][1])
    assert failure["answer"] is None and "the model refuses this request" in failure["error"] and failure["hint"]
