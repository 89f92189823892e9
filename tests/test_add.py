"""`journal add` as a person uses it (issue 9) and as a full disk or a second `add` meets it (issue 11)."""

from __future__ import annotations

import datetime as dt
import os
import shutil
import subprocess
import sys
import textwrap

import frontmatter
import pytest

from tests.support.journals import REPO, SEED, write

TODAY = dt.date.today()


def notes_in(root):
    return {p.name: frontmatter.load(p) for p in sorted((root / "notes").iterdir()) if p.suffix == ".md"}


def only_note(root):
    notes = notes_in(root)
    assert len(notes) == 1, sorted(notes)
    return next(iter(notes.values()))


@pytest.fixture
def day2_dir(journal_dir):
    """A journal holding the learner's Day 2 (2025-09-18) under its Jekyll name, as a `.md` note is listed."""
    shutil.copy(SEED, journal_dir / "notes" / "seed.markdown")
    return journal_dir


def added(root, before):
    return {name: post for name, post in notes_in(root).items() if name not in before}


# --- Where the text comes from ---------------------------------------------------------------------


def test_text_and_file_together_is_a_usage_error(journal_dir, run_cli, tmp_path):
    body = write(tmp_path / "body.md", "From a file.\n")
    result = run_cli("add", "--no-reflect", "--file", str(body), "inline text")
    assert result.exit_code == 2 and "not both" in result.output
    assert notes_in(journal_dir) == {}


def test_file_with_front_matter_is_merged_not_nested(journal_dir, run_cli, tmp_path):
    body = write(tmp_path / "rust.md", "---\nTitle: Rust lifetimes\ndate: 2025-09-20\ncategories: [rust]\n"
                 "tags: [borrowck]\nlayout: note\nprivate: 'yes'\n---\n# Lifetimes\n\nOutlives relations.\n")
    result = run_cli("add", "--no-reflect", "--file", str(body))
    assert result.exit_code == 0, result.output
    [(name, post)] = notes_in(journal_dir).items()
    assert name == "2025-09-20-rust-lifetimes.md"
    assert post["title"] == "Rust lifetimes" and str(post["date"]) == "2025-09-20"
    assert post["categories"] == ["rust"] and post["tags"] == ["borrowck"]
    assert post["layout"] == "note" and post["private"] is True
    assert post.content.startswith("# Lifetimes") and "title:" not in post.content  # one front-matter block
    assert post["day"] == 1  # the learning day, kept since the title does not name it


def test_options_override_the_files_front_matter(journal_dir, run_cli, tmp_path):
    body = write(tmp_path / "rust.md", "---\ntitle: Rust lifetimes\ndate: 2025-09-20\ntags: [borrowck]\n---\nText.\n")
    result = run_cli("add", "--no-reflect", "--file", str(body), "--title", "Lifetimes again",
                     "--date", "2025-09-21", "--tag", "rust", "--category", "Books")
    assert result.exit_code == 0, result.output
    post = only_note(journal_dir)
    assert (post["title"], str(post["date"]), post["tags"], post["categories"]) == (
        "Lifetimes again", "2025-09-21", ["borrowck", "rust"], ["Books"])  # --tag adds (issue 20)


@pytest.mark.slow
def test_editor_instructions_are_not_saved(journal_dir, tmp_path):
    """`$EDITOR` path, on a real terminal (a pty): click.edit writes the template, the editor adds text."""
    pty = pytest.importorskip("pty")
    editor = write(tmp_path / "editor.py", "import sys\nwith open(sys.argv[1], 'a') as f:\n"
                   "    f.write('Learned how pseudo terminals work.\\n')\n")
    leader, follower = pty.openpty()
    try:
        run = subprocess.run(
            [sys.executable, "-m", "journal_agent.cli", "--root", str(journal_dir), "add", "--no-reflect"],
            stdin=follower, check=False, capture_output=True, text=True, timeout=120,
            env={**os.environ, "EDITOR": f"{sys.executable} {editor}", "PYTHONPATH": str(REPO)})
    finally:
        os.close(leader)
        os.close(follower)
    assert run.returncode == 0, run.stdout + run.stderr
    post = only_note(journal_dir)
    assert "pseudo terminals" in post.content
    assert "Write what you learned" not in post.content and "journal add:" not in post.content
    assert post["title"] == "Momentum Learning Day 1"


