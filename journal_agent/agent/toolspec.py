"""Turn a typed Python function and its Google-style docstring into an OpenAI tool.

One definition per tool: the function's signature gives the parameters and
their JSON types, its docstring (read with docstring-parser) gives the
descriptions. The result is the
Chat Completions ``tools`` entry::

    {"type": "function",
     "function": {"name": ..., "description": ...,
                  "parameters": {"type": "object", "properties": {...},
                                 "required": [...], "additionalProperties": false}}}

Supported annotations: ``str``, ``int``, ``float``, ``bool``, ``list[T]``,
``Literal[...]`` and ``T | None`` (optional: left out of ``required``).
:func:`check_arguments` validates the model's arguments against the same
signature, so a bad call becomes a message to the model, never a crash.
"""

from __future__ import annotations

import inspect
import re
import types
import typing
from collections.abc import Callable
from typing import Any, Literal

_JSON_TYPES = {str: "string", int: "integer", float: "number", bool: "boolean"}


class ToolArgumentError(ValueError):
    """The model's arguments do not fit the tool's signature; the message says how to fix them."""


def parse_docstring(doc: str | None) -> tuple[str, dict[str, str]]:
    """Split a Google-style docstring into ``(description, {argument: description})`` with docstring-parser.

    The description is every paragraph before the first section (``Args:``,
    ``Returns:``...), the lines of a paragraph joined with single spaces and
    paragraphs separated by a blank line; argument descriptions are joined
    the same way.
    """
    import docstring_parser

    parsed = docstring_parser.parse(doc or "", style=docstring_parser.DocstringStyle.GOOGLE)
    head = parsed.short_description or ""
    if parsed.long_description:
        head += ("\n\n" if parsed.blank_after_short_description else "\n") + parsed.long_description
    paragraphs = [" ".join(block.split()) for block in re.split(r"\n\s*\n", head)]
    args = {param.arg_name.lstrip("*"): " ".join((param.description or "").split()) for param in parsed.params}
    return "\n\n".join(p for p in paragraphs if p), args


def _unwrap_optional(annotation: Any) -> tuple[Any, bool]:
    origin = typing.get_origin(annotation)
    if origin in (typing.Union, types.UnionType):
        members = [a for a in typing.get_args(annotation) if a is not type(None)]
        if len(members) == 1 and len(typing.get_args(annotation)) == 2:
            return members[0], True
    return annotation, False


def json_schema_for(annotation: Any) -> dict[str, Any]:
    """JSON Schema for one supported annotation (see the module docstring).

    Raises:
        TypeError: unsupported annotation.
    """
    annotation, _ = _unwrap_optional(annotation)
    if annotation in _JSON_TYPES:
        return {"type": _JSON_TYPES[annotation]}
    origin = typing.get_origin(annotation)
    if origin is list:
        (item,) = typing.get_args(annotation) or (str,)
        return {"type": "array", "items": json_schema_for(item)}
    if origin is Literal:
        values = list(typing.get_args(annotation))
        return {"type": _JSON_TYPES[type(values[0])], "enum": values}
    raise TypeError(f"unsupported tool parameter annotation: {annotation!r}")


def tool_schema(fn: Callable[..., Any]) -> dict[str, Any]:
    """The OpenAI ``tools`` entry for ``fn`` (a function or bound method).

    Raises:
        TypeError: a parameter lacks an annotation or a description, or its type is unsupported.
    """
    name = fn.__name__
    description, arg_docs = parse_docstring(fn.__doc__)
    hints = typing.get_type_hints(fn)
    properties: dict[str, Any] = {}
    required: list[str] = []
    for param in inspect.signature(fn).parameters.values():
        if param.name == "self":
            continue
        if param.name not in hints:
            raise TypeError(f"{name}: parameter {param.name!r} has no type annotation")
        if param.name not in arg_docs:
            raise TypeError(f"{name}: parameter {param.name!r} is not described in the docstring's Args:")
        prop = json_schema_for(hints[param.name])
        prop["description"] = arg_docs[param.name]
        properties[param.name] = prop
        if param.default is inspect.Parameter.empty:
            required.append(param.name)
    return {
        "type": "function",
        "function": {
            "name": name,
            "description": description,
            "parameters": {
                "type": "object",
                "properties": properties,
                "required": required,
                "additionalProperties": False,
            },
        },
    }


def check_arguments(fn: Callable[..., Any], arguments: Any) -> dict[str, Any]:
    """Validate and lightly coerce the model's ``arguments`` for ``fn``.

    Accepts what small local models often send: integers as digit strings,
    a single string for a list of strings, ``null`` for optional arguments.

    Returns:
        Keyword arguments ready for ``fn(**kwargs)``.

    Raises:
        ToolArgumentError: not an object, unknown or missing arguments, wrong types.
    """
    name = fn.__name__
    if not isinstance(arguments, dict):
        raise ToolArgumentError(
            f"the arguments for {name} must be a JSON object like {{\"name\": value}}, "
            f"not {type(arguments).__name__}"
        )
    hints = typing.get_type_hints(fn)
    params = {p.name: p for p in inspect.signature(fn).parameters.values() if p.name != "self"}
    unknown = [k for k in arguments if k not in params]
    if unknown:
        raise ToolArgumentError(
            f"unknown argument{'s' if len(unknown) > 1 else ''} {', '.join(map(repr, unknown))} for {name}; "
            f"its arguments are: {', '.join(params)}"
        )
    missing = [p for p, spec in params.items()
               if spec.default is inspect.Parameter.empty and arguments.get(p) is None]
    if missing:
        raise ToolArgumentError(
            f"missing required argument{'s' if len(missing) > 1 else ''} "
            f"{', '.join(map(repr, missing))} for {name}"
        )
    out: dict[str, Any] = {}
    for key, value in arguments.items():
        annotation, optional = _unwrap_optional(hints[key])
        if value is None and (optional or params[key].default is not inspect.Parameter.empty):
            continue
        out[key] = _coerce(name, key, annotation, value)
    return out


def _coerce(tool: str, key: str, annotation: Any, value: Any) -> Any:
    def fail(expected: str) -> ToolArgumentError:
        return ToolArgumentError(
            f"argument {key!r} of {tool} must be {expected}, got {type(value).__name__} {value!r:.60}"
        )

    if annotation is str:
        if isinstance(value, str):
            return value
        if isinstance(value, (int, float)) and not isinstance(value, bool):
            return str(value)
        raise fail("a string")
    if annotation is bool:
        if isinstance(value, bool):
            return value
        raise fail("true or false")
    if annotation is int:
        if isinstance(value, int) and not isinstance(value, bool):
            return value
        if isinstance(value, float) and value.is_integer():
            return int(value)
        if isinstance(value, str) and value.strip().lstrip("-").isdigit():
            return int(value.strip())
        raise fail("an integer")
    if annotation is float:
        if isinstance(value, (int, float)) and not isinstance(value, bool):
            return float(value)
        raise fail("a number")
    origin = typing.get_origin(annotation)
    if origin is list:
        (item,) = typing.get_args(annotation) or (str,)
        if isinstance(value, str) and item is str:
            value = [value]
        if not isinstance(value, list):
            raise fail("a list")
        return [_coerce(tool, key, item, v) for v in value]
    if origin is Literal:
        allowed = typing.get_args(annotation)
        if value in allowed:
            return value
        raise fail("one of " + ", ".join(map(repr, allowed)))
    return value
