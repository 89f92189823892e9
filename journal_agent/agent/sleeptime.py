"""Reflection after ``add``/``ingest``, inline or in the background (Letta's sleep-time agent).

Letta's sleep-time agents (Letta docs, "Sleep-time agents"; Lin et al. 2025,
"Sleep-time Compute", arXiv:2504.13171) share memory blocks with the primary
agents and edit them asynchronously, so the learner never waits for them.
Here the ``sleeptime`` agent reflects on new notes
(:func:`~journal_agent.agent.reflection.reflect_on_notes`) and ``[agent]
reflect`` (``JOURNAL_REFLECT``) says when:

* ``inline``: before the command returns (it prints the outcome);
* ``background``: the command writes a *job* (the notes' paths) to
  ``.journal/sleeptime/jobs/``, starts a detached process
  (``python -m journal_agent.cli --root ROOT _sleeptime``, its own session, so
  neither a hung model server nor Ctrl-C in the terminal reaches the command)
  and returns at once; the process runs every pending job under
  ``.journal/sleeptime/run.lock`` and records the outcome in
  ``.journal/sleeptime/status.json``; the next ``journal`` command prints it in
  one line (:func:`notice`), or says it is still running;
* ``off``: no reflection (``journal reflect`` runs it on demand).

The process never outlives a deadline (:func:`deadline_seconds`): past it, a
watchdog records ``timed_out`` and ends it. Its output goes to
``.journal/sleeptime/log.txt``.
"""

from __future__ import annotations

import datetime as dt
import json
import os
import subprocess
import sys
import threading
import uuid
from contextlib import suppress
from pathlib import Path
from typing import Literal

from pydantic import BaseModel, ValidationError

import journal_agent
from journal_agent.agent.core_memory import now_text
from journal_agent.atomic import write_atomic
from journal_agent.errors import LockBusy, NoteError
from journal_agent.locks import JournalLock
from journal_agent.openai_client import is_configured
from journal_agent.processes import pid_alive

SLEEPTIME_DIR = "sleeptime"
HIDDEN_COMMAND = "_sleeptime"
BACKGROUND_STARTED = ("Reflection runs in the background (the sleep-time agent); the next journal command "
                      "shows its outcome.")
STARTUP_SECONDS = 30  # a process not yet started (pid 0) counts as running this long
State = Literal["running", "done", "failed", "timed_out"]


class Status(BaseModel):
    """The last background reflection, as ``status.json`` holds it.

    Attributes:
        state: ``running``, ``done`` (updated or unchanged), ``failed`` or ``timed_out``.
        started: local time it started, ISO 8601.
        finished: local time it ended ('' while running).
        pid: the background process (0 while it starts).
        message: the outcome, one line ('' while running).
        shown: whether a command has printed the outcome already.
    """

    state: State
    started: str
    finished: str = ""
    pid: int = 0
    message: str = ""
    shown: bool = False


def _dir(state_dir: Path) -> Path:
    path = Path(state_dir) / SLEEPTIME_DIR
    (path / "jobs").mkdir(parents=True, exist_ok=True)
    return path


def read_status(state_dir: Path) -> Status | None:
    """The recorded status, ``None`` when there is none (or it cannot be read)."""
    try:
        return Status.model_validate_json((Path(state_dir) / SLEEPTIME_DIR / "status.json").read_bytes())
    except (OSError, ValidationError):
        return None


def write_status(state_dir: Path, status: Status) -> None:
    """Record ``status`` atomically."""
    write_atomic(_dir(state_dir) / "status.json", status.model_dump_json(), durable=False)


# ------------------------------------------------------------ the command side
def reflect_after(journal, notes: list) -> str:
    """Reflect on ``notes`` as ``[agent] reflect`` says; the one line to print ('' for nothing).

    Returns:
        ``inline``: the outcome's message; ``background``: :data:`BACKGROUND_STARTED` (or why it
        was skipped: no model configured); ``off``: ''.
    """
    from journal_agent.agent.reflection import SKIPPED_NO_MODEL, reflect_on_notes  # not on every command's path

    mode = journal.config.agent.reflect
    if mode == "off" or not notes:
        return ""
    if mode == "inline":
        return reflect_on_notes(journal, notes).message
    if not is_configured(journal.config):
        return SKIPPED_NO_MODEL
    start_background(journal, [str(n.path) for n in notes])
    return BACKGROUND_STARTED


def start_background(journal, paths: list[str]) -> int:
    """Queue a job for ``paths`` (note files) and start the detached process; its pid.

    The environment is passed on (the model endpoint, the key), with this
    package's folder first on ``PYTHONPATH`` so the process runs the same code.
    """
    folder = _dir(journal.state_dir)
    job = folder / "jobs" / f"{dt.datetime.now():%Y%m%dT%H%M%S}-{uuid.uuid4().hex[:8]}.json"
    write_atomic(job, json.dumps({"notes": paths}), durable=False)
    env = dict(os.environ)
    package_parent = str(Path(journal_agent.__file__).resolve().parents[1])
    env["PYTHONPATH"] = os.pathsep.join(p for p in (package_parent, env.get("PYTHONPATH", "")) if p)
    write_status(journal.state_dir, Status(state="running", started=now_text()))  # pid 0: the process records its own
    with open(folder / "log.txt", "ab") as log:
        process = subprocess.Popen(
            [sys.executable, "-m", "journal_agent.cli", "--root", str(journal.root), HIDDEN_COMMAND],
            stdin=subprocess.DEVNULL, stdout=log, stderr=log, env=env, start_new_session=True,
            cwd=str(journal.root))
    return process.pid


