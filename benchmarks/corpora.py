"""Build benchmark journals from the third-party corpora in ../shared/corpora (read by path, never copied).

TIL notes carry no dates, so each copy gets ``date:`` front matter from the
``created`` field of its corpus's ``manifest.jsonl`` (the local date part).
"""

from __future__ import annotations

import json
import os
import shutil
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
CORPORA = Path(os.environ.get("JOURNAL_CORPORA", REPO.parent / "shared" / "corpora"))
TIL_CORPORA = ("simonw-til", "jbranchaud-til")


def manifest(corpus: str) -> list[dict]:
    """The manifest rows of one corpus (path, topic, title, created, ...)."""
    with open(CORPORA / corpus / "manifest.jsonl", encoding="utf-8") as handle:
        return [json.loads(line) for line in handle if line.strip()]


def dated_copy(corpus: str, dest: Path, limit: int | None = None, prefix: str | None = None) -> int:
    """Copy ``corpus`` notes to ``dest/<prefix or corpus>/<path>`` with ``date:`` front matter.

    Returns the number of notes written. ``limit`` keeps the first N manifest rows.
    """
    rows = manifest(corpus)[:limit]
    target_root = dest / (prefix or corpus)
    for row in rows:
        source = CORPORA / corpus / row["path"]
        target = target_root / row["path"]
        target.parent.mkdir(parents=True, exist_ok=True)
        body = source.read_text(encoding="utf-8")
        target.write_text(f"---\ndate: {row['created'][:10]}\n---\n{body}", encoding="utf-8")
    return len(rows)


def make_journal(folder: Path, corpora=TIL_CORPORA, limit: int | None = None) -> Path:
    """A fresh journal at ``folder`` whose notes/ hold dated copies of ``corpora``."""
    from journal_agent.config import default_toml

    if folder.exists():
        shutil.rmtree(folder)
    (folder / "notes").mkdir(parents=True)
    (folder / "journal.toml").write_text(default_toml(series="Momentum Learning"), encoding="utf-8")
    for corpus in corpora:
        dated_copy(corpus, folder / "notes", limit)
    return folder
