"""`journal list`, `show`, `stats` and `export`, and the streak rules behind `stats`."""

from __future__ import annotations

import datetime as dt
import io
import json
import shutil
import zipfile
from pathlib import Path

import frontmatter
import pytest
from click.testing import CliRunner

from journal_agent.notes.journal import find_note, list_notes
from journal_agent.notes.stats import Gap, Streak, journal_stats, streaks
from journal_agent.workspace import open_journal
from tests.support.journals import SEED, SEED_NAME, write

LEARNER = Path(__file__).resolve().parents[1] / "benchmarks" / "learner_journal"
DAY5 = "2025-09-21-momentum-learning-day-5.markdown"
D = dt.date


def fill(root: Path, *, without: str | None = None) -> None:
    for source in [SEED, *LEARNER.glob("*.markdown")]:
        if source.name != without:
            shutil.copy(source, root / "notes" / source.name)


def error_of(result) -> str:
    """The one-line error a failed command gave (the CLI group maps JournalError to a message, exit 1)."""
    assert result.exit_code == 1, result.output
    return result.output + (str(result.exception) if result.exception and not isinstance(result.exception,
                                                                                          SystemExit) else "")


def run_catching(root, *args):
    from journal_agent.cli import main

    return CliRunner().invoke(main, ["--root", str(root), *args])


# ------------------------------------------------------------------ streaks
def test_streak_rules_with_a_fixed_today():
    dates = [D(2025, 9, 1), D(2025, 9, 2), D(2025, 9, 2), D(2025, 9, 5), D(2025, 9, 6)]
    current, longest, gaps = streaks(dates, D(2025, 9, 6))
    assert current == Streak(2, D(2025, 9, 5), D(2025, 9, 6))
    assert longest == Streak(2, D(2025, 9, 5), D(2025, 9, 6))  # a tie goes to the most recent run
    assert gaps == [Gap(D(2025, 9, 3), D(2025, 9, 4), 2)]
    assert streaks(dates, D(2025, 9, 7))[0].days == 2  # yesterday still counts: today is not over
    assert streaks(dates, D(2025, 9, 8))[0] == Streak()  # two days without a note: the streak is broken
    future = streaks([D(2025, 9, 6), D(2025, 9, 7)], D(2025, 9, 6))
    assert future[0] == Streak(1, D(2025, 9, 6), D(2025, 9, 6))  # a note dated tomorrow does not count yet
    assert streaks([], D(2025, 9, 6)) == (Streak(), Streak(), [])


def test_stats_on_the_seed_journal(seeded_dir):
    journal = open_journal(root=seeded_dir)
    on_the_day = journal_stats(journal, today=D(2025, 9, 18))
    assert (on_the_day.notes, on_the_day.days) == (1, 1)
    assert on_the_day.current_streak == on_the_day.longest_streak == Streak(1, D(2025, 9, 18), D(2025, 9, 18))
    assert journal_stats(journal, today=D(2025, 9, 19)).current_streak.days == 1
    later = journal_stats(journal, today=D(2025, 9, 20))
    assert later.current_streak == Streak() and later.longest_streak.days == 1 and later.gaps == []
    assert later.categories == {"Momentum_Learning": 1, "Learning Journey": 1} and later.months == {"2025-09": 1}


def test_stats_on_the_learner_journal_and_with_a_gap(journal_dir, tmp_path):
    fill(journal_dir)
    full = journal_stats(open_journal(root=journal_dir), today=D(2025, 9, 27))
    assert (full.notes, full.days, full.first_date, full.last_date) == (10, 10, D(2025, 9, 17), D(2025, 9, 26))
    assert full.current_streak == full.longest_streak == Streak(10, D(2025, 9, 17), D(2025, 9, 26))
    assert full.gaps == []

    shutil.copytree(journal_dir, tmp_path / "gap")
    (tmp_path / "gap" / "notes" / DAY5).unlink()
    gap = journal_stats(open_journal(root=tmp_path / "gap"), today=D(2025, 9, 27))
    assert gap.current_streak == Streak(5, D(2025, 9, 22), D(2025, 9, 26))
    assert gap.longest_streak == Streak(5, D(2025, 9, 22), D(2025, 9, 26))
    assert gap.gaps == [Gap(D(2025, 9, 21), D(2025, 9, 21), 1)]
    assert journal_stats(open_journal(root=tmp_path / "gap"), today=D(2025, 9, 29)).current_streak == Streak()


