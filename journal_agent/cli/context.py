"""Click adapter for ``journal context``: what an agent's next request would send, with tokens per section.

The view is :func:`journal_agent.agent.compiled.compile_context` (the agent loop's own
request assembly, run without storing or sending anything); ``--json`` prints it whole,
the request's messages and tool schemas included.
"""

from __future__ import annotations

from typing import Literal

import click

from journal_agent.agent.compiled import CompiledContext, compile_context
from journal_agent.cli.common import journal_of, json_option, model_option, print_json
from journal_agent.text import one_line

SECTION_NAMES = {"system_instructions": "system instructions", "core_memory": "core memory",
                 "summary": "running summary", "memory_metadata": "memory metadata", "messages": "messages",
                 "tool_schemas": "tool schemas", "framing": "message framing"}


@click.command()
@click.argument("message", required=False)
@click.option("--agent", "agent_name", default="journal", show_default=True,
              help="The agent whose next request is shown (`journal agents` lists them).")
@click.option("--new", "new", is_flag=True, help="As `journal ask` starts a new conversation (default: the last "
              "conversation goes on, as with `journal ask -c` and `journal chat`).")
@click.option("--cid", type=int, help="The request continuing conversation CID (see `journal log`).")
@model_option
@json_option("Print the whole view as JSON: sections, blocks, the request's messages and tool schemas.")
@click.pass_context
def context(ctx, message, agent_name, new, cid, model, as_json) -> None:
    """Show what an agent's next request would send, in tokens.

    The system prompt, each core memory block, the running summary, the memory metadata, the messages
    in the window and the tool schemas, with tokens per section and the budget.

    MESSAGE is the next message to preview (default: none). Nothing is stored or sent.
    """
    if new and cid is not None:
        raise click.UsageError("--new and --cid cannot be used together")
    conversation: int | Literal["new", "continue"] = cid if cid is not None else ("new" if new else "continue")
    view = compile_context(journal_of(ctx), agent=agent_name, message=message, conversation=conversation,
                           model=model)
    if as_json:
        print_json(view.model_dump(mode="json"))
        return
    _print(view)


def _print(view: CompiledContext) -> None:
    """The view as plain text: one line per section, block, message and tool."""
    where = f"conversation #{view.conversation_id}" if view.conversation_id else "a new conversation"
    click.echo(f"Next request of the {view.agent} agent to {view.model} ({where}): {view.tokens:,} of "
               f"{view.budget:,} tokens budget ({view.tokens / view.budget:.0%}).")
    click.echo(f"Tokenizer: {view.encoding_reason}.")
    click.echo("")
    for section in view.sections:
        click.echo(f"  {SECTION_NAMES[section.name]:<20} {section.tokens:>7,} tokens")
    click.echo("")
    click.echo("Core memory blocks:")
    for block in view.blocks:
        flags = ", read-only" if block.read_only else ""
        click.echo(f"  {block.label:<20} {block.chars_current:>6,} / {block.chars_limit:,} chars{flags}  "
                   f"{block.tokens:,} tokens")
    if view.summary:
        click.echo(f"\nRunning summary: {one_line(view.summary, 160)}")
    click.echo("\nMemory metadata (after the turn's opening message):")
    for line in view.memory_metadata.splitlines():
        click.echo(f"  {line}")
    click.echo(f"\nMessages in the request ({len(view.messages)}; {view.num_messages_in_view} of the "
               f"{view.num_recall_memory} messages stored in recall memory are in the window):")
    for message, tokens in zip(view.messages, view.message_tokens, strict=True):
        calls = ", ".join(c.get("function", {}).get("name", "?") for c in message.get("tool_calls") or [])
        text = f"calls {calls}" if calls else one_line(str(message.get("content") or ""), 90)
        click.echo(f"  {message.get('role', '?'):<9} {tokens:>6,}  {text}")
    click.echo(f"\nTool schemas ({len(view.tools)}): "
               + ", ".join(t.get("function", {}).get("name", "?") for t in view.tools))
    for event in view.events:
        click.echo(f"\nNote: {event}.")
    click.echo("\n`journal context --json` prints the whole request.")

