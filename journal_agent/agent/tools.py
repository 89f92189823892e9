"""The agent's tools: the five memory tools and the journal-structure tools, as typed functions whose
docstrings are their schemas (:class:`~journal_agent.agent.toolspec.Tool`).

MemGPT's self-directed memory management (Packer et al. 2023, arXiv:2310.08560;
Letta docs, "Base tools"): the agent pages information in and out of its
context through function calls.

* ``archival_memory_search`` / ``archival_memory_insert``: the LanceDB archive
  (note chunks; the agent's own entries are stored with ``source="agent"``).
  The search is :meth:`JournalTools.search_notes
  <journal_agent.agent.journal_tools.JournalTools.search_notes>` under the
  agent's name and description, searching the agent's entries too.
* ``core_memory_append`` / ``core_memory_replace``: the core-memory blocks.
* ``conversation_search``: recall memory (the whole conversation history).
* ``read_note``, ``list_notes``, ``journal_stats``: the journal's structure
  (:class:`~journal_agent.agent.journal_tools.JournalTools`, shared with the MCP server).

:meth:`MemoryTools.call` runs one call from the model. Every problem (unknown
tool, malformed JSON, bad arguments, unknown label, no match, several
matches, limit exceeded) comes back as the tool result, starting with
``Error:`` and saying what was wrong and how to fix it; it never raises.
"""

from __future__ import annotations

import json
import logging
import time

from journal_agent.agent.journal_tools import (
    PAGE_SIZE,
    JournalTools,
    ToolEffects,
    ToolError,
    ToolResult,
    date_range,
    excerpt,
    range_text,
)
from journal_agent.agent.toolspec import Tool, ToolArgumentError
from journal_agent.errors import JournalError

log = logging.getLogger(__name__)

__all__ = ["TOOL_NAMES", "MemoryTools", "ToolEffects", "ToolError", "ToolResult"]

TOOL_NAMES = ("archival_memory_search", "archival_memory_insert", "core_memory_append", "core_memory_replace",
              "conversation_search", "read_note", "list_notes", "journal_stats")


