"""Issue 20: every `journal …` line of the README's Use section runs as printed, on a journal of real notes.

The journal holds this repository's ``notes/`` and the learner's Day 1-9 and weekly review
(``benchmarks/learner_journal``). Network-free: embeddings and the chat model are the local test servers
(:mod:`tests.support.openai_server`, the rule-driven model). Two lines serve until stopped and are left to
their own tests: ``journal mcp`` (tests/test_mcp.py) and ``journal site serve`` (tests/test_site.py).
"""

from __future__ import annotations

import re
import shlex
import shutil
from pathlib import Path

from click.testing import CliRunner

from tests.support.journals import REPO, make_journal_dir, write
from tests.support.openai_server import FakeOpenAI, rule_responder

LEARNER = REPO / "benchmarks" / "learner_journal"
SERVES = {("mcp",): "tests/test_mcp.py", ("site", "serve"): "tests/test_site.py"}
INPUT = {("add", "--day", "12"): "Wrote this one in the editor.\n", ("chat",): "What did I learn about agents?\n",
         ("review",): "q"}


def use_lines() -> list[str]:
    """The `journal …` lines of the first bash block under "## Use", comments dropped."""
    text = (REPO / "README.md").read_text(encoding="utf-8")
    section = text.split("\n## Use\n", 1)[1]
    block = re.search(r"```bash\n(.*?)```", section, re.S)
    assert block, "the Use section has no bash block"
    return [line for line in block.group(1).splitlines() if line.startswith("journal ")]


def commands(line: str, home: Path) -> list[list[str]]:
    """A README line as the shell runs it: `&&`-joined commands, comments dropped, `~` expanded."""
    result = []
    for part in line.split("&&"):
        words = shlex.split(part, comments=True)
        assert words[0] == "journal", line
        result.append([str(home) + w[1:] if w.startswith("~") else w for w in words[1:]])
    return result


def test_readme_lists_the_commands_it_should():
    lines = use_lines()
    assert len(lines) >= 20
    assert any("--date yesterday" in line for line in lines) and any(line.startswith("journal tags") for line in lines)


def test_every_use_line_runs_as_printed(tmp_path, monkeypatch, embedding_server):
    from journal_agent.cli import main

    home = tmp_path / "home"
    root = make_journal_dir(home / "journal", embedding_base_url=embedding_server.base_url)
    for note in [*(REPO / "notes").glob("*.markdown"), *LEARNER.glob("*.markdown")]:
        shutil.copy(note, root / "notes" / note.name)
    write(root / "draft.md", "---\ntags: [lancedb]\n---\n# Rust ownership basics\n\nEach value has one owner.\n")
    write(home / "old-notes" / "til.md", "# Docker layers\n\nEach RUN adds a layer.\n")
    write(home / "journal.txt", "[2019-03-04 09:00] Started jrnl @python\nRead about generators.\n")
    monkeypatch.setenv("HOME", str(home))
    monkeypatch.chdir(root)
    runner = CliRunner()
    with FakeOpenAI(rule_responder) as model:
        monkeypatch.setenv("OPENAI_BASE_URL", model.base_url)
        monkeypatch.setenv("OPENAI_API_KEY", "sk-test-dummy")
        ran = []
        for line in use_lines():
            for args in commands(line, home):
                if tuple(args[:2]) in SERVES or tuple(args[:1]) in SERVES:
                    continue
                result = runner.invoke(main, args, input=INPUT.get(tuple(args)), catch_exceptions=False)
                assert result.exit_code == 0, f"{line}\n{result.output}"
                assert "Traceback" not in result.output, line
                ran.append(" ".join(args))
    assert len(ran) >= 20
    assert (home / "learning" / "journal.toml").is_file() and (root / "notes.zip").is_file()

