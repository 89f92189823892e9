"""Portable agent state (issue 22): ``journal memory export --format letta`` writes a Letta agent file
and ``journal memory import FILE.af`` reads one back, with bounds and named errors."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from journal_agent.agent import agent_file
from journal_agent.agent.agent_file import (
    AgentFileConflict,
    AgentFileError,
    AgentFileTooLarge,
    AgentFileVersionError,
    import_agent,
    read_agent_file,
)
from journal_agent.agent.core_memory import CoreMemory
from journal_agent.agent.loop import Agent
from journal_agent.agent.recall import RecallMemory
from journal_agent.archive.store import Archive
from journal_agent.workspace import open_journal
from tests.support.journals import make_journal_dir
from tests.support.openai_server import rule_responder

GOLDEN = Path(__file__).parent / "golden" / "letta_agent_file.af"
# shaped like a Letta server's export (letta-ai/agent-file memgpt_agent.af, schemas/agent_file.py): every field
# Letta writes, its default human and persona blocks (limit 20,000), a system message; our own text
LETTA_EXPORT = Path(__file__).parent / "golden" / "letta_server_export.af"


def _blocks(journal, agent="journal"):
    return [(b.label, b.value, b.limit, b.description, b.read_only)
            for b in CoreMemory.open(journal, agent=agent).blocks]


def _messages(journal, agent="journal"):
    recall = RecallMemory.open(journal, agent=agent)
    recall.continue_last("chat")
    found = [(m.role, m.payload.get("content") or "", m.payload.get("tool_call_id"), m.in_context,
              [(c["id"], c["function"]["name"], c["function"]["arguments"]) for c in m.payload.get("tool_calls") or []])
             for m in recall.messages()]
    recall.close()
    return found


@pytest.fixture
def fresh(tmp_path, embedding_server):
    return open_journal(root=make_journal_dir(tmp_path / "fresh", embedding_base_url=embedding_server.base_url))


@pytest.fixture
def used(seeded_journal, server):
    """The seeded journal after two turns, a custom block, an edited learner block and an archival entry."""
    server.responder = rule_responder
    for conversation, question in (("new", "Which course did I start about agent memory?"),
                                   ("continue", "What did I note about memory blocks?")):
        agent = Agent(seeded_journal, conversation=conversation)
        agent.ask(question)
        agent.close()
    recall = RecallMemory.open(seeded_journal, agent="journal")
    recall.continue_last("chat")
    recall.evict([m.id for m in recall.messages()[:4]])  # the first question and answer left the window
    recall.close()
    core = CoreMemory.open(seeded_journal, agent=None)
    core.create_block("projects", limit=800, description="What the learner is building.", value="A CLI journal.",
                      agents=["journal"])
    core.set_value("learner", "Goals: understand agent memory.\nCourses: LLMs as Operating Systems.")
    Archive.open(seeded_journal).insert_agent_memory("The learner prefers worked examples.", ["preference"])
    return seeded_journal


def test_round_trip_into_a_fresh_journal(used, fresh, run_cli, tmp_path):
    out = tmp_path / "out" / "journal.af"
    out.parent.mkdir()
    exported = run_cli("memory", "export", "--format", "letta", "-o", str(out), root=used.root)
    assert exported.exit_code == 0, exported.output
    assert (out.parent / "journal.archival.jsonl").is_file()
    imported = run_cli("memory", "import", str(out), "--force", root=fresh.root)
    assert imported.exit_code == 0, imported.output
    assert "archival entries added" in imported.output
    assert _blocks(fresh) == _blocks(used)  # persona, learner, study_queue and the custom block, limits included
    assert _messages(fresh) == _messages(used) and len(_messages(used)) == 8
    assert [m[3] for m in _messages(fresh)] == [False] * 4 + [True] * 4  # in the window as they were
    texts = [r["text"] for r in Archive.open(fresh).scan("source = 'agent'", ["text"]).to_pylist()]
    assert texts == ["The learner prefers worked examples."]
    again = run_cli("memory", "import", str(out), root=fresh.root)  # the same file twice: refused, named
    assert again.exit_code == 1 and "was imported before" in again.output


def test_export_uses_letta_field_names(used, tmp_path):
    written = agent_file.dump(agent_file.build_agent_file(used))
    ours, golden = json.loads(written), json.loads(GOLDEN.read_text(encoding="utf-8"))
    assert set(ours) == set(golden)

    def keys(items):
        return set().union(*(set(item) for item in items))

    assert keys(ours["agents"]) <= keys(golden["agents"])
    assert keys(ours["blocks"]) <= keys(golden["blocks"])
    assert keys(ours["tools"]) <= keys(golden["tools"])
    messages, golden_messages = ours["agents"][0]["messages"], golden["agents"][0]["messages"]
    assert keys(messages) <= keys(golden_messages)
    assert keys(r for m in messages for r in m["tool_returns"] or []) <= keys(
        r for m in golden_messages for r in m["tool_returns"])
    agent = ours["agents"][0]
    assert {"id", "name", "system", "block_ids", "tool_ids", "messages", "in_context_message_ids"} <= set(agent)
    assert [b["label"] for b in ours["blocks"]] == ["persona", "learner", "study_queue", "projects"]
    assert all(t["json_schema"]["parameters"]["type"] == "object" for t in ours["tools"])
    assert messages[0]["content"][0]["type"] == "text" and agent["block_ids"] == [b["id"] for b in ours["blocks"]]


def test_a_letta_file_imports_with_force(fresh, tmp_path):
    with pytest.raises(AgentFileConflict, match=r"would change the persona, learner \(the file's human\) blocks"):
        import_agent(fresh, GOLDEN)
    assert "persona" in {b[0]: b for b in _blocks(fresh)}
    assert _messages(fresh) == []  # refused before any change
    result = import_agent(fresh, GOLDEN, force=True)
    assert (result.agent, result.blocks_created, result.blocks_updated) == ("journal", [], ["persona", "learner"])
    assert result.renamed == {"human": "learner"}
    blocks = {b[0]: b[1] for b in _blocks(fresh)}
    assert blocks["persona"] == "I am a patient study companion." and blocks["learner"].startswith("Name: Sam.")
    assert "human" not in blocks  # Letta's learner profile is ours, not a block beside it
    messages = _messages(fresh)
    assert [m[0] for m in messages] == ["user", "assistant", "tool", "assistant"]  # the system message is ours
    assert messages[1][4] == [("call_abc123", "archival_memory_search", '{"query": "gradient descent"}')]


def test_refusals_are_named_and_change_nothing(fresh, tmp_path, monkeypatch):
    golden = json.loads(GOLDEN.read_text(encoding="utf-8"))
    first_layout = tmp_path / "old.af"
    first_layout.write_text(json.dumps({"agent_type": "memgpt_agent", "core_memory": [], "messages": []}))
    with pytest.raises(AgentFileVersionError, match="first layout"):
        read_agent_file(first_layout)
    newer = tmp_path / "newer.af"
    newer.write_text(json.dumps(golden | {"metadata": {"journal_agent_format": "99"}}))
    with pytest.raises(AgentFileVersionError, match="format 99"):
        read_agent_file(newer)
    not_af = tmp_path / "notes.af"
    not_af.write_text(json.dumps({"hello": "world"}))
    with pytest.raises(AgentFileError, match="not an agent file"):
        read_agent_file(not_af)
    damaged = tmp_path / "damaged.af"
    damaged.write_text(json.dumps(golden | {"blocks": [{"id": "block-0", "label": "persona", "limit": "lots"}]}))
    with pytest.raises(AgentFileError, match="blocks.0.limit"):
        read_agent_file(damaged)
    over = tmp_path / "over.af"
    golden["blocks"][1]["limit"] = 10
    over.write_text(json.dumps(golden))
    before = _blocks(fresh)
    with pytest.raises(AgentFileError, match="over its limit of 10"):
        import_agent(fresh, over, force=True)
    assert _blocks(fresh) == before and _messages(fresh) == []
    monkeypatch.setattr(agent_file, "MAX_FILE_BYTES", 1000)
    with pytest.raises(AgentFileTooLarge, match="over the 1,000-byte bound"):
        read_agent_file(GOLDEN)


def test_export_never_overwrites_a_file_it_did_not_write(used, run_cli, tmp_path):
    mine = tmp_path / "mine.af"
    mine.write_text("my own notes\n")
    refused = run_cli("memory", "export", "--format", "letta", "-o", str(mine), root=used.root)
    assert refused.exit_code == 1 and "was not written by this command" in refused.output
    assert mine.read_text() == "my own notes\n"
    into_notes = run_cli("memory", "export", "--format", "letta", "-o", str(used.root / "notes" / "x.af"),
                         root=used.root)
    assert into_notes.exit_code == 1 and "holds the notes" in into_notes.output
    ok = tmp_path / "ok.af"
    assert run_cli("memory", "export", "--format", "letta", "-o", str(ok), root=used.root).exit_code == 0
    assert run_cli("memory", "export", "--format", "letta", "-o", str(ok), root=used.root).exit_code == 0  # ours


def test_archival_jsonl_leaves_private_notes_out_unless_asked(used, run_cli, tmp_path):
    from journal_agent.archive.ingest import ingest
    from tests.support.journals import write

    write(used.root / "notes" / "secret.md",
          "---\ntitle: Secret\ndate: 2025-09-02\nprivate: true\n---\nzorblax plans\n")
    ingest(used)
    for flags, expected in (((), False), (("--include-private",), True)):
        out = tmp_path / f"out{len(flags)}.af"
        assert run_cli("memory", "export", "--format", "letta", "-o", str(out), *flags, root=used.root).exit_code == 0
        lines = [json.loads(line) for line in (tmp_path / f"out{len(flags)}.archival.jsonl").read_text().splitlines()]
        assert any(p["metadata"]["source"] == "note" for p in lines)
        assert any("zorblax" in p["text"] for p in lines) is expected


def test_a_letta_server_export_lands_in_learner_and_persona(fresh):
    """Letta's default ``human`` block is the learner profile: it replaces ``learner``; ``persona`` the persona."""
    parsed = read_agent_file(LETTA_EXPORT)
    letta_blocks = {b.label: b for b in parsed.blocks}
    assert set(letta_blocks) == {"human", "persona"} and letta_blocks["human"].limit == 20000
    result = import_agent(fresh, LETTA_EXPORT, force=True)
    assert result.renamed == {"human": "learner"}
    assert (result.blocks_created, sorted(result.blocks_updated)) == ([], ["learner", "persona"])
    blocks = {b[0]: b for b in _blocks(fresh)}
    assert "human" not in blocks
    assert blocks["learner"][1] == letta_blocks["human"].value and blocks["learner"][2] == 5000  # our limit holds
    assert blocks["persona"][1] == letta_blocks["persona"].value
    assert [(m[0], m[1]) for m in _messages(fresh)] == [
        ("user", "I finished the lesson on memory blocks today."),
        ("assistant", "Well done, Robin. What surprised you about the block limits?")]  # the system message is ours


