"""``journal search``: the Click adapter over :func:`journal_agent.archive.search.search_notes`."""

from __future__ import annotations

import typing

import click

from journal_agent.archive.search import SearchMode, Source, search_notes
from journal_agent.cli.common import console, date_window_options, escape, journal_of, json_option, print_json
from journal_agent.text import plain_excerpt


@click.command()
@click.argument("query", nargs=-1, required=True)
@click.option("-n", "--limit", default=5, show_default=True, type=click.IntRange(1, 100), help="Number of notes.")
@click.option("--mode", type=click.Choice(typing.get_args(SearchMode)), default="hybrid", show_default=True,
              help="hybrid = full-text (BM25) + embeddings, scores fused 0.3/0.7 (the default).")
@date_window_options
@click.option("--category", help="Only notes in this category.")
@click.option("--source", type=click.Choice(typing.get_args(Source)), default="note", show_default=True,
              help="Your notes, the agent's own archival entries, or both.")
@json_option("Print JSON: {query, search_text, window, day, day_range, order, event, matched, best_similarity, "
             "empty, nearest: [...], results: [...], withheld}; a result names its entry: path, entry, "
             "entry_heading, line, anchor, date, end_date, day, days (SearchResults.to_json).")
@click.pass_context
def search(ctx, query, limit, mode, since, until, category, source, as_json) -> None:
    """Search the archive; one result per entry (a dated or day-numbered part of a note).

    What QUERY names of the journal is applied: a day ("Day 4"), a time ("on September 23, 2025", "in March
    2021"), the challenge's calendar ("the second week of the challenge"), an event ("the day after I
    finished the course") and first/last-time questions ("When did I first learn about Docker?").
    """
    journal = journal_of(ctx)
    results = search_notes(
        journal, " ".join(query), limit=limit, mode=mode,
        since=since, until=until,
        category=category, source=source, include_private=True,
    )
    if as_json:
        print_json(results.to_json())
        return
    out = console()
    understood = []
    if results.order:
        understood.append(f"the {results.order} time (matching entries by date)")
    if results.day is not None:
        understood.append(f"Day {results.day}")
    if results.day_range is not None:
        understood.append(f"Days {results.day_range[0]}-{results.day_range[1]}")
    if results.event is not None:
        understood.append(f"the event in {entry_name(results.event)} ({results.event.date})")
    if results.window:
        w = results.window
        understood.append(f"“{w.phrase}” ({w.since}" + (f" to {w.until})" if w.until != w.since else ")"))
    if understood:
        if results.empty:
            near = ", ".join(f"{entry_name(hit)} ({hit.date})" for hit in results.nearest) or "none"
            state = f"no entry there; the nearest before and after: {near}"
        else:
            state = "matching entries first" if any(results.in_window) else "the best matches"
        console(stderr=True).print(f"[dim]{escape(' and '.join(understood))}: {escape(state)}[/dim]")
    if not results.hits:
        other = {"hybrid": "", "fts": ", --mode hybrid (by meaning)", "vector": ", --mode hybrid"}[mode]
        out.print(f"No matching notes. Try other words{other}, or `journal ingest` if notes are missing.")
        return
    if results.empty and not results.matched:
        out.print("No entry there; the nearest entries before and after it:")
    elif not results.matched:
        words = escape(results.search_text.strip())
        lead = (f"No note mentions “{words}”" if mode != "vector" else f"Nothing is close to “{words}”")
        out.print(f"{lead}; closest by meaning:" if mode != "fts" else f"{lead}.")
    for rank, hit in enumerate(results.hits, start=1):
        day = f"{day_text(hit.days)} · " if hit.days else ""
        dates = hit.date.isoformat() + (f" to {hit.end_date.isoformat()}" if hit.end_date and hit.end_date != hit.date
                                        else "")
        out.print(f"[bold]{rank}. {escape(hit.title)}[/bold]  [dim]{day}{dates} · {escape(entry_name(hit))}[/dim]")
        out.print("   " + escape(plain_excerpt(hit.text)))


def entry_name(hit) -> str:
    """Where an entry is: ``path`` for a whole-note entry, ``path:line "heading"`` for one of several."""
    if not hit.entry_heading:
        return hit.path
    return f"{hit.path}:{hit.line} “{hit.entry_heading.lstrip('#').strip()}”"


def day_text(days: list[int]) -> str:
    """"Day 4", "Days 45-50", "Days 56, 57"."""
    if len(days) == 1:
        return f"Day {days[0]}"
    if days == list(range(days[0], days[-1] + 1)):
        return f"Days {days[0]}-{days[-1]}"
    return "Days " + ", ".join(str(n) for n in days)


