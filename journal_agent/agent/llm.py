"""The chat-completions client: configuration, one call, streaming, and what real servers send.

Works with OpenAI and any OpenAI-compatible server (Ollama, llama.cpp, vLLM,
proxies) through the ``openai`` SDK; the client and its endpoint rules are
:mod:`journal_agent.openai_client`'s. The key is never printed or stored: every
error text shown goes through :func:`redact`.

Everything a server sends is normalized here, before the agent stores it:

* tool calls, streamed or not, get non-empty unique ids (llama.cpp#11992 and
  Gemini's compatible endpoint send ``""``), text arguments (some servers send an
  object, BerriAI/litellm#37792) and whole names
  (:class:`~journal_agent.agent.toolcalls.ToolCallAccumulator`);
* ``finish_reason`` is read: ``"length"`` marks a cut-off reply; a stream that
  ends with none broke off (:class:`~journal_agent.errors.ReplyBrokeOff`);
* context-length refusals (OpenAI, vLLM, llama.cpp shapes) become
  :class:`~journal_agent.errors.ContextOverflow` carrying the window; Ollama's
  "does not support tools" becomes :class:`~journal_agent.errors.ToolsUnsupported`;
* a reply that is not a chat completion becomes a one-line ``AgentError``.

Timeouts and retries: ``[llm] timeout`` (``JOURNAL_LLM_TIMEOUT``, default 120 s)
bounds each wait for the server. The SDK's own retries would also retry a
timeout (its default: 600 s × 3 attempts), so chat clients are made with
``max_retries=0`` and :func:`complete` retries only what is worth retrying
(connection refused or reset, 429, 5xx) up to :data:`RETRIES` times, before
anything was received.
"""

from __future__ import annotations

import os
import re
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from journal_agent.agent.toolcalls import (
    ToolCall,
    ToolCallAccumulator,
    arguments_text,
    normalize_calls,
)
from journal_agent.errors import (
    AgentError,
    ContextOverflow,
    ReplyBrokeOff,
    ToolsUnsupported,
)
from journal_agent.openai_client import PLACEHOLDER_KEY

BROKE_OFF = ("the model's reply broke off before it finished (the stream ended without a finish reason); "
             "the partial text is kept in the conversation, marked incomplete")
RETRIES = 2  # retries of transient failures (connection refused/reset, 429, 5xx), never of a timeout
_SECRET_RE = re.compile(r"\b(sk-[A-Za-z0-9_\-]{3})[A-Za-z0-9_\-]{6,}")
_BEARER_RE = re.compile(r"(?i)\b(Bearer\s+)[^\s\"',;)]+")


def endpoint_key(client: Any, model: str) -> str:
    """``"<base url>|<model>"``: what a learned context window is remembered under."""
    return f"{str(getattr(client, 'base_url', '') or '').rstrip('/')}|{model}"


# --------------------------------------------------------------------- replies
@dataclass
class Reply:
    """The model's reply to one request.

    Attributes:
        content: text ('' when the model only called tools).
        tool_calls: function calls, in order, ids filled in.
        seconds: wall time inside the HTTP call (including reading the stream).
        usage: the server's token usage, when it reported one.
        finish_reason: the server's ``finish_reason`` (``"stop"``, ``"tool_calls"``,
            ``"length"``, ``"content_filter"``...), ``None`` when it sent none.
    """

    content: str
    tool_calls: list[ToolCall] = field(default_factory=list)
    seconds: float = 0.0
    usage: dict[str, int] | None = None
    finish_reason: str | None = "stop"

    @property
    def cut_off(self) -> bool:
        """The reply stopped at the token limit (``finish_reason == "length"``)."""
        return self.finish_reason == "length"

    def to_message(self) -> dict[str, Any]:
        """The assistant message to append to the conversation."""
        message: dict[str, Any] = {"role": "assistant", "content": self.content or None}
        if self.tool_calls:
            message["tool_calls"] = [c.to_message() for c in self.tool_calls]
        elif message["content"] is None:
            message["content"] = ""
        return message


# ---------------------------------------------------------------------- errors
def redact(text: str, secrets: tuple[str, ...] = ()) -> str:
    """``text`` without API keys: the ``OPENAI_API_KEY`` value, ``secrets``, ``sk-...`` tokens and bearer tokens."""
    keys = {os.environ.get("OPENAI_API_KEY", ""), *secrets} - {"", PLACEHOLDER_KEY}
    for key in sorted(keys, key=len, reverse=True):
        if len(key) >= 6:
            text = text.replace(key, "[redacted]")
    text = _SECRET_RE.sub(r"\1…[redacted]", text)
    return _BEARER_RE.sub(r"\1[redacted]", text)


def _timeout_seconds(client: Any) -> float | None:
    timeout = getattr(client, "timeout", None)
    if isinstance(timeout, (int, float)):
        return float(timeout)
    read = getattr(timeout, "read", None)
    return float(read) if isinstance(read, (int, float)) else None


