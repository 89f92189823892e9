"""Tool calls as servers send them: one :class:`ToolCall` type, streamed fragments assembled, ids filled in.

The OpenAI protocol (API reference, chat completion and chunk objects): a
reply's ``tool_calls`` each have an ``id``, a ``function.name`` and
``function.arguments`` as JSON text; streamed, a call's first fragment brings
its ``index``, ``id`` and name, later fragments of that ``index`` bring pieces
of the arguments. :class:`ToolCallAccumulator` also follows the known variants
of real servers, and :func:`normalize_calls` gives every call a non-empty
unique id before anything is stored, so each call can be answered.
"""

from __future__ import annotations

import json
import uuid
from dataclasses import dataclass
from typing import Any


@dataclass
class ToolCall:
    """One function call the model asked for. ``arguments`` is the raw JSON text; ``id`` is never empty."""

    id: str
    name: str
    arguments: str

    def to_message(self) -> dict[str, Any]:
        """The ``tool_calls`` entry of an assistant message."""
        return {"id": self.id, "type": "function", "function": {"name": self.name, "arguments": self.arguments}}



def arguments_text(arguments: Any) -> str:
    """Tool-call arguments as JSON text (some servers send an object instead of a string)."""
    if arguments is None:
        return ""
    return arguments if isinstance(arguments, str) else json.dumps(arguments, ensure_ascii=False)


def normalize_calls(calls: list[ToolCall]) -> list[ToolCall]:
    """Fill in empty or repeated ids (``call_`` + 24 hex digits) so every call can be answered.

    Servers that send ``""`` or no id: ggml-org/llama.cpp#11992 (fixed in #12292),
    lmstudio-ai/lmstudio-bug-tracker#830, Gemini's OpenAI-compatible endpoint.
    """
    seen: set[str] = set()
    for call in calls:
        if not call.id or call.id in seen:
            call.id = f"call_{uuid.uuid4().hex[:24]}"
        seen.add(call.id)
        call.name = (call.name or "").strip()
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
        return normalize_calls([ToolCall(c["id"], c["name"], c["arguments"]) for c in self._calls
                                if c["name"] or c["arguments"]])
