"""Click adapters for the memory agent: ``ask``, ``chat``, ``reflect`` and the ``memory`` group.

Registered in the main CLI with ``main.add_command(...)``; the main group
stores ``--root`` in ``ctx.obj["root"]``. Heavy imports (openai, tiktoken,
lancedb) happen inside the commands so ``journal --help`` stays fast.
"""

from __future__ import annotations

import json
import sys

import click

from journal_agent.errors import JournalError


def _journal(ctx: click.Context):
    from journal_agent.workspace import open_journal

    try:
        return open_journal(root=(ctx.obj or {}).get("root"))
    except JournalError as exc:
        raise click.ClickException(str(exc)) from exc


def _console(stderr: bool = False):
    from rich.console import Console

    return Console(stderr=stderr, highlight=False, soft_wrap=True)


def _escape(text: str) -> str:
    from rich.markup import escape

    return escape(text)


def _one_line(text: str, width: int = 160) -> str:
    flat = " ".join((text or "").split())
    return flat if len(flat) <= width else flat[: width - 1] + "…"


def _require_model(journal) -> None:
    from journal_agent.agent.llm import NOT_CONFIGURED, is_configured

    if not is_configured(journal.config):
        raise click.ClickException(NOT_CONFIGURED)


def _make_agent(journal, model):
    from journal_agent.agent.loop import Agent

    try:
        return Agent(journal, model=model)
    except JournalError as exc:
        raise click.ClickException(str(exc)) from exc


# ------------------------------------------------------------------ rendering
def print_step(out, step) -> None:
    """``--show-steps``: one header line, then tool name, arguments and a one-line result per call."""
    kind = {"answer": " · answer", "step_cap": " · step cap reached"}.get(step.stop_reason or "", "")
    out.print(f"[bold cyan]step {step.number}[/bold cyan][dim] · {step.context_tokens:,} context tokens"
              f" · {step.non_llm_seconds * 1000:.0f} ms outside the model{kind}[/dim]")
    for event in step.events:
        out.print(f"  [yellow]! {_escape(event)}[/yellow]")
    for call in step.tool_calls:
        out.print(f"  → [bold]{_escape(call.name)}[/bold] {_escape(_one_line(call.arguments, 200))}")
        colour = "red" if call.error else "dim"
        out.print(f"    [{colour}]← {_escape(_one_line(call.result))}[/{colour}]")


def print_answer(out, answer: str) -> None:
    """The answer: rendered Markdown on a terminal, plain text otherwise."""
    if not answer.strip():
        answer = "(the model returned an empty answer)"
    if out.is_terminal:
        from rich.markdown import Markdown

        out.print(Markdown(answer))
    else:
        click.echo(answer)


def print_sources(out, turn) -> None:
    """The **Sources** list (title, date, path), and notes named but not retrieved, flagged."""
    if turn.stop_reason != "answer":
        return
    out.print()
    if turn.sources:
        out.print("[bold]Sources[/bold]")
        for source in turn.sources:
            out.print(f"- {_escape(source.title)} ({source.date.isoformat()}) {_escape(source.path)}")
    else:
        out.print("[bold]Sources[/bold]: none (the answer cites no note retrieved in this turn)")
    for flagged in turn.flagged:
        out.print(f"[yellow]⚠ named but not retrieved in this turn (not a source): {_escape(flagged)}[/yellow]")


class _Stream:
    """Streams answer tokens live as Markdown on a terminal (a transient view; the final answer is printed after)."""

    def __init__(self, out):
        self.out = out
        self.text = ""
        self.live = None

    def __call__(self, token: str) -> None:
        from rich.live import Live
        from rich.markdown import Markdown

        self.text += token
        if self.live is None:
            self.live = Live(Markdown(self.text), console=self.out, transient=True, refresh_per_second=12)
            self.live.start()
        else:
            self.live.update(Markdown(self.text))

    def reset(self) -> None:
        """Clear the live view (called when a step ends)."""
        if self.live is not None:
            self.live.stop()
            self.live = None
        self.text = ""


def _run_turn(agent, out, question: str, *, show_steps: bool, stream: bool, event: bool = False):
    """Run one turn, printing steps as they happen; returns the Turn."""
    from journal_agent.errors import AgentError

    streamer = _Stream(out) if stream else None
    steps = []
    try:
        for step in agent.run(question, event=event, on_token=streamer):
            if streamer is not None:
                streamer.reset()
            steps.append(step)
            if show_steps:
                print_step(out, step)
    except AgentError as exc:
        if streamer is not None:
            streamer.reset()
        raise click.ClickException(f"{exc} (the conversation so far is kept; ask again to retry)") from exc
    return agent.finish_turn(question, steps)


