"""A strict OpenAI-compatible HTTP server on 127.0.0.1 for tests and benchmarks.

Speaks ``POST /v1/chat/completions`` (plain JSON, and Server-Sent Events when
the request has ``stream: true``) and ``POST /v1/embeddings``. Replies come
from a script (a queue of replies, each a dict or a callable taking the
request) and, when the script is empty, from a responder function. Every chat
request body is recorded in ``server.requests``, every embeddings request in
``server.embedding_requests``.

Strict by default, like the OpenAI API: a request whose ``tool`` messages do
not answer a preceding assistant ``tool_calls`` id, or whose tool calls are
left without results, is refused with the 400 OpenAI sends ("Invalid
parameter: messages with role 'tool' must be a response to a preceeding
message with 'tool_calls'."). ``/v1/embeddings`` honours
``encoding_format: "base64"`` (float32 little-endian, what the openai SDK asks
for by default).

**Modes** (``FakeOpenAI(modes=[...])``) reproduce what real servers send; each
names its source:

``index-zero``
    Streamed parallel tool calls all carry ``index: 0``, each call whole in one
    chunk (ollama/ollama#15457; vercel/ai#14277, BerriAI/litellm#33678).
``no-index``
    Streamed tool calls carry no ``index`` at all (ollama/ollama#7881).
``name-every-delta``
    The function name is repeated in every streamed delta of a call
    (NousResearch/hermes-agent#11984: MiniMax via NVIDIA NIM;
    open-webui/open-webui#22177).
``empty-ids``
    Tool-call ids are ``""`` (ggml-org/llama.cpp#11992, fixed by #12292;
    lmstudio-ai/lmstudio-bug-tracker#830; Gemini's OpenAI-compatible endpoint).
``object-arguments``
    ``function.arguments`` is a JSON object, not a string
    (BerriAI/litellm#37792: Ollama's native chat through a proxy).
``alternation``
    The chat template of Mistral/Gemma models served by vLLM: after the optional
    system message, roles must alternate user/assistant (tool calls and their
    results skipped); otherwise 400 "After the optional system message,
    conversation roles must alternate user/assistant/user/assistant/..."
    (vllm-project/vllm#6862; the Mistral-7B-Instruct-v0.3 template; google/adk-python#1373).
``no-tools``
    A request with ``tools`` gets Ollama's 400 "<model> does not support tools"
    (ollama/ollama#6027, #5793, #14795).
``deepseek-thinking``
    DeepSeek's thinking mode (api-docs.deepseek.com, "Thinking mode", tool calls):
    every reply carries ``reasoning_content``; an assistant message with
    ``tool_calls`` sent back without a ``reasoning_content`` field gets the 400
    "Missing reasoning_content field in the assistant message at message index N"
    (anomalyco/opencode#9397).
``gemini-signatures``
    Gemini 3 on its OpenAI-compatible endpoint (ai.google.dev, "Thought
    signatures"): the first tool call of each reply carries
    ``extra_content.google.thought_signature``; in the current turn (after the
    last user message) a call sent back without the signature it was given gets
    the 400 "Function call is missing a thought_signature in functionCall parts",
    in Gemini's JSON-list error body (continuedev/continue#8865, gemini-cli#6678).
``completion-tokens``
    OpenAI reasoning models (o-series, gpt-5) refuse ``max_tokens``: 400
    "Unsupported parameter: 'max_tokens' is not supported with this model. Use
    'max_completion_tokens' instead." (OpenAI reasoning guide; gollm#33, opencode#37964).
``mistral-ids``
    Mistral refuses tool-call ids that are not 9 alphanumerics: 400 "Tool call id
    was X but must be a-z, A-Z, 0-9, with a length of 9." (magentic#276, gptel#1203),
    and message fields it does not know (``reasoning_content``, ``extra_content``):
    422 "Extra inputs are not permitted" (its request models forbid extras).

``context_window=N`` with ``context_style`` ``"openai"``, ``"vllm"`` or
``"llamacpp"`` refuses prompts over ``N`` tokens with that server's 400:
OpenAI's ``context_length_exceeded`` ("This model's maximum context length is
N tokens. However, your messages resulted in M tokens."; mckaywrigley/chatbot-ui#102,
crewAIInc/crewAI-examples#121), vLLM's top-level error object ("... However, you
requested M tokens (P in the messages, C in the completion)"; vllm-project/vllm#20409)
and llama.cpp's ``exceed_context_size_error`` with ``n_prompt_tokens`` and
``n_ctx`` (ggml-org/llama.cpp#15780). ``"ollama"`` refuses nothing: like Ollama at its
``num_ctx`` (docs, "Context length": the ``/v1`` endpoint ignores options; default
4096), it silently drops the oldest messages after the system message until the
prompt fits and reports the smaller ``usage.prompt_tokens``; ``server.truncated``
records how many messages each request lost. The server counts tokens its own way
(about 4 characters per token), as a real server's tokenizer differs from ours.

**Per-reply behaviours** (reply helpers): :func:`cut_off` (``finish_reason:
"length"``, max-tokens truncation), :func:`broken` (a stream that stops with
no finish reason and no ``[DONE]``; can1357/oh-my-pi#9433, ENTERPILOT/GoModel#1017),
:func:`hang` (a server that accepts the request and sends nothing; the openai
SDK's default is a 600 s timeout and 2 retries), :func:`malformed` (a 200 whose
body is not a chat completion), :func:`echo_key_error` (a proxy error quoting
the caller's API key; nyroway/nyro#67, BerriAI/litellm#39757), and
``call(..., content=...)`` (content beside a tool call, then often an empty final
message; nornscode/norns#2, sipeed/picoclaw#2099).

The only fake in the agent tests: the agent, the SDK and the CLI run for real.
"""