def test_letta_persona_goes_to_the_coachs_persona_and_a_learner_block_keeps_human_apart(fresh, tmp_path):
    result = import_agent(fresh, LETTA_EXPORT, into="coach", force=True)
    assert result.renamed == {"human": "learner", "persona": "coach_persona"}
    blocks = {b[0]: b[1] for b in _blocks(fresh, agent="coach")}
    assert blocks["coach_persona"].startswith("\nI am a calm study partner.")
    data = json.loads(LETTA_EXPORT.read_text(encoding="utf-8"))
    data["blocks"].append({**data["blocks"][0], "id": "block-2", "label": "learner", "value": "Goals: ship it"})
    data["agents"][0]["block_ids"].append("block-2")
    both = tmp_path / "both.af"
    both.write_text(json.dumps(data), encoding="utf-8")
    again = import_agent(fresh, both, force=True)
    assert again.renamed == {}  # the file has a learner block of its own: human stays human
    blocks = {b[0]: b[1] for b in _blocks(fresh)}
    assert blocks["learner"] == "Goals: ship it" and blocks["human"].startswith("\nThis is what I know")


def test_the_cli_says_where_lettas_blocks_went(fresh, run_cli):
    """``journal memory import`` of a Letta export names the blocks it put under our names (human → learner)."""
    result = run_cli("memory", "import", str(LETTA_EXPORT), "--force", root=fresh.root)
    assert result.exit_code == 0, result.output
    assert "Blocks under our names: human → learner." in result.output
