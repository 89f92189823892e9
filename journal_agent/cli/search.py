"""``journal search``: the Click adapter over :func:`journal_agent.archive.search.search_notes`.

When a ``journal serve`` of the journal is running (``.journal/serve.json``, :mod:`journal_agent.service.local`),
the command asks it with the local token and prints its answer; otherwise it searches in this process.
Both paths print from the same JSON (:meth:`~journal_agent.archive.search.SearchResults.to_json`,
what ``--json`` prints) through :func:`render`, so the output is the same. The served path imports
neither lancedb nor the embedder nor pydantic: ``journal search`` then starts like ``journal list``
or faster (issue 23; ``python -m benchmarks.bench_startup``).
"""

from __future__ import annotations

import datetime as dt
import typing
from typing import Any

import click

from journal_agent.archive.modes import SearchMode, Source
from journal_agent.cli.common import console, date_window_options, escape, json_option, print_json
from journal_agent.text import plain_excerpt

SEARCH_PATH = "/v1/journal/search"  # the server's journal-native search (journal_agent.service.http.app)


@click.command()
@click.argument("query", nargs=-1, required=True)
@click.option("-n", "--limit", default=5, show_default=True, type=click.IntRange(1, 100), help="Number of notes.")
@click.option("--mode", type=click.Choice(typing.get_args(SearchMode)), default="hybrid", show_default=True,
              help="hybrid = full-text (BM25) + embeddings, scores fused 0.45/0.55 (the default).")
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
    A running `journal serve` of this journal answers when there is one (faster); the output is the same.
    """
    text = " ".join(query)
    data = served_search(ctx, text, limit=limit, mode=mode, since=since, until=until, category=category,
                         source=source)
    if data is None:
        from journal_agent.archive.search import search_notes
        from journal_agent.cli.common import journal_of

        data = search_notes(
            journal_of(ctx), text, limit=limit, mode=mode,
            since=since, until=until,
            category=category, source=source, include_private=True,
        ).to_json()
    if as_json:
        print_json(data)
        return
    render(data, mode)


def served_search(ctx: click.Context, query: str, *, limit: int, mode: str, since: dt.date | None,
                  until: dt.date | None, category: str | None, source: str) -> dict[str, Any] | None:
    """What a running ``journal serve`` of the command's journal answers (``SearchResults.to_json``), or
    ``None``: no journal found here, no server announced, a stale announcement, or a server that did not
    answer as the owner's (see :func:`journal_agent.service.local.request_json`)."""
    from journal_agent.service.local import request_json, server_here

    server = server_here((ctx.find_object(dict) or {}).get("root"))
    if server is None:
        return None
    data = request_json(server, "GET", SEARCH_PATH, params={
        "query": query, "limit": limit, "mode": mode, "since": since.isoformat() if since else None,
        "until": until.isoformat() if until else None, "category": category, "source": source})
    return data if isinstance(data, dict) and isinstance(data.get("results"), list) else None


def render(data: dict[str, Any], mode: str) -> None:
    """Print search results for a person: ``data`` is :meth:`SearchResults.to_json` (``--json``'s output).

    What the question was understood to name goes to stderr (dim), the ranked entries to stdout.
    """
    out = console()
    hits, window = data["results"], data["window"]
    understood = []
    if data["order"]:
        understood.append(f"the {data['order']} time (matching entries by date)")
    if data["day"] is not None:
        understood.append(f"Day {data['day']}")
    if data["day_range"] is not None:
        understood.append(f"Days {data['day_range'][0]}-{data['day_range'][1]}")
    if data["event"] is not None:
        understood.append(f"the event in {entry_name(data['event'])} ({data['event']['date']})")
    if window and window["phrase"] is not None:
        understood.append(f"“{window['phrase']}” ({window['since']}"
                          + (f" to {window['until']})" if window["until"] != window["since"] else ")"))
    if understood:
        if data["empty"]:
            near = ", ".join(f"{entry_name(hit)} ({hit['date']})" for hit in data["nearest"]) or "none"
            state = f"no entry there; the nearest before and after: {near}"
        else:
            state = "matching entries first" if any(hit["in_window"] for hit in hits) else "the best matches"
        console(stderr=True).print(f"[dim]{escape(' and '.join(understood))}: {escape(state)}[/dim]")
    if not hits:
        other = {"hybrid": "", "fts": ", --mode hybrid (by meaning)", "vector": ", --mode hybrid"}[mode]
        out.print(f"No matching notes. Try other words{other}, or `journal ingest` if notes are missing.")
        return
    if data["empty"] and not data["matched"]:
        out.print("No entry there; the nearest entries before and after it:")
    elif not data["matched"]:
        words = escape(data["search_text"].strip())
        lead = (f"No note mentions “{words}”" if mode != "vector" else f"Nothing is close to “{words}”")
        out.print(f"{lead}; closest by meaning:" if mode != "fts" else f"{lead}.")
    for rank, hit in enumerate(hits, start=1):
        day = f"{day_text(hit['days'])} · " if hit["days"] else ""
        dates = hit["date"] + (f" to {hit['end_date']}" if hit["end_date"] and hit["end_date"] != hit["date"] else "")
        out.print(f"[bold]{rank}. {escape(hit['title'])}[/bold]  [dim]{day}{dates} · {escape(entry_name(hit))}[/dim]")
        out.print("   " + escape(plain_excerpt(hit["text"])))


def entry_name(hit: dict[str, Any]) -> str:
    """Where an entry is (``hit`` a result of ``SearchResults.to_json``): ``path`` for a whole-note entry,
    ``path:line "heading"`` for one of several."""
    if not hit["entry_heading"]:
        return hit["path"]
    return f"{hit['path']}:{hit['line']} “{hit['entry_heading'].lstrip('#').strip()}”"


def day_text(days: list[int]) -> str:
    """"Day 4", "Days 45-50", "Days 56, 57"."""
    if len(days) == 1:
        return f"Day {days[0]}"
    if days == list(range(days[0], days[-1] + 1)):
        return f"Days {days[0]}-{days[-1]}"
    return "Days " + ", ".join(str(n) for n in days)


