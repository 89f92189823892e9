"""`journal ask`, `chat`, `reflect`, `memory`, and reflection after `add`, through the real CLI.

The model is a real HTTP server on 127.0.0.1 (tests/fake_openai.py); the
SDK finds it through OPENAI_BASE_URL / OPENAI_API_KEY in the runner's env.
"""

from __future__ import annotations

import json
import sys

import pytest

from journal_agent.agent.core_memory import CoreMemory
from journal_agent.openai_client import NOT_CONFIGURED
from journal_agent.workspace import open_journal
from tests.support.openai_server import call, error, rule_responder, text, without_tail

SEED_PATH = "notes/Momentum Learning Day 2.markdown"
SEED_SOURCE = f"- Momentum Learning Day 2 (2025-09-18) {SEED_PATH}"
KEY = "sk-test-dummy"
QUESTION = "Which course did I start to learn about agent memory?"


def core_at(root) -> CoreMemory:
    return CoreMemory.open(open_journal(root=root))


def env_for(server) -> dict[str, str]:
    return {"OPENAI_BASE_URL": server.base_url, "OPENAI_API_KEY": KEY}


def test_ask_answers_and_lists_sources(seeded_root, server, run_cli):
    server.responder = rule_responder
    result = run_cli("ask", QUESTION, env=env_for(server), root=seeded_root)
    assert result.exit_code == 0, result.output
    assert result.stdout.splitlines() == [
        f'You wrote about this in "Momentum Learning Day 2" (2025-09-18, `{SEED_PATH}`).',
        "",
        "Sources",
        SEED_SOURCE,
    ]
    assert KEY not in result.output
    assert server.requests[0]["model"] == "gpt-4o-mini"


def test_ask_show_steps_prints_each_step(seeded_root, server, run_cli):
    server.responder = rule_responder
    result = run_cli("ask", "--show-steps", "--model", "llama3.1:8b", QUESTION,
                     env=env_for(server), root=seeded_root)
    assert result.exit_code == 0, result.output
    lines = result.stdout.splitlines()
    assert lines[0].startswith("step 1 · ") and lines[0].endswith("context tokens")
    assert lines[1] == f'  → archival_memory_search {{"query": "{QUESTION}"}}'  # printed as the call starts
    assert lines[2].startswith('    ← Archival memory results 1-') and "Momentum Learning Day 2" in lines[2]
    assert lines[3].startswith("  · ") and lines[3].endswith("ms outside the model")
    assert lines[4].startswith("step 2 · ")
    assert lines[5].startswith("  · answer · ")
    assert SEED_SOURCE in lines
    assert server.requests[0]["model"] == "llama3.1:8b"


def test_ask_json(seeded_root, server, run_cli):
    server.responder = rule_responder
    result = run_cli("ask", "--json", QUESTION, env=env_for(server), root=seeded_root)
    data = json.loads(result.stdout)
    assert data["mode"] == "agent" and data["stop_reason"] == "answer"
    assert data["sources"] == [{"title": "Momentum Learning Day 2", "date": "2025-09-18", "path": SEED_PATH}]
    assert data["steps"][0]["tool_calls"][0]["name"] == "archival_memory_search"
    assert data["flagged"] == []


def test_ask_flags_a_note_it_did_not_retrieve(seeded_root, server, run_cli):
    server.push(text('You covered this in "Momentum Learning Day 2".'))
    result = run_cli("ask", "what did I learn?", env=env_for(server), root=seeded_root)
    assert result.exit_code == 0
    assert "Sources: none (the answer cites no note retrieved in this turn)" in result.stdout
    assert (f'⚠ named but not retrieved in this turn (not a source): "Momentum Learning Day 2" '
            f"({SEED_PATH})") in result.stdout
    assert SEED_SOURCE not in result.stdout