class MemoryTools(JournalTools):
    """The agent's tools bound to one journal's core, recall and archival memory.

    Args:
        journal: the :class:`~journal_agent.workspace.Journal`.
        core: its :class:`~journal_agent.agent.core_memory.CoreMemory`.
        recall: its :class:`~journal_agent.agent.recall.RecallMemory`.
        archive: an open ``Archive``; opened on first use when ``None``.
        page_size: search results per page.
        include_private: show private and draft notes to the model; default ``[llm] share_private``.
        today: reference day for relative dates and streaks (default: the real today).
    """

    names: tuple[str, ...] = TOOL_NAMES  # the tools offered; a subclass offers others (agent/agent_tools.py)
    search_name = "archival_memory_search"
    search_source = "all"
    search_description = (
        "Search the learner's notes and your saved entries by meaning and keywords; one result per entry (a dated "
        "part of a note).\n\n"
        "Keep the learner's words about time in the query; they are applied: a learning day (\"Day 4\"), a date "
        "(\"on June 16th\", \"last week\"), the challenge's calendar (\"the second week of the challenge\"), an "
        "event (\"the day after I finished the course\") and first/last-time questions (\"When did I first use "
        "Docker?\": matching entries by date). For counts (days studied in a month, streaks, gaps) call "
        "journal_stats instead. Cite what you use by title, date and path.")

    def __init__(self, journal, core, recall, *, archive=None, page_size: int = PAGE_SIZE,
                 include_private: bool | None = None, today=None):
        super().__init__(journal, archive=archive, include_private=include_private, today=today,
                         page_size=page_size)
        self.core = core
        self.recall = recall

    def call(self, name: str, arguments: str) -> ToolResult:
        """Run the tool ``name`` with the model's raw JSON ``arguments``; never raises."""
        started = time.perf_counter()
        self._effects = ToolEffects()
        result = self._call(name, arguments)
        result.seconds = time.perf_counter() - started
        result.effects, self._effects = self._effects, ToolEffects()
        return result

    def _call(self, name: str, arguments: str) -> ToolResult:
        if name not in self.names:
            return _error(f"there is no tool named {name!r}; the tools are: {', '.join(self.names)}")
        tool = self.tool(name)
        try:
            parsed = json.loads(arguments) if arguments and arguments.strip() else {}
        except json.JSONDecodeError as exc:
            return _error(f"the arguments for {name} are not valid JSON ({exc.msg} at character {exc.pos}); "
                          f"call {name} again with a JSON object such as {_example(tool)}")
        try:
            return ToolResult(tool.run(parsed))
        except ToolArgumentError as exc:
            return _error(f"{exc}; call {name} again with arguments such as {_example(tool)}")
        except JournalError as exc:
            return _error(str(exc))
        except Exception as exc:  # noqa: BLE001 - a tool bug must not end the conversation
            log.warning("tool %s failed unexpectedly", name, exc_info=True)
            return _error(f"{name} failed unexpectedly ({type(exc).__name__}: {exc}); try other arguments")

    def _edited(self, edit) -> str:
        """Record ``edit`` (a core-memory ``MemoryEdit``) in this call's effects; the block's size after it."""
        self._effects.edits.append(edit)
        block = self.core.block(edit.label)
        return f"now {block.chars_current:,} of {block.limit:,} characters"

    def archival_memory_insert(self, content: str, tags: list[str] | None = None) -> str:
        """Save a lasting fact or plan to archival memory (your own entry, never published).

        Args:
            content: Text that stands on its own, dates as YYYY-MM-DD.
            tags: Optional keywords.
        """
        if not content.strip():
            raise ToolError("content is empty; pass the text to save")
        tags = [t.strip() for t in tags or [] if t.strip()]
        entry_id = self.archive.insert_agent_memory(content.strip(), tags)
        self._effects.inserted.append(entry_id)
        return f"Saved to archival memory as entry {entry_id} (your own entry; never published)."

    def core_memory_append(self, label: str, content: str) -> str:
        """Append a line to a core memory block, within its chars_limit.

        Args:
            label: The block, e.g. learner.
            content: The line to add.
        """
        return f"Appended to the {label} block ({self._edited(self.core.append(label, content))})."

    def core_memory_replace(self, label: str, old_content: str, new_content: str) -> str:
        """Replace text in a core memory block; an empty new_content deletes it.

        Args:
            label: The block, e.g. learner.
            old_content: Text copied exactly from the block, matching once.
            new_content: The new text.
        """
        size = self._edited(self.core.replace(label, old_content, new_content))
        return f"{'Deleted text from' if new_content == '' else 'Replaced text in'} the {label} block ({size})."

    def conversation_search(self, query: str, start_date: str | None = None, end_date: str | None = None,
                            page: int = 0) -> str:
        """Search recall memory: every past message with the learner, also those out of view.

        Args:
            query: Words to find; empty lists messages newest first.
            start_date: Only messages from this day on, YYYY-MM-DD.
            end_date: Only messages up to this day, YYYY-MM-DD.
            page: Result page, from 0.
        """
        since, until = date_range(start_date, end_date, page)
        found, total = self.recall.search(
            query, start=since, end=until, limit=self.page_size, offset=page * self.page_size)
        where = range_text(since, until)
        if not found:
            if total:
                return f"No more conversation results for {json.dumps(query)}{where} (there are {total})."
            return f"No messages in recall memory match {json.dumps(query)}{where}."
        first = page * self.page_size + 1
        last = first + len(found) - 1
        lines = [f"Recall memory results {first}-{last} of {total}{where}:"]
        for number, message in enumerate(found, start=first):
            who = message.role if message.kind != "tool_result" else f"tool {message.tool_name}"
            lines.append(f"{number}. {message.created:%Y-%m-%d %H:%M} {who}: {excerpt(message.content)}")
        if first + len(found) - 1 < total:
            lines.append(f"More results: call conversation_search with page={page + 1}.")
        return "\n".join(lines)


def _error(message: str) -> ToolResult:
    return ToolResult(f"Error: {message}", error=True)


def _example(tool: Tool) -> str:
    """The tool's required arguments with placeholder values, as JSON: what a good call looks like."""
    schema = tool.input_schema
    return json.dumps({name: {"integer": 0, "array": ["..."]}.get(schema["properties"][name].get("type"), "...")
                       for name in schema["required"]})
