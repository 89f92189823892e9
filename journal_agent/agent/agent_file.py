"""Portable agent state: an agent as a Letta agent file (``.af``), written and read back.

Letta moves an agent between servers as one JSON document, its agent file
(``letta/schemas/agent_file.py``, Apache-2.0, ``AgentFileSchema``): top-level lists of
``agents``, ``groups``, ``blocks``, ``files``, ``sources``, ``tools`` and
``mcp_servers``, plus ``metadata`` and ``created_at``. Objects refer to each other by
ids local to the file (``agent-0``, ``block-0``, ``tool-0``, ``message-0``); an agent
lists its ``block_ids`` and ``tool_ids``, its ``messages`` (``role``, ``content`` as a
list of ``{"type": "text", "text": ...}`` parts, ``tool_calls`` in OpenAI's shape,
``tool_call_id``, ``tool_returns``, ``created_at``) and the ``in_context_message_ids``
of its context window. The models below are our own, for the subset this journal
has (no files, sources, groups or MCP servers); field names follow Letta's so that
Letta's importer reads what we write.

:func:`export_agent` writes one agent: its persona and other blocks, its tool
schemas (``json_schema``), its system prompt, and the recent messages of its last
conversation; archival memory goes beside it as JSONL (:func:`export_archival`), one
passage per line (``text``, ``tags``, ``created_at``, ``metadata``), since Letta keeps
passages out of the agent file. :func:`import_agent` reads one back: blocks into core
memory (limits enforced, an existing block changed only with ``force``; Letta's ``human``
block into ``learner``, its ``persona`` into the agent's persona: :func:`our_labels`), messages into
recall memory as a new conversation (those in ``in_context_message_ids`` in the
window), and the agent's own archival entries from the JSONL beside it. A file over
:data:`MAX_FILE_BYTES`, of another layout (Letta's first agent files had ``agent_type``
and ``core_memory`` at the top) or of a newer format than :data:`FORMAT_VERSION` is
refused with a named error, before anything is changed.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
from pathlib import Path
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field, ValidationError

from journal_agent import __version__
from journal_agent.agent.agent_tools import AgentTools, tool_names
from journal_agent.agent.core_memory import MAX_LIMIT, CoreMemory
from journal_agent.agent.prompts import load as load_prompt
from journal_agent.agent.recall import RecallMemory
from journal_agent.errors import JournalError

FORMAT_VERSION = 1  # of what this module writes inside Letta's layout (metadata "journal_agent_format")
MAX_FILE_BYTES = 20_000_000
MAX_MESSAGES = 10_000
MAX_BLOCKS = 100
DEFAULT_MESSAGES = 100  # recent messages exported (Letta's own export takes the last 50)
LETTA_LAYOUT_KEYS = ("agents", "blocks", "tools")
# Letta's built-in tools of the same names (letta/schemas/enums.py ToolType)
LETTA_TOOL_TYPES = {"archival_memory_search": "letta_core", "archival_memory_insert": "letta_core",
                    "conversation_search": "letta_core", "core_memory_append": "letta_memory_core",
                    "core_memory_replace": "letta_memory_core",
                    "send_message_to_agent": "letta_multi_agent_core"}


class AgentFileError(JournalError):
    """An agent file cannot be read or written (damaged, not an agent file, conflicting)."""


class AgentFileTooLarge(AgentFileError):
    """The file is over :data:`MAX_FILE_BYTES` or holds more messages or blocks than the bounds."""


class AgentFileVersionError(AgentFileError):
    """The file is of an agent-file layout or format version this journal does not read."""


class AgentFileConflict(AgentFileError):
    """Importing would overwrite core memory or repeat an import; ``--force`` allows it."""


class _Letta(BaseModel):
    """Letta's objects carry more fields than ours: keep them when reading, write ours."""

    model_config = ConfigDict(extra="allow")


class TextContent(_Letta):
    """One part of a message's content (Letta ``TextContent``)."""

    type: Literal["text"] = "text"
    text: str


