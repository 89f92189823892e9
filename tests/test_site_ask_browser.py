"""The Ask page in a real headless browser (Debian's chromium driven by Playwright).

* On a static host (the built site served as files) the page says it needs ``journal serve``.
* Against a Letta event stream written out here, event by event with pauses (the page's
  own contract: Letta's message objects over server-sent events), the steps appear one
  after the other before the answer, model text that looks like HTML stays text, a busy
  agent's 409 is shown, and a citation opens the post.
* Against a real ``journal serve`` with the scripted model (tests/support/openai_server.py):
  ask, see the tool call and its result, follow the citation to the post.

Never downloads a browser: skips with the reason when ``/usr/bin/chromium`` or the
playwright package is missing (see test_site_browser.py).
"""

from __future__ import annotations

import functools
import json
import os
import socket
import subprocess
import sys
import threading
import time
from http.server import SimpleHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import pytest

from tests.test_site_browser import CHROMIUM, _browser_missing

pytestmark = [pytest.mark.slow,
              pytest.mark.skipif(_browser_missing() is not None, reason=_browser_missing() or "")]

SEED_PATH = "notes/Momentum Learning Day 2.markdown"
HOSTILE = "<img src=x onerror=alert(1)>"


def _launch(pw):
    return pw.chromium.launch(executable_path=CHROMIUM, headless=True, args=["--no-sandbox"])


def _serve(handler) -> tuple[ThreadingHTTPServer, str]:
    server = ThreadingHTTPServer(("127.0.0.1", 0), handler)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    return server, f"http://127.0.0.1:{server.server_address[1]}/"


@pytest.fixture(scope="module")
def site(tmp_path_factory, embedding_server):
    """(journal root, built site folder): the seed note and two TIL notes, ingested, with the Ask page."""
    from journal_agent.site.build import build_site
    from journal_agent.workspace import open_journal
    from tests.support.openai_server import copy_seeded_journal

    root = copy_seeded_journal(tmp_path_factory.mktemp("ask-site") / "journal", embedding_server.base_url)
    report = build_site(open_journal(root=root))
    assert (report.output_dir / "ask" / "index.html").is_file()
    return root, report.output_dir


class _Files(SimpleHTTPRequestHandler):
    def log_message(self, *args):
        pass


def test_static_host_says_it_needs_journal_serve(site):
    from playwright.sync_api import sync_playwright

    _, public = site
    server, base = _serve(functools.partial(_Files, directory=str(public)))
    try:
        with sync_playwright() as pw:
            browser = _launch(pw)
            try:
                page = browser.new_page()
                page.goto(base + "ask/")
                page.wait_for_selector('#journal-ask[data-ready="offline"]', timeout=20_000)
                notice = page.locator("#journal-ask-offline")
                assert notice.is_visible()
                assert "Asking needs journal serve" in notice.inner_text()
                assert "journal serve" in notice.inner_text() and "127.0.0.1:8283/ask/" in notice.inner_text()
                assert not page.locator("#journal-ask-form").is_visible()
            finally:
                browser.close()
    finally:
        server.shutdown()
        server.server_close()


# -- a Letta stream, event by event ------------------------------------------------------------------

STREAM = [
    {"id": "message-1", "message_type": "reasoning_message", "reasoning": "The learner asks about a course; "},
    {"id": "message-1", "message_type": "reasoning_message", "reasoning": f"search the notes. {HOSTILE}"},
    {"id": "message-1", "message_type": "tool_call_message",
     "tool_call": {"name": "archival_memory_search", "arguments": json.dumps({"query": "agent memory course"}),
                   "tool_call_id": "call-1"}},
    {"id": "message-2", "message_type": "tool_return_message", "tool_return": f"1. Momentum Learning Day 2 {HOSTILE}",
     "status": "success", "tool_call_id": "call-1"},
    {"id": "message-3", "message_type": "assistant_message", "content": "You wrote about this in "},
    {"id": "message-3", "message_type": "assistant_message",
     "content": f"\"Momentum Learning Day 2\" (2025-09-18, `{SEED_PATH}`). {HOSTILE}"},
    {"message_type": "stop_reason", "stop_reason": "end_turn"},
    {"message_type": "usage_statistics", "completion_tokens": 20, "prompt_tokens": 300, "total_tokens": 320,
     "step_count": 2},
]


