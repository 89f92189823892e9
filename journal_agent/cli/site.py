"""``journal site build`` and ``journal site serve``: the Click adapter over :mod:`journal_agent.site.build`.

Exit codes of ``build`` (as for the other ``journal`` commands): 0 built with
every note; 3 built, but some notes could not be read or rendered (they are
listed, and never published), or a feed file does not parse (named); 1
nothing built (bad configuration, MkDocs failure, or a failed note with
``--strict``); 2 is Click's usage error.
"""

from __future__ import annotations

import itertools
import logging

import click

from journal_agent.cli.boundary import EXIT_PARTIAL
from journal_agent.cli.common import console, escape, journal_of
from journal_agent.notes.stats import days_text
from journal_agent.site.build import build_site, serve_site


@click.group("site")
def site() -> None:
    """Publish the journal as a website (MkDocs Material blog, tags, search, RSS)."""


@site.command("build")
@click.option("--strict", is_flag=True, help="Fail, building nothing, if any note cannot be rendered.")
@click.option("-v", "--verbose", is_flag=True, help="List every MkDocs warning and skipped note.")
@click.pass_context
def build(ctx: click.Context, strict: bool, verbose: bool) -> None:
    """Render notes/ and every ingested folder into site/docs/posts/ and build the HTML into site/public/.

    Private notes (private: true, draft: true, published: false, or under a private/ folder) are
    never published, nor are notes whose front matter cannot be read (listed; exit code 3).
    """
    out = console()
    journal = journal_of(ctx)
    with out.status("Rendering notes…") as status:
        rendered = itertools.count(1)

        def progress(event: str, path: str) -> None:
            status.update("Building the HTML with MkDocs…" if event == "mkdocs"
                          else f"Rendering notes… {next(rendered)}")

        report = build_site(journal, strict=strict, progress=progress)

    output = journal.relative(report.output_dir) if report.output_dir else "?"
    out.print(f"[bold green]Built[/] {report.published} note(s) into [bold]{escape(output)}/[/] "
              f"in {report.seconds:.1f} s: {len(report.rendered)} rendered, {len(report.unchanged)} unchanged, "
              f"{len(report.removed)} removed, {len(report.skipped_private)} private/draft not published"
              + (f", {len(report.left_out)} left out by {escape('[site]')} exclude_sources."
                 if report.left_out else "."))
    stats = report.stats
    if stats and stats.notes:
        day = f"Day {stats.day_count} · " if stats.day_count is not None else ""
        out.print(f"{day}streak {days_text(stats.streak)} · latest note {stats.newest}")
    if report.feed:
        out.print(f"RSS feed: {escape(journal.relative(report.feed))}")
    if verbose:
        for path in report.skipped_private:
            out.print(f"  private: {escape(path)}", style="dim")
        for path in report.left_out:
            out.print(f"  left out ({escape('[site]')} exclude_sources): {escape(path)}", style="dim")
    shown = report.warnings if verbose else report.warnings[:5]
    for message in shown:
        out.print(f"[yellow]warning:[/] {escape(message)}")
    if len(report.warnings) > len(shown):
        out.print(f"[yellow]… {len(report.warnings) - len(shown)} more warning(s); use -v to list them[/]")
    if report.failed:
        out.print(f"[bold red]{len(report.failed)} note(s) not published:[/]")
        for path, reason in report.failed:
            out.print(f"  [red]{escape(path)}[/]: {escape(reason)}")
    for error in report.feed_errors:
        out.print(f"[bold red]invalid feed:[/] {escape(error)}")
    if report.failed or report.feed_errors:
        ctx.exit(EXIT_PARTIAL)


@site.command("serve")
@click.option("--host", default="127.0.0.1", show_default=True, help="Address to listen on.")
@click.option("--port", default=8000, show_default=True, type=click.IntRange(1, 65535))
@click.option("--open", "open_browser", is_flag=True, help="Open the preview in a web browser.")
@click.pass_context
def serve(ctx: click.Context, host: str, port: int, open_browser: bool) -> None:
    """Preview the site with live reload: edits to notes/ or site/ rebuild it. Ctrl-C stops."""
    out = console()
    mkdocs_log = logging.getLogger("mkdocs")
    if not mkdocs_log.handlers:  # show "Building…"/"Serving on…" and warnings while previewing
        handler = logging.StreamHandler()
        handler.setFormatter(logging.Formatter("%(levelname)-7s -  %(message)s"))
        mkdocs_log.addHandler(handler)
        mkdocs_log.setLevel(logging.INFO)
    journal = journal_of(ctx)
    out.print(f"Building, then serving on [bold]http://{host}:{port}/[/] (Ctrl-C to stop)…")
    serve_site(journal, host=host, port=port, open_browser=open_browser)
