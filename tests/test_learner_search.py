"""Issue 20, finding: search says when nothing really matched, and never suggests the mode in use."""

from __future__ import annotations

import json


def search(run_cli, root, *args):
    return run_cli("search", *args, root=root)


def test_nonsense_query_says_nothing_matched(seeded_root, run_cli):
    result = search(run_cli, seeded_root, "xyzzyplugh")
    assert result.exit_code == 0, result.output
    assert "No note mentions “xyzzyplugh”; closest by meaning:" in result.output
    data = json.loads(search(run_cli, seeded_root, "xyzzyplugh", "--json").output)
    assert data["matched"] is False and data["results"]  # still shown, marked


def test_real_query_is_a_match(seeded_root, run_cli):
    result = search(run_cli, seeded_root, "MemGPT")
    assert result.exit_code == 0 and "No note mentions" not in result.output
    assert json.loads(search(run_cli, seeded_root, "MemGPT", "--json").output)["matched"] is True


def test_fts_no_match_does_not_suggest_fts(seeded_root, run_cli):
    result = search(run_cli, seeded_root, "xyzzyplugh", "--mode", "fts")
    assert result.exit_code == 0 and "No matching notes" in result.output
    assert "--mode fts" not in result.output
    assert json.loads(search(run_cli, seeded_root, "xyzzyplugh", "--mode", "fts", "--json").output)["matched"] is False
