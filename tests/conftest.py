"""Shared fixtures: throwaway journals and the real CLI through Click's CliRunner."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest
from click.testing import CliRunner

REPO = Path(__file__).resolve().parent.parent
SHARED = REPO.parent / "shared"
SEED = SHARED / "seeds" / "Momentum Learning Day 2.markdown"
SIMONW = SHARED / "corpora" / "simonw-til"
JBRANCHAUD = SHARED / "corpora" / "jbranchaud-til"


def make_journal_dir(folder: Path) -> Path:
    """A minimal journal (journal.toml + notes/) without the site scaffold."""
    from journal_agent.config import DEFAULT_TOML

    folder.mkdir(parents=True, exist_ok=True)
    (folder / "journal.toml").write_text(DEFAULT_TOML.format(series="Momentum Learning"), encoding="utf-8")
    (folder / "notes").mkdir(exist_ok=True)
    return folder


@pytest.fixture
def journal_dir(tmp_path, monkeypatch) -> Path:
    """An empty journal; the environment carries no LLM settings."""
    for name in ("OPENAI_API_KEY", "OPENAI_BASE_URL", "JOURNAL_ROOT", "JOURNAL_MODEL",
                 "JOURNAL_EMBEDDING_BACKEND", "JOURNAL_EMBEDDING_MODEL"):
        monkeypatch.delenv(name, raising=False)
    return make_journal_dir(tmp_path / "journal")


@pytest.fixture
def seeded_dir(journal_dir) -> Path:
    """A journal holding the learner's seed note."""
    shutil.copy(SEED, journal_dir / "notes" / SEED.name)
    return journal_dir


@pytest.fixture
def journal(journal_dir):
    from journal_agent.config import open_journal

    return open_journal(root=journal_dir)


@pytest.fixture
def run_cli(journal_dir):
    """``run_cli(*args, input=None)`` → click Result, with --root set to the test journal."""
    from journal_agent.cli import main

    runner = CliRunner()

    def run(*args, input=None, env=None, root=journal_dir):
        return runner.invoke(main, ["--root", str(root), *args], input=input, env=env,
                             catch_exceptions=False)

    return run


def write(path: Path, text: str | bytes) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    if isinstance(text, bytes):
        path.write_bytes(text)
    else:
        path.write_text(text, encoding="utf-8")
    return path
