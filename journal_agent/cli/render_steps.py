"""How the agent's turns look in the terminal: live progress, answers, sources, memory edits, JSON views.

On a terminal, a turn shows a spinner with the elapsed seconds from the moment
the command starts (rich ``Live``), replaced by the answer as it streams;
``--show-steps`` prints each step's header as its request goes out and each
tool call as it starts and as it returns. Off a terminal (pipes, tests)
nothing transient is drawn.
"""

from __future__ import annotations

import difflib
import time
from typing import Any

import click
from rich.live import Live
from rich.markdown import Markdown
from rich.spinner import Spinner
from rich.text import Text

from journal_agent.agent.turn_events import error_json as error_json  # re-exported: --json views
from journal_agent.agent.turn_events import turn_json as turn_json
from journal_agent.cli.common import escape
from journal_agent.text import one_line

CUT_OFF = ("⚠ The answer was cut off: the model reached its reply limit{limit}. "
           '`journal ask -c "continue"` asks for the rest.')
# OpenAI reasoning guide: reasoning tokens count against the limit; continuing would spend it on reasoning again
REASONING_CUT_OFF = ("⚠ The model spent its whole reply limit{limit} reasoning and wrote no answer; raise "
                     "[llm] max_tokens (continuing with -c would spend it reasoning again).")
REASONED_ONLY = ("(the model only reasoned and wrote no answer; --show-steps shows its reasoning. Ask again, "
                 "or use a model or server setting that answers after thinking)")
WITHHELD = ("{count} private or draft note{s} matched but {were} withheld from the model "
            "(set [llm] share_private = true in journal.toml to share them).")


class _Elapsed:
    """A spinner whose text counts the seconds since ``started`` (re-rendered on every refresh)."""

    def __init__(self, label: str, started: float):
        self.label = label
        self.started = started
        self.spinner = Spinner("dots", style="cyan")

    def __rich__(self):
        self.spinner.text = Text(f"{self.label} {time.monotonic() - self.started:.0f}s", style="dim")
        return self.spinner


class LiveView:
    """The transient part of a turn on a terminal: the spinner while waiting, then the streamed answer.

    Args:
        out: the rich console (stdout).
        started: ``time.monotonic()`` when the command started; the first wait counts from it.
        enabled: draw at all (``False`` off a terminal and for ``--json``).
    """

    def __init__(self, out, *, started: float | None = None, enabled: bool = True):
        self.out = out
        self.enabled = enabled and out.is_terminal
        self.started = time.monotonic() if started is None else started
        self.text = ""
        self._live: Any = None

    def waiting(self, label: str = "thinking…", *, since_start: bool = False) -> None:
        """Show the spinner with ``label`` and the seconds waited."""
        if self.enabled:
            self._show(_Elapsed(label, self.started if since_start else time.monotonic()))

    def token(self, token: str) -> None:
        """Add a streamed piece of the answer (drawn as Markdown)."""
        self.text += token
        if self.enabled:
            self._show(Markdown(self.text))

    def stop(self) -> None:
        """Clear whatever is drawn."""
        if self._live is not None:
            self._live.stop()
            self._live = None
        self.text = ""

    def _show(self, renderable) -> None:
        if self._live is None:
            self._live = Live(renderable, console=self.out, transient=True, refresh_per_second=10)
            self._live.start()
        else:
            self._live.update(renderable)


# ------------------------------------------------------------------ steps
# Every step line is printed from an event of journal_agent.agent.turn_events (the JSON a served turn
# streams), so `journal ask` prints the same in its own process and through `journal serve`. ``depth``
# indents the steps of a turn another agent runs for send_message_to_agent, each header naming that agent.
def print_event(out, event: dict[str, Any]) -> None:
    """``--show-steps``: the line(s) of one turn event (:mod:`journal_agent.agent.turn_events`); ``token``
    events print nothing here (:class:`LiveView` draws them)."""
    indent = "    " * int(event.get("depth") or 0)
    kind = event["kind"]
    if kind == "step":
        who = f"{escape(event['agent'])} · " if event.get("agent") else ""
        out.print(f"{indent}[bold cyan]{who}step {event['number']}[/bold cyan]"
                  f"[dim] · {event['tokens']:,} context tokens[/dim]")
        for text in event["events"]:
            out.print(f"{indent}  [yellow]! {escape(text)}[/yellow]")
    elif kind == "tool":
        out.print(f"{indent}  → [bold]{escape(event['name'])}[/bold] {escape(one_line(event['arguments'], 200))}")
    elif kind == "tool_done":
        colour = "red" if event["error"] else "dim"
        out.print(f"{indent}    [{colour}]← {escape(one_line(event['result']))}[/{colour}]")
    elif kind == "reasoning" and event["text"].strip():
        out.print(f"{indent}  [dim italic]∴ reasoning: {escape(one_line(event['text'], 300))}[/dim italic]")
    elif kind == "step_done":
        ends = {"answer": "answer · ", "length": "answer cut off · ", "step_cap": "step cap reached · "}.get(
            event["stop_reason"] or "", "")
        if event["unparsed_call"]:
            out.print(f"{indent}  [yellow]! {escape(event['unparsed_call'])}[/yellow]")
        for notice in event["notices"]:
            out.print(f"{indent}  [yellow]! {escape(notice)}[/yellow]")
        out.print(f"{indent}  [dim]· {ends}{event['non_llm_seconds'] * 1000:.0f} ms outside the model[/dim]")


