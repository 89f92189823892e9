"""Click adapters that bring another tool's journal in: ``journal import jrnl`` (library:
:func:`journal_agent.notes.jrnl.import_jrnl`)."""

from __future__ import annotations

import click

from journal_agent.cli.common import console, escape, journal_of, json_option, print_json
from journal_agent.notes.jrnl import import_jrnl


@click.group("import")
def import_group() -> None:
    """Import another tool's journal as notes (jrnl)."""


@import_group.command("jrnl")
@click.argument("file", type=click.Path(dir_okay=False))
@click.option("--into", default=None, metavar="FOLDER",
              help="Folder inside notes/ for the notes (default notes/jrnl, so their category is jrnl).")
@json_option("Print what was written as JSON.")
@click.pass_context
def jrnl(ctx: click.Context, file: str, into: str | None, as_json: bool) -> None:
    """Import a jrnl journal FILE (its text file, or `jrnl --export json` output): one note per day,
    each entry a `## HH:MM Title` section, tags in front matter. Never overwrites a note."""
    journal = journal_of(ctx)
    report = import_jrnl(journal, file, into=into)
    if as_json:
        print_json(report.to_json())
        return
    out = console()
    out.print(f"[bold green]Imported[/] {report.entries} jrnl entr{'y' if report.entries == 1 else 'ies'} "
              f"({report.format}) as {report.days} note(s), {report.first} to {report.last}"
              + (f"; {report.starred} starred" if report.starred else "") + ".")
    folders = sorted({path.rsplit("/", 1)[0] for path in report.written})
    out.print(f"Written into {escape(', '.join(folders))}/: {escape(report.written[0])}"
              + (f" … {escape(report.written[-1])}" if len(report.written) > 1 else ""))
    if report.skipped_lines:
        out.print(f"[yellow]{report.skipped_lines} line(s) before the first entry were not imported "
                  "(jrnl ignores them too).[/]")
    out.print("Next: `journal ingest` makes them searchable; `journal list` and `journal stats` see them now.")