def test_profile_update_persists_and_shows(journal_dir, server, run_cli):
    new = "Current courses and books: LLMs as Operating Systems: Agent Memory (DeepLearning.AI)"
    server.push(call("core_memory_replace", {"label": "learner", "old_content": "Current courses and books:",
                                             "new_content": new}),
                text("I noted your course."))
    result = run_cli("ask", "I am taking the Agent Memory course", env=env_for(server))
    assert result.exit_code == 0 and "I noted your course." in result.stdout

    shown = run_cli("memory", "show")
    assert new in shown.stdout and "learner" in shown.stdout and "/ 5,000 chars" in shown.stdout
    data = json.loads(run_cli("memory", "show", "--json").stdout)
    learner = next(b for b in data["blocks"] if b["label"] == "learner")
    assert new in learner["value"] and learner["limit"] == 5000 and learner["chars_current"] == len(learner["value"])

    history = run_cli("memory", "history").stdout
    assert "#1" in history and "core_memory_replace" in history
    assert "- Current courses and books:" in history and f"+ {new}" in history

    exported = json.loads(run_cli("memory", "export").stdout)
    assert exported["history"][0]["after"] == learner["value"]

    undone = run_cli("memory", "undo")
    assert undone.exit_code == 0 and undone.stdout.startswith("Reverted core_memory_replace on the learner block")
    assert new not in run_cli("memory", "show").stdout
    # the undo is an edit of its own: history keeps both, and a second undo redoes
    edits = json.loads(run_cli("memory", "history", "--json").stdout)
    assert [(e["tool"], e["label"], e["agent"]) for e in edits] == [
        ("core_memory_replace", "learner", "journal"), ("memory undo", "learner", "")]
    assert edits[1]["before"] == edits[0]["after"] and edits[1]["after"] == edits[0]["before"]
    again = run_cli("memory", "undo")
    assert again.exit_code == 0 and again.stdout.startswith("Redid the edit of the learner block")
    assert new in run_cli("memory", "show", "learner").stdout
    assert len(json.loads(run_cli("memory", "history", "--json").stdout)) == 3


@pytest.mark.slow
def test_memory_edit_uses_editor_and_enforces_limit(journal_dir, run_cli, tmp_path):
    script = tmp_path / "editor.py"
    script.write_text("import sys, os\nopen(sys.argv[1], 'w').write(os.environ['NEW_VALUE'])\n")
    editor = f'"{sys.executable}" "{script}"'
    ok = run_cli("memory", "edit", "learner", env={"EDITOR": editor, "NEW_VALUE": "Goals: finish the course\n"})
    assert ok.exit_code == 0, ok.output
    assert "Saved the learner block" in ok.stdout
    assert core_at(journal_dir).block("learner").value == "Goals: finish the course"
    too_long = run_cli("memory", "edit", "learner", env={"EDITOR": editor, "NEW_VALUE": "x" * 6000})
    assert too_long.exit_code == 1
    assert "over its limit of 5,000" in too_long.stderr and "nothing was saved" in too_long.stderr
    assert core_at(journal_dir).block("learner").value == "Goals: finish the course"
    unknown = run_cli("memory", "edit", "diary", env={"EDITOR": editor, "NEW_VALUE": "x"})
    assert unknown.exit_code == 1 and "use one of: persona, coach_persona, learner, study_queue" in unknown.stderr


def test_no_model_ask_gives_retrieval_only_answer(seeded_root, run_cli):
    result = run_cli("ask", "What did I learn about MemGPT?", root=seeded_root)
    assert result.exit_code == 0
    assert result.stderr.strip() == NOT_CONFIGURED
    out = result.stdout.splitlines()
    assert out[0] == "Retrieval-only answer (no model configured): the best-matching passages from your notes."
    assert out[2] == f"1. Momentum Learning Day 2 (2025-09-18) {SEED_PATH}"
    assert "MemGPT" in out[3]
    assert "Sources" in out and SEED_SOURCE in out
    data = json.loads(run_cli("ask", "--json", "MemGPT", root=seeded_root).stdout)
    assert data["mode"] == "retrieval-only" and data["answer"] is None
    assert data["sources"][0]["path"] == SEED_PATH


def test_no_model_ask_says_an_empty_day_or_window_and_offers_the_nearest_entries(seeded_root, run_cli):
    """Issue 18: a day or window with no entry is said, and the nearest entries before and after it are
    offered, as ``journal search`` does (the seeded journal holds Day 2, 2025-09-18, only)."""
    day = run_cli("ask", "What did I do on Day 9?", root=seeded_root)
    assert day.exit_code == 0, day.output
    out = day.stdout.splitlines()
    assert out[1] == "No entry for Day 9; the nearest entries before and after it:"
    assert out[2] == f"- before: Momentum Learning Day 2 (2025-09-18) {SEED_PATH}"
    data = json.loads(run_cli("ask", "--json", "What did I learn in March 2024?", root=seeded_root).stdout)
    assert data["empty"] is True and data["named"].endswith("(2024-03-01 to 2024-03-31)")
    assert [(n["path"], n["side"]) for n in data["nearest"]] == [(SEED_PATH, "after")]
    full = json.loads(run_cli("ask", "--json", "What did I do on Day 2?", root=seeded_root).stdout)
    assert full["empty"] is False and full["nearest"] == [] and full["named"] == "Day 2"


