"""`journal search` through a running `journal serve` (issue 23, start-up).

A server announces itself in `.journal/serve.json` with a per-run local token; `journal search` asks it
and prints what the in-process search prints, private notes included as the local CLI includes them. A
stale or untrusted file, a refused connection or a token the server does not know leave the command to
search in its own process. The servers here are the real app on uvicorn in a thread (tests/support),
wrapped in a recorder that lists the paths asked, so a test sees which path answered.
"""

from __future__ import annotations

import json
import os
import socket
import subprocess
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import httpx
import pytest
from click.testing import CliRunner

from journal_agent.cli import main
from journal_agent.cli.search import SEARCH_PATH
from journal_agent.service.http import create_app
from journal_agent.service.local import LOCAL_HEADER, LocalServer, announce, running_server, serve_file
from journal_agent.workspace import open_journal
from tests.support.http_server import running

TOKEN = "local-token-of-this-test"
REPO = Path(__file__).resolve().parents[1]
SECRET = "---\ntitle: Secret\ndate: 2025-09-26\nprivate: true\n---\nMy zanzibar salary negotiation notes.\n"
QUERIES = [
    ["agent", "memory"],
    ["--json", "agent", "memory"],
    ["zanzibar", "salary"],  # the private note: the owner's CLI shows it
    ["--json", "zanzibar", "salary"],
    ["Day", "2"],
    ["--mode", "fts", "xylophone"],
    ["--since", "2025-09-01", "--until", "2025-09-30", "-n", "2", "agent"],
    ["--json", "--mode", "vector", "--source", "all", "memory"],
]


class Recorder:
    """ASGI middleware listing the paths of the HTTP requests that reached the app."""

    def __init__(self, app):
        self.app, self.paths = app, []

    async def __call__(self, scope, receive, send):
        if scope["type"] == "http":
            self.paths.append(scope["path"])
        await self.app(scope, receive, send)


@pytest.fixture
def root(seeded_root):
    """The seeded journal plus one private note, ingested."""
    from journal_agent.archive.ingest import ingest
    from tests.support.journals import write

    write(seeded_root / "notes" / "secret.md", SECRET)
    ingest(open_journal(root=seeded_root))
    return seeded_root


@contextmanager
def serving(root: Path, *, announced_token: str = TOKEN, token: str | None = None, pid: int | None = None,
            url: str | None = None) -> Iterator[Recorder]:
    """The journal's server running with :data:`TOKEN` as its local token, announced in serve.json
    (with ``announced_token``, ``pid`` and ``url`` when given instead of the true ones)."""
    app = Recorder(create_app(open_journal(root=root), local_token=TOKEN, token=token))
    with running(app) as real_url:
        announce(root, LocalServer(url or real_url, os.getpid() if pid is None else pid, announced_token))
        try:
            yield app
        finally:
            serve_file(root).unlink(missing_ok=True)


def search(root: Path, args: list[str]) -> tuple[int, str, str]:
    result = CliRunner().invoke(main, ["--root", str(root), "search", *args], catch_exceptions=False)
    return result.exit_code, result.stdout, result.stderr


def in_process(root: Path) -> list[tuple[int, str, str]]:
    assert running_server(root) is None
    return [search(root, args) for args in QUERIES]


def test_search_through_the_server_prints_exactly_what_the_in_process_search_prints(root):
    expected = in_process(root)
    with serving(root) as app:
        served = [search(root, args) for args in QUERIES]
    assert app.paths == [SEARCH_PATH] * len(QUERIES)  # every query was answered by the server
    assert served == expected
    private = json.loads(served[3][1])["results"]
    assert private[0]["path"] == "notes/secret.md" and private[0]["private"] is True  # the owner sees it, marked
    assert "zanzibar" in served[2][1]
    assert "“2025-09-01”" not in served[6][2]  # explicit bounds are not a phrase understood (as in process)


