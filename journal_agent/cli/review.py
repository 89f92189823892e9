"""``journal review``: the Click adapter over :mod:`journal_agent.review`.

Without options it runs a review session in the terminal; ``--json`` lists cards,
``--rate ID RATING`` rates one, ``--export-anki FILE`` writes an Anki package,
``--generate`` asks the model for cards of notes that have none
(:mod:`journal_agent.review.generate`) and lets the learner keep or drop each. Every
form first syncs the cards from the notes (only changed notes are re-read).
Exit codes: 0 success; 1 error (one line on stderr); 2 usage error.
"""

from __future__ import annotations

import datetime as dt
import sys

import click
from rich.markdown import Markdown

from journal_agent.cli.common import (
    console,
    escape,
    include_private_option,
    journal_of,
    json_option,
    model_option,
    print_json,
)
from journal_agent.review.anki import export_anki
from journal_agent.review.queue import list_cards, rate_card, run_session
from journal_agent.review.schedule import RATINGS, describe_interval

KEYS = {"1": "again", "2": "hard", "3": "good", "4": "easy"}
QUIT_KEYS = ("q", "Q", "\x1b")  # q or Esc
REVEAL_KEYS = ("\r", "\n", " ")


class RatingParam(click.ParamType):
    """A rating as the session's keys give it (1-4) or by name (again, hard, good, easy; any case) → its name."""

    name = "rating"

    def convert(self, value, param, ctx) -> str:
        text = str(value).strip().lower()
        rating = KEYS.get(text, text)
        if rating not in RATINGS:
            self.fail(f"{value!r} is not a rating; use 1 again, 2 hard, 3 good or 4 easy", param, ctx)
        return rating


def _now() -> dt.datetime:
    return dt.datetime.now(dt.UTC)


def _when(moment: dt.datetime) -> str:
    return moment.astimezone().strftime("%Y-%m-%d %H:%M")


def _interval(moment: dt.datetime, now: dt.datetime) -> str:
    return describe_interval((moment - now).total_seconds())


def _approx(moment: dt.datetime, now: dt.datetime) -> str:
    """An interval preview; FSRS fuzzes intervals of 3 days or more, so those are shown as ``~``."""
    return ("~" if moment - now >= dt.timedelta(days=3) else "") + _interval(moment, now)


@click.command("review")
@json_option("Print the due cards as JSON (id, question, answer, path, due, kind, line, title, state, reviews).")
@click.option("--all", "include_all", is_flag=True,
              help="Every card, not only the due ones (with --json; or to review early in a session).")
@click.option("--rate", nargs=2, type=(str, RatingParam()), metavar="ID RATING", default=None,
              help="Rate one card (1 again, 2 hard, 3 good, 4 easy; the number or the name) without a session; "
                   "ID may be a unique prefix.")
@click.option("--export-anki", "export_path", type=click.Path(dir_okay=False), metavar="FILE.apkg",
              help="Write every card to an Anki package; re-importing a later export updates the notes.")
@include_private_option("With --export-anki: also cards of private and draft notes.")
@click.option("--force", is_flag=True, help="With --export-anki: replace an existing file that is not an Anki package.")
@click.option("-n", "--limit", type=click.IntRange(1), default=None, metavar="N",
              help="A session reviews at most N cards; with --generate, at most N notes are sent.")
@click.option("--generate", is_flag=True,
              help="Ask the model for cards for notes that have none; you keep or drop each.")
