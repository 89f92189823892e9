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
@json_option("Print JSON: {query, window, day, results: [...], withheld}.")
@click.pass_context
def search(ctx, query, limit, mode, since, until, category, source, as_json) -> None:
    """Search the archive; a day ("Day 4") or a time ("on September 23, 2025", "in March 2021") in QUERY is applied."""
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
        other = {"hybrid": "", "fts": ", --mode hybrid (by meaning)", "vector": ", --mode hybrid"}[mode]
        out.print(f"No matching notes. Try other words{other}, or `journal ingest` if notes are missing.")
        return
    if not results.matched:
        words = escape(results.search_text.strip())
        lead = (f"No note mentions “{words}”" if mode != "vector" else f"Nothing is close to “{words}”")
        out.print(f"{lead}; closest by meaning:" if mode != "fts" else f"{lead}.")
    for rank, hit in enumerate(results.hits, start=1):
        day = f"Day {hit.day} · " if hit.day is not None else ""
        out.print(f"[bold]{rank}. {escape(hit.title)}[/bold]  [dim]{day}{hit.date.isoformat()} · {hit.path}[/dim]")
        out.print("   " + escape(plain_excerpt(hit.text)))


