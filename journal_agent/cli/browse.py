"""Click adapters for the journal's structure: ``list``, ``show``, ``tags``, ``stats``, ``export`` and ``mcp``.

Each command parses its options, calls one library function
(:mod:`journal_agent.notes.journal`, :mod:`journal_agent.notes.stats`,
:mod:`journal_agent.service.mcp`) and prints. Domain errors
(:class:`~journal_agent.errors.JournalError`) propagate to the CLI group,
which turns them into one-line messages.
"""

from __future__ import annotations

import datetime as dt
import typing
import unicodedata
from pathlib import Path

import click
from rich.table import Table
from rich.text import Text

from journal_agent.cli.boundary import EXIT_PARTIAL
from journal_agent.cli.common import (
    DATE,
    console,
    date_window_options,
    escape,
    include_private_option,
    journal_of,
    json_option,
    print_json,
)
from journal_agent.notes.journal import (
    ExportFormat,
    NoteSummary,
    default_export_name,
    export_notes,
    find_note,
    list_notes,
)
from journal_agent.notes.model import file_time_hint
from journal_agent.notes.stats import journal_stats


@click.command("list")
@date_window_options
@click.option("--on", "on", type=DATE, help='Only notes of this date ("yesterday", 2025-09-18).')
@click.option("-n", "--last", type=click.IntRange(min=1), help="Only the newest N notes (still oldest first).")
@click.option("--category", help="Only notes in this category (case-insensitive).")
@click.option("--tag", help="Only notes with this tag (case-insensitive).")
@json_option("Print JSON: {notes: [...], withheld, failed}; one row per entry: title, date, day, categories, tags, "
             "words, path, private, and the entry's days, entry (index), heading, line, anchor, end_date, date_source.")
@click.pass_context
def list_command(ctx, since, until, on, last, category, tag, as_json) -> None:
    """List entries by date: date, day(s), title (and entry heading), words, categories, tags, path (:line).

    A plain note is one row; a single-file log or a multi-day post is one row per day entry.
    """
    if on is not None and (since or until):
        raise click.UsageError("give --on DATE, or --since/--until, not both")
    if on is not None:
        since = until = on
    listed = list_notes(journal_of(ctx), since=since, until=until, category=category, tag=tag, last=last)
    if as_json:
        print_json(listed.to_json())
    else:
        _print_list(listed, filtered=bool(since or until or category or tag))
    if listed.failed:
        ctx.exit(EXIT_PARTIAL)  # as `journal ingest` and `site build` do: the others were listed


def escape_name(name: str) -> str:
    """A file name or path as one safe line: control, format (bidi overrides such as U+202E, zero-width
    characters) and line/paragraph separator characters as ``\\n``, ``\\u202e``, ... escapes; the rest as is.

    ``journal list`` printed names raw: a newline in a file name split its line, U+202E reversed the rest of
    it (issue 21). Source: Unicode general categories Cc, Cf, Zl, Zp (``unicodedata.category``).
    """
    return "".join(_escape_char(char) if unicodedata.category(char) in _UNSAFE_CATEGORIES else char
                   for char in name)


_UNSAFE_CATEGORIES = frozenset({"Cc", "Cf", "Zl", "Zp", "Cs", "Co", "Cn"})


def _escape_char(char: str) -> str:
    escaped = char.encode("unicode_escape").decode("ascii")
    return escaped if escaped != char else f"\\u{ord(char):04x}"


def _day_label(days: list[int] | tuple[int, ...]) -> str:
    """"Day 12", "Days 45-50", "Days 0-2, 4", "" for none: how list and show name an entry's days."""
    if not days:
        return ""
    if len(days) == 1:
        return f"Day {days[0]}"
    runs: list[list[int]] = []
    for day in days:
        if runs and day == runs[-1][-1] + 1:
            runs[-1].append(day)
        else:
            runs.append([day])
    return "Days " + ", ".join(f"{run[0]}-{run[-1]}" if len(run) > 1 else str(run[0]) for run in runs)