@click.option("--note", "note_ref", metavar="REF", help="With --generate: only this note (day number, date or path).")
@click.option("--yes", "-y", is_flag=True, help="With --generate: keep every grounded card without asking.")
@model_option
@click.pass_context
def review(ctx, as_json, include_all, rate, export_path, include_private, force, limit, generate, note_ref, yes,
           model) -> None:
    """Review what your notes say, spaced by FSRS: cards from **term**: definition lines,
    definition lists, Question::Answer lines and short sections under a question heading.

    In a session: Enter shows the answer, then 1 again · 2 hard · 3 good · 4 easy; q quits.
    --rate takes the same numbers or the names.

    With a model configured, --generate proposes cards for notes that have none, each resting
    on a sentence it quotes from its note (a card whose quote is not in the note is thrown away);
    you keep or drop each before it joins the queue. Private and draft notes are not sent
    unless [llm] share_private = true.
    """
    modes = [name for name, on in (("--json", as_json), ("--rate", rate), ("--export-anki", export_path),
                                   ("--generate", generate)) if on]
    if len(modes) > 1:
        raise click.UsageError(f"{' and '.join(modes)} cannot be used together")
    if include_private and not export_path:
        raise click.UsageError("--include-private goes with --export-anki")
    for name, given in (("--note", note_ref), ("--yes", yes), ("--model", model)):
        if given and not generate:
            raise click.UsageError(f"{name} goes with --generate")
    journal = journal_of(ctx)
    if generate:
        _generate(journal, note_ref, limit, yes, model)
    elif as_json:
        listing = list_cards(journal, _now(), include_all=include_all)
        _report_sync(listing.sync)
        print_json([card.to_json() for card in listing.cards])
    elif rate:
        now = _now()
        sync, card = rate_card(journal, rate[0], rate[1], now)
        _report_sync(sync)
        click.echo(f"Rated {card.id} {rate[1]}: due again in {_interval(card.due, now)} ({_when(card.due)}).")
    elif export_path:
        report = export_anki(journal, export_path, _now(), include_private=include_private, force=force)
        _report_sync(report.sync)
        skipped = (f"; {report.private_skipped} card(s) of private or draft notes left out "
                   "(--include-private adds them)") if report.private_skipped else ""
        click.echo(f"Wrote {report.notes} card(s) to {report.path} (deck \"{report.deck_name}\"){skipped}. "
                   "Import it in Anki (File > Import); re-importing a later export updates these notes.")
    else:
        _session(journal, include_all, limit)


def _report_sync(sync) -> None:
    err = console(stderr=True)
    for path, reason in sync.failed:
        err.print(f"[yellow]skipped[/yellow] {escape(path)}: {escape(reason)}")
    if sync.changed:
        parts = [f"{n} {word}" for n, word in ((sync.added, "new"), (sync.updated, "updated"),
                                               (sync.retired, "retired"), (sync.revived, "back")) if n]
        err.print(f"[dim]cards: {', '.join(parts)} (from {sync.notes_read} changed note(s))[/dim]")


def _session(journal, include_all: bool, limit: int | None) -> None:
    out = console()

    def key(allowed: tuple[str, ...]) -> str | None:
        while True:
            try:
                char = click.getchar()
            except (EOFError, KeyboardInterrupt):
                return None
            except OSError as exc:
                raise click.ClickException("a review session needs a terminal to read keys from; use "
                                           "`journal review --json` and `journal review --rate ID RATING`") from exc
            if not char or char in QUIT_KEYS:
                return None
            if char in allowed:
                return char

    def ask(prompt):
        card = prompt.card
        out.rule(f"[dim]card {prompt.position} · {prompt.remaining} left in this session[/dim]", style="dim")
        out.print(f"[dim]{escape(card.title)} · {escape(card.path)}:{card.line}[/dim]")
        out.print(Markdown(card.question), style="bold")
        out.print("[dim]Enter: show the answer · q: quit[/dim]")
        if key(REVEAL_KEYS) is None:
            return None
        out.print()
        out.print(Markdown(card.answer))
        choices = "  ".join(f"[bold]{number}[/bold] {name} [dim]{_approx(prompt.previews[name], prompt.now)}[/dim]"
                            for number, name in KEYS.items())
        out.print(f"{choices}  [bold]q[/bold] quit")
        pressed = key(tuple(KEYS))
        if pressed is None:
            return None
        out.print(f"[dim]→ {KEYS[pressed]}[/dim]")
        return KEYS[pressed]

    report = run_session(journal, ask, _now, include_all=include_all, limit=limit, on_sync=_report_sync)
    if report.total == 0:
        out.print("No cards yet. Write `**term**: definition` or `Question::Answer` lines in your notes, "
                  "a definition list, or a question heading (ending in ?) over a short section; "
                  "then run `journal review` again. With a model configured, `journal review --generate` "
                  "proposes cards from your prose.")
        return
    if report.rated == 0 and not report.stopped:
        when = f"; the next is due {_when(report.next_due)}" if report.next_due else ""
        out.print(f"Nothing due now ({report.total} card(s) in all{when}). "
                  "`journal review --all` reviews early.")
        return
    counts = ", ".join(f"{name} {report.ratings[name]}" for name in RATINGS if report.ratings[name])
    out.rule(style="dim")
    out.print(f"Reviewed {report.cards} card(s), {report.rated} rating(s)" + (f" ({counts})" if counts else "")
              + (f"; {report.left} left for later" if report.left else "") + ".")
    if report.next_due and report.next_due > _now():
        out.print(f"Next card due {_when(report.next_due)} (in {_interval(report.next_due, _now())}).")