def test_stats_command(journal_dir, run_cli):
    fill(journal_dir, without=DAY5)
    data = json.loads(run_cli("stats", "--json").output)
    assert data["notes"] == 9 and data["days"] == 9
    assert (data["first_date"], data["last_date"]) == ("2025-09-17", "2025-09-26")
    assert data["longest_streak"] == {"days": 5, "from": "2025-09-22", "until": "2025-09-26"}
    assert data["current_streak"] == {"days": 0, "from": None, "until": None}  # today is long after
    assert data["gaps"] == [{"from": "2025-09-21", "until": "2025-09-21", "days": 1}]
    assert data["categories"] == {"Momentum_Learning": 9, "Learning Journey": 9}
    assert data["months"] == {"2025-09": 9} and data["tags"] == {}
    human = run_cli("stats").output
    assert "9 notes on 9 days, 2025-09-17 to 2025-09-26" in human
    assert "Longest streak: 5 days (2025-09-22 to 2025-09-26)" in human
    assert "Missed days: 1 in 1 gaps" in human and "2025-09-21 (1 day)" in human


def test_stats_heatmap_on_a_terminal(journal_dir, run_cli):
    fill(journal_dir, without=DAY5)
    output = run_cli("stats", env={"FORCE_COLOR": "1", "COLUMNS": "120"}).output  # rich: FORCE_COLOR → a terminal
    rows = [line for line in output.splitlines() if "■" in line or "·" in line]
    assert len(rows) == 7 and output.count("■") == 9  # a row per weekday, a square per writing day
    assert "Mon" in rows[0] and "Sun" in rows[6]


def test_stats_command_current_streak_ends_today_or_yesterday(journal_dir, run_cli):
    today = dt.date.today()
    for back in (1, 2, 5):
        day = today - dt.timedelta(days=back)
        write(journal_dir / "notes" / f"{day}.md", f"---\ndate: {day}\n---\nA note.\n")
    data = json.loads(run_cli("stats", "--json").output)
    assert data["current_streak"] == {"days": 2, "from": str(today - dt.timedelta(days=2)),
                                      "until": str(today - dt.timedelta(days=1))}
    assert data["gaps"] == [{"from": str(today - dt.timedelta(days=4)), "until": str(today - dt.timedelta(days=3)),
                             "days": 2}]


def test_stats_on_an_empty_journal(journal_dir, run_cli):
    assert "No notes yet" in run_cli("stats").output
    assert json.loads(run_cli("stats", "--json").output)["current_streak"]["days"] == 0


# --------------------------------------------------------------------- list
def test_list_command(journal_dir, run_cli):
    fill(journal_dir)
    write(journal_dir / "notes" / "tagged.md",
          "---\ntitle: Extra\ndate: 2025-10-02\ntags: [rag, Evaluation]\ncategories: [Side]\n---\none two three\n")
    data = json.loads(run_cli("list", "--json").output)
    notes = data["notes"]
    assert [n["date"] for n in notes] == sorted(n["date"] for n in notes) and len(notes) == 11
    assert notes[0] == {"title": "Momentum Learning Day 1", "date": "2025-09-17", "day": 1,
                        "categories": ["Momentum_Learning", "Learning Journey"], "tags": [], "words": notes[0]["words"],
                        "path": "notes/2025-09-17-momentum-learning-day-1.markdown", "private": False,
                        # issue 18: a row is an entry; a one-day note is one whole-note entry
                        "days": [1], "entry": 0, "heading": "", "line": notes[0]["line"], "anchor": "",
                        "end_date": "2025-09-17", "date_source": "last_modified_at"}
    assert notes[0]["words"] > 150 and notes[-1]["words"] == 3

    def paths(*args):
        return [n["path"] for n in json.loads(run_cli("list", "--json", *args).output)["notes"]]

    assert len(paths("--since", "2025-09-20", "--until", "2025-09-22")) == 3
    assert paths("--tag", "evaluation") == ["notes/tagged.md"]
    assert paths("--category", "side") == ["notes/tagged.md"]
    assert len(paths("--category", "momentum_learning")) == 10
    human = run_cli("list", "--until", "2025-09-18").output.splitlines()
    assert human[0].startswith("2025-09-17  Day 1    Momentum Learning Day 1")
    assert "notes/2025-09-18-momentum-learning-day-2.markdown" in human[1]
    assert run_cli("list", "--since", "the twelfth of never").exit_code == 2


def test_list_marks_private_notes_and_reports_unreadable_files(journal_dir, run_cli):
    write(journal_dir / "notes" / "secret.md", "---\ntitle: Secret\ndate: 2025-09-02\nprivate: true\n---\nshh\n")
    write(journal_dir / "notes" / "broken.md", "---\ntitle: [unclosed\n---\ntext\n")
    result = run_cli("list")
    assert "Secret (private)" in result.output and "unreadable notes/broken.md" in result.output
    assert list_notes(open_journal(root=journal_dir), include_private=False).withheld == 1


# --------------------------------------------------------------------- show
@pytest.mark.parametrize("ref", [["4"], ["day", "4"], ["Day four"], ["2025-09-20"], ["20 September 2025"],
                                 ["notes/2025-09-20-momentum-learning-day-4.markdown"],
                                 ["2025-09-20-momentum-learning-day-4.markdown"],
                                 ["20/09/2025"], ["09/20/2025"], ["20.09.25"], ["D4"]])
