"""Benchmark: `journal site build` vs a plain `mkdocs build` of the same Markdown.

Corpus: the simonw/til notes in ``../shared/corpora/simonw-til`` (577 notes,
read by path). Each note is copied into a scratch journal with ``date:`` front
matter taken from the corpus manifest (``created``) and ``tags: [<topic>]``.

Measured, each the median of ``runs`` runs (default 3), in-process:

* ``journal_cold``  — ``build_site`` with an empty ``site/docs/posts/`` (every note rendered);
* ``journal_warm``  — ``build_site`` again with nothing changed (no post rewritten);
* ``mkdocs_plain``  — ``mkdocs build`` of the 577 unmodified Markdown files with the
  Material theme and its search plugin only (no blog, tags or RSS).

Run: ``python benchmarks/bench_site.py [--runs 3] [--limit N] [--work-dir DIR]``.
Scratch files go under ``benchmarks/.work/`` (git-ignored) unless ``--work-dir``.
"""

from __future__ import annotations

import argparse
import json
import shutil
import statistics
import sys
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
REPO = HERE.parent
CORPUS = REPO.parent / "shared" / "corpora" / "simonw-til"
if str(REPO) not in sys.path:
    sys.path.insert(0, str(REPO))

PLAIN_MKDOCS_YML = """\
site_name: simonw/til (plain mkdocs build)
docs_dir: docs
site_dir: public
theme:
  name: material
  font: false
plugins:
  - search
markdown_extensions:
  - toc:
      permalink: true
  - tables
  - pymdownx.highlight
  - pymdownx.superfences
"""


def til_entries(corpus: Path = CORPUS, limit: int | None = None) -> list[dict]:
    """Manifest rows (path, topic, created, ...) of the corpus, in manifest order."""
    rows = [json.loads(line) for line in (corpus / "manifest.jsonl").read_text().splitlines() if line.strip()]
    return rows[:limit] if limit else rows


def make_til_journal(root: Path, entries: list[dict], corpus: Path = CORPUS) -> Path:
    """A journal at ``root`` whose notes are the corpus files with ``date:``/``tags:`` front matter."""
    from journal_agent import init_journal

    root.mkdir(parents=True, exist_ok=True)
    (root / "journal.toml").write_text(
        '[site]\ntitle = "TIL"\nurl = "https://til.example.org/"\nauthor = "Bench"\n'
        'description = "simonw/til rendered by journal-agent"\n',
        encoding="utf-8",
    )
    for row in entries:
        target = root / "notes" / row["path"]
        target.parent.mkdir(parents=True, exist_ok=True)
        body = (corpus / row["path"]).read_text(encoding="utf-8")
        front = f"---\ndate: {row['created']}\ntags: [{json.dumps(row['topic'])}]\n---\n"
        target.write_text(front + body, encoding="utf-8")
    init_journal(root)
    return root


def make_plain_project(root: Path, entries: list[dict], corpus: Path = CORPUS) -> Path:
    """A plain MkDocs project with the same Markdown files, unmodified."""
    docs = root / "docs"
    for row in entries:
        target = docs / row["path"]
        target.parent.mkdir(parents=True, exist_ok=True)
        shutil.copyfile(corpus / row["path"], target)
    (docs / "index.md").write_text("# TIL\n", encoding="utf-8")
    (root / "mkdocs.yml").write_text(PLAIN_MKDOCS_YML, encoding="utf-8")
    return root / "mkdocs.yml"


def plain_mkdocs_build(config_file: Path) -> float:
    """Seconds for one in-process ``mkdocs build`` (what the ``mkdocs build`` command does)."""
    import logging

    from mkdocs.commands.build import build
    from mkdocs.config import load_config

    logging.getLogger("mkdocs").setLevel(logging.ERROR)
    started = time.perf_counter()
    config = load_config(config_file=str(config_file))
    config.plugins.on_startup(command="build", dirty=False)
    try:
        build(config)
    finally:
        config.plugins.on_shutdown()
    return time.perf_counter() - started


def run(work_dir: Path, runs: int = 3, limit: int | None = None) -> dict:
    """Build both ways ``runs`` times under ``work_dir``; return medians and raw timings (seconds)."""
    from journal_agent.site.build import build_site
    from journal_agent.workspace import open_journal

    work_dir = Path(work_dir)
    shutil.rmtree(work_dir, ignore_errors=True)
    entries = til_entries(limit=limit)
    journal_root = make_til_journal(work_dir / "journal", entries)
    plain_config = make_plain_project(work_dir / "plain", entries)
    journal = open_journal(root=journal_root)
    cold, warm, plain = [], [], []
    report = None
    for _ in range(runs):
        shutil.rmtree(journal.site_dir / "docs" / "posts", ignore_errors=True)
        report = build_site(journal)
        cold.append(report.seconds)
        again = build_site(journal)
        assert not again.rendered, "a warm build rewrote posts"
        warm.append(again.seconds)
        plain.append(plain_mkdocs_build(plain_config))
    return {
        "notes": len(entries),
        "published": report.published if report else 0,
        "failed": len(report.failed) if report else 0,
        "runs": runs,
        "journal_cold": statistics.median(cold),
        "journal_warm": statistics.median(warm),
        "mkdocs_plain": statistics.median(plain),
        "raw": {"journal_cold": cold, "journal_warm": warm, "mkdocs_plain": plain},
    }


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--limit", type=int, default=None, help="only the first N notes")
    parser.add_argument("--work-dir", type=Path, default=HERE / ".work" / "site")
    args = parser.parse_args(argv)
    result = run(args.work_dir, runs=args.runs, limit=args.limit)
    print(f"{result['notes']} simonw/til notes, {result['published']} published, "
          f"{result['failed']} failed; median of {result['runs']} runs")
    print(f"{'build':<42}{'median s':>10}   runs")
    rows = [
        ("journal site build (cold: all posts new)", "journal_cold"),
        ("journal site build (warm: nothing changed)", "journal_warm"),
        ("plain mkdocs build (Material + search)", "mkdocs_plain"),
    ]
    for label, key in rows:
        raw = ", ".join(f"{s:.2f}" for s in result["raw"][key])
        print(f"{label:<42}{result[key]:>10.2f}   {raw}")
    print(f"ratio cold/plain: {result['journal_cold'] / result['mkdocs_plain']:.2f}x")


if __name__ == "__main__":
    main()