GENERATE_KEYS = {"k": "keep", "d": "drop", "q": "quit"}


def _generate(journal, note_ref: str | None, limit: int | None, yes: bool, model: str | None) -> None:
    """``--generate``: propose cards note by note; keep each as the learner says (``--yes``: all)."""
    from journal_agent.openai_client import make_client
    from journal_agent.review.generate import KEEP_HINT, keep, plan, propose

    client = make_client(journal.config)  # ModelNotConfigured before anything else is done
    model = model or journal.config.llm.model
    out, err = console(), console(stderr=True)
    picked = plan(journal, _now(), ref=note_ref, limit=limit)
    _report_sync(picked.sync)
    if picked.withheld:
        err.print(f"[dim]{len(picked.withheld)} private or draft note(s) not sent to the model "
                  "([llm] share_private = true sends them)[/dim]")
    if not picked.notes:
        out.print("No note to send: every other note has cards already." if picked.withheld else
                  "Every note has cards already; nothing to send." if picked.sync.notes_read or
                  picked.sync.notes_unchanged else "No notes yet; write one with `journal add`.")
        return
    if picked.more:
        err.print(f"[dim]{picked.more} more note(s) without cards (--limit {limit}); run it again for them[/dim]")
    choosing = not yes and sys.stdin.isatty()
    kept = proposed = rejected = 0
    quit_ = False
    for number, note in enumerate(picked.notes, 1):
        err.print(f"[dim]asking {escape(model)} for cards of {escape(note.rel_path)} "
                  f"({number}/{len(picked.notes)})[/dim]")
        proposal = propose(note, client=client, model=model)
        rejected += len(proposal.rejected)
        for question, reason in proposal.rejected:
            err.print(f"[yellow]rejected[/yellow] {escape(question)}: {escape(reason)}")
        if proposal.error:
            err.print(f"[yellow]skipped[/yellow] {escape(note.rel_path)}: {escape(proposal.error)}")
            continue
        chosen = []
        for quoted in proposal.cards:
            proposed += 1
            _show_proposed(out, quoted, proposed)
            if yes:
                chosen.append(quoted)
            elif choosing:
                decision = _keep_key(out)
                if decision == "quit":
                    quit_ = True
                    break
                if decision == "keep":
                    chosen.append(quoted)
        kept += keep(journal, proposal, chosen, model, _now())
        if quit_:
            break
    summary = f"{proposed} card(s) proposed, {rejected} rejected (not grounded in the note)"
    if yes or choosing:
        out.print(f"{summary}; {kept} kept" + (" (quit early)" if quit_ else "") +
                  (". `journal review` reviews them." if kept else "."))
    elif proposed:
        out.print(f"{summary}; none kept: stdin is not a terminal ({KEEP_HINT}).")
    else:
        out.print(f"{summary}.")


def _show_proposed(out, quoted, number: int) -> None:
    card = quoted.draft
    out.rule(f"[dim]proposed card {number} · {escape(card.path)}:{card.line}[/dim]", style="dim")
    out.print(Markdown(card.question), style="bold")
    out.print(Markdown(card.answer))
    out.print(f"[dim]quote: “{escape(quoted.quote)}”[/dim]")


def _keep_key(out) -> str:
    """``keep``, ``drop`` or ``quit``, read as one key from the terminal (Ctrl-C, Esc or EOF: quit)."""
    out.print("[bold]k[/bold]eep · [bold]d[/bold]rop · [bold]q[/bold]uit")
    while True:
        try:
            char = click.getchar()
        except (EOFError, KeyboardInterrupt):
            return "quit"
        if not char or char in QUIT_KEYS:
            return "quit"
        if char.lower() in GENERATE_KEYS:
            out.print(f"[dim]→ {GENERATE_KEYS[char.lower()]}[/dim]")
            return GENERATE_KEYS[char.lower()]
