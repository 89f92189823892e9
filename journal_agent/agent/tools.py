"""The five memory tools of the agent, as typed functions whose docstrings are their schemas.

MemGPT's self-directed memory management (Packer et al. 2023, arXiv:2310.08560;
Letta docs, "Base tools"): the agent pages information in and out of its
context through function calls.

* ``archival_memory_search`` / ``archival_memory_insert``: the LanceDB archive
  (note chunks; the agent's own entries are stored with ``source="agent"``).
* ``core_memory_append`` / ``core_memory_replace``: the core-memory blocks.
* ``conversation_search``: recall memory (the whole conversation history).

:meth:`MemoryTools.call` runs one call from the model. Every problem (unknown
tool, malformed JSON, bad arguments, unknown label, no match, several
matches, limit exceeded) comes back as the tool result, starting with
``Error:`` and saying what was wrong and how to fix it; it never raises.
"""

from __future__ import annotations

import datetime as dt
import json
import re
import time
from dataclasses import dataclass, field
from typing import Any

from journal_agent.errors import JournalError
from journal_agent.agent.toolspec import ToolArgumentError, check_arguments, tool_schema

PAGE_SIZE = 5
EXCERPT_CHARS = 360
TOOL_NAMES = (
    "archival_memory_search",
    "archival_memory_insert",
    "core_memory_append",
    "core_memory_replace",
    "conversation_search",
)


class ToolError(JournalError):
    """A tool cannot do what was asked; the message tells the model how to fix the call."""


@dataclass
class ToolEffects:
    """What tool calls did, beyond the text they returned: one call's, or a whole turn's.

    The agent owns its turn's record and merges each call's effects into it
    (:meth:`merge`); the tools never reach back into the agent.

    Attributes:
        retrieved: note path → the best ``SearchHit`` seen for it (notes only).
        edits: core-memory edits made, as :class:`~journal_agent.agent.core_memory.MemoryEdit`.
        inserted: ids of archival entries inserted.
    """

    retrieved: dict[str, Any] = field(default_factory=dict)
    edits: list = field(default_factory=list)
    inserted: list[str] = field(default_factory=list)

    def merge(self, other: "ToolEffects") -> None:
        """Add ``other``'s effects (a note retrieved earlier keeps its first hit)."""
        for path, hit in other.retrieved.items():
            self.retrieved.setdefault(path, hit)
        self.edits.extend(other.edits)
        self.inserted.extend(other.inserted)


@dataclass
class ToolResult:
    """The outcome of one tool call.

    Attributes:
        content: the text returned to the model (starts with ``Error:`` on failure).
        error: whether the call failed.
        seconds: time spent running the tool.
        effects: what the call retrieved, edited or inserted.
    """

    content: str
    error: bool = False
    seconds: float = 0.0
    effects: ToolEffects = field(default_factory=ToolEffects)