def turn_json(turn) -> dict:
    """``--json`` view of a turn."""
    return {
        "mode": "agent",
        "question": turn.message,
        "answer": turn.answer,
        "stop_reason": turn.stop_reason,
        "sources": [s.to_dict() for s in turn.sources],
        "flagged": turn.flagged,
        "steps": [
            {
                "number": s.number, "context_tokens": s.context_tokens, "events": s.events,
                "content": s.content, "stop_reason": s.stop_reason,
                "non_llm_seconds": round(s.non_llm_seconds, 4), "llm_seconds": round(s.llm_seconds, 4),
                "tool_calls": [{"name": c.name, "arguments": c.arguments, "result": c.result,
                                "error": c.error} for c in s.tool_calls],
            }
            for s in turn.steps
        ],
    }


# ------------------------------------------------------------------- commands
@click.command()
@click.argument("question", nargs=-1, required=True)
@click.option("--show-steps", is_flag=True, help="Print each step as it happens: tool, arguments, result.")
@click.option("--json", "as_json", is_flag=True, help="Print the answer, sources and steps as JSON.")
@click.option("--model", help="Model name (default: JOURNAL_MODEL, else [llm] model in journal.toml).")
@click.pass_context
def ask(ctx, question, show_steps, as_json, model) -> None:
    """Ask the memory agent about your learning (one turn of the ongoing conversation).

    Without a configured model, prints the best-matching passages instead, marked retrieval-only.
    """
    from journal_agent.agent.llm import NOT_CONFIGURED, is_configured

    journal = _journal(ctx)
    text = " ".join(question).strip()
    if not text:
        raise click.UsageError("the question is empty")
    out = _console()
    if not is_configured(journal.config):
        _console(stderr=True).print(_escape(NOT_CONFIGURED))
        _retrieval_only(journal, text, out, as_json)
        return
    agent = _make_agent(journal, model)
    try:
        turn = _run_turn(agent, out, text, show_steps=show_steps and not as_json,
                         stream=out.is_terminal and not as_json)
    finally:
        agent.close()
    if as_json:
        click.echo(json.dumps(turn_json(turn), indent=2, ensure_ascii=False))
        return
    if show_steps:
        out.print()
    print_answer(out, turn.answer)
    print_sources(out, turn)


def _retrieval_only(journal, question: str, out, as_json: bool) -> None:
    from journal_agent.agent.retrieval_only import LABEL, retrieval_only_answer

    try:
        answer = retrieval_only_answer(journal, question)
    except JournalError as exc:
        raise click.ClickException(str(exc)) from exc
    if as_json:
        click.echo(json.dumps(answer.to_json(), indent=2, ensure_ascii=False))
        return
    out.print(f"[bold]{_escape(LABEL)}[/bold]")
    if not answer.hits:
        out.print("No matching passages. Run `journal ingest` if your notes are not in the archive yet.")
        return
    for rank, hit in enumerate(answer.hits, start=1):
        out.print()
        out.print(f"[bold]{rank}. {_escape(hit.title)}[/bold] [dim]({hit.date.isoformat()}) {_escape(hit.path)}[/dim]")
        out.print("   " + _escape(_one_line(hit.text, 400)))
    out.print()
    out.print("[bold]Sources[/bold]")
    for hit in answer.hits:
        out.print(f"- {_escape(hit.title)} ({hit.date.isoformat()}) {_escape(hit.path)}")


@click.command()
@click.option("--show-steps", is_flag=True, help="Print each step as it happens.")
@click.option("--model", help="Model name (default: JOURNAL_MODEL, else [llm] model in journal.toml).")
@click.pass_context
def chat(ctx, show_steps, model) -> None:
    """Talk with the memory agent; Ctrl-D exits. The conversation persists between sessions."""
    journal = _journal(ctx)
    _require_model(journal)
    agent = _make_agent(journal, model)
    out = _console()
    out.print("[dim]Chatting with your journal's memory agent. Ctrl-D to exit.[/dim]")
    interactive = sys.stdin.isatty()
    try:
        while True:
            try:
                if interactive:
                    line = input("you> ")
                else:
                    click.echo("you> ", nl=False)
                    line = sys.stdin.readline()
                    if not line:
                        raise EOFError
            except (EOFError, KeyboardInterrupt):
                click.echo()
                break
            line = line.strip()
            if not line:
                continue
            try:
                turn = _run_turn(agent, out, line, show_steps=show_steps, stream=out.is_terminal)
            except click.ClickException as exc:
                _console(stderr=True).print(f"[red]Error:[/red] {_escape(exc.message)}")
                continue
            print_answer(out, turn.answer)
            print_sources(out, turn)
    finally:
        agent.close()


@click.command()
@click.option("--since", help='Reflect on notes dated or changed since this day ("last week", 2025-09-01). '
                              "Default: notes changed since the last reflection.")
@click.option("--show-steps", is_flag=True, help="Print each step as it happens.")
@click.option("--model", help="Model name (default: JOURNAL_MODEL, else [llm] model in journal.toml).")
@click.pass_context
def reflect(ctx, since, show_steps, model) -> None:
    """Ask the agent to update the learner profile from recent notes."""
    from journal_agent.agent.reflection import reflect_on_notes, select_notes

    journal = _journal(ctx)
    _require_model(journal)
    since_day = None
    if since:
        from journal_agent.notes.dates import parse_date

        try:
            since_day = parse_date(since)
        except ValueError as exc:
            raise click.BadParameter(str(exc), param_hint="--since") from exc
    notes = select_notes(journal, since_day)
    if not notes:
        click.echo("No new notes to reflect on" + (f" since {since_day}." if since_day else "."))
        return
    out = _console()
    outcome = reflect_on_notes(journal, notes, model=model, max_notes=None,
                               on_step=(lambda step: print_step(out, step)) if show_steps else None)
    if outcome.status == "failed":
        raise click.ClickException(outcome.message)
    click.echo(outcome.message)


