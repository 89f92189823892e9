"""Click adapters that write to the journal: ``init``, ``add``, ``renumber`` and ``ingest``.

``add`` and ``ingest`` end by letting the sleep-time agent update the learner
profile (``[agent] reflect``) unless ``--no-reflect``.
"""

from __future__ import annotations

import datetime as dt
import sys
from pathlib import Path

import click
from rich.progress import BarColumn, Progress, TextColumn, TimeElapsedColumn

from journal_agent import init_journal
from journal_agent.agent.sleeptime import reflect_after
from journal_agent.archive.ingest import DATING_HINT, IngestProgress, ingest
from journal_agent.cli.boundary import EXIT_PARTIAL
from journal_agent.cli.common import DATE, console, escape, journal_of, json_option, print_json, say_waiting
from journal_agent.notes.add import EDITOR_TEMPLATE, NoFreeDay, add_note, renumber_journal
from journal_agent.notes.days import MAX_DAY, MIN_DAY

no_reflect_option = click.option("--no-reflect", is_flag=True,
                                 help="Do not ask the agent to update the learner profile.")


@click.command()
@click.argument("folder", type=click.Path(file_okay=False), default=".")
@click.option("--series", default=None, help='Series name for note titles (default "Momentum Learning").')
def init(folder: str, series: str | None) -> None:
    """Create a journal in FOLDER: journal.toml, notes/, site/."""
    journal = init_journal(Path(folder), series)
    click.echo(f"Journal ready at {journal.root}. Next: `journal add \"what I learned today\"`.")


@click.command()
@click.argument("text", required=False)
@click.option("--file", "file_", type=click.Path(dir_okay=False, allow_dash=True),
              help="Read the note from FILE (- for stdin); its front matter is merged.")
@click.option("--title", help='Note title (default: the note\'s own, else "<series> Day N").')
@click.option("--date", "date_text", help='Journal date, e.g. "yesterday", "last monday", 2025-09-18 '
              "(a future date only as YYYY-MM-DD, or confirmed at the terminal).")
@click.option("--day", type=click.IntRange(MIN_DAY, MAX_DAY),
              help="Learning day, 0 or more (default: the note's own Day N, else that date's day, else the day "
                   "that fits between its neighbours' days, else the highest day + 1).")
@click.option("--renumber", is_flag=True,
              help="When a backfilled date has no free day, move the later days up by one.")
@click.option("--category", "categories", multiple=True, help="Category (repeatable; default from journal.toml).")
@click.option("--tag", "tags", multiple=True, help="Tag (repeatable).")
@no_reflect_option
@click.pass_context
def add(ctx, text, file_, title, date_text, day, renumber, categories, tags, no_reflect) -> None:
    """Write a note (TEXT, --file, stdin, or $EDITOR) and ingest it."""
    if text is not None and file_ is not None:
        raise click.UsageError("give the note as TEXT or as --file, not both")
    journal = journal_of(ctx)
    date_param = next(p for p in ctx.command.params if p.name == "date_text")
    date = DATE.convert(date_text, date_param, ctx) if date_text is not None else None
    allow_future = date_text is not None and _is_iso_date(date_text)
    if date is not None and date > dt.date.today() and not allow_future and sys.stdin.isatty():
        allow_future = click.confirm(f"{date_text!r} is {date.isoformat()}, in the future; write the note there?")
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
    def write(renumber: bool):
        return add_note(journal, body or "", title=title, date=date, day=day, source=source,
                        categories=list(categories) or None, tags=list(tags) or None,
                        allow_future=allow_future, renumber=renumber)

    try:
        note = write(renumber)
    except NoFreeDay as exc:
        if not (sys.stdin.isatty() and click.confirm(
                f"No day number is free for {date or 'this date'}: make this note Day {exc.day} and move "
                f"Day {exc.day} and later up by one?", err=True)):
            raise
        renumber = True
        note = write(renumber)
    report = ingest(journal, None if renumber else [note.path],  # renumbered notes changed too
                    progress=say_waiting)
    day_text = f"Day {note.day}, " if note.day is not None else ""  # Day 0 is a day
    click.echo(f"Wrote {journal.relative(note.path)} ({note.title}, {day_text}{note.date.isoformat()}); "
               f"{report.chunks_written} chunks archived.")
    if report.changed_notes and not no_reflect:
        _reflect(journal, report.changed_notes)


