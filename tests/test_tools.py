"""The five memory tools through the real agent loop and a real HTTP model server.

Every tool error must come back to the model as the tool result, saying what
was wrong and how to fix it, and the loop must go on to an answer.
"""

from __future__ import annotations

import json
import os
import re
from pathlib import Path

import pytest

from journal_agent.agent.core_memory import DEFAULT_LEARNER, DEFAULT_PERSONA, CoreMemory
from journal_agent.agent.journal_tools import JournalTools
from journal_agent.agent.loop import Agent
from journal_agent.agent.tools import TOOL_NAMES
from journal_agent.archive.search import search_notes
from journal_agent.archive.store import Archive
from tests.support.openai_server import call, text

GOLDEN = Path(__file__).parent / "golden" / "tools"
SEED_PATH = "notes/Momentum Learning Day 2.markdown"


def run_turn(journal, message="hello"):
    agent = Agent(journal)
    try:
        return agent.ask(message)
    finally:
        agent.close()


def _result_paths(result: str) -> list[str]:
    """The note paths of an archival_memory_search result, in order."""
    import re

    return re.findall(r'^\d+\. "[^"]+" \| \d{4}-\d\d-\d\d \| ([^|\n]+?)(?: \||$)', result, re.MULTILINE)


def tool_message_seen_by_model(server, request_index=1) -> str:
    """The last tool result in the ``request_index``-th request: what the model was shown."""
    messages = server.tool_requests[request_index]["messages"]
    assert messages[-1]["role"] == "tool"
    return messages[-1]["content"]


# --------------------------------------------------------------- golden files
def test_tool_schemas_sent_match_golden_files(journal, server):
    server.push(text("Hello!"))
    run_turn(journal)
    sent = server.requests[0]["tools"]
    # the MCP server's search_notes (the agent's archival_memory_search) has its golden file too
    search_notes = JournalTools(journal).tool("search_notes").schema()
    if os.environ.get("UPDATE_GOLDEN"):
        for schema in [*sent, search_notes]:
            path = GOLDEN / f"{schema['function']['name']}.json"
            path.write_text(json.dumps(schema, indent=2, ensure_ascii=False) + "\n")
    assert search_notes == json.loads((GOLDEN / "search_notes.json").read_text())
    assert [t["function"]["name"] for t in sent] == [*TOOL_NAMES, "send_message_to_agent"]  # golden: test_multi_agent
    for schema in sent:
        golden = json.loads((GOLDEN / f"{schema['function']['name']}.json").read_text())
        assert schema == golden, f"{schema['function']['name']} differs from its golden file"


