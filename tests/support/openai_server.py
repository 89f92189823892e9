"""A real OpenAI-compatible HTTP server on 127.0.0.1 for tests and benchmarks.

Speaks ``POST /v1/chat/completions``: plain JSON replies with ``tool_calls``,
and Server-Sent Events when the request has ``stream: true`` (content and
tool-call deltas, then ``[DONE]``), as the OpenAI API does. Replies come from
a script (a queue of replies, each a dict or a callable taking the request)
and, when the script is empty, from a responder function. Every request body
is recorded in ``server.requests``.

Reply dicts: ``text("...")``, ``call("tool", {...})`` (or raw argument text),
``calls(call(...), call(...))``, ``error(400, "message")``.

The only fake in the agent tests: the agent, the SDK and the CLI run for real.
"""

from __future__ import annotations

import functools
import json
import re
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any, Callable


def text(content: str) -> dict[str, Any]:
    """A reply with text only (a final answer)."""
    return {"content": content}


def call(name: str, arguments: dict[str, Any] | str, *, id: str | None = None,
         content: str = "") -> dict[str, Any]:
    """A reply with one tool call; ``arguments`` may be raw text (e.g. malformed JSON)."""
    raw = arguments if isinstance(arguments, str) else json.dumps(arguments)
    return {"content": content, "tool_calls": [{"id": id, "name": name, "arguments": raw}]}


def calls(*replies: dict[str, Any]) -> dict[str, Any]:
    """One reply with several tool calls (parallel function calling)."""
    return {"content": "", "tool_calls": [c for r in replies for c in r["tool_calls"]]}


def error(status: int, message: str) -> dict[str, Any]:
    """An HTTP error reply in the OpenAI error shape."""
    return {"status": status, "message": message}


class FakeOpenAI:
    """The server. Use as a context manager; ``base_url`` ends in ``/v1``."""

    def __init__(self, responder: Callable[[dict[str, Any]], dict[str, Any]] | None = None,
                 script: list | None = None, *, chunk_chars: int = 4, chunk_delay: float = 0.0,
                 embed_delay: float = 0.0, port: int = 0):
        self.responder = responder
        self.chunk_delay = chunk_delay
        self.embed_delay = embed_delay  # seconds each /v1/embeddings reply waits (slow-model tests)
        self.script = list(script or [])
        self.chunk_chars = chunk_chars
        self.requests: list[dict[str, Any]] = []
        self.headers: list[dict[str, str]] = []
        self._lock = threading.Lock()
        self._counter = 0
        server = self

        class Handler(BaseHTTPRequestHandler):
            def log_message(self, *args):  # quiet
                pass

            def do_POST(self):
                length = int(self.headers.get("Content-Length") or 0)
                body = json.loads(self.rfile.read(length) or b"{}")
                if self.path.rstrip("/").endswith("/embeddings"):
                    time.sleep(server.embed_delay)
                    self._json(200, embeddings_response(body))
                    return
                if not self.path.rstrip("/").endswith("/chat/completions"):
                    self._json(404, {"error": {"message": f"no route {self.path}", "type": "not_found"}})
                    return
                with server._lock:
                    server.requests.append(body)
                    server.headers.append(dict(self.headers))
                    server._counter += 1
                    number = server._counter
                    reply = server._next_reply(body)
                if "status" in reply:
                    self._json(reply["status"], {"error": {"message": reply["message"],
                                                           "type": "invalid_request_error"}})
                    return
                if body.get("stream"):
                    self._stream(body, reply, number)
                else:
                    self._json(200, server._completion(body, reply, number))

            def _json(self, status, payload):
                data = json.dumps(payload).encode()
                self.send_response(status)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(data)))
                self.end_headers()
                self.wfile.write(data)

            def _stream(self, body, reply, number):
                self.send_response(200)
                self.send_header("Content-Type", "text/event-stream")
                self.send_header("Cache-Control", "no-cache")
                self.end_headers()
                for chunk in server._chunks(body, reply, number):
                    self.wfile.write(f"data: {json.dumps(chunk)}\n\n".encode())
                    self.wfile.flush()
                    if server.chunk_delay:
                        time.sleep(server.chunk_delay)
                self.wfile.write(b"data: [DONE]\n\n")
                self.wfile.flush()

        self._httpd = ThreadingHTTPServer(("127.0.0.1", port), Handler)
        self._httpd.daemon_threads = True
        self._thread = threading.Thread(target=self._httpd.serve_forever, daemon=True)

    # ------------------------------------------------------------ lifecycle
    @property
    def base_url(self) -> str:
        host, port = self._httpd.server_address[:2]
        return f"http://{host}:{port}/v1"

    def __enter__(self) -> "FakeOpenAI":
        self._thread.start()
        return self

    def __exit__(self, *exc) -> None:
        self._httpd.shutdown()
        self._httpd.server_close()

    def push(self, *replies) -> None:
        """Queue replies (dicts or callables taking the request)."""
        with self._lock:
            self.script.extend(replies)

    @property
    def tool_requests(self) -> list[dict[str, Any]]:
        """Requests that carried tools (agent steps, not summaries)."""
        return [r for r in self.requests if r.get("tools")]

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
            out.append({"id": tc.get("id") or f"call_{number}_{index}", "type": "function",
                        "function": {"name": tc["name"], "arguments": tc["arguments"]}})
        return out

    def _completion(self, body, reply, number):
        tool_calls = self._tool_calls(reply, number)
        message = {"role": "assistant", "content": reply.get("content") or None}
        if tool_calls:
            message["tool_calls"] = tool_calls
        return {
            "id": f"chatcmpl-fake-{number}", "object": "chat.completion", "created": int(time.time()),
            "model": body.get("model", "fake"),
            "choices": [{"index": 0, "message": message,
                         "finish_reason": "tool_calls" if tool_calls else "stop"}],
            "usage": {"prompt_tokens": 0, "completion_tokens": 0, "total_tokens": 0},
        }

    def _chunks(self, body, reply, number):
        base = {"id": f"chatcmpl-fake-{number}", "object": "chat.completion.chunk",
                "created": int(time.time()), "model": body.get("model", "fake")}

        def chunk(delta, finish=None):
            return dict(base, choices=[{"index": 0, "delta": delta, "finish_reason": finish}])

        yield chunk({"role": "assistant", "content": ""})
        content = reply.get("content") or ""
        for start in range(0, len(content), self.chunk_chars):
            yield chunk({"content": content[start:start + self.chunk_chars]})
        tool_calls = self._tool_calls(reply, number)
        for index, tc in enumerate(tool_calls):
            yield chunk({"tool_calls": [{"index": index, "id": tc["id"], "type": "function",
                                         "function": {"name": tc["function"]["name"], "arguments": ""}}]})
            args = tc["function"]["arguments"]
            for start in range(0, len(args), 7):
                yield chunk({"tool_calls": [{"index": index, "function": {"arguments": args[start:start + 7]}}]})
        yield chunk({}, "tool_calls" if tool_calls else "stop")


