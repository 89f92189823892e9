"""Tool calls as servers send them: one :class:`ToolCall` type, streamed fragments assembled, ids filled in.

The OpenAI protocol (API reference, chat completion and chunk objects): a
reply's ``tool_calls`` each have an ``id``, a ``function.name`` and
``function.arguments`` as JSON text; streamed, a call's first fragment brings
its ``index``, ``id`` and name, later fragments of that ``index`` bring pieces
of the arguments. :class:`ToolCallAccumulator` also follows the known variants
of real servers, and :func:`normalize_calls` gives every call a non-empty
unique id before anything is stored, so each call can be answered.

Ids: the ones filled in are 9 alphanumerics, the one shape every server
accepts (Mistral refuses anything else: "Tool call id was call_… but must be
a-z, A-Z, 0-9, with a length of 9"; jackmpcollins/magentic#276, karthink/gptel#1203).
Ids stored from another server are rewritten on the wire by :func:`wire_ids`
for Mistral models, the same way on every request (so prompt caches still match).

Provider extras on a call are kept (:attr:`ToolCall.extra`) and sent back:
Gemini 3 puts ``extra_content.google.thought_signature`` on a call and refuses
the next request without it (ai.google.dev, "Thought signatures",
OpenAI compatibility; continuedev/continue#8865).
"""

from __future__ import annotations

import hashlib
import json
import re
import uuid
from dataclasses import dataclass
from typing import Any

ID_LENGTH = 9
_VALID_ID = re.compile(r"^[A-Za-z0-9]{9}$")
_MISTRAL_RE = re.compile(r"(?:^|[/:_-])(?:mistral|mixtral|codestral|devstral|magistral|ministral|pixtral)", re.I)


@dataclass
class ToolCall:
    """One function call the model asked for. ``arguments`` is the raw JSON text; ``id`` is never empty.

    ``extra`` is the provider's ``extra_content`` object on the call (Gemini's thought
    signature), kept to be sent back with it; ``None`` when the server sent none.
    """

    id: str
    name: str
    arguments: str
    extra: dict[str, Any] | None = None

    def to_message(self) -> dict[str, Any]:
        """The ``tool_calls`` entry of an assistant message (with ``extra_content`` when the server sent one)."""
        entry: dict[str, Any] = {"id": self.id, "type": "function",
                                 "function": {"name": self.name, "arguments": self.arguments}}
        if self.extra:
            entry["extra_content"] = self.extra
        return entry


def new_id() -> str:
    """A fresh tool-call id: 9 alphanumerics (valid for OpenAI, Mistral and every other server)."""
    return uuid.uuid4().hex[:ID_LENGTH]


def extra_content(obj: Any) -> dict[str, Any] | None:
    """The ``extra_content`` object of a tool call (an SDK object or a dict), as a plain dict, or ``None``."""
    value = obj.get("extra_content") if isinstance(obj, dict) else getattr(obj, "extra_content", None)
    if value is None:
        return None
    if hasattr(value, "model_dump"):
        value = value.model_dump()
    return value if isinstance(value, dict) and value else None


def needs_short_ids(model: str) -> bool:
    """True for Mistral models, which accept only 9-alphanumeric tool-call ids (magentic#276)."""
    return bool(_MISTRAL_RE.search(model or ""))


def short_id(call_id: str) -> str:
    """``call_id`` when it is already 9 alphanumerics, else 9 hex digits derived from it (the same every time)."""
    if _VALID_ID.match(call_id or ""):
        return call_id
    return hashlib.sha1((call_id or "").encode()).hexdigest()[:ID_LENGTH]