class FunctionCall(_Letta):
    """The function of a tool call (OpenAI's shape)."""

    name: str
    arguments: str = ""


class ToolCall(_Letta):
    """One tool call of an assistant message (OpenAI's ``ChatCompletionMessageToolCall``)."""

    id: str
    type: Literal["function"] = "function"
    function: FunctionCall


class ToolReturn(_Letta):
    """The outcome of a tool call, beside a tool message (Letta ``ToolReturn``)."""

    tool_call_id: str | None = None
    status: Literal["success", "error"] = "success"
    func_response: str | None = None


class MessageSchema(_Letta):
    """One message of an agent (Letta ``MessageSchema``)."""

    type: Literal["message"] = "message"
    id: str
    role: Literal["system", "user", "assistant", "tool", "approval"]
    content: list[TextContent] | str | None = None
    name: str | None = None
    model: str | None = None
    agent_id: str | None = None
    tool_calls: list[ToolCall] | None = None
    tool_call_id: str | None = None
    tool_returns: list[ToolReturn] | None = None
    created_at: dt.datetime

    def text(self) -> str:
        """The message's text, its parts joined."""
        if isinstance(self.content, str):
            return self.content
        return "".join(part.text for part in self.content or [])


class BlockSchema(_Letta):
    """One core-memory block (Letta ``BlockSchema``: ``CreateBlock`` with a file-local id)."""

    id: str
    label: str
    value: str = ""
    limit: int = Field(5000, ge=1)
    description: str | None = None
    read_only: bool = False
    is_template: bool = False
    template_name: str | None = None
    metadata: dict[str, Any] = {}


class ToolSchema(_Letta):
    """One tool (Letta ``ToolSchema``): its name, description and JSON schema."""

    id: str
    name: str
    description: str | None = None
    tool_type: str = "custom"
    source_type: str = "json"
    json_schema: dict[str, Any] | None = None
    tags: list[str] = []
    return_char_limit: int | None = None


class AgentSchema(_Letta):
    """One agent (Letta ``AgentSchema``: ``CreateAgent`` with its messages)."""

    id: str
    name: str
    description: str | None = None
    system: str | None = None
    agent_type: str = "letta_v1_agent"
    block_ids: list[str] = []
    tool_ids: list[str] = []
    tags: list[str] = []
    llm_config: dict[str, Any] | None = None
    in_context_message_ids: list[str] = []
    messages: list[MessageSchema] = []
    files_agents: list[Any] = []
    group_ids: list[str] = []
    metadata: dict[str, Any] | None = None


class AgentFile(_Letta):
    """A whole agent file (Letta ``AgentFileSchema``)."""

    agents: list[AgentSchema]
    groups: list[Any] = []
    blocks: list[BlockSchema] = []
    files: list[Any] = []
    sources: list[Any] = []
    tools: list[ToolSchema] = []
    mcp_servers: list[Any] = []
    metadata: dict[str, Any] = {}
    created_at: dt.datetime | None = None


class ImportResult(BaseModel):
    """What :func:`import_agent` did.

    Attributes:
        agent: the journal's agent the file was imported into.
        renamed: the file's block labels imported under another label (``{"human": "learner"}``,
            :func:`our_labels`).
        blocks_created, blocks_updated, blocks_unchanged: block labels (ours) by outcome.
        messages: messages stored in recall memory; ``conversation_id``: their conversation.
        archival: archival entries added from the JSONL beside the file; ``archival_skipped``:
            passages not added (already stored, or note chunks: those come from notes/).
    """

    agent: str
    renamed: dict[str, str] = {}
    blocks_created: list[str] = []
    blocks_updated: list[str] = []
    blocks_unchanged: list[str] = []
    messages: int = 0
    conversation_id: int | None = None
    archival: int = 0
    archival_skipped: int = 0