def _letta_handler(public: Path, pause: threading.Event, busy: list[bool], token: str | None = None,
                   stream: list[dict] = STREAM):
    class Handler(_Files):
        def __init__(self, *args, **kwargs):
            super().__init__(*args, directory=str(public), **kwargs)

        def _refused(self) -> bool:
            if token and self.headers.get("Authorization") != f"Bearer {token}":
                self._json(401, {"detail": "this server needs its token: Authorization: Bearer <token>"})
                return True
            return False

        def do_GET(self):
            if self.path.startswith("/v1/agents"):
                if self._refused():
                    return None
                return self._json(200, [{"id": "agent-journal", "name": "journal"},
                                        {"id": "agent-coach", "name": "coach"}] if token else
                                  [{"id": "agent-journal", "name": "journal"}])
            return super().do_GET()

        def do_POST(self):
            body = json.loads(self.rfile.read(int(self.headers.get("Content-Length") or 0)))
            if self._refused():
                return None
            assert body == {"messages": [{"role": "user", "content": body["messages"][0]["content"]}]}
            if self.path != "/v1/agents/agent-journal/messages/stream":
                return self._json(404, {"detail": "not found"})
            if busy and busy.pop():
                return self._json(409, {"detail": "agent-journal is already answering a message"})
            self.send_response(200)
            self.send_header("Content-Type", "text/event-stream")
            self.send_header("Cache-Control", "no-cache")
            self.end_headers()
            for number, event in enumerate(stream):
                if number == 4:  # the steps are out, the answer is not: the test looks now
                    pause.wait(20)
                self.wfile.write(f"data: {json.dumps(event)}\n\n".encode())
                self.wfile.flush()
            self.wfile.write(b"data: [DONE]\n\n")
            self.wfile.flush()

        def _json(self, status, payload):
            data = json.dumps(payload).encode()
            self.send_response(status)
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", str(len(data)))
            self.end_headers()
            self.wfile.write(data)

    return Handler


def test_steps_appear_as_they_stream_and_the_citation_opens_the_post(site, tmp_path):
    from playwright.sync_api import sync_playwright

    _, public = site
    pause, busy = threading.Event(), [True]
    server, base = _serve(_letta_handler(public, pause, busy))
    dialogs: list[str] = []
    try:
        with sync_playwright() as pw:
            browser = _launch(pw)
            try:
                page = browser.new_page(viewport={"width": 1280, "height": 900})
                page.on("dialog", lambda dialog: (dialogs.append(dialog.message), dialog.dismiss()))
                page.goto(base + "ask/")
                page.wait_for_selector('#journal-ask[data-ready="true"]', timeout=20_000)
                assert not page.locator("#journal-ask-offline").is_visible()
                page.fill("#journal-ask-question", "Which course did I start?")
                page.click("#journal-ask-submit")  # the first question meets a busy agent
                page.wait_for_selector("#journal-ask-steps .failure", timeout=20_000)
                assert "already answering" in page.inner_text("#journal-ask-steps")

                page.click("#journal-ask-submit")
                tool_result = page.locator("#journal-ask-steps details.success")
                tool_result.wait_for(state="attached", timeout=20_000)
                titles = page.locator("#journal-ask-steps .admonition-title, #journal-ask-steps summary")
                assert titles.all_inner_texts() == ["Reasoning", "Tool call · archival_memory_search",
                                                    "Tool result"]
                reasoning = page.locator('#journal-ask-steps [data-step="note"] .journal-ask__text').inner_text()
                assert reasoning == f"The learner asks about a course; search the notes. {HOSTILE}"
                assert '"query": "agent memory course"' in page.inner_text("#journal-ask-steps .abstract")
                assert page.inner_text("#journal-ask-answer") == "", "no answer before the model wrote it"
                assert page.locator("#journal-ask-submit").is_disabled()
                pause.set()

                sources = page.locator("#journal-ask-answer .journal-ask__sources")
                sources.wait_for(timeout=20_000)
                answer = page.inner_text("#journal-ask-answer .journal-ask__reply")
                assert answer == (f"You wrote about this in \"Momentum Learning Day 2\" (2025-09-18, "
                                  f"`{SEED_PATH}`). {HOSTILE}")
                assert page.locator("#journal-ask-answer img").count() == 0, "model text is never HTML"
                assert page.locator("#journal-ask-steps img").count() == 0
                links = page.locator("#journal-ask-answer .journal-ask__reply a")
                assert links.all_inner_texts() == ["Momentum Learning Day 2", SEED_PATH]
                assert page.inner_text("#journal-ask-status") == "Done · 2 steps · 320 tokens"
                page.screenshot(path=str(tmp_path / "ask.png"), full_page=True)

                links.first.click()
                page.wait_for_url("**/day-2/", timeout=20_000)
                assert page.locator("article h1").first.inner_text() == "Momentum Learning Day 2"
            finally:
                browser.close()
    finally:
        pause.set()
        server.shutdown()
        server.server_close()
    assert dialogs == []
    assert (tmp_path / "ask.png").stat().st_size > 10_000