from __future__ import annotations

import base64
import functools
import json
import math
import re
import struct
import threading
import time
from collections.abc import Callable, Iterable
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any, Literal

Mode = Literal["index-zero", "no-index", "name-every-delta", "empty-ids", "object-arguments",
               "alternation", "no-tools", "deepseek-thinking", "gemini-signatures", "completion-tokens",
               "mistral-ids"]
MODES: tuple[str, ...] = ("index-zero", "no-index", "name-every-delta", "empty-ids", "object-arguments",
                          "alternation", "no-tools", "deepseek-thinking", "gemini-signatures",
                          "completion-tokens", "mistral-ids")
DEEPSEEK_MISSING = ("Missing reasoning_content field in the assistant message at message index {index}. For more "
                    "information, please refer to https://api-docs.deepseek.com/guides/thinking_mode#tool-calls")
GEMINI_MISSING = ("Function call is missing a thought_signature in functionCall parts. This is required for tools "
                  "to work correctly, and missing thought_signature may lead to degraded model performance. "
                  "Additional data, function call `default_api:{name}`, position {position}. Please refer to "
                  "https://ai.google.dev/gemini-api/docs/thought-signatures for more details.")
MAX_TOKENS_REFUSED = ("Unsupported parameter: 'max_tokens' is not supported with this model. "
                      "Use 'max_completion_tokens' instead.")
MISTRAL_ID = "Tool call id was {id} but must be a-z, A-Z, 0-9, with a length of 9."
ContextStyle = Literal["openai", "vllm", "llamacpp", "ollama"]

# OpenAI's 400 for a tool message that answers no preceding tool call (the typo is OpenAI's).
UNPAIRED_TOOL = ("Invalid parameter: messages with role 'tool' must be a response to a preceeding "
                 "message with 'tool_calls'.")
MISSING_RESULTS = ("An assistant message with 'tool_calls' must be followed by tool messages responding "
                   "to each 'tool_call_id'. The following tool_call_ids did not have response messages: {ids}")
ALTERNATION = "After the optional system message, conversation roles must alternate user/assistant/user/assistant/..."


def text(content: str, *, finish_reason: str | None = None) -> dict[str, Any]:
    """A reply with text only (a final answer)."""
    reply: dict[str, Any] = {"content": content}
    if finish_reason:
        reply["finish_reason"] = finish_reason
    return reply


def call(name: str, arguments: dict[str, Any] | str, *, id: str | None = None,
         content: str = "") -> dict[str, Any]:
    """A reply with one tool call; ``arguments`` may be raw text (e.g. malformed JSON).

    ``content`` is text sent beside the call (some models answer and call a tool at once).
    """
    raw = arguments if isinstance(arguments, str) else json.dumps(arguments)
    return {"content": content, "tool_calls": [{"id": id, "name": name, "arguments": raw}]}


def calls(*replies: dict[str, Any]) -> dict[str, Any]:
    """One reply with several tool calls (parallel function calling)."""
    return {"content": "".join(r.get("content") or "" for r in replies),
            "tool_calls": [c for r in replies for c in r["tool_calls"]]}


def error(status: int, message: str, **fields: Any) -> dict[str, Any]:
    """An HTTP error reply in the OpenAI error shape (``fields`` go into the error object)."""
    return {"status": status, "message": message, "fields": fields}


def raw_error(status: int, body: Any, headers: dict[str, str] | None = None) -> dict[str, Any]:
    """An HTTP error with any JSON ``body`` (a list for Gemini, a string for LM Studio) and ``headers``
    (``Retry-After``, ``retry-after-ms``)."""
    return {"raw_status": status, "body": body, "headers": dict(headers or {})}


def reasoned(content: str, reasoning: str, *, field: str = "reasoning_content", **reply: Any) -> dict[str, Any]:
    """A reply with reasoning in a field of its own (``reasoning_content``: DeepSeek, vLLM, llama.cpp;
    ``reasoning``: Ollama, OpenRouter); ``reply`` may add ``tool_calls`` or ``finish_reason``."""
    return {"content": content, "reasoning": reasoning, "reasoning_field": field, **reply}


def cut_off(content: str) -> dict[str, Any]:
    """A reply cut by the token limit: ``finish_reason: "length"`` (OpenAI API reference, chat object)."""
    return text(content, finish_reason="length")


def broken(content: str) -> dict[str, Any]:
    """Streamed: some content, then the connection closes with no finish reason and no ``[DONE]``.

    Not streamed: the body stops mid-JSON (a proxy that drops the connection).
    """
    return {"content": content, "break_off": True}


