"""Click adapters for core memory: ``journal memory`` (the blocks, the agents they are attached to, their
history) and ``journal agents`` (the agents and their blocks).

``show``, ``edit``, ``history``, ``undo`` (recorded as an edit: a second undo
redoes), ``export``/``import`` (blocks, attachments, agents and history, one
JSON document of a versioned format) and ``block create|delete|attach|detach``.
Errors are :class:`~journal_agent.errors.JournalError` and reach the one
boundary (:mod:`journal_agent.cli.boundary`) as one line.
"""

from __future__ import annotations

import json
from dataclasses import asdict
from pathlib import Path

import click
from rich.panel import Panel
from rich.text import Text

from journal_agent.agent.agent_tools import list_agents
from journal_agent.agent.core_memory import CoreMemory
from journal_agent.cli.common import console, escape, include_private_option, journal_of, json_option, print_json
from journal_agent.cli.render_steps import diff_lines, print_agents
from journal_agent.errors import JournalError


def _core(ctx):
    """Core memory as the learner sees it: every block, every agent."""
    return CoreMemory.open(journal_of(ctx), agent=None)


@click.command()
@json_option("Print the agents as JSON.")
@click.pass_context
def agents(ctx, as_json) -> None:
    """List the agents: name, persona, attached blocks, tools (`journal ask --agent NAME`)."""
    found = list_agents(journal_of(ctx))
    if as_json:
        print_json([asdict(a) for a in found])
        return
    print_agents(console(), found)


@click.group()
def memory() -> None:
    """Show, edit, undo, export and import core memory: the blocks and the agents they are attached to."""


@memory.command("show")
@click.argument("label", required=False)
@json_option("Print the blocks as JSON.")
@click.pass_context
def memory_show(ctx, label, as_json) -> None:
    """Print every core memory block (or block LABEL) with its budget and the agents it is attached to."""
    core = _core(ctx)
    blocks = [core.block(label)] if label else core.blocks
    if as_json:
        shown = [d for d in core.to_dict()["blocks"] if d["label"] in {b.label for b in blocks}]
        print_json(shown[0] if label else {"blocks": shown})
        return
    out = console()
    for block in blocks:
        agents = ", ".join(core.attached_to(block.label)) or "no agent"
        flags = ", read-only" if block.read_only else ""
        about = (f"{block.chars_current:,} / {block.limit:,} chars{flags} · attached to: {agents} · "
                 f"modified {block.modified.replace('T', ' ') or 'unknown'}")
        if not out.is_terminal:  # plain text for pipes: no box drawing, no wrapping
            click.echo(f"== {block.label} ({about}) ==\n{block.value or '(empty)'}\n")
            continue
        body = Text.assemble((block.description + "\n\n", "dim"), block.value or "(empty)")
        out.print(Panel(body, title=f"[bold]{escape(block.label)}[/bold]", subtitle=escape(about),
                        title_align="left"))


@memory.command("edit")
@click.argument("label")
@click.pass_context
def memory_edit(ctx, label) -> None:
    """Edit block LABEL in $EDITOR (its character limit is enforced; read-only blocks too)."""
    core = _core(ctx)
    block = core.block(label)
    edited = click.edit(block.value + "\n", extension=".md", require_save=True)
    if edited is None:
        click.echo("No changes.")
        return
    value = edited.rstrip("\n")
    try:
        edit = core.set_value(label, value)
    except JournalError as exc:
        exc.hint = exc.hint or "nothing was saved"  # what the boundary adds to the library's message
        raise
    click.echo("No changes." if edit is None else f"Saved the {label} block ({len(value):,} / {block.limit:,} chars).")


@memory.command("history")
@click.option("-n", "--limit", default=20, show_default=True, type=click.IntRange(1), help="Most recent edits.")
@json_option("Print the edits as JSON.")
@click.pass_context
def memory_history(ctx, limit, as_json) -> None:
    """List core memory edits (time, tool, agent, block, what changed), oldest first; undos included."""
    edits = _core(ctx).history()
    shown = edits[-limit:]
    if as_json:
        print_json([e.model_dump() for e in shown])
        return
    if not edits:
        click.echo("No core memory edits yet.")
        return
    out = console()
    first = len(edits) - len(shown) + 1
    for number, edit in enumerate(shown, start=first):
        who = f"  [dim]by {escape(edit.agent)}[/dim]" if edit.agent else ""
        out.print(f"[bold]#{number}[/bold] {edit.time}  {escape(edit.tool)}  [bold]{escape(edit.label)}[/bold]{who}")
        for line in diff_lines(edit.before, edit.after):
            colour = "red" if line.startswith("-") else "green"
            out.print(f"    [{colour}]{escape(line)}[/{colour}]")


