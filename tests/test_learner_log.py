"""Issue 20, conversations: `journal log` labels a conversation by the command that started it."""

from __future__ import annotations

import json

from journal_agent.agent.recall import RecallMemory
from tests.support.openai_server import text


def test_log_labels_ask_and_chat(journal, server, run_cli):
    """Through the commands: `journal ask` and `journal chat` record which of them started the conversation;
    a conversation stored before the label existed keeps showing its kind."""
    recall = RecallMemory.open(journal)
    try:
        recall.new_conversation("chat", "gpt-test")  # as stored before issue 20: no origin
        recall.append({"role": "user", "content": "From before the label."})
        recall.append({"role": "assistant", "content": "An answer."})
    finally:
        recall.close()
    server.push(text("RRF fuses ranked lists."), text("MemGPT pages memory."))
    assert run_cli("ask", "--no-stream", "What is RRF?").exit_code == 0
    assert run_cli("chat", "--no-stream", input="Let's talk about MemGPT.\n").exit_code == 0
    lines = run_cli("log").stdout.splitlines()
    assert "  chat  " in lines[0] and "MemGPT" in lines[0]
    assert "  ask  " in lines[1] and "What is RRF?" in lines[1]
    assert "  chat  " in lines[2] and "From before the label." in lines[2]
    data = json.loads(run_cli("log", "--json").stdout)
    assert [c["command"] for c in data] == ["chat", "ask", None] and {c["kind"] for c in data} == {"chat"}
    assert " · ask · " in run_cli("log", "2").stdout.splitlines()[0]


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
