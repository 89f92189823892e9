"""Two agents sharing memory and messaging each other, through the real CLI and a real HTTP model server.

The coach and the journal agent share the ``learner`` and ``study_queue`` blocks
(Letta docs, "Shared memory": an edit by one agent is in the other's next
prompt); the coach keeps the study queue with ``task_queue_push``/``task_queue_pop``
(the course's custom task-queue memory); ``send_message_to_agent`` runs one turn
of the other agent (Letta's ``send_message_to_agent_and_wait_for_reply``, docs
"Multi-agent"), bounded in depth and never in a loop. The model is
``rule_responder`` (``coach_rules`` for the coach) or a scripted server.
"""

from __future__ import annotations

import json
import os
from pathlib import Path

from journal_agent.agent.agent_tools import EXTRA_TOOLS, AgentTools
from journal_agent.agent.core_memory import BUILTIN_TOOLS
from journal_agent.agent.toolspec import Tool
from tests.support.openai_server import call, rule_responder, tail_of, text, without_tail

GOLDEN = Path(__file__).parent / "golden" / "tools"
KEY = "sk-test-dummy"
SEED_PATH = "notes/Momentum Learning Day 2.markdown"
PLANNED = "Next review planned: Momentum Learning Day 2 (2025-09-18)"
TASK = '- Review "Momentum Learning Day 2" (2025-09-18)'


def env_for(server, **extra) -> dict[str, str]:
    return {"OPENAI_BASE_URL": server.base_url, "OPENAI_API_KEY": KEY, **extra}


def system_of(request) -> str:
    return request["messages"][0]["content"]


def tools_of(request) -> list[str]:
    return [t["function"]["name"] for t in request["tools"]]


def test_new_tool_schemas_match_golden_files(journal, server, run_cli):
    if os.environ.get("UPDATE_GOLDEN"):
        for name in EXTRA_TOOLS:
            schema = Tool.from_function(getattr(AgentTools, name)).schema()
            (GOLDEN / f"{name}.json").write_text(json.dumps(schema, indent=2, ensure_ascii=False) + "\n")
    server.push(text("Hello from the coach."))
    assert run_cli("ask", "--agent", "coach", "hi", env=env_for(server)).exit_code == 0
    sent = server.requests[0]["tools"]
    assert tools_of(server.requests[0]) == list(BUILTIN_TOOLS["coach"])
    for schema in sent:
        golden = json.loads((GOLDEN / f"{schema['function']['name']}.json").read_text())
        assert schema == golden, f"{schema['function']['name']} differs from its golden file"


def test_coach_edits_the_shared_blocks_and_the_journal_agent_sees_both(seeded_root, server, run_cli):
    server.responder = rule_responder
    planned = run_cli("ask", "--agent", "coach", "Plan my next review session", env=env_for(server), root=seeded_root)
    assert planned.exit_code == 0, planned.output
    assert planned.stdout.startswith(f'Next up: review "Momentum Learning Day 2" (2025-09-18, `{SEED_PATH}`).')
    assert f"- Momentum Learning Day 2 (2025-09-18) {SEED_PATH}" in planned.stdout  # the journal agent's source
    assert "Core memory: task_queue_push on the study_queue block" in planned.stdout
    coach_first, journal_turn = server.tool_requests[0], server.tool_requests[1]
    assert "You are the study coach" in system_of(coach_first) and "<coach_persona>" in system_of(coach_first)
    assert journal_turn["messages"][-1]["content"].startswith("[message from the coach agent;")
    assert "<persona>" in system_of(journal_turn) and "task_queue_push" not in tools_of(journal_turn)

    count = len(server.requests)
    asked = run_cli("ask", "What is next in my study queue?", env=env_for(server), root=seeded_root)
    assert asked.exit_code == 0
    system = system_of(server.requests[count])  # the journal agent's next prompt carries both edits
    learner = system.split("<learner>")[1].split("</learner>")[0]
    queue = system.split("<study_queue>")[1].split("</study_queue>")[0]
    assert PLANNED in learner and TASK in queue
    assert f"- chars_current={len(TASK)}" in queue and "- chars_limit=1500" in queue
    assert "- Memory blocks were last modified: " in tail_of(server.requests[count])

    shown = run_cli("memory", "show", "study_queue", root=seeded_root).stdout
    assert shown.splitlines()[0].startswith("== study_queue (47 / 1,500 chars · attached to: journal, coach ·")
    assert TASK in shown
    history = json.loads(run_cli("memory", "history", "--json", root=seeded_root).stdout)
    assert [(e["tool"], e["label"], e["agent"]) for e in history] == [
        ("core_memory_append", "learner", "coach"), ("task_queue_push", "study_queue", "coach")]


