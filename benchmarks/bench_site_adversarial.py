"""Benchmark: `journal site build` on adversarial notes stays within a time budget (issue 21).

The red team's unbounded-work cases, at their sizes, each in its own journal
(the seed note plus the adversarial notes), built cold in-process:

* ``tags_one_note``     — one note of 10,000 tags (59 KB front matter; took 344 s): refused by the
  per-note bound (``front_matter.MAX_WORDS``);
* ``tags_spread``       — 10,000 distinct tags in 100 notes of 100 (the bound): the tags page no longer
  puts each tag in its table of contents (Material's search indexer was quadratic in it);
* ``nested_mix``        — one 250 KB note of nested brackets, emphasis stars and ``<div>``s (never
  finished): refused (``files.MAX_NESTING``);
* ``nested_divs``       — 5,000 nested ``<div>`` (38 s): refused;
* ``under_the_bounds``  — 250 KB of ``<div>``s and brackets nested 60 deep, paragraph after paragraph,
  emphasis runs, 2,000 headings: published;
* ``wide_note``         — one 900 KB note (under the 1 MB bound) of ordinary paragraphs with links.

Each case must finish under ``--budget`` seconds (default 60; the seed alone builds in about 2 s on the
2-core machine of RESULTS.md) and refuse or publish what it should; the run exits 1 otherwise. The
budget is here, not in a test: tests never assert on elapsed time.

Run: ``python -m benchmarks.bench_site_adversarial [--budget 60] [--only CASE] [--work-dir DIR]``.
"""

from __future__ import annotations

import argparse
import json
import random
import shutil
import sys
import time
from collections.abc import Callable
from pathlib import Path

HERE = Path(__file__).resolve().parent
REPO = HERE.parent
if str(REPO) not in sys.path:
    sys.path.insert(0, str(REPO))

SEED = REPO / "notes" / "2025-09-18-momentum-learning-day-2.markdown"
TOML = '[journal]\nseries = "Momentum Learning"\n[site]\ntitle = "Adversarial"\nurl = "https://example.org/"\n'


def _write(path: Path, text: str) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text, encoding="utf-8")


def tags_one_note(notes: Path) -> None:
    tags = ", ".join(str(i) for i in range(10_000))  # 59 KB of front matter, under its 64 KB bound
    _write(notes / "many-tags.md", f"---\ndate: 2025-09-20\ntags: [{tags}]\n---\nBody.\n")


def tags_spread(notes: Path) -> None:
    for n in range(100):
        tags = ", ".join(f"t{n}-{k}" for k in range(100))
        _write(notes / f"tags-{n:03d}.md", f"---\ndate: 2025-09-{1 + n % 28:02d}\ntags: [{tags}]\n---\nBody {n}.\n")


def nested_mix(notes: Path) -> None:
    rng = random.Random(21)
    pieces = ["[", "]", "*", "_", "**", "<div>", "</div>", "(", ")", "`", "x ", "<span>"]
    _write(notes / "nested-mix.md", "# Nested\n\n" + "".join(rng.choice(pieces) for _ in range(60_000)) + "\n")


def nested_divs(notes: Path) -> None:
    _write(notes / "divs.md", "# Divs\n\n" + "<div>" * 5000 + "x" + "</div>" * 5000 + "\n")


def under_the_bounds(notes: Path) -> None:
    divs = "<div>" * 60 + "\n\ntext\n\n" + "</div>" * 60 + "\n\n"
    brackets = "[" * 60 + "x" + "]" * 60 + " [link](https://example.org) *a _b **c** d_ e*\n\n"
    emphasis = "*_" * 500 + "x" + "_*" * 500 + "\n\n"
    body = (divs + brackets) * 300 + emphasis * 20
    _write(notes / "under.md", "# Under the bounds\n\n" + body[:250_000])
    _write(notes / "headings.md", "# Headings\n\n" + "".join(f"## Heading {i}\n\ntext {i}\n\n" for i in range(2000)))


def wide_note(notes: Path) -> None:
    paragraph = ("Plain words with a [link](https://example.org/page) and `code` and *emphasis*. " * 8) + "\n\n"
    _write(notes / "wide.md", "# Wide\n\n" + paragraph * (900_000 // len(paragraph)))


# case → (writer, notes that must be refused (as failed), whether the others must all publish)
CASES: dict[str, tuple[Callable[[Path], None], set[str]]] = {
    "tags_one_note": (tags_one_note, {"notes/many-tags.md"}),
    "tags_spread": (tags_spread, set()),
    "nested_mix": (nested_mix, {"notes/nested-mix.md"}),
    "nested_divs": (nested_divs, {"notes/divs.md"}),
    "under_the_bounds": (under_the_bounds, set()),
    "wide_note": (wide_note, set()),
}


def run_case(name: str, work: Path) -> dict:
    """Build the case's journal cold; returns seconds, published, refused (path → reason)."""
    from journal_agent.site.build import build_site
    from journal_agent.workspace import create_workspace, open_journal

    root = work / name
    shutil.rmtree(root, ignore_errors=True)
    create_workspace(root)
    (root / "journal.toml").write_text(TOML, encoding="utf-8")
    shutil.copy(SEED, root / "notes" / SEED.name)
    writer, _ = CASES[name]
    writer(root / "notes")
    journal = open_journal(root=root)
    started = time.perf_counter()
    report = build_site(journal)
    seconds = time.perf_counter() - started
    return {"seconds": round(seconds, 2), "published": report.published, "refused": dict(report.failed)}


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--budget", type=float, default=60.0, help="seconds each case may take (default 60)")
    parser.add_argument("--only", choices=sorted(CASES), action="append", help="run only this case (repeatable)")
    parser.add_argument("--work-dir", type=Path, default=HERE / ".work" / "site-adversarial")
    args = parser.parse_args(argv)
    failures = []
    for name in args.only or list(CASES):
        result = run_case(name, args.work_dir)
        expected = CASES[name][1]
        refused = set(result["refused"])
        verdict = "ok"
        if result["seconds"] > args.budget:
            verdict = f"OVER BUDGET ({result['seconds']:.1f} s > {args.budget:.0f} s)"
        elif refused != expected:
            verdict = f"refused {sorted(refused)}, expected {sorted(expected)}"
        if verdict != "ok":
            failures.append(f"{name}: {verdict}")
        print(json.dumps({"case": name, **result, "verdict": verdict}, ensure_ascii=False), flush=True)
    for line in failures:
        print(f"FAIL {line}", file=sys.stderr)
    return 1 if failures else 0


if __name__ == "__main__":
    raise SystemExit(main())