def test_without_the_local_token_private_notes_are_never_served(root):
    with serving(root):
        url = app_url(root)
        stranger = httpx.get(url + SEARCH_PATH, params={"query": "zanzibar salary"})
        owner = httpx.get(url + SEARCH_PATH, params={"query": "zanzibar salary"},
                          headers={"Authorization": f"Bearer {TOKEN}"})
        wrong = httpx.get(url + SEARCH_PATH, params={"query": "zanzibar salary"},
                          headers={"Authorization": "Bearer not-the-token"})
        refused = httpx.get(url + SEARCH_PATH, params={"query": "x", "mode": "psychic"})
    for answer in (stranger, wrong):
        assert answer.status_code == 200 and LOCAL_HEADER not in answer.headers
        assert "negotiation notes" not in answer.text and "secret.md" not in answer.text  # not in results, nor withheld
    assert owner.headers[LOCAL_HEADER] == "owner"
    assert [r["path"] for r in owner.json()["results"]][0] == "notes/secret.md"
    assert refused.status_code == 422 and "mode must be one of hybrid, fts, vector" in refused.json()["detail"]


def test_the_local_token_passes_a_server_token_and_is_the_owners_only(root):
    expected = in_process(root)
    with serving(root, token="server-token") as app:
        url = app_url(root)
        assert httpx.get(url + SEARCH_PATH, params={"query": "memory"}).status_code == 401
        with_server_token = httpx.get(url + SEARCH_PATH, params={"query": "zanzibar salary"},
                                      headers={"Authorization": "Bearer server-token"})
        served = [search(root, args) for args in QUERIES]
    assert with_server_token.status_code == 200 and "secret.md" not in with_server_token.text
    assert served == expected and app.paths.count(SEARCH_PATH) == 1 + 1 + len(QUERIES)


def app_url(root: Path) -> str:
    server = running_server(root)
    assert server is not None
    return server.url


def dead_pid() -> int:
    child = subprocess.Popen([sys.executable, "-c", "pass"])
    child.wait()
    return child.pid


def closed_port_url() -> str:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return f"http://127.0.0.1:{sock.getsockname()[1]}"


@pytest.mark.parametrize("stale", ["process gone", "connection refused", "readable by others", "not JSON",
                                   "not http"])
def test_a_stale_or_untrusted_serve_file_is_ignored(root, stale):
    expected = in_process(root)
    options = {"process gone": {"pid": dead_pid()}, "connection refused": {"url": closed_port_url()}}.get(stale, {})
    with serving(root, **options) as app:
        path = serve_file(root)
        if stale == "readable by others":
            path.chmod(0o644)
        elif stale == "not JSON":
            path.write_text("{url: nope", encoding="utf-8")
        elif stale == "not http":
            path.write_text(json.dumps({"url": "file:///etc/passwd", "pid": os.getpid(), "token": TOKEN}),
                            encoding="utf-8")
        served = [search(root, args) for args in QUERIES]
    assert app.paths == []  # the server was never asked
    assert served == expected


def test_a_server_that_does_not_know_the_token_is_not_trusted(root):
    """A serve file whose token the server does not know (a restarted server, a forged file): the
    answer would leave private notes out, so the command searches itself."""
    expected = in_process(root)
    with serving(root, announced_token="an-old-token") as app:
        served = [search(root, args) for args in QUERIES]
    assert app.paths == [SEARCH_PATH] * len(QUERIES)  # asked, answered as a stranger, not used
    assert served == expected
    with serving(root, announced_token="an-old-token", token="server-token") as app:  # 401: refused
        assert [search(root, args) for args in QUERIES] == expected
    assert app.paths == [SEARCH_PATH] * len(QUERIES)