def test_an_edit_by_the_journal_agent_is_in_the_coachs_next_prompt(journal_dir, server, run_cli):
    server.push(call("core_memory_append", {"label": "learner", "content": "Goal: pass the MemGPT quiz"}),
                text("Noted."), text("Plan: revise MemGPT."))
    assert run_cli("ask", "My goal is the MemGPT quiz", env=env_for(server)).exit_code == 0
    assert run_cli("ask", "--agent", "coach", "Plan my week", env=env_for(server)).exit_code == 0
    coach = system_of(server.requests[-1])
    assert "You are the study coach" in coach and "Goal: pass the MemGPT quiz" in coach


def test_study_queue_push_pop_and_a_full_queue(journal_dir, server, run_cli):
    assert run_cli("memory", "block", "delete", "study_queue").exit_code == 0
    made = run_cli("memory", "block", "create", "study_queue", "--limit", "43", "--agent", "coach", "--agent",
                   "journal", "--description", "The study plan, one task per line.")
    assert made.exit_code == 0, made.output
    server.push(call("task_queue_push", {"task": "Review MemGPT tiers"}),
                call("task_queue_push", {"task": "Quiz:\nrecall memory"}),
                call("task_queue_push", {"task": "Read the Letta docs on sleep-time agents"}),
                call("task_queue_pop", {}), call("task_queue_pop", {}), call("task_queue_pop", {}),
                text("Done."))
    result = run_cli("ask", "--agent", "coach", "--json", "plan", env={**env_for(server), "JOURNAL_MAX_STEPS": "9"})
    results = [c["result"] for s in json.loads(result.stdout)["steps"] for c in s["tool_calls"]]
    assert results[0] == "Queued as task 1 of 1 in the study_queue block (now 21 of 43 characters)."
    assert results[1] == "Queued as task 2 of 2 in the study_queue block (now 43 of 43 characters)."  # one line
    assert results[2] == ("Error: the study_queue block is full: this task would make it 86 characters, over its limit "
                          "of 43 (it holds 2 tasks in 43); pop done tasks with task_queue_pop, or shorten the task")
    assert results[3:] == ["Popped: Review MemGPT tiers (1 task left).", "Popped: Quiz: recall memory (0 tasks left).",
                           "The study queue is empty."]
    assert run_cli("memory", "show", "study_queue").stdout.splitlines()[1] == "(empty)"


def test_read_only_block_is_refused_with_a_message_to_the_model(journal_dir, server, run_cli):
    made = run_cli("memory", "block", "create", "syllabus", "--limit", "200", "--read-only",
                   "--description", "The course syllabus; set by the learner.", "--value", "Week 1: MemGPT")
    assert made.exit_code == 0 and "read-only" in made.stdout
    server.push(call("core_memory_append", {"label": "syllabus", "content": "Week 2: Letta"}), text("I cannot."))
    data = json.loads(run_cli("ask", "--json", "add week 2", env=env_for(server)).stdout)
    result = data["steps"][0]["tool_calls"][0]["result"]
    assert result == ("Error: the syllabus block is read-only: you can read it but not edit it; if it needs a "
                      "change, tell the learner (they can edit it with `journal memory edit syllabus`)")
    assert "- read_only=true" in system_of(server.requests[0])
    assert json.loads(run_cli("memory", "show", "syllabus", "--json").stdout)["value"] == "Week 1: MemGPT"