def _print_list(listed, *, filtered: bool) -> None:
    out = console()
    for row in listed.notes:
        day = _day_label(row.days) or ("" if row.day is None else f"Day {row.day}")
        labels = ", ".join(row.categories + [f"#{t}" for t in row.tags])
        flag = " [yellow](private)[/yellow]" if row.private else ""
        heading = f" › {escape(escape_name(row.heading))}" if row.heading else ""
        where = row.path + (f":{row.line}" if row.heading else "")
        out.print(f"{row.date.isoformat()}  {day:<8} [bold]{escape(escape_name(row.title))}[/bold]{heading}{flag}  "
                  f"[dim]{row.words} words · {escape(escape_name(labels))} · {escape(escape_name(where))}[/dim]")
    err = console(stderr=True)
    if not listed.notes and not listed.failed:
        err.print("No notes match." if filtered else "No notes yet. Write one with `journal add`.")
    for path, reason in listed.failed:
        err.print(f"[red]unreadable[/red] {escape(escape_name(path))}: {escape(reason)}")


@click.command("show")
@click.argument("ref", nargs=-1, required=True)
@json_option("Print the entry as JSON: the list fields (entry, heading, line, anchor, days, end_date, "
             "date_source) and text.")
@click.pass_context
def show(ctx, ref, as_json) -> None:
    """Show one entry: a whole note, or the entry of a single-file log or multi-day post a day or date names.

    REF: a day number (4, day 4, Day 0), a date (2025-09-18, "January 4, 2020", yesterday) or a path.
    """
    journal = journal_of(ctx)
    match = find_note(journal, " ".join(ref))
    also = [_where(note, entry) for note, entry in match.also]
    if as_json:
        summary = NoteSummary.of(match.note, match.entry) if match.entry is not None else NoteSummary.of(match.note)
        print_json(summary.to_json() | {"text": match.text, "also_matching": also})
        return
    out = console()
    _print_entry(out, match.note, match.entry, match.text)
    for note, entry in match.also:  # the day's main entry leads, the others follow whole
        out.print()
        out.print("[dim]" + "─" * 40 + "[/dim]")
        _print_entry(out, note, entry, entry.body if len(note.entries) > 1 else note.body)
    if also:
        console(stderr=True).print(f"[dim]also on that {match.how}: {escape(escape_name(', '.join(also)))}[/dim]")


def _where(note, entry) -> str:
    """"notes/log.md:14" for an entry of several, the path for a whole note."""
    return f"{note.rel_path}:{entry.line}" if entry is not None and len(note.entries) > 1 else note.rel_path


def _print_entry(out, note, entry, text: str) -> None:
    """The note's title, the entry's date, days and place (path:line), labels, then the text."""
    part = entry is not None and len(note.entries) > 1
    date = entry.date if part else note.date
    days = _day_label(entry.days if part else note.days)
    out.print(f"[bold]{escape(escape_name(note.title))}[/bold]  [dim]{date.isoformat()}"
              f"{' · ' + days if days else ''} · {escape(escape_name(_where(note, entry)))}[/dim]")
    if note.categories or note.tags:
        out.print("[dim]" + escape(", ".join(note.categories + [f"#{t}" for t in note.tags])) + "[/dim]")
    out.print()
    if out.is_terminal:
        from rich.markdown import Markdown  # here: markdown-it and rich's renderer cost `journal list` ~0.05 CPU-s

        out.print(Markdown(text))
    else:
        click.echo(text.strip("\n"))


@click.command("tags")
@json_option("Print JSON: {tag: notes}, most used first.")
@click.pass_context
def tags(ctx, as_json) -> None:
    """Every tag with how many notes carry it, most used first (jrnl's --tags)."""
    counts = journal_stats(journal_of(ctx)).tags
    if as_json:
        print_json(counts)
        return
    if not counts:
        console(stderr=True).print("No tags yet. Give one with `journal add --tag NAME`.")
        return
    width = max(len(tag) for tag in counts)
    for tag, count in counts.items():
        click.echo(f"{tag:<{width}}  {count}")


@click.command("stats")
@json_option("Print JSON (streaks, gaps, counts; entries, month_days, learning_days, first_day, last_day, "
             "dated_by_file_time).")
