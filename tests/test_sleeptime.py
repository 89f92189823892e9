"""Reflection as a sleep-time agent (Letta docs, "Sleep-time agents"): inline, in the background, or off.

With ``[agent] reflect = "background"`` ``journal add`` starts a detached
process and returns at once, even when the model server never answers (a hung
server: the request is accepted and nothing is sent back, ``hang()``); the next
command prints the outcome in one line.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import time

import pytest

from journal_agent.agent.core_memory import CoreMemory
from journal_agent.agent.sleeptime import BACKGROUND_STARTED, Status, read_status, write_status
from journal_agent.workspace import open_journal
from tests.support.journals import set_config
from tests.support.openai_server import hang, rule_responder

KEY = "sk-test-dummy"
NOTE = "Today I learned how sleep-time agents edit shared memory blocks."


def env_for(server) -> dict[str, str]:
    return {"OPENAI_BASE_URL": server.base_url, "OPENAI_API_KEY": KEY}


def wait_for_outcome(root, seconds: float = 60.0) -> Status:
    """The background run's final status (polls ``status.json``; fails the test past ``seconds``)."""
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        status = read_status(root / ".journal")
        if status is not None and status.state != "running":
            return status
        time.sleep(0.2)
    raise AssertionError(f"no outcome after {seconds} s: {read_status(root / '.journal')}")


def test_inline_reflection_runs_as_the_sleeptime_agent(seeded_root, server, run_cli):
    server.responder = rule_responder
    added = run_cli("add", NOTE, "--title", "Sleep-time agents", "--date", "2025-09-20", env=env_for(server),
                    root=seeded_root)
    assert added.exit_code == 0
    assert "Learner profile updated from 1 note: 1 core memory edit (learner)" in added.stderr
    request = server.tool_requests[0]
    assert request["messages"][0]["content"].startswith("You are the sleep-time agent of a learning journal")
    assert [t["function"]["name"] for t in request["tools"]] == [
        "core_memory_append", "core_memory_replace", "archival_memory_search"]
    assert "<learner>" in request["messages"][0]["content"] and "<persona>" not in request["messages"][0]["content"]
    history = json.loads(run_cli("memory", "history", "--json", root=seeded_root).stdout)
    assert [(e["tool"], e["agent"]) for e in history] == [("core_memory_append", "sleeptime")]
    assert "  sleeptime  reflection  " in run_cli("log", root=seeded_root).stdout


def test_reflect_off_skips_reflection(seeded_root, server, run_cli):
    set_config(seeded_root, "agent", "reflect", "off")
    added = run_cli("add", NOTE, "--title", "Sleep-time agents", env=env_for(server), root=seeded_root)
    assert added.exit_code == 0 and added.stderr == "" and server.requests == []


@pytest.mark.slow
def test_background_add_returns_at_once_against_a_server_that_never_answers(seeded_root, server, run_cli):
    set_config(seeded_root, "agent", "reflect", "background")
    set_config(seeded_root, "llm", "timeout", 8.0)  # inline, add would wait these 8 s
    server.responder = lambda body: hang(120)
    added = run_cli("add", NOTE, "--title", "Sleep-time agents", env=env_for(server), root=seeded_root)
    assert added.exit_code == 0, added.output
    assert added.stderr.strip() == BACKGROUND_STARTED
    running = run_cli("memory", "show", "learner", root=seeded_root)
    assert running.exit_code == 0
    assert running.stderr.startswith("Reflection (sleep-time agent) is still running in the background (started ")
    status = wait_for_outcome(seeded_root)
    assert status.state == "failed"
    after = run_cli("memory", "show", "learner", root=seeded_root)
    assert after.stderr.strip() == (
        "Background reflection: Reflection failed: the model endpoint did not answer within 8 s ([llm] timeout, "
        "JOURNAL_LLM_TIMEOUT); check that the server is running and the model loaded, or raise the timeout. "
        "Your notes are saved; run `journal reflect` to retry.")
    assert run_cli("memory", "show", "learner", root=seeded_root).stderr == ""  # shown once
    assert len(server.tool_requests) == 1  # the hung request was not retried
    assert not list((seeded_root / ".journal" / "sleeptime" / "jobs").iterdir())


@pytest.mark.slow
def test_background_reflection_updates_the_shared_learner_block(seeded_root, server, run_cli):
    set_config(seeded_root, "agent", "reflect", "background")
    server.responder = rule_responder
    added = run_cli("add", NOTE, "--title", "Sleep-time agents", "--date", "2025-09-20", env=env_for(server),
                    root=seeded_root)
    assert added.stderr.strip() == BACKGROUND_STARTED
    assert wait_for_outcome(seeded_root).state == "done"
    learner = CoreMemory.open(open_journal(root=seeded_root), agent="coach").block("learner").value
    assert learner.endswith("Learned (2025-09-20: Sleep-time agents)")  # in the coach's view too: shared
    shown = run_cli("agents", root=seeded_root)
    assert shown.stderr.strip() == ("Background reflection: Learner profile updated from 1 note: 1 core memory edit "
                                    "(learner); see `journal memory history`.")
    assert server.tool_requests[0]["messages"][0]["content"].startswith("You are the sleep-time agent")


def test_background_without_a_model_says_it_was_skipped(seeded_root, run_cli):
    set_config(seeded_root, "agent", "reflect", "background")
    added = run_cli("add", NOTE, "--title", "Sleep-time agents", root=seeded_root)
    assert added.exit_code == 0 and "Reflection skipped: no model configured" in added.stderr
    assert not (seeded_root / ".journal" / "sleeptime").exists()


@pytest.mark.slow
def test_a_background_process_that_died_is_reported_once(journal_dir, run_cli):
    dead = subprocess.Popen([sys.executable, "-c", "pass"])
    dead.wait()
    write_status(journal_dir / ".journal", Status(state="running", started="2025-09-20T10:00:00", pid=dead.pid))
    first = run_cli("agents")
    assert first.stderr.strip() == ("Background reflection: Background reflection stopped without finishing (its "
                                    "process ended); run `journal reflect` to retry.")
    assert run_cli("agents").stderr == ""


@pytest.mark.slow
def test_the_hidden_command_runs_queued_jobs_under_a_lock(seeded_root, server):
    """Run the detached command by hand, as `journal add` starts it, with a job queued."""
    from journal_agent.agent.sleeptime import _dir

    server.responder = rule_responder
    jobs = _dir(seeded_root / ".journal") / "jobs"
    (jobs / "one.json").write_text(json.dumps({"notes": [str(p) for p in (seeded_root / "notes").rglob("*.md")]}))
    env = dict(os.environ, **env_for(server), PYTHONPATH=os.getcwd())
    done = subprocess.run([sys.executable, "-m", "journal_agent.cli", "--root", str(seeded_root), "_sleeptime"],
                          capture_output=True, text=True, env=env, timeout=60)
    assert done.returncode == 0, done.stderr
    assert done.stdout.split(" ", 1)[1].startswith("done: Learner profile updated from 2 notes")
    assert not list(jobs.iterdir())
    again = subprocess.run([sys.executable, "-m", "journal_agent.cli", "--root", str(seeded_root), "_sleeptime"],
                           capture_output=True, text=True, env=env, timeout=60)
    assert again.returncode == 0 and again.stdout == ""  # nothing queued: nothing to do