def test_messaging_is_bounded_against_a_model_that_always_messages(journal_dir, server, run_cli):
    """A model that answers every request by messaging the other agent: depth and loop rules end it."""
    def always_message(body):
        other = "journal" if "task_queue_push" in tools_of(body) else "coach"
        return call("send_message_to_agent", {"agent": other, "message": "over to you"})

    server.responder = always_message
    result = run_cli("ask", "--agent", "coach", "--json", "go", env={**env_for(server), "JOURNAL_MAX_STEPS": "2"})
    assert result.exit_code == 0, result.output
    data = json.loads(result.stdout)
    assert data["stop_reason"] == "step_cap" and data["agent"] == "coach"
    # coach: 2 steps; each messages the journal agent, which runs 2 steps whose calls back are refused
    assert len(server.requests) == 6
    nested = data["steps"][0]["tool_calls"][0]["turn"]
    assert nested["agent"] == "journal" and nested["stop_reason"] == "step_cap"
    refused = nested["steps"][0]["tool_calls"][0]
    assert refused["error"]
    assert "the coach agent sent you this message and is waiting for your reply" in refused["result"]
    assert "turn" not in refused  # never ran a third turn
    assert data["steps"][0]["tool_calls"][0]["result"].startswith("The journal agent stopped without an answer")


def test_messaging_refuses_self_unknown_and_background_agents(journal_dir, server, run_cli):
    server.push(call("send_message_to_agent", {"agent": "journal", "message": "hi"}),
                call("send_message_to_agent", {"agent": "sleeptime", "message": "hi"}),
                call("send_message_to_agent", {"agent": "tutor", "message": "hi"}), text("ok"))
    data = json.loads(run_cli("ask", "--json", "x", env=env_for(server)).stdout)
    results = [s["tool_calls"][0]["result"] for s in data["steps"][:3]]
    assert results == ["Error: you are the journal agent; message another agent: coach",
                       "Error: there is no agent named 'sleeptime' to message; you can message: coach",
                       "Error: there is no agent named 'tutor' to message; you can message: coach"]
    assert len(server.requests) == 4


def test_show_steps_streams_the_other_agents_steps_indented_and_json_nests_them(seeded_root, server, run_cli):
    server.responder = rule_responder
    result = run_cli("ask", "--agent", "coach", "--show-steps", "Plan my review", env=env_for(server),
                     root=seeded_root)
    lines = result.stdout.splitlines()
    assert lines[0].startswith("step 1 · ")
    assert lines[1] == ('  → send_message_to_agent {"agent": "journal", "message": "Which note should I review '
                        'for: Plan my review"}')
    assert lines[2].startswith("    journal · step 1 · ") and lines[2].endswith("context tokens")
    assert lines[3] == '      → archival_memory_search {"query": "Which note should I review for: Plan my review"}'
    assert lines[4].startswith("        ← Archival memory results 1-")
    assert lines[5].startswith("      · ") and lines[6].startswith("    journal · step 2 · ")
    assert lines[7].startswith("      · answer · ")
    assert lines[8].startswith('    ← The journal agent replied: You wrote about this in "Momentum Learning Day 2"')
    assert lines[10].startswith("step 2 · ")
    assert lines[11].startswith('  → core_memory_append {"label": "learner"')

    server.requests.clear()
    data = json.loads(run_cli("ask", "--agent", "coach", "--json", "Plan my review", env=env_for(server),
                              root=seeded_root).stdout)
    message = data["steps"][0]["tool_calls"][0]
    assert message["name"] == "send_message_to_agent"
    assert message["turn"]["agent"] == "journal"
    assert [c["name"] for s in message["turn"]["steps"] for c in s["tool_calls"]] == ["archival_memory_search"]
    assert message["turn"]["sources"] == [{"title": "Momentum Learning Day 2", "date": "2025-09-18",
                                           "path": SEED_PATH}]
    assert [(e["tool"], e["agent"]) for e in data["edits"]] == [("core_memory_append", "coach"),
                                                               ("task_queue_push", "coach")]