def test_stdin_that_is_not_utf8_is_a_one_line_error(journal_dir, run_cli):
    result = run_cli("add", "--no-reflect", input="Caf\xe9 notes\n".encode("latin-1"))
    assert result.exit_code == 1 and "not valid UTF-8" in result.output
    assert notes_in(journal_dir) == {}


# --- Learning days --------------------------------------------------------------------------------


def test_new_date_gets_highest_day_plus_one(day2_dir, run_cli):
    result = run_cli("add", "--no-reflect", "--date", "2025-09-20", "Read about agents.")
    assert result.exit_code == 0, result.output
    assert added(day2_dir, {})["2025-09-20-momentum-learning-day-3.md"]["title"] == "Momentum Learning Day 3"
    assert "Day 3, 2025-09-20" in result.output


def test_second_note_on_a_date_keeps_its_day(day2_dir, run_cli):
    result = run_cli("add", "--no-reflect", "--date", "2025-09-18", "More on MemGPT the same evening.")
    assert result.exit_code == 0, result.output
    [post] = added(day2_dir, {}).values()
    assert post["title"] == "Momentum Learning Day 2"  # before: Day 3


def test_explicit_day_in_the_notes_title_or_heading_wins(day2_dir, run_cli, tmp_path):
    titled = write(tmp_path / "t.md", "---\ntitle: Momentum Learning Day 7\ndate: 2025-09-25\n---\nText.\n")
    assert run_cli("add", "--no-reflect", "--file", str(titled)).exit_code == 0
    result = run_cli("add", "--no-reflect", "--date", "2025-09-19", "--category", "x",
                     input=" # Day 4| Momentum Learning Series\n\nText.\n")
    assert result.exit_code == 0, result.output
    titles = sorted(post["title"] for post in added(day2_dir, {}).values())
    assert titles == ["Momentum Learning Day 4", "Momentum Learning Day 7"]


def test_day_option_sets_the_day(day2_dir, run_cli):
    result = run_cli("add", "--no-reflect", "--date", "2025-09-10", "--day", "1", "Started the course.")
    assert result.exit_code == 0, result.output
    [post] = added(day2_dir, {}).values()
    assert post["title"] == "Momentum Learning Day 1" and str(post["date"]) == "2025-09-10"


def test_day_zero_is_a_day_for_add(day2_dir, run_cli):
    """Day 0 is a day (#100DaysOfCode logs start there): ``--day 0`` is accepted and kept, and so is a title's."""
    result = run_cli("add", "--no-reflect", "--date", "2025-09-10", "--day", "0", "Set up the editor.")
    assert result.exit_code == 0, result.output
    assert "Day 0, 2025-09-10" in result.output
    [post] = added(day2_dir, {}).values()
    assert post["title"] == "Momentum Learning Day 0" and str(post["date"]) == "2025-09-10"
    before = notes_in(day2_dir)
    titled = run_cli("add", "--no-reflect", "--date", "2025-09-10", "--title", "Day 0: more setup", "Installed Rust.")
    assert titled.exit_code == 0, titled.output
    [again] = added(day2_dir, before).values()
    assert again["title"] == "Day 0: more setup" and "day" not in again.metadata
    refused = run_cli("add", "--no-reflect", "--day", "0", "--title", "Day 3: loops", "text")
    assert refused.exit_code == 1 and "disagrees" in refused.output


def test_day_option_that_disagrees_with_the_title_is_refused(journal_dir, run_cli):
    result = run_cli("add", "--no-reflect", "--day", "5", "--title", "Momentum Learning Day 6", "text")
    assert result.exit_code == 1 and "disagrees" in result.output
    assert notes_in(journal_dir) == {}


