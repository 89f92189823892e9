"""Start-up costs that tests must not time: a fresh process reading a bad ``--date``, and the commands.

**Commands** (issue 23): ``journal search`` and ``journal ask`` in process (``import lancedb``, the
embedder; for ask also ``openai`` and the agent) and through a running ``journal serve``
(``.journal/serve.json``), ``journal list``, beside ``python -c pass`` and ``import lancedb``, in a journal
of the learner's notes (benchmarks/learner_journal plus the seed note), ingested first. The model of
``journal ask`` is the scripted OpenAI-compatible server of tests/support (``rule_responder``), running in
this process, so only the command's own CPU is counted. The server is started once, warmed by one search
and one ask, and stopped at the end; its own CPU per served search and ask is read from
``/proc/<pid>/stat`` and shown beside (the CLI process no longer pays it, the server does, once per
request and not per start).

**Dates**: dateparser without ``languages`` tries every locale it knows and takes seconds to
give up on a typo (issue 8); :func:`journal_agent.notes.dates.parse_date` tries only the
configured ones. The test checks the behaviour (only configured languages are read);
this script measures the cost, in CPU seconds of the child (user + system, so a busy
machine changes it little) and as a ratio to ``python -c pass`` measured in the same run.

    python -m benchmarks.bench_startup [--runs 5] [--no-write] [--only commands|dates]
"""

from __future__ import annotations

import argparse
import datetime as dt
import os
import resource
import shutil
import signal
import socket
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

from benchmarks.corpora import REPO
from benchmarks.results import write_section

HEADING = "## Start-up: a bad --date in a fresh process"
COMMANDS_HEADING = "## Start-up: journal search and list, with and without a running journal serve (issue 23)"
QUERY = ["search", "agent", "memory", "course"]
ASK = ["ask", "--json", "What did I learn about agent memory?"]
SERVED_SEARCH, SERVED_ASK = "journal search (running journal serve)", "journal ask (running journal serve)"
CASES = {
    "python -c pass": "pass",
    "import journal_agent.notes.dates": "import journal_agent.notes.dates",
    "parse_date('the twelfth of never')": (
        "from journal_agent.notes.dates import parse_date\n"
        "try:\n    parse_date('the twelfth of never')\nexcept ValueError:\n    pass"),
}


def child_cpu_seconds(code: str) -> float:
    """CPU seconds (user + system) of one ``python -c code`` child."""
    return child_argv_cpu_seconds(["-c", code])


