"""Load test of ``journal serve`` (issue 22): concurrent readers and writers for a bounded time.

A fresh journal (the learner's seed note plus ``--notes`` simonw/til notes when
``../shared/corpora`` is there) is ingested with the hashed bag-of-words embeddings of the
scripted model server (tests/support/openai_server.py, run as its own process on
127.0.0.1, answering with :func:`~tests.support.openai_server.rule_responder`). Then
``journal serve`` starts in a child process and, for ``--seconds`` (default 60):

* ``--readers`` (20) clients loop over the reads, one after the other: archival-memory
  search (``GET /v1/agents/{id}/archival-memory/search``), a core-memory block
  (``GET …/core-memory/blocks/learner``) and the message list (``GET …/messages?limit=20``);
* ``--writers`` (2) clients send messages (``POST /v1/agents/{id}/messages``), each with a
  unique marker. A second turn for the agent while one runs is refused with 409 (the
  service's rule, never a 5xx): the writer waits 50 ms and sends the same message again.

Afterwards the server is stopped and recall memory (``.journal/recall.sqlite3``) is read:
every message the server accepted (200) must be stored exactly once as a learner message
with its answer after it, and no refused one (409) at all: "lost" and "duplicated" count the
misses. Reported: requests, p50/p95/max per endpoint, status codes, the p50 of one client
reading alone before the load (``IDLE_ROUNDS`` reads of each kind), the server's RSS before
the load (after one request of each kind), every 10 s during it and after it, and its peak (``VmHWM``).

    python -m benchmarks.bench_serve_load [--seconds 60] [--readers 20] [--writers 2] [--notes 200] [--no-write]

Exit status 1 when any 5xx, transport error, lost or duplicated message was seen.
"""

from __future__ import annotations

import argparse
import asyncio
import datetime as dt
import os
import shutil
import signal
import socket
import subprocess
import sys
import time
from collections import Counter, defaultdict
from dataclasses import dataclass, field
from pathlib import Path

from benchmarks.corpora import CORPORA, REPO, dated_copy
from benchmarks.results import write_section

HEADING = "## Service load: `journal serve` under 20 readers and 2 writers"
WORK = REPO / "benchmarks" / ".work" / "serve-load"
AGENT_NAME = "journal"
BLOCK = "learner"
SEARCHES = ("agent memory course", "sqlite vacuum", "python datetime timezone", "github actions cache",
            "MemGPT core memory", "docker compose", "git rebase", "javascript fetch")
QUESTION = "Which course did I start to learn about agent memory? [{marker}]"


@dataclass
class Load:
    """What the clients saw: latencies (ms) and status codes per endpoint, markers by outcome."""

    latencies: dict[str, list[float]] = field(default_factory=lambda: defaultdict(list))
    statuses: dict[str, Counter] = field(default_factory=lambda: defaultdict(Counter))
    errors: list[str] = field(default_factory=list)
    accepted: list[str] = field(default_factory=list)  # markers of messages answered 200
    refused: list[str] = field(default_factory=list)  # markers of attempts refused 409 (retried)
    rss: list[float] = field(default_factory=list)  # the server's RSS (MiB), sampled every RSS_EVERY seconds
    idle: dict[str, list[float]] = field(default_factory=dict)  # latencies of one client alone, before the load

    def record(self, endpoint: str, started: float, status: int | str) -> None:
        self.latencies[endpoint].append((time.perf_counter() - started) * 1000)
        self.statuses[endpoint][status] += 1


def percentile(values: list[float], q: float) -> float:
    """The ``q`` quantile (0..1) by the nearest rank of the sorted values; nan when empty."""
    if not values:
        return float("nan")
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, max(0, int(round(q * len(ordered) + 0.5)) - 1))]


def rss_mib(pid: int) -> tuple[float, float]:
    """(current RSS, peak RSS) of process ``pid`` in MiB, from ``/proc/<pid>/status`` (Linux)."""
    values = {}
    with open(f"/proc/{pid}/status", encoding="ascii") as handle:
        for line in handle:
            name, _, rest = line.partition(":")
            if name in ("VmRSS", "VmHWM"):
                values[name] = int(rest.split()[0]) / 1024
    return values.get("VmRSS", float("nan")), values.get("VmHWM", float("nan"))


