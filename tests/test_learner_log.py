"""Issue 20, conversations: `journal log` labels a conversation by the command that started it."""

from __future__ import annotations

import json

from journal_agent.agent.recall import RecallMemory


def started(journal, origin: str | None, question: str) -> None:
    recall = RecallMemory.open(journal)
    try:
        recall.new_conversation("chat", "gpt-test")
        recall.origin = origin
        recall.append({"role": "user", "content": question})
        recall.append({"role": "assistant", "content": "An answer."})
    finally:
        recall.close()


def test_log_labels_ask_and_chat(journal, run_cli):
    started(journal, "ask", "What is RRF?")
    started(journal, "chat", "Let's talk about MemGPT.")
    started(journal, None, "From before the label.")  # unknown: its kind, as before
    lines = run_cli("log").stdout.splitlines()
    assert "  ask  gpt-test" in lines[2] and "What is RRF?" in lines[2]
    assert "  chat  gpt-test" in lines[1] and "  chat  gpt-test" in lines[0]
    data = json.loads(run_cli("log", "--json").stdout)
    assert [c["command"] for c in data] == [None, "chat", "ask"] and {c["kind"] for c in data} == {"chat"}
    assert " · ask · " in run_cli("log", "1").stdout.splitlines()[0]


def test_reflection_never_leaves_an_empty_topics_line(seeded_root, server, run_cli):
    from journal_agent.agent.core_memory import CoreMemory
    from journal_agent.workspace import open_journal
    from tests.support.openai_server import call, text

    env = {"OPENAI_BASE_URL": server.base_url, "OPENAI_API_KEY": "sk-test"}
    for _ in range(2):  # twice, as in the issue
        server.push(call("core_memory_append", {"label": "learner", "content": "Topics learned ()"}), text("Added."))
        result = run_cli("reflect", "--since", "2025-01-01", env=env, root=seeded_root)
        assert result.exit_code == 0, result.output
        assert "needed no update" in result.output
    server.push(call("core_memory_append", {"label": "learner", "content": "Topics learned ()\n"
                                            "2025-09-18: MemGPT virtual context"}), text("Added."))
    assert "Learner profile updated" in run_cli("reflect", "--since", "2025-01-01", env=env, root=seeded_root).output
    core = CoreMemory.open(open_journal(root=seeded_root), agent="sleeptime")
    value = core.block("learner").value
    assert "Topics learned ()" not in value and "2025-09-18: MemGPT virtual context" in value
    assert "Topics learned (date: topic):" in value  # the template's own label stays
