"""journal_agent.atomic: whole-file writes that never leave half a file or overwrite by accident."""

from __future__ import annotations

import pytest

from journal_agent.atomic import replacing, write_atomic, write_new


def test_write_atomic_replaces_and_leaves_no_temporary_file(tmp_path):
    target = tmp_path / "memory.json"
    target.write_text("old")
    write_atomic(target, "new ✓")
    assert target.read_text(encoding="utf-8") == "new ✓"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["memory.json"]


def test_a_failed_write_keeps_the_old_file(tmp_path):
    target = tmp_path / "memory.json"
    target.write_text("old")
    with pytest.raises(RuntimeError), replacing(target) as temporary:
        temporary.write_text("half")
        raise RuntimeError("crash mid-write")
    assert target.read_text() == "old"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["memory.json"]


def test_write_new_never_overwrites(tmp_path):
    (tmp_path / "2025-01-02-rrf.md").write_text("mine")
    first = write_new(tmp_path, "2025-01-02-rrf", ".md", b"second")
    second = write_new(tmp_path, "2025-01-02-rrf", ".md", b"third")
    assert (first.name, second.name) == ("2025-01-02-rrf-2.md", "2025-01-02-rrf-3.md")
    assert (tmp_path / "2025-01-02-rrf.md").read_text() == "mine"
    assert second.read_bytes() == b"third"
    assert not [p for p in tmp_path.iterdir() if p.name.startswith(".")]