@memory.command("undo")
@click.pass_context
def memory_undo(ctx) -> None:
    """Revert the last core memory edit; the revert is recorded, so undo again to redo."""
    reverted, _ = _core(ctx).undo()
    click.echo(f"Redid the edit of the {reverted.label} block that the undo from {reverted.time} reverted "
               "(undo again to revert it)." if reverted.tool == "memory undo" else
               f"Reverted {reverted.tool} on the {reverted.label} block from {reverted.time} "
               "(recorded as an edit: undo again to redo it).")


@memory.command("export")
@click.argument("file", required=False, type=click.Path(dir_okay=False, allow_dash=True))
@click.option("-o", "--output", type=click.Path(dir_okay=False, allow_dash=True),
              help="Write to this file instead of stdout (same as FILE; - is stdout); never inside notes/ or "
                   ".journal/.")
@click.option("--format", "fmt", type=click.Choice(["journal", "letta"]), default="journal", show_default=True,
              help="journal: this journal's memory document; letta: a Letta agent file (.af) of one agent, with "
                   "its archival memory as FILE.archival.jsonl beside it.")
@click.option("--agent", "agent_name", default="journal", show_default=True,
              help="With --format letta: the agent to export.")
@click.option("--messages", "max_messages", default=100, show_default=True, type=click.IntRange(0),
              help="With --format letta: recent messages of the agent's last conversation.")
@include_private_option("With --format letta: also private and draft notes' chunks in the archival JSONL.")
@click.option("--force", is_flag=True, help="Replace an existing file that is not a memory export.")
@click.pass_context
def memory_export(ctx, file, output, fmt, agent_name, max_messages, include_private, force) -> None:
    """Export core memory (blocks, attachments, agents, edit history) as JSON to FILE or stdout;
    with --format letta, one agent as a Letta agent file."""
    from journal_agent.atomic import write_atomic
    from journal_agent.outputs import check_output

    target = file or output
    path = None
    if target and target != "-":
        path = check_output(journal_of(ctx), Path(target), force=force,
                            ours=_is_agent_file if fmt == "letta" else _is_memory_export,
                            what="the agent file" if fmt == "letta" else "the memory export")
    if fmt == "letta":
        _export_letta(ctx, path, agent_name, max_messages, include_private, force)
        return
    data = _core(ctx).export_data()
    if path is None:
        print_json(data)
        return
    try:
        write_atomic(path, json.dumps(data, indent=2, ensure_ascii=False) + "\n")
    except OSError as exc:
        raise JournalError(f"cannot write {target}: {exc.strerror or exc}") from exc
    click.echo(f"Wrote {target}.")


def _export_letta(ctx, path: Path | None, agent_name: str, max_messages: int, include_private: bool,
                  force: bool) -> None:
    """``journal memory export --format letta``: the .af to ``path`` (stdout when ``None``), archival beside it."""
    from journal_agent.agent.agent_file import build_agent_file, dump, export_archival
    from journal_agent.atomic import write_atomic
    from journal_agent.outputs import check_output

    journal = journal_of(ctx)
    if path is None:
        click.echo(dump(build_agent_file(journal, agent=agent_name, messages=max_messages)), nl=False)
        click.echo("Archival memory is written beside a file only: pass -o FILE.af.", err=True)
        return
    archival_path = path.with_name(path.stem + ".archival.jsonl")
    check_output(journal, archival_path, force=force, ours=_is_archival_export, what="the archival memory")
    agent_file = build_agent_file(journal, agent=agent_name, messages=max_messages, archival_file=archival_path.name)
    passages = export_archival(journal, include_private=include_private)
    try:
        write_atomic(archival_path, "".join(json.dumps(p, ensure_ascii=False) + "\n" for p in passages))
        write_atomic(path, dump(agent_file))
    except OSError as exc:
        raise JournalError(f"cannot write {path}: {exc.strerror or exc}") from exc
    agent = agent_file.agents[0]
    click.echo(f"Wrote {path.name}: the {agent.name} agent, {len(agent_file.blocks)} blocks, {len(agent_file.tools)} "
               f"tools, {len(agent.messages)} messages; archival memory ({len(passages)} passages) in "
               f"{archival_path.name}.")


def _is_memory_export(path: Path) -> bool:
    """Whether ``path`` is a file ``journal memory export`` wrote (its ``format`` key)."""
    with open(path, "rb") as handle:
        head = handle.read(64)
    return head.startswith(b'{\n  "format": "journal-agent-memory"')


def _is_agent_file(path: Path) -> bool:
    """Whether ``path`` is an agent file this journal wrote (its ``exported_by`` metadata)."""
    from journal_agent.agent.agent_file import MAX_FILE_BYTES

    if path.stat().st_size > MAX_FILE_BYTES:
        return False
    data = json.loads(path.read_text(encoding="utf-8"))
    return isinstance(data, dict) and str((data.get("metadata") or {}).get("exported_by", "")).startswith(
        "journal-agent")


def _is_archival_export(path: Path) -> bool:
    """Whether ``path`` is an archival JSONL written beside an agent file (empty, or passages)."""
    with open(path, encoding="utf-8") as handle:
        first = handle.readline()
    return not first.strip() or '"metadata": {"source":' in first