def test_each_agent_has_its_own_conversations(journal_dir, server, run_cli):
    server.push(text("Coach here."), text("Still the coach."), text("Journal here."))
    run_cli("ask", "--agent", "coach", "My cat is Zorblax", env=env_for(server))
    run_cli("ask", "--agent", "coach", "-c", "and?", env=env_for(server))
    assert [without_tail(m.get("content")) for m in server.requests[1]["messages"][1:]] == [
        "My cat is Zorblax", "Coach here.", "and?"]
    run_cli("ask", "-c", "hello", env=env_for(server))  # the journal agent has no conversation to continue
    assert [m["role"] for m in server.requests[2]["messages"]] == ["system", "user"]
    listed = run_cli("log").stdout.splitlines()
    assert "  journal  ask  " in listed[0] and "  coach  ask  " in listed[1]  # started by `journal ask` (issue 20)
    wrong = run_cli("ask", "--cid", "1", "hi", env=env_for(server))
    assert wrong.exit_code == 1
    assert ("conversation #1 is the coach agent's, not the journal agent's; continue it with --agent coach"
            in wrong.stderr)
    server.push(call("conversation_search", {"query": "Zorblax cat"}), text("No idea."))
    data = json.loads(run_cli("ask", "--json", "what is my cat called?", env=env_for(server)).stdout)
    found = data["steps"][0]["tool_calls"][0]["result"]
    assert "what is my cat called?" in found and "Zorblax" not in found  # the coach's messages are its own


def test_agents_lists_persona_blocks_and_tools(journal_dir, run_cli):
    assert run_cli("memory", "block", "create", "reading_list", "--limit", "300", "--agent", "coach",
                   "--description", "Books to read").exit_code == 0
    data = json.loads(run_cli("agents", "--json").stdout)
    assert [a["name"] for a in data] == ["journal", "coach", "sleeptime"]
    coach = data[1]
    assert coach["persona"] == "coach_persona" and coach["persona_text"].startswith("I am the learner's study coach.")
    assert coach["blocks"] == ["coach_persona", "learner", "study_queue", "reading_list"]
    assert coach["tools"] == list(BUILTIN_TOOLS["coach"])
    assert data[2]["role"] == "sleeptime" and data[2]["blocks"] == ["learner"]
    listed = run_cli("agents").stdout.splitlines()
    assert listed[0] == "journal: answers the learner's questions from the journal notes, citing them"
    assert "  blocks: coach_persona, learner, study_queue, reading_list" in listed
    assert listed[-3] == ("sleeptime (background): reflects on new notes in the background and keeps the learner "
                          "block current")


def test_ask_an_unknown_or_background_agent_says_which_exist(journal_dir, server, run_cli):
    unknown = run_cli("ask", "--agent", "tutor", "hi", env=env_for(server))
    assert unknown.exit_code == 1
    assert ("there is no agent named 'tutor'; the agents are: journal, coach, sleeptime (`journal agents` lists "
            "them)") in unknown.stderr
    background = run_cli("chat", "--agent", "sleeptime", input="hi\n", env=env_for(server))
    assert background.exit_code == 1
    assert "the sleeptime agent runs in the background after add and ingest; talk to one of: journal, coach" in (
        background.stderr)
    assert server.requests == []


def test_chat_with_the_coach(seeded_root, server, run_cli):
    server.responder = rule_responder
    result = run_cli("chat", "--agent", "coach", input="Plan my next review\n", env=env_for(server), root=seeded_root)
    assert result.exit_code == 0, result.output
    assert "Chatting with the coach agent. Ctrl-D to exit." in result.stdout
    assert 'Next up: review "Momentum Learning Day 2" (2025-09-18' in result.stdout
    assert "  coach  chat  " in run_cli("log", root=seeded_root).stdout