# ---------------------------------------------------------------------------- export
def build_agent_file(journal, *, agent: str = "journal", messages: int = DEFAULT_MESSAGES,
                     archival_file: str | None = None) -> AgentFile:
    """Agent ``agent`` of ``journal`` as a Letta agent file (see the module docstring).

    Args:
        messages: at most this many recent messages of the agent's last conversation (the
            first kept is never a tool result without its call).
        archival_file: the name of the archival JSONL written beside the file, recorded in
            ``metadata`` ('' or ``None``: none).

    Raises:
        CoreMemoryError: no agent called ``agent``.
    """
    core = CoreMemory.open(journal, agent=agent)
    spec = core.spec(agent)
    recall = RecallMemory.open(journal, agent=agent)
    try:
        tools = AgentTools(journal, core, recall, names=tool_names(spec)).schemas()
        recall.continue_last("reflection" if spec.role == "sleeptime" else "chat")
        stored = recall.messages() if recall.conversation_id is not None else []
    finally:
        recall.close()
    stored = stored[-messages:] if messages > 0 else []
    while stored and stored[0].role == "tool":
        stored = stored[1:]
    blocks = [BlockSchema(id=f"block-{n}", label=b.label, value=b.value, limit=b.limit,
                          description=b.description or None, read_only=b.read_only,
                          metadata={"journal_agent": {"id": b.id, "modified": b.modified}})
              for n, b in enumerate(core.blocks)]
    schemas = [ToolSchema(id=f"tool-{n}", name=t["function"]["name"], description=t["function"].get("description"),
                          tool_type=LETTA_TOOL_TYPES.get(t["function"]["name"], "custom"), json_schema=t["function"],
                          tags=["journal-agent"]) for n, t in enumerate(tools)]
    model = journal.config.llm.model
    letta_messages = []
    for n, message in enumerate(stored):
        payload = message.payload
        calls = [ToolCall(id=c.get("id") or f"call-{n}-{i}",
                          function=FunctionCall(name=(c.get("function") or {}).get("name", ""),
                                                arguments=(c.get("function") or {}).get("arguments") or ""))
                 for i, c in enumerate(payload.get("tool_calls") or [])]
        content = payload.get("content")
        text = content if isinstance(content, str) else (json.dumps(content) if content else "")
        letta_messages.append(MessageSchema(
            id=f"message-{n}", role=message.role if message.role in ("system", "user", "assistant", "tool") else "user",
            content=[TextContent(text=text)] if text else [], model=model if message.role == "assistant" else None,
            agent_id="agent-0", tool_calls=calls or None, tool_call_id=payload.get("tool_call_id"),
            tool_returns=[ToolReturn(tool_call_id=payload.get("tool_call_id"),
                                     status="error" if text.startswith("Error") else "success",
                                     func_response=text)] if message.role == "tool" else None,
            created_at=message.created.astimezone()))
    letta_agent = AgentSchema(
        id="agent-0", name=spec.name, description=spec.description or None, system=load_prompt(spec.prompt),
        agent_type="sleeptime_agent" if spec.role == "sleeptime" else "letta_v1_agent",
        block_ids=[b.id for b in blocks], tool_ids=[t.id for t in schemas], tags=["journal-agent"],
        llm_config={"model": model, "model_endpoint_type": "openai", "model_endpoint": journal.config.llm.base_url,
                    "context_window": journal.config.llm.context_window or 8000},
        in_context_message_ids=[m.id for m, s in zip(letta_messages, stored, strict=True) if s.in_context],
        messages=letta_messages,
        metadata={"journal_agent": {"persona": spec.persona, "prompt": spec.prompt, "role": spec.role}})
    metadata: dict[str, Any] = {"journal_agent_format": str(FORMAT_VERSION),
                                "exported_by": f"journal-agent {__version__}"}
    if archival_file:
        metadata["archival_memory"] = archival_file
    return AgentFile(agents=[letta_agent], blocks=blocks, tools=schemas, metadata=metadata,
                     created_at=dt.datetime.now().astimezone().replace(microsecond=0))


def dump(agent_file: AgentFile) -> str:
    """The agent file as JSON text (Letta's field names; ``None`` fields kept, as Letta writes them)."""
    return json.dumps(agent_file.model_dump(mode="json"), indent=2, ensure_ascii=False) + "\n"


