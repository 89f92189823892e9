"""The ``journal`` command: thin Click adapters over the library.

Each command parses options, calls one library function, prints the result,
and turns our domain exceptions into ``click.ClickException``.

Exit codes: 0 success; 1 error (nothing or not everything could be done, message
on stderr); 2 usage error (Click); 3 partial: some notes failed and are listed,
every other note went through.
"""

from __future__ import annotations

import datetime as dt
import json
import sys
from pathlib import Path

import click

from journal_agent import __version__
from journal_agent.errors import JournalError

EXIT_PARTIAL = 3


def _journal(ctx: click.Context):
    from journal_agent.workspace import open_journal

    try:
        return open_journal(root=(ctx.obj or {}).get("root"))
    except JournalError as exc:
        raise click.ClickException(str(exc)) from exc


def _date_option(value: str | None, name: str) -> dt.date | None:
    if value is None:
        return None
    from journal_agent.notes.dates import parse_date

    try:
        return parse_date(value)
    except ValueError as exc:
        raise click.BadParameter(str(exc), param_hint=name) from exc


def _console(stderr: bool = False):
    from rich.console import Console

    return Console(stderr=stderr, highlight=False, soft_wrap=True)


class _Errors:
    """Context manager: domain errors → ClickException (exit 1) with our message."""

    def __enter__(self):
        return self

    def __exit__(self, kind, exc, tb):
        from journal_agent.archive.minilm import ModelNotInstalled

        if isinstance(exc, (JournalError, ModelNotInstalled)):
            raise click.ClickException(str(exc)) from exc
        return False