def error_line(exc: BaseException, *, timeout: float | None = None, secrets: tuple[str, ...] = ()) -> str:
    """One clear line for an SDK error, without the key or a traceback."""
    import openai

    if isinstance(exc, openai.APITimeoutError):
        after = f" within {timeout:g} s" if timeout else ""
        return redact(f"the model endpoint did not answer{after} ([llm] timeout, JOURNAL_LLM_TIMEOUT); check that "
                      "the server is running and the model loaded, or raise the timeout", secrets)
    if isinstance(exc, openai.APIConnectionError):
        cause = type(exc.__cause__).__name__ if exc.__cause__ is not None else ""
        if cause in ("RemoteProtocolError", "ReadError"):
            return "the connection to the model endpoint dropped before the reply was complete; ask again"
        return ("cannot reach the model endpoint; check OPENAI_BASE_URL / [llm] base_url "
                "and that the server is running")
    if isinstance(exc, openai.AuthenticationError):
        return "the model endpoint rejected the API key (HTTP 401); check OPENAI_API_KEY"
    if isinstance(exc, openai.NotFoundError):
        return redact(f"the model endpoint answered 404: {_api_message(exc)} (check the model name and base URL)",
                      secrets)
    if isinstance(exc, openai.APIStatusError):
        return redact(f"the model endpoint answered HTTP {exc.status_code}: {_api_message(exc)}", secrets)
    if isinstance(exc, openai.APIResponseValidationError):
        return redact(malformed_line(str(exc)), secrets)
    if isinstance(exc, openai.OpenAIError):
        return redact(f"model call failed: {str(exc).splitlines()[0] if str(exc) else type(exc).__name__}", secrets)
    return redact(f"model call failed: {type(exc).__name__}: {exc}", secrets)


def malformed_line(detail: str) -> str:
    """The one line for a reply that is not a chat completion."""
    detail = " ".join(detail.split())[:120]
    return (f"the model endpoint sent a reply that is not a chat completion ({detail}); check that "
            "OPENAI_BASE_URL / [llm] base_url is an OpenAI-compatible /v1 endpoint")


def _error_body(exc: BaseException) -> dict[str, Any]:
    body = getattr(exc, "body", None)
    if isinstance(body, dict):
        inner = body.get("error")
        return inner if isinstance(inner, dict) else body
    return {}


def _api_message(exc: BaseException) -> str:
    message = _error_body(exc).get("message")
    if not message:
        message = getattr(exc, "message", "") or str(exc)
    return (str(message).splitlines() or [""])[0][:300]


_WINDOW_RE = re.compile(r"maximum context length is (\d+)")
_PROMPT_RE = re.compile(r"(?:resulted in (\d+) tokens|\((\d+) in the messages)")


def classify(exc: BaseException, *, model: str, timeout: float | None = None,
             secrets: tuple[str, ...] = ()) -> AgentError:
    """The domain error for an SDK error: context overflow, no tool support, or a plain ``AgentError``.

    Context-length shapes: OpenAI ``code: "context_length_exceeded"``, "This
    model's maximum context length is N tokens. However, your messages resulted
    in M tokens"; vLLM "... However, you requested T tokens (M in the messages, C
    in the completion)" (vllm-project/vllm#20409); llama.cpp ``type:
    "exceed_context_size_error"`` with ``n_ctx`` and ``n_prompt_tokens``
    (ggml-org/llama.cpp#15780; HTTP 400, 500 in older builds). No tools: Ollama's
    400 "<model> does not support tools" (ollama/ollama#6027).
    """
    import openai

    line = error_line(exc, timeout=timeout, secrets=secrets)
    if not isinstance(exc, openai.APIStatusError):
        return AgentError(line)
    body = _error_body(exc)
    message = str(body.get("message") or _api_message(exc))
    lowered = message.lower()
    if "does not support tools" in lowered:
        return ToolsUnsupported(redact(
            f"the model {model!r} does not support tool calling, which the memory agent needs; use a "
            "tool-capable model (e.g. llama3.1 or qwen2.5 on Ollama) with --model, JOURNAL_MODEL or [llm] model",
            secrets))
    overflow = (body.get("code") == "context_length_exceeded" or body.get("type") == "exceed_context_size_error"
                or "maximum context length" in lowered or "exceeds the available context size" in lowered
                or "context length exceeded" in lowered)
    if overflow:
        window = body.get("n_ctx") if isinstance(body.get("n_ctx"), int) else None
        prompt = body.get("n_prompt_tokens") if isinstance(body.get("n_prompt_tokens"), int) else None
        found = _WINDOW_RE.search(message)
        if window is None and found:
            window = int(found.group(1))
        counted = _PROMPT_RE.search(message)
        if prompt is None and counted:
            prompt = int(counted.group(1) or counted.group(2))
        return ContextOverflow(line, window=window, prompt_tokens=prompt)
    return AgentError(line)


