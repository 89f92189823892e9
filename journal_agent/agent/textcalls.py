"""Tool calls the model wrote as text, because the server did not parse them.

Many local models write their calls into the content when the server runs
without a tool parser (llama.cpp without ``--jinja``, vLLM without
``--enable-auto-tool-choice``, Ollama templates without tools; ollama/ollama#6390,
NousResearch/hermes-agent#5867). The shapes, from the models' chat templates:

* Hermes / Qwen: ``<tool_call>{"name": ..., "arguments": {...}}</tool_call>``, one block per call;
* Mistral: ``[TOOL_CALLS][{"name": ..., "arguments": {...}}, ...]``, or (tokenizer v11+)
  ``[TOOL_CALLS]name[ARGS]{...}``;
* Llama 3.1: ``<|python_tag|>{"name": ..., "parameters": {...}}`` (calls separated by ``;``);
* bare JSON: the whole reply is ``{"name": ..., "arguments"|"parameters": {...}}`` (or a list of them),
  possibly in a code fence.

:func:`parse_text_calls` accepts calls only when every name is a tool the agent
offers and its arguments validate against that tool's schema
(:meth:`~journal_agent.agent.toolspec.Tool.validate`); anything else that looks
like a call is reported, never run.
"""

from __future__ import annotations

import json
import re
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from journal_agent.agent.toolspec import Tool, ToolArgumentError

UNPARSED = ("the model wrote a tool call as text ({detail}) that the server did not parse, so no tool ran; "
            "start the server with its tool-call parser (llama.cpp: --jinja; vLLM: --enable-auto-tool-choice "
            "--tool-call-parser hermes, mistral or llama3_json; Ollama: a model whose template has tools)")
_HERMES_RE = re.compile(r"<tool_call>\s*(.*?)\s*(?:</tool_call>|\Z)", re.S)
_MISTRAL_ARGS_RE = re.compile(r"\[TOOL_CALLS\]\s*([A-Za-z_][\w.-]*)\s*\[ARGS\]\s*", re.S)
_FENCE_RE = re.compile(r"^```(?:json)?\s*(.*?)\s*```$", re.S)
_SHAPES = {"hermes": "<tool_call>", "mistral": "[TOOL_CALLS]", "llama": "<|python_tag|>", "json": "bare JSON"}


@dataclass
class TextCalls:
    """What was found in a reply's text.

    Attributes:
        calls: ``(name, arguments)`` pairs, arguments validated (empty when any call failed).
        text: the reply's text without the calls.
        shape: ``"hermes"``, ``"mistral"``, ``"llama"``, ``"json"`` or ``""`` (nothing that looks like a call).
        problem: why a call that was found is not run ('' when all are valid).
    """

    calls: list[tuple[str, dict[str, Any]]] = field(default_factory=list)
    text: str = ""
    shape: str = ""
    problem: str = ""

    @property
    def unparsed(self) -> str:
        """The one line for calls found but not run ('' when there are none)."""
        if not self.shape or not self.problem:
            return ""
        return UNPARSED.format(detail=f"{_SHAPES[self.shape]}: {self.problem}")


def _decode_all(text: str) -> tuple[list[Any], str]:
    """Every JSON value at the start of ``text`` (separated by whitespace, ``;`` or ``,``) and what follows."""
    decoder = json.JSONDecoder()
    values: list[Any] = []
    rest = text.lstrip()
    while rest and rest[0] in "{[":
        try:
            value, end = decoder.raw_decode(rest)
        except ValueError:
            break
        values.extend(value if isinstance(value, list) else [value])
        rest = rest[end:].lstrip().lstrip(";,").lstrip()
    return values, rest


def _found(text: str) -> tuple[str, list[Any], str] | None:
    """``(shape, decoded call objects, text left)`` when ``text`` holds calls written as text."""
    if "<tool_call>" in text:
        bodies = _HERMES_RE.findall(text)
        values: list[Any] = []
        for body in bodies:
            decoded, _ = _decode_all(body)
            values.extend(decoded or [body])
        return "hermes", values, _HERMES_RE.sub("", text).strip()
    if "[TOOL_CALLS]" in text:
        head, _, tail = text.partition("[TOOL_CALLS]")
        named = _MISTRAL_ARGS_RE.match("[TOOL_CALLS]" + tail)
        if named:
            arguments, rest = _decode_all(tail[named.end() - len("[TOOL_CALLS]"):])
            return "mistral", [{"name": named.group(1), "arguments": arguments[0] if arguments else None}], \
                (head + rest).strip()
        decoded, rest = _decode_all(tail)
        return "mistral", decoded or [tail.strip()], (head + rest).strip()
    if "<|python_tag|>" in text:
        head, _, tail = text.partition("<|python_tag|>")
        decoded, rest = _decode_all(tail)
        return "llama", decoded or [tail.strip()], (head + rest).strip()
    stripped = text.strip()
    fenced = _FENCE_RE.match(stripped)
    body = fenced.group(1) if fenced else stripped
    if body.startswith(("{", "[")):
        decoded, rest = _decode_all(body)
        if decoded and not rest and all(isinstance(v, dict) and "name" in v and
                                        ("arguments" in v or "parameters" in v) for v in decoded):
            return "json", decoded, ""
    return None


def parse_text_calls(text: str, tool: Callable[[str], Tool | None]) -> TextCalls:
    """The tool calls written in ``text``, when every one names a known tool with valid arguments.

    Args:
        text: the reply's content (think blocks already removed).
        tool: ``name -> Tool`` of the tools offered, ``None`` for a name not offered.

    Returns:
        :class:`TextCalls`; ``calls`` is empty when nothing looks like a call, or when
        any call found names an unknown tool or has arguments its schema refuses
        (then ``problem`` says which).
    """
    found = _found(text or "")
    if found is None:
        return TextCalls(text=text)
    shape, values, rest = found
    calls: list[tuple[str, dict[str, Any]]] = []
    for value in values:
        if not isinstance(value, dict) or not isinstance(value.get("name"), str):
            return TextCalls(text=text, shape=shape, problem="not a JSON object with a name")
        name = value["name"]
        arguments = value.get("arguments", value.get("parameters"))
        if isinstance(arguments, str):
            try:
                arguments = json.loads(arguments) if arguments.strip() else {}
            except ValueError:
                return TextCalls(text=text, shape=shape, problem=f"the arguments of {name} are not JSON")
        spec = tool(name)
        if spec is None:
            return TextCalls(text=text, shape=shape, problem=f"there is no tool named {name!r}")
        try:
            spec.validate({} if arguments is None else arguments)
        except ToolArgumentError as exc:
            return TextCalls(text=text, shape=shape, problem=str(exc))
        calls.append((name, {} if arguments is None else arguments))
    if not calls:
        return TextCalls(text=text, shape=shape, problem="no call could be read")
    return TextCalls(calls, rest, shape)
