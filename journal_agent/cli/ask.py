"""Talking with the agents: ``ask``, ``chat`` (``--agent coach`` talks to the coach), ``log``, ``reflect``.

The ``memory`` group and ``journal agents`` live in :mod:`journal_agent.cli.memory`; how
a turn looks in the terminal, in :mod:`journal_agent.cli.render_steps`. Model
failures are :class:`~journal_agent.errors.AgentError` (its hint says the
conversation is kept) and reach the one boundary, :mod:`journal_agent.cli.boundary`.

``journal ask`` runs its turn on a running ``journal serve`` of the journal when there is one
(``.journal/serve.json``, :mod:`journal_agent.service.local`; ``POST /v1/journal/ask``), else in this
process. Both paths print from the same JSON (the turn's events and ``--json``'s object,
:mod:`journal_agent.agent.turn_events`), so the output is the same; the served path imports neither the
archive nor the ``openai`` SDK nor pydantic (issue 23: start-up).
"""

from __future__ import annotations

import sys
import time

import click

from journal_agent.agent.turn_events import event_hooks
from journal_agent.cli import render_steps as view
from journal_agent.cli.boundary import EXIT_INTERRUPTED, user_message
from journal_agent.cli.common import DATE, console, escape, journal_of, json_option, model_option, print_json
from journal_agent.cli.search import entry_name
from journal_agent.errors import AgentError, JournalError, ModelNotConfigured
from journal_agent.text import one_line

ASK_PATH = "/v1/journal/ask"  # the server's journal-native ask (journal_agent.service.http.ask)


def _require_model(journal) -> None:
    from journal_agent.openai_client import NOT_CONFIGURED, is_configured

    if not is_configured(journal.config):
        raise ModelNotConfigured(NOT_CONFIGURED)


def _conversation(continue_: bool, cid: int | None):
    if cid is not None:
        return cid
    return "continue" if continue_ else "new"


INTERRUPTED = f"Interrupted; {AgentError.hint}."


def _run_turn(agent, out, question: str, *, show_steps: bool, stream: bool, live=None, event: bool = False,
              show_reasoning: bool = False):
    """Run one turn, showing progress as it happens (reasoning lines with ``show_steps`` or
    ``show_reasoning``) from the events of :func:`~journal_agent.agent.turn_events.event_hooks`, as a
    served turn is shown; returns the Turn.

    Raises:
        ToolsUnsupported: the model cannot call tools (the caller falls back).
        AgentError: any other model failure (the conversation so far is kept).
    """
    live = live or view.LiveView(out)

    def show(event):
        view.show_event(out, live, event, show_steps=show_steps, show_reasoning=show_reasoning)

    steps = []
    try:
        for step in agent.run(question, event=event, on_token=live.token if stream else None,
                              hooks=event_hooks(show)):
            live.stop()
            steps.append(step)
    finally:
        live.stop()
    return agent.finish_turn(question, steps)


# ------------------------------------------------------------------- commands
def turn_options(fn):
    """The options of ``ask`` and ``chat``: which conversation, agent and model; how a turn is shown."""
    for option in reversed([
        click.option("-c", "--continue", "continue_", is_flag=True,
                     help="Continue the last conversation (default: start a new one)."),
        click.option("--cid", type=int, help="Continue conversation CID (see `journal log`)."),
        click.option("--show-steps", is_flag=True, help="Print each step as it happens: tool, arguments, result."),
        click.option("--stream/--no-stream", default=None,
                     help="Stream answers as they arrive (default: on a terminal)."),
        model_option,
        click.option("--agent", "agent_name", default="journal", show_default=True,
                     help="journal (answers from your notes) or coach (plans study); `journal agents` lists them."),
    ]):
        fn = option(fn)
    return fn


