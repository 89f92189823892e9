"""`journal mcp`: the read-only MCP server, through the SDK's own client (in memory, and once over stdio).

MCP Python SDK 2 (``mcp.Client``): an ``MCPServer`` instance connects in-process; a
``StdioServerParameters`` launches the command and speaks JSON-RPC over its stdin/stdout.
"""

from __future__ import annotations

import asyncio
import datetime as dt
import json
import os
import shutil
import sys
from pathlib import Path

import pytest
from mcp import Client, StdioServerParameters

from journal_agent.archive.ingest import ingest
from journal_agent.service.mcp import CORE_MEMORY_URI, build_server
from journal_agent.workspace import open_journal
from tests.support.journals import SEED, write

REPO = Path(__file__).resolve().parents[1]
LEARNER = REPO / "benchmarks" / "learner_journal"
DAY4 = "notes/2025-09-20-momentum-learning-day-4.markdown"
TOOLS = {"search_notes", "list_notes", "read_note", "journal_stats", "core_memory"}
GOLDEN = Path(__file__).parent / "golden" / "tools"  # the schemas the agent sends (tests/test_tools.py)


@pytest.fixture
def learner(journal_dir):
    for source in [SEED, *LEARNER.glob("*.markdown")]:
        shutil.copy(source, journal_dir / "notes" / source.name)
    write(journal_dir / "notes" / "secret.md",
          "---\ntitle: Secret\ndate: 2025-09-26\nprivate: true\n---\nMy embeddings salary notes.\n")
    journal = open_journal(root=journal_dir)
    ingest(journal)
    return journal


def talk(server_or_params, script):
    async def main():
        async with Client(server_or_params) as client:
            return await script(client)

    return asyncio.run(main())


def test_tools_are_read_only_and_described_by_their_docstrings(learner):
    async def script(client):
        return (await client.list_tools()).tools

    tools = {tool.name: tool for tool in talk(build_server(learner), script)}
    assert set(tools) == TOOLS
    for tool in tools.values():
        assert tool.annotations.read_only_hint is True and tool.annotations.destructive_hint is False
    assert set(tools["read_note"].input_schema["properties"]) == {"path", "day", "date", "page"}


def test_instructions_describe_entries_not_only_daily_notes(learner):
    """The server's instructions tell a client the journal is entries: single-file logs and multi-day posts."""
    async def script(client):
        return client.instructions

    text = talk(build_server(learner), script)
    assert "entries" in text and "single-file log" in text and "multi-day post" in text
    assert "daily notes titled" not in text and "<note>" in text


def test_input_schemas_are_the_agents_schemas(learner):
    """Golden: one schema per tool, everywhere. The MCP tools' input schemas and descriptions are the
    agent's (search_notes's parameters are archival_memory_search's: one function, two names)."""
    async def script(client):
        return (await client.list_tools()).tools

    tools = {tool.name: tool for tool in talk(build_server(learner), script)}
    for name, agent_name in (("search_notes", "archival_memory_search"), ("list_notes", "list_notes"),
                             ("read_note", "read_note"), ("journal_stats", "journal_stats")):
        golden = json.loads((GOLDEN / f"{name}.json").read_text())["function"]
        agents = json.loads((GOLDEN / f"{agent_name}.json").read_text())["function"]
        assert tools[name].input_schema == golden["parameters"] == agents["parameters"], name
        assert tools[name].description == golden["description"], name


def test_bad_arguments_read_as_they_do_to_the_agent(learner):
    async def script(client):
        calls = {
            "wrong type": ("search_notes", {"query": "embeddings", "page": "two"}),
            "missing": ("search_notes", {"page": 1}),
            "extra": ("list_notes", {"limit": 3}),
            "lenient": ("read_note", {"day": "4", "date": None}),
        }
        out = {}
        for key, (name, arguments) in calls.items():
            result = await client.call_tool(name, arguments)
            out[key] = (result.is_error, result.content[0].text)
        return out

    out = talk(build_server(learner), script)
    assert out["wrong type"] == (True, "Error executing tool search_notes: argument 'page' of search_notes must be "
                                       "an integer, got str 'two'")
    assert out["missing"] == (True, "Error executing tool search_notes: missing required argument 'query' for "
                                    "search_notes")
    assert out["extra"] == (True, "Error executing tool list_notes: unknown argument 'limit' for list_notes; its "
                                  "arguments are: start_date, end_date, category, tag, page")
    error, read = out["lenient"]  # a digit string for a number, null for "not given"
    assert not error and read.startswith(f'"Momentum Learning Day 4" | 2025-09-20 | {DAY4}')


