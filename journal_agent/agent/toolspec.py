"""A typed Python function and its Google-style docstring as a tool: one schema, one validator.

As simonw/llm's ``Tool.function`` (``llm/models.py``, ``_get_arguments_input_schema``):
the signature becomes a pydantic model (``pydantic.create_model``), the
docstring (read with docstring-parser) gives the description and each
argument's description. That one model yields both the JSON Schema the
model is shown (:attr:`Tool.input_schema`, in the OpenAI shape: no titles, no
defaults, an optional argument as its type alone, ``additionalProperties:
false``) and the validation of the arguments the model sends
(:meth:`Tool.validate`). The agent sends :meth:`Tool.schema` (the Chat
Completions ``tools`` entry) and the MCP server registers the same
``input_schema`` (:mod:`journal_agent.service.mcp`).

Arguments are read leniently, as small local models send them: ``null`` means
"not given", integers may come as digit strings, a string may stand for a list
of strings. Anything else that does not fit becomes a one-line
:class:`ToolArgumentError` that says how to fix the call, never a crash.
"""

from __future__ import annotations

import functools
import inspect
import re
import typing
from collections.abc import Callable
from dataclasses import dataclass
from typing import Annotated, Any

from pydantic import BaseModel, BeforeValidator, ConfigDict, Field, ValidationError, create_model, model_validator
from pydantic.json_schema import GenerateJsonSchema, JsonSchemaValue

_EXPECTED = {"string": "a string", "integer": "an integer", "number": "a number", "boolean": "true or false",
             "array": "a list"}


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


class ToolArguments(BaseModel):
    """Base of every tool's argument model: unknown arguments refused, numbers taken as text, ``null`` not given."""

    model_config = ConfigDict(extra="forbid", coerce_numbers_to_str=True)

    @model_validator(mode="before")
    @classmethod
    def _null_is_not_given(cls, data: Any) -> Any:
        return {k: v for k, v in data.items() if v is not None} if isinstance(data, dict) else data


def _one_as_list(value: Any) -> Any:
    return [value] if isinstance(value, str) else value


class _OpenAISchema(GenerateJsonSchema):
    """JSON Schema as the OpenAI ``tools`` list takes it: no titles, no defaults, ``T | None`` as ``T``."""

    def nullable_schema(self, schema: Any) -> JsonSchemaValue:
        return self.generate_inner(schema["schema"])

    default_schema = nullable_schema

    def field_title_should_be_set(self, schema: Any) -> bool:
        return False


@functools.cache
def _arguments_model(fn: Callable[..., Any]) -> tuple[str, type[ToolArguments], dict[str, Any]]:
    """``(description, argument model, input schema)`` of a plain function; built once per function."""
    description, arg_docs = parse_docstring(fn.__doc__)
    hints = typing.get_type_hints(fn)
    fields: dict[str, Any] = {}
    for param in inspect.signature(fn).parameters.values():
        if param.name == "self":
            continue
        if param.name not in hints:
            raise TypeError(f"{fn.__name__}: parameter {param.name!r} has no type annotation")
        if param.name not in arg_docs:
            raise TypeError(f"{fn.__name__}: parameter {param.name!r} is not described in the docstring's Args:")
        annotation = hints[param.name]
        if list in (typing.get_origin(annotation), *map(typing.get_origin, typing.get_args(annotation))):
            annotation = Annotated[annotation, BeforeValidator(_one_as_list)]
        default = ... if param.default is inspect.Parameter.empty else param.default
        fields[param.name] = (annotation, Field(default, description=arg_docs[param.name]))
    model = create_model(f"{fn.__name__}_arguments", __base__=ToolArguments, **fields)
    raw = model.model_json_schema(schema_generator=_OpenAISchema)
    properties = {name: {**{k: v for k, v in prop.items() if k != "description"}, "description": prop["description"]}
                  for name, prop in raw["properties"].items()}
    schema = {"type": "object", "properties": properties, "required": raw.get("required", []),
              "additionalProperties": False}
    return description, model, schema


@dataclass(frozen=True)
class Tool:
    """One tool: its name and description, the pydantic model of its arguments, the function that runs it.

    Attributes:
        name: the name the model calls it by.
        description: what the model is told it does.
        arguments: the :class:`ToolArguments` model built from the function's signature.
        input_schema: JSON Schema of the arguments (shared by every tool of the same function: do not mutate).
        function: the implementation, called with the validated keyword arguments; returns text.
    """

    name: str
    description: str
    arguments: type[ToolArguments]
    input_schema: dict[str, Any]
    function: Callable[..., Any]

    @classmethod
    def from_function(cls, fn: Callable[..., Any], *, name: str | None = None,
                      description: str | None = None) -> Tool:
        """The tool for ``fn`` (a function or bound method), named ``name`` (default ``fn.__name__``) and
        described by ``description`` (default its docstring's).

        Raises:
            TypeError: a parameter lacks an annotation or a description in ``Args:``.
            pydantic.PydanticSchemaGenerationError: pydantic has no schema for a parameter's type.
        """
        doc_description, model, schema = _arguments_model(getattr(fn, "__func__", fn))
        return cls(name or fn.__name__, description or doc_description, model, schema, fn)

    def schema(self) -> dict[str, Any]:
        """The Chat Completions ``tools`` entry: ``{"type": "function", "function": {name, description,
        parameters}}``."""
        return {"type": "function",
                "function": {"name": self.name, "description": self.description, "parameters": self.input_schema}}

    def run(self, arguments: Any) -> Any:
        """Call :attr:`function` with the model's parsed JSON ``arguments``, validated (:meth:`validate`).

        Raises:
            ToolArgumentError: the arguments do not fit; anything :attr:`function` raises.
        """
        return self.function(**self.validate(arguments))

    def validate(self, arguments: Any) -> dict[str, Any]:
        """The model's parsed JSON ``arguments`` → keyword arguments for :attr:`function` (the ones given).

        Raises:
            ToolArgumentError: not an object, unknown or missing arguments, a value of the wrong type.
        """
        if not isinstance(arguments, dict):
            raise ToolArgumentError(f"the arguments for {self.name} must be a JSON object like "
                                    f"{{\"name\": value}}, not {type(arguments).__name__}")
        try:
            return self.arguments.model_validate(arguments).model_dump(exclude_unset=True)
        except ValidationError as exc:
            raise ToolArgumentError(self._explain(exc.errors())) from None

    def _explain(self, errors: list[Any]) -> str:
        """pydantic's errors as one sentence for the model: unknown, then missing, then the first wrong value."""
        for kind, text in (("extra_forbidden", "unknown argument"), ("missing", "missing required argument")):
            names = [e["loc"][0] for e in errors if e["type"] == kind]
            if names:
                message = f"{text}{'s' if len(names) > 1 else ''} {', '.join(map(repr, names))} for {self.name}"
                if kind == "extra_forbidden":
                    message += f"; its arguments are: {', '.join(self.input_schema['properties'])}"
                return message
        error = errors[0]
        key, *inner = error["loc"]
        prop = self.input_schema["properties"][key]
        if inner and "items" in prop:
            prop = prop["items"]
        expected = ("one of " + ", ".join(map(repr, prop["enum"])) if "enum" in prop
                    else _EXPECTED.get(prop.get("type", ""), "valid"))
        value = error["input"]
        return f"argument {key!r} of {self.name} must be {expected}, got {type(value).__name__} {value!r:.60}"