def test_no_model_chat_and_reflect_exit_with_the_same_line(journal_dir, run_cli):
    for command in ("chat", "reflect"):
        result = run_cli(command, input="hello\n")
        assert result.exit_code == 1
        assert result.stderr.strip() == f"Error: {NOT_CONFIGURED}"


def test_chat_session_persists_history(seeded_root, server, run_cli):
    server.responder = rule_responder
    result = run_cli("chat", input=f"{QUESTION}\n\n", env=env_for(server), root=seeded_root)
    assert result.exit_code == 0, result.output
    assert "Ctrl-D to exit" in result.stdout and SEED_SOURCE in result.stdout
    server.responder = None
    server.push(text("We talked about your course."), text("A new conversation."))
    run_cli("ask", "-c", "What did we talk about?", env=env_for(server), root=seeded_root)
    users = [without_tail(m["content"]) for m in server.tool_requests[-1]["messages"] if m["role"] == "user"]
    assert users == [QUESTION, "What did we talk about?"]
    run_cli("ask", "Hello?", env=env_for(server), root=seeded_root)  # no -c: a new conversation
    assert [m["role"] for m in server.tool_requests[-1]["messages"]] == ["system", "user"]


def test_api_error_is_one_clear_line(journal_dir, server, run_cli):
    server.push(error(400, "The model `nope` does not exist"))
    result = run_cli("ask", "--model", "nope", "hello", env=env_for(server))
    assert result.exit_code == 1
    assert result.stderr.strip() == ("Error: the model endpoint answered HTTP 400: The model `nope` does not "
                                     "exist (the conversation so far is kept; `journal ask -c` meets the same "
                                     "refusal until the cause above is fixed)")


def test_step_cap_through_cli(journal_dir, server, run_cli):
    server.responder = lambda body: call("conversation_search", {"query": "x"})
    result = run_cli("ask", "spin", env={**env_for(server), "JOURNAL_MAX_STEPS": "2"})
    assert result.exit_code == 0
    assert result.stdout.startswith("I stopped after 2 steps without reaching an answer (the step cap).")
    assert len(server.requests) == 2


def test_add_reflects_and_no_reflect_skips(seeded_root, server, run_cli):
    server.responder = rule_responder
    added = run_cli("add", "Today I learned how RAG evaluation works with ragas.", "--title", "RAG evaluation",
                    "--date", "2025-09-19", env=env_for(server), root=seeded_root)
    assert added.exit_code == 0, added.output
    assert ("Learner profile updated from 1 note: 1 core memory edit (learner); see `journal memory history`."
            in added.stderr)
    assert "Learned (2025-09-19: RAG evaluation)" in run_cli("memory", "show", root=seeded_root).stdout
    count = len(server.requests)
    quiet = run_cli("add", "More notes on ragas.", "--title", "RAG evaluation 2", "--no-reflect",
                    env=env_for(server), root=seeded_root)
    assert quiet.exit_code == 0 and len(server.requests) == count


def test_add_without_model_says_reflection_was_skipped(seeded_root, run_cli):
    added = run_cli("add", "Learned about tokenizers.", "--title", "Tokenizers", root=seeded_root)
    assert added.exit_code == 0
    assert "Reflection skipped: no model configured" in added.stderr


def test_reflect_on_demand(seeded_root, server, run_cli):
    server.responder = rule_responder
    result = run_cli("reflect", "--since", "2025-09-01", env=env_for(server), root=seeded_root)
    assert result.exit_code == 0, result.output
    assert result.stdout.startswith("Learner profile updated from 3 notes")
    event = server.tool_requests[0]["messages"][-1]["content"]
    assert '<note title="Momentum Learning Day 2" date="2025-09-18"' in event
    again = run_cli("reflect", env=env_for(server), root=seeded_root)
    assert again.stdout.strip() == "No new notes to reflect on."