def wire_ids(messages: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """``messages`` with every tool-call id (and each ``tool_call_id`` answering it) made 9 alphanumerics.

    Deterministic (:func:`short_id`), so consecutive requests keep the same
    prefix; stored messages are not changed. For servers that refuse other ids
    (Mistral: magentic#276, gptel#1203; a conversation continued with
    ``ask -c --model mistral-…`` after another model).
    """
    out: list[dict[str, Any]] = []
    for message in messages:
        if message.get("tool_calls"):
            message = dict(message, tool_calls=[dict(c, id=short_id(str(c.get("id") or "")))
                                                for c in message["tool_calls"]])
        elif message.get("role") == "tool" and "tool_call_id" in message:
            message = dict(message, tool_call_id=short_id(str(message.get("tool_call_id") or "")))
        out.append(message)
    return out



def arguments_text(arguments: Any) -> str:
    """Tool-call arguments as JSON text (some servers send an object instead of a string).

    ``None`` and the JSON text ``"null"`` (a call of a tool without arguments, as some
    servers write it) become ``""``, which the tools read as no arguments.
    """
    if arguments is None:
        return ""
    text = arguments if isinstance(arguments, str) else json.dumps(arguments, ensure_ascii=False)
    return "" if text.strip() == "null" else text


def normalize_calls(calls: list[ToolCall]) -> list[ToolCall]:
    """Fill in empty or repeated ids (:func:`new_id`, 9 alphanumerics) so every call can be answered.

    Servers that send ``""`` or no id: ggml-org/llama.cpp#11992 (fixed in #12292),
    lmstudio-ai/lmstudio-bug-tracker#830, Gemini's OpenAI-compatible endpoint.
    ``arguments`` of ``"null"`` become ``""`` (:func:`arguments_text`).
    """
    seen: set[str] = set()
    for call in calls:
        if not call.id or call.id in seen:
            call.id = new_id()
        seen.add(call.id)
        call.name = (call.name or "").strip()
        call.arguments = arguments_text(call.arguments)
    return calls


def _complete_json(text: str) -> bool:
    try:
        json.loads(text)
    except ValueError:
        return False
    return bool(text.strip())


class ToolCallAccumulator:
    """Assembles streamed ``delta.tool_calls`` fragments into whole calls.

    The protocol (OpenAI API reference, chat completion chunk object): a call's
    first fragment has its ``index``, ``id`` and ``function.name``; later
    fragments of the same ``index`` carry pieces of ``function.arguments`` to
    append. Known variants, all handled:

    * every call with ``index: 0`` (ollama/ollama#15457) or no ``index``
      (ollama/ollama#7881): a fragment with a new ``id`` and a name starts a new
      call, whatever its index (vercel/ai#14277);
    * the name repeated in every fragment (NousResearch/hermes-agent#11984):
      names are set, never concatenated when repeated;
    * a new id on every fragment with no name (LM Studio, hermes-agent#106943):
      a fragment without a name never starts a call unless none is open;
    * a name split over fragments (continuedev/continue#5849): joined while the
      call has no arguments yet;
    * arguments sent as a JSON object (BerriAI/litellm#37792): serialized.
    """

    def __init__(self) -> None:
        self._calls: list[dict[str, str]] = []
        self._by_index: dict[int, int] = {}
        self._extras: dict[int, dict[str, Any]] = {}  # id(slot) -> extra_content (Gemini thought signatures)

    def feed(self, part: Any) -> None:
        """Add one ``ChoiceDeltaToolCall`` (or any object with ``index``, ``id``, ``function``)."""
        index = getattr(part, "index", None)
        call_id = getattr(part, "id", None) or ""
        fn = getattr(part, "function", None)
        name = (getattr(fn, "name", None) or "") if fn is not None else ""
        arguments = getattr(fn, "arguments", None) if fn is not None else None
        slot = self._slot(index, call_id, name)
        if call_id and not slot["id"]:
            slot["id"] = call_id
        if name:
            if not slot["name"]:
                slot["name"] = name
            elif name != slot["name"] and not slot["arguments"] and not slot["name"].endswith(name):
                slot["name"] += name  # a name streamed in pieces
        if isinstance(arguments, str):
            slot["arguments"] += arguments
        elif arguments is not None:
            slot["arguments"] = arguments_text(arguments)
        extra = extra_content(part)
        if extra:
            self._extras[id(slot)] = extra

    def _slot(self, index: int | None, call_id: str, name: str) -> dict[str, str]:
        for slot in self._calls:
            if call_id and slot["id"] == call_id:
                return slot
        if index is not None and index in self._by_index:
            current: dict[str, str] | None = self._calls[self._by_index[index]]
        elif index is None and self._calls:
            current = self._calls[-1]
        else:
            current = None
        if current is not None and name:
            new_id = bool(call_id and current["id"] and call_id != current["id"])
            other_name = bool(current["name"] and name != current["name"] and current["arguments"])
            repeated_whole = name == current["name"] and not call_id and _complete_json(current["arguments"])
            if new_id or other_name or repeated_whole:
                current = None
        if current is None:
            current = {"id": "", "name": "", "arguments": ""}
            self._calls.append(current)
        if index is not None:
            self._by_index[index] = self._calls.index(current)
        return current

    def calls(self) -> list[ToolCall]:
        """The assembled calls, in order of appearance, ids filled in (:func:`normalize_calls`)."""
        return normalize_calls([ToolCall(c["id"], c["name"], c["arguments"], self._extras.get(id(c)))
                                for c in self._calls if c["name"] or c["arguments"]])