# ---------------------------------------------------------------- error paths
ERROR_CASES = {
    "unknown label": (
        call("core_memory_append", {"label": "notes", "content": "x"}),
        "Error: there is no core memory block labelled 'notes'; use one of: persona, learner, study_queue",
    ),
    "no match": (
        call("core_memory_replace", {"label": "learner", "old_content": "Hobbies:", "new_content": "x"}),
        ('Error: old_content "Hobbies:" does not occur in the learner block; copy it exactly '
        "(case, spaces and punctuation) from the block's <value>"),
    ),
    "several matches": (
        call("core_memory_replace", {"label": "learner", "old_content": ":\n", "new_content": ": -\n"}),
        ('Error: old_content ":\\n" occurs 6 times in the learner block; include more of the '
        "surrounding text so it matches exactly once"),
    ),
    "limit exceeded": (
        call("core_memory_append", {"label": "persona", "content": "x" * 1900}),
        (f"Error: core_memory_append would make the persona block {len(DEFAULT_PERSONA) + 1901:,} characters, "
         f"over its limit of 2,000 (it holds {len(DEFAULT_PERSONA)} now); shorten the new text, or first "
         "condense the block with core_memory_replace (merge related lines, delete outdated ones)"),
    ),
    "missing argument": (
        call("core_memory_append", {"label": "learner"}),
        ("Error: missing required argument 'content' for core_memory_append; call "
        'core_memory_append again with arguments such as {"label": "...", "content": "..."}'),
    ),
    "wrong type": (
        call("conversation_search", {"query": "x", "page": "two"}),
        ("Error: argument 'page' of conversation_search must be an integer, got str 'two'; call "
        'conversation_search again with arguments such as {"query": "..."}'),
    ),
    "unknown argument": (
        call("archival_memory_search", {"query": "x", "limit": 3}),
        ("Error: unknown argument 'limit' for archival_memory_search; its arguments are: query, "
        'start_date, end_date, category, day, page; call archival_memory_search again with arguments '
        'such as {"query": "..."}'),
    ),
    "not an object": (
        call("core_memory_append", '["learner", "x"]'),
        ('Error: the arguments for core_memory_append must be a JSON object like {"name": value}, not list; call '
         'core_memory_append again with arguments such as {"label": "...", "content": "..."}'),
    ),
    "bad date": (
        call("conversation_search", {"query": "x", "start_date": "March 2021"}),
        "Error: start_date 'March 2021' is not a date; use YYYY-MM-DD, e.g. \"2025-03-01\"",
    ),
    "unknown tool": (
        call("web_search", {"query": "x"}),
        ("Error: there is no tool named 'web_search'; the tools are: archival_memory_search, "
        "archival_memory_insert, core_memory_append, core_memory_replace, conversation_search, "
        "read_note, list_notes, journal_stats, send_message_to_agent"),
    ),
    "malformed JSON": (
        call("core_memory_append", '{"label": "learner", content: "x"}'),
        ("Error: the arguments for core_memory_append are not valid JSON (Expecting property name "
        'enclosed in double quotes at character 21); call core_memory_append again with a JSON '
        'object such as {"label": "...", "content": "..."}'),
    ),
}


@pytest.mark.parametrize("case", list(ERROR_CASES))
def test_tool_error_goes_back_to_the_model(journal, server, case):
    bad_call, expected = ERROR_CASES[case]
    server.push(bad_call, text("Sorry, I could not do that."))
    turn = run_turn(journal, "please update my profile")
    first = turn.steps[0].tool_calls[0]
    assert first.error and first.result == expected
    assert tool_message_seen_by_model(server) == expected  # exactly what the model was shown
    assert turn.stop_reason == "answer" and turn.answer == "Sorry, I could not do that."
    assert CoreMemory.open(journal).block("learner").value == DEFAULT_LEARNER
    assert CoreMemory.open(journal).history() == []


def test_parallel_calls_all_run_and_errors_do_not_stop_the_others(journal, server):
    from tests.support.openai_server import calls

    server.push(calls(call("core_memory_append", {"label": "nope", "content": "x"}),
                      call("core_memory_append", {"label": "learner", "content": "Streak: 1 day"})),
                text("Updated."))
    turn = run_turn(journal)
    results = [(c.error, c.result) for c in turn.steps[0].tool_calls]
    assert results[0][0] and not results[1][0]
    assert CoreMemory.open(journal).block("learner").value.endswith("Streak: 1 day")
    tool_messages = [m for m in server.tool_requests[1]["messages"] if m["role"] == "tool"]
    assert [m["tool_call_id"] for m in tool_messages] == ["call_1_0", "call_1_1"]


# --------------------------------------------------------------- the tools
def test_archival_memory_search_returns_title_date_path(seeded_journal, server):
    server.push(call("archival_memory_search", {"query": "MemGPT self-editable memory",
                                                "start_date": "2025-09-01", "end_date": "2025-09-30"}),
                call("archival_memory_search", {"query": "MemGPT", "start_date": "2024-01-01",
                                                "end_date": "2024-12-31"}),
                call("archival_memory_search", {"query": "MemGPT", "category": "Momentum_Learning"}),
                text("Found it."))
    turn = run_turn(seeded_journal, "what did I learn about MemGPT?")
    in_range, out_of_range, by_category = (s.tool_calls[0].result for s in turn.steps[:3])
    # one result per note: the seed is the only note dated in September 2025
    assert in_range.splitlines()[0] == "Archival memory results 1-1 from 2025-09-01 to 2025-09-30:"
    assert f'1. "Momentum Learning Day 2" | 2025-09-18 | {SEED_PATH}' in in_range
    assert "til/" not in in_range  # the TIL notes are outside the range
    assert out_of_range == ('No archival memory matches "MemGPT" from 2024-01-01 to 2024-12-31. '
                            "Try other words, a wider date range, or no category.")
    assert by_category.splitlines()[0] == "Archival memory results 1-1 in category 'Momentum_Learning':"
    assert f'1. "Momentum Learning Day 2" | 2025-09-18 | {SEED_PATH}' in by_category
    assert list(Agent(seeded_journal).turn.retrieved) == []  # a new agent starts clean