def hang(seconds: float = 30.0) -> dict[str, Any]:
    """Accept the request and send nothing for ``seconds`` (a stuck server or a model still loading)."""
    return {"hang": seconds}


def malformed(body: str = "<html><body>502 Bad Gateway</body></html>",
              content_type: str = "application/json") -> dict[str, Any]:
    """A 200 whose body is not a chat completion (a captive portal, a misconfigured proxy)."""
    return {"raw": body, "content_type": content_type}


def echo_key_error(status: int = 502) -> dict[str, Any]:
    """A proxy error that quotes the caller's ``Authorization`` header back (nyroway/nyro#67)."""
    return {"echo_key": status}


class FakeOpenAI:
    """The server. Use as a context manager; ``base_url`` ends in ``/v1``.

    Args:
        responder: ``request body -> reply`` used when the script is empty.
        script: replies served first, in order.
        modes: server behaviours to reproduce (see the module docstring, :data:`MODES`).
        strict: refuse unpaired tool messages with OpenAI's 400 (default ``True``).
        context_window: refuse prompts over this many tokens (see ``context_style``).
        context_style: whose context-length 400 to send.
        chunk_chars: characters of content per streamed chunk.
        chunk_delay: seconds between streamed chunks.
        first_token_delay: seconds before the first streamed chunk (a model "thinking").
        embed_delay: seconds before each embeddings reply.
        embed_hold: ``input texts -> bool``: an embeddings request it is true for is held, unanswered, until
            :meth:`release_embeddings` (or the server stops); ``embed_held`` (a ``threading.Event``) is set
            when one is. A test that must interrupt a client mid-work waits on ``embed_held``, not on time.
    """

    def __init__(self, responder: Callable[[dict[str, Any]], dict[str, Any]] | None = None,
                 script: list | None = None, *, modes: Iterable[str] = (), strict: bool = True,
                 context_window: int | None = None, context_style: ContextStyle = "openai",
                 chunk_chars: int = 4, chunk_delay: float = 0.0, first_token_delay: float = 0.0,
                 embed_delay: float = 0.0, embed_hold: Callable[[list[str]], bool] | None = None, port: int = 0):
        unknown = set(modes) - set(MODES)
        if unknown:
            raise ValueError(f"unknown modes {sorted(unknown)}; known: {', '.join(MODES)}")
        self.responder = responder
        self.script = list(script or [])
        self.modes = set(modes)
        self.strict = strict
        self.context_window = context_window
        self.context_style = context_style
        self.chunk_chars = chunk_chars
        self.chunk_delay = chunk_delay
        self.first_token_delay = first_token_delay
        self.embed_delay = embed_delay
        self.embed_hold = embed_hold
        self.embed_held = threading.Event()
        self._embed_release = threading.Event()
        self.requests: list[dict[str, Any]] = []
        self.headers: list[dict[str, str]] = []
        self.embedding_requests: list[dict[str, Any]] = []
        self.rejected: list[tuple[int, str]] = []  # (status, message) of every refused request
        self.signatures: set[str] = set()  # thought signatures given (gemini-signatures)
        self.truncated: list[int] = []  # messages dropped from each request (context_style="ollama")
        self._lock = threading.Lock()
        self._stopping = threading.Event()
        self._counter = 0
        server = self

        class Handler(BaseHTTPRequestHandler):
            def log_message(self, *args):  # quiet
                pass

            def do_POST(self):
                length = int(self.headers.get("Content-Length") or 0)
                body = json.loads(self.rfile.read(length) or b"{}")
                path = self.path.rstrip("/")
                if path.endswith("/embeddings"):
                    with server._lock:
                        server.embedding_requests.append(body)
                    if server.embed_delay:
                        time.sleep(server.embed_delay)
                    texts = body.get("input")
                    texts = [texts] if isinstance(texts, str) else list(texts or [])
                    if server.embed_hold and server.embed_hold(texts):
                        server.embed_held.set()
                        while not (server._embed_release.wait(0.05) or server._stopping.is_set()):
                            pass
                        if server._stopping.is_set():
                            return
                    try:
                        self._json(200, embeddings_response(body))
                    except (BrokenPipeError, ConnectionResetError):  # the client was killed while held
                        pass
                    return
                if not path.endswith("/chat/completions"):
                    self._json(404, {"error": {"message": f"no route {self.path}", "type": "not_found"}})
                    return
                with server._lock:
                    server.requests.append(body)
                    server.headers.append(dict(self.headers))
                    server._counter += 1
                    number = server._counter
                refusal = server._refusal(body)
                if refusal is not None:
                    status, payload = refusal
                    with server._lock:
                        server.rejected.append((status, _message_of(payload)))
                    self._json(status, payload)
                    return
                if server.context_window and server.context_style == "ollama":
                    body = server._truncate(body)
                with server._lock:
                    reply = server._next_reply(body)
                if "hang" in reply:
                    server._stopping.wait(reply["hang"])
                    return
                if "raw_status" in reply:
                    self._json(reply["raw_status"], reply["body"], reply["headers"])
                    return
                if "status" in reply:
                    self._json(reply["status"], {"error": {"message": reply["message"],
                                                           "type": "invalid_request_error",
                                                           "param": None, "code": None, **reply["fields"]}})
                    return
                if "echo_key" in reply:
                    auth = self.headers.get("Authorization", "")
                    self._json(reply["echo_key"], {"error": {
                        "message": f"upstream refused the request (sent {auth}); check the proxy configuration",
                        "type": "proxy_error"}})
                    return
                if "raw" in reply:
                    data = reply["raw"].encode()
                    self.send_response(200)
                    self.send_header("Content-Type", reply["content_type"])
                    self.send_header("Content-Length", str(len(data)))
                    self.end_headers()
                    self.wfile.write(data)
                    return
                if body.get("stream"):
                    self._stream(body, reply, number)
                elif reply.get("break_off"):
                    data = json.dumps(server._completion(body, reply, number)).encode()
                    self.send_response(200)
                    self.send_header("Content-Type", "application/json")
                    self.send_header("Content-Length", str(len(data)))
                    self.end_headers()
                    self.wfile.write(data[: len(data) // 2])
                    self.close_connection = True
                else:
                    self._json(200, server._completion(body, reply, number))

            def _json(self, status, payload, headers=None):
                data = json.dumps(payload).encode()
                self.send_response(status)
                self.send_header("Content-Type", "application/json")
                for name, value in (headers or {}).items():
                    self.send_header(name, value)
                self.send_header("Content-Length", str(len(data)))
                self.end_headers()
                self.wfile.write(data)

            def _stream(self, body, reply, number):
                self.send_response(200)
                self.send_header("Content-Type", "text/event-stream")
                self.send_header("Cache-Control", "no-cache")
                self.end_headers()
                if server.first_token_delay:
                    server._stopping.wait(server.first_token_delay)
                for chunk in server._chunks(body, reply, number):
                    self.wfile.write(f"data: {json.dumps(chunk)}\n\n".encode())
                    self.wfile.flush()
                    if server.chunk_delay:
                        time.sleep(server.chunk_delay)
                if reply.get("break_off"):
                    self.close_connection = True  # HTTP/1.0: the body ends when the connection closes
                    return
                self.wfile.write(b"data: [DONE]\n\n")
                self.wfile.flush()

        self._httpd = ThreadingHTTPServer(("127.0.0.1", port), Handler)
        self._httpd.daemon_threads = True
        self._thread = threading.Thread(target=self._httpd.serve_forever, kwargs={"poll_interval": 0.02}, daemon=True)

    # ------------------------------------------------------------ lifecycle
    @property
    def base_url(self) -> str:
        host, port = self._httpd.server_address[:2]
        return f"http://{host}:{port}/v1"

    def __enter__(self) -> FakeOpenAI:  # noqa: PYI034 - a test double, never subclassed
        self._thread.start()
        return self

    def __exit__(self, *exc) -> None:
        self._stopping.set()
        self._httpd.shutdown()
        self._httpd.server_close()

    def release_embeddings(self) -> None:
        """Answer the held embeddings requests (``embed_hold``) and every later one."""
        self.embed_hold = None
        self._embed_release.set()

    def push(self, *replies) -> None:
        """Queue replies (dicts or callables taking the request)."""
        with self._lock:
            self.script.extend(replies)

    @property
    def tool_requests(self) -> list[dict[str, Any]]:
        """Requests that carried tools (agent steps, not summaries)."""
        return [r for r in self.requests if r.get("tools")]

    # ------------------------------------------------------------ refusals
    def _refusal(self, body: dict[str, Any]) -> tuple[int, Any] | None:
        """The 400 a real server would send for this request, or ``None``."""
        messages = body.get("messages") or []
        if "no-tools" in self.modes and body.get("tools"):
            # ollama/ollama#6027: the OpenAI-compatible endpoint's shape.
            return 400, {"error": {"message": f"{body.get('model', 'model')} does not support tools",
                                   "type": "api_error", "param": None, "code": None}}
        if self.strict:
            problem = tool_pairing_problem(messages)
            if problem:
                return 400, {"error": {"message": problem, "type": "invalid_request_error",
                                       "param": "messages", "code": None}}
        if "completion-tokens" in self.modes and "max_tokens" in body:
            return 400, {"error": {"message": MAX_TOKENS_REFUSED, "type": "invalid_request_error",
                                   "param": "max_tokens", "code": "unsupported_parameter"}}
        if "mistral-ids" in self.modes:
            known = {"role", "content", "tool_calls", "tool_call_id", "name", "prefix"}
            for index, message in enumerate(messages):
                extra = sorted(set(message) - known) + sorted(
                    k for c in message.get("tool_calls") or [] for k in set(c) - {"id", "type", "function", "index"})
                if extra:
                    return 422, {"object": "error", "message": {"detail": [{
                        "type": "extra_forbidden", "loc": ["body", "messages", index, extra[0]],
                        "msg": "Extra inputs are not permitted"}]}, "type": "invalid_request_message_error",
                        "param": None, "code": None}
            for message in messages:
                ids = [c.get("id") for c in message.get("tool_calls") or []] + (
                    [message["tool_call_id"]] if message.get("role") == "tool" else [])
                bad = next((i for i in ids if not re.fullmatch(r"[A-Za-z0-9]{9}", str(i or ""))), None)
                if bad is not None:
                    return 400, {"object": "error", "message": MISTRAL_ID.format(id=bad),
                                 "type": "invalid_request_error", "param": None, "code": None}
        if "deepseek-thinking" in self.modes:
            for index, message in enumerate(messages):
                if message.get("role") == "assistant" and message.get("tool_calls") \
                        and not isinstance(message.get("reasoning_content"), str):
                    return 400, {"error": {"message": DEEPSEEK_MISSING.format(index=index),
                                           "type": "invalid_request_error", "param": None,
                                           "code": "invalid_request_error"}}
        if "gemini-signatures" in self.modes:
            last_user = max((i for i, m in enumerate(messages) if m.get("role") == "user"), default=-1)
            for index, message in enumerate(messages[last_user + 1:], start=last_user + 1):
                first = (message.get("tool_calls") or [None])[0] if message.get("role") == "assistant" else None
                signature = ((first or {}).get("extra_content") or {}).get("google", {}).get("thought_signature")
                if first is not None and signature not in self.signatures:
                    name = (first.get("function") or {}).get("name")
                    # Gemini's compatible endpoint sends its errors as a JSON list (gemini-cli#6678)
                    return 400, [{"error": {"code": 400, "message": GEMINI_MISSING.format(name=name, position=index),
                                            "status": "INVALID_ARGUMENT"}}]  # type: ignore[dict-item]
        if "alternation" in self.modes and not alternates(messages):
            # vLLM's error object is top-level (vllm-project/vllm#6862).
            return 400, {"object": "error", "message": ALTERNATION, "type": "BadRequestError",
                         "param": None, "code": 400}
        if self.context_window and self.context_style != "ollama":
            prompt = count_tokens(body)
            completion = int(body.get("max_tokens") or body.get("max_completion_tokens") or 0)
            window = self.context_window
            if self.context_style == "openai" and prompt > window:
                return 400, {"error": {
                    "message": f"This model's maximum context length is {window} tokens. However, your messages "
                               f"resulted in {prompt} tokens. Please reduce the length of the messages.",
                    "type": "invalid_request_error", "param": "messages", "code": "context_length_exceeded"}}
            if self.context_style == "vllm" and prompt + completion > window:
                return 400, {"object": "error", "message": (
                    f"This model's maximum context length is {window} tokens. However, you requested "
                    f"{prompt + completion} tokens ({prompt} in the messages, {completion} in the completion). "
                    "Please reduce the length of the messages or completion."),
                    "type": "BadRequestError", "param": None, "code": 400}
            if self.context_style == "llamacpp" and prompt > window:
                return 400, {"error": {
                    "code": 400, "message": "the request exceeds the available context size, try increasing it",
                    "type": "exceed_context_size_error", "n_prompt_tokens": prompt, "n_ctx": window}}
        return None

    def _truncate(self, body: dict[str, Any]) -> dict[str, Any]:
        """Ollama at ``num_ctx``: the oldest messages after the system message dropped until the prompt fits."""
        messages = list(body.get("messages") or [])
        keep_first = 1 if messages and messages[0].get("role") == "system" else 0
        dropped = 0
        while count_tokens(dict(body, messages=messages)) > (self.context_window or 0) \
                and len(messages) > keep_first + 1:
            del messages[keep_first]
            dropped += 1
        with self._lock:
            self.truncated.append(dropped)
        return dict(body, messages=messages)

    # -------------------------------------------------------------- replies
    def _next_reply(self, body):
        if self.script:
            item = self.script.pop(0)
            return item(body) if callable(item) else item
        if self.responder is not None:
            return self.responder(body)
        return text("(the fake server has no scripted reply left)")

    def _tool_calls(self, reply, number):
        out = []
        for index, tc in enumerate(reply.get("tool_calls") or []):
            call_id = "" if "empty-ids" in self.modes else (tc.get("id") or f"call_{number}_{index}")
            arguments: Any = tc["arguments"]
            if "object-arguments" in self.modes:
                try:
                    arguments = json.loads(arguments)
                except ValueError:
                    pass
            entry: dict[str, Any] = {"id": call_id, "type": "function",
                                     "function": {"name": tc["name"], "arguments": arguments}}
            if "gemini-signatures" in self.modes and index == 0:  # only the first call of a step carries one
                signature = f"sig-{number}-{index}"
                self.signatures.add(signature)
                entry["extra_content"] = {"google": {"thought_signature": signature}}
            out.append(entry)
        return out

    def _reasoning(self, reply, number) -> tuple[str, str] | None:
        """``(field, text)`` of a reply's reasoning; every reply reasons in ``deepseek-thinking`` mode."""
        if "reasoning" in reply:
            return reply.get("reasoning_field", "reasoning_content"), reply["reasoning"]
        if "deepseek-thinking" in self.modes:
            return "reasoning_content", f"Reasoning for request {number}."
        return None

    def _finish(self, reply, tool_calls) -> str:
        return reply.get("finish_reason") or ("tool_calls" if tool_calls else "stop")

    def _completion(self, body, reply, number):
        tool_calls = self._tool_calls(reply, number)
        message = {"role": "assistant", "content": reply.get("content") or None}
        if tool_calls:
            message["tool_calls"] = tool_calls
        reasoning = self._reasoning(reply, number)
        if reasoning:
            message[reasoning[0]] = reasoning[1]
        prompt = count_tokens(body)
        completion = max(1, math.ceil(len(reply.get("content") or "") / 4))
        return {
            "id": f"chatcmpl-fake-{number}", "object": "chat.completion", "created": int(time.time()),
            "model": body.get("model", "fake"),
            "choices": [{"index": 0, "message": message, "finish_reason": self._finish(reply, tool_calls)}],
            "usage": {"prompt_tokens": prompt, "completion_tokens": completion, "total_tokens": prompt + completion},
        }

    def _chunks(self, body, reply, number):
        base = {"id": f"chatcmpl-fake-{number}", "object": "chat.completion.chunk",
                "created": int(time.time()), "model": body.get("model", "fake")}

        def chunk(delta, finish=None):
            return dict(base, choices=[{"index": 0, "delta": delta, "finish_reason": finish}])

        yield chunk({"role": "assistant", "content": ""})
        reasoning = self._reasoning(reply, number)
        if reasoning:
            for start in range(0, len(reasoning[1]), self.chunk_chars):
                yield chunk({reasoning[0]: reasoning[1][start:start + self.chunk_chars]})
        content = reply.get("content") or ""
        for start in range(0, len(content), self.chunk_chars):
            yield chunk({"content": content[start:start + self.chunk_chars]})
        tool_calls = self._tool_calls(reply, number)
        whole = self.modes & {"index-zero", "no-index", "object-arguments"}
        for index, tc in enumerate(tool_calls):
            fn = tc["function"]
            if whole:  # Ollama sends each call whole, in one chunk
                part: dict[str, Any] = {"id": tc["id"], "type": "function", "function": dict(fn)}
                if "extra_content" in tc:
                    part["extra_content"] = tc["extra_content"]
                if "no-index" not in self.modes:
                    part["index"] = 0 if "index-zero" in self.modes else index
                yield chunk({"tool_calls": [part]})
                continue
            first: dict[str, Any] = {"index": index, "id": tc["id"], "type": "function",
                                     "function": {"name": fn["name"], "arguments": ""}}
            if "extra_content" in tc:  # Gemini streams the signature with the call's first delta
                first["extra_content"] = tc["extra_content"]
            yield chunk({"tool_calls": [first]})
            args = fn["arguments"] if isinstance(fn["arguments"], str) else json.dumps(fn["arguments"])
            for start in range(0, len(args), 7):
                piece: dict[str, Any] = {"index": index, "function": {"arguments": args[start:start + 7]}}
                if "name-every-delta" in self.modes:
                    piece["id"] = tc["id"]
                    piece["function"]["name"] = fn["name"]
                yield chunk({"tool_calls": [piece]})
        if not reply.get("break_off"):
            yield chunk({}, self._finish(reply, tool_calls))
            if (body.get("stream_options") or {}).get("include_usage"):  # OpenAI: a last chunk, no choices
                prompt = count_tokens(body)
                completion = max(1, math.ceil(len(content) / 4))
                yield dict(base, choices=[], usage={"prompt_tokens": prompt, "completion_tokens": completion,
                                                    "total_tokens": prompt + completion})


def _message_of(payload: Any) -> str:
    if isinstance(payload, list):
        payload = payload[0] if payload else {}
    inner = payload.get("error")
    return str(inner.get("message") if isinstance(inner, dict) else payload.get("message"))


def count_tokens(body: dict[str, Any]) -> int:
    """The server's own prompt-token count: about 4 characters per token of messages and tools."""
    size = len(json.dumps(body.get("messages") or [], ensure_ascii=False))
    size += len(json.dumps(body.get("tools") or [], ensure_ascii=False))
    return math.ceil(size / 4)


def tool_pairing_problem(messages: list[dict[str, Any]]) -> str | None:
    """OpenAI's check: every tool message answers an id of the preceding assistant ``tool_calls``,
    every call gets its result before the next other message, and no id is empty."""
    pending: list[str] = []
    for number, message in enumerate(messages):
        role = message.get("role")
        if role == "tool":
            call_id = message.get("tool_call_id")
            if call_id not in pending:
                return UNPAIRED_TOOL
            pending.remove(call_id)
            continue
        if pending:
            return MISSING_RESULTS.format(ids=", ".join(pending))
        if role == "assistant":
            for index, tc in enumerate(message.get("tool_calls") or []):
                if not tc.get("id"):
                    return (f"Invalid 'messages[{number}].tool_calls[{index}].id': empty string. Expected a "
                            "string with minimum length 1, but got an empty string instead.")
                pending.append(tc["id"])
    if pending:
        return MISSING_RESULTS.format(ids=", ".join(pending))
    return None


def alternates(messages: list[dict[str, Any]]) -> bool:
    """The Mistral-7B-Instruct-v0.3 chat template's check (as vLLM applies it).

    After an optional first system message, skipping tool results and assistant
    messages with tool calls, roles alternate user, assistant, user, ...
    starting with user; a system message anywhere else breaks it.
    """
    rest = messages[1:] if messages and messages[0].get("role") == "system" else messages
    position = 0
    for message in rest:
        role = message.get("role")
        if role == "tool" or (role == "assistant" and message.get("tool_calls")):
            continue
        if role not in ("user", "assistant"):
            return False
        if (role == "user") != (position % 2 == 0):
            return False
        position += 1
    return True


_STOP_WORDS = frozenset(
    "a an and are about as at be by did do does for from how i in is it me my of on or that "
    "the this to was what when where which who why with you".split())


def embeddings_response(body: dict[str, Any], dimension: int = 256) -> dict[str, Any]:
    """A /v1/embeddings reply: hashed bag-of-words vectors of crudely stemmed non-stop words.

    Texts sharing words are close; fast enough that tests do not need the MiniLM model.
    ``encoding_format: "base64"`` returns each vector as base64 of little-endian
    float32 values, as the OpenAI API does (the openai SDK asks for it by default).
    """
    import hashlib

    inputs = body["input"] if isinstance(body["input"], list) else [body["input"]]
    base64_format = body.get("encoding_format") == "base64"
    data = []
    for index, text in enumerate(inputs):
        vector = [0.0] * dimension
        for word in re.findall(r"[a-z0-9]+", text.lower()):
            if word in _STOP_WORDS:
                continue
            stem = re.sub(r"(?<=...)(?:ing|ed|es|s)$", "", word)  # learned ~ learn, layers ~ layer
            vector[int(hashlib.md5(stem.encode()).hexdigest(), 16) % dimension] += 1.0
        embedding: Any = vector
        if base64_format:
            embedding = base64.b64encode(struct.pack(f"<{dimension}f", *vector)).decode()
        data.append({"object": "embedding", "index": index, "embedding": embedding})
    return {"object": "list", "data": data, "model": body.get("model", "fake"),
            "usage": {"prompt_tokens": 0, "total_tokens": 0}}


# ------------------------------------------------------------------ rules
_RESULT_RE = re.compile(
    r'^\d+\. "(?P<title>[^"]+)" \| (?P<date>\d{4}-\d{2}-\d{2}) \| (?P<path>[^|\n]+?)(?: \||$)', re.MULTILINE)
_EVENT_NOTE_RE = re.compile(r'<note title="(?P<title>[^"]+)" date="(?P<date>\d{4}-\d{2}-\d{2})"')


TAIL_MARK = "\n\n<memory_metadata>"


def without_tail(content: str | None) -> str | None:
    """A message's content without the request tail the agent adds after the turn's opening message (the
    memory metadata and pressure alert; journal_agent.agent.context.with_tail)."""
    return content.split(TAIL_MARK)[0] if isinstance(content, str) else content


def tail_of(body: dict[str, Any]) -> str:
    """The request tail of a chat request ('' when none): memory metadata and pressure alert."""
    for message in body.get("messages") or []:
        content = message.get("content")
        if isinstance(content, str) and TAIL_MARK in content:
            return content.split(TAIL_MARK, 1)[1]
    return ""


def last_turn_message(body) -> dict[str, Any]:
    """The last message that is not a memory-pressure alert, without the request's tail (the memory
    metadata and pressure alert the agent adds after the turn's opening message)."""
    for message in reversed(body["messages"]):
        content = message.get("content") or ""
        if message["role"] == "user" and content.startswith("[system event] Memory pressure"):
            continue
        if isinstance(content, str) and TAIL_MARK in content:
            return dict(message, content=content.split(TAIL_MARK)[0])
        return message
    return body["messages"][-1]


def rule_responder(body: dict[str, Any]) -> dict[str, Any]:
    """A small rule-driven model reading the request's tools and messages.

    * no tools (a summarization request) → a one-paragraph summary;
    * a learner question → ``archival_memory_search`` with the question;
    * a ``[system event]`` listing new notes → ``core_memory_append`` to the learner block;
    * after tool results → a final answer citing the first note found (title, date, path);
    * a message from another agent (``[message from the coach agent; ...] text``) → searched like a question;
    * a request offering ``task_queue_push`` (the coach) → :func:`coach_rules`.
    """
    if not body.get("tools"):
        transcript = body["messages"][-1]["content"]
        return text("Summary: " + " ".join(transcript.split())[:300])
    if any(t["function"]["name"] == "task_queue_push" for t in body["tools"]):
        return coach_rules(body)
    last = last_turn_message(body)
    content = last.get("content") or ""
    if last["role"] == "user":
        if content.startswith("[message from the "):
            return call("archival_memory_search", {"query": content.split("] ", 1)[-1]})
        if content.startswith("[system event]"):
            notes = _EVENT_NOTE_RE.findall(content)
            if not notes:
                return text("Noted.")
            lines = "; ".join(f"{d}: {t}" for t, d in notes)
            return call("core_memory_append", {"label": "learner", "content": f"Learned ({lines})"})
        return call("archival_memory_search", {"query": content})
    if last["role"] == "tool":
        results = [m for m in body["messages"] if m["role"] == "tool"]
        found = _RESULT_RE.search(results[-1].get("content") or "")
        if found:
            return text(
                f"You wrote about this in \"{found['title']}\" ({found['date']}, `{found['path']}`)."
            )
        return text("Done: " + (results[-1].get("content") or "")[:200])
    return text("OK.")


_CITED_RE = re.compile(r'"(?P<title>[^"]+)" \((?P<date>\d{4}-\d{2}-\d{2}), `(?P<path>[^`]+)`\)')


def coach_rules(body: dict[str, Any]) -> dict[str, Any]:
    """The coach as a rule-driven model (the course's two-agent example, one step at a time).

    * a learner message → ``send_message_to_agent`` asking the journal agent which notes to review;
    * the journal agent's reply citing a note → ``core_memory_append`` to the shared learner block and
      ``task_queue_push`` of a review task for that note, in one reply (parallel calls);
    * after those → a final answer naming the task and the note (title, date, path).
    """
    last = last_turn_message(body)
    content = last.get("content") or ""
    if last["role"] == "user":
        if content.startswith("["):
            return text("Noted.")
        return call("send_message_to_agent",
                    {"agent": "journal", "message": f"Which note should I review for: {content}"})
    if last["role"] != "tool":
        return text("OK.")
    replies = [m.get("content") or "" for m in body["messages"] if m["role"] == "tool"
               and (m.get("content") or "").startswith("The journal agent replied")]
    found = _CITED_RE.search(replies[-1]) if replies else None
    called = [tc["function"]["name"] for m in body["messages"] if m["role"] == "assistant"
              for tc in m.get("tool_calls") or []]
    if not found:
        return text("The journal agent found no note to review yet: " + (last.get("content") or "")[:200])
    if called and called[-1] == "send_message_to_agent":
        planned = f"Next review planned: {found['title']} ({found['date']})"
        return calls(call("core_memory_append", {"label": "learner", "content": planned}),
                     call("task_queue_push", {"task": f"Review \"{found['title']}\" ({found['date']})"}))
    return text(f"Next up: review \"{found['title']}\" ({found['date']}, `{found['path']}`). "
                "It is first in your study queue.")


# ------------------------------------------------------------ test journals
# Two short TIL-style notes written for these tests (no front matter: title from the
# first heading, category from the folder), beside the learner's seed note.
SEED_TIL_NOTES = {
    "sqlite/vacuum-disk-full.md": (
        "# SQLite VACUUM needs free disk space\n\n"
        "Running `VACUUM` on a large SQLite database failed with a disk full error. VACUUM\n"
        "writes a complete copy of the database before replacing the original, so it needs\n"
        "as much free space as the database itself.\n\n"
        "```sql\nVACUUM INTO '/tmp/compact.db';\n```\n"
    ),
    "python/convert-to-utc-without-pytz.md": (
        "# Convert a datetime to UTC without pytz\n\n"
        "Since Python 3.9 the standard library's `zoneinfo` module replaces pytz.\n\n"
        "```python\nfrom zoneinfo import ZoneInfo\n"
        "local = dt.datetime(2021, 3, 1, 9, tzinfo=ZoneInfo('Europe/London'))\n"
        "utc = local.astimezone(dt.timezone.utc)\n```\n"
    ),
}


@functools.lru_cache(maxsize=2)
def seeded_template(embedding_base_url: str | None = None) -> Path:
    """A journal with the seed note and two short TIL notes, ingested once per process.

    Built with the real ingest, embedding through ``embedding_base_url`` (the
    hashed bag-of-words test server) or MiniLM when ``None``; tests copy it with
    :func:`copy_seeded_journal` so each test gets its own archive.
    """
    import shutil
    import tempfile

    from journal_agent.archive.ingest import ingest
    from journal_agent.workspace import open_journal
    from tests.support.journals import SEED, SEED_NAME, make_journal_dir, write

    root = make_journal_dir(Path(tempfile.mkdtemp(prefix="agent-template-")) / "journal",
                            embedding_base_url=embedding_base_url)
    shutil.copy2(SEED, root / "notes" / SEED_NAME)
    for rel, text in SEED_TIL_NOTES.items():
        write(root / "notes" / "til" / rel, text)
    report = ingest(open_journal(root=root))
    assert not report.failed, report.failed
    return root


def copy_seeded_journal(dest: Path, embedding_base_url: str | None = None) -> Path:
    """A fresh copy of :func:`seeded_template` at ``dest`` (archive included)."""
    import shutil

    shutil.copytree(seeded_template(embedding_base_url), dest)
    return dest


def main() -> None:
    """``python tests/fake_openai.py [PORT] [CHUNK_DELAY]``: serve :func:`rule_responder` until Ctrl-C."""
    import sys

    port = int(sys.argv[1]) if len(sys.argv) > 1 else 0
    delay = float(sys.argv[2]) if len(sys.argv) > 2 else 0.0
    with FakeOpenAI(rule_responder, port=port, chunk_delay=delay) as server:
        print(f"OPENAI_BASE_URL={server.base_url}", flush=True)
        try:
            threading.Event().wait()
        except KeyboardInterrupt:
            pass


if __name__ == "__main__":
    main()
