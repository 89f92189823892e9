"""Blocks as records: the version-1 migration, ``memory block`` commands, a custom block in the prompt,
and ``memory export``/``import`` round trips (Letta docs, "Memory blocks", "Shared memory")."""

from __future__ import annotations

import json

import pytest

from journal_agent.agent.core_memory import FORMAT_VERSION, CoreMemory, CoreMemoryError
from journal_agent.workspace import open_journal
from tests.support.openai_server import tail_of, text

KEY = "sk-test-dummy"
LEARNER_V1 = "Goals: finish the Agent Memory course\nStreak: 3 days"
PERSONA_V1 = "I am Ana's coach. I answer in Spanish."
V1_FILE = {  # what journal-agent wrote before blocks were records (core_memory.json, version 1)
    "version": 1,
    "blocks": [
        {"label": "persona", "description": "Who you are.", "value": PERSONA_V1, "limit": 2000},
        {"label": "learner", "description": "The learner profile.", "value": LEARNER_V1, "limit": 5000},
    ],
    "history": [
        {"time": "2025-09-20T10:00:00", "tool": "core_memory_append", "label": "learner",
         "before": "Goals: finish the Agent Memory course", "after": LEARNER_V1},
    ],
    "undone": [],
}


def env_for(server) -> dict[str, str]:
    return {"OPENAI_BASE_URL": server.base_url, "OPENAI_API_KEY": KEY}


def test_a_version_1_journal_keeps_its_blocks_and_history(journal, server, run_cli):
    path = journal.state_dir / "core_memory.json"
    path.write_text(json.dumps(V1_FILE), encoding="utf-8")
    server.push(text("Hola."))
    assert run_cli("ask", "hi", env=env_for(server)).exit_code == 0
    system = server.requests[0]["messages"][0]["content"]
    assert PERSONA_V1 in system and LEARNER_V1 in system and "<study_queue>" in system
    assert "- Memory blocks were last modified: " in tail_of(server.requests[0])  # after the stable prefix
    data = json.loads(path.read_text(encoding="utf-8"))
    assert data["version"] == FORMAT_VERSION
    assert json.loads((journal.state_dir / "core_memory.v1.json").read_text()) == V1_FILE  # kept as it was
    blocks = {b["label"]: b for b in data["blocks"]}
    assert list(blocks) == ["persona", "learner", "coach_persona", "study_queue"]
    assert blocks["learner"]["value"] == LEARNER_V1 and blocks["learner"]["modified"] == "2025-09-20T10:00:00"
    assert blocks["learner"]["id"].startswith("block-")
    shown = json.loads(run_cli("memory", "show", "learner", "--json").stdout)
    assert shown["agents"] == ["journal", "coach", "sleeptime"]
    history = json.loads(run_cli("memory", "history", "--json").stdout)
    assert history[0]["after"] == LEARNER_V1 and history[0]["block_id"] == blocks["learner"]["id"]
    undone = run_cli("memory", "undo")  # the migrated history can be undone
    assert undone.exit_code == 0 and undone.stdout.startswith("Reverted core_memory_append on the learner block")
    assert CoreMemory.open(journal).block("learner").value == "Goals: finish the Agent Memory course"


def test_a_newer_core_memory_file_is_refused_not_overwritten(journal, run_cli):
    path = journal.state_dir / "core_memory.json"
    path.write_text(json.dumps({"version": 7, "blocks": []}), encoding="utf-8")
    shown = run_cli("memory", "show")
    assert shown.exit_code == 1
    assert "core memory format version 7 is newer than this journal-agent reads (2); upgrade" in shown.stderr
    assert json.loads(path.read_text())["version"] == 7


def test_a_custom_block_reaches_the_prompt_of_every_agent_it_is_attached_to(journal_dir, server, run_cli):
    made = run_cli("memory", "block", "create", "reading_list", "--limit", "300",
                   "--description", "Books the learner wants to read.", "--value", "- SICP")
    assert made.exit_code == 0, made.output
    assert made.stdout == "Created the reading_list block (300 chars), attached to: journal, coach.\n"
    server.push(text("a"), text("b"), text("c"))
    run_cli("ask", "hi", env=env_for(server))
    run_cli("ask", "--agent", "coach", "hi", env=env_for(server))
    expected = ("<reading_list>\n<description>\nBooks the learner wants to read.\n</description>\n<metadata>\n"
                "- chars_current=6\n- chars_limit=300\n</metadata>\n<value>\n- SICP\n</value>\n</reading_list>")
    assert all(expected in r["messages"][0]["content"] for r in server.requests)
    assert run_cli("memory", "block", "detach", "reading_list", "coach").stdout == (
        "Detached the reading_list block from coach.\n")
    run_cli("ask", "--agent", "coach", "hi", env=env_for(server))
    assert "<reading_list>" not in server.requests[-1]["messages"][0]["content"]
    shown = run_cli("memory", "show").stdout
    assert "== reading_list (6 / 300 chars · attached to: journal · modified " in shown