def test_a_cited_entry_links_to_its_anchor_as_the_server_says(site):
    """The server's ``url`` of a source (site/links.py ``cited_url``, the chat endpoint's link too) is followed,
    so a cited entry opens at its heading; a ``url`` that is not the note's post is ignored."""
    from playwright.sync_api import sync_playwright

    _, public = site
    anchor = "book-part"  # the seed note's "## Book part" heading, as MkDocs' toc names it
    assert f'id="{anchor}"' in (public / "day-2" / "index.html").read_text(encoding="utf-8")
    stop = {"message_type": "stop_reason", "stop_reason": "end_turn",
            "sources": [{"path": SEED_PATH, "anchor": anchor, "url": f"day-2/#{anchor}"}]}
    foreign = {**stop, "sources": [{"path": SEED_PATH, "anchor": "", "url": "https://evil.example/"}]}
    pause = threading.Event()
    pause.set()
    for last, expected in ((stop, f"day-2/#{anchor}"), (foreign, "day-2/")):
        stream = [e if e["message_type"] != "stop_reason" else last for e in STREAM]
        server, base = _serve(_letta_handler(public, pause, [], stream=stream))
        try:
            with sync_playwright() as pw:
                browser = _launch(pw)
                try:
                    page = browser.new_page()
                    page.goto(base + "ask/")
                    page.wait_for_selector('#journal-ask[data-ready="true"]', timeout=20_000)
                    page.fill("#journal-ask-question", "Which course did I start?")
                    page.click("#journal-ask-submit")
                    page.locator("#journal-ask-answer .journal-ask__sources").wait_for(timeout=20_000)
                    hrefs = page.locator("#journal-ask-answer a").evaluate_all("els => els.map(a => a.href)")
                    assert hrefs and set(hrefs) == {base + expected}
                    page.locator("#journal-ask-answer .journal-ask__sources a").first.click()
                    page.wait_for_url(base + expected, timeout=20_000)
                finally:
                    browser.close()
        finally:
            server.shutdown()
            server.server_close()