RSS_EVERY = 10.0
IDLE_ROUNDS = 5  # reads of each kind by one client before the load


async def sample_rss(pid: int, until: float, samples: list[float]) -> None:
    """Append the RSS of ``pid`` (MiB) to ``samples`` every :data:`RSS_EVERY` seconds until ``until``."""
    while time.monotonic() < until:
        await asyncio.sleep(min(RSS_EVERY, max(0.0, until - time.monotonic())))
        samples.append(rss_mib(pid)[0])


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


# -- the journal, the model, the server ------------------------------------------------------------


def start_model() -> tuple[subprocess.Popen, str]:
    """The scripted model server (chat + embeddings) in its own process; returns (process, base URL)."""
    process = subprocess.Popen([sys.executable, "-m", "tests.support.openai_server", "0"], cwd=REPO,
                               stdout=subprocess.PIPE, text=True, env={**os.environ, "PYTHONPATH": str(REPO)})
    assert process.stdout is not None
    line = process.stdout.readline().strip()
    if not line.startswith("OPENAI_BASE_URL="):
        process.kill()
        raise SystemExit(f"the scripted model server did not start: {line!r}")
    return process, line.split("=", 1)[1]


def build_journal(root: Path, model_url: str, notes: int) -> int:
    """A fresh journal at ``root`` embedding through ``model_url``, ingested; returns its number of notes."""
    from journal_agent.archive.ingest import ingest
    from journal_agent.workspace import open_journal
    from tests.support.journals import SEED, SEED_NAME, make_journal_dir

    if root.exists():
        shutil.rmtree(root)
    make_journal_dir(root, embedding_base_url=model_url)
    shutil.copy2(SEED, root / "notes" / SEED_NAME)
    copied = 0
    if notes and (CORPORA / "simonw-til" / "manifest.jsonl").is_file():
        copied = dated_copy("simonw-til", root / "notes", limit=notes)
    report = ingest(open_journal(root=root))
    if report.failed:
        raise SystemExit(f"ingest failed: {report.failed[:3]}")
    return 1 + copied


def start_server(root: Path, model_url: str, port: int) -> subprocess.Popen:
    """``journal serve`` on 127.0.0.1:``port`` in a child process (its stderr to ``root/../serve.log``)."""
    env = {**os.environ, "OPENAI_BASE_URL": model_url, "OPENAI_API_KEY": "sk-bench-dummy",
           "PYTHONPATH": str(REPO)}
    with open(root.parent / "serve.log", "w", encoding="utf-8") as log:  # the child keeps its own copy
        return subprocess.Popen([sys.executable, "-m", "journal_agent.cli", "--root", str(root), "serve",
                                 "--host", "127.0.0.1", "--port", str(port)], env=env, stdout=log, stderr=log)


def stop(process: subprocess.Popen) -> None:
    if process.poll() is None:
        process.send_signal(signal.SIGINT)
        try:
            process.wait(timeout=30)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()


async def wait_ready(client, process: subprocess.Popen, seconds: float = 90) -> str:
    """Poll ``GET /v1/agents/`` until it answers; returns the journal agent's id."""
    import httpx

    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise SystemExit(f"journal serve exited with {process.returncode}; see {WORK / 'serve.log'}")
        try:
            response = await client.get("/v1/agents/")
            if response.status_code == 200:
                agents = response.json()
                return next((a["id"] for a in agents if a.get("name") == AGENT_NAME), agents[0]["id"])
        except httpx.TransportError:
            pass
        await asyncio.sleep(0.25)
    raise SystemExit("journal serve did not answer GET /v1/agents/ in time")


# -- the clients ------------------------------------------------------------------------------------


READS = ("search", "block", "messages list")


