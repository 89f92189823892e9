"""``journal digest``: the Click adapter over :func:`journal_agent.digest.make_digest`.

Writes (or replaces) the week's digest note under ``notes/digests/`` and ingests
it, like ``journal add``. Exit codes: 0 written; 1 error (one line on stderr,
e.g. a week without notes); 2 usage error (a week that cannot be read).
"""

from __future__ import annotations

import click

from journal_agent.archive.ingest import ingest
from journal_agent.cli.common import include_private_option, journal_of, json_option, print_json, say_waiting
from journal_agent.digest import make_digest, parse_week


@click.command("digest")
@click.option("--week", "week_text", metavar="DATE",
              help='Any date in the week ("last monday", 2025-09-18) or an ISO week (2025-W38); default: this week.')
@include_private_option("Include private and draft notes; the digest is then private too (never published).")
@click.option("--offline", is_flag=True, help="Write the summary without a model even when one is configured.")
@click.option("--force", is_flag=True, help="Replace a note at the digest's path that is not a digest.")
@json_option("Print JSON: week, path, notes (day, title, headings, first lines), gaps, streak, questions.")
@click.pass_context
def digest(ctx: click.Context, week_text: str | None, include_private: bool, offline: bool, force: bool,
           as_json: bool) -> None:
    """Write the weekly digest note: each day's notes, the streak, gaps and open questions.

    The digest goes to notes/digests/weekly-digest-YYYY-Www.md in the category "Weekly Digest" (so the site
    publishes it as a post and in the feed); writing a week again replaces its digest. A digest has no day
    number and does not count in streaks. With a model configured, the agent writes the summary paragraph.
    """
    journal = journal_of(ctx)
    week = None
    if week_text is not None:
        try:
            week = parse_week(week_text, languages=journal.config.journal.date_languages)
        except ValueError as exc:
            raise click.BadParameter(str(exc), param_hint="--week") from exc
    result = make_digest(journal, week, include_private=include_private, use_model=False if offline else None,
                         force=force)
    report = ingest(journal, [result.path], progress=say_waiting)  # one note: only a wait is worth saying
    if as_json:
        print_json({**result.to_json(), "chunks_written": report.chunks_written})
    else:
        facts = result.digest
        days = sorted(facts.days)
        span = f", Day {days[0]} to Day {days[-1]}" if len(days) > 1 else (f", Day {days[0]}" if days else "")
        count = len(facts.entries)
        click.echo(f"{'Replaced' if result.replaced else 'Wrote'} {result.note.rel_path} ({result.note.title}: {count} "
                   f"note{'s' if count != 1 else ''}{span}, {len(facts.gaps)} gap day(s), {len(facts.questions)} open "
                   f"question(s); summary {result.summary_by}); {report.chunks_written} chunks archived.")
        if facts.withheld:
            click.echo(f"{facts.withheld} private or draft note(s) left out (--include-private includes them).",
                       err=True)
    for line in result.flagged:
        click.echo(f"flagged: {line}", err=True)
    if result.model_note:
        click.echo(result.model_note, err=True)