def test_a_server_with_a_token_asks_for_it(site):
    """A server bound beyond 127.0.0.1 needs its bearer token: the page asks for it, then sends it."""
    from playwright.sync_api import sync_playwright

    _, public = site
    pause = threading.Event()
    pause.set()
    server, base = _serve(_letta_handler(public, pause, [], token="s3cret"))
    try:
        with sync_playwright() as pw:
            browser = _launch(pw)
            try:
                page = browser.new_page()
                page.goto(base + "ask/")
                page.locator("#journal-ask-token").wait_for(timeout=20_000)
                assert "needs its token" in page.inner_text("#journal-ask-problem")
                page.fill("#journal-ask-token", "s3cret")
                page.click("#journal-ask-submit")
                page.wait_for_selector('#journal-ask[data-ready="true"]', timeout=20_000)
                assert not page.locator("#journal-ask-token").is_visible()
                agents = page.locator("#journal-ask-agent")
                assert agents.is_visible() and agents.input_value() == "agent-journal", "two agents: a choice"
                page.fill("#journal-ask-question", "Which course did I start?")
                page.click("#journal-ask-submit")
                page.locator("#journal-ask-answer .journal-ask__sources").wait_for(timeout=20_000)
                assert "Momentum Learning Day 2" in page.inner_text("#journal-ask-answer")
            finally:
                browser.close()
    finally:
        server.shutdown()
        server.server_close()


# -- against `journal serve` --------------------------------------------------------------------------


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def _wait_for(url: str, process: subprocess.Popen, seconds: float = 60) -> None:
    import urllib.error
    import urllib.request

    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise AssertionError(f"journal serve exited: {process.stderr.read() if process.stderr else ''}")
        try:
            with urllib.request.urlopen(url, timeout=2):
                return
        except (urllib.error.URLError, OSError):
            time.sleep(0.2)
    raise AssertionError(f"journal serve did not answer {url}")


def test_ask_journal_serve_and_follow_the_citation(site, tmp_path):
    from playwright.sync_api import sync_playwright

    from tests.support.openai_server import FakeOpenAI, rule_responder

    root, _ = site
    port = _free_port()
    answer_now = threading.Event()

    def model_script(body):
        """The rule-driven model, whose answer (the reply after the tool result) waits for the test."""
        if body.get("tools") and body["messages"][-1]["role"] == "tool":
            answer_now.wait(30)
        return rule_responder(body)

    with FakeOpenAI(model_script) as model:
        env = {**os.environ, "OPENAI_BASE_URL": model.base_url, "OPENAI_API_KEY": "sk-test-dummy"}
        process = subprocess.Popen([sys.executable, "-m", "journal_agent.cli", "--root", str(root), "serve",
                                    "--port", str(port)], env=env, stdout=subprocess.DEVNULL,
                                   stderr=subprocess.PIPE, text=True)
        base = f"http://127.0.0.1:{port}/"
        try:
            _wait_for(base + "v1/agents/", process)
            with sync_playwright() as pw:
                browser = _launch(pw)
                try:
                    page = browser.new_page(viewport={"width": 1280, "height": 900})
                    page.goto(base + "ask/")
                    page.wait_for_selector('#journal-ask[data-ready="true"]', timeout=20_000)
                    page.fill("#journal-ask-question", "Which course did I start to learn about agent memory?")
                    page.click("#journal-ask-submit")
                    page.locator("#journal-ask-steps details.success").first.wait_for(timeout=30_000)
                    assert "archival_memory_search" in page.inner_text("#journal-ask-steps .abstract")
                    assert page.inner_text("#journal-ask-answer") == "", "the steps are shown while the turn runs"
                    answer_now.set()
                    page.locator("#journal-ask-answer .journal-ask__sources").wait_for(timeout=30_000)
                    tool_result = page.locator("#journal-ask-steps details.success").first.text_content() or ""
                    assert "Momentum Learning Day 2" in tool_result
                    answer = page.inner_text("#journal-ask-answer .journal-ask__reply")
                    assert answer == f'You wrote about this in "Momentum Learning Day 2" (2025-09-18, `{SEED_PATH}`).'
                    page.screenshot(path=str(tmp_path / "ask-serve.png"), full_page=True)
                    page.locator("#journal-ask-answer .journal-ask__reply a").first.click()
                    page.wait_for_url("**/day-2/", timeout=20_000)
                    assert page.locator("article h1").first.inner_text() == "Momentum Learning Day 2"
                finally:
                    browser.close()
        finally:
            answer_now.set()
            process.terminate()
            try:
                process.wait(timeout=20)
            except subprocess.TimeoutExpired:
                process.kill()
                process.wait()
    assert model.requests, "the question reached the model"
