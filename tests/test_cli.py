"""`journal add`, `journal search` and `journal init` end to end through the CLI."""

from __future__ import annotations

import datetime as dt
import json

import frontmatter

from tests.support.journals import write


def read_notes(journal_dir):
    return {p.name: frontmatter.load(p) for p in sorted((journal_dir / "notes").glob("*.md"))}


def test_add_from_argument_is_day_n_plus_one_and_searchable(seeded_dir, run_cli):
    assert run_cli("ingest", "--no-reflect").exit_code == 0
    result = run_cli("add", "--no-reflect", "--tag", "agents", "--tag", "memgpt",
                     "Studied core memory blocks and the archival memory tools of Letta.")
    assert result.exit_code == 0, result.output
    today = dt.date.today().isoformat()
    name = f"{today}-momentum-learning-day-3.md"
    post = read_notes(seeded_dir)[name]
    assert post["title"] == "Momentum Learning Day 3"  # seed is Day 2
    assert str(post["date"]) == today
    assert post["categories"] == ["Momentum_Learning", "Learning Journey"]
    assert post["tags"] == ["agents", "memgpt"]
    assert f"Wrote notes/{name}" in result.output

    found = json.loads(run_cli("search", "--json", "archival memory tools Letta").output)["results"]
    assert found[0]["path"] == f"notes/{name}"
    assert set(found[0]) >= {"path", "title", "date", "categories", "score", "text"}
    assert found[0]["date"] == today


def test_add_from_stdin_file_date_title_category(journal_dir, run_cli, tmp_path):
    result = run_cli("add", "--no-reflect", "--date", "2025-09-18", "--title", "Reading day",
                     "--category", "Books", input="Read chapter 4 of DLCV.\n")
    assert result.exit_code == 0, result.output
    post = read_notes(journal_dir)["2025-09-18-reading-day.md"]
    assert post["title"] == "Reading day" and post["categories"] == ["Books"]
    assert "chapter 4" in post.content

    body = write(tmp_path / "body.md", "## Part\n\nFrom a file.\n")
    result = run_cli("add", "--no-reflect", "--file", str(body), "--date", "yesterday")
    yesterday = (dt.date.today() - dt.timedelta(days=1)).isoformat()
    assert result.exit_code == 0, result.output
    # "Reading day" on 2025-09-18 was Day 1 (a learning day, kept as `day: 1`); a later date is Day 2.
    assert f"{yesterday}-momentum-learning-day-2.md" in read_notes(journal_dir)


def test_add_never_overwrites(journal_dir, run_cli):
    for _ in range(2):
        assert run_cli("add", "--no-reflect", "--title", "Same title", "--date", "2025-01-01", "text").exit_code == 0
    assert sorted(read_notes(journal_dir)) == ["2025-01-01-same-title-2.md", "2025-01-01-same-title.md"]


def test_add_empty_body_is_an_error_and_writes_nothing(journal_dir, run_cli):
    result = run_cli("add", "--no-reflect", input="   \n")
    assert result.exit_code == 1
    assert "empty note" in result.output
    assert read_notes(journal_dir) == {}


def test_add_bad_date_is_a_usage_error(journal_dir, run_cli):
    result = run_cli("add", "--no-reflect", "--date", "the twelfth of never", "x")
    assert result.exit_code == 2 and "--date" in result.output


def test_search_filters_and_time_in_question(journal_dir, run_cli):
    notes = journal_dir / "notes"
    write(notes / "docker-a.md", "---\ntitle: Docker layers\ndate: 2021-03-10\ncategories: [docker]\n---\n"
          "Learned how Docker image layers are cached during builds.\n")
    write(notes / "docker-b.md", "---\ntitle: Docker compose\ndate: 2022-07-02\ncategories: [docker]\n---\n"
          "Learned how Docker compose networks connect containers.\n")
    write(notes / "py.md", "---\ntitle: Python typing\ndate: 2021-03-20\ncategories: [python]\n---\n"
          "Learned Protocol classes in Python typing.\n")
    assert run_cli("ingest", "--no-reflect").exit_code == 0

    def paths(*args):
        result = run_cli("search", "--json", *args)
        assert result.exit_code == 0, result.output
        return [hit["path"] for hit in json.loads(result.output)["results"]]

    assert paths("what did I learn about Docker in July 2022?")[0] == "notes/docker-b.md"
    assert paths("what did I learn about Docker in March 2021?")[0] == "notes/docker-a.md"
    # A wrongly remembered month still finds Docker notes (after the in-window note).
    assert "notes/docker-b.md" in paths("Docker compose networks in March 2021")
    assert paths("Docker", "--since", "2022-01-01") == ["notes/docker-b.md"]
    assert paths("learned", "--category", "python") == ["notes/py.md"]
    assert paths("typing", "--mode", "fts", "--until", "2021-12-31") == ["notes/py.md"]