def notice(state_dir: Path) -> str:
    """The line the next command prints about the background reflection ('' for nothing).

    While it runs: that it is still running (and for how long). Once it ended:
    its outcome, once. A process that died without recording an outcome is
    reported as stopped, with how to retry.
    """
    status = read_status(state_dir)
    if status is None or status.shown:
        return ""
    if status.state == "running":
        starting = status.pid == 0 and _seconds_since(status.started) < STARTUP_SECONDS
        if starting or pid_alive(status.pid) or _locked(state_dir):
            return f"Reflection (sleep-time agent) is still running in the background ({_ago(status.started)})."
        status.state, status.finished = "failed", now_text()
        status.message = ("Background reflection stopped without finishing (its process ended); "
                          "run `journal reflect` to retry.")
    status.shown = True
    write_status(state_dir, status)
    prefix = "Background reflection timed out: " if status.state == "timed_out" else "Background reflection: "
    return prefix + status.message


def _locked(state_dir: Path) -> bool:
    """Whether a process holds ``run.lock`` (runs jobs now)."""
    if not (Path(state_dir) / SLEEPTIME_DIR / "run.lock").exists():
        return False
    lock = JournalLock(_dir(state_dir) / "run.lock", holder="background reflection", timeout=0)
    try:
        lock.acquire()
    except LockBusy:
        return True
    lock.release()
    return False


def _seconds_since(started: str) -> float:
    try:
        return (dt.datetime.now() - dt.datetime.fromisoformat(started)).total_seconds()
    except ValueError:
        return float("inf")


def _ago(started: str) -> str:
    elapsed = _seconds_since(started)
    if elapsed == float("inf"):  # a damaged start time: int(inf) raised OverflowError and hid the notice
        return "start time unknown"
    seconds = int(elapsed)
    return f"started {seconds} s ago" if seconds < 120 else f"started {seconds // 60} min ago"


# ------------------------------------------------------------- the process side
def deadline_seconds(journal, batches: int = 1) -> float:
    """Longest a background run may take: every step of every batch waiting the full ``[llm] timeout``, plus 30 s."""
    return journal.config.llm.timeout * (journal.config.agent.max_steps + 1) * max(1, batches) + 30


def run_jobs(journal) -> Status | None:
    """Run every pending job (the hidden ``_sleeptime`` command); the last status, ``None`` when another runs them.

    Waits at most 2 s for ``run.lock`` (a command checking whether a run is going
    on holds it for an instant): when another process runs jobs, that one will
    find this job (it looks again after releasing the lock). A watchdog records
    ``timed_out`` and ends the process past :func:`deadline_seconds`.
    """
    lock = JournalLock(_dir(journal.state_dir) / "run.lock", holder="background reflection", timeout=2)
    status = None
    while True:
        try:
            lock.acquire()
        except LockBusy:
            return status
        try:
            jobs = sorted((_dir(journal.state_dir) / "jobs").glob("*.json"))
            if jobs:
                status = _run(journal, jobs)
        finally:
            lock.release()
        if not sorted((_dir(journal.state_dir) / "jobs").glob("*.json")):
            return status


def _ingested_sources(journal) -> list[str]:
    """The folders the archive ingested (``Archive.sources``); ``[]`` when it cannot be opened."""
    from journal_agent.archive.store import Archive
    from journal_agent.errors import JournalError

    try:
        return Archive.open(journal, check=False).sources()
    except JournalError:
        return []


def _run(journal, jobs: list[Path]) -> Status:
    from journal_agent.agent.reflection import NOTES_PER_EVENT, reflect_on_notes
    from journal_agent.notes.journal import note_base, read_one

    paths: list[str] = []
    for job in jobs:
        with suppress(OSError, ValueError, AttributeError):
            paths += [p for p in json.loads(job.read_text(encoding="utf-8")).get("notes", []) if p not in paths]
    notes = []
    sources = _ingested_sources(journal)
    for path in paths:
        with suppress(NoteError):  # a note outside notes/ is read as ingest read it: its folder's private/ rule holds
            notes.append(read_one(journal, Path(path), note_base(journal, Path(path), sources)))
    status = Status(state="running", started=now_text(), pid=os.getpid())
    write_status(journal.state_dir, status)
    deadline = deadline_seconds(journal, -(-len(notes) // NOTES_PER_EVENT))

    def expire() -> None:
        for job in jobs:  # not retried on the next run: a hung server would hang it again
            job.unlink(missing_ok=True)
        message = f"no outcome after {deadline:.0f} s (the model server may be hung); run `journal reflect` to retry."
        write_status(journal.state_dir, status.model_copy(
            update={"state": "timed_out", "finished": now_text(), "message": message}))
        os._exit(3)

    watchdog = threading.Timer(deadline, expire)
    watchdog.daemon = True
    watchdog.start()
    try:
        outcome = reflect_on_notes(journal, notes)
    finally:
        watchdog.cancel()
    for job in jobs:
        job.unlink(missing_ok=True)
    state: State = "failed" if outcome.status == "failed" else "done"
    status = status.model_copy(update={"state": state, "finished": now_text(),
                                       "message": outcome.message or "no new notes to reflect on."})
    write_status(journal.state_dir, status)
    return status