def export_archival(journal, *, archive=None, include_private: bool = False) -> list[dict[str, Any]]:
    """Archival memory as passages: the agent's own entries and the notes' chunks, oldest note first.

    Each passage: ``{"text", "tags", "created_at", "metadata": {"source": "agent"|"note", "id", "path",
    "title", "date", "heading"}}``. Private and draft notes' chunks are left out unless ``include_private``.

    Raises:
        StoreError: the archive cannot be read.
    """
    if archive is None:
        from journal_agent.archive.store import Archive

        archive = Archive.open(journal)
    columns = ["id", "source", "path", "title", "date", "modified", "tags", "heading", "text", "private"]
    rows = archive.scan(None, columns).to_pylist()
    out = []
    for row in sorted(rows, key=lambda r: (str(r.get("date") or ""), str(r.get("path")), str(r.get("id")))):
        if row.get("private") and not include_private:
            continue
        when = row.get("modified") or row.get("date")
        out.append({"text": row.get("text") or "", "tags": list(row.get("tags") or []),
                    "created_at": when.isoformat() if hasattr(when, "isoformat") else when,
                    "metadata": {"source": row.get("source"), "id": row.get("id"), "path": row.get("path"),
                                 "title": row.get("title"),
                                 "date": row["date"].isoformat() if hasattr(row.get("date"), "isoformat") else None,
                                 "heading": row.get("heading") or ""}})
    return out


# ---------------------------------------------------------------------------- import
def read_agent_file(path: Path) -> AgentFile:
    """Read and check an agent file; nothing is changed.

    Raises:
        AgentFileTooLarge: over :data:`MAX_FILE_BYTES`, :data:`MAX_MESSAGES` or :data:`MAX_BLOCKS`.
        AgentFileVersionError: Letta's first layout, or a format newer than :data:`FORMAT_VERSION`.
        AgentFileError: not JSON, not an agent file, or damaged (the message names the field).
    """
    path = Path(path)
    try:
        size = path.stat().st_size
    except OSError as exc:
        raise AgentFileError(f"cannot read {path}: {exc.strerror or exc}") from exc
    if size > MAX_FILE_BYTES:
        raise AgentFileTooLarge(f"{path} is {size:,} bytes, over the {MAX_FILE_BYTES:,}-byte bound of an agent file",
                                hint="export fewer messages (--messages N)")
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError, ValueError) as exc:
        raise AgentFileError(f"{path}: not a JSON agent file ({exc})") from exc
    if not isinstance(data, dict):
        raise AgentFileError(f"{path}: not an agent file (a JSON object with agents, blocks and tools)")
    if "agents" not in data and ("core_memory" in data or "agent_type" in data):
        raise AgentFileVersionError(f"{path} is a Letta agent file of the first layout (agent_type and core_memory "
                                    "at the top); this journal reads the current layout (agents, blocks, tools)",
                                    hint="import it into Letta and export it again")
    missing = [key for key in LETTA_LAYOUT_KEYS if key not in data]
    if missing:
        raise AgentFileError(f"{path}: not an agent file (no {', '.join(missing)})")
    version = (data.get("metadata") or {}).get("journal_agent_format")
    if version is not None and (not str(version).isdigit() or int(version) > FORMAT_VERSION):
        raise AgentFileVersionError(f"{path} is of journal agent-file format {version}; this version of "
                                    f"journal-agent reads format {FORMAT_VERSION} and earlier",
                                    hint="upgrade journal-agent")
    if len(data.get("blocks") or []) > MAX_BLOCKS:
        raise AgentFileTooLarge(f"{path} holds {len(data['blocks']):,} blocks, over the bound of {MAX_BLOCKS}")
    count = sum(len(a.get("messages") or []) for a in data.get("agents") or [] if isinstance(a, dict))
    if count > MAX_MESSAGES:
        raise AgentFileTooLarge(f"{path} holds {count:,} messages, over the bound of {MAX_MESSAGES:,}")
    try:
        parsed = AgentFile.model_validate(data)
    except ValidationError as exc:
        first = exc.errors()[0]
        where = ".".join(str(p) for p in first["loc"])
        raise AgentFileError(f"{path}: damaged agent file: {where}: {first['msg']}") from exc
    if not parsed.agents:
        raise AgentFileError(f"{path}: the agent file holds no agent")
    return parsed


