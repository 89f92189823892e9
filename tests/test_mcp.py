"""`journal mcp`: the read-only MCP server, through the SDK's own client (in memory, and once over stdio).

MCP Python SDK 2 (``mcp.Client``): an ``MCPServer`` instance connects in-process; a
``StdioServerParameters`` launches the command and speaks JSON-RPC over its stdin/stdout.
"""

from __future__ import annotations

import asyncio
import datetime as dt
import os
import shutil
import sys
from pathlib import Path

import pytest
from mcp import Client, StdioServerParameters

from journal_agent.agent.journal_tools import JournalTools
from journal_agent.agent.toolspec import parse_docstring
from journal_agent.archive.ingest import ingest
from journal_agent.service.mcp import CORE_MEMORY_URI, build_server
from journal_agent.workspace import open_journal
from tests.support.journals import SEED, write

REPO = Path(__file__).resolve().parents[1]
LEARNER = REPO / "benchmarks" / "learner_journal"
DAY4 = "notes/2025-09-20-momentum-learning-day-4.markdown"
TOOLS = {"search_notes", "list_notes", "read_note", "journal_stats", "core_memory"}


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
    description, arguments = parse_docstring(JournalTools.search_notes.__doc__)
    search = tools["search_notes"]
    assert search.description == description  # one definition: the agent's docstring
    assert search.input_schema["required"] == ["query"]
    for name in ("query", "start_date", "end_date", "category", "day", "page"):
        assert search.input_schema["properties"][name]["description"] == arguments[name]
    assert set(tools["read_note"].input_schema["properties"]) == {"path", "day", "date", "page"}


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
    assert out["stats"][1].startswith("Today is 2025-09-27. 11 notes on 10 days")  # two notes on the 26th
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