@memory.command("import")
@click.argument("file", type=click.Path(exists=True, dir_okay=False))
@click.option("--agent", "agent_name", help="For an agent file: which of its agents (default: the first).")
@click.option("--into", help="For an agent file: this journal's agent to import into (default: the one of the same "
                             "name, else journal).")
@click.option("--force", is_flag=True, help="For an agent file: replace blocks that differ, and import a file "
                                            "imported before.")
@click.pass_context
def memory_import(ctx, file, agent_name, into, force) -> None:
    """Replace core memory with what `journal memory export` wrote to FILE (the old one is kept as a backup);
    a Letta agent file (.af) adds its agent's blocks, messages and archival entries instead."""
    if _looks_like_agent_file(Path(file)):
        _import_letta(ctx, Path(file), agent_name, into, force)
        return
    try:
        with open(file, encoding="utf-8") as handle:
            data = json.load(handle)
    except ValueError as exc:
        raise JournalError(f"{file}: not JSON ({exc}); pass a file written by `journal memory export`") from exc
    state = _core(ctx).import_data(data, source=file)
    click.echo(f"Imported {len(state.blocks)} blocks, {len(state.agents)} agents and {len(state.history)} edits "
               f"from {file} (the previous core memory is in .journal/core_memory.before-import.json).")


def _looks_like_agent_file(path: Path) -> bool:
    """An ``.af`` file, or a JSON document that starts like Letta's agent files (``agents`` or ``agent_type``)."""
    if path.suffix.lower() == ".af":
        return True
    with open(path, "rb") as handle:
        head = handle.read(200).lstrip()
    return head.startswith(b"{") and (b'"agents"' in head or b'"agent_type"' in head)


def _import_letta(ctx, path: Path, agent_name: str | None, into: str | None, force: bool) -> None:
    from journal_agent.agent.agent_file import import_agent

    result = import_agent(journal_of(ctx), path, agent=agent_name, into=into, force=force)
    parts = [f"{len(result.blocks_created)} blocks created", f"{len(result.blocks_updated)} replaced",
             f"{len(result.blocks_unchanged)} unchanged"]
    where = f" (conversation #{result.conversation_id})" if result.conversation_id else ""
    archival = (f"; {result.archival} archival entries added, {result.archival_skipped} passages skipped"
                if result.archival or result.archival_skipped else "")
    click.echo(f"Imported {path.name} into the {result.agent} agent: {', '.join(parts)}; {result.messages} messages "
               f"in recall memory{where}{archival}.")
    if result.renamed:  # Letta's names for our blocks: say where they went
        moved = ", ".join(f"{theirs} → {ours}" for theirs, ours in result.renamed.items())
        click.echo(f"Blocks under our names: {moved}.")


@memory.group("block")
def block() -> None:
    """Create, delete, attach and detach core memory blocks."""


@block.command("create")
@click.argument("label")
@click.option("--limit", required=True, type=click.IntRange(1), help="Character limit of the block.")
@click.option("--description", required=True, help="What belongs in the block (the agents read it).")
@click.option("--value", default="", help="Initial text (default: empty).")
@click.option("--read-only", is_flag=True, help="Agents can read the block but not edit it.")
@click.option("--agent", "agents", multiple=True,
              help="Attach to this agent (repeatable; default: every agent you talk to).")
@click.pass_context
def block_create(ctx, label, limit, description, value, read_only, agents) -> None:
    """Create block LABEL; it is in the next prompt of every agent it is attached to."""
    core = _core(ctx)
    made = core.create_block(label, limit=limit, description=description, value=value, read_only=read_only,
                             agents=list(agents) or None)
    flags = ", read-only" if made.read_only else ""
    click.echo(f"Created the {made.label} block ({made.limit:,} chars{flags}), attached to: "
               f"{', '.join(core.attached_to(made.label))}.")


@block.command("delete")
@click.argument("label")
@click.pass_context
def block_delete(ctx, label) -> None:
    """Delete block LABEL and detach it from every agent (its edits stay in the history)."""
    attached = _core(ctx).delete_block(label)
    click.echo(f"Deleted the {label} block" + (f" (was attached to: {', '.join(attached)})." if attached else "."))


@block.command("attach")
@click.argument("label")
@click.argument("agent")
@click.pass_context
def block_attach(ctx, label, agent) -> None:
    """Attach block LABEL to AGENT (shared with the agents it is attached to already)."""
    changed = _core(ctx).attach(label, agent)
    click.echo(f"Attached the {label} block to {agent}." if changed else f"The {label} block is attached to {agent}.")


@block.command("detach")
@click.argument("label")
@click.argument("agent")
@click.pass_context
def block_detach(ctx, label, agent) -> None:
    """Detach block LABEL from AGENT (the block stays, for the other agents)."""
    changed = _core(ctx).attach(label, agent, detach=True)
    click.echo(f"Detached the {label} block from {agent}." if changed
               else f"The {label} block was not attached to {agent}.")
