"""Issue 20, ingesting: progress a learner can see, the lock waited for said, and Ctrl-C keeping finished work."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest

from journal_agent.archive.ingest import EMBED_CALL_CHUNKS, IngestProgress, ingest
from journal_agent.locks import JournalLock
from tests.support.journals import REPO, TEST_EMBEDDING_MODEL, make_journal_dir, write
from tests.support.openai_server import embeddings_response


def many_chunks(root, notes=6, parts=20):
    for n in range(notes):
        body = "".join(f"## Part {i}\n\nParagraph {i} of note {n} about caching layers and queues. " * 3 + "\n\n"
                       for i in range(parts))
        write(root / "notes" / f"note-{n:02d}.md", f"# Note {n}\n\n{body}")


def test_progress_counts_notes_and_chunks(journal):
    many_chunks(journal.root)
    steps: list[IngestProgress] = []
    report = ingest(journal, progress=steps.append)
    assert steps[0].chunks_done == 0 and steps[0].notes_total == 6 and steps[0].chunks_total == report.chunks_written
    assert (steps[-1].notes_done, steps[-1].chunks_done) == (6, report.chunks_written)
    assert [s.notes_done for s in steps] == sorted(s.notes_done for s in steps)  # never goes back
    assert steps[-1].chunks_per_second is not None


def test_piped_ingest_prints_progress_lines_on_stderr(journal_dir, run_cli):
    many_chunks(journal_dir)
    result = run_cli("ingest", "--no-reflect")
    assert result.exit_code == 0, result.output
    lines = [ln for ln in result.stderr.splitlines() if ln.startswith("ingest: notes")]
    assert lines and lines[-1].startswith("ingest: notes 6/6, chunks ") and "chunks/s" in lines[-1]
    assert "ingest: notes" not in result.stdout  # stdout keeps the summary alone


def test_ingest_says_it_waits_for_another_ingest(journal):
    write(journal.notes_dir / "a.md", "# A\n\nQueues.\n")
    holder = JournalLock(journal.state_dir / "ingest.lock", holder="test", timeout=0)
    journal.state_dir.mkdir(parents=True, exist_ok=True)
    holder.acquire()
    said: list[str] = []

    def progress(step: IngestProgress) -> None:
        if step.waiting:
            said.append(step.waiting)
            holder.release()  # the other process finishes

    report = ingest(journal, progress=progress)
    assert said == ["another `journal ingest` (.journal/ingest.lock)"] and report.added == 1


class _StallingEmbeddings:
    """/v1/embeddings that answers the first call and holds every later one until stopped."""

    def __init__(self):
        self.calls = 0
        self.stalled = threading.Event()
        self.stop = threading.Event()
        owner = self

        class Handler(BaseHTTPRequestHandler):
            def log_message(self, *args):
                pass

            def do_POST(self):
                body = json.loads(self.rfile.read(int(self.headers.get("Content-Length") or 0)))
                owner.calls += 1
                if owner.calls > 1:
                    owner.stalled.set()
                    owner.stop.wait(60)
                    return
                data = json.dumps(embeddings_response(body)).encode()
                self.send_response(200)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(data)))
                self.end_headers()
                self.wfile.write(data)

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.server.daemon_threads = True
        threading.Thread(target=self.server.serve_forever, daemon=True).start()

    @property
    def base_url(self) -> str:
        return f"http://127.0.0.1:{self.server.server_address[1]}/v1"

    def close(self):
        self.stop.set()
        self.server.shutdown()


@pytest.mark.slow
def test_ctrl_c_keeps_what_was_embedded(tmp_path, embedding_server):
    stalling = _StallingEmbeddings()
    try:
        root = make_journal_dir(tmp_path / "j", embedding_base_url=stalling.base_url)
        many_chunks(root, notes=12, parts=8)  # 8 chunks a note: the first call of 64 finishes 8 notes
        env = {**os.environ, "PYTHONPATH": str(REPO), "OPENAI_API_KEY": "sk-test"}
        proc = subprocess.Popen([sys.executable, "-m", "journal_agent.cli", "--root", str(root), "ingest",
                                 "--no-reflect"], env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
        assert stalling.stalled.wait(60), proc.communicate(timeout=10)
        proc.send_signal(signal.SIGINT)
        out, err = proc.communicate(timeout=60)
        assert proc.returncode == 130, err
    finally:
        stalling.close()
    toml = (root / "journal.toml").read_text().replace(stalling.base_url, embedding_server.base_url)
    (root / "journal.toml").write_text(toml)
    assert TEST_EMBEDDING_MODEL in toml
    rerun = subprocess.run([sys.executable, "-m", "journal_agent.cli", "--root", str(root), "ingest", "--json",
                            "--no-reflect"], env=env, capture_output=True, text=True, timeout=120)
    report = json.loads(rerun.stdout)
    kept = EMBED_CALL_CHUNKS // 8
    assert (report["added"], report["unchanged"]) == (12 - kept, kept), rerun.stderr


def while_another_ingest_runs(journal_dir, command):
    """Run ``command()`` while another thread holds the ingest lock (filelock's locks are per thread) for up to a
    second, then lets it go; returns what ``command`` returned."""
    (journal_dir / ".journal").mkdir(exist_ok=True)
    held, done = threading.Event(), threading.Event()

    def other_ingest():
        with JournalLock(journal_dir / ".journal" / "ingest.lock", holder="test", timeout=0):
            held.set()
            done.wait(1.0)

    other = threading.Thread(target=other_ingest)
    other.start()
    held.wait(10)
    try:
        return command()
    finally:
        done.set()
        other.join()


WAITING = "waiting for another `journal ingest` (.journal/ingest.lock) to finish..."


def test_add_says_it_waits_for_a_running_ingest(journal_dir, run_cli):
    """`journal add` ingests its note: while another ingest holds the lock, it says so (it waited silently)."""
    result = while_another_ingest_runs(
        journal_dir, lambda: run_cli("add", "--no-reflect", "Queues decouple producers from consumers."))
    assert result.exit_code == 0, result.output
    assert WAITING in result.stderr


def test_digest_says_it_waits_for_a_running_ingest(journal_dir, run_cli):
    """`journal digest` ingests the digest note: it waited 6 minutes silently for a running ingest (issue 20)."""
    (journal_dir / "notes" / "2025-09-17-queues.md").write_text(
        "---\ntitle: Momentum Learning Day 3\ndate: 2025-09-17\n---\nQueues decouple producers from consumers.\n")
    result = while_another_ingest_runs(journal_dir, lambda: run_cli("digest", "--offline", "--week", "2025-09-17"))
    assert result.exit_code == 0, result.output
    assert WAITING in result.stderr
