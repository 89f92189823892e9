"""pytest fixtures shared by every test module (loaded through ``pytest_plugins`` in conftest)."""

from __future__ import annotations

import os
import shutil
from collections.abc import Iterator
from pathlib import Path

import pytest
from click.testing import CliRunner

from tests.support.journals import SEED, SEED_NAME, make_journal_dir
from tests.support.openai_server import FakeOpenAI, copy_seeded_journal


@pytest.fixture(autouse=True)
def clean_environment(monkeypatch) -> None:
    """No test sees the developer's model, key or journal settings."""
    for name in list(os.environ):
        if name.startswith(("OPENAI_", "JOURNAL_")):
            monkeypatch.delenv(name, raising=False)


@pytest.fixture(scope="session")
def embedding_server() -> Iterator[FakeOpenAI]:
    """One local ``/v1/embeddings`` server for the session: fast hashed bag-of-words vectors.

    Tests whose subject is not the embedding model embed through it instead of
    running MiniLM (about 30 chunks/s on this machine).
    """
    with FakeOpenAI() as server:
        yield server


@pytest.fixture
def journal_dir(tmp_path, embedding_server) -> Path:
    """An empty journal embedding through :func:`embedding_server`; no LLM configured."""
    return make_journal_dir(tmp_path / "journal", embedding_base_url=embedding_server.base_url)


@pytest.fixture
def minilm_journal_dir(tmp_path) -> Path:
    """An empty journal with the default settings: MiniLM embeddings run locally."""
    return make_journal_dir(tmp_path / "minilm-journal")


@pytest.fixture
def seeded_dir(journal_dir) -> Path:
    """A journal holding the learner's seed note (not yet ingested)."""
    shutil.copy(SEED, journal_dir / "notes" / SEED_NAME)
    return journal_dir


@pytest.fixture
def journal(journal_dir):
    from journal_agent.workspace import open_journal

    return open_journal(root=journal_dir)


@pytest.fixture
def run_cli(journal_dir):
    """``run_cli(*args, input=None, env=None, root=journal_dir)`` → click Result with --root set."""
    from journal_agent.cli import main

    runner = CliRunner()

    def run(*args, input=None, env=None, root=journal_dir):
        return runner.invoke(main, ["--root", str(root), *args], input=input, env=env,
                             catch_exceptions=False)

    return run


@pytest.fixture
def server(journal_dir, monkeypatch) -> Iterator[FakeOpenAI]:
    """A running chat-completions server; ``OPENAI_BASE_URL``/``OPENAI_API_KEY`` point the SDK at it."""
    with FakeOpenAI() as srv:
        monkeypatch.setenv("OPENAI_BASE_URL", srv.base_url)
        monkeypatch.setenv("OPENAI_API_KEY", "sk-test-dummy")
        yield srv


@pytest.fixture
def seeded_root(journal_dir, tmp_path, embedding_server) -> Path:
    """A journal with the seed + two TIL notes, already ingested (see ``seeded_template``)."""
    return copy_seeded_journal(tmp_path / "seeded", embedding_server.base_url)


@pytest.fixture
def seeded_journal(seeded_root):
    from journal_agent.workspace import open_journal

    return open_journal(root=seeded_root)
