"""Start-up costs that tests must not time: a fresh process reading a bad ``--date``.

dateparser without ``languages`` tries every locale it knows and takes seconds to
give up on a typo (issue 8); :func:`journal_agent.notes.dates.parse_date` tries only the
configured ones. The test checks the behaviour (only configured languages are read);
this script measures the cost, in CPU seconds of the child (user + system, so a busy
machine changes it little) and as a ratio to ``python -c pass`` measured in the same run.

    python -m benchmarks.bench_startup [--runs 5] [--no-write]
"""

from __future__ import annotations

import argparse
import datetime as dt
import os
import resource
import statistics
import subprocess
import sys

from benchmarks.corpora import REPO
from benchmarks.results import write_section

HEADING = "## Start-up: a bad --date in a fresh process"
CASES = {
    "python -c pass": "pass",
    "import journal_agent.notes.dates": "import journal_agent.notes.dates",
    "parse_date('the twelfth of never')": (
        "from journal_agent.notes.dates import parse_date\n"
        "try:\n    parse_date('the twelfth of never')\nexcept ValueError:\n    pass"),
}


def child_cpu_seconds(code: str) -> float:
    """CPU seconds (user + system) of one ``python -c code`` child."""
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    subprocess.run([sys.executable, "-c", code], check=True, env={**os.environ, "PYTHONPATH": str(REPO)})
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    return (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument("--no-write", action="store_true", help="print only; leave RESULTS.md alone")
    args = parser.parse_args(argv)
    medians = {name: statistics.median(child_cpu_seconds(code) for _ in range(args.runs))
               for name, code in CASES.items()}
    base = medians["python -c pass"]
    lines = ["| command | CPU s (median) | × python -c pass |", "|---|---|---|"]
    lines += [f"| `{name}` | {seconds:.3f} | {seconds / base:.1f} |" for name, seconds in medians.items()]
    table = "\n".join(lines)
    print(table)
    if not args.no_write:
        from benchmarks.__main__ import machine_line

        write_section(f"{HEADING}\n\n{dt.datetime.now():%Y-%m-%d %H:%M}; {machine_line()}. "
                      f"Command: `python -m benchmarks.bench_startup --runs {args.runs}`; medians of "
                      f"{args.runs} runs.\n\n{table}\n")


if __name__ == "__main__":
    main()