def test_archival_memory_search_pages(seeded_journal, server):
    server.push(call("archival_memory_search", {"query": "sqlite python memory"}),
                call("archival_memory_search", {"query": "sqlite python memory", "page": 1}),
                call("archival_memory_search", {"query": "sqlite python memory", "page": 50}),
                text("ok"))
    agent = Agent(seeded_journal)
    agent.tools.page_size = 2  # the seeded archive holds 3 notes in 5 chunks: one result per note
    turn = agent.ask("find everything")
    first, second, past = (s.tool_calls[0].result for s in turn.steps[:3])
    assert first.startswith("Archival memory results 1-2:\n")
    assert first.endswith("More results: call archival_memory_search with page=1.")
    assert second.startswith("Archival memory results 3-3:\n") and "More results" not in second
    assert past.startswith('No more archival memory results for "sqlite python memory"')
    paths = [_result_paths(first), _result_paths(second)]
    assert len(paths[0]) == 2 and len(paths[1]) == 1
    assert len(set(paths[0] + paths[1])) == 3  # never the same note twice, on a page or across pages


def test_archival_memory_insert_is_kept_apart_from_notes(seeded_journal, server):
    def answer_naming_the_entry(body):  # the answer names the saved entry's id, as a model might
        entry = re.search(r"agent:[0-9a-f]+", json.dumps(body["messages"]))
        return text(f"Saved as {entry.group(0) if entry else '?'}.")

    server.push(call("archival_memory_insert", {"content": "The learner prefers worked examples "
                                                "over theory (said 2025-09-18).", "tags": ["preference"]}),
                call("archival_memory_search", {"query": "worked examples preference"}),
                answer_naming_the_entry)
    turn = run_turn(seeded_journal)
    saved = turn.steps[0].tool_calls[0].result
    assert saved.startswith("Saved to archival memory as entry agent:") and "never published" in saved
    found = turn.steps[1].tool_calls[0].result
    assert "[your own entry]" in found and "tags: preference" in found
    archive = Archive.open(seeded_journal)
    assert archive.stats().agent_entries == 1
    notes_only = search_notes(seeded_journal, "worked examples preference", archive=archive)
    assert all(hit.source == "note" for hit in notes_only.hits)  # never shown as a note
    # An entry of the agent's own is never cited as a source, even when the answer names it
    # (was: `.startswith` on Source objects, which passed only on an empty list).
    assert re.search(r"Saved as agent:[0-9a-f]+\.", turn.answer)
    assert [source.path for source in turn.sources] == []


def test_conversation_search_finds_earlier_messages(journal, server):
    server.push(text("Pelicans noted."))
    run_turn(journal, "Remember: my favourite bird is the pelican.")
    server.push(call("conversation_search", {"query": "favourite bird"}), text("The pelican."))
    turn = run_turn(journal, "What is my favourite bird?")
    result = turn.steps[0].tool_calls[0].result
    assert result.startswith("Recall memory results 1-")
    assert "user: Remember: my favourite bird is the pelican." in result


def test_arguments_sent_as_an_object_are_accepted(journal, server):
    """Some OpenAI-compatible servers send ``arguments`` as a JSON object, not a string."""
    server.push({"content": "", "tool_calls": [{"name": "core_memory_append",
                                                "arguments": {"label": "learner", "content": "Streak: 3"}}]},
                text("Done."))
    turn = run_turn(journal)
    assert not turn.steps[0].tool_calls[0].error
    assert CoreMemory.open(journal).block("learner").value.endswith("Streak: 3")