def test_tools_answer_like_the_agents(learner):
    server = build_server(learner, today=dt.date(2025, 9, 27))

    async def script(client):
        calls = {
            "day": ("search_notes", {"query": "What did I study on Day 4?"}),
            "dated": ("search_notes", {"query": "embeddings", "start_date": "2025-09-20", "end_date": "2025-09-20"}),
            "private": ("search_notes", {"query": "embeddings salary notes"}),
            "read": ("read_note", {"day": 4}),
            "missing": ("read_note", {"day": 99}),
            "bad": ("list_notes", {"start_date": "last tuesday"}),
            "list": ("list_notes", {"start_date": "2025-09-22", "end_date": "2025-09-23"}),
            "stats": ("journal_stats", {}),
            "core": ("core_memory", {}),
        }
        out = {}
        for key, (name, arguments) in calls.items():
            result = await client.call_tool(name, arguments)
            out[key] = (result.is_error, result.content[0].text)
        resource = await client.read_resource(CORE_MEMORY_URI)
        out["resource"] = resource.contents[0].text
        return out

    out = talk(server, script)
    error, day = out["day"]
    assert not error and day.splitlines()[3].startswith(f'1. "Momentum Learning Day 4" | 2025-09-20 | {DAY4}')
    assert out["dated"][1].splitlines()[0] == "Archival memory results 1-1 from 2025-09-20 to 2025-09-20:"
    assert "notes/secret.md" not in out["private"][1] and "private or draft note(s) also matched" in out["private"][1]
    assert out["read"][1].startswith(f'"Momentum Learning Day 4" | 2025-09-20 | {DAY4} | Day 4')
    assert out["missing"] == (True, ("Error executing tool read_note: no note for day 99 (the days run from 1 to 9); "
                                    "try `journal list`"))
    assert out["bad"][0] and "start_date 'last tuesday' is not a date" in out["bad"][1]
    assert out["list"][1].splitlines()[0] == "Notes 1-2 of 2 from 2025-09-22 to 2025-09-23, oldest first:"
    # the private secret.md is not counted (issue 21: its date and streak were shown)
    assert out["stats"][1].startswith("Today is 2025-09-27. 10 notes on 10 days")
    assert out["stats"][1].endswith("1 private or draft note(s) are not shared with you and are not counted.")
    assert "Current streak: 10 days (2025-09-17 to 2025-09-26)" in out["stats"][1]
    assert out["core"][1] == out["resource"] and "<learner>" in out["resource"]


@pytest.mark.slow
def test_journal_mcp_over_stdio(learner):
    """The command itself, spawned as a client spawns it. (Not through CliRunner: its stdin is all given up
    front, and at end of input the SDK cancels requests still in flight, mcp/shared/jsonrpc_dispatcher.py.)"""
    env = {**os.environ, "PYTHONPATH": str(REPO)}
    params = StdioServerParameters(command=sys.executable, args=["-m", "journal_agent.cli", "--root",
                                                                 str(learner.root), "mcp"], env=env)

    async def script(client):
        names = {tool.name for tool in (await client.list_tools()).tools}
        found = await client.call_tool("search_notes", {"query": "reciprocal rank fusion"})
        read = await client.call_tool("read_note", {"date": "2025-09-23"})
        return names, found.content[0].text, read.content[0].text

    names, found, read = talk(params, script)
    assert names == TOOLS
    assert '1. "Momentum Learning Day 6" | 2025-09-22' in found
    assert read.startswith('"Momentum Learning Day 7" | 2025-09-23')