def show_event(out, live: LiveView, event: dict[str, Any], *, show_steps: bool, show_reasoning: bool = False) -> None:
    """One turn event as a running turn shows it: the spinner's label (``thinking…``, ``running TOOL…``),
    the streamed answer, and with ``show_steps`` (reasoning also with ``show_reasoning``) its lines."""
    kind = event["kind"]
    if kind == "token":
        live.token(event["text"])
        return
    live.stop()
    if show_steps or (show_reasoning and kind == "reasoning"):
        print_event(out, event)
    who = f"{event['agent']}: " if event.get("agent") else ""
    if kind == "step":
        live.waiting(f"{who}thinking…", since_start=event["number"] == 1 and not event.get("depth"))
    elif kind == "tool":
        live.waiting(f"{who}running {event['name']}…")


def print_step(out, step) -> None:
    """A whole finished step (for ``journal reflect --show-steps``)."""
    kind = {"answer": " · answer", "length": " · cut off", "step_cap": " · step cap reached"}.get(
        step.stop_reason or "", "")
    out.print(f"[bold cyan]step {step.number}[/bold cyan][dim] · {step.context_tokens:,} context tokens"
              f" · {step.non_llm_seconds * 1000:.0f} ms outside the model{kind}[/dim]")
    print_event(out, {"kind": "reasoning", "text": step.reasoning})
    for call in step.tool_calls:
        print_event(out, {"kind": "tool", "name": call.name, "arguments": call.arguments})
        print_event(out, {"kind": "tool_done", "result": call.result, "error": call.error})
    if step.unparsed_call:
        out.print(f"  [yellow]! {escape(step.unparsed_call)}[/yellow]")


# ------------------------------------------------------------------ answers
def print_answer(out, answer: str, *, reasoned_only: bool = False) -> None:
    """The answer: rendered Markdown on a terminal, plain text otherwise; an empty one said plainly
    (:data:`REASONED_ONLY` when the model only reasoned: claw-code#3228)."""
    if not answer.strip():
        answer = REASONED_ONLY if reasoned_only else "(the model returned an empty answer)"
    if out.is_terminal:
        out.print(Markdown(answer))
    else:
        click.echo(answer)


def print_sources(out, turn: dict[str, Any]) -> None:
    """The **Sources** list (title, date, path) of a turn's JSON (:func:`turn_json`), and notes named but
    not retrieved, flagged."""
    if turn["stop_reason"] not in ("answer", "length"):
        return
    out.print()
    if turn["sources"]:
        out.print("[bold]Sources[/bold]")
        for source in turn["sources"]:
            out.print(f"- {escape(source['title'])} ({source['date']}) {escape(source['path'])}")
    else:
        out.print("[bold]Sources[/bold]: none (the answer cites no note retrieved in this turn)")
    for flagged in turn["flagged"]:
        out.print(f"[yellow]⚠ named but not retrieved in this turn (not a source): {escape(flagged)}[/yellow]")


def diff_lines(before: str, after: str, width: int = 150) -> list[str]:
    """``- old`` / ``+ new`` lines between two block values."""
    lines = []
    for line in difflib.ndiff(before.splitlines(), after.splitlines()):
        if line.startswith(("- ", "+ ")):
            lines.append(line[0] + " " + one_line(line[2:], width))
    return lines or ["(whitespace only)"]


def print_turn_notes(out, turn, max_tokens: int | None = None) -> None:
    """What the learner must know beyond the answer of ``turn`` (a :class:`~journal_agent.agent.loop.Turn`
    or its JSON, :func:`turn_json`): a cut-off answer, memory edits, withheld notes."""
    data = turn if isinstance(turn, dict) else turn_json(turn)
    if data["stop_reason"] == "length":
        limit = f" ([llm] max_tokens = {max_tokens:,})" if max_tokens else ""
        note = REASONING_CUT_OFF if data["reasoned_only"] else CUT_OFF
        out.print(f"[yellow]{escape(note.format(limit=limit))}[/yellow]")
    unparsed = data["steps"][-1]["unparsed_call"] if data["steps"] else ""
    if unparsed:
        out.print(f"[yellow]⚠ {escape(unparsed)}[/yellow]")
    for notice in dict.fromkeys(n for s in data["steps"] for n in s["notices"]):
        out.print(f"[yellow]⚠ {escape(notice[0].upper() + notice[1:])}[/yellow]")
    print_sources(out, data)
    print_edits(out, data["edits"], data["agent"])
    if data["withheld"]:
        count = len(data["withheld"])
        text = WITHHELD.format(count=count, s="s" if count != 1 else "", were="were" if count != 1 else "was")
        out.print(f"[yellow]{escape(text)}[/yellow]")