@click.command()
@click.argument("question", nargs=-1, required=True)
@turn_options
@json_option("Print the answer, sources and steps as JSON.")
@click.pass_context
def ask(ctx, question, continue_, cid, show_steps, stream, model, agent_name, as_json) -> None:
    """Ask an agent about your learning; each ask starts a new conversation unless -c.

    Without a configured model, or with a model that cannot call tools, prints
    the best-matching passages instead, marked retrieval-only. A running `journal serve`
    of this journal runs the turn when there is one (faster start; the output is the same),
    except with --model, which needs this process's own client.
    """
    started = time.monotonic()
    text = " ".join(question).strip()
    if not text:
        raise click.UsageError("the question is empty")
    out = console()
    live = view.LiveView(out, started=started, enabled=not as_json)
    stream = out.is_terminal and not as_json if stream is None else stream and not as_json
    if model is None and _served_ask(ctx, out, live, text, conversation=_conversation(continue_, cid),
                                     agent_name=agent_name, show_steps=show_steps and not as_json,
                                     stream=stream, as_json=as_json):
        return
    from journal_agent.agent.loop import Agent
    from journal_agent.errors import ToolsUnsupported
    from journal_agent.openai_client import NOT_CONFIGURED, is_configured

    journal = journal_of(ctx)
    if not is_configured(journal.config):
        console(stderr=True).print(escape(NOT_CONFIGURED))
        _retrieval_only(journal, text, out, as_json)
        return
    live.waiting("thinking…", since_start=True)
    try:
        agent = Agent(journal, name=agent_name, model=model, conversation=_conversation(continue_, cid),
                      origin="ask")
    except JournalError as exc:
        live.stop()
        if as_json:  # a JSON consumer always gets an object on stdout; the boundary still says it on stderr
            print_json(view.error_json(text, exc))
        raise
    except BaseException:
        live.stop()
        raise
    try:
        turn = _run_turn(agent, out, text, show_steps=show_steps and not as_json, stream=stream, live=live)
    except ToolsUnsupported as exc:
        _tools_unsupported(journal, str(exc), text, out, as_json)
        return
    except JournalError as exc:
        if as_json:
            print_json(view.error_json(text, exc, agent.recall.conversation_id))
        raise
    except KeyboardInterrupt:
        console(stderr=True).print(INTERRUPTED)
        ctx.exit(EXIT_INTERRUPTED)
    finally:
        agent.close()
    if as_json:
        print_json(view.turn_json(turn))
        return
    view.show_turn(out, view.turn_json(turn), journal.config.llm.max_tokens, show_steps=show_steps)


def _tools_unsupported(journal, message: str, question: str, out, as_json: bool) -> None:
    console(stderr=True).print(escape(f"{message[0].upper()}{message[1:]}; the retrieval-only answer follows."))
    _retrieval_only(journal, question, out, as_json, reason="the model cannot call tools")


def _served_ask(ctx: click.Context, out, live, question: str, *, conversation, agent_name: str, show_steps: bool,
                stream: bool, as_json: bool) -> bool:
    """Run the turn on a running ``journal serve`` of the command's journal (``POST /v1/journal/ask``) and
    print it as the in-process path does; ``False`` when there is none to ask (no journal found here, no
    or a stale announcement, a server that refused: busy (409), no model (503), not the owner's), and
    then nothing was printed.

    Raises:
        JournalError: the turn failed on the server (its message and hint, as in process).
    """
    from journal_agent.service.local import server_here, stream_json

    server = server_here((ctx.find_object(dict) or {}).get("root"))
    if server is None:
        return False
    events = stream_json(server, "POST", ASK_PATH, body={"question": question, "agent": agent_name,
                                                         "conversation": conversation, "stream": stream})
    if events is None:
        return False
    live.waiting("thinking…", since_start=True)
    final = None
    try:
        for event in events:
            if event.get("kind") in ("turn", "error"):
                final = event
                break
            view.show_event(out, live, event, show_steps=show_steps)
    except KeyboardInterrupt:  # the server runs the turn to its end and stores it whole
        live.stop()
        console(stderr=True).print(INTERRUPTED)
        ctx.exit(EXIT_INTERRUPTED)
    finally:
        live.stop()
        events.close()
    if final is None:  # the server stopped mid-turn; what it stored of the turn stays in the conversation
        broke = AgentError("the connection to `journal serve` broke off during the turn")
        if as_json:
            print_json(view.error_json(question, broke))
        raise broke
    if final["kind"] == "error":
        failure = final["error"]
        if failure.get("error_type") == "ToolsUnsupported":
            _tools_unsupported(journal_of(ctx), failure["error"], question, out, as_json)
            return True
        if as_json:
            print_json(failure)
        raise JournalError(failure["error"], hint=failure.get("hint"))
    if as_json:
        print_json(final["turn"])
    else:
        view.show_turn(out, final["turn"], final.get("max_tokens"), show_steps=show_steps)
    return True


def _retrieval_only(journal, question: str, out, as_json: bool, reason: str = "no model configured") -> None:
    from journal_agent.agent.retrieval_only import LABEL, NO_TOOLS_LABEL, retrieval_only_answer

    answer = retrieval_only_answer(journal, question)
    answer.reason = reason
    if as_json:
        print_json(answer.to_json())
        return
    out.print(f"[bold]{escape(LABEL if reason == 'no model configured' else NO_TOOLS_LABEL)}[/bold]")
    if answer.empty:  # the named day or window holds no entry: say so, and offer the entries around it
        around = "the nearest entries before and after it:" if answer.nearest_hits else "no entry before or after it."
        out.print(f"No entry for {escape(answer.named)}; {around}")
        for hit in answer.nearest_hits:
            where = entry_name(hit.model_dump(mode="json"))
            out.print(f"- {answer.side(hit)}: {escape(hit.title)} ({hit.date.isoformat()}) {escape(where)}")
    if not answer.hits:
        out.print("No matching passages. Run `journal ingest` if your notes are not in the archive yet.")
        return
    for rank, hit in enumerate(answer.hits, start=1):
        out.print()
        out.print(f"[bold]{rank}. {escape(hit.title)}[/bold] [dim]({hit.date.isoformat()}) {escape(hit.path)}[/dim]")
        out.print("   " + escape(one_line(hit.text, 400)))
    out.print()
    out.print("[bold]Sources[/bold]")
    for hit in answer.hits:
        out.print(f"- {escape(hit.title)} ({hit.date.isoformat()}) {escape(hit.path)}")