# -------------------------------------------------------------------- the call
def complete(
    client: Any,
    *,
    model: str,
    messages: list[dict[str, Any]],
    tools: list[dict[str, Any]] | None = None,
    on_token: Callable[[str], None] | None = None,
    max_tokens: int | None = None,
    retries: int = RETRIES,
) -> Reply:
    """One chat-completions request, normalized (see the module docstring).

    With ``on_token`` the request streams (``stream=True``) and each content
    delta is passed to it as it arrives; tool-call deltas are assembled by
    :class:`ToolCallAccumulator`.

    Raises:
        ContextOverflow: the prompt is longer than the server's context window.
        ToolsUnsupported: the model cannot call tools.
        ReplyBrokeOff: the stream ended without a finish reason (``partial`` holds the text).
        AgentError: any other failure, as one line without the API key.
        KeyboardInterrupt: re-raised with the text streamed so far in ``partial_reply``.
    """
    import openai

    kwargs: dict[str, Any] = {"model": model, "messages": messages}
    if tools:
        kwargs["tools"] = tools
    if max_tokens:
        kwargs["max_tokens"] = max_tokens
    secrets = (str(getattr(client, "api_key", "") or ""),)
    timeout = _timeout_seconds(client)
    started = time.perf_counter()
    attempt = 0
    while True:
        try:
            reply = _plain(client, kwargs) if on_token is None else _stream(client, kwargs, on_token)
            break
        except AgentError:
            raise
        except openai.APITimeoutError as exc:  # never retried: the server is stuck or still loading
            raise classify(exc, model=model, timeout=timeout, secrets=secrets) from exc
        except (openai.RateLimitError, openai.InternalServerError, openai.APIConnectionError) as exc:
            if attempt < retries and not getattr(exc, "_journal_started", False):
                attempt += 1
                time.sleep(_backoff(exc, attempt))
                continue
            raise classify(exc, model=model, timeout=timeout, secrets=secrets) from exc
        except openai.OpenAIError as exc:
            raise classify(exc, model=model, timeout=timeout, secrets=secrets) from exc
        except (ValueError, TypeError, AttributeError, KeyError) as exc:  # a 200 that is no chat completion
            raise AgentError(redact(malformed_line(f"{type(exc).__name__}: {exc}"), secrets)) from exc
    reply.seconds = time.perf_counter() - started
    return reply


def _backoff(exc: BaseException, attempt: int) -> float:
    """Seconds before retry ``attempt``: the server's ``Retry-After`` (at most 10 s), else 0.5 s doubling."""
    response = getattr(exc, "response", None)
    header = response.headers.get("retry-after") if response is not None else None
    try:
        return min(10.0, max(0.0, float(header))) if header else 0.5 * 2 ** (attempt - 1)
    except ValueError:
        return 0.5 * 2 ** (attempt - 1)


def _plain(client: Any, kwargs: dict[str, Any]) -> Reply:
    response = client.chat.completions.create(**kwargs)
    choices = getattr(response, "choices", None)
    if not choices:
        raise AgentError(malformed_line("no choices in the reply"))
    choice = choices[0]
    message = getattr(choice, "message", None)
    if not (hasattr(message, "content") or hasattr(message, "tool_calls")):
        raise AgentError(malformed_line(f"choices[0].message is {type(message).__name__}"))
    calls = [
        ToolCall(getattr(c, "id", None) or "", getattr(c.function, "name", None) or "",
                 arguments_text(getattr(c.function, "arguments", None)))
        for c in (getattr(message, "tool_calls", None) or [])
        if getattr(c, "function", None) is not None
    ]
    usage = response.usage.model_dump() if getattr(response, "usage", None) else None
    return Reply(_content_text(getattr(message, "content", None)), normalize_calls(calls), usage=usage,
                 finish_reason=getattr(choice, "finish_reason", None) or "stop")


def _content_text(content: Any) -> str:
    if isinstance(content, str):
        return content
    if isinstance(content, list):  # content parts
        return "".join(p.get("text", "") if isinstance(p, dict) else getattr(p, "text", "") or "" for p in content)
    return ""


def _stream(client: Any, kwargs: dict[str, Any], on_token: Callable[[str], None]) -> Reply:
    import openai

    content: list[str] = []
    calls = ToolCallAccumulator()
    usage = None
    finish: str | None = None
    started = False
    try:
        with client.chat.completions.create(stream=True, **kwargs) as stream:
            for chunk in stream:
                started = True
                if getattr(chunk, "usage", None):
                    usage = chunk.usage.model_dump()
                for choice in getattr(chunk, "choices", None) or []:
                    delta = choice.delta
                    text = getattr(delta, "content", None) if delta is not None else None
                    if text:
                        content.append(text)
                        on_token(text)
                    for part in (getattr(delta, "tool_calls", None) if delta is not None else None) or []:
                        calls.feed(part)
                    if getattr(choice, "finish_reason", None):
                        finish = choice.finish_reason
    except KeyboardInterrupt as exc:
        exc.partial_reply = "".join(content)  # type: ignore[attr-defined]
        raise
    except openai.APIError as exc:
        if started and not isinstance(exc, openai.APIStatusError):
            raise ReplyBrokeOff(BROKE_OFF, "".join(content)) from exc
        exc._journal_started = started  # type: ignore[attr-defined]
        raise
    if finish is None:
        raise ReplyBrokeOff(BROKE_OFF, "".join(content))
    return Reply("".join(content), calls.calls(), usage=usage, finish_reason=finish)