@click.command()
@click.option("--yes", "-y", is_flag=True, help="Rewrite the notes without asking.")
@no_reflect_option
@click.pass_context
def renumber(ctx, yes, no_reflect) -> None:
    """Renumber the learning days in date order, without gaps.

    Use it after backfilling days. Shows what changes first; only the "Day N" words of each note's
    title, heading and `day:` change.
    """
    journal = journal_of(ctx)
    plan = renumber_journal(journal, apply=False)
    if not plan:
        click.echo("The learning days already run in date order without gaps; nothing to renumber.")
        return
    for held, day in plan:
        click.echo(f"{held.path}: Day {held.day} → Day {day}  ({held.date.isoformat()})")
    if not yes and not (sys.stdin.isatty() and click.confirm(f"Renumber these {len(plan)} notes?", err=True)):
        click.echo("Nothing was changed (give --yes to renumber).", err=True)
        return
    plan = renumber_journal(journal)
    report = ingest(journal, progress=say_waiting)
    click.echo(f"Renumbered {len(plan)} notes.")
    if report.changed_notes and not no_reflect:
        _reflect(journal, report.changed_notes)


@click.command(name="ingest")
@click.argument("paths", nargs=-1, type=click.Path(exists=False))
@click.option("--full", is_flag=True,
              help="Rebuild the archive from every ingested folder (after changing the embedding model, or to "
                   "repair it); the agent's own entries are kept.")
@no_reflect_option
@json_option("Print the summary as JSON.")
@click.pass_context
def ingest_command(ctx, paths, full, no_reflect, as_json) -> None:
    """Read notes into the archive; only changed notes are re-embedded.

    PATHS are files or folders (remembered: a plain `journal ingest` re-scans notes/ and every folder
    ingested before).
    """
    journal = journal_of(ctx)
    err = console(stderr=True)
    with _progress(err) as progress:
        report = ingest(journal, list(paths) or None, full=full, progress=progress)
    if as_json:
        print_json({
            "added": report.added, "updated": report.updated, "removed": report.removed,
            "unchanged": report.unchanged, "chunks_written": report.chunks_written,
            "agent_entries_kept": report.agent_entries, "sources": report.sources,
            "dated_by_file_time": report.dated_by_file_time,
            "failed": [{"path": p, "reason": r} for p, r in report.failed],
            "skipped": [{"path": p, "reason": r} for p, r in report.skipped],
            "seconds": round(report.seconds, 3), "embed_seconds": round(report.embed_seconds, 3),
        })
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
        if report.dated_by_file_time:
            dated = report.dated_by_file_time
            err.print(f"[yellow]{len(dated)} note(s) dated by file time[/yellow] (git history or modification "
                      f"time, e.g. {escape(dated[0])}): {escape(DATING_HINT)}.")
    if report.changed_notes and not no_reflect:
        _reflect(journal, report.changed_notes)
    if report.failed:
        ctx.exit(EXIT_PARTIAL)


def _is_iso_date(text: str) -> bool:
    """True for a date written out as YYYY-MM-DD (a future date given that way is meant)."""
    try:
        dt.date.fromisoformat(text.strip())
    except ValueError:
        return False
    return True


class _progress:
    """Ingest progress on stderr: a rich bar with notes and chunks done/total and chunks/s on a terminal;
    otherwise one plain line per step (piped or logged runs are not silent for minutes). Either way it
    says when the ingest waits for another process's lock."""

    def __init__(self, console):
        self.console = console
        self.bar: Progress | None = None
        self.task = None
        self.last: tuple[int, int] | None = None

    def __enter__(self):
        if self.console.is_terminal:
            self.bar = Progress(
                TextColumn("[progress.description]{task.description}"), BarColumn(),
                TextColumn("notes {task.fields[notes]}  chunks {task.fields[chunks]}  {task.fields[rate]}"),
                TimeElapsedColumn(), console=self.console, transient=True)
            self.bar.start()
            self.task = self.bar.add_task("reading notes", total=None, notes="-", chunks="-", rate="")
        return self.update

    def update(self, step: IngestProgress) -> None:
        rate = f"{step.chunks_per_second:.1f} chunks/s" if step.chunks_per_second else ""
        if step.waiting:
            say_waiting(step)
            return
        if self.bar is not None and self.task is not None:
            self.bar.update(self.task, description="embedding", completed=step.chunks_done,
                            total=step.chunks_total or None,
                            notes=f"{step.notes_done}/{step.notes_total}",
                            chunks=f"{step.chunks_done}/{step.chunks_total}", rate=rate)
            return
        if (step.chunks_done, step.chunks_total) == self.last or not step.chunks_total:
            return
        self.last = (step.chunks_done, step.chunks_total)
        self.console.print(f"ingest: notes {step.notes_done}/{step.notes_total}, chunks "
                           f"{step.chunks_done}/{step.chunks_total}" + (f", {rate}" if rate else ""),
                           markup=False, highlight=False, soft_wrap=True)

    def __exit__(self, *exc):
        if self.bar is not None:
            self.bar.stop()
        return False


def _reflect(journal, notes) -> None:
    """Let the sleep-time agent update the learner profile after new notes, as ``[agent] reflect`` says."""
    message = reflect_after(journal, notes)
    if message:
        click.echo(message, err=True)
