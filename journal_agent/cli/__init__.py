"""The ``journal`` command: thin Click adapters over the library.

Each command parses options, calls one library function and prints the result.
Exceptions become one-line messages in one place: :mod:`journal_agent.cli.boundary`.

Exit codes: 0 success; 1 error (nothing or not everything could be done, message
on stderr); 2 usage error (Click); 3 partial: some notes failed and are listed,
every other note went through.
"""

from __future__ import annotations

import json
import re
import sys
import textwrap
from pathlib import Path

import click

from journal_agent import __version__
from journal_agent.cli.boundary import JournalGroup
from journal_agent.cli.common import DATE, console, escape, journal_of
from journal_agent.notes.days import MAX_DAY

EXIT_PARTIAL = 3


@click.group(cls=JournalGroup, context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(__version__, "-V", "--version", prog_name="journal")
@click.option("--root", type=click.Path(file_okay=False), envvar="JOURNAL_ROOT",
              help="Journal folder (default: found by walking up from here). Env: JOURNAL_ROOT.")
@click.option("--debug", is_flag=True, help="Show the traceback of an error. Env: JOURNAL_DEBUG=1.")
@click.pass_context
def main(ctx: click.Context, root: str | None, debug: bool) -> None:
    """journal-agent: a learning journal with a searchable archive and a memory agent.

    Start with `journal init`, write with `journal add`, find with `journal search`.
    """
    ctx.ensure_object(dict)
    ctx.obj["root"] = root
    ctx.obj["debug"] = debug
    if ctx.invoked_subcommand != "_sleeptime":  # the outcome of a background reflection, in one line
        from journal_agent.cli.agents import sleeptime_notice

        sleeptime_notice(root)


@main.command()
@click.argument("folder", type=click.Path(file_okay=False), default=".")
@click.option("--series", default=None, help='Series name for note titles (default "Momentum Learning").')
def init(folder: str, series: str | None) -> None:
    """Create a journal in FOLDER: journal.toml, notes/, site/."""
    from journal_agent.site.build import init_journal

    journal = init_journal(Path(folder), series)
    click.echo(f"Journal ready at {journal.root}. Next: `journal add \"what I learned today\"`.")


@main.command()
@click.argument("text", required=False)
@click.option("--file", "file_", type=click.Path(dir_okay=False, allow_dash=True),
              help="Read the note from FILE (- for stdin); its front matter is merged.")
@click.option("--title", help='Note title (default: the note\'s own, else "<series> Day N").')
@click.option("--date", type=DATE, help='Journal date, e.g. "yesterday", "last monday", 2025-09-18.')
@click.option("--day", type=click.IntRange(1, MAX_DAY),
              help="Learning day (default: the note's own Day N, else that date's day, else the highest day + 1).")
@click.option("--category", "categories", multiple=True, help="Category (repeatable; default from journal.toml).")
@click.option("--tag", "tags", multiple=True, help="Tag (repeatable).")
@click.option("--no-reflect", is_flag=True, help="Do not ask the agent to update the learner profile.")
@click.pass_context
def add(ctx, text, file_, title, date, day, categories, tags, no_reflect) -> None:
    """Write a note (TEXT, --file, stdin, or $EDITOR) and ingest it."""
    from journal_agent.archive.ingest import ingest
    from journal_agent.notes.add import EDITOR_TEMPLATE, add_note

    if text is not None and file_ is not None:
        raise click.UsageError("give the note as TEXT or as --file, not both")
    journal = journal_of(ctx)
    source = "note text"
    body: str | bytes | None = text
    if file_ is not None:
        source = "stdin" if file_ == "-" else file_
        try:
            with click.open_file(file_, "rb") as handle:
                body = handle.read()
        except OSError as exc:
            raise click.BadParameter(f"cannot read {file_}: {exc.strerror or exc}", param_hint="--file") from exc
    elif text is None and not sys.stdin.isatty():
        stdin = getattr(sys.stdin, "buffer", sys.stdin)  # bytes: the library decodes and names bad encodings
        body, source = stdin.read(), "stdin"
    elif text is None:
        body = click.edit(EDITOR_TEMPLATE, extension=".md")
    note = add_note(journal, body or "", title=title, date=date, day=day, source=source,
                    categories=list(categories) or None, tags=list(tags) or None)
    report = ingest(journal, [note.path])
    day_text = f"Day {note.day}, " if note.day else ""
    click.echo(f"Wrote {journal.relative(note.path)} ({note.title}, {day_text}{note.date.isoformat()}); "
               f"{report.chunks_written} chunks archived.")
    if report.changed_notes and not no_reflect:
        _reflect(journal, report.changed_notes)


@main.command(name="ingest")
@click.argument("paths", nargs=-1, type=click.Path(exists=False))
@click.option("--full", is_flag=True,
              help="Rebuild the archive from every ingested folder (after changing the embedding model, or to "
                   "repair it); the agent's own entries are kept.")
@click.option("--no-reflect", is_flag=True, help="Do not ask the agent to update the learner profile.")
@click.option("--json", "as_json", is_flag=True, help="Print the summary as JSON.")
@click.pass_context
def ingest_command(ctx, paths, full, no_reflect, as_json) -> None:
    """Read notes into the archive; only changed notes are re-embedded.

    PATHS are files or folders (remembered: a plain `journal ingest` re-scans notes/ and every folder
    ingested before).
    """
    from journal_agent.archive.ingest import ingest

    journal = journal_of(ctx)
    err = console(stderr=True)
    with _progress(err) as progress:
        report = ingest(journal, list(paths) or None, full=full, progress=progress)
    if as_json:
        click.echo(json.dumps({
            "added": report.added, "updated": report.updated, "removed": report.removed,
            "unchanged": report.unchanged, "chunks_written": report.chunks_written,
            "agent_entries_kept": report.agent_entries, "sources": report.sources,
            "failed": [{"path": p, "reason": r} for p, r in report.failed],
            "skipped": [{"path": p, "reason": r} for p, r in report.skipped],
            "seconds": round(report.seconds, 3), "embed_seconds": round(report.embed_seconds, 3),
        }, indent=2))
    else:
        for path, reason in report.failed:
            err.print(f"[red]failed[/red] {escape(path)}: {escape(reason)}")
        kept = f", {report.agent_entries} agent entries kept" if full else ""
        click.echo(
            f"added {report.added}, updated {report.updated}, removed {report.removed}, "
            f"unchanged {report.unchanged}, failed {len(report.failed)}{kept} "
            f"({report.chunks_written} chunks embedded in {report.seconds:.1f}s)"
        )
        if report.skipped:
            path, reason = report.skipped[0]
            err.print(f"[dim]skipped {len(report.skipped)} files, e.g. {escape(path)}: {escape(reason)}[/dim]")
    if report.changed_notes and not no_reflect:
        _reflect(journal, report.changed_notes)
    if report.failed:
        ctx.exit(EXIT_PARTIAL)


@main.command()
@click.argument("query", nargs=-1, required=True)
@click.option("-n", "--limit", default=5, show_default=True, type=click.IntRange(1, 100), help="Number of notes.")
@click.option("--mode", type=click.Choice(["hybrid", "fts", "vector"]), default="hybrid", show_default=True,
              help="hybrid = full-text (BM25) + embeddings fused with RRF.")
@click.option("--since", type=DATE, help='Only notes on or after this date ("last month", 2021-03-01).')
@click.option("--until", type=DATE, help="Only notes on or before this date.")
@click.option("--category", help="Only notes in this category.")
@click.option("--source", type=click.Choice(["note", "agent", "all"]), default="note", show_default=True,
              help="Your notes, the agent's own archival entries, or both.")
@click.option("--json", "as_json", is_flag=True,
              help="Print JSON: {query, window, day, results: [...], withheld}.")
@click.pass_context
def search(ctx, query, limit, mode, since, until, category, source, as_json) -> None:
    """Search the archive; a day ("Day 4") or a time ("on September 23, 2025", "in March 2021") in QUERY is applied."""
    from journal_agent.archive.search import search_notes

    journal = journal_of(ctx)
    results = search_notes(
        journal, " ".join(query), limit=limit, mode=mode,
        since=since, until=until,
        category=category, source=source, include_private=True,
    )
    if as_json:
        click.echo(json.dumps(results.to_json(), indent=2, ensure_ascii=False))
        return
    out = console()
    understood = []
    if results.day is not None:
        understood.append(f"Day {results.day}")
    if results.window:
        w = results.window
        understood.append(f"“{w.phrase}” ({w.since}" + (f" to {w.until})" if w.until != w.since else ")"))
    if understood:
        found = any(results.in_window)
        console(stderr=True).print(f"[dim]{' and '.join(understood)}: "
                                    f"{'matching notes first' if found else 'no note there; the best matches'}[/dim]")
    if not results.hits:
        out.print("No matching notes. Try other words, --mode fts, or `journal ingest` if notes are missing.")
        return
    for rank, hit in enumerate(results.hits, start=1):
        day = f"Day {hit.day} · " if hit.day is not None else ""
        out.print(f"[bold]{rank}. {escape(hit.title)}[/bold]  [dim]{day}{hit.date.isoformat()} · {hit.path}[/dim]")
        out.print("   " + escape(_snippet(hit.text)))


def _snippet(text: str, width: int = 240) -> str:
    """One line of a chunk for the terminal: Markdown links and heading marks dropped."""

    text = re.sub(r"!?\[([^\]]*)\]\([^)]*\)", r"\1", text)  # [text](url) -> text
    text = re.sub(r"(?m)^\s{0,3}#{1,6}\s*", "", text)
    return textwrap.shorten(text, width=width, placeholder=" …")


class _progress:
    """A rich progress bar (chunks embedded) when stderr is a terminal; silent otherwise."""

    def __init__(self, console):
        self.console = console
        self.bar = None
        self.task = None

    def __enter__(self):
        if not self.console.is_terminal:
            return None
        from rich.progress import Progress

        bar = self.bar = Progress(console=self.console, transient=True)
        bar.start()
        task = self.task = bar.add_task("embedding", total=None)

        def update(done: int, total: int) -> None:
            bar.update(task, completed=done, total=total)

        return update

    def __exit__(self, *exc):
        if self.bar is not None:
            self.bar.stop()
        return False


def _reflect(journal, notes) -> None:
    """Let the sleep-time agent update the learner profile after new notes, as ``[agent] reflect`` says."""
    from journal_agent.agent.sleeptime import reflect_after

    message = reflect_after(journal, notes)
    if message:
        click.echo(message, err=True)


def _register_subcommands() -> None:
    # Imported here, not at the top: these modules import only Click and the
    # standard library at module level, so `journal --help` stays fast.
    from journal_agent.cli.agent import ask, chat, log, reflect
    from journal_agent.cli.agents import agents, sleeptime
    from journal_agent.cli.browse import COMMANDS as BROWSE_COMMANDS
    from journal_agent.cli.digest import digest
    from journal_agent.cli.memory import memory
    from journal_agent.cli.review import review
    from journal_agent.cli.site import site

    for command in (ask, chat, log, memory, reflect, agents, sleeptime, review, site, digest, *BROWSE_COMMANDS):
        main.add_command(command)


_register_subcommands()