def _line_editing(journal):
    """Line editing and a persistent history for ``journal chat`` (GNU readline); the history file, or ``None``."""
    try:
        import readline
    except ImportError:  # pragma: no cover - Windows without pyreadline
        return None
    history = journal.state_dir / "chat_history"
    try:
        readline.read_history_file(history)
    except OSError:
        pass
    readline.set_history_length(1000)
    return history


def _save_history(history) -> None:
    if history is None:
        return
    import readline

    try:
        readline.write_history_file(history)
    except OSError:
        pass


@click.command()
@turn_options
@click.pass_context
def chat(ctx, continue_, cid, show_steps, stream, model, agent_name) -> None:
    """Talk with an agent; Ctrl-D exits. Line editing and history (↑) on a terminal."""
    from journal_agent.agent.loop import Agent
    from journal_agent.errors import ToolsUnsupported

    journal = journal_of(ctx)
    _require_model(journal)
    agent = Agent(journal, name=agent_name, model=model, conversation=_conversation(continue_, cid),
                  origin="chat")
    out = console()
    resumed = f" (continuing conversation #{agent.recall.conversation_id})" if agent.recall.conversation_id else ""
    who = "your journal's memory agent" if agent_name == "journal" else f"the {agent_name} agent"
    out.print(f"[dim]Chatting with {who}{resumed}. Ctrl-D to exit.[/dim]")
    interactive = sys.stdin.isatty()
    history = _line_editing(journal) if interactive else None
    stream = out.is_terminal if stream is None else stream
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
                turn = _run_turn(agent, out, line, show_steps=show_steps, stream=stream, show_reasoning=True)
            except ToolsUnsupported as exc:
                console(stderr=True).print(f"[red]Error:[/red] {escape(str(exc))}; the retrieval-only answer "
                                            "follows.")
                _retrieval_only(journal, line, out, False, reason="the model cannot call tools")
                continue
            except JournalError as exc:  # the conversation goes on; the boundary's wording
                console(stderr=True).print(f"[red]Error:[/red] {escape(user_message(exc))}")
                continue
            except KeyboardInterrupt:
                console(stderr=True).print("Interrupted; the conversation so far is kept.")
                continue
            view.show_turn(out, view.turn_json(turn), journal.config.llm.max_tokens, show_steps=show_steps)
    finally:
        _save_history(history)
        agent.close()


@click.command(name="log")
@click.argument("cid", required=False, type=int)
@click.option("-c", "--current", "last", is_flag=True, help="Show the most recent conversation.")
@click.option("-n", "--limit", default=10, show_default=True, type=click.IntRange(1),
              help="How many conversations to list.")
@json_option()
@click.pass_context
def log(ctx, cid, last, limit, as_json) -> None:
    """List past conversations, newest first, or show conversation CID."""
    from journal_agent.agent.recall import RecallMemory

    recall = RecallMemory.open(journal_of(ctx))
    out = console()
    try:
        if cid is None and last:
            found = recall.conversations(limit=1, kind="chat")
            if not found:
                out.print("No conversations yet. `journal ask \"...\"` starts one.")
                return
            cid = found[0].id
        if cid is None:
            conversations = recall.conversations(limit=limit)
            if as_json:
                print_json([view.conversation_json(c) for c in conversations])
            else:
                view.print_conversations(out, conversations)
            return
        conversation = recall.conversation(cid)
        messages = recall.messages(cid)
        if as_json:
            print_json(view.conversation_json(conversation, messages))
        else:
            view.print_conversation(out, conversation, messages)
    finally:
        recall.close()


@click.command()
@click.option("--since", "since_day", type=DATE,
              help='Reflect on notes dated or changed since this day ("last week", 2025-09-01). '
                   "Default: notes changed since the last reflection.")
@click.option("--show-steps", is_flag=True, help="Print each step as it happens.")
@model_option
@click.pass_context
def reflect(ctx, since_day, show_steps, model) -> None:
    """Ask the agent to update the learner profile from recent notes."""
    from journal_agent.agent.reflection import reflect_on_notes, select_notes
    from journal_agent.agent.turn_events import edit_json

    journal = journal_of(ctx)
    _require_model(journal)
    notes = select_notes(journal, since_day)
    if not notes:
        click.echo("No new notes to reflect on" + (f" since {since_day}." if since_day else "."))
        return
    out = console()
    outcome = reflect_on_notes(journal, notes, model=model, max_notes=None,
                               on_step=(lambda step: view.print_step(out, step)) if show_steps else None)
    if outcome.status == "failed":
        raise click.ClickException(outcome.message)
    click.echo(outcome.message)
    view.print_edits(out, [edit_json(e) for e in outcome.edits])