async def read_once(client, agent: str, i: int, load: Load) -> None:
    """Read number ``i``: the search, the block or the messages list (``i`` modulo 3)."""
    import httpx

    base = f"/v1/agents/{agent}"
    name = READS[i % len(READS)]
    started = time.perf_counter()
    try:
        if name == "search":
            response = await client.get(f"{base}/archival-memory/search",
                                        params={"query": SEARCHES[i % len(SEARCHES)], "top_k": 5})
        elif name == "block":
            response = await client.get(f"{base}/core-memory/blocks/{BLOCK}")
        else:
            response = await client.get(f"{base}/messages", params={"limit": 20})
        load.record(name, started, response.status_code)
    except httpx.HTTPError as exc:
        load.record(name, started, type(exc).__name__)
        load.errors.append(f"{name}: {type(exc).__name__}: {exc}")


async def reader(client, agent: str, number: int, until: float, load: Load) -> None:
    """Loop over search, block and messages list until ``until`` (monotonic seconds)."""
    i = number
    while time.monotonic() < until:
        await read_once(client, agent, i, load)
        i += 1


async def writer(client, agent: str, number: int, until: float, load: Load) -> None:
    """Send messages until ``until``; a 409 (a turn is running) is retried after 50 ms, same marker."""
    import httpx

    sent = 0
    while time.monotonic() < until:
        marker = f"load-w{number}-{sent}"
        body = {"messages": [{"role": "user", "content": QUESTION.format(marker=marker)}]}
        while True:
            started = time.perf_counter()
            try:
                response = await client.post(f"/v1/agents/{agent}/messages", json=body)
            except httpx.HTTPError as exc:
                load.record("send message", started, type(exc).__name__)
                load.errors.append(f"send message {marker}: {type(exc).__name__}: {exc}")
                break
            load.record("send message" if response.status_code != 409 else "send message: 409 busy", started,
                        response.status_code)
            if response.status_code == 409:
                load.refused.append(marker)
                if time.monotonic() >= until:
                    break
                await asyncio.sleep(0.05)
                continue
            if response.status_code == 200:
                load.accepted.append(marker)
            break
        sent += 1


async def run_load(port: int, process: subprocess.Popen, seconds: float, readers: int,
                   writers: int) -> tuple[Load, tuple[float, float], tuple[float, float], float]:
    """Warm up, measure RSS, run the clients, measure RSS; returns (load, rss before, rss after, seconds)."""
    import httpx

    limits = httpx.Limits(max_connections=readers + writers + 4, max_keepalive_connections=readers + writers + 4)
    async with httpx.AsyncClient(base_url=f"http://127.0.0.1:{port}", timeout=120, limits=limits) as client:
        agent = await wait_ready(client, process)
        for i in range(len(READS)):  # one read of each kind: models loaded, stores open
            await read_once(client, agent, i, Load())
        idle = Load()
        for i in range(IDLE_ROUNDS * len(READS)):  # one client alone: the latency without load
            await read_once(client, agent, i, idle)
        before = rss_mib(process.pid)
        load = Load()
        started = time.monotonic()
        until = started + seconds
        tasks = [reader(client, agent, n, until, load) for n in range(readers)]
        tasks += [writer(client, agent, n, until, load) for n in range(writers)]
        tasks.append(sample_rss(process.pid, until, load.rss))
        await asyncio.gather(*tasks)
        elapsed = time.monotonic() - started
        after = rss_mib(process.pid)
    load.idle = idle.latencies
    return load, before, after, elapsed