@click.pass_context
def stats(ctx, as_json) -> None:
    """Notes, entries, study days, current and longest streak, missed days, counts by category, tag and
    study days per month. Counted over entries: a single-file log's day sections each count."""
    result = journal_stats(journal_of(ctx))
    if as_json:
        print_json(result.to_json())
        return
    out = console()
    if not result.notes:
        out.print("No notes yet. Write one with `journal add`.")
        return
    entries = f" ([bold]{result.entries}[/bold] entries)" if result.entries != result.notes else ""
    notes = "note" if result.notes == 1 else "notes"
    out.print(f"[bold]{result.notes}[/bold] {notes}{entries} on [bold]{result.days}[/bold] days, "
              f"{result.first_date} to {result.last_date}")
    if result.learning_days:
        out.print(f"Learning days: {result.learning_days} (Day {result.first_day} to Day {result.last_day})")
    out.print(f"Current streak: [bold]{result.current_streak.describe()}[/bold]")
    out.print(f"Longest streak: [bold]{result.longest_streak.describe()}[/bold]")
    missed = sum(g.days for g in result.gaps)
    out.print(f"Missed days: {missed}" + (f" in {len(result.gaps)} gaps" if result.gaps else ""))
    for gap in result.gaps[-5:]:
        out.print(f"  [dim]{gap.describe()}[/dim]")
    for title, counts in (("Categories", result.categories), ("Tags", result.tags),
                          ("Study days per month", result.month_days)):
        if counts:
            shown = list(counts.items())[-12:] if title.endswith("month") else list(counts.items())[:10]
            out.print(f"{title}: " + escape(", ".join(f"{k} {v}" for k, v in shown)))
    if result.dated_by_file_time:
        console(stderr=True).print(f"[yellow]{escape(file_time_hint(result.dated_by_file_time))}[/yellow]")
    if out.is_terminal:
        out.print()
        out.print(_heatmap(result))


def _heatmap(result, weeks: int = 26):
    """A GitHub-style calendar of the last ``weeks`` weeks up to the last note: a row per weekday, a column per
    week, ■ for a day with notes (brighter for more), · for a day without."""
    end = max(result.last_date, min(result.today, result.last_date + dt.timedelta(days=6)))
    start = end - dt.timedelta(days=end.weekday()) - dt.timedelta(weeks=weeks - 1)
    table = Table(show_header=False, box=None, padding=(0, 0), pad_edge=False)
    table.add_column(width=4)
    for _ in range(weeks):
        table.add_column(width=2)
    shades = ["grey23", "green4", "green3", "bright_green"]
    for weekday in range(7):
        cells = [Text(["Mon", "", "Wed", "", "Fri", "", "Sun"][weekday], style="dim")]
        for week in range(weeks):
            day = start + dt.timedelta(weeks=week, days=weekday)
            count = result.per_day.get(day, 0)
            cells.append(Text("  " if day > end else ("■ " if count else "· "), style=shades[min(count, 3)]))
        table.add_row(*cells)
    return table


@click.command("export")
@click.option("--format", "fmt", type=click.Choice(typing.get_args(ExportFormat)), default="json", show_default=True,
              help="json: one document; markdown: a zip with one file per note.")
@click.option("--output", "-o", type=click.Path(dir_okay=False, allow_dash=True, path_type=Path),
              help="File to write, - for stdout (default: JSON to stdout, Markdown to journal-export-DATE.zip). "
                   "Never inside notes/ or .journal/.")
@click.option("--force", is_flag=True, help="Replace an existing file that is not an earlier export.")
@include_private_option("Also export private and draft notes.")
@click.pass_context
def export(ctx, fmt, output, force, include_private) -> None:
    """Export every note with its metadata and text. Exits 3 when some notes could not be read."""
    journal = journal_of(ctx)
    if output is None and fmt == "markdown":
        output = Path(default_export_name(fmt))
    elif output == Path("-"):
        output = None
    result = export_notes(journal, fmt, output, include_private=include_private, force=force)
    err = console(stderr=True)
    if result.output is None:
        click.echo(result.data, nl=False)  # bytes (a zip) go to the binary stream
    else:
        click.echo(f"Exported {result.notes} notes to {escape_name(journal.relative(result.output))}.")
    if result.withheld:
        err.print(f"[dim]{result.withheld} private or draft notes left out (add --include-private).[/dim]")
    for path, reason in result.failed:
        err.print(f"[red]unreadable[/red] {escape(escape_name(path))}: {escape(reason)}")
    if result.failed:
        ctx.exit(EXIT_PARTIAL)  # as `journal ingest`, `list` and `site build` do: the others were exported


@click.command("mcp")
@click.pass_context
def mcp(ctx) -> None:
    """Serve the journal to MCP clients over stdio (read-only: search, list, read, stats, core memory)."""
    from journal_agent.service.mcp import serve_stdio  # here: the mcp library is heavy, `journal list` is not

    serve_stdio(journal_of(ctx))