def import_agent(journal, path: Path, *, agent: str | None = None, into: str | None = None, force: bool = False,
                 archive=None) -> ImportResult:
    """Import an agent file's agent into ``journal``: blocks, messages, and archival entries beside it.

    Args:
        path: the ``.af`` file; archival memory is read from the JSONL its ``metadata`` names, when present.
        agent: which of the file's agents (by name; default: the only or first one).
        into: the journal's agent to import into (default: the one of the same name, else ``journal``).
        force: change blocks that differ and import a file imported before.
        archive: an open ``Archive`` for the archival entries (opened when needed).

    Raises:
        AgentFileError: see :func:`read_agent_file`; the named agent is not in the file; a block over
            its limit or with a bad label (nothing is changed then).
        AgentFileConflict: a block would change, or the file was imported before, without ``force``.
        CoreMemoryError: no agent ``into`` in this journal.
    """
    parsed = read_agent_file(path)
    chosen = next((a for a in parsed.agents if a.name == agent), None) if agent else parsed.agents[0]
    if chosen is None:
        raise AgentFileError(f"{path} has no agent named {agent!r}; it has: {', '.join(a.name for a in parsed.agents)}")
    core = CoreMemory.open(journal, agent=None)
    target = into or (chosen.name if chosen.name in core.state.agents else "journal")
    spec = core.spec(target)
    by_id = {b.id: b for b in parsed.blocks}
    blocks = [by_id[i] for i in chosen.block_ids if i in by_id]
    renamed = our_labels([b.label for b in blocks], spec.persona)
    blocks = [b.model_copy(update={"label": renamed[b.label]}) if b.label in renamed else b for b in blocks]
    for block in blocks:  # every check before any change
        if not 1 <= block.limit <= MAX_LIMIT:
            raise AgentFileError(f"{path}: block {block.label!r} has a limit of {block.limit:,}; limits are 1 to "
                                 f"{MAX_LIMIT:,} characters")
        if len(block.value) > block.limit:
            raise AgentFileError(f"{path}: block {block.label!r} holds {len(block.value):,} characters, over its "
                                 f"limit of {block.limit:,}")
    changed = [b.label for b in blocks if b.label in core.state.blocks and core.state.blocks[b.label].value != b.value]
    for label in changed:
        block, ours = next(b for b in blocks if b.label == label), core.state.blocks[label]
        if len(block.value) > ours.limit:
            raise AgentFileError(f"{path}: block {label!r} holds {len(block.value):,} characters, over the limit of "
                                 f"this journal's {label} block ({ours.limit:,}); nothing was imported")
    digest = hashlib.sha256(path.read_bytes()).hexdigest()[:16]
    recall = RecallMemory.open(journal, agent=target)
    try:
        seen_key = f"agent_file:{digest}"
        if not force and changed:
            from_file = {ours: theirs for theirs, ours in renamed.items()}
            named = [f"{label} (the file's {from_file[label]})" if label in from_file else label for label in changed]
            raise AgentFileConflict(f"importing {path} would change the {', '.join(named)} block"
                                    f"{'s' if len(changed) > 1 else ''} of this journal; nothing was imported",
                                    hint="add --force to replace them (`journal memory export` keeps a copy first)")
        if not force and recall.get_state(seen_key):
            raise AgentFileConflict(f"{path} was imported before (conversation #{recall.get_state(seen_key)}); "
                                    "nothing was imported", hint="add --force to import its messages again")
        result = ImportResult(agent=target, renamed=renamed)
        for block in blocks:
            if block.label not in core.state.blocks:
                core.create_block(block.label, limit=block.limit, description=block.description or "",
                                  value=block.value, read_only=block.read_only, agents=[target])
                result.blocks_created.append(block.label)
            elif block.label in changed:
                core.set_value(block.label, block.value, tool="memory import")
                result.blocks_updated.append(block.label)
                core.attach(block.label, target)
            else:
                result.blocks_unchanged.append(block.label)
                core.attach(block.label, target)
        result.messages, result.conversation_id = _import_messages(recall, chosen)
        if result.conversation_id is not None:
            recall.set_state(seen_key, str(result.conversation_id))
    finally:
        recall.close()
    archival_name = parsed.metadata.get("archival_memory")
    if archival_name:
        beside = Path(path).with_name(Path(str(archival_name)).name)
        if beside.is_file():
            result.archival, result.archival_skipped = _import_archival(journal, beside, archive)
    return result