def check_recall(root: Path, load: Load) -> tuple[int, int, int]:
    """(lost, duplicated, stray) from recall memory, read after the server stopped.

    lost: accepted markers stored as no learner message, or without an answer after it;
    duplicated: accepted markers stored more than once; stray: refused-only markers stored at all.
    """
    from journal_agent.agent.recall import RecallMemory
    from journal_agent.workspace import open_journal

    recall = RecallMemory.open(open_journal(root=root), agent=None)
    try:
        seen: Counter = Counter()
        answered: set[str] = set()
        for conversation in recall.conversations(limit=1_000_000):
            messages = recall.messages(conversation.id)
            for index, message in enumerate(messages):
                if message.role != "user" or "[load-w" not in message.content:
                    continue
                marker = message.content.split("[", 1)[1].split("]", 1)[0]
                seen[marker] += 1
                for later in messages[index + 1:]:
                    if later.role == "user" and later.kind == "message":
                        break
                    if later.role == "assistant" and later.content.strip() and not later.payload.get("tool_calls"):
                        answered.add(marker)
                        break
    finally:
        recall.close()
    accepted = set(load.accepted)
    lost = sum(1 for marker in accepted if seen[marker] == 0 or marker not in answered)
    duplicated = sum(1 for marker in accepted if seen[marker] > 1)
    stray = sum(1 for marker in set(load.refused) - accepted if seen[marker])
    return lost, duplicated, stray


def table(load: Load) -> str:
    lines = ["| endpoint | requests | p50 ms | p95 ms | max ms | status codes | alone: p50 ms |",
             "|---|---|---|---|---|---|---|"]
    for name in ("search", "block", "messages list", "send message", "send message: 409 busy"):
        values = load.latencies.get(name, [])
        codes = ", ".join(f"{code}×{count}" for code, count in sorted(load.statuses[name].items(), key=str))
        alone = load.idle.get(name)
        lines.append(f"| {name} | {len(values)} | {percentile(values, .5):.0f} | {percentile(values, .95):.0f} | "
                     f"{max(values, default=float('nan')):.0f} | {codes} | "
                     f"{f'{percentile(alone, .5):.0f}' if alone else '–'} |")
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seconds", type=float, default=60.0, help="how long the load runs (default 60)")
    parser.add_argument("--readers", type=int, default=20)
    parser.add_argument("--writers", type=int, default=2)
    parser.add_argument("--notes", type=int, default=200, help="simonw/til notes beside the seed note")
    parser.add_argument("--no-write", action="store_true", help="print only; leave RESULTS.md alone")
    args = parser.parse_args(argv)

    WORK.mkdir(parents=True, exist_ok=True)
    root = WORK / "journal"
    model, model_url = start_model()
    server = None
    try:
        notes = build_journal(root, model_url, args.notes)
        port = free_port()
        server = start_server(root, model_url, port)
        load, before, after, elapsed = asyncio.run(run_load(port, server, args.seconds, args.readers, args.writers))
    finally:
        if server is not None:
            stop(server)
        stop(model)
    lost, duplicated, stray = check_recall(root, load)
    server_errors = sum(count for counts in load.statuses.values() for code, count in counts.items()
                        if isinstance(code, int) and code >= 500)
    total = sum(len(values) for values in load.latencies.values())
    result = table(load)
    summary = (f"{total} requests in {elapsed:.0f} s ({total / elapsed:.0f}/s); 5xx: {server_errors}; "
               f"transport errors: {len(load.errors)}; messages answered: {len(set(load.accepted))}, "
               f"refused while a turn ran (409, retried): {len(load.refused)}; recall: lost {lost}, "
               f"duplicated {duplicated}, refused-but-stored {stray}.\n"
               f"Server RSS: {before[0]:.0f} MiB before the load, {after[0]:.0f} MiB after "
               f"(peak {after[1]:.0f} MiB); every {RSS_EVERY:g} s: "
               f"{', '.join(f'{value:.0f}' for value in load.rss)} MiB.")
    print(result)
    print(summary)
    for error in load.errors[:5]:
        print("error:", error)
    if not args.no_write:
        from benchmarks.__main__ import machine_line

        write_section(
            f"{HEADING}\n\n{dt.datetime.now():%Y-%m-%d %H:%M}; {machine_line()}. Command: "
            f"`python -m benchmarks.bench_serve_load --seconds {args.seconds:g} --readers {args.readers} "
            f"--writers {args.writers} --notes {args.notes}`; {notes} notes, the scripted model "
            f"(tests/support/openai_server.py) on 127.0.0.1; client and server on the same machine.\n\n"
            f"{result}\n\n{summary}\n")
    failed = server_errors or load.errors or lost or duplicated or stray
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
