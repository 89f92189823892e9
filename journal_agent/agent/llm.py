"""The chat-completions client: configuration, one call, streaming, one-line errors.

Works with OpenAI and any OpenAI-compatible server (Ollama, llama.cpp, vLLM)
through the ``openai`` SDK. Endpoint settings, in order:

* ``OPENAI_BASE_URL`` / ``OPENAI_API_KEY``, read by the SDK itself;
* ``[llm] base_url`` in ``journal.toml`` (used when ``OPENAI_BASE_URL`` is unset);
* otherwise the SDK's default (api.openai.com).

"Configured" means ``OPENAI_API_KEY`` or ``OPENAI_BASE_URL`` is set, or the
journal has a base URL. A base URL without a key gets a placeholder key, as
local servers ignore it. Timeouts and retries are the SDK's own defaults. The
key is never printed or stored.
"""

from __future__ import annotations

import json
import os
import time
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, Callable, Mapping

from journal_agent.errors import AgentError, ModelNotConfigured

if TYPE_CHECKING:
    from openai import OpenAI

    from journal_agent.config import Config

PLACEHOLDER_KEY = "sk-local-no-key-needed"
NOT_CONFIGURED = (
    "No model configured: set OPENAI_API_KEY (OpenAI), or OPENAI_BASE_URL for a local "
    "OpenAI-compatible server (e.g. http://127.0.0.1:11434/v1 for Ollama), or [llm] base_url "
    "in journal.toml; pick the model with --model, JOURNAL_MODEL or [llm] model."
)


def is_configured(config: Config, env: Mapping[str, str] | None = None) -> bool:
    """True when an endpoint is configured (API key, base URL in env, or in ``journal.toml``)."""
    env = os.environ if env is None else env
    return bool(env.get("OPENAI_API_KEY") or env.get("OPENAI_BASE_URL") or config.llm.base_url)


def make_client(config: Config, env: Mapping[str, str] | None = None, *, base_url: str | None = None) -> OpenAI:
    """An ``openai.OpenAI`` client for ``config``.

    Args:
        config: the journal's settings (``[llm] base_url``, ``[llm] timeout``).
        env: environment (default ``os.environ``).
        base_url: an explicit endpoint (``[embedding] base_url``); wins over everything.

    Raises:
        ModelNotConfigured: no key and no base URL (message: :data:`NOT_CONFIGURED`).
    """
    env = os.environ if env is None else env
    if not base_url and not is_configured(config, env):
        raise ModelNotConfigured(NOT_CONFIGURED)
    from openai import OpenAI

    kwargs: dict[str, Any] = {"timeout": config.llm.timeout}
    if base_url:
        kwargs["base_url"] = base_url
    elif config.llm.base_url and not env.get("OPENAI_BASE_URL"):
        kwargs["base_url"] = config.llm.base_url
    if not env.get("OPENAI_API_KEY"):
        kwargs["api_key"] = PLACEHOLDER_KEY
    return OpenAI(**kwargs)


@dataclass
class ToolCall:
    """One function call the model asked for. ``arguments`` is the raw JSON text."""

    id: str
    name: str
    arguments: str

    def to_message(self) -> dict[str, Any]:
        """The ``tool_calls`` entry of an assistant message."""
        return {"id": self.id, "type": "function", "function": {"name": self.name, "arguments": self.arguments}}


@dataclass
class Reply:
    """The model's reply to one request.

    Attributes:
        content: text ('' when the model only called tools).
        tool_calls: function calls, in order.
        seconds: wall time inside the HTTP call (including reading the stream).
        usage: the server's token usage, when it reported one.
    """

    content: str
    tool_calls: list[ToolCall] = field(default_factory=list)
    seconds: float = 0.0
    usage: dict[str, int] | None = None

    def to_message(self) -> dict[str, Any]:
        """The assistant message to append to the conversation."""
        message: dict[str, Any] = {"role": "assistant", "content": self.content or None}
        if self.tool_calls:
            message["tool_calls"] = [c.to_message() for c in self.tool_calls]
        elif message["content"] is None:
            message["content"] = ""
        return message