def show_turn(out, turn: dict[str, Any], max_tokens: int | None, *, show_steps: bool) -> None:
    """A finished turn from its JSON (:func:`turn_json`): the answer, then :func:`print_turn_notes`."""
    if show_steps:
        out.print()
    print_answer(out, turn["answer"], reasoned_only=turn["reasoned_only"])
    print_turn_notes(out, turn, max_tokens)


def print_edits(out, edits: list[dict[str, Any]], agent: str | None = None) -> None:
    """Every core-memory edit made in the turn (``turn_json``'s ``edits``), with what changed (and by
    which agent, when not ``agent``)."""
    if not edits:
        return
    out.print()
    for edit in edits:
        who = edit.get("agent") or ""
        by = f" by the {escape(who)} agent" if agent and who and who != agent else ""
        out.print(f"[bold]Core memory[/bold]: {escape(edit['tool'])} on the {escape(edit['label'])} block{by} "
                  "[dim](undo: `journal memory undo`)[/dim]")
        for line in diff_lines(edit["before"], edit["after"])[:6]:
            colour = "red" if line.startswith("-") else "green"
            out.print(f"    [{colour}]{escape(line)}[/{colour}]")


# ------------------------------------------------------------------ the log
_SPEAKER = {"user": "you", "assistant": "agent", "tool": "tool", "system": "system"}


def print_conversations(out, conversations) -> None:
    """``journal log``: one line per conversation, newest first."""
    if not conversations:
        out.print("No conversations yet. `journal ask \"...\"` starts one.")
        return
    for c in conversations:
        model = f"  {escape(c.model)}" if c.model else ""
        out.print(f"[bold]#{c.id}[/bold]  {c.created:%Y-%m-%d %H:%M}  {c.agent}  {c.label}{model}  "
                  f"[dim]{c.messages} messages[/dim]  {escape(c.title)}")


def print_conversation(out, conversation, messages) -> None:
    """``journal log ID``: the conversation's messages, tool calls on one line each."""
    model = f" · {escape(conversation.model)}" if conversation.model else ""
    out.print(f"[bold]Conversation #{conversation.id}[/bold] · {conversation.agent} · {conversation.label}{model} · "
              f"started {conversation.created:%Y-%m-%d %H:%M}")
    for m in messages:
        if m.kind == "summary":
            out.print(f"[dim]· {escape(one_line(m.content, 200))}[/dim]")
            continue
        if m.kind == "memory_pressure":
            out.print("[dim]· memory pressure alert[/dim]")
            continue
        if m.role == "tool":
            out.print(f"    [dim]← {escape(one_line(m.content, 200))}[/dim]")
            continue
        mark = {"incomplete": " (incomplete)", "cut_off": " (cut off)", "system_event": " (event)"}.get(m.kind, "")
        text = m.payload.get("content") or ""
        if isinstance(text, str) and text.strip():
            out.print()
            out.print(f"[bold]{_SPEAKER.get(m.role, m.role)}{mark}[/bold] [dim]{m.created:%H:%M}[/dim]")
            click.echo(text)
        for call in m.payload.get("tool_calls") or []:
            fn = call.get("function", {})
            out.print(f"  → {escape(str(fn.get('name')))} {escape(one_line(str(fn.get('arguments', '')), 200))}")


def conversation_json(conversation, messages=None) -> dict[str, Any]:
    """``journal log --json`` view of a conversation (with its messages when given)."""
    data: dict[str, Any] = {
        "id": conversation.id, "created": conversation.created.isoformat(), "kind": conversation.kind,
        "command": conversation.command, "agent": conversation.agent,
        "model": conversation.model, "messages": conversation.messages, "title": conversation.title,
        "last": conversation.last.isoformat() if conversation.last else None,
    }
    if messages is not None:
        data["messages"] = [
            {"id": m.id, "created": m.created.isoformat(), "role": m.role, "kind": m.kind,
             "tool_name": m.tool_name, "in_context": m.in_context, "message": m.payload}
            for m in messages
        ]
    return data


# ------------------------------------------------------------------ agents
def print_agents(out, agents) -> None:
    """``journal agents``: each agent with its persona, attached blocks and tools."""
    for info in agents:
        role = " [dim](background)[/dim]" if info.role != "chat" else ""
        out.print(f"[bold]{escape(info.name)}[/bold]{role}: {escape(info.description)}")
        if info.persona:
            out.print(f"  persona ({escape(info.persona)}): {escape(one_line(info.persona_text, 120))}")
        out.print(f"  blocks: {escape(', '.join(info.blocks) or '(none)')}")
        out.print(f"  tools: {escape(', '.join(info.tools) or '(none)')}")