def test_block_commands_say_what_is_wrong(journal_dir, run_cli):
    bad = run_cli("memory", "block", "create", "Reading List", "--limit", "10", "--description", "x")
    assert bad.exit_code == 1 and "'Reading List' cannot label a block: use 1-40 lowercase letters" in bad.stderr
    taken = run_cli("memory", "block", "create", "learner", "--limit", "10", "--description", "x")
    assert taken.exit_code == 1 and "there is already a block labelled 'learner'" in taken.stderr
    over = run_cli("memory", "block", "create", "notes", "--limit", "3", "--description", "x", "--value", "abcd")
    assert over.exit_code == 1 and "the value is 4 characters, over the limit of 3" in over.stderr
    nobody = run_cli("memory", "block", "create", "notes", "--limit", "30", "--description", "x", "--agent", "tutor")
    assert nobody.exit_code == 1 and "there is no agent named 'tutor'" in nobody.stderr
    persona = run_cli("memory", "block", "delete", "coach_persona")
    assert persona.exit_code == 1 and "the coach_persona block is the persona of the coach agent" in persona.stderr
    deleted = run_cli("memory", "block", "delete", "study_queue")
    assert deleted.stdout == "Deleted the study_queue block (was attached to: journal, coach).\n"
    assert "== study_queue" not in run_cli("memory", "show").stdout
    missing = run_cli("memory", "show", "study_queue")
    assert missing.exit_code == 1 and "there is no core memory block labelled 'study_queue'" in missing.stderr


def test_a_deleted_queue_tells_the_coach_what_is_missing(journal, tmp_path):
    core = CoreMemory.open(journal, agent=None)
    core.delete_block("study_queue")
    coach = CoreMemory.open(journal, agent="coach")
    with pytest.raises(CoreMemoryError, match="no core memory block labelled 'study_queue'; use one of: "
                                              "coach_persona, learner"):
        coach.push_task("Review Day 2")


def test_export_then_import_into_a_fresh_journal_gives_identical_memory(journal_dir, tmp_path, run_cli,
                                                                          embedding_server):
    from tests.support.journals import make_journal_dir

    run_cli("memory", "block", "create", "reading_list", "--limit", "300", "--description", "Books.",
            "--value", "- SICP", "--read-only", "--agent", "coach")
    core = CoreMemory.open(open_journal(root=journal_dir), agent="coach")
    core.push_task("Review Day 2")
    core.append("learner", "Streak: 4 days")
    run_cli("memory", "undo")
    exported = tmp_path / "memory.json"
    assert run_cli("memory", "export", str(exported)).stdout == f"Wrote {exported}.\n"

    fresh = make_journal_dir(tmp_path / "fresh", embedding_base_url=embedding_server.base_url)
    imported = run_cli("memory", "import", str(exported), root=fresh)
    assert imported.exit_code == 0, imported.output
    assert imported.stdout.startswith("Imported 5 blocks, 3 agents and 3 edits from ")
    for command in (("memory", "show", "--json"), ("agents", "--json"), ("memory", "history", "--json")):
        assert run_cli(*command, root=fresh).stdout == run_cli(*command).stdout, command
    again = tmp_path / "again.json"
    run_cli("memory", "export", str(again), root=fresh)
    assert json.loads(again.read_text()) == json.loads(exported.read_text())
    assert (fresh / ".journal" / "core_memory.before-import.json").exists()
    redo = run_cli("memory", "undo", root=fresh)  # the imported history goes on: undo the undo
    assert redo.stdout.startswith("Redid the edit of the learner block")


def test_import_refuses_another_format_version_or_a_foreign_file(journal_dir, tmp_path, run_cli):
    exported = json.loads(run_cli("memory", "export").stdout)
    before = run_cli("memory", "show", "--json").stdout
    other = tmp_path / "v3.json"
    other.write_text(json.dumps(dict(exported, version=3)))
    refused = run_cli("memory", "import", str(other))
    assert refused.exit_code == 1
    assert (f"{other}: memory export format version 3, but this journal-agent reads version 2 only; export it "
            "again with the journal-agent that reads it, or upgrade") in refused.stderr
    foreign = tmp_path / "foreign.json"
    foreign.write_text(json.dumps({"blocks": []}))
    assert "not a journal-agent memory export" in run_cli("memory", "import", str(foreign)).stderr
    broken = tmp_path / "broken.json"
    broken.write_text("{")
    assert "not JSON" in run_cli("memory", "import", str(broken)).stderr
    dangling = tmp_path / "dangling.json"
    exported["agents"][0]["blocks"].append("block-missing")
    dangling.write_text(json.dumps(exported))
    assert "attached to block 'block-missing', which is not in the file" in (
        run_cli("memory", "import", str(dangling)).stderr)
    assert run_cli("memory", "show", "--json").stdout == before  # nothing changed