def test_withdraw_leaves_a_newer_servers_file():
    """Two servers of one journal: the first to stop does not remove the file the second wrote."""
    import tempfile

    from journal_agent.service.local import withdraw

    with tempfile.TemporaryDirectory() as folder:
        root = Path(folder)
        first, second = LocalServer("http://127.0.0.1:1", 1, "a"), LocalServer("http://127.0.0.1:2", 2, "b")
        announce(root, first)
        announce(root, second)
        withdraw(root, first)
        assert serve_file(root).is_file()
        assert oct(serve_file(root).stat().st_mode & 0o777) == "0o600"
        withdraw(root, second)
        assert not serve_file(root).exists()


def modules_after(root: Path, args: list[str]) -> list[str]:
    """The heavy top-level packages a fresh ``journal ARGS`` process imported."""
    code = ("import sys\nfrom journal_agent.cli import main\n"
            f"try:\n    main({['--root', str(root), *args]!r})\nexcept SystemExit:\n    pass\n"
            "heavy = {'lancedb', 'pyarrow', 'numpy', 'openai', 'pydantic', 'dateparser', 'starlette', 'yaml'}\n"
            "print(sorted({m.split('.')[0] for m in sys.modules} & heavy))\n")
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True, cwd=REPO,
                            env={**os.environ, "PYTHONPATH": str(REPO)})
    return json.loads(result.stdout.strip().splitlines()[-1].replace("'", '"'))


@pytest.mark.slow
def test_search_through_a_server_imports_no_archive_no_pydantic_and_list_no_archive(root):
    with serving(root) as app:
        assert modules_after(root, ["search", "agent", "memory"]) == []
    assert app.paths == [SEARCH_PATH]
    assert "lancedb" in modules_after(root, ["search", "agent", "memory"])  # the in-process path does
    assert not {"lancedb", "pyarrow", "numpy", "openai"} & set(modules_after(root, ["list"]))
    assert not {"lancedb", "pyarrow", "numpy", "openai"} & set(modules_after(root, ["show", "Day 2"]))


@pytest.mark.slow
def test_a_background_reflection_already_shown_costs_a_served_search_nothing(root):
    """After one background reflection every command reads its status; once its outcome was printed the
    status is read without pydantic, and a status not yet shown is still told (once)."""
    from journal_agent.agent.sleeptime import Status, read_status, write_status

    state = root / ".journal"
    write_status(state, Status(state="done", started="2026-01-01T10:00:00", finished="2026-01-01T10:01:00",
                               message="Learner profile unchanged.", shown=False))
    with serving(root):
        first = search(root, ["agent", "memory"])
        assert "Background reflection: Learner profile unchanged." in first[2]
        status = read_status(state)
        assert status is not None and status.shown
        assert modules_after(root, ["search", "agent", "memory"]) == []
        assert search(root, ["agent", "memory"])[2] == ""


@pytest.mark.slow
def test_journal_serve_announces_itself_and_removes_the_file_when_it_stops(root):
    import signal
    import time

    expected = search(root, ["--json", "zanzibar", "salary"])
    process = subprocess.Popen([sys.executable, "-m", "journal_agent.cli", "--root", str(root), "serve", "--port",
                                closed_port_url().rsplit(":", 1)[1]], env={**os.environ, "PYTHONPATH": str(REPO)},
                               stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
    try:
        deadline = time.monotonic() + 60
        while running_server(root) is None:
            assert process.poll() is None and time.monotonic() < deadline, "journal serve did not announce itself"
            time.sleep(0.1)
        server = running_server(root)
        assert server is not None and server.pid == process.pid
        assert oct(serve_file(root).stat().st_mode & 0o777) == "0o600"
        served = subprocess.run([sys.executable, "-m", "journal_agent.cli", "--root", str(root), "search", "--json",
                                 "zanzibar", "salary"], capture_output=True, text=True, check=True,
                                env={**os.environ, "PYTHONPATH": str(REPO)})
        assert served.stdout == expected[1]
    finally:
        process.send_signal(signal.SIGINT)
        output, _ = process.communicate(timeout=30)
    assert process.returncode == 0, output
    assert "GET /v1/journal/search" in output  # the search went through the server
    assert not serve_file(root).exists()
    assert server.token not in output
