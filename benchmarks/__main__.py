"""One command for speed and retrieval quality: ``python -m benchmarks``.

Prints each table as it is measured and writes benchmarks/RESULTS.md (machine
line, date, commit). Medians of ``--runs`` runs (default 3); every ratio is
taken between numbers measured in this same run. Work files go to
benchmarks/.work/ (git-ignored). Sections: ingest, re-ingest, search latency
at scale, command wall time vs grep, peak RSS, agent overhead, site build,
TIL question quality, LoCoMo session retrieval.

    python -m benchmarks [--runs 3] [--only ingest,search,...] [--out benchmarks/RESULTS.md]
"""

from __future__ import annotations

import argparse
import datetime as dt
import os
import platform
import random
import shutil
import statistics
import subprocess
import sys
import time
from pathlib import Path

from benchmarks.corpora import REPO, TIL_CORPORA, make_journal

WORK = REPO / "benchmarks" / ".work"
SECTIONS = ("ingest", "search", "agent", "site", "quality", "learner", "locomo")


def median(values) -> float:
    return statistics.median(values)


def pct(values, q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(round(q * (len(ordered) - 1))))]


def run_journal(root: Path, *args: str) -> tuple[float, int, str]:
    """Run the ``journal`` command in a child process: (wall seconds, peak RSS MiB, stdout).

    Peak RSS comes from GNU time around the command: a child forked straight
    from this (large) benchmark process would count the parent's pages it
    shares between fork and exec.
    """
    import tempfile

    command = [sys.executable, "-m", "journal_agent.cli", "--root", str(root), *args]
    timer = ["/usr/bin/time", "-f", "peak-rss-kib=%M"] if Path("/usr/bin/time").exists() else []
    with tempfile.TemporaryFile("w+") as out, tempfile.TemporaryFile("w+") as err:
        started = time.perf_counter()
        code = subprocess.run(timer + command, stdout=out, stderr=err).returncode
        wall = time.perf_counter() - started
        out.seek(0)
        err.seek(0)
        errors = err.read()
        if code not in (0, 3):
            raise RuntimeError(f"{' '.join(command)} failed: {errors[-2000:]}")
        kib = [int(line.split("=")[1]) for line in errors.splitlines() if line.startswith("peak-rss-kib=")]
        return wall, (kib[-1] // 1024 if kib else -1), out.read()


# -- ingest ------------------------------------------------------------------------
SAMPLE_NOTES = 100  # per corpus, for the 3-run ingest/limit ratio


def _ingest_json(root: Path, *paths: str) -> tuple[float, int, dict]:
    import json

    wall, rss, out = run_journal(root, "ingest", "--no-reflect", "--json", *paths)
    return wall, rss, json.loads(out)


def bench_ingest(runs: int) -> tuple[str, dict]:
    """Full corpora once (the shared TIL journal, reused by later sections); ratios on samples, median of runs."""
    from journal_agent.archive.minilm import MiniLMEmbedder
    from journal_agent.notes.chunking import chunk_markdown
    from journal_agent.notes.model import read_note
    from journal_agent.notes.walk import iter_note_files
    from journal_agent.workspace import open_journal

    embedder = MiniLMEmbedder()
    root = make_journal(WORK / "til")
    data, rows = {}, []
    for corpus in TIL_CORPORA:
        wall, rss, summary = _ingest_json(root, str(root / "notes" / corpus))
        unchanged = [_ingest_json(root, str(root / "notes" / corpus))[0] for _ in range(runs)]
        paths = sorted((root / "notes" / corpus).rglob("*.md"))
        changed = []
        for attempt in range(runs):
            for path in random.Random(attempt).sample(paths, max(1, len(paths) // 100)):
                with path.open("a", encoding="utf-8") as handle:
                    handle.write(f"\nEdited in benchmark run {attempt}.\n")
            changed.append(_ingest_json(root, str(root / "notes" / corpus))[0])

        sample_root = make_journal(WORK / f"sample-{corpus}", corpora=[corpus], limit=SAMPLE_NOTES)
        journal = open_journal(root=sample_root)
        notes = [read_note(p, sample_root, journal.notes_dir) for p in iter_note_files([journal.notes_dir])]
        texts = [c.embedding_text(n.title) for n in notes for c in chunk_markdown(n.body)]
        cold, limit = [], []
        for _ in range(runs):
            shutil.rmtree(sample_root / ".journal", ignore_errors=True)
            cold.append(_ingest_json(sample_root)[0])
            started = time.perf_counter()
            embedder.embed(texts)
            limit.append(time.perf_counter() - started)
        d = {"notes": summary["added"], "chunks": summary["chunks_written"], "cold_s": wall,
             "embed_s": summary["embed_seconds"], "rss_mib": rss,
             "unchanged_s": median(unchanged), "changed_1pct_s": median(changed),
             "sample_chunks": len(texts), "sample_cold_s": median(cold), "sample_limit_s": median(limit)}
        data[corpus] = d
        rows.append(f"| {corpus} | {d['notes']} | {d['chunks']} | {d['cold_s']:.0f} | "
                    f"{d['chunks'] / d['cold_s']:.1f} | {d['embed_s']:.0f} | {d['cold_s'] / d['embed_s']:.2f} | "
                    f"{d['sample_cold_s']:.1f} / {d['sample_limit_s']:.1f} = "
                    f"{d['sample_cold_s'] / d['sample_limit_s']:.2f} | "
                    f"{d['unchanged_s']:.2f} | {d['changed_1pct_s']:.2f} | {d['rss_mib']} |")
    table = ("| corpus | notes | chunks | cold ingest s | chunks/s | of which embedding s | ingest / embedding | "
             f"first {SAMPLE_NOTES} notes: ingest s / embed alone s (median of {runs}) | "
             f"re-ingest unchanged s | re-ingest 1% changed s | peak RSS MiB |\n"
             "|---|---|---|---|---|---|---|---|---|---|---|\n" + "\n".join(rows))
    note = ("Every ingest is the whole `journal ingest` command in a child process (Python start and the "
            "~2 s LanceDB import included). The full-corpus cold ingest runs once (it is most of this "
            "benchmark's time); its embedding share is timed inside that run. The limit column embeds the "
            "same chunk texts of the sample in-process with the same model, already loaded; the ratio is "
            "the overhead of everything that is not the model. Re-ingest times are medians.")
    return table + "\n\n" + note, data


# -- search ------------------------------------------------------------------------
def _til_journal() -> Path:
    """The both-corpora journal the ingest section built (built here when run alone)."""
    root = WORK / "til"
    if not (root / ".journal").exists():
        make_journal(root)
        run_journal(root, "ingest", "--no-reflect")
    return root


def _scaled_store(base_root: Path, target_chunks: int) -> Path:
    """A journal whose store holds the base chunks copied under new note ids up to ~target_chunks."""
    from journal_agent.archive.store import Archive
    from journal_agent.workspace import open_journal

    root = WORK / f"scale-{target_chunks}"
    shutil.rmtree(root, ignore_errors=True)
    (root / "notes").mkdir(parents=True)
    shutil.copy(base_root / "journal.toml", root / "journal.toml")
    base = Archive.open(open_journal(root=base_root))
    rows = base.scan("source = 'note'", None).to_pylist()
    archive = Archive.open(open_journal(root=root))
    copies = max(1, round(target_chunks / len(rows)))
    for copy in range(copies):
        archive._append([{**r, "id": f"copy{copy}/{r['id']}", "path": f"copy{copy}/{r['path']}"} for r in rows])
    archive.optimize()
    return root


def bench_search(runs: int) -> tuple[str, dict]:
    from benchmarks.quality_til import load_questions
    from journal_agent.archive.search import search_notes
    from journal_agent.archive.store import Archive
    from journal_agent.workspace import open_journal

    base_root = _til_journal()
    questions = [q["question"] for q in load_questions()]
    rows, data = [], {}
    for target in (10_000, 100_000):
        root = _scaled_store(base_root, target)
        journal = open_journal(root=root)
        archive = Archive.open(journal)
        chunks = archive.stats().chunks
        for mode in ("fts", "vector", "hybrid"):
            search_notes(journal, questions[0], mode=mode, archive=archive)  # warm: model, caches
            latencies = []
            for _ in range(runs):
                for q in questions:
                    started = time.perf_counter()
                    search_notes(journal, q, mode=mode, archive=archive)
                    latencies.append((time.perf_counter() - started) * 1000)
            data[(target, mode)] = (median(latencies), pct(latencies, 0.95))
            rows.append(f"| {chunks:,} | {mode} | {median(latencies):.0f} | {pct(latencies, 0.95):.0f} |")
    table = ("In-process `search_notes` latency over the 60 TIL questions × runs (ms):\n\n"
             "| chunks | mode | p50 ms | p95 ms |\n|---|---|---|---|\n" + "\n".join(rows))

    # Whole command vs grep, on the base journal (both TIL corpora).
    word = "sqlite"
    cmd, grep, rss = [], [], []
    for _ in range(max(runs, 5)):
        wall, peak, _ = run_journal(base_root, "search", "what did I learn about sqlite vacuum?")
        cmd.append(wall)
        rss.append(peak)
        wall_fts, _, _ = run_journal(base_root, "search", "--mode", "fts", "sqlite vacuum")
        data.setdefault("fts_cmd", []).append(wall_fts)
        started = time.perf_counter()
        subprocess.run(["grep", "-ril", word, str(base_root / "notes")], capture_output=True)
        grep.append(time.perf_counter() - started)
    started = time.perf_counter()
    subprocess.run([sys.executable, "-c", "import lancedb"], check=True)
    floor = time.perf_counter() - started
    data.update({"cmd_s": median(cmd), "fts_cmd_s": median(data["fts_cmd"]), "grep_s": median(grep),
                 "lancedb_import_s": floor, "search_rss_mib": max(rss)})
    table += ("\n\nWhole command wall time, process start included (median of "
              f"{len(cmd)}):\n\n| command | s |\n|---|---|\n"
              f"| `journal search` hybrid | {median(cmd):.2f} |\n"
              f"| `journal search --mode fts` | {median(data['fts_cmd']):.2f} |\n"
              f"| `python -c 'import lancedb'` (floor) | {floor:.2f} |\n"
              f"| `grep -ril {word} notes/` | {median(grep):.3f} |\n\n"
              f"Peak RSS of `journal search` (hybrid): {max(rss)} MiB.")
    return table, data


# -- agent, site, quality -----------------------------------------------------------
def bench_agent(runs: int) -> tuple[str, dict]:
    from benchmarks.bench_agent import run, table

    d = run(WORK / "agent")
    return table(d), d


def bench_site(runs: int) -> tuple[str, dict]:
    from benchmarks.bench_site import run

    d = run(WORK / "site", runs=runs)
    table = ("| build (577 simonw/til notes) | median s |\n|---|---|\n"
             f"| `journal site build`, cold | {d['journal_cold']:.1f} |\n"
             f"| `journal site build`, nothing changed | {d['journal_warm']:.1f} |\n"
             f"| plain `mkdocs build` of the same Markdown | {d['mkdocs_plain']:.1f} |\n"
             f"| ratio cold / plain | {d['journal_cold'] / d['mkdocs_plain']:.2f} |")
    return table, d


def bench_quality(runs: int) -> tuple[str, dict]:
    from benchmarks.quality_til import PARAPHRASES, evaluate, format_table, load_questions
    from journal_agent.workspace import open_journal

    journal = open_journal(root=_til_journal())
    results = evaluate(journal, load_questions())
    paraphrased = evaluate(journal, load_questions(PARAPHRASES))
    return ("60 first-person questions (27 naming a month/season and year) over both TIL corpora "
            "(2,448 notes):\n\n" + format_table(results) +
            "\n\nThe same 60 notes asked in other words (benchmarks/til_paraphrases.jsonl, written before any run):"
            "\n\n" + format_table(paraphrased)), {"original": results, "paraphrased": paraphrased}


def bench_learner(runs: int) -> tuple[str, dict]:
    from benchmarks.learner import report, run

    result = run(WORK / "learner", with_til=_til_journal())
    return report(result), result


def bench_locomo(runs: int) -> tuple[str, dict]:
    from benchmarks.locomo import run

    d = run(WORK / "locomo")
    return (f"{d['sessions']} session notes, {d['questions']} questions (categories 1-4 with evidence); "
            f"recall-any at session level; each question searched within its conversation.\n\n" + d["table"]), d


BENCHES = {"ingest": bench_ingest, "search": bench_search, "agent": bench_agent, "site": bench_site,
           "quality": bench_quality, "learner": bench_learner, "locomo": bench_locomo}
TITLES = {"ingest": "Ingest (speed)", "search": "Search latency", "agent": "Agent overhead",
          "site": "Site build", "quality": "Retrieval quality: TIL questions",
          "learner": "Retrieval quality: a learner's own notes (Day N, dates, weeks, streaks)",
          "locomo": "Retrieval quality: LoCoMo sessions"}


def machine_line() -> str:
    mem = ""
    try:
        kib = int(next(ln for ln in open("/proc/meminfo") if ln.startswith("MemTotal")).split()[1])
        mem = f", {kib / 1024 / 1024:.0f} GiB"
    except (OSError, StopIteration):
        pass
    load = os.getloadavg()[0] if hasattr(os, "getloadavg") else float("nan")
    return (f"{platform.machine()}, {os.cpu_count()} cores{mem}, Python {platform.python_version()}, "
            f"{platform.system()} {platform.release()}; load average at start {load:.1f}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--only", default=",".join(SECTIONS), help=f"comma list of {', '.join(SECTIONS)}")
    parser.add_argument("--out", type=Path, default=REPO / "benchmarks" / "RESULTS.md")
    args = parser.parse_args()
    WORK.mkdir(parents=True, exist_ok=True)
    commit = subprocess.run(["git", "-C", str(REPO), "rev-parse", "--short", "HEAD"], capture_output=True,
                            text=True).stdout.strip() or "unknown"
    header = (f"# Benchmark results\n\n{dt.datetime.now():%Y-%m-%d %H:%M}, commit {commit}; {machine_line()}.\n"
              f"Command: `python -m benchmarks --runs {args.runs}`. Medians of {args.runs} runs unless said.\n")
    print(header)
    parts = [header]
    started = time.perf_counter()
    for name in [s.strip() for s in args.only.split(",") if s.strip()]:
        t0 = time.perf_counter()
        try:
            table, _ = BENCHES[name](args.runs)
        except Exception as exc:  # noqa: BLE001 - a section that cannot run says so in RESULTS.md
            table = f"Could not run: {type(exc).__name__}: {exc}"
        section = f"## {TITLES[name]}\n\n{table}\n\n_{time.perf_counter() - t0:.0f} s_\n"
        print(section, flush=True)
        parts.append(section)
        args.out.write_text("\n".join(parts), encoding="utf-8")
    print(f"total {time.perf_counter() - started:.0f} s; wrote {args.out}")


if __name__ == "__main__":
    main()
