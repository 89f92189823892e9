"""The library face (issue 17): ``import journal_agent`` is light, and its public names do what its docstring shows."""

from __future__ import annotations

import re
import subprocess
import sys
from pathlib import Path

import pytest

import journal_agent
from tests.support.openai_server import text

HEAVY = ("lancedb", "openai", "mkdocs", "numpy", "pyarrow")


def test_every_public_name_resolves():
    for name in journal_agent.__all__:
        assert getattr(journal_agent, name) is not None, name
    assert set(journal_agent.__all__) <= set(dir(journal_agent))
    with pytest.raises(AttributeError):
        journal_agent.no_such_name  # noqa: B018


def test_the_docstring_example_runs(journal_dir, server, capsys):
    """The module docstring's example, run as written against a journal and a fake model."""
    after = journal_agent.__doc__.split("::\n", 1)[1].splitlines()
    block = [line[4:] for line in after[:next(i for i, line in enumerate(after) if line and line[0] != " ")]]
    code = re.sub(r'root="[^"]*"', f"root={str(journal_dir)!r}", "\n".join(block))
    assert len([line for line in block if line.strip()]) <= 12
    server.push(text("Reciprocal rank fusion merges ranked lists."))
    exec(compile(code, "journal_agent example", "exec"), {"Path": Path})
    out = capsys.readouterr().out
    assert "RRF fuses ranked lists." in out  # find_note read the note add_note wrote
    assert "Reciprocal rank fusion merges ranked lists." in out  # the agent's answer
    assert "notes/" in out  # search found the ingested note


@pytest.mark.slow
def test_import_journal_agent_loads_no_heavy_library():
    code = ("import sys, journal_agent\n"
            f"print(sorted({{m.split('.')[0] for m in sys.modules}} & set({HEAVY!r})))\n")
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True,
                            cwd=Path(journal_agent.__file__).parents[1])
    assert result.stdout.strip() == "[]"