def test_search_human_output_and_no_results(seeded_dir, run_cli):
    run_cli("ingest", "--no-reflect")
    result = run_cli("search", "MemGPT", "agent", "memory")
    assert "1. Momentum Learning Day 2" in result.output
    assert "2025-09-18 · notes/Momentum Learning Day 2.markdown" in result.output
    empty = run_cli("search", "--mode", "fts", "xylophone")
    assert "No matching notes" in empty.output


def test_outside_a_journal_says_how_to_start(tmp_path, monkeypatch):
    from click.testing import CliRunner

    from journal_agent.cli import main

    monkeypatch.delenv("JOURNAL_ROOT", raising=False)
    monkeypatch.chdir(tmp_path)
    result = CliRunner().invoke(main, ["search", "x"])
    assert result.exit_code == 1 and "journal init" in result.output


def test_root_found_by_walking_up(seeded_dir, monkeypatch):
    from click.testing import CliRunner

    from journal_agent.cli import main

    monkeypatch.delenv("JOURNAL_ROOT", raising=False)
    monkeypatch.chdir(seeded_dir / "notes")
    result = CliRunner().invoke(main, ["ingest", "--no-reflect"])
    assert result.exit_code == 0 and "added 1" in result.output


def test_every_lazy_subcommand_loads_and_help_lists_the_visible_ones():
    """``journal --help`` lists COMMANDS without importing them; each entry names the command it loads."""
    import click
    from click.testing import CliRunner

    from journal_agent.cli import COMMANDS, main

    listed = CliRunner().invoke(main, ["--help"]).output.split("Commands:", 1)[1]
    shown = [line.split()[0] for line in listed.splitlines() if line.strip()]
    assert shown == sorted(name for name, (_, help) in COMMANDS.items() if help)
    for name, (_, help) in COMMANDS.items():
        command = main.get_command(click.Context(main), name)
        assert isinstance(command, click.Command) and command.name == name
        assert command.hidden == (help == ""), name
        assert (help or "Run").split()[0] in (command.help or ""), name  # the listed line says what it runs


def test_help_of_the_entry_commands_speaks_of_entries():
    """``list``, ``show``, ``stats`` and ``search`` work on entries (issue 18): ``journal --help`` says so."""
    from journal_agent.cli import COMMANDS

    for name in ("list", "show", "stats", "search"):
        assert "entr" in COMMANDS[name][1], name
    assert not [name for name, (_, help) in COMMANDS.items() if "one whole note" in help or "writing days" in help]


def test_debug_shows_what_a_command_swallowed(journal_dir, run_cli):
    """The sleep-time notice never breaks a command; what it swallowed is logged, shown with --debug only."""
    import json

    status = journal_dir / ".journal" / "sleeptime" / "status.json"
    status.parent.mkdir(parents=True, exist_ok=True)
    done = {"state": "done", "started": "2025-09-18T10:00:00", "message": "updated the learner block"}
    (status.parent / "jobs").write_text("")  # damaged state: a file where the jobs folder goes
    status.write_text(json.dumps(done))
    quiet = run_cli("list")
    assert quiet.exit_code == 0 and "debug:" not in quiet.stderr
    status.write_text(json.dumps(done))
    shown = run_cli("--debug", "list")
    assert shown.exit_code == 0
    assert "debug: journal_agent.cli.sleeptime: no sleep-time notice" in shown.stderr
    assert "FileExistsError" in shown.stderr