def test_show_by_day_date_or_path(journal_dir, run_cli, ref):
    fill(journal_dir)
    result = run_cli("show", *ref)
    assert result.exit_code == 0, result.output
    first = result.output.splitlines()[0]
    assert first == "Momentum Learning Day 4  2025-09-20 · Day 4 · notes/2025-09-20-momentum-learning-day-4.markdown"
    assert "all-MiniLM-L6-v2" in result.output and "It was Saturday, so no book part today." in result.output


def test_show_json_and_several_notes_on_one_date(journal_dir, run_cli):
    shutil.copy(SEED, journal_dir / "notes" / SEED_NAME)
    write(journal_dir / "notes" / "zz-extra.md", "---\ntitle: Evening extra\ndate: 2025-09-18\n---\nMore notes.\n")
    data = json.loads(run_cli("show", "--json", "2025-09-18").output)
    assert data["title"] == "Momentum Learning Day 2" and data["day"] == 2
    assert data["text"].lstrip().startswith("# Day 2| Momentum Learning Series")
    assert data["also_matching"] == ["notes/zz-extra.md"]


def test_show_reads_a_numeric_date_as_the_journal_has_it(journal_dir, run_cli):
    """"01/04/2020" read day first is 1 April; the journal has only 4 January, so that is the note meant (issue 18)."""
    write(journal_dir / "notes" / "jan.md", "---\ntitle: Sets and dicts\ndate: 2020-01-04\n---\nDicts.\n")
    for ref in ("01/04/2020", "1/4/20"):
        result = run_cli("show", ref)
        assert result.exit_code == 0 and result.output.startswith("Sets and dicts  2020-01-04"), result.output
    assert "is not a note path" in error_of(run_catching(journal_dir, "show", "31/02/2020"))


def test_show_names_what_is_missing(journal_dir):
    fill(journal_dir)
    assert "no note for day 12 (the days run from 1 to 9)" in error_of(run_catching(journal_dir, "show", "12"))
    assert "no note on 2025-10-05 (the note before is from 2025-09-26)" in error_of(
        run_catching(journal_dir, "show", "2025-10-05"))
    assert "not a note path, a day number" in error_of(run_catching(journal_dir, "show", "banana"))
    journal = open_journal(root=journal_dir)
    assert find_note(journal, "yesterday", today=D(2025, 9, 24)).note.day == 7


# ------------------------------------------------------------------- export
def _private_notes(root: Path) -> None:
    write(root / "notes" / "secret.md", "---\ntitle: Secret\ndate: 2025-09-02\nprivate: true\n---\nshh\n")
    write(root / "notes" / "private" / "diary.md", "# Diary\n\nDear diary.\n")


def test_export_json(journal_dir, run_cli):
    fill(journal_dir)
    _private_notes(journal_dir)
    result = run_cli("export")
    data = json.loads(result.stdout)
    assert len(data["notes"]) == 10 and {n["private"] for n in data["notes"]} == {False}
    day4 = next(n for n in data["notes"] if n["day"] == 4)
    assert day4["title"] == "Momentum Learning Day 4" and day4["date"] == "2025-09-20"
    assert day4["metadata"] == {"layout": "note"} and day4["date_source"] == "last_modified_at"
    assert "all-MiniLM-L6-v2" in day4["text"] and not day4["text"].startswith("---")
    assert "2 private or draft notes left out" in result.stderr
    everything = json.loads(run_cli("export", "--include-private").stdout)
    assert len(everything["notes"]) == 12


def test_export_markdown_zip(journal_dir, run_cli, tmp_path, monkeypatch):
    fill(journal_dir)
    _private_notes(journal_dir)
    out = tmp_path / "out" / "notes.zip"
    result = run_cli("export", "--format", "markdown", "--output", str(out))
    assert result.exit_code == 0 and f"Exported 10 notes to {out}" in result.output
    with zipfile.ZipFile(out) as archive:
        names = archive.namelist()
        assert len(names) == 10 and "notes/2025-09-20-momentum-learning-day-4.markdown" in names
        exported = archive.read("notes/2025-09-20-momentum-learning-day-4.markdown")
    assert exported == (journal_dir / "notes" / "2025-09-20-momentum-learning-day-4.markdown").read_bytes()
    monkeypatch.chdir(tmp_path)
    run_cli("export", "--format", "markdown", "--include-private")
    [default] = list(tmp_path.glob("journal-export-*.zip"))
    with zipfile.ZipFile(io.BytesIO(default.read_bytes())) as archive:
        assert "notes/private/diary.md" in archive.namelist()
        assert frontmatter.loads(archive.read("notes/secret.md").decode())["private"] is True