# --------------------------------------------------------------------- memory
@click.group()
def memory() -> None:
    """Show, edit, and undo the agent's core memory (the persona and learner blocks)."""


def _core(ctx):
    from journal_agent.agent.core_memory import CoreMemory

    try:
        return CoreMemory.open(_journal(ctx))
    except JournalError as exc:
        raise click.ClickException(str(exc)) from exc


@memory.command("show")
@click.option("--json", "as_json", is_flag=True, help="Print the blocks as JSON.")
@click.pass_context
def memory_show(ctx, as_json) -> None:
    """Print the core memory blocks with their character budgets."""
    core = _core(ctx)
    if as_json:
        click.echo(json.dumps(core.to_dict(), indent=2, ensure_ascii=False))
        return
    from rich.panel import Panel
    from rich.text import Text

    out = _console()
    if not out.is_terminal:  # plain text for pipes: no box drawing, no wrapping
        for block in core.blocks:
            click.echo(f"== {block.label} ({block.chars_current:,} / {block.limit:,} chars) ==")
            click.echo(block.value or "(empty)")
            click.echo()
        return
    for block in core.blocks:
        body = Text()
        body.append(block.description + "\n\n", style="dim")
        body.append(block.value or "(empty)")
        out.print(Panel(body, title=f"[bold]{block.label}[/bold]",
                        subtitle=f"{block.chars_current:,} / {block.limit:,} chars", title_align="left"))


@memory.command("edit")
@click.argument("label")
@click.pass_context
def memory_edit(ctx, label) -> None:
    """Edit block LABEL in $EDITOR (its character limit is enforced)."""
    core = _core(ctx)
    try:
        block = core.block(label)
    except JournalError as exc:
        raise click.ClickException(str(exc)) from exc
    edited = click.edit(block.value + "\n", extension=".md", require_save=True)
    if edited is None:
        click.echo("No changes.")
        return
    value = edited.rstrip("\n")
    try:
        edit = core.set_value(label, value)
    except JournalError as exc:
        raise click.ClickException(f"{exc}; nothing was saved") from exc
    if edit is None:
        click.echo("No changes.")
    else:
        click.echo(f"Saved the {label} block ({len(value):,} / {block.limit:,} chars).")


def _diff(before: str, after: str) -> list[str]:
    import difflib

    lines = []
    for line in difflib.ndiff(before.splitlines(), after.splitlines()):
        if line.startswith(("- ", "+ ")):
            lines.append(line[0] + " " + _one_line(line[2:], 150))
    return lines or ["(whitespace only)"]


@memory.command("history")
@click.option("-n", "--limit", default=20, show_default=True, type=click.IntRange(1), help="Most recent edits.")
@click.option("--json", "as_json", is_flag=True, help="Print the edits as JSON.")
@click.pass_context
def memory_history(ctx, limit, as_json) -> None:
    """List core memory edits (time, tool, block, what changed), oldest first."""
    from dataclasses import asdict

    edits = _core(ctx).history()
    shown = edits[-limit:]
    if as_json:
        click.echo(json.dumps([asdict(e) for e in shown], indent=2, ensure_ascii=False))
        return
    if not edits:
        click.echo("No core memory edits yet.")
        return
    out = _console()
    first = len(edits) - len(shown) + 1
    for number, edit in enumerate(shown, start=first):
        out.print(f"[bold]#{number}[/bold] {edit.time}  {_escape(edit.tool)}  [bold]{_escape(edit.label)}[/bold]")
        for line in _diff(edit.before, edit.after):
            colour = "red" if line.startswith("-") else "green"
            out.print(f"    [{colour}]{_escape(line)}[/{colour}]")


@memory.command("undo")
@click.pass_context
def memory_undo(ctx) -> None:
    """Revert the last core memory edit."""
    core = _core(ctx)
    try:
        edit = core.undo()
    except JournalError as exc:
        raise click.ClickException(str(exc)) from exc
    click.echo(f"Reverted {edit.tool} on the {edit.label} block from {edit.time}.")


@memory.command("export")
@click.option("-o", "--output", type=click.Path(dir_okay=False, writable=True),
              help="Write to this file instead of stdout.")
@click.pass_context
def memory_export(ctx, output) -> None:
    """Export core memory (blocks and edit history) as JSON."""
    data = json.dumps(_core(ctx).to_dict(with_history=True), indent=2, ensure_ascii=False)
    if output:
        with open(output, "w", encoding="utf-8") as handle:
            handle.write(data + "\n")
        click.echo(f"Wrote {output}.")
    else:
        click.echo(data)
