"""Every journal's shape (issue 18): search, show and stats on public learning journals of other learners.

For each journal of journals.toml (materialised by fetch_journals.py into
benchmarks/.work/journals/<name>/) a fresh workspace is made with ``journal
init``, the journal is put in it as its author keeps it, and ``journal ingest
--no-reflect`` reads it. Two placements:

* ``source`` (the real user path): ``journal ingest benchmarks/.work/journals/<name>``,
  an extra folder beside the workspace's empty notes/;
* ``notes``: the same files copied under ``notes/<name>/`` (what ``list``,
  ``show`` and ``stats`` read on main before issue 18).

Then the questions of <name>.jsonl (written from the notes before any run)
are asked through the real command line (click's runner in this process, so
the model loads once; ``--subprocess`` starts ``python -m journal_agent.cli``
per call instead):

* search questions (kinds day, date, range, first, topic, relative): ``journal search
  --json -n 10 QUESTION`` in hybrid mode and with ``--mode fts`` (BM25 only, the
  baseline). A question names its expected note path(s) and entry heading(s).
  Scored at **entry level**: a hit is right when its path is an expected note
  and, where the expected note holds several entries, the hit names the
  expected entry: an ``entry``/``entry_heading``/``heading`` field equal to the
  entry's heading (a " > " heading path counts when one of its parts is), or a
  ``line``/``entry_line`` field equal to the heading's line. Note level (path
  only) is reported beside it: for a single-file log every hit is the right
  note, so only the entry level says anything there.
* ``show`` questions: ``journal show --json REF``; right when the note is the
  expected one and, for a note of several entries, the output names the entry
  (same fields) or its text starts at the entry's heading.
* ``stats`` questions: ``journal stats --json``; ``days``, ``gaps`` (a count),
  ``first_date``, ``last_date``, ``longest_streak.days/from/until`` and
  ``month_days:YYYY-MM`` (study days in a month: a ``month_days`` /
  ``days_per_month`` map when the JSON has one, else ``months``, which counts
  notes on main).

Hit@k / MRR@10 as in benchmarks/metrics.py (Hit@1 is Recall@1 for a question
with one expected entry).

    python -m benchmarks.journal_shapes.run [--only NAME ...] [--placement source notes] [--reuse] [--write]

``--write`` replaces the "Journal shapes" section of benchmarks/RESULTS.md.
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import os
import platform
import re
import shutil
import subprocess
import sys
import time
from collections.abc import Callable, Sequence
from pathlib import Path

from benchmarks.corpora import REPO
from benchmarks.journal_shapes.fetch_journals import OUT as JOURNALS_DIR
from benchmarks.journal_shapes.fetch_journals import load_journals
from benchmarks.metrics import summarize

HERE = Path(__file__).resolve().parent
WORK = REPO / "benchmarks" / ".work" / "journal_shapes"
SEARCH_KINDS = ("day", "date", "range", "first", "topic", "relative")
PLACEMENTS = ("source", "notes")
ENTRY_TEXT_KEYS = ("entry_heading", "entry", "heading")
ENTRY_LINE_KEYS = ("entry_line", "line")
Runner = Callable[[Path, Sequence[str]], tuple[int, str]]


# ----------------------------------------------------------------------------- questions


def load_questions(name: str) -> list[dict]:
    """The questions of ``<name>.jsonl`` and ``.batch2.jsonl`` .. ``.batch4.jsonl`` (id, kind, question/ref/stat,
    expect).

    Batch 2 (kind ``relative``: "the day after I finished X", "my first ten days") was written after the first
    run of batch 1 and committed before its own first run; batch 3 (first/last/relative questions, a guard
    against fitting the first two) likewise, before any change for them. Batch 4 (issue 23's round 3: day,
    date, range, first and topic questions in the forms learners type) was written blind by two helpers who
    ran nothing, and committed before its first run.
    """
    out = []
    for path in [HERE / f"{name}.jsonl", *(HERE / f"{name}.batch{n}.jsonl" for n in (2, 3, 4))]:
        if path.exists():
            with open(path, encoding="utf-8") as handle:
                out += [json.loads(line) for line in handle if line.strip()]
    return out


def _clean(heading: str) -> str:
    return re.sub(r"\s+", " ", re.sub(r"^#+\s*", "", heading)).strip().casefold()


def heading_lines(path: Path) -> dict[str, int]:
    """``{cleaned heading text: 1-based line}`` of the ATX headings of a note file (outside code fences)."""
    out: dict[str, int] = {}
    fenced = False
    for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), start=1):
        if line.lstrip().startswith("```"):
            fenced = not fenced
        elif not fenced and line.startswith("#"):
            out.setdefault(_clean(line), number)
    return out


def resolve(questions: list[dict], folder: Path) -> list[dict]:
    """Each expected entry gains ``line`` (its heading's line in the file) and the note's ``entries`` count.

    Raises ValueError when a question names a missing note or heading (the question set is then wrong).
    """
    cache: dict[str, dict[str, int]] = {}
    for q in questions:
        for e in q.get("expect", []):
            path = folder / e["path"]
            if not path.is_file():
                raise ValueError(f"{q['id']}: no note {e['path']} in {folder}")
            heads = cache.setdefault(e["path"], heading_lines(path))
            if e["entry"] and _clean(e["entry"]) not in heads:
                raise ValueError(f"{q['id']}: no heading {e['entry']!r} in {e['path']}")
            e["line"] = heads.get(_clean(e["entry"]), 1) if e["entry"] else 1
    return questions


# ----------------------------------------------------------------------------- running the CLI


def in_process() -> Runner:
    """Run ``journal --root ROOT ARGS`` through click's test runner in this process: ``(exit code, stdout)``."""
    from click.testing import CliRunner

    from journal_agent.cli import main

    runner = CliRunner()

    def run(root: Path, args: Sequence[str]) -> tuple[int, str]:
        result = runner.invoke(main, ["--root", str(root), *args], catch_exceptions=True)
        return result.exit_code, result.stdout

    return run


def as_subprocess(root: Path, args: Sequence[str]) -> tuple[int, str]:
    """Run ``python -m journal_agent.cli --root ROOT ARGS`` in a child process: ``(exit code, stdout)``."""
    env = os.environ | {"PYTHONPATH": str(REPO)}
    done = subprocess.run([sys.executable, "-m", "journal_agent.cli", "--root", str(root), *args],
                          capture_output=True, text=True, env=env, cwd=root)
    return done.returncode, done.stdout


def build(name: str, placement: str, work: Path, run: Runner, reuse: bool = False) -> tuple[Path, dict]:
    """A workspace holding journal ``name`` in ``placement``, ingested; ``(root, {"seconds", "exit"})``."""
    root = work / placement / name
    folder = JOURNALS_DIR / name
    if reuse and (root / ".journal").exists():
        return root, {"seconds": 0.0, "exit": 0, "reused": True}
    if root.exists():
        shutil.rmtree(root)
    root.parent.mkdir(parents=True, exist_ok=True)
    code, out = run(root.parent, ["init", str(root)])
    if code != 0:
        raise RuntimeError(f"journal init {root} failed ({code}): {out}")
    start = time.perf_counter()
    if placement == "notes":
        shutil.copytree(folder, root / "notes" / name)
        code, out = run(root, ["ingest", "--no-reflect", "--json"])
    else:
        code, out = run(root, ["ingest", "--no-reflect", "--json", str(folder)])
    return root, {"seconds": time.perf_counter() - start, "exit": code, "summary": out.strip()[-400:]}


# ----------------------------------------------------------------------------- scoring


def _norm_path(path: str) -> str:
    return "/" + path.replace("\\", "/").lstrip("./")


def same_note(found: str | None, expected: str) -> bool:
    """Whether a path the tool printed (absolute, journal-relative, ``notes/<name>/...``) is ``expected``."""
    return found is not None and _norm_path(found).endswith("/" + expected)


def names_entry(record: dict, e: dict) -> bool | None:
    """Whether ``record`` (a search hit or a shown note) names entry ``e``; ``None`` when it names none."""
    named = None
    for key in ENTRY_LINE_KEYS:
        value = record.get(key)
        if isinstance(value, int) and not isinstance(value, bool):
            if value == e["line"]:
                return True
            named = False
    for key in ENTRY_TEXT_KEYS:
        value = record.get(key)
        if isinstance(value, dict):
            value = value.get("heading")
        if isinstance(value, str) and value:
            if _clean(e["entry"]) in {_clean(part) for part in value.split(" > ")}:
                return True
            named = False
    return named


def hit_rank(results: list[dict], q: dict, entry_level: bool) -> int | None:
    """1-based rank of the first result that is an expected note (and, at entry level, entry)."""
    for rank, hit in enumerate(results, start=1):
        for e in q["expect"]:
            if not same_note(hit.get("path"), e["path"]):
                continue
            if not entry_level or not e["entry"] or names_entry(hit, e):
                return rank
    return None


def ask_search(root: Path, questions: list[dict], mode: str, run: Runner) -> list[dict]:
    """``[{"id", "kind", "entry_rank", "note_rank", "names_entries", "top"}]`` for the search questions."""
    out = []
    for q in questions:
        code, text = run(root, ["search", "--json", "-n", "10", "--mode", mode, q["question"]])
        try:
            results = json.loads(text)["results"] if code == 0 else []
        except (json.JSONDecodeError, KeyError):
            results = []
        named = any(names_entry(h, {"entry": "\0", "line": -1}) is not None for h in results)
        top = results[0] if results else {}
        paths = [h.get("path") for h in results]
        out.append({"id": q["id"], "kind": q["kind"], "entry_rank": hit_rank(results, q, True),
                    "note_rank": hit_rank(results, q, False), "names_entries": named, "exit": code,
                    "per_entry": len(paths) != len(set(paths)),
                    "top": f"{top.get('path', '-')} :: {top.get('heading', '')}"[:160]})
    return out


def shown_right(shown: dict, q: dict, folder: Path) -> bool:
    """Whether ``journal show --json`` output is the expected note (and entry: see the module docstring)."""
    path = shown.get("path") or ""
    for e in q["expect"]:
        if not same_note(path, e["path"]):
            continue
        if not e["entry"]:
            return True
        named = names_entry(shown, e)
        if named is not None:
            return named
        text = (shown.get("text") or "").lstrip()
        first = text.splitlines()[0] if text else ""
        if _clean(first) == _clean(e["entry"]):
            return True
    return False


def ask_show(root: Path, questions: list[dict], folder: Path, run: Runner) -> list[dict]:
    out = []
    for q in questions:
        code, text = run(root, ["show", "--json", q["ref"]])
        try:
            shown = json.loads(text) if code == 0 else {}
        except json.JSONDecodeError:
            shown = {}
        ok = shown_right(shown, q, folder)
        out.append({"id": q["id"], "ref": q["ref"], "right": ok, "exit": code,
                    "got": f"{shown.get('path', '-')} :: {(shown.get('text') or '').lstrip()[:60]!r}"})
    return out


def stat_value(stats: dict, key: str) -> tuple[object, str]:
    """The answer ``stats`` (``journal stats --json``) gives to ``key``, and the JSON field it came from."""
    if key == "gaps":
        return len(stats.get("gaps") or []), "gaps (count)"
    if key.startswith("month_days:"):
        month = key.split(":", 1)[1]
        for field in ("month_days", "days_per_month", "study_days_by_month"):
            if isinstance(stats.get(field), dict):
                return stats[field].get(month, 0), field
        return (stats.get("months") or {}).get(month, 0), "months (notes per month)"
    value: object = stats
    for part in key.split("."):
        value = value.get(part) if isinstance(value, dict) else None
    return value, key


def ask_stats(root: Path, questions: list[dict], run: Runner) -> list[dict]:
    code, text = run(root, ["stats", "--json"])
    try:
        stats = json.loads(text) if code == 0 else {}
    except json.JSONDecodeError:
        stats = {}
    out = []
    for q in questions:
        got, field = stat_value(stats, q["stat"])
        out.append({"id": q["id"], "stat": q["stat"], "want": q["answer"], "got": got, "field": field,
                    "right": got == q["answer"]})
    return out


def table_of(rows: list[dict], rank_key: str) -> dict[str, dict]:
    """``{"all" | kind: summarize(ranks)}``."""
    table = {"all": summarize([r[rank_key] for r in rows])}
    for kind in SEARCH_KINDS:
        ranks = [r[rank_key] for r in rows if r["kind"] == kind]
        if ranks:
            table[kind] = summarize(ranks)
    return table


# ----------------------------------------------------------------------------- the benchmark


def run_journal(name: str, placement: str, work: Path, run: Runner, reuse: bool = False) -> dict:
    """Build, ingest and ask every question of one journal in one placement."""
    questions = resolve(load_questions(name), JOURNALS_DIR / name)
    root, ingest = build(name, placement, work, run, reuse)
    search_qs = [q for q in questions if q["kind"] in SEARCH_KINDS]
    result: dict = {"name": name, "placement": placement, "ingest": ingest, "questions": len(questions)}
    for mode in ("hybrid", "fts"):
        rows = ask_search(root, search_qs, mode, run)
        result[mode] = {"rows": rows, "entry": table_of(rows, "entry_rank"), "note": table_of(rows, "note_rank"),
                        "names_entries": sum(r["names_entries"] for r in rows)}
    result["show"] = ask_show(root, [q for q in questions if q["kind"] == "show"], JOURNALS_DIR / name, run)
    result["stats"] = ask_stats(root, [q for q in questions if q["kind"] == "stats"], run)
    return result


def _cell(table: dict, kind: str) -> str:
    row = table.get(kind)
    return "–" if not row or not row["n"] else f"{row['Hit@1']:.2f}"


def pooled(results: list[dict], mode: str, level: str) -> dict[str, dict]:
    rows = [r for res in results for r in res[mode]["rows"]]
    return table_of(rows, f"{level}_rank")


def format_tables(results: list[dict], placement: str) -> str:
    """Per journal: entry-level Hit@1 by kind (hybrid; BM25 after the slash), Hit@5, MRR@10, note-level Hit@1,
    show and stats right/total; then all journals pooled."""
    chosen = [r for r in results if r["placement"] == placement]
    head = (f"| journal | n | {' | '.join(SEARCH_KINDS)} | all Hit@1 | Hit@5 | MRR@10 | note-level Hit@1 "
            "| show right | stats right |")
    lines = [head, "|---" * (8 + len(SEARCH_KINDS)) + "|"]

    def line(label: str, hybrid: dict, fts: dict, note: dict, show: list, stats: list) -> str:
        kinds = " | ".join(f"{_cell(hybrid, k)} / {_cell(fts, k)}" for k in SEARCH_KINDS)
        a, b = hybrid["all"], fts["all"]
        return (f"| {label} | {a['n']} | {kinds} | {a['Hit@1']:.3f} / {b['Hit@1']:.3f} | {a['Hit@5']:.3f} / "
                f"{b['Hit@5']:.3f} | {a['MRR@10']:.3f} / {b['MRR@10']:.3f} | {note['all']['Hit@1']:.3f} | "
                f"{sum(s['right'] for s in show)}/{len(show)} | {sum(s['right'] for s in stats)}/{len(stats)} |")

    for res in chosen:
        lines.append(line(res["name"], res["hybrid"]["entry"], res["fts"]["entry"], res["hybrid"]["note"],
                          res["show"], res["stats"]))
    if len(chosen) > 1:
        lines.append(line("**all**", pooled(chosen, "hybrid", "entry"), pooled(chosen, "fts", "entry"),
                          pooled(chosen, "hybrid", "note"), [s for r in chosen for s in r["show"]],
                          [s for r in chosen for s in r["stats"]]))
    return "\n".join(lines)


def misses(results: list[dict]) -> list[str]:
    """One line per journal and placement: the search questions not first (hybrid, entry level), show and stats
    answers wrong."""
    out = []
    for res in results:
        wrong = [r["id"] for r in res["hybrid"]["rows"] if r["entry_rank"] != 1]
        shows = [f"{s['ref']}" for s in res["show"] if not s["right"]]
        stats = [f"{s['stat']}={s['got']} (want {s['want']})" for s in res["stats"] if not s["right"]]
        out.append(f"- {res['placement']}/{res['name']}: search not first: {', '.join(wrong) or 'none'}; "
                   f"show wrong: {', '.join(shows) or 'none'}; stats wrong: {'; '.join(stats) or 'none'}")
    return out


def report(results: list[dict], seconds: float, commit: str) -> str:
    """The RESULTS.md section."""
    journals = {j["name"]: j for j in load_journals()}
    names = sorted({r["name"] for r in results}, key=list(journals).index)
    parts = [
        "## Journal shapes (issue 18)",
        "",
        f"{dt.datetime.now(dt.UTC):%Y-%m-%d %H:%M} UTC, journal_agent/ as of commit {commit}; {platform.machine()}, "
        f"{os.cpu_count()} cores shared with other jobs. "
        "Command: `python -m benchmarks.journal_shapes.fetch_journals && python -m benchmarks.journal_shapes.run "
        "--write`.",
        "",
        "Public learning journals of other learners (benchmarks/journal_shapes/journals.toml; their text is not in "
        "this repository), each ingested as its author keeps it. Questions (benchmarks/journal_shapes/<name>.jsonl) "
        "were written from the notes and committed before the first run. Search is scored at entry level (the hit "
        "must be the expected note and name the expected entry: heading, or heading line); cells are Hit@1 "
        "hybrid / BM25 (`--mode fts`).",
        "",
    ]
    for name in names:
        j = journals[name]
        parts.append(f"- **{name}** ([{j['repo']}](https://github.com/{j['repo']}) @ {j['commit'][:7]}, "
                     f"`{' '.join(j['paths'])}`): {' '.join(j['shape'].split())}")
    for placement in dict.fromkeys(r["placement"] for r in results):
        how = ("`journal ingest <folder>` (an extra source, the real user path)" if placement == "source"
               else "copied into `notes/<name>/`, then `journal ingest`")
        parts += ["", f"Placement **{placement}**: {how}.", "", format_tables(results, placement)]
    named = sum(r[m]["names_entries"] for r in results for m in ("hybrid", "fts"))
    if not any(row.get("per_entry") for r in results for m in ("hybrid", "fts") for row in r[m]["rows"]):
        parts += ["", ("`journal search` returned one hit per note (its best chunk), so a single-file log is one "
                       "result: Hit@5 equals Hit@1 there, and note level is always 1.000.")]
    parts += ["", (f"Search results naming an entry field (`entry`/`entry_heading`/`line`, or a chunk `heading` "
                   f"path): {named} result lists of "
                   f"{sum(len(r[m]['rows']) for r in results for m in ('hybrid', 'fts'))}; where none is named the "
                   "entry level falls back to the chunk's heading path."), "", "Misses:", "", *misses(results),
              "", f"_{seconds:.0f} s_"]
    return "\n".join(parts) + "\n"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--only", nargs="*", help="journal names (default: all of journals.toml)")
    parser.add_argument("--placement", nargs="*", choices=PLACEMENTS, default=list(PLACEMENTS))
    parser.add_argument("--work", type=Path, default=WORK)
    parser.add_argument("--reuse", action="store_true", help="keep already ingested workspaces")
    parser.add_argument("--subprocess", action="store_true", help="one `python -m journal_agent.cli` per call")
    parser.add_argument("--write", action="store_true", help="replace the section in benchmarks/RESULTS.md")
    parser.add_argument("--dump", type=Path, help="write every row as JSON here")
    parser.add_argument("--from-dump", type=Path, help="only write the report of an earlier run's --dump")
    args = parser.parse_args()
    if args.from_dump:
        saved = json.loads(args.from_dump.read_text(encoding="utf-8"))
        section = report(saved["results"], saved["seconds"], saved["commit"])
        print(section)
        if args.write:
            from benchmarks.results import write_section

            write_section(section)
        return
    run = as_subprocess if args.subprocess else in_process()
    names = args.only or [j["name"] for j in load_journals()]
    start = time.perf_counter()
    results = []
    for placement in args.placement:
        for name in names:
            began = time.perf_counter()
            results.append(run_journal(name, placement, args.work, run, args.reuse))
            print(f"{placement}/{name}: {time.perf_counter() - began:.0f} s "
                  f"(ingest {results[-1]['ingest']['seconds']:.0f} s, exit {results[-1]['ingest']['exit']})",
                  flush=True)
    commit = subprocess.run(["git", "log", "-1", "--format=%h", "--", "journal_agent"], capture_output=True,
                            text=True, cwd=REPO).stdout.strip()
    seconds = time.perf_counter() - start
    section = report(results, seconds, commit)
    print(section)
    if args.dump:
        args.dump.write_text(json.dumps({"results": results, "seconds": seconds, "commit": commit}, indent=1,
                                        default=str), encoding="utf-8")
    if args.write:
        from benchmarks.results import write_section

        write_section(section)


if __name__ == "__main__":
    main()