def our_labels(labels: list[str], persona: str) -> dict[str, str]:
    """Which of an agent file's block labels land in a block of another name here: file label → ours.

    Letta's default blocks are ``human`` (what the agent knows of the person it talks to; the
    learner profile, our ``learner``) and ``persona`` (Letta ``schemas/block.py``: ``Human``,
    ``Persona``). ``human`` becomes ``learner`` and ``persona`` becomes the target agent's persona
    block (``persona``, or ``coach_persona`` for the coach), each unless the file has a block of
    that name too (then both keep their labels). Other labels are kept (not in the result).

    Args:
        labels: the labels of the blocks of the file's agent.
        persona: the label of the target agent's persona block (``""``: it has none).
    """
    wanted = {"human": "learner", "persona": persona}
    return {theirs: ours for theirs, ours in wanted.items()
            if ours and ours != theirs and theirs in labels and ours not in labels}


def _import_messages(recall: RecallMemory, agent: AgentSchema) -> tuple[int, int | None]:
    """Store ``agent``'s messages (system messages left out: the journal builds its own) in a new conversation."""
    recall.new_conversation("chat", (agent.llm_config or {}).get("model"), "import")
    in_view = set(agent.in_context_message_ids)
    stored = 0
    for message in agent.messages:
        if message.role not in ("user", "assistant", "tool"):
            continue
        text = message.text()
        payload: dict[str, Any] = {"role": message.role, "content": text}
        kind = "message"
        if message.role == "assistant" and message.tool_calls:
            payload = {"role": "assistant", "content": text or None, "tool_calls": [
                {"id": c.id, "type": "function",
                 "function": {"name": c.function.name, "arguments": c.function.arguments}}
                for c in message.tool_calls]}
            kind = "tool_call"
        elif message.role == "tool":
            payload = {"role": "tool", "tool_call_id": message.tool_call_id or "", "content": text}
            kind = "tool_result"
        created = message.created_at.astimezone().replace(tzinfo=None)
        recall.append(payload, kind=kind,  # type: ignore[arg-type]
                      in_context=not in_view or message.id in in_view, created=created)
        stored += 1
    return stored, recall.conversation_id


def _import_archival(journal, path: Path, archive) -> tuple[int, int]:
    """Add the agent's own passages of the JSONL at ``path`` to archival memory; (added, skipped)."""
    passages = []
    with open(path, encoding="utf-8") as handle:
        for number, line in enumerate(handle, start=1):
            if not line.strip():
                continue
            try:
                passages.append(json.loads(line))
            except ValueError as exc:
                raise AgentFileError(f"{path}, line {number}: not JSON ({exc})") from exc
            if len(passages) > MAX_MESSAGES:
                raise AgentFileTooLarge(f"{path} holds more than {MAX_MESSAGES:,} passages")
    if archive is None:
        from journal_agent.archive.store import Archive

        archive = Archive.open(journal)
    have = {row["text"] for row in archive.scan("source = 'agent'", ["text"]).to_pylist()}
    added = skipped = 0
    for passage in passages:
        meta = passage.get("metadata") or {}
        text = str(passage.get("text") or "")
        if meta.get("source", "agent") != "agent" or not text.strip() or text in have:
            skipped += 1
            continue
        archive.insert_agent_memory(text, [str(t) for t in passage.get("tags") or []])
        have.add(text)
        added += 1
    return added, skipped