_STOP_WORDS = frozenset(
    "a an and are about as at be by did do does for from how i in is it me my of on or that the "
    "this to was what when where which who why with you".split())


def embeddings_response(body: dict[str, Any], dimension: int = 256) -> dict[str, Any]:
    """A /v1/embeddings reply: hashed bag-of-words vectors of crudely stemmed non-stop words.

    Texts sharing words are close; fast enough that tests do not need the MiniLM model.
    """
    import hashlib

    inputs = body["input"] if isinstance(body["input"], list) else [body["input"]]
    data = []
    for index, text in enumerate(inputs):
        vector = [0.0] * dimension
        for word in re.findall(r"[a-z0-9]+", text.lower()):
            if word in _STOP_WORDS:
                continue
            stem = re.sub(r"(?<=...)(?:ing|ed|es|s)$", "", word)  # learned ~ learn, layers ~ layer
            vector[int(hashlib.md5(stem.encode()).hexdigest(), 16) % dimension] += 1.0
        data.append({"object": "embedding", "index": index, "embedding": vector})
    return {"object": "list", "data": data, "model": body.get("model", "fake"),
            "usage": {"prompt_tokens": 0, "total_tokens": 0}}


# ------------------------------------------------------------------ rules
_RESULT_RE = re.compile(
    r'^\d+\. "(?P<title>[^"]+)" \| (?P<date>\d{4}-\d{2}-\d{2}) \| (?P<path>[^|\n]+?)(?: \||$)', re.M)
_EVENT_NOTE_RE = re.compile(r'^- "(?P<title>[^"]+)" \((?P<date>\d{4}-\d{2}-\d{2})', re.M)


def last_turn_message(body) -> dict[str, Any]:
    """The last message that is not a memory-pressure alert."""
    for message in reversed(body["messages"]):
        content = message.get("content") or ""
        if message["role"] == "user" and "Memory pressure" in content:
            continue
        return message
    return body["messages"][-1]


def rule_responder(body: dict[str, Any]) -> dict[str, Any]:
    """A small rule-driven model reading the request's tools and messages.

    * no tools (a summarization request) → a one-paragraph summary;
    * a learner question → ``archival_memory_search`` with the question;
    * a ``[system event]`` listing new notes → ``core_memory_append`` to the learner block;
    * after tool results → a final answer citing the first note found (title, date, path).
    """
    if not body.get("tools"):
        transcript = body["messages"][-1]["content"]
        return text("Summary: " + " ".join(transcript.split())[:300])
    last = last_turn_message(body)
    content = last.get("content") or ""
    if last["role"] == "user":
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