class MemoryTools:
    """The memory tools bound to one journal's core, recall and archival memory.

    Args:
        journal: the :class:`~journal_agent.workspace.Journal`.
        core: its :class:`~journal_agent.memory.CoreMemory`.
        recall: its :class:`~journal_agent.recall.RecallMemory`.
        archive: an open ``Archive``; opened on first use when ``None``.
    """

    def __init__(self, journal, core, recall, *, archive=None, page_size: int = PAGE_SIZE):
        self.journal = journal
        self.core = core
        self.recall = recall
        self._archive = archive
        self.page_size = page_size
        self._effects = ToolEffects()  # the running call's; handed over in its ToolResult

    @property
    def archive(self):
        """The ``Archive`` (opened on first use; raises ``StoreError`` when it needs re-indexing)."""
        if self._archive is None:
            from journal_agent.archive.store import Archive

            self._archive = Archive.open(self.journal)
        return self._archive

    def functions(self) -> list:
        """The tool functions, in the order their schemas are sent."""
        return [getattr(self, name) for name in TOOL_NAMES]

    def schemas(self) -> list[dict[str, Any]]:
        """The OpenAI ``tools`` list (see :func:`journal_agent.toolspec.tool_schema`)."""
        return [tool_schema(fn) for fn in self.functions()]

    # ---------------------------------------------------------------- dispatch
    def call(self, name: str, arguments: str) -> ToolResult:
        """Run the tool ``name`` with the model's raw JSON ``arguments``; never raises."""
        started = time.perf_counter()
        self._effects = ToolEffects()
        result = self._call(name, arguments)
        result.seconds = time.perf_counter() - started
        result.effects, self._effects = self._effects, ToolEffects()
        return result

    def _call(self, name: str, arguments: str) -> ToolResult:
        if name not in TOOL_NAMES:
            return _error(f"there is no tool named {name!r}; the tools are: {', '.join(TOOL_NAMES)}")
        fn = getattr(self, name)
        try:
            parsed = json.loads(arguments) if arguments and arguments.strip() else {}
        except json.JSONDecodeError as exc:
            return _error(
                f"the arguments for {name} are not valid JSON ({exc.msg} at character {exc.pos}); "
                f"call {name} again with a JSON object such as {_example(fn)}"
            )
        try:
            kwargs = check_arguments(fn, parsed)
            return ToolResult(fn(**kwargs))
        except ToolArgumentError as exc:
            return _error(f"{exc}; call {name} again with arguments such as {_example(fn)}")
        except JournalError as exc:
            return _error(str(exc))
        except Exception as exc:  # noqa: BLE001 - a tool bug must not end the conversation
            return _error(f"{name} failed unexpectedly ({type(exc).__name__}: {exc}); try other arguments")

    # ------------------------------------------------------------------- tools
    def archival_memory_search(
        self,
        query: str,
        start_date: str | None = None,
        end_date: str | None = None,
        category: str | None = None,
        page: int = 0,
    ) -> str:
        """Search archival memory: the learner's journal notes, and entries you saved, by meaning
        and keywords.

        Use it before answering any question about what the learner studied or wrote, and cite the
        notes it returns by title, date and path. Results are paginated, best match first.

        Args:
            query: What to look for, in natural language or keywords.
            start_date: Only notes dated on or after this day, as YYYY-MM-DD.
            end_date: Only notes dated on or before this day, as YYYY-MM-DD.
            category: Only notes in this category, spelled as shown in earlier results.
            page: Page of results to return, starting at 0.
        """
        if not query.strip():
            raise ToolError('query is empty; say what to look for, e.g. {"query": "convolutional networks"}')
        since, until = _date_range(start_date, end_date, page)
        hits = self.archive.search(
            query, limit=self.page_size + 1, offset=page * self.page_size, mode="hybrid",
            since=since, until=until, category=category or None, source=None,
        )
        more = len(hits) > self.page_size
        hits = hits[: self.page_size]
        where = _range_text(since, until) + (f" in category {category!r}" if category else "")
        if not hits:
            if page:
                return (f"No more archival memory results for {json.dumps(query)}{where} "
                        f"(page {page} is past the end).")
            return (
                f"No archival memory matches {json.dumps(query)}{where}. Try other words, "
                "a wider date range, or no category."
            )
        first = page * self.page_size + 1
        lines = [f"Archival memory results {first}-{first + len(hits) - 1}{where}:"]
        for number, hit in enumerate(hits, start=first):
            if getattr(hit, "source", "note") == "agent":
                tags = f" | tags: {', '.join(hit.tags)}" if hit.tags else ""
                lines.append(f"{number}. [your own entry] {hit.date.isoformat()}{tags}")
            else:
                self._effects.retrieved.setdefault(hit.path, hit)
                shown = hit.heading and hit.heading != hit.title
                section = f" | section: {hit.heading}" if shown else ""
                cats = f" | categories: {', '.join(hit.categories)}" if hit.categories else ""
                lines.append(
                    f"{number}. \"{hit.title}\" | {hit.date.isoformat()} | {hit.path}{section}{cats}"
                )
            lines.append("   " + _excerpt(hit.text))
        if more:
            lines.append(f"More results: call archival_memory_search with page={page + 1}.")
        return "\n".join(lines)

    def archival_memory_insert(self, content: str, tags: list[str] | None = None) -> str:
        """Save a lasting fact, insight or plan to archival memory, to find later with
        archival_memory_search.

        Your entries are kept apart from the learner's notes and are never published. Write each
        entry so it makes sense on its own, with dates as YYYY-MM-DD.

        Args:
            content: The text to save.
            tags: Optional keywords for the entry.
        """
        if not content.strip():
            raise ToolError("content is empty; pass the text to save")
        tags = [t.strip() for t in tags or [] if t.strip()]
        entry_id = self.archive.insert_agent_memory(content.strip(), tags)
        self._effects.inserted.append(entry_id)
        return f"Saved to archival memory as entry {entry_id} (your own entry; never published)."

    def core_memory_append(self, label: str, content: str) -> str:
        """Append a line to a core memory block (persona or learner), which stays in your context.

        Use it for lasting facts about the learner: goals, courses and books, topics learned and
        when, open questions, struggles, preferences. The block's chars_limit must not be exceeded.

        Args:
            label: The block to edit: persona or learner.
            content: The text to add as a new line at the end of the block.
        """
        edit = self.core.append(label, content)
        self._effects.edits.append(edit)
        block = self.core.block(label)
        return f"Appended to the {label} block (now {block.chars_current:,} of {block.limit:,} characters)."

    def core_memory_replace(self, label: str, old_content: str, new_content: str) -> str:
        """Replace text in a core memory block (persona or learner); use an empty new_content to
        delete it.

        old_content must match exactly once, copied from the block's value (case, spaces and
        punctuation included).

        Args:
            label: The block to edit: persona or learner.
            old_content: The exact text to replace.
            new_content: The new text; an empty string deletes old_content.
        """
        edit = self.core.replace(label, old_content, new_content)
        self._effects.edits.append(edit)
        block = self.core.block(label)
        verb = "Deleted text from" if new_content == "" else "Replaced text in"
        return f"{verb} the {label} block (now {block.chars_current:,} of {block.limit:,} characters)."

    def conversation_search(
        self,
        query: str,
        start_date: str | None = None,
        end_date: str | None = None,
        page: int = 0,
    ) -> str:
        """Search recall memory: the whole conversation history with the learner, including messages
        no longer in your context.

        Results are paginated, best match first, each with its date and time.

        Args:
            query: Words to look for; an empty string lists the messages in the date range,
                newest first.
            start_date: Only messages from this day on, as YYYY-MM-DD.
            end_date: Only messages up to this day, as YYYY-MM-DD.
            page: Page of results to return, starting at 0.
        """
        since, until = _date_range(start_date, end_date, page)
        found, total = self.recall.search(
            query, start=since, end=until, limit=self.page_size, offset=page * self.page_size
        )
        where = _range_text(since, until)
        if not found:
            if total:
                return f"No more conversation results for {json.dumps(query)}{where} (there are {total})."
            return f"No messages in recall memory match {json.dumps(query)}{where}."
        first = page * self.page_size + 1
        last = first + len(found) - 1
        lines = [f"Recall memory results {first}-{last} of {total}{where}:"]
        for number, message in enumerate(found, start=first):
            who = message.role if message.kind != "tool_result" else f"tool {message.tool_name}"
            lines.append(f"{number}. {message.created:%Y-%m-%d %H:%M} {who}: {_excerpt(message.content)}")
        if first + len(found) - 1 < total:
            lines.append(f"More results: call conversation_search with page={page + 1}.")
        return "\n".join(lines)


