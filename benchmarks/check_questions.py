#!/usr/bin/env python3
"""Validate benchmarks/til_questions.jsonl against the third-party TIL corpora.

Checks, for every question line:

* the line is a JSON object with exactly the fields
  ``id, question, corpus, path, kind`` (a fresh set, til_fresh_*.jsonl: plus ``style``,
  ``direct`` or ``paraphrase``);
* ids are unique and run q01, q02, ... in order (a fresh set: fa01 or fb01, ...);
* ``corpus`` is a known corpus and ``(corpus, path)`` is a row of that
  corpus's ``manifest.jsonl`` (and the note file exists on disk);
* ``kind`` is ``plain`` or ``dated``;
* a ``dated`` question names exactly one time expression, and it matches the
  *local* date of the manifest ``created`` field (the part before ``T``, with
  no timezone conversion).  Accepted forms:
    - "<Month> <YYYY>"                     e.g. "March 2021"
    - "early|mid|late <YYYY>"              early=Jan-Apr, mid=May-Aug, late=Sep-Dec
    - "spring|summer|fall|autumn|winter <YYYY>"
                                           spring=Mar-May, summer=Jun-Aug,
                                           fall/autumn=Sep-Nov, winter=Dec/Jan/Feb
                                           of that same year
* a ``plain`` question names no month/season phrase and no year.

Prints a summary and exits 1 if anything is wrong.

The corpora are read in place (never copied): the root defaults to
/work/shared/corpora and can be changed with --corpora-dir or the
TIL_CORPORA_DIR environment variable.

Usage: python benchmarks/check_questions.py [--questions FILE] [--corpora-dir DIR]
"""

from __future__ import annotations

import argparse
import collections
import json
import os
import re
import sys
from pathlib import Path

HERE = Path(__file__).resolve().parent
DEFAULT_QUESTIONS = HERE / "til_questions.jsonl"
DEFAULT_CORPORA = os.environ.get("TIL_CORPORA_DIR", "/work/shared/corpora")
CORPORA = ("simonw-til", "jbranchaud-til")
KINDS = ("plain", "dated")
FIELDS = {"id", "question", "corpus", "path", "kind"}
STYLES = {"direct", "paraphrase"}

MONTHS = [
    "january", "february", "march", "april", "may", "june",
    "july", "august", "september", "october", "november", "december",
]
PERIODS = {
    "early": {1, 2, 3, 4},
    "mid": {5, 6, 7, 8},
    "late": {9, 10, 11, 12},
    "spring": {3, 4, 5},
    "summer": {6, 7, 8},
    "fall": {9, 10, 11},
    "autumn": {9, 10, 11},
    "winter": {12, 1, 2},
}

MONTH_RE = re.compile(r"\b(" + "|".join(MONTHS) + r")(?:\s+of)?,?\s+((?:19|20)\d\d)\b", re.I)
PERIOD_RE = re.compile(
    r"\b(" + "|".join(PERIODS) + r")(?:[-\s]+of)?[-\s]+((?:19|20)\d\d)\b", re.I
)
YEAR_RE = re.compile(r"\b(?:19|20)\d\d\b")
# "May" is also a modal verb, so a bare month name is only flagged when it is
# not "may"; month+year is always flagged.
BARE_MONTH_RE = re.compile(
    r"\b(" + "|".join(m for m in MONTHS if m != "may") + r")\b", re.I
)


def load_manifests(root: Path) -> dict[str, dict[str, dict]]:
    manifests = {}
    for corpus in CORPORA:
        path = root / corpus / "manifest.jsonl"
        rows = {}
        with path.open(encoding="utf-8") as fh:
            for line in fh:
                if line.strip():
                    row = json.loads(line)
                    rows[row["path"]] = row
        manifests[corpus] = rows
    return manifests


def date_expressions(text: str) -> list[tuple[str, int, set[int]]]:
    """Return (phrase, year, allowed months) for each time expression in text."""
    found = []
    for m in MONTH_RE.finditer(text):
        month = MONTHS.index(m.group(1).lower()) + 1
        found.append((m.group(0), int(m.group(2)), {month}))
    for m in PERIOD_RE.finditer(text):
        found.append((m.group(0), int(m.group(2)), PERIODS[m.group(1).lower()]))
    return found