def test_earlier_date_without_day_takes_the_free_day_before(day2_dir, run_cli):
    result = run_cli("add", "--no-reflect", "--date", "2025-09-10", "Forgot to write this one.")
    assert result.exit_code == 0, result.output
    [post] = added(day2_dir, {}).values()
    assert post["title"] == "Momentum Learning Day 1"  # issue 9: written as Day 3; issue 20: the free Day 1


def test_future_date_only_when_given_explicitly(journal_dir, run_cli, tmp_path):
    future = (TODAY + dt.timedelta(days=10)).isoformat()
    body = write(tmp_path / "f.md", f"---\ndate: {future}\n---\nPlans.\n")
    refused = run_cli("add", "--no-reflect", "--file", str(body))
    assert refused.exit_code == 1 and "future" in refused.output and f"--date {future}" in refused.output
    assert notes_in(journal_dir) == {}
    accepted = run_cli("add", "--no-reflect", "--file", str(body), "--date", future)
    assert accepted.exit_code == 0, accepted.output


def test_date_option_uses_the_journals_date_languages(journal_dir, run_cli):
    from tests.support.journals import set_config

    set_config(journal_dir, "journal", "date_languages", ["fr"])
    result = run_cli("add", "--no-reflect", "--date", "18 septembre 2025", "Texte.")
    assert result.exit_code == 0, result.output
    assert str(only_note(journal_dir)["date"]) == "2025-09-18"


# --- Writes: atomic, bounded, serialized ----------------------------------------------------------


@pytest.mark.slow
def test_disk_full_during_add_leaves_no_partial_note(journal_dir):
    """A file-size limit (RLIMIT_FSIZE) makes write(2) fail with EFBIG, as a full disk fails with ENOSPC."""
    code = textwrap.dedent(f"""
        import datetime, resource, signal
        from journal_agent.errors import JournalError
        from journal_agent.notes.add import add_note
        from journal_agent.workspace import open_journal
        journal = open_journal(root={str(journal_dir)!r})
        journal.state_dir
        signal.signal(signal.SIGXFSZ, signal.SIG_IGN)  # else the kernel kills the process instead of EFBIG
        resource.setrlimit(resource.RLIMIT_FSIZE, (4096, 4096))
        try:
            add_note(journal, "words of a long note " * 2000, date=datetime.date(2025, 9, 18))
            print("WROTE")
        except JournalError as exc:
            print("JournalError", exc)
    """)
    run = subprocess.run([sys.executable, "-c", code], check=False, capture_output=True, text=True, timeout=60,
                         env={**os.environ, "PYTHONPATH": str(REPO)})
    assert run.stdout.startswith("JournalError") and "nothing was written" in run.stdout, run.stdout + run.stderr
    assert list((journal_dir / "notes").iterdir()) == []  # no 0-byte or partial note, no temporary file


def test_note_over_the_size_limit_is_refused_before_writing(journal_dir, run_cli):
    result = run_cli("add", "--no-reflect", input="word " * 250_000)
    assert result.exit_code == 1 and "over the 1 MB limit" in result.output
    assert list((journal_dir / "notes").iterdir()) == []


@pytest.mark.slow
def test_add_while_another_add_holds_the_lock_is_a_one_line_error(journal_dir, run_cli):
    from filelock import FileLock

    (journal_dir / ".journal").mkdir(exist_ok=True)
    with FileLock(str(journal_dir / ".journal" / "add.lock")):
        result = run_cli("add", "--no-reflect", "text")
    assert result.exit_code == 1
    assert "another `journal add`" in result.output and len(result.output.strip().splitlines()) == 1
    assert notes_in(journal_dir) == {}


def test_add_never_overwrites_an_existing_note(journal_dir, run_cli):
    write(journal_dir / "notes" / "2025-01-01-same-title.md", "---\ntitle: Same title\n---\nmine\n")
    assert run_cli("add", "--no-reflect", "--title", "Same title", "--date", "2025-01-01", "text").exit_code == 0
    assert (journal_dir / "notes" / "2025-01-01-same-title.md").read_text().endswith("mine\n")
    assert "text" in notes_in(journal_dir)["2025-01-01-same-title-2.md"].content