# -------------------------------------------------------------------- helpers
def _error(message: str) -> ToolResult:
    return ToolResult(f"Error: {message}", error=True)


def _example(fn) -> str:
    schema = tool_schema(fn)["function"]["parameters"]
    example = {}
    for name in schema["required"]:
        kind = schema["properties"][name]["type"]
        example[name] = {"string": "...", "integer": 0, "array": ["..."]}.get(kind, "...")
    return json.dumps(example)


_MONTH_RE = re.compile(r"^(\d{4})-(\d{1,2})$")
_YEAR_RE = re.compile(r"^(\d{4})$")


def _date_range(start_date: str | None, end_date: str | None, page: int) -> tuple[dt.date | None, dt.date | None]:
    """Validate the date range and page shared by the search tools; ToolError says what to fix."""
    since = _parse_day("start_date", start_date, end=False)
    until = _parse_day("end_date", end_date, end=True)
    if since and until and since > until:
        raise ToolError(f"start_date {since} is after end_date {until}; swap them")
    if page < 0:
        raise ToolError("page must be 0 or more")
    return since, until


def _parse_day(name: str, value: str | None, *, end: bool) -> dt.date | None:
    """YYYY-MM-DD (also YYYY-MM and YYYY, widened to the whole month/year) → date."""
    if value is None or not str(value).strip():
        return None
    text = str(value).strip()
    try:
        return dt.date.fromisoformat(text[:10])
    except ValueError:
        pass
    month = _MONTH_RE.match(text)
    year = _YEAR_RE.match(text)
    try:
        if month:
            y, m = int(month.group(1)), int(month.group(2))
            if not end:
                return dt.date(y, m, 1)
            return (dt.date(y + (m == 12), m % 12 + 1, 1) - dt.timedelta(days=1))
        if year:
            y = int(year.group(1))
            return dt.date(y, 12, 31) if end else dt.date(y, 1, 1)
    except ValueError:
        pass
    raise ToolError(f"{name} {text!r} is not a date; use YYYY-MM-DD, e.g. \"2025-03-01\"")


def _range_text(since: dt.date | None, until: dt.date | None) -> str:
    if since and until:
        return f" from {since} to {until}"
    if since:
        return f" from {since} on"
    if until:
        return f" up to {until}"
    return ""


def _excerpt(text: str, limit: int = EXCERPT_CHARS) -> str:
    flat = " ".join((text or "").split())
    return flat if len(flat) <= limit else flat[: limit - 1].rstrip() + "…"