@click.group(context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(__version__, "-V", "--version", prog_name="journal")
@click.option("--root", type=click.Path(file_okay=False), envvar="JOURNAL_ROOT",
              help="Journal folder (default: found by walking up from here). Env: JOURNAL_ROOT.")
@click.pass_context
def main(ctx: click.Context, root: str | None) -> None:
    """journal-agent: a learning journal with a searchable archive and a memory agent.

    Start with `journal init`, write with `journal add`, find with `journal search`.
    """
    ctx.ensure_object(dict)
    ctx.obj["root"] = root


@main.command()
@click.argument("folder", type=click.Path(file_okay=False), default=".")
@click.option("--series", default=None, help='Series name for note titles (default "Momentum Learning").')
def init(folder: str, series: str | None) -> None:
    """Create a journal in FOLDER: journal.toml, notes/, site/."""
    from journal_agent.site.build import init_journal

    with _Errors():
        journal = init_journal(Path(folder), series)
    click.echo(f"Journal ready at {journal.root}. Next: `journal add \"what I learned today\"`.")


@main.command()
@click.argument("text", required=False)
@click.option("--file", "file_", type=click.File("r", encoding="utf-8"), help="Read the body from FILE (- for stdin).")
@click.option("--title", help='Note title (default "<series> Day N").')
@click.option("--date", "date_text", help='Journal date, e.g. "yesterday", "last monday", 2025-09-18.')
@click.option("--category", "categories", multiple=True, help="Category (repeatable; default from journal.toml).")
@click.option("--tag", "tags", multiple=True, help="Tag (repeatable).")
@click.option("--no-reflect", is_flag=True, help="Do not ask the agent to update the learner profile.")
@click.pass_context
def add(ctx, text, file_, title, date_text, categories, tags, no_reflect) -> None:
    """Write today's note (TEXT, --file, stdin, or $EDITOR) and ingest it."""
    from journal_agent.notes.add import add_note
    from journal_agent.archive.ingest import ingest

    journal = _journal(ctx)
    if text is None and file_ is not None:
        text = file_.read()
    elif text is None and not sys.stdin.isatty():
        text = sys.stdin.read()
    elif text is None:
        text = click.edit("\n# Write what you learned today. Lines starting with # are headings.\n")
    date = _date_option(date_text, "--date")
    with _Errors():
        note = add_note(journal, text or "", title=title, date=date,
                        categories=list(categories) or None, tags=list(tags))
        report = ingest(journal, [note.path])
    click.echo(f"Wrote {journal.relative(note.path)} ({note.title}, {note.date.isoformat()}); "
               f"{report.chunks_written} chunks archived.")
    if report.changed_notes and not no_reflect:
        _reflect(journal, report.changed_notes)


@main.command(name="ingest")
@click.argument("paths", nargs=-1, type=click.Path(exists=False))
@click.option("--full", is_flag=True, help="Rebuild the archive from scratch (after changing the embedding model).")
@click.option("--no-reflect", is_flag=True, help="Do not ask the agent to update the learner profile.")
@click.option("--json", "as_json", is_flag=True, help="Print the summary as JSON.")
@click.pass_context
def ingest_command(ctx, paths, full, no_reflect, as_json) -> None:
    """Read notes (default: notes/) into the archive; only changed notes are re-embedded."""
    from journal_agent.archive.ingest import ingest

    journal = _journal(ctx)
    err = _console(stderr=True)
    with _Errors(), _progress(err) as progress:
        report = ingest(journal, [Path(p) for p in paths] or None, full=full, progress=progress)
    if as_json:
        click.echo(json.dumps({
            "added": report.added, "updated": report.updated, "removed": report.removed,
            "unchanged": report.unchanged, "chunks_written": report.chunks_written,
            "failed": [{"path": p, "reason": r} for p, r in report.failed],
            "skipped": [{"path": p, "reason": r} for p, r in report.skipped],
            "seconds": round(report.seconds, 3), "embed_seconds": round(report.embed_seconds, 3),
        }, indent=2))
    else:
        for path, reason in report.failed:
            err.print(f"[red]failed[/red] {path}: {reason}")
        click.echo(
            f"added {report.added}, updated {report.updated}, removed {report.removed}, "
            f"unchanged {report.unchanged}, failed {len(report.failed)} "
            f"({report.chunks_written} chunks embedded in {report.seconds:.1f}s)"
        )
        if report.skipped:
            err.print(f"[dim]skipped {len(report.skipped)} files that are not notes "
                      f"(.md, .markdown, .txt), e.g. {report.skipped[0][0]}[/dim]")
    if report.changed_notes and not no_reflect:
        _reflect(journal, report.changed_notes)
    if report.failed:
        ctx.exit(EXIT_PARTIAL)


@main.command()
@click.argument("query", nargs=-1, required=True)
@click.option("-n", "--limit", default=5, show_default=True, type=click.IntRange(1, 100), help="Number of notes.")
@click.option("--mode", type=click.Choice(["hybrid", "fts", "vector"]), default="hybrid", show_default=True,
              help="hybrid = full-text (BM25) + embeddings fused with RRF.")
@click.option("--since", help='Only notes on or after this date ("last month", 2021-03-01).')
@click.option("--until", help="Only notes on or before this date.")
@click.option("--category", help="Only notes in this category.")
@click.option("--json", "as_json", is_flag=True, help="Print a JSON list of results.")
@click.pass_context
def search(ctx, query, limit, mode, since, until, category, as_json) -> None:
    """Search the archive; a time in the QUERY ("in March 2021", "last week") is applied."""
    from journal_agent.archive.search import search_notes

    journal = _journal(ctx)
    with _Errors():
        results = search_notes(
            journal, " ".join(query), limit=limit, mode=mode,
            since=_date_option(since, "--since"), until=_date_option(until, "--until"),
            category=category,
        )
    if as_json:
        click.echo(json.dumps(results.to_json(), indent=2, ensure_ascii=False))
        return
    out = _console()
    if results.window:
        w = results.window
        _console(stderr=True).print(
            f"[dim]“{w.phrase}”: notes from {w.since} to {w.until} first[/dim]")
    if not results.hits:
        out.print("No matching notes. Try other words, --mode fts, or `journal ingest` if notes are missing.")
        return
    for rank, hit in enumerate(results.hits, start=1):
        out.print(f"[bold]{rank}. {_escape(hit.title)}[/bold]  [dim]{hit.date.isoformat()} · {hit.path}[/dim]")
        out.print("   " + _escape(_snippet(hit.text)))


def _snippet(text: str, width: int = 240) -> str:
    """One line of a chunk for the terminal: Markdown links and heading marks dropped."""
    import re

    text = re.sub(r"!?\[([^\]]*)\]\([^)]*\)", r"\1", text)  # [text](url) -> text
    text = re.sub(r"(?m)^\s{0,3}#{1,6}\s*", "", text)
    flat = " ".join(text.split())
    return flat if len(flat) <= width else flat[: width - 1].rsplit(" ", 1)[0] + "…"


def _escape(text: str) -> str:
    from rich.markup import escape

    return escape(text)


class _progress:
    """A rich progress bar over files when stderr is a terminal; silent otherwise."""

    def __init__(self, console):
        self.console = console
        self.bar = None
        self.task = None

    def __enter__(self):
        if not self.console.is_terminal:
            return None
        from rich.progress import Progress

        self.bar = Progress(console=self.console, transient=True)
        self.bar.start()
        self.task = self.bar.add_task("ingesting", total=None)

        def update(done: int, total: int) -> None:
            self.bar.update(self.task, completed=done, total=total)

        return update

    def __exit__(self, *exc):
        if self.bar is not None:
            self.bar.stop()
        return False


def _reflect(journal, notes) -> None:
    """Ask the agent to update the learner profile after new notes (one line when no model)."""
    from journal_agent.agent.reflection import reflect_on_notes

    with _Errors():
        outcome = reflect_on_notes(journal, notes)
    message = getattr(outcome, "message", None)
    if message:
        click.echo(message, err=True)


def _register_subcommands() -> None:
    # Imported here, not at the top: these modules import only Click and the
    # standard library at module level, so `journal --help` stays fast.
    from journal_agent.cli.agent import ask, chat, log, memory, reflect
    from journal_agent.cli.site import site

    for command in (ask, chat, log, memory, reflect, site):
        main.add_command(command)


_register_subcommands()

