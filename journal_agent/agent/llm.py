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
* a reply that is not a chat completion becomes a one-line ``AgentError``;
* reasoning is kept apart from the answer (:attr:`Reply.reasoning`): the
  ``reasoning_content`` field (DeepSeek, vLLM, llama.cpp) or ``reasoning``
  (Ollama, OpenRouter), and ``<think>…</think>`` written into the content
  (Qwen3 and R1 distills served without a reasoning parser; ollama/ollama-python#529,
  the Qwen3 model card) is split off (:func:`split_think`), never part of the answer;
* provider extras that must go back are kept on the stored message
  (:meth:`Reply.to_message`): DeepSeek's ``reasoning_content`` of a turn with tool
  calls (api-docs.deepseek.com, "Thinking mode", tool calls: "must be passed back
  … otherwise 400"; anomalyco/opencode#9397) and Gemini's ``extra_content`` on
  tool calls (ai.google.dev, "Thought signatures"); a stored tool-call message
  from before (or from another model) gets an empty ``reasoning_content`` when
  DeepSeek refuses the request for lack of one, so a conversation is never poisoned;
* error bodies are read in every shape: an object, a JSON list (Gemini,
  google-gemini/gemini-cli#6678) or a string (LM Studio, lmstudio-bug-tracker#237);
* o-series and gpt-5 models get ``max_completion_tokens`` instead of ``max_tokens``
  (OpenAI reasoning guide; the refusal "Unsupported parameter: 'max_tokens'" is
  also retried with it: gollm#33, opencode#37964); Mistral models get 9-alphanumeric
  tool-call ids (:func:`~journal_agent.agent.toolcalls.wire_ids`).

Timeouts and retries: ``[llm] timeout`` (``JOURNAL_LLM_TIMEOUT``, default 120 s)
bounds each wait for the server. The SDK's own retries would also retry a
timeout (its default: 600 s × 3 attempts), so chat clients are made with
``max_retries=0`` and :func:`complete` retries only what is worth retrying
(connection refused or reset, 429, 5xx) up to :data:`RETRIES` times, before
anything was received. A ``Retry-After`` (seconds) or ``retry-after-ms`` header is
honoured up to the timeout; a longer wait is not attempted and said. Never
retried: a 429 ``insufficient_quota`` (no money left, OpenAI error codes), 401,
404. Groq's 400 ``tool_use_failed`` (the model wrote a malformed call; a resample
usually works: huggingface/smolagents#1119, agno-agi/agno#4090) is retried once.
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
    extra_content,
    needs_short_ids,
    normalize_calls,
    wire_ids,
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
RETRY_AFTER_CAP = 60.0  # the longest Retry-After honoured when the client has no timeout
REASONING_FIELDS = ("reasoning_content", "reasoning")  # DeepSeek/vLLM/llama.cpp; Ollama/OpenRouter
_THINK_OPEN, _THINK_CLOSE = "<think>", "</think>"
_THINK_RE = re.compile(r"<think>(.*?)(?:</think>|\Z)", re.S)
_COMPLETION_TOKENS_RE = re.compile(r"^(?:[\w.-]+/)?(?:o\d|gpt-5)", re.I)
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
        reasoning: the model's reasoning, shown as its own kind of step, never
            part of the answer ('' when none).
        echo: fields sent back on the stored assistant message when it has tool
            calls (``{"reasoning_content": ...}`` for DeepSeek's thinking mode;
            reasoning from ``<think>`` blocks is never echoed).
    """

    content: str
    tool_calls: list[ToolCall] = field(default_factory=list)
    seconds: float = 0.0
    usage: dict[str, int] | None = None
    finish_reason: str | None = "stop"
    reasoning: str = ""
    echo: dict[str, str] = field(default_factory=dict)

    @property
    def cut_off(self) -> bool:
        """The reply stopped at the token limit (``finish_reason == "length"``)."""
        return self.finish_reason == "length"

    def to_message(self) -> dict[str, Any]:
        """The assistant message to append to the conversation.

        With tool calls it carries :attr:`echo` (DeepSeek: the ``reasoning_content`` of
        a tool-call turn must go back with it); without, no reasoning is kept
        (DeepSeek ignores it there; think blocks are never sent back).
        """
        message: dict[str, Any] = {"role": "assistant", "content": self.content or None}
        if self.tool_calls:
            message["tool_calls"] = [c.to_message() for c in self.tool_calls]
            message.update(self.echo)
        elif message["content"] is None:
            message["content"] = ""
        return message


# ------------------------------------------------------------------- reasoning
def split_think(text: str) -> tuple[str, str]:
    """``(answer, reasoning)`` of content that may hold ``<think>…</think>`` blocks.

    Qwen3 and DeepSeek-R1 distills served without a reasoning parser (Ollama,
    llama.cpp; ollama/ollama-python#529, the Qwen3 model card) write their
    reasoning into the content between ``<think>`` tags. An unclosed ``<think>``
    (a reply cut off while reasoning) is all reasoning; a ``</think>`` with no
    opening tag (the chat template opened it in the prompt) ends reasoning that
    started the reply.
    """
    if _THINK_OPEN not in text and _THINK_CLOSE not in text:
        return text, ""
    reasoning: list[str] = []
    head, sep, tail = text.partition(_THINK_CLOSE)
    if sep and _THINK_OPEN not in head:
        reasoning.append(head)
        text = tail
    reasoning.extend(m.group(1) for m in _THINK_RE.finditer(text))
    answer = _THINK_RE.sub("", text).replace(_THINK_CLOSE, "")
    return answer.strip() if reasoning else answer, "\n\n".join(r.strip() for r in reasoning if r.strip())


class ThinkFilter:
    """Streamed content with ``<think>…</think>`` held back: :meth:`feed` returns only answer text.

    Tags split across chunks are recognised (up to ``len("</think>")`` characters
    are held until the next chunk or :meth:`flush`).
    """

    def __init__(self) -> None:
        self._buffer = ""
        self._inside = False

    def feed(self, text: str) -> str:
        """The part of ``text`` (after what was held) that is answer, safe to show now."""
        self._buffer += text
        shown: list[str] = []
        while self._buffer:
            tag = _THINK_CLOSE if self._inside else _THINK_OPEN
            at = self._buffer.find(tag)
            if at >= 0:
                if not self._inside:
                    shown.append(self._buffer[:at])
                self._buffer = self._buffer[at + len(tag):]
                self._inside = not self._inside
                continue
            keep = next((n for n in range(min(len(tag) - 1, len(self._buffer)), 0, -1)
                         if tag.startswith(self._buffer[-n:])), 0)
            if not self._inside:
                shown.append(self._buffer[:len(self._buffer) - keep])
            self._buffer = self._buffer[len(self._buffer) - keep:]
            break
        return "".join(shown)

    def flush(self) -> str:
        """What was held at the end of the stream, when it was answer."""
        rest, self._buffer = ("" if self._inside else self._buffer), ""
        return rest


def _reasoning_of(obj: Any) -> tuple[str | None, str]:
    """``(field, text)`` of a message or delta's reasoning field, ``(None, "")`` when it has none."""
    for name in REASONING_FIELDS:
        value = obj.get(name) if isinstance(obj, dict) else getattr(obj, name, None)
        if isinstance(value, str):
            return name, value
    return None, ""


FROM_KEY = "_from"  # on a stored assistant message: the endpoint (endpoint_key) whose extras it carries


def provider_extras_for(messages: list[dict[str, Any]], endpoint: str) -> list[dict[str, Any]]:
    """``messages`` as sent to ``endpoint``: provider extras kept only on messages that endpoint wrote.

    A stored assistant message carrying extras (``reasoning_content``/``reasoning``,
    tool calls' ``extra_content``) is marked with :data:`FROM_KEY`; sent to another
    endpoint or model (``ask -c --model …``) the extras are dropped, as a strict
    server refuses fields it does not know. The mark itself is never sent.
    """
    out: list[dict[str, Any]] = []
    for message in messages:
        if FROM_KEY in message:
            same = message[FROM_KEY] == endpoint
            message = {k: v for k, v in message.items() if k != FROM_KEY and (same or k not in REASONING_FIELDS)}
            if not same and message.get("tool_calls"):
                message["tool_calls"] = [{k: v for k, v in c.items() if k != "extra_content"}
                                         for c in message["tool_calls"]]
        out.append(message)
    return out


def uses_completion_tokens(model: str) -> bool:
    """True for OpenAI reasoning models (o1, o3, o4-mini, gpt-5…), which want ``max_completion_tokens``."""
    return bool(_COMPLETION_TOKENS_RE.match(model or ""))


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
    """The error object of an SDK error, whatever the body's shape.

    OpenAI: ``{"error": {...}}``; vLLM: the object at the top level; Gemini's
    compatible endpoint: a JSON list ``[{"error": {...}}]`` (google-gemini/gemini-cli#6678);
    LM Studio: a string (lmstudio-ai/lmstudio-bug-tracker#237).
    """
    body = getattr(exc, "body", None)
    if isinstance(body, list):
        body = next((b for b in body if isinstance(b, dict)), None)
    if isinstance(body, str):
        return {"message": body} if body.strip() else {}
    if isinstance(body, dict):
        inner = body.get("error")
        if isinstance(inner, str):
            return dict(body, message=body.get("message") or inner)
        return inner if isinstance(inner, dict) else body
    return {}


def _api_message(exc: BaseException) -> str:
    message = _error_body(exc).get("message")
    if not message:
        message = getattr(exc, "message", "") or str(exc)
    return (str(message).splitlines() or [""])[0][:300]


_WINDOW_RE = re.compile(r"maximum context length is (\d+)")
_PROMPT_RE = re.compile(r"(?:resulted in (\d+) tokens|\((\d+) in the messages)")
# (prompt, window) in the wordings of Gemini, LM Studio and Anthropic
_OVERFLOW_RES = (
    # Gemini: "The input token count (1234567) exceeds the maximum number of tokens allowed (1048576)."
    re.compile(r"input token count \(?(\d+)\)? exceeds the maximum number of tokens allowed \(?(\d+)\)?", re.I),
    # LM Studio: "Trying to keep the first 5080 tokens when context the overflows. However, the model is
    # loaded with context length of only 4096 tokens, which is not enough."
    re.compile(r"keep the first (\d+) tokens.*?context length of only (\d+) tokens", re.I | re.S),
    # Anthropic: "prompt is too long: 215000 tokens > 200000 maximum"
    re.compile(r"prompt is too long: (\d+) tokens > (\d+) maximum", re.I),
)
_OVERFLOW_WORDS = ("maximum context length", "exceeds the available context size", "context length exceeded",
                   "exceeds the maximum number of tokens", "greater than the context length",
                   "context length of only", "prompt is too long", "context_length_exceeded")
DEEPSEEK_MISSING_REASONING = "reasoning_content"  # in DeepSeek's 400 for a tool-call turn sent back without it


NOT_CONTINUABLE = ("the conversation so far is kept; `journal ask -c` meets the same refusal until the cause "
                   "above is fixed")


def classify(exc: BaseException, *, model: str, timeout: float | None = None,
             secrets: tuple[str, ...] = ()) -> AgentError:
    """The domain error for an SDK error: context overflow, no tool support, or a plain ``AgentError``.

    Context-length shapes: OpenAI ``code: "context_length_exceeded"``, "This
    model's maximum context length is N tokens. However, your messages resulted
    in M tokens"; vLLM "... However, you requested T tokens (M in the messages, C
    in the completion)" (vllm-project/vllm#20409); llama.cpp ``type:
    "exceed_context_size_error"`` with ``n_ctx`` and ``n_prompt_tokens``
    (ggml-org/llama.cpp#15780; HTTP 400, 500 in older builds); Gemini "The input
    token count (P) exceeds the maximum number of tokens allowed (W)"
    (google-gemini/gemini-cli#12214); LM Studio "Trying to keep the first P tokens
    … context length of only W tokens" (lmstudio-ai/lmstudio-bug-tracker#546);
    Anthropic "prompt is too long: P tokens > W maximum" (cline/cline#3664). No
    tools: Ollama's 400 "<model> does not support tools" (ollama/ollama#6027).
    Errors that asking again cannot fix (400, 401, 403, 404, ``insufficient_quota``)
    get :data:`NOT_CONTINUABLE` as their hint instead of "``ask -c`` continues it".
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
                or any(w in lowered for w in _OVERFLOW_WORDS))
    if overflow:
        window = body.get("n_ctx") if isinstance(body.get("n_ctx"), int) else None
        prompt = body.get("n_prompt_tokens") if isinstance(body.get("n_prompt_tokens"), int) else None
        found = _WINDOW_RE.search(message)
        if window is None and found:
            window = int(found.group(1))
        counted = _PROMPT_RE.search(message)
        if prompt is None and counted:
            prompt = int(counted.group(1) or counted.group(2))
        for pattern in _OVERFLOW_RES:
            worded = pattern.search(message)
            if worded:
                prompt = prompt or int(worded.group(1))
                window = window or int(worded.group(2))
                break
        return ContextOverflow(line, window=window, prompt_tokens=prompt)
    error = AgentError(line)
    if isinstance(exc, (openai.AuthenticationError, openai.NotFoundError, openai.PermissionDeniedError)) \
            or body.get("code") == "insufficient_quota" or exc.status_code == 400:
        error.hint = NOT_CONTINUABLE  # asking again with -c meets the same refusal
    return error


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
    delta is passed to it as it arrives, ``<think>`` blocks held back
    (:class:`ThinkFilter`); tool-call deltas are assembled by
    :class:`ToolCallAccumulator`. ``max_tokens`` is sent as ``max_completion_tokens``
    to OpenAI reasoning models (:func:`uses_completion_tokens`) and to a server
    that refuses ``max_tokens``.

    Raises:
        ContextOverflow: the prompt is longer than the server's context window.
        ToolsUnsupported: the model cannot call tools.
        ReplyBrokeOff: the stream ended without a finish reason (``partial`` holds the text).
        AgentError: any other failure, as one line without the API key.
        KeyboardInterrupt: re-raised with the text streamed so far in ``partial_reply``.
    """
    import openai

    messages = provider_extras_for(messages, endpoint_key(client, model))
    kwargs: dict[str, Any] = {"model": model, "messages": wire_ids(messages) if needs_short_ids(model) else messages}
    if tools:
        kwargs["tools"] = tools
    if max_tokens:
        kwargs["max_completion_tokens" if uses_completion_tokens(model) else "max_tokens"] = max_tokens
    if on_token is not None:  # usage in the last chunk: how a silently truncated prompt shows (Ollama)
        kwargs["stream_options"] = {"include_usage": True}
    secrets = (str(getattr(client, "api_key", "") or ""),)
    timeout = _timeout_seconds(client)
    started = time.perf_counter()
    attempt = 0
    fixed: set[str] = set()  # request fixes applied after a refusal, each at most once
    while True:
        try:
            reply = _plain(client, kwargs) if on_token is None else _stream(client, kwargs, on_token)
            break
        except AgentError:
            raise
        except openai.APITimeoutError as exc:  # never retried: the server is stuck or still loading
            raise classify(exc, model=model, timeout=timeout, secrets=secrets) from exc
        except (openai.RateLimitError, openai.InternalServerError, openai.APIConnectionError) as exc:
            wait = _backoff(exc, attempt + 1)
            quota = _error_body(exc).get("code") == "insufficient_quota"
            limit = timeout if timeout else RETRY_AFTER_CAP
            if attempt < retries and not getattr(exc, "_journal_started", False) and not quota and wait <= limit:
                attempt += 1
                time.sleep(wait)
                continue
            error = classify(exc, model=model, timeout=timeout, secrets=secrets)
            if wait > limit and not quota:
                error = AgentError(f"{error} (the server asked to wait {wait:g} s, longer than the "
                                   f"{limit:g} s timeout; ask again later)")
            raise error from exc
        except openai.BadRequestError as exc:
            fix = _fix_for(exc, kwargs, fixed)
            if fix:
                fixed.add(fix)
                continue
            raise classify(exc, model=model, timeout=timeout, secrets=secrets) from exc
        except openai.OpenAIError as exc:
            raise classify(exc, model=model, timeout=timeout, secrets=secrets) from exc
        except (ValueError, TypeError, AttributeError, KeyError) as exc:  # a 200 that is no chat completion
            raise AgentError(redact(malformed_line(f"{type(exc).__name__}: {exc}"), secrets)) from exc
    reply.seconds = time.perf_counter() - started
    return reply


def _fix_for(exc: BaseException, kwargs: dict[str, Any], fixed: set[str]) -> str | None:
    """Change ``kwargs`` for a 400 that one known change fixes; the fix's name, or ``None``.

    * ``max_tokens`` refused (o-series, gpt-5: "Unsupported parameter: 'max_tokens' is not
      supported with this model. Use 'max_completion_tokens' instead."; gollm#33) →
      ``max_completion_tokens``;
    * DeepSeek thinking mode: a tool-call message without ``reasoning_content``
      ("Missing reasoning_content field in the assistant message at message index N";
      anomalyco/opencode#9397) → an empty one on every such message (history from
      before, or from another model);
    * Mistral: "Tool call id was … but must be a-z, A-Z, 0-9, with a length of 9"
      (magentic#276) → ids rewritten (:func:`wire_ids`);
    * ``stream_options`` refused by a server that does not know it → sent without;
    * Groq ``tool_use_failed`` (smolagents#1119, agno#4090) → the same request once more.
    """
    body = _error_body(exc)
    message = str(body.get("message") or _api_message(exc))
    lowered = message.lower()
    if "max_tokens" in kwargs and "max_completion_tokens" in lowered and "max_tokens" not in fixed:
        kwargs["max_completion_tokens"] = kwargs.pop("max_tokens")
        return "max_tokens"
    if DEEPSEEK_MISSING_REASONING in lowered and "reasoning" not in fixed:
        kwargs["messages"] = [dict(m, reasoning_content="") if m.get("role") == "assistant" and m.get("tool_calls")
                              and not isinstance(m.get("reasoning_content"), str) else m
                              for m in kwargs["messages"]]
        return "reasoning"
    if "tool call id" in lowered and "length of 9" in lowered and "ids" not in fixed:
        kwargs["messages"] = wire_ids(kwargs["messages"])
        return "ids"
    if "stream_options" in kwargs and "stream_options" in lowered and "stream_options" not in fixed:
        kwargs.pop("stream_options")  # a server that does not know it (OpenAI API reference: optional)
        return "stream_options"
    if body.get("code") == "tool_use_failed" and "resample" not in fixed:
        return "resample"
    return None


def _backoff(exc: BaseException, attempt: int) -> float:
    """Seconds before retry ``attempt``: the server's ``retry-after-ms`` or ``Retry-After`` (seconds), else
    0.5 s doubling. The caller compares it with the timeout (OpenAI rate-limit guide)."""
    response = getattr(exc, "response", None)
    headers = response.headers if response is not None else {}
    try:
        if headers.get("retry-after-ms"):
            return max(0.0, float(headers["retry-after-ms"]) / 1000)
        if headers.get("retry-after"):
            return max(0.0, float(headers["retry-after"]))
    except ValueError:
        pass
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
                 arguments_text(getattr(c.function, "arguments", None)), extra_content(c))
        for c in (getattr(message, "tool_calls", None) or [])
        if getattr(c, "function", None) is not None
    ]
    usage = response.usage.model_dump() if getattr(response, "usage", None) else None
    field_name, reasoning = _reasoning_of(message)
    return _reply(_content_text(getattr(message, "content", None)), normalize_calls(calls), usage,
                  getattr(choice, "finish_reason", None) or "stop", field_name, reasoning)


def _reply(content: str, calls: list[ToolCall], usage: dict[str, int] | None, finish: str | None,
           field_name: str | None, reasoning: str) -> Reply:
    """The :class:`Reply`: think blocks split off the content, the reasoning field echoed on tool-call turns."""
    answer, thought = split_think(content)
    echo = {field_name: reasoning} if field_name else {}
    shown = "\n\n".join(r for r in (reasoning.strip(), thought) if r)
    return Reply(answer, calls, usage=usage, finish_reason=finish, reasoning=shown, echo=echo)


def _content_text(content: Any) -> str:
    if isinstance(content, str):
        return content
    if isinstance(content, list):  # content parts
        return "".join(p.get("text", "") if isinstance(p, dict) else getattr(p, "text", "") or "" for p in content)
    return ""


def _stream(client: Any, kwargs: dict[str, Any], on_token: Callable[[str], None]) -> Reply:
    import openai

    content: list[str] = []
    reasoning: list[str] = []
    field_name: str | None = None
    shown = ThinkFilter()
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
                    if delta is None:
                        continue
                    name, thought = _reasoning_of(delta)
                    if name:
                        field_name = field_name or name
                        reasoning.append(thought)
                    text = getattr(delta, "content", None)
                    if text:
                        content.append(text)
                        visible = shown.feed(text)
                        if visible:
                            on_token(visible)
                    for part in getattr(delta, "tool_calls", None) or []:
                        calls.feed(part)
                    if getattr(choice, "finish_reason", None):
                        finish = choice.finish_reason
        rest = shown.flush()
        if rest:
            on_token(rest)
    except KeyboardInterrupt as exc:
        exc.partial_reply = split_think("".join(content))[0]  # type: ignore[attr-defined]
        raise
    except openai.APIError as exc:
        if started and not isinstance(exc, openai.APIStatusError):
            raise ReplyBrokeOff(BROKE_OFF, split_think("".join(content))[0]) from exc
        exc._journal_started = started  # type: ignore[attr-defined]
        raise
    if finish is None:
        raise ReplyBrokeOff(BROKE_OFF, split_think("".join(content))[0])
    return _reply("".join(content), calls.calls(), usage, finish, field_name, "".join(reasoning))
