"""Materialise the public journals of journals.toml from their fetched mirrors, as their authors keep them.

Each journal's ``paths`` at ``commit`` are extracted with ``git archive`` from
``/work/.mirror/<owner>+<name>/repo`` (a bare git directory, or a clone with a
``.git``) into ``benchmarks/.work/journals/<name>/`` (git-ignored: the notes'
text stays out of this repository). A mirror is what the session's ``fetch``
tool brings; ``--mirrors`` points elsewhere.

    python -m benchmarks.journal_shapes.fetch_journals [--mirrors /work/.mirror] [--out benchmarks/.work/journals]
        [--only NAME ...]
"""

from __future__ import annotations

import argparse
import io
import shutil
import subprocess
import tarfile
import tomllib
from pathlib import Path

HERE = Path(__file__).resolve().parent
JOURNALS = HERE / "journals.toml"
OUT = HERE.parent / ".work" / "journals"
MIRRORS = Path("/work/.mirror")


def load_journals(path: Path = JOURNALS) -> list[dict]:
    """The ``[[journal]]`` tables: name, repo, commit, paths, licence, shape."""
    with open(path, "rb") as handle:
        return tomllib.load(handle)["journal"]


def git_dir(mirrors: Path, repo: str) -> Path:
    """The git directory of ``repo`` ("owner/name") under ``mirrors``; FileNotFoundError when not fetched."""
    root = mirrors / repo.replace("/", "+") / "repo"
    for candidate in (root / ".git", root):
        if (candidate / "HEAD").exists():
            return candidate
    raise FileNotFoundError(f"{repo} is not fetched under {mirrors} (fetch github:{repo} first)")


def materialise(journal: dict, mirrors: Path = MIRRORS, out: Path = OUT) -> Path:
    """Extract the journal's paths at its commit into ``out/<name>/`` (replaced); returns that folder.

    Files keep their paths inside the repository (``_posts/...``); ``git archive`` gives them the commit's time
    as modification time.
    """
    target = out / journal["name"]
    if target.exists():
        shutil.rmtree(target)
    target.mkdir(parents=True)
    archive = subprocess.run(["git", "--git-dir", str(git_dir(mirrors, journal["repo"])), "archive",
                              journal["commit"], *journal["paths"]], check=True, capture_output=True).stdout
    with tarfile.open(fileobj=io.BytesIO(archive)) as tar:
        tar.extractall(target, filter="data")
    return target


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--mirrors", type=Path, default=MIRRORS)
    parser.add_argument("--out", type=Path, default=OUT)
    parser.add_argument("--only", nargs="*", help="journal names (default: all of journals.toml)")
    args = parser.parse_args()
    for journal in load_journals():
        if args.only and journal["name"] not in args.only:
            continue
        folder = materialise(journal, args.mirrors, args.out)
        files = sorted(p for p in folder.rglob("*") if p.is_file())
        print(f"{journal['name']}: {len(files)} files in {folder}")


if __name__ == "__main__":
    main()
