"""Issue 20, jrnl habits: `list -n`, `list --on`, `journal tags`, and `show DATE` leading with the main note."""

from __future__ import annotations

import json

from tests.support.journals import write


def fill(root):
    for day in range(1, 8):
        tags = "[rust, borrowck]" if day % 2 else "[agents]"
        write(root / "notes" / f"2025-09-{10 + day}-day-{day}.md",
              f"---\ntitle: Momentum Learning Day {day}\ndate: 2025-09-{10 + day}\ntags: {tags}\n---\n"
              f"# Day {day}\n\nA long note about what I learned on day {day}, with many words in it.\n")


def paths(result):
    return [n["path"] for n in json.loads(result.output)["notes"]]


def test_list_last_n_notes(journal_dir, run_cli):
    fill(journal_dir)
    result = run_cli("list", "-n", "3", "--json")
    assert result.exit_code == 0, result.output
    assert paths(result) == [f"notes/2025-09-{10 + d}-day-{d}.md" for d in (5, 6, 7)]
    assert len(run_cli("list", "-n", "2").output.splitlines()) == 2


def test_list_on_a_date(journal_dir, run_cli):
    fill(journal_dir)
    assert paths(run_cli("list", "--on", "2025-09-13", "--json")) == ["notes/2025-09-13-day-3.md"]
    both = run_cli("list", "--on", "2025-09-13", "--since", "2025-09-01")
    assert both.exit_code == 2 and "not both" in both.output


def test_tags_with_counts(journal_dir, run_cli):
    fill(journal_dir)
    result = run_cli("tags")
    assert result.exit_code == 0, result.output
    assert result.output.splitlines() == ["rust      4", "borrowck  4", "agents    3"]
    assert json.loads(run_cli("tags", "--json").output) == {"rust": 4, "borrowck": 4, "agents": 3}


def test_show_date_leads_with_the_main_note(journal_dir, run_cli):
    write(journal_dir / "notes" / "a-addendum.md", "---\ntitle: Addendum\ndate: 2025-09-18\n---\nOne line.\n")
    write(journal_dir / "notes" / "b-main.md", "---\ntitle: Momentum Learning Day 2\ndate: 2025-09-18\n---\n"
          "# Day 2\n\nThe whole day's learning: MemGPT, virtual context, editable memory blocks.\n")
    result = run_cli("show", "2025-09-18")
    assert result.exit_code == 0, result.output
    assert result.stdout.splitlines()[0].startswith("Momentum Learning Day 2")
    assert "One line." in result.stdout  # the addendum follows, whole
    assert "also on that date: notes/a-addendum.md" in result.stderr
    data = json.loads(run_cli("show", "--json", "2025-09-18").output)
    assert data["title"] == "Momentum Learning Day 2" and data["also_matching"] == ["notes/a-addendum.md"]


def test_list_with_an_unreadable_note_exits_3_as_the_readme_says(journal_dir, run_cli):
    fill(journal_dir)
    write(journal_dir / "notes" / "broken.md", "---\ntitle: [unclosed\n---\ntext\n")
    result = run_cli("list")
    assert result.exit_code == 3 and "unreadable notes/broken.md" in result.stderr
    assert len(result.stdout.splitlines()) == 7  # every other note is listed