def check(questions_path: Path, corpora_root: Path) -> int:
    errors: list[str] = []
    manifests = load_manifests(corpora_root)
    questions = []
    with questions_path.open(encoding="utf-8") as fh:
        for lineno, line in enumerate(fh, 1):
            if not line.strip():
                errors.append(f"line {lineno}: blank line")
                continue
            try:
                q = json.loads(line)
            except json.JSONDecodeError as exc:
                errors.append(f"line {lineno}: invalid JSON ({exc})")
                continue
            fields = FIELDS | {"style"} if questions_path.name.startswith("til_fresh_") else FIELDS
            if not isinstance(q, dict) or set(q) != fields:
                errors.append(f"line {lineno}: expected exactly fields {sorted(fields)}")
                continue
            if "style" in fields and q["style"] not in STYLES:
                errors.append(f"line {lineno}: unknown style {q['style']!r}")
            questions.append(q)

    seen_targets = collections.Counter()
    dated_rows = []
    prefix = "f" + questions_path.stem[-1] if questions_path.name.startswith("til_fresh_") else "q"
    for i, q in enumerate(questions, 1):
        qid = q["id"]
        if qid != f"{prefix}{i:02d}":
            errors.append(f"{qid}: expected id {prefix}{i:02d}")
        if q["corpus"] not in manifests:
            errors.append(f"{qid}: unknown corpus {q['corpus']!r}")
            continue
        if q["kind"] not in KINDS:
            errors.append(f"{qid}: unknown kind {q['kind']!r}")
        row = manifests[q["corpus"]].get(q["path"])
        if row is None:
            errors.append(f"{qid}: {q['corpus']}/{q['path']} not in manifest")
            continue
        if not (corpora_root / q["corpus"] / q["path"]).is_file():
            errors.append(f"{qid}: note file missing on disk: {q['corpus']}/{q['path']}")
        seen_targets[(q["corpus"], q["path"])] += 1

        text = q["question"]
        if not text.strip():
            errors.append(f"{qid}: empty question")
        local_date = row["created"].split("T", 1)[0]  # local date, no tz conversion
        year, month = int(local_date[:4]), int(local_date[5:7])
        exprs = date_expressions(text)
        if q["kind"] == "dated":
            if len(exprs) != 1:
                errors.append(
                    f"{qid}: dated question must contain exactly one time expression, "
                    f"found {[e[0] for e in exprs]}"
                )
                continue
            phrase, qyear, months = exprs[0]
            ok = qyear == year and month in months
            dated_rows.append((qid, phrase, local_date, ok))
            if not ok:
                errors.append(
                    f"{qid}: question says {phrase!r} but {q['corpus']}/{q['path']} "
                    f"was created {local_date} (created={row['created']})"
                )
            stray_years = [y for y in YEAR_RE.findall(text) if int(y) != qyear]
            if stray_years:
                errors.append(f"{qid}: extra year(s) in dated question: {stray_years}")
        elif q["kind"] == "plain":
            if exprs or YEAR_RE.search(text) or BARE_MONTH_RE.search(text):
                errors.append(f"{qid}: plain question mentions a date/time period: {text!r}")

    for (corpus, path), n in seen_targets.items():
        if n > 1:
            errors.append(f"{corpus}/{path} is the target of {n} questions")

    # ---- summary -------------------------------------------------------
    counts = collections.Counter((q["corpus"], q["kind"]) for q in questions)
    print(f"{questions_path.name}: {len(questions)} questions (corpora at {corpora_root})")
    for corpus in CORPORA:
        topics = {q["path"].split("/", 1)[0] for q in questions if q["corpus"] == corpus}
        short = sum(
            1 for q in questions
            if q["corpus"] == corpus
            and manifests[corpus].get(q["path"], {}).get("bytes", 10**9) < 500
        )
        total = sum(counts[(corpus, k)] for k in KINDS)
        print(
            f"  {corpus:15s} total={total:3d}  plain={counts[(corpus, 'plain')]:3d}  "
            f"dated={counts[(corpus, 'dated')]:3d}  topics={len(topics):3d}  "
            f"short notes (<500 bytes)={short}"
        )
    print(f"  dated questions: {sum(1 for q in questions if q['kind'] == 'dated')}")
    for qid, phrase, local_date, ok in dated_rows:
        print(f"    {qid}  {phrase!r:24s} created {local_date}  {'ok' if ok else 'MISMATCH'}")

    if errors:
        print(f"\n{len(errors)} problem(s):")
        for e in errors:
            print(f"  - {e}")
        return 1
    print("\nall checks passed")
    return 0


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--questions", type=Path, default=DEFAULT_QUESTIONS)
    ap.add_argument("--corpora-dir", type=Path, default=Path(DEFAULT_CORPORA))
    args = ap.parse_args(argv)
    return check(args.questions, args.corpora_dir)


if __name__ == "__main__":
    sys.exit(main())