def error_line(exc: BaseException) -> str:
    """One clear line for an SDK error, without the key or a traceback."""
    import openai

    if isinstance(exc, openai.APITimeoutError):
        return "the model endpoint timed out (after the SDK's retries); try again"
    if isinstance(exc, openai.APIConnectionError):
        return (
            "cannot reach the model endpoint; check OPENAI_BASE_URL / [llm] base_url "
            "and that the server is running"
        )
    if isinstance(exc, openai.AuthenticationError):
        return "the model endpoint rejected the API key (HTTP 401); check OPENAI_API_KEY"
    if isinstance(exc, openai.NotFoundError):
        return f"the model endpoint answered 404: {_api_message(exc)} (check the model name and base URL)"
    if isinstance(exc, openai.APIStatusError):
        return f"the model endpoint answered HTTP {exc.status_code}: {_api_message(exc)}"
    if isinstance(exc, openai.OpenAIError):
        return f"model call failed: {str(exc).splitlines()[0] if str(exc) else type(exc).__name__}"
    return f"model call failed: {type(exc).__name__}: {exc}"


def _api_message(exc) -> str:
    body = getattr(exc, "body", None)
    message = None
    if isinstance(body, dict):
        inner = body.get("error")
        message = inner.get("message") if isinstance(inner, dict) else body.get("message")
    if not message:
        message = getattr(exc, "message", "") or str(exc)
    return (str(message).splitlines() or [""])[0][:300]


def complete(
    client,
    *,
    model: str,
    messages: list[dict[str, Any]],
    tools: list[dict[str, Any]] | None = None,
    on_token: Callable[[str], None] | None = None,
) -> Reply:
    """One chat-completions request.

    With ``on_token`` the request streams (``stream=True``) and each content
    delta is passed to it as it arrives; tool-call deltas are assembled.

    Raises:
        AgentError: any API error, as :func:`error_line` words it.
    """
    import openai

    kwargs: dict[str, Any] = {"model": model, "messages": messages}
    if tools:
        kwargs["tools"] = tools
    started = time.perf_counter()
    try:
        if on_token is None:
            response = client.chat.completions.create(**kwargs)
            if not response.choices:
                raise AgentError("the model endpoint returned no choices")
            message = response.choices[0].message
            calls = [
                ToolCall(c.id, c.function.name, _arguments_text(c.function.arguments))
                for c in (message.tool_calls or [])
                if getattr(c, "function", None) is not None
            ]
            usage = response.usage.model_dump() if response.usage else None
            reply = Reply(message.content or "", calls, usage=usage)
        else:
            reply = _stream(client, kwargs, on_token)
    except openai.OpenAIError as exc:
        raise AgentError(error_line(exc)) from exc
    reply.seconds = time.perf_counter() - started
    return reply


def _stream(client, kwargs: dict[str, Any], on_token: Callable[[str], None]) -> Reply:
    content: list[str] = []
    calls: dict[int, dict[str, str]] = {}
    usage = None
    with client.chat.completions.create(stream=True, **kwargs) as stream:
        for chunk in stream:
            if getattr(chunk, "usage", None):
                usage = chunk.usage.model_dump()
            for choice in chunk.choices or []:
                delta = choice.delta
                if delta.content:
                    content.append(delta.content)
                    on_token(delta.content)
                for part in delta.tool_calls or []:
                    slot = calls.setdefault(part.index, {"id": "", "name": "", "arguments": ""})
                    if part.id:
                        slot["id"] = part.id
                    if part.function is not None:
                        if part.function.name:
                            slot["name"] += part.function.name
                        if part.function.arguments:
                            slot["arguments"] += _arguments_text(part.function.arguments)
    tool_calls = [
        ToolCall(slot["id"] or f"call_{index}", slot["name"], slot["arguments"])
        for index, slot in sorted(calls.items())
    ]
    return Reply("".join(content), tool_calls, usage=usage)


def _arguments_text(arguments: Any) -> str:
    """Tool-call arguments as JSON text (some servers send an object instead of a string)."""
    if arguments is None:
        return ""
    return arguments if isinstance(arguments, str) else json.dumps(arguments)