def child_argv_cpu_seconds(argv: list[str]) -> float:
    """CPU seconds (user + system) of one ``python ARGV`` child (its output discarded)."""
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    subprocess.run([sys.executable, *argv], check=True, env={**os.environ, "PYTHONPATH": str(REPO)},
                   stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    return (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)


def process_cpu_seconds(pid: int) -> float:
    """CPU seconds (user + system) process ``pid`` has used so far (Linux ``/proc``; NaN elsewhere)."""
    try:
        fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    except OSError:
        return float("nan")
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def learner_journal(folder: Path) -> Path:
    """A journal at ``folder`` with the learner's notes and the seed note, ingested (MiniLM)."""
    from journal_agent.archive.ingest import ingest
    from journal_agent.workspace import create_workspace

    journal = create_workspace(folder)
    for note in [*sorted((REPO / "benchmarks" / "learner_journal").glob("*.markdown")),
                 *sorted((REPO / "notes").glob("*.markdown"))]:
        shutil.copy(note, journal.notes_dir / note.name)
    ingest(journal)
    return folder


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def measure_commands(runs: int) -> tuple[str, dict[str, float]]:
    """The command table (markdown) and its medians, in CPU seconds."""
    from tests.support.openai_server import FakeOpenAI, rule_responder

    saved = {key: os.environ.get(key) for key in ("OPENAI_BASE_URL", "OPENAI_API_KEY")}
    with FakeOpenAI(responder=rule_responder) as model, tempfile.TemporaryDirectory() as folder:
        os.environ.update(OPENAI_BASE_URL=model.base_url, OPENAI_API_KEY="sk-bench-dummy")  # for the children
        try:
            return _measure(runs, learner_journal(Path(folder) / "journal"))
        finally:
            for key, value in saved.items():
                if value is None:
                    os.environ.pop(key, None)
                else:
                    os.environ[key] = value


def _measure(runs: int, root: Path) -> tuple[str, dict[str, float]]:
    from journal_agent.service.local import running_server

    journal = ["-m", "journal_agent.cli", "--root", str(root)]
    cases: dict[str, Callable[[], float]] = {
        "python -c pass": lambda: child_cpu_seconds("pass"),
        "python -c 'import lancedb'": lambda: child_cpu_seconds("import lancedb"),
        "journal list": lambda: child_argv_cpu_seconds([*journal, "list"]),
        "journal search (in process)": lambda: child_argv_cpu_seconds([*journal, *QUERY]),
        "journal ask (in process)": lambda: child_argv_cpu_seconds([*journal, *ASK]),
    }
    samples: dict[str, list[float]] = {name: [] for name in [*cases, SERVED_SEARCH, SERVED_ASK]}
    for _ in range(runs):  # rounds: every case once per round, so a busy moment touches all of them
        for name, case in cases.items():
            samples[name].append(case())
    server = subprocess.Popen([sys.executable, *journal, "serve", "--port", str(free_port())],
                              env={**os.environ, "PYTHONPATH": str(REPO)},
                              stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    try:
        deadline = time.monotonic() + 120
        while running_server(root) is None:
            if server.poll() is not None or time.monotonic() > deadline:
                raise RuntimeError("journal serve did not start")
            time.sleep(0.1)
        child_argv_cpu_seconds([*journal, *QUERY])  # warm: the server's first search loads the embedder
        child_argv_cpu_seconds([*journal, *ASK])  # and its first ask the agent and the model client
        server_cpu = {}
        for name, argv in ((SERVED_SEARCH, QUERY), (SERVED_ASK, ASK)):
            before = process_cpu_seconds(server.pid)
            for _ in range(runs):
                samples[name].append(child_argv_cpu_seconds([*journal, *argv]))
            server_cpu[name] = (process_cpu_seconds(server.pid) - before) / runs
    finally:
        server.send_signal(signal.SIGINT)
        server.wait(timeout=60)
    medians = {name: statistics.median(values) for name, values in samples.items()}
    base = medians["python -c pass"]
    lines = ["| command | CPU s (median) | × python -c pass |", "|---|---|---|"]
    lines += [f"| `{name}` | {seconds:.3f} | {seconds / base:.1f} |" for name, seconds in medians.items()]
    lines.append(f"\nThe server's own CPU per served request (warm): search {server_cpu[SERVED_SEARCH]:.3f} s, "
                 f"ask {server_cpu[SERVED_ASK]:.3f} s (one turn of the scripted model: a search, then the answer).")
    return "\n".join(lines), medians


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument("--no-write", action="store_true", help="print only; leave RESULTS.md alone")
    parser.add_argument("--only", choices=["commands", "dates"], help="one table (default: both)")
    args = parser.parse_args(argv)
    from benchmarks.__main__ import machine_line

    if args.only != "dates":
        started = f"{dt.datetime.now():%Y-%m-%d %H:%M}; {machine_line()}"
        table, _ = measure_commands(args.runs)
        print(table)
        if not args.no_write:
            write_section(f"{COMMANDS_HEADING}\n\n{started}. Command: `python -m benchmarks.bench_startup "
                          f"--only commands --runs {args.runs}`; medians of {args.runs} runs of each, CPU seconds "
                          f"(user + system) of the child process, so a busy machine changes them little. Query: "
                          f"`journal {' '.join(QUERY)}` and `journal {ASK[0]} {ASK[1]} \"{ASK[2]}\"` (the scripted "
                          f"model of tests/support) in the learner's journal (10 notes).\n\n{table}\n")
    if args.only == "commands":
        return
    medians = {name: statistics.median(child_cpu_seconds(code) for _ in range(args.runs))
               for name, code in CASES.items()}
    base = medians["python -c pass"]
    lines = ["| command | CPU s (median) | × python -c pass |", "|---|---|---|"]
    lines += [f"| `{name}` | {seconds:.3f} | {seconds / base:.1f} |" for name, seconds in medians.items()]
    table = "\n".join(lines)
    print(table)
    if not args.no_write:
        write_section(f"{HEADING}\n\n{dt.datetime.now():%Y-%m-%d %H:%M}; {machine_line()}. "
                      f"Command: `python -m benchmarks.bench_startup --runs {args.runs}`; medians of "
                      f"{args.runs} runs.\n\n{table}\n")


if __name__ == "__main__":
    main()
